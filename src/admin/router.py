"""Admins' routes: users, roles, others' API keys, and the audit log
(which moderators may read too: their own entries)."""

from uuid import UUID

from fastapi import APIRouter, status

from src.admin import service
from src.auth import api_keys
from src.auth.constants import Role
from src.auth.exceptions import (
    ApiKeyNotFound,
    InvalidToken,
    RoleRequired,
    SessionRequired,
    UserNotFound,
)
from src.auth.schemas import ApiKeyResponse
from src.exceptions import responses
from src.moderation import service as moderation_service
from src.moderation.constants import AuditAction
from src.moderation.dependencies import Admin, ModeratedUser, Moderator
from src.moderation.exceptions import LastAdmin
from src.moderation.schemas import (
    AdminUserResponse,
    AuditEntryResponse,
    RoleChange,
    audit_entry_response,
)
from src.pagination import Page, PaginationDep
from src.web.dependencies import ReadBindDep, ReadSession, UnitOfWorkDep

router = APIRouter(prefix="/admin", tags=["Admin"])

SIGNED_IN = (InvalidToken, SessionRequired, RoleRequired)


@router.get(
    "/users",
    summary="Users",
    description="Newest first. `q` finds a part of a username or an email "
    "(any case); `role` and `suspended` filter.",
    responses=responses(*SIGNED_IN),
)
async def list_users(
    _: Admin,
    pagination: PaginationDep,
    bind: ReadBindDep,
    q: str | None = None,
    role: Role | None = None,
    suspended: bool | None = None,
) -> Page[AdminUserResponse]:
    page = await service.list_users(
        bind, pagination=pagination, q=q, role=role, suspended=suspended
    )
    return Page[AdminUserResponse].create(page.items, page, pagination)


@router.put(
    "/users/{user_id}/role",
    summary="Set a user's role",
    description="Audited. The last admin cannot be demoted (409).",
    responses=responses(*SIGNED_IN, UserNotFound, LastAdmin),
)
async def set_role(
    data: RoleChange, target: ModeratedUser, admin: Admin, uow: UnitOfWorkDep
) -> AdminUserResponse:
    user = await moderation_service.set_role(
        uow, user_id=target.id, role=data.role, by=admin
    )
    return AdminUserResponse.model_validate(user)


@router.get(
    "/users/{user_id}/api-keys",
    summary="A user's API keys",
    responses=responses(*SIGNED_IN, UserNotFound),
)
async def list_user_api_keys(
    target: ModeratedUser, _: Admin, session: ReadSession
) -> list[ApiKeyResponse]:
    keys = await api_keys.list_keys(session, target.id)
    return [ApiKeyResponse.model_validate(key) for key in keys]


@router.delete(
    "/users/{user_id}/api-keys/{key_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke a user's API key",
    description="At once; audited.",
    responses=responses(*SIGNED_IN, UserNotFound, ApiKeyNotFound),
)
async def revoke_user_api_key(
    key_id: UUID, target: ModeratedUser, admin: Admin, uow: UnitOfWorkDep
) -> None:
    await api_keys.revoke_key(uow, key_id=key_id, user_id=target.id, by=admin)


@router.get(
    "/audit",
    summary="The audit log",
    description="Every moderation and admin action, newest first. Admins "
    "read all of it; a moderator reads their own entries. Entries cannot be "
    "changed or deleted.",
    responses=responses(*SIGNED_IN),
)
async def list_audit(
    user: Moderator,
    pagination: PaginationDep,
    bind: ReadBindDep,
    actor_id: UUID | None = None,
    action: AuditAction | None = None,
    target_id: UUID | None = None,
) -> Page[AuditEntryResponse]:
    if not user.role.at_least(Role.ADMIN):
        actor_id = user.id
    page = await service.list_audit(
        bind,
        pagination=pagination,
        actor_id=actor_id,
        action=action,
        target_id=target_id,
    )
    items = [audit_entry_response(*row) for row in page.items]
    return Page[AuditEntryResponse].create(items, page, pagination)
