"""What admins read: users, searched and filtered, and the audit log."""

from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from sqlalchemy import (
    Boolean,
    ColumnElement,
    String,
    Uuid,
    bindparam,
    func,
    or_,
    select,
)

from src.auth.constants import Role
from src.auth.models import User
from src.database.reads import AnySelect, Readable, first_column, statement
from src.moderation.constants import AuditAction, TargetType
from src.moderation.models import AuditEntry
from src.pagination import Fetched, PaginationParams, fetch_page
from src.posts.constants import LIKE_ESCAPE

_USERS = [
    User.id,
    User.username,
    User.email,
    User.role,
    User.email_verified,
    User.suspended_at,
    User.suspension_reason,
    User.created_at,
]


class AdminUserRow(NamedTuple):
    id: UUID
    username: str
    email: str
    role: Role
    email_verified: bool
    suspended_at: datetime | None
    suspension_reason: str | None
    created_at: datetime

    @property
    def is_superuser(self) -> bool:
        return self.role is Role.ADMIN


def _user_filter() -> list[ColumnElement[bool]]:
    # Each filter is off while its parameter is null: one statement for
    # every combination.
    pattern = bindparam("pattern", type_=String)
    role = bindparam("role", type_=String)
    suspended = bindparam("suspended", type_=Boolean)
    return [
        or_(
            pattern.is_(None),
            func.lower(User.username).like(pattern, escape=LIKE_ESCAPE),
            User.email.like(pattern, escape=LIKE_ESCAPE),
        ),
        or_(role.is_(None), User.role == role),
        or_(suspended.is_(None), User.suspended_at.is_not(None) == suspended),
    ]


@statement("admin_users", AdminUserRow._make)
def _users() -> AnySelect:
    return select(*_USERS).where(*_user_filter())


@statement("admin_users_total", first_column)
def _users_total() -> AnySelect:
    return select(func.count()).select_from(User).where(*_user_filter())


def like_pattern(text: str) -> str:
    """`%text%` for LIKE, lowercased, its wildcards escaped."""
    escaped = (
        text.lower()
        .replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", f"{LIKE_ESCAPE}%")
        .replace("_", f"{LIKE_ESCAPE}_")
    )
    return f"%{escaped}%"


async def list_users(
    readable: Readable,
    *,
    pagination: PaginationParams,
    q: str | None = None,
    role: Role | None = None,
    suspended: bool | None = None,
) -> Fetched[AdminUserRow]:
    """Users, newest first; `q` in their username or email (any case)."""
    return await fetch_page(
        readable,
        _users,
        _users_total,
        pagination,
        order=(User.created_at, User.id),
        descending=True,
        parameters={
            "pattern": like_pattern(q) if q else None,
            "role": role.value if role else None,
            "suspended": suspended,
        },
    )


class AuditRow(NamedTuple):
    id: UUID
    actor_id: UUID | None
    actor_username: str | None
    action: AuditAction
    target_type: TargetType
    target_id: UUID
    reason: str | None
    created_at: datetime


def _audit_filter() -> list[ColumnElement[bool]]:
    actor = bindparam("actor_id", type_=Uuid)
    action = bindparam("action", type_=String)
    target = bindparam("target_id", type_=Uuid)
    return [
        or_(actor.is_(None), AuditEntry.actor_id == actor),
        or_(action.is_(None), AuditEntry.action == action),
        or_(target.is_(None), AuditEntry.target_id == target),
    ]


@statement("audit_entries", AuditRow._make)
def _audit() -> AnySelect:
    return select(
        AuditEntry.id,
        AuditEntry.actor_id,
        AuditEntry.actor_username,
        AuditEntry.action,
        AuditEntry.target_type,
        AuditEntry.target_id,
        AuditEntry.reason,
        AuditEntry.created_at,
    ).where(*_audit_filter())


@statement("audit_entries_total", first_column)
def _audit_total() -> AnySelect:
    return select(func.count()).select_from(AuditEntry).where(*_audit_filter())


async def list_audit(
    readable: Readable,
    *,
    pagination: PaginationParams,
    actor_id: UUID | None = None,
    action: AuditAction | None = None,
    target_id: UUID | None = None,
) -> Fetched[AuditRow]:
    """The audit log, newest first, filtered by actor, action or target."""
    return await fetch_page(
        readable,
        _audit,
        _audit_total,
        pagination,
        order=(AuditEntry.created_at, AuditEntry.id),
        descending=True,
        parameters={
            "actor_id": actor_id,
            "action": action.value if action else None,
            "target_id": target_id,
        },
    )
