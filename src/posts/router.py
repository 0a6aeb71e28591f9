from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from src.auth.dependencies import CurrentUser, ValidUser
from src.auth.exceptions import InvalidToken, UserNotFound
from src.database import SessionDep
from src.exceptions import responses
from src.pagination import Page, PaginationDep
from src.posts import service
from src.posts.constants import SEARCH_MAX_LENGTH
from src.posts.dependencies import (
    DeletableComment,
    DeletablePost,
    OwnedComment,
    OwnedPost,
    ValidComment,
    ValidPost,
)
from src.posts.exceptions import (
    CommentNotFound,
    NotCommentAuthor,
    NotPostCreator,
    PostNotFound,
)
from src.posts.schemas import (
    CommentCreate,
    CommentResponse,
    CommentUpdate,
    PostCreate,
    PostResponse,
    PostUpdate,
)

router = APIRouter(prefix="/posts", tags=["Posts"])
users_router = APIRouter(prefix="/users", tags=["Users"])

# PostgreSQL text cannot hold NUL: refuse it as a 422, not a database error.
NO_NUL = r"^[^\x00]*$"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a post",
    responses=responses(InvalidToken),
)
async def create_post(
    data: PostCreate,
    user: CurrentUser,
    request: Request,
    response: Response,
    session: SessionDep,
) -> PostResponse:
    post = await service.create_post(session, creator=user, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_post", post_id=str(post.id)
    )
    return PostResponse.model_validate(post)


@router.get(
    "",
    summary="List posts",
    description="Newest first. `creator_id` keeps one author's posts; `q` keeps "
    "posts whose title or content contains it, ignoring case.",
)
async def list_posts(
    pagination: PaginationDep,
    session: SessionDep,
    creator_id: UUID | None = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=SEARCH_MAX_LENGTH, pattern=NO_NUL),
    ] = None,
) -> Page[PostResponse]:
    posts, total = await service.list_posts(
        session, pagination=pagination, creator_id=creator_id, search=q
    )
    return Page[PostResponse].create(posts, total, pagination)


@router.get(
    "/{post_id}",
    name="get_post",
    summary="Get a post",
    responses=responses(PostNotFound),
)
async def get_post(post: ValidPost) -> PostResponse:
    return PostResponse.model_validate(post)


@router.patch(
    "/{post_id}",
    summary="Edit a post",
    description="Partial update of title and content, by the post's creator.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound),
)
async def update_post(
    data: PostUpdate, post: OwnedPost, session: SessionDep
) -> PostResponse:
    post = await service.update_post(session, post=post, data=data)
    return PostResponse.model_validate(post)


@router.delete(
    "/{post_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a post",
    description="By its creator or a superuser; its comments and attachments "
    "go with it.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound),
)
async def delete_post(post: DeletablePost, session: SessionDep) -> None:
    await service.delete_post(session, post=post)


@router.post(
    "/{post_id}/comments",
    status_code=status.HTTP_201_CREATED,
    summary="Comment on a post",
    responses=responses(InvalidToken, PostNotFound),
)
async def create_comment(
    data: CommentCreate,
    post: ValidPost,
    user: CurrentUser,
    request: Request,
    response: Response,
    session: SessionDep,
) -> CommentResponse:
    comment = await service.create_comment(session, post=post, creator=user, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_comment", post_id=str(post.id), comment_id=str(comment.id)
    )
    return CommentResponse.model_validate(comment)


@router.get(
    "/{post_id}/comments",
    summary="List a post's comments",
    description="Oldest first.",
    responses=responses(PostNotFound),
)
async def list_comments(
    post: ValidPost, pagination: PaginationDep, session: SessionDep
) -> Page[CommentResponse]:
    comments, total = await service.list_comments(
        session, post_id=post.id, pagination=pagination
    )
    return Page[CommentResponse].create(comments, total, pagination)


@router.get(
    "/{post_id}/comments/{comment_id}",
    name="get_comment",
    summary="Get a comment",
    responses=responses(PostNotFound, CommentNotFound),
)
async def get_comment(comment: ValidComment) -> CommentResponse:
    return CommentResponse.model_validate(comment)


@router.patch(
    "/{post_id}/comments/{comment_id}",
    summary="Edit a comment",
    description="By the comment's author.",
    responses=responses(InvalidToken, NotCommentAuthor, PostNotFound, CommentNotFound),
)
async def update_comment(
    data: CommentUpdate, comment: OwnedComment, session: SessionDep
) -> CommentResponse:
    comment = await service.update_comment(session, comment=comment, data=data)
    return CommentResponse.model_validate(comment)


@router.delete(
    "/{post_id}/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a comment",
    description="By the comment's author, the post's creator or a superuser.",
    responses=responses(InvalidToken, NotCommentAuthor, PostNotFound, CommentNotFound),
)
async def delete_comment(comment: DeletableComment, session: SessionDep) -> None:
    await service.delete_comment(session, comment=comment)


@users_router.get(
    "/{user_id}/posts",
    summary="A user's posts",
    description="Newest first.",
    responses=responses(UserNotFound),
)
async def list_user_posts(
    user: ValidUser, pagination: PaginationDep, session: SessionDep
) -> Page[PostResponse]:
    posts, total = await service.list_posts(
        session, pagination=pagination, creator_id=user.id
    )
    return Page[PostResponse].create(posts, total, pagination)
