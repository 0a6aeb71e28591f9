from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from src.auth.dependencies import CurrentUser, UserIdempotency, ValidUser
from src.auth.exceptions import InvalidToken, UserNotFound
from src.exceptions import ConcurrentEdit, StaleEdit, responses
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.pagination import Page, PaginationDep
from src.posts import service
from src.posts.constants import SEARCH_MAX_LENGTH, SEARCH_MIN_LENGTH
from src.posts.dependencies import DeletablePost, OwnedPost, ValidPost
from src.posts.exceptions import NotPostCreator, PostNotFound
from src.posts.schemas import PostCreate, PostResponse, PostUpdate
from src.posts.utils import post_response
from src.web.conditional import CONDITIONAL_EDIT, IfMatch, check_if_match, etag
from src.web.dependencies import ReadBindDep, UnitOfWorkDep
from src.web.openapi import ETAG, LOCATION, headers

router = APIRouter(prefix="/posts", tags=["Posts"])
users_router = APIRouter(prefix="/users", tags=["Users"])

# PostgreSQL text cannot hold NUL: refuse it as a 422, not a database error.
NO_NUL = r"^[^\x00]*$"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a post",
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
    post = await service.create_post(uow, creator_id=user.id, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_post", post_id=str(post.id)
    )
    response.headers["ETag"] = etag(post.version)
    return await idempotency.remember(post_response(post), response)


@router.get(
    "",
    summary="List posts",
    description="Newest first. `creator_id` keeps one author's posts; `q` keeps "
    "posts whose title or content contains it, ignoring case.",
)
async def list_posts(
    pagination: PaginationDep,
    bind: ReadBindDep,
    creator_id: UUID | None = None,
    q: Annotated[
        str | None,
        Query(
            min_length=SEARCH_MIN_LENGTH,
            max_length=SEARCH_MAX_LENGTH,
            pattern=NO_NUL,
        ),
    ] = None,
) -> Page[PostResponse]:
    page = await service.list_posts(
        bind, pagination=pagination, creator_id=creator_id, search=q
    )
    return Page[PostResponse].create(
        [post_response(post) for post in page.items], page, pagination
    )


@router.get(
    "/{post_id}",
    name="get_post",
    summary="Get a post",
    responses={**responses(PostNotFound), 200: headers(ETAG)},
)
async def get_post(post: ValidPost, response: Response) -> PostResponse:
    response.headers["ETag"] = etag(post.version)
    return post_response(post)


@router.patch(
    "/{post_id}",
    summary="Edit a post",
    description="Partial update of title and content, by the post's creator. "
    + CONDITIONAL_EDIT,
    responses={
        **responses(
            InvalidToken, NotPostCreator, PostNotFound, ConcurrentEdit, StaleEdit
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
    response.headers["ETag"] = etag(post.version)
    return post_response(post)


@router.delete(
    "/{post_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a post",
    description="By its creator or a superuser; its comments and attachments "
    "go with it.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound),
)
async def delete_post(post: DeletablePost, uow: UnitOfWorkDep) -> None:
    await service.delete_post(uow, post_id=post.id)


@users_router.get(
    "/{user_id}/posts",
    summary="A user's posts",
    description="Newest first.",
    responses=responses(UserNotFound),
)
async def list_user_posts(
    user: ValidUser, pagination: PaginationDep, bind: ReadBindDep
) -> Page[PostResponse]:
    page = await service.list_posts(bind, pagination=pagination, creator_id=user.id)
    return Page[PostResponse].create(
        [post_response(post) for post in page.items], page, pagination
    )
