from fastapi import APIRouter, status

from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CurrentUser
from src.auth.exceptions import InvalidToken
from src.auth.permissions import Require
from src.exceptions import responses
from src.notifications import service
from src.notifications.dependencies import OwnedNotification
from src.notifications.exceptions import NotificationNotFound
from src.notifications.schemas import NotificationResponse
from src.notifications.utils import notification_response
from src.pagination import Page, PaginationDep
from src.web.dependencies import ReadBindDep, UnitOfWorkDep

router = APIRouter(prefix="/notifications", tags=["Notifications"])


@router.get(
    "",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_READ)],
    summary="List my notifications",
    description="Newest first. `unread=true` keeps the unread ones, "
    "`unread=false` the read ones.",
    responses=responses(InvalidToken),
)
async def list_notifications(
    user: CurrentUser,
    pagination: PaginationDep,
    bind: ReadBindDep,
    unread: bool | None = None,
) -> Page[NotificationResponse]:
    page = await service.list_notifications(
        bind, user_id=user.id, pagination=pagination, unread=unread
    )
    return Page[NotificationResponse].create(
        [notification_response(row) for row in page.items], page, pagination
    )


@router.post(
    "/read-all",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark all my notifications read",
    responses=responses(InvalidToken),
)
async def read_all_notifications(user: CurrentUser, uow: UnitOfWorkDep) -> None:
    await service.mark_all_read(uow, user_id=user.id)


@router.post(
    "/{notification_id}/read",
    dependencies=[Require(ApiKeyScope.NOTIFICATIONS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Mark a notification read",
    responses=responses(InvalidToken, NotificationNotFound),
)
async def read_notification(
    notification: OwnedNotification, uow: UnitOfWorkDep
) -> None:
    await service.mark_read(uow, notification_id=notification.id)
