from fastapi import APIRouter

from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CurrentUser
from src.auth.exceptions import InvalidToken
from src.auth.permissions import Require
from src.exceptions import responses
from src.favorites.utils import page_as_seen_by
from src.feed import service
from src.pagination import Page, PaginationDep
from src.posts.schemas import PostResponse
from src.web.dependencies import ReadBindDep

router = APIRouter(tags=["Feed"])


@router.get(
    "/feed",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="My feed",
    description="Published posts by the users you follow, newest published "
    "first. A new post is in it at once; following or unfollowing someone "
    "changes the next page you fetch.",
    responses=responses(InvalidToken),
)
async def get_feed(
    user: CurrentUser, pagination: PaginationDep, bind: ReadBindDep
) -> Page[PostResponse]:
    page = await service.list_feed(bind, user_id=user.id, pagination=pagination)
    return await page_as_seen_by(bind, page, pagination, user.id)
