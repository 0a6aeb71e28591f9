import dataclasses
from datetime import timedelta

import pytest
from httpx import AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from src.attachments import service
from src.attachments.models import Attachment
from src.aws.client import create_storage
from src.aws.config import StorageBackend
from src.config import Settings
from src.database.base import utcnow
from tests.factories import AuthUser, create_post, upload_attachment
from tests.smtp import free_port
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

PNG = b"\x89PNG\r\n\x1a\n" + bytes(500)


@pytest.fixture
def unreachable_s3() -> str:
    """An address nothing listens on."""
    return f"http://127.0.0.1:{free_port()}"


def _cut_off(settings: Settings, endpoint: str) -> Settings:
    """`settings` with the object store's endpoint where nothing answers."""
    storage = settings.storage.model_copy(update={"AWS_ENDPOINT_URL": endpoint})
    return dataclasses.replace(settings, storage=storage)


@pytest.mark.parametrize("storage_backend", [StorageBackend.S3], indirect=True)
async def test_upload_while_the_store_is_down_is_503_and_records_nothing(
    storage_backend: StorageBackend,
    app_factory: AppFactory,
    user: AuthUser,
    session: AsyncSession,
    settings: Settings,
    unreachable_s3: str,
) -> None:
    async with app_client(
        app_factory(settings=_cut_off(settings, unreachable_s3))
    ) as client:
        post = await create_post(client, user)
        response = await upload_attachment(client, post["id"], user, PNG, "a.png")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {"detail": "File storage is temporarily unavailable"}
    assert await session.scalar(select(func.count(Attachment.id))) == 0


@pytest.mark.parametrize("storage_backend", [StorageBackend.S3], indirect=True)
async def test_delete_while_the_store_is_down_keeps_the_deletion_and_cleanup_finishes(
    storage_backend: StorageBackend,
    client: AsyncClient,
    app_factory: AppFactory,
    user: AuthUser,
    session: AsyncSession,
    settings: Settings,
    unreachable_s3: str,
) -> None:
    post = await create_post(client, user)
    uploaded = await upload_attachment(client, post["id"], user, PNG, "a.png")
    assert uploaded.status_code == 201

    async with app_client(
        app_factory(settings=_cut_off(settings, unreachable_s3))
    ) as cut_off:
        deleted = await cut_off.delete(f"/posts/{post['id']}", headers=user.headers)

    assert deleted.status_code == 204
    assert await session.scalar(select(func.count(Attachment.id))) == 0
    async with create_storage(settings.storage) as storage:
        left = [item.key async for item in storage.list_objects("attachments/")]
        removed = await service.remove_orphaned_objects(
            session, storage, older_than=utcnow() + timedelta(minutes=1)
        )
        after = [item.key async for item in storage.list_objects("attachments/")]
    assert len(left) == 1
    assert removed == 1
    assert after == []
