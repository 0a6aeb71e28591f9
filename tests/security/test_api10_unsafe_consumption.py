"""API10:2023 Unsafe Consumption of APIs: what the API does when the services
it calls (SMTP, object storage) misbehave. It trusts none of their answers
for its own state and never passes their failures to the client raw."""

from pathlib import Path

import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from src.attachments.models import Attachment
from src.config import Settings
from tests.factories import AuthUser, create_post, upload_attachment
from tests.smtp import Inbox

pytestmark = pytest.mark.anyio


async def test_a_refusing_mail_server_does_not_change_the_answer(
    client: AsyncClient, user: AuthUser, smtp_inbox: Inbox
) -> None:
    smtp_inbox.refusing = True

    refused = await client.post("/auth/password-reset", json={"email": user.email})
    unknown = await client.post(
        "/auth/password-reset", json={"email": "nobody@example.com"}
    )

    assert refused.status_code == unknown.status_code == 202
    assert refused.json() == unknown.json()
    # One attempt so far; the job retries later (tests/jobs).
    assert smtp_inbox.refused == 1


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
