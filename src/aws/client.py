"""Object storage for attachments: a local directory, or any S3-compatible
store (`src.aws.s3`).

Both backends take the bytes as an async stream of chunks and hold at most one
chunk (local) or one multipart part (S3) in memory, whatever the file size.
"""

import os
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import anyio

from src.aws.config import StorageBackend, StorageConfig
from src.aws.exceptions import StoredObjectMissing
from src.aws.schemas import StoredObject

CHUNK_BYTES = 256 * 1024

type Chunks = AsyncIterator[bytes]


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


class LocalStorage:
    """Files under one directory; keys are server-made relative paths."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):  # keys are ours; this is a backstop
            raise ValueError(f"key escapes the storage root: {key!r}")
        return path

    async def put(self, key: str, chunks: Chunks, *, content_type: str) -> int:
        path = self._path(key)
        await anyio.Path(path.parent).mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a reader never sees half a file.
        partial = path.with_name(f".{path.name}.{uuid.uuid4().hex}.partial")
        size = 0
        try:
            async with await anyio.open_file(partial, "wb") as file:
                async for chunk in chunks:
                    await file.write(chunk)
                    size += len(chunk)
            await anyio.Path(partial).rename(path)
        except BaseException:
            await anyio.Path(partial).unlink(missing_ok=True)
            raise
        return size

    async def stream(self, key: str) -> Chunks:
        try:
            file = await anyio.open_file(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise StoredObjectMissing from exc

        async def chunks() -> Chunks:
            async with file:
                while chunk := await file.read(CHUNK_BYTES):
                    yield chunk

        return chunks()

    async def delete(self, key: str) -> None:
        await anyio.Path(self._path(key)).unlink(missing_ok=True)

    async def download_url(
        self, key: str, *, content_type: str, content_disposition: str
    ) -> str | None:
        return None

    async def list_objects(self, prefix: str) -> AsyncIterator[StoredObject]:
        def scan() -> list[StoredObject]:
            found = []
            for directory, _, names in os.walk(self._path(prefix)):
                for name in names:
                    path = Path(directory, name)
                    modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                    key = path.relative_to(self.root).as_posix()
                    found.append(StoredObject(key=key, modified_at=modified))
            return found

        for stored in await anyio.to_thread.run_sync(scan):
            yield stored


@asynccontextmanager
async def create_storage(config: StorageConfig) -> AsyncGenerator[Storage]:
    """The configured backend, open for the application's lifetime."""
    if config.STORAGE_BACKEND is StorageBackend.LOCAL:
        yield LocalStorage(config.STORAGE_LOCAL_DIR)
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
