from fastapi import APIRouter, Request, Response, status

from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CurrentUser, UserIdempotency
from src.auth.exceptions import InvalidToken
from src.auth.permissions import Require
from src.comments import service
from src.comments.dependencies import DeletableComment, OwnedComment, ValidComment
from src.comments.exceptions import CommentNotFound, NotCommentAuthor
from src.comments.schemas import CommentCreate, CommentResponse, CommentUpdate
from src.comments.utils import comment_response
from src.exceptions import ConcurrentEdit, StaleEdit, responses
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.pagination import Page, PaginationDep
from src.posts.dependencies import VisiblePost
from src.posts.exceptions import PostNotFound
from src.web.conditional import (
    CONDITIONAL_EDIT,
    CONDITIONAL_READ,
    IfMatch,
    IfNoneMatch,
    check_if_match,
    conditional,
    etag,
)
from src.web.dependencies import ReadBindDep, UnitOfWorkDep
from src.web.openapi import ETAG, LOCATION, conditional_read, headers

router = APIRouter(prefix="/posts/{post_id}/comments", tags=["Comments"])


@router.post(
    "",
    dependencies=[Require(ApiKeyScope.COMMENTS_WRITE)],
    status_code=status.HTTP_201_CREATED,
    summary="Comment on a post",
    description="The post's creator is notified, unless they wrote the comment.",
    responses={
        **responses(InvalidToken, PostNotFound, IdempotencyKeyInProgress),
        201: headers(LOCATION, ETAG),
    },
)
async def create_comment(
    data: CommentCreate,
    post: VisiblePost,
    user: CurrentUser,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    idempotency: UserIdempotency,
) -> CommentResponse:
    comment = await service.create_comment(
        uow,
        post_id=post.id,
        post_creator_id=post.creator_id,
        creator_id=user.id,
        data=data,
    )
    response.headers["Location"] = request.app.url_path_for(
        "get_comment", post_id=str(post.id), comment_id=str(comment.id)
    )
    answer = comment_response(comment)
    response.headers["ETag"] = etag(answer, comment.version)
    return await idempotency.remember(answer, response)


@router.get(
    "",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="List a post's comments",
    description="Oldest first.",
    responses=responses(PostNotFound),
)
async def list_comments(
    post: VisiblePost, pagination: PaginationDep, bind: ReadBindDep
) -> Page[CommentResponse]:
    page = await service.list_comments(bind, post_id=post.id, pagination=pagination)
    return Page[CommentResponse].create(
        [comment_response(comment) for comment in page.items], page, pagination
    )


@router.get(
    "/{comment_id}",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    name="get_comment",
    response_model=CommentResponse,
    summary="Get a comment",
    description=CONDITIONAL_READ,
    responses={**responses(PostNotFound, CommentNotFound), **conditional_read()},
)
async def get_comment(
    comment: ValidComment, if_none_match: IfNoneMatch = None
) -> CommentResponse | Response:
    return conditional(comment_response(comment), if_none_match, comment.version)


@router.patch(
    "/{comment_id}",
    dependencies=[Require(ApiKeyScope.COMMENTS_WRITE)],
    summary="Edit a comment",
    description="By the comment's author. " + CONDITIONAL_EDIT,
    responses={
        **responses(
            InvalidToken,
            NotCommentAuthor,
            PostNotFound,
            CommentNotFound,
            ConcurrentEdit,
            StaleEdit,
        ),
        200: headers(ETAG),
    },
)
async def update_comment(
    data: CommentUpdate,
    comment: OwnedComment,
    response: Response,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> CommentResponse:
    check_if_match(if_match, comment.version)
    comment = await service.update_comment(uow, comment=comment, data=data)
    answer = comment_response(comment)
    response.headers["ETag"] = etag(answer, comment.version)
    return answer


@router.delete(
    "/{comment_id}",
    dependencies=[Require(ApiKeyScope.COMMENTS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a comment",
    description="By the comment's author, the post's creator or a moderator.",
    responses=responses(InvalidToken, NotCommentAuthor, PostNotFound, CommentNotFound),
)
async def delete_comment(
    comment: DeletableComment, post: VisiblePost, user: CurrentUser, uow: UnitOfWorkDep
) -> None:
    await service.delete_comment(
        uow, comment=comment, post_creator_id=post.creator_id, by=user
    )
