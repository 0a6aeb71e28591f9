from src.auth.schemas import UserSummary
from src.posts.schemas import PostResponse
from src.posts.service import PostRow


def post_response(row: PostRow) -> PostResponse:
    """The one mapping of a post's row to what clients get."""
    return PostResponse(
        id=row.id,
        title=row.title,
        content=row.content,
        creator_id=row.creator_id,
        creator=UserSummary(id=row.creator_id, username=row.creator_username),
        comments_count=row.comments_count,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
