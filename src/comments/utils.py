from src.auth.schemas import UserSummary
from src.comments.schemas import CommentResponse
from src.comments.service import CommentRow


def comment_response(row: CommentRow) -> CommentResponse:
    """The one mapping of a comment's row to what clients get."""
    return CommentResponse(
        id=row.id,
        post_id=row.post_id,
        content=row.content,
        creator_id=row.creator_id,
        creator=UserSummary(id=row.creator_id, username=row.creator_username),
        created_at=row.created_at,
        updated_at=row.updated_at,
        hidden=row.hidden,
    )
