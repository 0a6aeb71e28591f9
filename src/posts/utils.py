from src.auth.schemas import UserSummary
from src.posts.schemas import PostResponse
from src.posts.service import PostRow


def post_response(row: PostRow, *, favorited: bool = False) -> PostResponse:
    """The one mapping of a post's row to what clients get; `favorited` is
    the caller's."""
    return PostResponse(
        id=row.id,
        slug=row.slug,
        title=row.title,
        description=row.description,
        content=row.content,
        tags=row.tags,
        status=row.status,
        creator_id=row.creator_id,
        creator=UserSummary(id=row.creator_id, username=row.creator_username),
        comments_count=row.comments_count,
        favorites_count=row.favorites_count,
        favorited=favorited,
        created_at=row.created_at,
        updated_at=row.updated_at,
        published_at=row.published_at,
    )
