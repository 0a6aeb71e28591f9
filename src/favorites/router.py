from fastapi import APIRouter

from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CallerId, CurrentUser, ValidUser
from src.auth.exceptions import InvalidToken, UserNotFound
from src.auth.permissions import Require
from src.database.unit_of_work import UnitOfWork
from src.exceptions import responses
from src.favorites import service
from src.favorites.utils import page_as_seen_by
from src.pagination import Page, PaginationDep
from src.posts import service as posts_service
from src.posts.dependencies import ValidPost
from src.posts.exceptions import PostNotFound
from src.posts.schemas import PostResponse
from src.posts.service import PostRow
from src.posts.utils import post_response
from src.web.dependencies import ReadBindDep, UnitOfWorkDep

router = APIRouter(tags=["Favorites"])


async def _as_it_is_now(
    uow: UnitOfWork, post: PostRow, *, favorited: bool
) -> PostResponse:
    # Read again in the transaction that changed its count.
    post = await posts_service.get_post(uow, post.id) or post
    return post_response(post, favorited=favorited)


@router.put(
    "/posts/{post_id}/favorite",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    summary="Favorite a post",
    description="Idempotent: favoriting again changes nothing. The post's "
    "creator is notified the first time (unless it is your own post). "
    "Answers the post as you now see it.",
    responses=responses(InvalidToken, PostNotFound),
)
async def favorite_post(
    post: ValidPost, user: CurrentUser, uow: UnitOfWorkDep
) -> PostResponse:
    await service.favorite(uow, user_id=user.id, post=post)
    return await _as_it_is_now(uow, post, favorited=True)


@router.delete(
    "/posts/{post_id}/favorite",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    summary="Unfavorite a post",
    description="Idempotent. Answers the post as you now see it.",
    responses=responses(InvalidToken, PostNotFound),
)
async def unfavorite_post(
    post: ValidPost, user: CurrentUser, uow: UnitOfWorkDep
) -> PostResponse:
    await service.unfavorite(uow, user_id=user.id, post_id=post.id)
    return await _as_it_is_now(uow, post, favorited=False)


@router.get(
    "/users/{user_id}/favorites",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="A user's favorites",
    description="The posts they favorited, most recently favorited first.",
    responses=responses(UserNotFound),
)
async def list_user_favorites(
    user: ValidUser, pagination: PaginationDep, bind: ReadBindDep, caller: CallerId
) -> Page[PostResponse]:
    page = await service.list_favorites(bind, user_id=user.id, pagination=pagination)
    return await page_as_seen_by(bind, page, pagination, caller)
