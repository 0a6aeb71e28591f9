"""API10:2023 Unsafe Consumption of APIs: what the API does when the services
it calls (SMTP, object storage) misbehave. It trusts none of their answers
for its own state and never passes their failures to the client raw."""

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from src.attachments.models import Attachment
from src.config import Settings
from src.mail.config import EmailBackend, EmailConfig
from tests.factories import AuthUser, create_post, upload_attachment
from tests.smtp import free_port
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio


class RefusingServer:
    """An SMTP server that accepts the connection and refuses every message."""

    def __init__(self) -> None:
        self.refused = 0

    async def handle_DATA(self, *_: Any) -> str:  # noqa: N802
        self.refused += 1
        return "550 5.7.1 Message rejected"


async def test_a_refusing_mail_server_does_not_change_the_answer(
    app_factory: AppFactory, user: AuthUser, settings: Settings
) -> None:
    handler = RefusingServer()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    email = EmailConfig(
        _env_file=None,
        EMAIL_BACKEND=EmailBackend.SMTP,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
    )
    app = app_factory(settings=dataclasses.replace(settings, email=email))
    try:
        async with app_client(app) as client:
            refused = await client.post(
                "/auth/password-reset", json={"email": user.email}
            )
            unknown = await client.post(
                "/auth/password-reset", json={"email": "nobody@example.com"}
            )
    finally:
        controller.stop()

    assert refused.status_code == unknown.status_code == 202
    assert refused.json() == unknown.json()
    # One attempt so far; the job retries later (tests/jobs).
    assert handler.refused == 1


async def test_a_file_removed_behind_the_api_is_a_clean_404(
    client: AsyncClient, user: AuthUser, session: AsyncSession, settings: Settings
) -> None:
    post = await create_post(client, user)
    upload = await upload_attachment(
        client, post["id"], user, b"hello", "note.txt", "text/plain"
    )
    key = await session.scalar(select(Attachment.storage_key))
    assert key is not None
    (Path(settings.storage.STORAGE_LOCAL_DIR) / key).unlink()

    response = await client.get(
        f"/posts/{post['id']}/attachments/{upload.json()['id']}/content"
    )

    assert response.status_code == 404
    assert "detail" in response.json()
