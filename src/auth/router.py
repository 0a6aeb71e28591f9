from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from src.auth import service, utils
from src.auth.dependencies import (
    CurrentUser,
    PresentedRefreshToken,
    RefreshTokenOptional,
    ValidUser,
)
from src.auth.exceptions import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    UsernameTaken,
    UserNotFound,
    WrongPassword,
)
from src.auth.schemas import (
    PasswordChange,
    TokenResponse,
    UserCreate,
    UserPrivate,
    UserPublic,
    UserUpdate,
)
from src.database import SessionDep
from src.exceptions import TooManyRequests, responses
from src.rate_limit import rate_limit

router = APIRouter(prefix="/auth", tags=["Auth"])
users_router = APIRouter(prefix="/users", tags=["Users"])

AUTHENTICATED = responses(InvalidToken)


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="Register",
    description="Create an account. The `Location` header names its public profile.",
    responses=responses(EmailTaken, UsernameTaken, TooManyRequests),
    dependencies=[rate_limit("register")],
)
async def register(
    data: UserCreate, request: Request, response: Response, session: SessionDep
) -> UserPrivate:
    user = await service.create_user(session, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_user_profile", user_id=str(user.id)
    )
    return UserPrivate.model_validate(user)


@router.post(
    "/token",
    summary="Log in",
    description="OAuth2 password form; `username` may be the username or the "
    "email. Returns an access token and a refresh token (also set as an "
    "HttpOnly cookie scoped to /auth).",
    responses=responses(InvalidCredentials, TooManyRequests),
    dependencies=[rate_limit("login")],
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    response: Response,
    session: SessionDep,
) -> TokenResponse:
    user = await service.authenticate(
        session, login=form.username, password=form.password
    )
    tokens = await service.issue_tokens(session, user_id=user.id)
    utils.set_refresh_cookie(response, tokens.refresh_token)
    return tokens


@router.put(
    "/token",
    summary="Refresh tokens",
    description="Exchange the refresh token (cookie or JSON body) for a new "
    "pair. The old one stops working; presenting it again revokes every "
    "refresh token of the user.",
    responses=responses(InvalidRefreshToken),
)
async def refresh_tokens(
    token: PresentedRefreshToken, response: Response, session: SessionDep
) -> TokenResponse:
    tokens = await service.rotate_refresh_token(session, token=token)
    utils.set_refresh_cookie(response, tokens.refresh_token)
    return tokens


@router.delete(
    "/token",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out",
    description="Revoke the refresh token (cookie or JSON body) and clear the "
    "cookie. Idempotent.",
)
async def logout(
    token: RefreshTokenOptional, response: Response, session: SessionDep
) -> None:
    if token:
        await service.revoke_refresh_token(session, token=token)
    utils.clear_refresh_cookie(response)


@router.get(
    "/users/me",
    summary="My account",
    responses=AUTHENTICATED,
)
async def get_me(user: CurrentUser) -> UserPrivate:
    return UserPrivate.model_validate(user)


@router.patch(
    "/users/me",
    summary="Update my account",
    description="Partial update of username, first_name, age, favorite_band "
    "and website. Email and superuser status cannot be changed here.",
    responses=responses(InvalidToken, UsernameTaken),
)
async def update_me(
    data: UserUpdate, user: CurrentUser, session: SessionDep
) -> UserPrivate:
    user = await service.update_user(session, user=user, data=data)
    return UserPrivate.model_validate(user)


@router.put(
    "/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password",
    description="Every refresh token of the account is revoked.",
    responses=responses(InvalidToken, WrongPassword),
)
async def change_password(
    data: PasswordChange, user: CurrentUser, session: SessionDep
) -> None:
    await service.change_password(session, user=user, data=data)


@router.delete(
    "/users/me/tokens",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out everywhere",
    description="Revoke every refresh token of the account.",
    responses=AUTHENTICATED,
)
async def logout_everywhere(user: CurrentUser, session: SessionDep) -> None:
    await service.revoke_all_refresh_tokens(session, user_id=user.id)


@router.delete(
    "/users/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete my account",
    description="Deletes the account and everything it owns; its tokens stop working.",
    responses=AUTHENTICATED,
)
async def delete_me(user: CurrentUser, response: Response, session: SessionDep) -> None:
    await service.delete_user(session, user=user)
    utils.clear_refresh_cookie(response)


@users_router.get(
    "/{user_id}",
    name="get_user_profile",
    summary="Public profile",
    description="No email, no superuser flag, no age.",
    responses=responses(UserNotFound),
)
async def get_user_profile(user: ValidUser) -> UserPublic:
    return UserPublic.model_validate(user)
