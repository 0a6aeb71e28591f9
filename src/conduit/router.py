"""Accounts, profiles and tags of the Conduit API: each route maps a
RealWorld request onto the native services and their answer back."""

from typing import Any

from fastapi import APIRouter, Request, Response, status

from src.auth import email_tokens
from src.auth import service as auth_service
from src.auth.schemas import UserCreate, UserUpdate
from src.conduit import service
from src.conduit.constants import PREFIX
from src.conduit.dependencies import (
    ConduitAccount,
    ConduitCaller,
    ConduitUserId,
    ProfileByUsername,
    offset_page,
    presented_token,
)
from src.conduit.exceptions import ConduitErrors, ConduitRoute, EmailChangeRefused
from src.conduit.schemas import (
    LoginRequest,
    NewUserRequest,
    ProfileEnvelope,
    TagsEnvelope,
    UpdateUserRequest,
    UserEnvelope,
)
from src.conduit.utils import profile_body, user_body
from src.follows import service as follows_service
from src.follows.exceptions import SelfFollow
from src.idempotency.dependencies import AddressIdempotency
from src.pagination import MAX_LIMIT
from src.tags import service as tags_service
from src.web.dependencies import (
    AppSettings,
    ReadBindDep,
    ReadSession,
    UnitOfWorkDep,
    rate_limit,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ConduitErrors, "description": "No live token"},
    422: {"model": ConduitErrors, "description": "Invalid, taken or refused"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ConduitErrors, "description": "No such profile or article"}
}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ConduitErrors, "description": "Not yours"}
}
# Registration and login: rate-limited, and they queue for password checks.
LIMITED: dict[int | str, dict[str, Any]] = {
    429: {"model": ConduitErrors, "description": "Too many attempts; see Retry-After"},
    503: {"model": ConduitErrors, "description": "Password checks busy; retry"},
}
router = APIRouter(
    prefix=PREFIX, tags=["Conduit"], route_class=ConduitRoute, responses=ERRORS
)


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="Register (Conduit)",
    dependencies=[rate_limit("register")],
    responses=LIMITED,
)
async def conduit_register(
    body: NewUserRequest,
    uow: UnitOfWorkDep,
    settings: AppSettings,
    idempotency: AddressIdempotency,
    response: Response,
) -> UserEnvelope:
    data = body.user
    user = await auth_service.create_user(
        uow,
        data=UserCreate(
            email=data.email,
            username=data.username,
            password=data.password,
            first_name=data.username,
        ),
        config=settings.auth,
    )
    email_tokens.owe_verification_email(uow, user=user)
    token = await service.issue_token(
        uow, user_id=user.id, lifetime=settings.conduit.TOKEN_EXP
    )
    return await idempotency.remember(
        UserEnvelope(user=user_body(user, token)), response
    )


@router.post(
    "/users/login",
    summary="Log in (Conduit)",
    dependencies=[rate_limit("login")],
    responses=LIMITED,
)
async def conduit_login(
    body: LoginRequest,
    reads: ReadSession,
    uow: UnitOfWorkDep,
    settings: AppSettings,
) -> UserEnvelope:
    # Verified on the read session: no transaction waits on the hash.
    user, upgraded_hash = await auth_service.authenticate(
        reads, login=body.user.email, password=body.user.password, config=settings.auth
    )
    await auth_service.store_upgraded_hash(
        uow, user_id=user.id, upgraded_hash=upgraded_hash
    )
    token = await service.issue_token(
        uow, user_id=user.id, lifetime=settings.conduit.TOKEN_EXP
    )
    return UserEnvelope(user=user_body(user, token))


@router.get("/user", summary="The signed-in user (Conduit)")
async def conduit_current_user(user: ConduitAccount, request: Request) -> UserEnvelope:
    return UserEnvelope(user=user_body(user, presented_token(request)))


@router.put(
    "/user",
    summary="Update the signed-in user (Conduit)",
    description='Fields absent, or `""` for email, username, password and '
    "image, stay as they are. A new password ends every session of the "
    "account; the answer carries the new token. The email address cannot "
    "change here.",
)
async def conduit_update_user(
    body: UpdateUserRequest,
    user: ConduitAccount,
    request: Request,
    uow: UnitOfWorkDep,
    settings: AppSettings,
) -> UserEnvelope:
    data = body.user.model_dump(exclude_unset=True)
    email = data.pop("email", None)
    if email is not None and email.lower() != user.email:
        raise EmailChangeRefused
    password = data.pop("password", None)
    updated, new_token = await service.update_account(
        uow,
        user=user,
        profile=UserUpdate.model_validate(data),
        password=password,
        config=settings.auth,
        lifetime=settings.conduit.TOKEN_EXP,
    )
    return UserEnvelope(user=user_body(updated, new_token or presented_token(request)))


@router.get("/profiles/{username}", summary="A profile (Conduit)", responses=NOT_FOUND)
async def conduit_profile(
    profile: ProfileByUsername, bind: ReadBindDep, caller: ConduitCaller
) -> ProfileEnvelope:
    following = await follows_service.is_following(
        bind, follower_id=caller, followee_id=profile.id
    )
    return ProfileEnvelope(profile=profile_body(profile, following=following))


@router.post(
    "/profiles/{username}/follow", summary="Follow (Conduit)", responses=NOT_FOUND
)
async def conduit_follow(
    profile: ProfileByUsername, user_id: ConduitUserId, uow: UnitOfWorkDep
) -> ProfileEnvelope:
    if profile.id == user_id:
        raise SelfFollow
    await follows_service.follow(uow, follower_id=user_id, followee_id=profile.id)
    return ProfileEnvelope(profile=profile_body(profile, following=True))


@router.delete(
    "/profiles/{username}/follow", summary="Unfollow (Conduit)", responses=NOT_FOUND
)
async def conduit_unfollow(
    profile: ProfileByUsername, user_id: ConduitUserId, uow: UnitOfWorkDep
) -> ProfileEnvelope:
    await follows_service.unfollow(uow, follower_id=user_id, followee_id=profile.id)
    return ProfileEnvelope(profile=profile_body(profile, following=False))


@router.get(
    "/tags",
    summary="Tags (Conduit)",
    description=f"The {MAX_LIMIT} most used, most used first.",
)
async def conduit_tags(bind: ReadBindDep, settings: AppSettings) -> TagsEnvelope:
    page = await tags_service.list_tags(
        bind, pagination=offset_page(settings, MAX_LIMIT)
    )
    return TagsEnvelope(tags=[tag.name for tag in page.items])
