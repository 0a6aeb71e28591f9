from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.responses import RedirectResponse

from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CallerId, CurrentUser, UserIdempotency, ValidUser
from src.auth.exceptions import InvalidToken, UserNotFound
from src.auth.permissions import CurrentViewer, Require, caller_of
from src.exceptions import ConcurrentEdit, StaleEdit, responses
from src.favorites.utils import (
    page_as_seen_by,
    post_as_seen_by,
    read_post_as_seen_by,
)
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.pagination import Page, PaginationDep
from src.posts import cache, lists, service, slugs
from src.posts.constants import SEARCH_MAX_LENGTH, SEARCH_MIN_LENGTH, SLUG_MAX_LENGTH
from src.posts.dependencies import (
    DeletablePost,
    OwnedPost,
    ReadablePost,
    visible,
)
from src.posts.exceptions import NotPostCreator, PostNotFound, PublishedForGood
from src.posts.schemas import PostCreate, PostResponse, PostUpdate
from src.posts.utils import post_response
from src.schemas import NO_NUL
from src.tags.schemas import TagName
from src.web.conditional import (
    CONDITIONAL_EDIT,
    CONDITIONAL_READ,
    IfMatch,
    IfNoneMatch,
    check_if_match,
    conditional,
    etag,
)
from src.web.dependencies import ReadBindDep, UnitOfWorkDep, read_bind
from src.web.openapi import ETAG, LOCATION, conditional_read, headers
from src.web.state import app_state

router = APIRouter(prefix="/posts", tags=["Posts"])
users_router = APIRouter(prefix="/users", tags=["Users"])
drafts_router = APIRouter(prefix="/auth/users/me", tags=["Posts"])


@router.post(
    "",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    status_code=status.HTTP_201_CREATED,
    summary="Create a post",
    description="Published at once, unless `status` is `draft`. Its `slug` is "
    "made from the title.",
    responses={
        **responses(InvalidToken, IdempotencyKeyInProgress),
        201: headers(LOCATION, ETAG),
    },
)
async def create_post(
    data: PostCreate,
    user: CurrentUser,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    idempotency: UserIdempotency,
) -> PostResponse:
    post = await service.create_post(uow, creator=user, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_post", post_id=str(post.id)
    )
    answer = post_response(post)
    response.headers["ETag"] = etag(answer, post.version)
    return await idempotency.remember(answer, response)


@router.get(
    "",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    response_model=Page[PostResponse],
    summary="List posts",
    description="Published posts, newest published first. `creator_id` keeps "
    "one author's; `tag` keeps those under a tag (alone or with `creator_id`); "
    "`q` keeps those whose title or content contains it, ignoring case.",
)
async def list_posts(
    pagination: PaginationDep,
    request: Request,
    creator_id: UUID | None = None,
    tag: TagName | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=SEARCH_MIN_LENGTH,
            max_length=SEARCH_MAX_LENGTH,
            pattern=NO_NUL,
        ),
    ] = None,
) -> Page[PostResponse] | Response:
    bind, caller = read_bind(request), caller_of(request)
    if cache.is_first_public_page(pagination, creator_id, tag, q):
        first = await cache.read_first_page(
            app_state(request).read_cache, bind, pagination
        )
        if caller is None:
            return Response(first.body, media_type="application/json")
        page = first.fetched
    else:
        page = await lists.list_posts(
            bind, pagination=pagination, creator_id=creator_id, tag=tag, search=q
        )
    return await page_as_seen_by(bind, page, pagination, caller)


@router.get(
    "/by-slug/{slug}",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    name="get_post_by_slug",
    response_model=PostResponse,
    summary="Get a post by its slug",
    description="200 for the post's current slug; 301 to it for an earlier "
    "one (the post's title changed since). " + CONDITIONAL_READ,
    responses={
        **responses(PostNotFound),
        **conditional_read(),
        301: {**headers(LOCATION), "description": "The post's current slug"},
    },
)
async def get_post_by_slug(
    slug: Annotated[str, Path(max_length=SLUG_MAX_LENGTH, pattern=NO_NUL)],
    request: Request,
    bind: ReadBindDep,
    caller: CallerId,
    viewer: CurrentViewer,
    if_none_match: IfNoneMatch = None,
) -> PostResponse | Response:
    found = await slugs.resolve(bind, slug)
    if found is None:
        raise PostNotFound
    post_id, current = found
    post = visible(await service.get_post(bind, post_id), viewer)
    if current != slug:
        location = request.app.url_path_for("get_post_by_slug", slug=current)
        return RedirectResponse(location, status_code=status.HTTP_301_MOVED_PERMANENTLY)
    answer = await post_as_seen_by(bind, post, caller)
    return conditional(answer, if_none_match, post.version)


@router.get(
    "/{post_id}",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    name="get_post",
    response_model=PostResponse,
    summary="Get a post",
    description="A draft is found by its author only. " + CONDITIONAL_READ,
    responses={**responses(PostNotFound), **conditional_read()},
)
async def get_post(
    post: ReadablePost, request: Request, if_none_match: IfNoneMatch = None
) -> PostResponse | Response:
    return await read_post_as_seen_by(
        read_bind(request), post, caller_of(request), if_none_match
    )


@router.patch(
    "/{post_id}",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    summary="Edit a post",
    description="Partial update of title, description, content and tags (which "
    "replace the list), by the post's creator; a new title makes a new slug "
    "(the earlier ones still lead here). `status: published` publishes a "
    "draft; a published post cannot become a draft again. " + CONDITIONAL_EDIT,
    responses={
        **responses(
            InvalidToken,
            NotPostCreator,
            PostNotFound,
            ConcurrentEdit,
            StaleEdit,
            PublishedForGood,
        ),
        200: headers(ETAG),
    },
)
async def update_post(
    data: PostUpdate,
    post: OwnedPost,
    response: Response,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> PostResponse:
    check_if_match(if_match, post.version)
    post = await service.update_post(uow, post=post, data=data)
    answer = await post_as_seen_by(uow, post, post.creator_id)
    response.headers["ETag"] = etag(answer, post.version)
    return answer


@router.delete(
    "/{post_id}",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a post",
    description="By its creator or a moderator; its comments, favorites and "
    "attachments go with it.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound),
)
async def delete_post(
    post: DeletablePost, user: CurrentUser, uow: UnitOfWorkDep
) -> None:
    await service.delete_post(uow, post=post, by=user)


@users_router.get(
    "/{user_id}/posts",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="A user's posts",
    description="Published ones, newest published first.",
    responses=responses(UserNotFound),
)
async def list_user_posts(
    user: ValidUser, pagination: PaginationDep, bind: ReadBindDep, caller: CallerId
) -> Page[PostResponse]:
    page = await lists.list_posts(bind, pagination=pagination, creator_id=user.id)
    return await page_as_seen_by(bind, page, pagination, caller)


@drafts_router.get(
    "/drafts",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="My drafts",
    description="The posts you have not published yet, most recently created "
    "first. Nobody else sees them.",
    responses=responses(InvalidToken),
)
async def list_my_drafts(
    user: CurrentUser, pagination: PaginationDep, bind: ReadBindDep
) -> Page[PostResponse]:
    page = await lists.list_drafts(bind, creator_id=user.id, pagination=pagination)
    return await page_as_seen_by(bind, page, pagination, user.id)
