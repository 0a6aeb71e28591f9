from typing import Annotated
from uuid import UUID

from fastapi import Depends, Path, Query, Request
from fastapi.security import APIKeyHeader
from fastapi.security.utils import get_authorization_scheme_param

from src.auth import service as auth_service
from src.auth.constants import USERNAME_PATTERN
from src.auth.models import User
from src.comments import service as comments_service
from src.comments.exceptions import CommentNotFound, NotCommentAuthor
from src.comments.service import CommentRow
from src.conduit import service
from src.conduit.constants import DEFAULT_LIMIT, TOKEN_SCHEME
from src.conduit.exceptions import (
    ArticleNotFound,
    ConduitUnauthorized,
    ProfileNotFound,
)
from src.exceptions import raises
from src.follows import service as follows_service
from src.follows.service import ProfileRow
from src.idempotency.dependencies import Idempotency, KeyHeader, json_body_idempotency
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.pagination import MAX_LIMIT, MAX_OFFSET, PaginationParams, cursor_signer
from src.posts import service as posts_service
from src.posts import slugs
from src.posts.constants import SLUG_MAX_LENGTH
from src.posts.exceptions import NotPostCreator
from src.posts.service import PostRow
from src.schemas import NO_NUL
from src.web.dependencies import (
    AppSettings,
    ReadBindDep,
    ReadSession,
    UnitOfWorkDep,
    UnitsOfWorkDep,
)

# Documents the header; the token is read by `conduit_caller` (auto_error
# off: a missing token is our 401, in the RealWorld shape).
token_header = APIKeyHeader(
    name="Authorization",
    scheme_name="ConduitToken",
    description="`Token <token>`, the token of POST /api/users or /api/users/login",
    auto_error=False,
)


@raises(ConduitUnauthorized)
async def conduit_caller(request: Request, bind: ReadBindDep) -> UUID | None:
    """Whose Conduit token this is: None without one, 401 for a token that
    is unknown, expired or revoked."""
    scheme, token = get_authorization_scheme_param(request.headers.get("Authorization"))
    if not token:
        return None
    # "Bearer" too: some RealWorld clients send it.
    if scheme.lower() not in (TOKEN_SCHEME.lower(), "bearer"):
        raise ConduitUnauthorized
    user_id = await service.token_user(bind, token)
    if user_id is None:
        raise ConduitUnauthorized
    return user_id


ConduitCaller = Annotated[UUID | None, Depends(conduit_caller)]


@raises(ConduitUnauthorized)
async def conduit_user_id(
    _: Annotated[str | None, Depends(token_header)], caller: ConduitCaller
) -> UUID:
    """The caller's id; 401 without a live token."""
    if caller is None:
        raise ConduitUnauthorized
    return caller


ConduitUserId = Annotated[UUID, Depends(conduit_user_id)]


@raises(ConduitUnauthorized)
async def conduit_user(user_id: ConduitUserId, session: ReadSession) -> User:
    user = await auth_service.get_user(session, user_id)
    if user is None:  # pragma: no cover - its tokens went with the account
        raise ConduitUnauthorized
    return user


ConduitAccount = Annotated[User, Depends(conduit_user)]


def presented_token(request: Request) -> str:
    """The token the request was signed in with (GET /api/user repeats it)."""
    return get_authorization_scheme_param(request.headers.get("Authorization"))[1]


@raises(ArticleNotFound)
async def article_by_slug(
    slug: Annotated[str, Path(max_length=SLUG_MAX_LENGTH, pattern=NO_NUL)],
    bind: ReadBindDep,
    caller: ConduitCaller,
) -> PostRow:
    """The post this slug leads to (an earlier slug too), if the caller may
    see it; 404 otherwise."""
    found = await slugs.resolve(bind, slug)
    post = await posts_service.get_post(bind, found[0]) if found else None
    if post is None or not posts_service.may_see(post, caller):
        raise ArticleNotFound
    return post


Article = Annotated[PostRow, Depends(article_by_slug)]


@raises(NotPostCreator)
async def own_article(post: Article, user_id: ConduitUserId) -> PostRow:
    """The article, if the caller wrote it (403 otherwise)."""
    if post.creator_id != user_id:
        raise NotPostCreator
    return post


OwnArticle = Annotated[PostRow, Depends(own_article)]


@raises(ProfileNotFound)
async def profile_by_username(
    username: Annotated[str, Path(max_length=32, pattern=USERNAME_PATTERN)],
    bind: ReadBindDep,
) -> ProfileRow:
    profile = await follows_service.get_profile_by_username(bind, username)
    if profile is None:
        raise ProfileNotFound
    return profile


ProfileByUsername = Annotated[ProfileRow, Depends(profile_by_username)]


def offset_page(settings: AppSettings, limit: int, offset: int = 0) -> PaginationParams:
    """A native page by `limit` and `offset` (RealWorld pages no other way)."""
    return PaginationParams(
        limit, offset, None, cursor_signer(settings.auth.JWT_SECRET)
    )


async def conduit_pagination(
    settings: AppSettings,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> PaginationParams:
    """RealWorld's `limit` and `offset` as a native page."""
    return offset_page(settings, limit, offset)


ConduitPagination = Annotated[PaginationParams, Depends(conduit_pagination)]


@raises(IdempotencyKeyInProgress)
async def _conduit_idempotency(
    request: Request,
    units: UnitsOfWorkDep,
    uow: UnitOfWorkDep,
    user_id: ConduitUserId,
    key: KeyHeader = None,
) -> Idempotency:
    # The same scope as the native routes': keys are the user's.
    return await json_body_idempotency(
        request, units, uow, scope=f"user:{user_id}", key=key
    )


ConduitIdempotency = Annotated[Idempotency, Depends(_conduit_idempotency)]


@raises(NotPostCreator)
async def deletable_article(post: Article, user: ConduitAccount) -> PostRow:
    """The article, if the caller may delete it (403 otherwise)."""
    if not posts_service.may_delete(user, post):
        raise NotPostCreator
    return post


DeletableArticle = Annotated[PostRow, Depends(deletable_article)]


@raises(CommentNotFound, NotCommentAuthor)
async def deletable_comment(
    comment_id: UUID, post: Article, user: ConduitAccount, bind: ReadBindDep
) -> CommentRow:
    """The article's comment, if the caller may delete it (404 if there is
    no such comment under the article, 403 if they may not)."""
    comment = await comments_service.get_comment(
        bind, post_id=post.id, comment_id=comment_id
    )
    if comment is None:
        raise CommentNotFound
    if not comments_service.may_delete(
        user, comment=comment, post_creator_id=post.creator_id
    ):
        raise NotCommentAuthor
    return comment


DeletableComment = Annotated[CommentRow, Depends(deletable_comment)]
