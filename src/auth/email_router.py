"""The routes of the flows that go through an emailed link: verifying the
address, resetting a forgotten password, changing the address. (The pages
those links open are in `src/auth/pages.py`.)"""

from fastapi import APIRouter, Depends, Response, status

from src.auth import email_tokens
from src.auth.dependencies import (
    AuthSettings,
    CurrentUser,
    UserIdempotency,
    limit_password_change,
)
from src.auth.exceptions import (
    EmailTaken,
    InvalidEmailToken,
    InvalidToken,
    PasswordChecksBusy,
    WrongPassword,
)
from src.auth.schemas import (
    AcceptedResponse,
    EmailChange,
    EmailTokenConfirm,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from src.exceptions import TooManyRequests, responses
from src.idempotency.dependencies import AddressIdempotency
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.web.dependencies import UnitOfWorkDep, rate_limit

router = APIRouter(prefix="/auth", tags=["Auth"])


@router.post(
    "/users/me/verify-email",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Send a verification email",
    description="Sends (again) a single-use link, valid 24 hours, to confirm "
    "the account's email. Nothing is sent if it is already verified.",
    responses=responses(InvalidToken, TooManyRequests, IdempotencyKeyInProgress),
    dependencies=[rate_limit("verify_email")],
)
async def send_verification_email(
    user: CurrentUser,
    uow: UnitOfWorkDep,
    response: Response,
    idempotency: UserIdempotency,
) -> AcceptedResponse:
    sent = email_tokens.owe_verification_email(uow, user=user)
    detail = "Verification email sent" if sent else "Email already verified"
    return await idempotency.remember(AcceptedResponse(detail=detail), response)


@router.post(
    "/verify-email/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Confirm an email address",
    description="Spend a verification token; the account's email becomes verified.",
    responses=responses(InvalidEmailToken),
)
async def confirm_email(data: EmailTokenConfirm, uow: UnitOfWorkDep) -> None:
    await email_tokens.confirm_email(uow, token=data.token)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Request a password reset",
    description="Always 202, whether or not the email is registered; if it is, "
    "a single-use link valid 1 hour is emailed.",
    responses=responses(TooManyRequests, IdempotencyKeyInProgress),
    dependencies=[rate_limit("password_reset")],
)
async def request_password_reset(
    data: PasswordResetRequest,
    uow: UnitOfWorkDep,
    response: Response,
    idempotency: AddressIdempotency,
) -> AcceptedResponse:
    # The same answer, as fast, for every address: the lookup, the token and
    # the email are a job's.
    email_tokens.owe_password_reset(uow, email=data.email)
    return await idempotency.remember(
        AcceptedResponse(
            detail="If the address is registered, a reset link has been sent"
        ),
        response,
    )


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Reset the password",
    description="Spend a reset token and set a new password; every refresh "
    "token of the account is revoked.",
    responses=responses(InvalidEmailToken, PasswordChecksBusy),
)
async def reset_password(
    data: PasswordResetConfirm, uow: UnitOfWorkDep, config: AuthSettings
) -> None:
    await email_tokens.reset_password(
        uow, token=data.token, password=data.new_password, config=config
    )


@router.put(
    "/users/me/email",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Change my email address",
    description="Checks the password and that no account has the new address, "
    "then emails a single-use link, valid 24 hours, to the new address and a "
    "notice to the current one. The address changes, verified, only when the "
    "link is used (`POST /auth/email-change/confirm`). Limited per user and "
    "per client address, like a password change.",
    responses=responses(
        InvalidToken, WrongPassword, EmailTaken, TooManyRequests, PasswordChecksBusy
    ),
    dependencies=[Depends(limit_password_change)],
)
async def change_email(
    data: EmailChange, user: CurrentUser, uow: UnitOfWorkDep, config: AuthSettings
) -> AcceptedResponse:
    await email_tokens.request_email_change(
        uow, user=user, new_email=data.new_email, password=data.password, config=config
    )
    return AcceptedResponse(detail="A confirmation link was sent to the new address")


@router.post(
    "/email-change/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Confirm a new email address",
    description="Spend an email-change token: the account takes the new "
    "address, verified; links sent to the former address stop working. 409 if "
    "another account took the address meanwhile.",
    responses=responses(InvalidEmailToken, EmailTaken),
)
async def confirm_email_change(data: EmailTokenConfirm, uow: UnitOfWorkDep) -> None:
    await email_tokens.confirm_email_change(uow, token=data.token)
