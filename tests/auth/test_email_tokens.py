import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from src.auth.models import EmailToken
from src.config import Settings
from src.jobs.constants import JobStatus
from src.jobs.models import Job
from src.mail.client import plain_text
from src.mail.config import EmailBackend, EmailConfig
from tests.factories import AuthUser, login, user_payload
from tests.smtp import Inbox, free_port, link_token
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

NEW_PASSWORD = "Brand-n3w-pass!"


async def test_registration_emails_a_verification_link(
    client: AsyncClient, smtp_inbox: Inbox
) -> None:
    payload = user_payload()

    response = await client.post("/auth/users", json=payload)

    assert response.status_code == 201
    (message,) = smtp_inbox.to(payload["email"])
    assert message["Subject"] == "Confirm your email address"
    assert message["From"] == smtp_inbox.config.EMAIL_FROM
    assert "24 hours" in plain_text(message)
    link_token(message, "verify-email")


async def test_confirming_the_link_verifies_the_email(
    client: AsyncClient, smtp_inbox: Inbox
) -> None:
    payload = user_payload()
    await client.post("/auth/users", json=payload)
    token = link_token(smtp_inbox.to(payload["email"])[0], "verify-email")
    tokens = await login(client, payload["username"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}

    response = await client.post("/auth/verify-email/confirm", json={"token": token})

    assert response.status_code == 204
    me = await client.get("/auth/users/me", headers=headers)
    assert me.json()["email_verified"] is True
    again = await client.post("/auth/verify-email/confirm", json={"token": token})
    assert again.status_code == 400
    assert again.json() == {"detail": "Invalid, expired or already used token"}


async def test_resend_verification(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    registration = len(smtp_inbox.to(user.email))

    response = await client.post("/auth/users/me/verify-email", headers=user.headers)

    assert response.status_code == 202
    *_, message = smtp_inbox.to(user.email)
    assert len(smtp_inbox.to(user.email)) == registration + 1
    confirm = await client.post(
        "/auth/verify-email/confirm",
        json={"token": link_token(message, "verify-email")},
    )
    assert confirm.status_code == 204
    already = await client.post("/auth/users/me/verify-email", headers=user.headers)
    assert already.status_code == 202
    assert already.json() == {"detail": "Email already verified"}
    assert len(smtp_inbox.to(user.email)) == registration + 1


async def test_resend_verification_needs_a_token(client: AsyncClient) -> None:
    response = await client.post("/auth/users/me/verify-email")

    assert response.status_code == 401


async def test_expired_verification_token_is_400(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox, session: AsyncSession
) -> None:
    await client.post("/auth/users/me/verify-email", headers=user.headers)
    token = link_token(smtp_inbox.to(user.email)[0], "verify-email")
    await session.execute(
        update(EmailToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )

    response = await client.post("/auth/verify-email/confirm", json={"token": token})

    assert response.status_code == 400


async def test_password_reset_flow(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    response = await client.post(
        "/auth/password-reset", json={"email": user.email.upper()}
    )

    assert response.status_code == 202
    (message,) = [m for m in smtp_inbox.to(user.email) if "Reset" in m["Subject"]]
    assert "1 hour" in plain_text(message)
    token = link_token(message, "reset-password")
    confirm = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": NEW_PASSWORD},
    )
    assert confirm.status_code == 204
    await login(client, user.username, NEW_PASSWORD)
    old = await client.post(
        "/auth/token", data={"username": user.username, "password": user.password}
    )
    assert old.status_code == 401
    refresh = await client.put(
        "/auth/token", json={"refresh_token": user.refresh_token}
    )
    assert refresh.status_code == 401
    reused = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": "An0ther-pass!!"},
    )
    assert reused.status_code == 400


async def test_password_reset_for_an_unknown_email_looks_the_same(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    known = await client.post("/auth/password-reset", json={"email": user.email})
    unknown = await client.post(
        "/auth/password-reset", json={"email": "nobody@example.com"}
    )

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json()
    assert smtp_inbox.to("nobody@example.com") == []


async def test_a_reset_kills_the_other_reset_links(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    await client.post("/auth/password-reset", json={"email": user.email})
    await client.post("/auth/password-reset", json={"email": user.email})
    first, second = (
        link_token(m, "reset-password")
        for m in smtp_inbox.to(user.email)
        if "Reset" in m["Subject"]
    )

    await client.post(
        "/auth/password-reset/confirm",
        json={"token": second, "new_password": NEW_PASSWORD},
    )
    response = await client.post(
        "/auth/password-reset/confirm",
        json={"token": first, "new_password": "An0ther-pass!!"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize("token", ["made-up", "x" * 256])
async def test_unknown_reset_token_is_400(client: AsyncClient, token: str) -> None:
    response = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 400


async def test_reset_validates_the_new_password(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    await client.post("/auth/password-reset", json={"email": user.email})
    token = link_token(smtp_inbox.to(user.email)[-1], "reset-password")

    response = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "new_password": "weak"}
    )

    assert response.status_code == 422
    retry = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": NEW_PASSWORD},
    )
    assert retry.status_code == 204


async def test_expired_reset_token_is_400(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox, session: AsyncSession
) -> None:
    await client.post("/auth/password-reset", json={"email": user.email})
    token = link_token(smtp_inbox.to(user.email)[-1], "reset-password")
    await session.execute(
        update(EmailToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )

    response = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 400


async def test_smtp_down_does_not_fail_the_request(
    app_factory: AppFactory,
    user: AuthUser,
    settings: Settings,
    session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens on the port.
    email = EmailConfig(
        _env_file=None,
        EMAIL_BACKEND=EmailBackend.SMTP,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=free_port(),
    )
    app = app_factory(settings=dataclasses.replace(settings, email=email))

    async with app_client(app) as client:
        response = await client.post("/auth/password-reset", json={"email": user.email})

    assert response.status_code == 202
    # The email is still owed: its job waits for its next attempt.
    job = (
        await session.scalars(select(Job).where(Job.name == "send_password_reset"))
    ).one()
    assert job.status is JobStatus.PENDING
    assert job.attempts == 1
    assert job.run_after > job.created_at
    assert job.last_error is not None
    assert "Connect" in job.last_error
    events = [r.msg["event"] for r in caplog.records if isinstance(r.msg, dict)]
    assert events.count("job_retry") == 1


async def test_console_backend_logs_the_message(
    client: AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    payload = user_payload()

    await client.post("/auth/users", json=payload)

    sent = [
        r.msg
        for r in caplog.records
        if isinstance(r.msg, dict) and r.msg["event"] == "email_sent"
    ]
    assert sent[0]["to"] == payload["email"]
    assert "verify-email?token=" in sent[0]["body"]
