from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from src.auth import api_keys, email_tokens, service, sessions, utils
from src.auth.dependencies import (
    AuthSettings,
    CurrentUser,
    LoginForm,
    PresentedRefreshToken,
    PresentedRefreshTokens,
    limit_password_change,
)
from src.auth.exceptions import (
    EmailTaken,
    InvalidCredentials,
    InvalidRefreshToken,
    InvalidToken,
    PasswordChecksBusy,
    UsernameTaken,
    WrongPassword,
)
from src.auth.schemas import (
    PasswordChange,
    TokenResponse,
    UserCreate,
    UserPrivate,
    UserUpdate,
)
from src.exceptions import TooManyRequests, responses
from src.idempotency.dependencies import AddressIdempotency
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.web.dependencies import ReadSession, UnitOfWorkDep, rate_limit
from src.web.openapi import LOCATION, headers

router = APIRouter(prefix="/auth", tags=["Auth"])

AUTHENTICATED = responses(InvalidToken)


@router.post(
    "/users",
    status_code=status.HTTP_201_CREATED,
    summary="Register",
    description="Create an account and send it an email-verification link. "
    "The `Location` header names its public profile.",
    responses={
        **responses(
            EmailTaken,
            UsernameTaken,
            TooManyRequests,
            PasswordChecksBusy,
            IdempotencyKeyInProgress,
        ),
        201: headers(LOCATION),
    },
    dependencies=[rate_limit("register")],
)
async def register(
    data: UserCreate,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    config: AuthSettings,
    idempotency: AddressIdempotency,
) -> UserPrivate:
    user = await service.create_user(uow, data=data, config=config)
    email_tokens.owe_verification_email(uow, user=user)
    response.headers["Location"] = request.app.url_path_for(
        "get_user_profile", user_id=str(user.id)
    )
    return await idempotency.remember(UserPrivate.model_validate(user), response)


@router.post(
    "/token",
    summary="Log in",
    description="OAuth2 password form; `username` may be the username or the "
    "email. Returns an access token and a refresh token (also set as an "
    "HttpOnly cookie scoped to /auth).",
    responses=responses(InvalidCredentials, TooManyRequests, PasswordChecksBusy),
    dependencies=[rate_limit("login")],
)
async def login(
    form: Annotated[LoginForm, Depends()],
    response: Response,
    reads: ReadSession,
    uow: UnitOfWorkDep,
    config: AuthSettings,
) -> TokenResponse:
    # Verified on the read session: no transaction waits on the hash.
    user, upgraded_hash = await service.authenticate(
        reads, login=form.username, password=form.password, config=config
    )
    tokens = await service.log_in(
        uow, user_id=user.id, upgraded_hash=upgraded_hash, config=config
    )
    utils.set_refresh_cookie(response, tokens.refresh_token, config)
    return TokenResponse.model_validate(tokens._asdict())


@router.put(
    "/token",
    summary="Refresh tokens",
    description="Exchange the refresh token (cookie or JSON body) for a new "
    "pair. The old one stops working; presenting it again revokes every "
    "refresh token of the user.",
    responses=responses(InvalidRefreshToken),
)
async def refresh_tokens(
    token: PresentedRefreshToken,
    response: Response,
    uow: UnitOfWorkDep,
    config: AuthSettings,
) -> TokenResponse:
    tokens = await sessions.rotate_refresh_token(uow, token=token, config=config)
    utils.set_refresh_cookie(response, tokens.refresh_token, config)
    return TokenResponse.model_validate(tokens._asdict())


@router.delete(
    "/token",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out",
    description="Revoke every refresh token presented (the cookie's and the "
    "JSON body's) and clear the cookie. Idempotent.",
)
async def logout(
    tokens: PresentedRefreshTokens,
    response: Response,
    uow: UnitOfWorkDep,
    config: AuthSettings,
) -> None:
    await sessions.revoke_refresh_tokens(uow, tokens=tokens)
    utils.clear_refresh_cookie(response, config)


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
    description="Partial update of username, first_name, bio, image, age, "
    "favorite_band and website. Email and role cannot be changed "
    "here.",
    responses=responses(InvalidToken, UsernameTaken),
)
async def update_me(
    data: UserUpdate, user: CurrentUser, uow: UnitOfWorkDep
) -> UserPrivate:
    user = await service.update_user(uow, user=user, data=data)
    return UserPrivate.model_validate(user)


@router.put(
    "/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Change my password",
    description="Every refresh token of the account is revoked, and its API "
    "keys too with `revoke_api_keys=true`. Limited per user and per client "
    "address.",
    responses=responses(
        InvalidToken, WrongPassword, TooManyRequests, PasswordChecksBusy
    ),
    dependencies=[Depends(limit_password_change)],
)
async def change_password(
    data: PasswordChange,
    user: CurrentUser,
    uow: UnitOfWorkDep,
    config: AuthSettings,
    revoke_api_keys: bool = False,
) -> None:
    await service.change_password(uow, user=user, data=data, config=config)
    if revoke_api_keys:
        await api_keys.revoke_all_keys(uow, user_id=user.id)


@router.delete(
    "/users/me/tokens",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Log out everywhere",
    description="Revoke every refresh token and Conduit token of the account.",
    responses=AUTHENTICATED,
)
async def logout_everywhere(user: CurrentUser, uow: UnitOfWorkDep) -> None:
    await sessions.revoke_all_refresh_tokens(uow, user_id=user.id)


@router.delete(
    "/users/me",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete my account",
    description="Deletes the account and everything it owns; its tokens stop working.",
    responses=AUTHENTICATED,
)
async def delete_me(
    user: CurrentUser,
    response: Response,
    uow: UnitOfWorkDep,
    config: AuthSettings,
) -> None:
    await service.delete_user(uow, user_id=user.id)
    utils.clear_refresh_cookie(response, config)
