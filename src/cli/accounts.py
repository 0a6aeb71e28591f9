"""Operators' account commands: making the first admin, setting roles.
They act through the same services as the API (a role change by command is
audited, its actor null)."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

import typer
from pydantic import ValidationError
from sqlalchemy import func, select

from src.auth import service as auth_service
from src.auth.constants import Role
from src.auth.models import User
from src.auth.schemas import UserCreate
from src.config import Settings
from src.database.engine import create_engine
from src.database.session import create_units_of_work
from src.database.unit_of_work import UnitOfWork
from src.exceptions import DetailedHTTPException
from src.moderation import service as moderation_service


async def _in_unit_of_work[R](
    settings: Settings, work: Callable[[UnitOfWork], Awaitable[R]]
) -> R:
    engine = create_engine(settings.app)
    try:
        async with create_units_of_work(engine)() as uow:
            return await work(uow)
    finally:
        await engine.dispose()


def _run[R](settings: Settings, work: Callable[[UnitOfWork], Awaitable[R]]) -> R:
    """Run `work` in one unit of work; an API error ends the command with
    its message and status 1."""
    try:
        return asyncio.run(_in_unit_of_work(settings, work))
    except DetailedHTTPException as exc:
        typer.echo(str(exc.detail), err=True)
        raise typer.Exit(code=1) from exc


def create_superuser(
    ctx: typer.Context,
    email: Annotated[str, typer.Option(help="Email address")],
    username: Annotated[str, typer.Option(help="Username")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="Prompted for (not echoed) when omitted",
        ),
    ],
    first_name: Annotated[str, typer.Option(help="First name")] = "Admin",
) -> None:
    """Create an admin (every moderator's power, and roles and the audit log)."""
    settings: Settings = ctx.obj
    try:
        data = UserCreate(
            email=email, username=username, password=password, first_name=first_name
        )
    except ValidationError as exc:
        for error in exc.errors():
            typer.echo(f"{'.'.join(map(str, error['loc']))}: {error['msg']}", err=True)
        raise typer.Exit(code=2) from exc

    async def create(uow: UnitOfWork) -> User:
        return await auth_service.create_user(
            uow, data=data, config=settings.auth, role=Role.ADMIN
        )

    user = _run(settings, create)
    typer.echo(f"Superuser {username} created with id {user.id}")


def set_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user's username (any case)")],
    role: Annotated[Role, typer.Argument(help="member, moderator or admin")],
) -> None:
    """Give a user a role (audited; the last admin cannot be demoted)."""
    settings: Settings = ctx.obj

    async def change(uow: UnitOfWork) -> User | None:
        user_id = await uow.session.scalar(
            select(User.id).where(func.lower(User.username) == username.lower())
        )
        if user_id is None:
            return None
        return await moderation_service.set_role(
            uow, user_id=user_id, role=role, by=None
        )

    user = _run(settings, change)
    if user is None:
        typer.echo(f"No user named {username}", err=True)
        raise typer.Exit(code=1)
    typer.echo(f"{user.username} is now {user.role.value}")
