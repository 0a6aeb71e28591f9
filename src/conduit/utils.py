"""The one mapping of native rows to RealWorld bodies."""

from collections.abc import Sequence
from uuid import UUID

from src.auth.models import User
from src.comments.service import CommentRow
from src.conduit.schemas import (
    Article,
    ArticleSummary,
    Comment,
    ConduitUser,
    Profile,
)
from src.database.reads import Readable
from src.favorites import service as favorites_service
from src.follows import service as follows_service
from src.follows.service import AuthorRow, ProfileRow
from src.posts.service import PostRow


def user_body(user: User, token: str) -> ConduitUser:
    return ConduitUser(
        email=user.email,
        token=token,
        username=user.username,
        bio=user.bio,
        image=user.image,
    )


def profile_body(row: ProfileRow | AuthorRow, *, following: bool) -> Profile:
    return Profile(
        username=row.username, bio=row.bio, image=row.image, following=following
    )


def _summary(post: PostRow, author: AuthorRow, favorited: bool) -> dict[str, object]:
    return {
        "slug": post.slug,
        "title": post.title,
        "description": post.description,
        # RealWorld clients expect them sorted (its test suite checks).
        "tag_list": sorted(post.tags),
        "created_at": post.created_at,
        "updated_at": post.updated_at or post.created_at,
        "favorited": favorited,
        "favorites_count": post.favorites_count,
        "author": profile_body(author, following=author.following),
    }


async def articles_as_seen_by(
    readable: Readable, posts: Sequence[PostRow], caller: UUID | None
) -> list[ArticleSummary]:
    """A page of articles as `caller` sees them: their authors (and whom
    the caller follows) in one statement, what they favorited in another."""
    authors = await follows_service.authors_among(
        readable, follower_id=caller, user_ids={post.creator_id for post in posts}
    )
    favorited = await favorites_service.favorited_among(
        readable, user_id=caller, post_ids=[post.id for post in posts]
    )
    return [
        ArticleSummary.model_validate(
            _summary(post, authors[post.creator_id], post.id in favorited)
        )
        for post in posts
    ]


async def article_as_seen_by(
    readable: Readable, post: PostRow, caller: UUID | None
) -> Article:
    """One article, with its body, as `caller` sees it."""
    authors = await follows_service.authors_among(
        readable, follower_id=caller, user_ids={post.creator_id}
    )
    favorited = await favorites_service.is_favorited(
        readable, user_id=caller, post_id=post.id
    )
    return Article.model_validate(
        {**_summary(post, authors[post.creator_id], favorited), "body": post.content}
    )


async def comments_as_seen_by(
    readable: Readable, comments: Sequence[CommentRow], caller: UUID | None
) -> list[Comment]:
    """Comments with their authors as `caller` sees them: one statement."""
    authors = await follows_service.authors_among(
        readable, follower_id=caller, user_ids={c.creator_id for c in comments}
    )
    return [_comment(comment, authors[comment.creator_id]) for comment in comments]


def _comment(comment: CommentRow, author: AuthorRow) -> Comment:
    return Comment(
        id=str(comment.id),
        created_at=comment.created_at,
        updated_at=comment.updated_at or comment.created_at,
        body=comment.content,
        author=profile_body(author, following=author.following),
    )
