"""Object storage for attachments: the interface every backend provides, and
the configured backend, a directory on local disk (`src.aws.local`) or any
S3-compatible store (`src.aws.s3`).

Backends take the bytes as an async stream of chunks and hold at most one
chunk (local) or one multipart part (S3) in memory, whatever the file size.
"""

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from src.aws.config import StorageBackend, StorageConfig
from src.aws.local import LocalDiskStorage
from src.aws.schemas import Chunks, StoredObject


class Storage(Protocol):
    async def put(self, key: str, chunks: Chunks, *, content_type: str) -> int:
        """Store the stream under `key`; returns the number of bytes written."""
        ...

    async def stream(self, key: str) -> Chunks:
        """The object's bytes in chunks; StoredObjectMissing if it is gone."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; a missing object is not an error."""
        ...

    async def download_url(
        self, key: str, *, content_type: str, content_disposition: str
    ) -> str | None:
        """A short-lived URL serving the object directly, if the store has one."""
        ...

    def list_objects(self, prefix: str) -> AsyncIterator[StoredObject]:
        """Every object whose key starts with `prefix`."""
        ...

    async def check(self) -> None:
        """Raise if the store cannot take a file now (a readiness probe)."""
        ...


@asynccontextmanager
async def create_storage(config: StorageConfig) -> AsyncGenerator[Storage]:
    """The configured backend, open for the application's lifetime."""
    if config.STORAGE_BACKEND is StorageBackend.LOCAL:
        yield LocalDiskStorage(config.STORAGE_LOCAL_DIR)
        return
    if config.AWS_S3_BUCKET is None:  # pragma: no cover - refused by StorageConfig
        raise ValueError("AWS_S3_BUCKET is required")
    # Imported here: botocore costs a second of start-up and ~20 MiB of
    # memory, which the default local backend should not pay.
    from src.aws.s3 import open_s3_storage  # noqa: PLC0415

    async with open_s3_storage(
        bucket=config.AWS_S3_BUCKET,
        region=config.AWS_REGION,
        endpoint_url=config.AWS_ENDPOINT_URL,
        url_expires=config.AWS_PRESIGNED_URL_EXPIRES,
    ) as storage:
        yield storage
