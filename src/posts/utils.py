from typing import Any

from src.posts.schemas import PostResponse
from src.posts.service import PostRow


def post_fields(row: PostRow, *, favorited: bool = False) -> dict[str, Any]:
    """The one mapping of a post's row to what clients get (`PostResponse`),
    as its fields in the schema's order; `favorited` is the caller's."""
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "description": row.description,
        "content": row.content,
        "tags": row.tags,
        "status": row.status,
        "creator_id": row.creator_id,
        "creator": {"id": row.creator_id, "username": row.creator_username},
        "comments_count": row.comments_count,
        "favorites_count": row.favorites_count,
        "favorited": favorited,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
        "published_at": row.published_at,
    }


def post_response(row: PostRow, *, favorited: bool = False) -> PostResponse:
    """A post's row as its response (`post_fields`, validated)."""
    return PostResponse.model_validate(post_fields(row, favorited=favorited))
