"""Object storage for attachments: a local directory or any S3-compatible store.

Both backends take the bytes as an async stream of chunks and hold at most one
chunk (local) or one multipart part (S3) in memory, whatever the file size.
"""

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import anyio
import structlog
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from src.aws.config import StorageBackend, StorageConfig
from src.aws.exceptions import StorageUnavailable, StoredObjectMissing
from src.aws.schemas import StoredObject

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

logger = structlog.get_logger(__name__)

CHUNK_BYTES = 256 * 1024
# S3 parts must be at least 5 MiB, except the last; smaller files go in one PUT.
PART_BYTES = 8 * 1024 * 1024

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


class S3Storage:
    """One bucket of an S3-compatible store, through aiobotocore."""

    def __init__(self, client: "S3Client", *, bucket: str, url_expires: int) -> None:
        self.client = client
        self.bucket = bucket
        self.url_expires = url_expires

    async def put(self, key: str, chunks: Chunks, *, content_type: str) -> int:
        try:
            return await self._put(key, chunks, content_type)
        except (BotoCoreError, ClientError) as exc:
            logger.error("storage_put_failed", key=key, error=repr(exc))
            raise StorageUnavailable from exc

    async def _put(self, key: str, chunks: Chunks, content_type: str) -> int:
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[CompletedPartTypeDef] = []
        size = 0
        try:
            async for chunk in chunks:
                buffer += chunk
                size += len(chunk)
                if len(buffer) >= PART_BYTES:
                    if upload_id is None:
                        created = await self.client.create_multipart_upload(
                            Bucket=self.bucket, Key=key, ContentType=content_type
                        )
                        upload_id = created["UploadId"]
                    part = await self.client.upload_part(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        PartNumber=len(parts) + 1,
                        Body=bytes(buffer),
                    )
                    parts.append({"ETag": part["ETag"], "PartNumber": len(parts) + 1})
                    buffer.clear()
            if upload_id is None:
                await self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=bytes(buffer),
                    ContentType=content_type,
                )
                return size
            if buffer:
                part = await self.client.upload_part(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=len(parts) + 1,
                    Body=bytes(buffer),
                )
                parts.append({"ETag": part["ETag"], "PartNumber": len(parts) + 1})
            await self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            if upload_id is not None:
                await self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=key, UploadId=upload_id
                )
            raise
        return size

    async def stream(self, key: str) -> Chunks:
        try:
            response = await self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey as exc:
            raise StoredObjectMissing from exc
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable from exc
        body = response["Body"]

        async def chunks() -> Chunks:
            async with body:
                while chunk := await body.read(CHUNK_BYTES):
                    yield chunk

        return chunks()

    async def delete(self, key: str) -> None:
        try:
            await self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable from exc

    async def download_url(
        self, key: str, *, content_type: str, content_disposition: str
    ) -> str | None:
        # Signed locally: no request to the store.
        return await self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition,
            },
            ExpiresIn=self.url_expires,
        )

    async def list_objects(self, prefix: str) -> AsyncIterator[StoredObject]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            async for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield StoredObject(
                        key=item["Key"], modified_at=item["LastModified"]
                    )
        except (BotoCoreError, ClientError) as exc:
            raise StorageUnavailable from exc


@asynccontextmanager
async def create_storage(config: StorageConfig) -> AsyncIterator[Storage]:
    """The configured backend, open for the application's lifetime."""
    if config.STORAGE_BACKEND is StorageBackend.LOCAL:
        yield LocalStorage(config.STORAGE_LOCAL_DIR)
        return
    if config.AWS_S3_BUCKET is None:  # pragma: no cover - refused by StorageConfig
        raise ValueError("AWS_S3_BUCKET is required")
    client_config = AioConfig(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        signature_version="s3v4",
    )
    async with get_session().create_client(
        "s3",
        region_name=config.AWS_REGION,
        endpoint_url=config.AWS_ENDPOINT_URL,
        config=client_config,
    ) as client:
        yield S3Storage(
            client,
            bucket=config.AWS_S3_BUCKET,
            url_expires=config.AWS_PRESIGNED_URL_EXPIRES,
        )
