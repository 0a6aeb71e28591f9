import dataclasses
from pathlib import Path

import pytest
from httpx import AsyncClient

from src.aws.config import StorageBackend, StorageConfig
from src.config import Settings
from tests.smtp import free_port
from tests.utils import AppFactory, app_client

pytestmark = pytest.mark.anyio

UNREACHABLE_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/none"
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"
REDIS = "redis://127.0.0.1:6379/15"


async def test_liveness_answers_ok(client: AsyncClient) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_liveness_does_not_touch_the_database(app_factory: AppFactory) -> None:
    app = app_factory(DATABASE_URL=UNREACHABLE_POSTGRES)

    async with app_client(app) as client:
        response = await client.get("/health")

    assert response.status_code == 200


async def test_readiness_ok_when_database_answers(client: AsyncClient) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "storage": "ok"},
    }


async def test_readiness_names_the_database_when_it_is_down(
    app_factory: AppFactory,
) -> None:
    app = app_factory(DATABASE_URL=UNREACHABLE_POSTGRES)

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "down", "storage": "ok"},
    }


async def test_readiness_checks_redis_when_configured(app_factory: AppFactory) -> None:
    app = app_factory(REDIS_URL=REDIS)

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {
        "database": "ok",
        "storage": "ok",
        "redis": "ok",
    }


async def test_readiness_names_redis_when_it_is_down(app_factory: AppFactory) -> None:
    app = app_factory(REDIS_URL=UNREACHABLE_REDIS)

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json()["checks"] == {
        "database": "ok",
        "storage": "ok",
        "redis": "down",
    }


async def test_readiness_checks_the_file_store_in_use(
    storage_backend: StorageBackend, client: AsyncClient
) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == "ok"


def _unusable(
    config: StorageConfig, how: str, tmp_path: Path, env: pytest.MonkeyPatch
) -> StorageConfig:
    if how == "no credentials":
        # The standard chain finds nothing: no variables, files or role.
        env.delenv("AWS_ACCESS_KEY_ID")
        env.delenv("AWS_SECRET_ACCESS_KEY")
        env.setenv("AWS_EC2_METADATA_DISABLED", "true")
        return config
    if how == "endpoint unreachable":
        return config.model_copy(
            update={"AWS_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"}
        )
    if how == "no such bucket":
        return config.model_copy(update={"AWS_S3_BUCKET": "never-created"})
    # A local directory the server may not write to.
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the directory should be")
    return config.model_copy(update={"STORAGE_LOCAL_DIR": blocked / "files"})


@pytest.mark.parametrize(
    ("storage_backend", "how"),
    [
        (StorageBackend.S3, "no credentials"),
        (StorageBackend.S3, "endpoint unreachable"),
        (StorageBackend.S3, "no such bucket"),
        (StorageBackend.LOCAL, "not writable"),
    ],
    indirect=["storage_backend"],
)
async def test_readiness_names_the_file_store_when_it_is_unusable(
    storage_backend: StorageBackend,
    how: str,
    settings: Settings,
    app_factory: AppFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    storage = _unusable(settings.storage, how, tmp_path, monkeypatch)
    app = app_factory(settings=dataclasses.replace(settings, storage=storage))

    async with app_client(app) as client:
        response = await client.get("/health/ready")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "storage": "down"},
    }
