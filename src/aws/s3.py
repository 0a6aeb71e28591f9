"""The S3 backend, through aiobotocore; imported only when it is configured."""

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import structlog
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from src.aws.constants import CHUNK_BYTES
from src.aws.exceptions import StorageUnavailable, StoredObjectMissing
from src.aws.schemas import Chunks, StoredObject

if TYPE_CHECKING:
    from types_aiobotocore_s3 import S3Client
    from types_aiobotocore_s3.type_defs import CompletedPartTypeDef

logger = structlog.get_logger(__name__)

# S3 parts must be at least 5 MiB, except the last; smaller files go in one PUT.
PART_BYTES = 8 * 1024 * 1024


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
                    parts.append(await self._part(key, upload_id, parts, buffer))
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
                parts.append(await self._part(key, upload_id, parts, buffer))
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

    async def _part(
        self,
        key: str,
        upload_id: str,
        parts: "list[CompletedPartTypeDef]",
        buffer: bytearray,
    ) -> "CompletedPartTypeDef":
        """Upload `buffer` as the part after `parts`."""
        number = len(parts) + 1
        part = await self.client.upload_part(
            Bucket=self.bucket,
            Key=key,
            UploadId=upload_id,
            PartNumber=number,
            Body=bytes(buffer),
        )
        return {"ETag": part["ETag"], "PartNumber": number}

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

    async def check(self) -> None:
        # One cheap request: the bucket exists and the credentials may use it.
        await self.client.head_bucket(Bucket=self.bucket)

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
async def open_s3_storage(
    *, bucket: str, region: str | None, endpoint_url: str | None, url_expires: int
) -> AsyncGenerator[S3Storage]:
    """An S3 client for the application's lifetime (its connection pool)."""
    client_config = AioConfig(
        connect_timeout=5,
        read_timeout=30,
        retries={"max_attempts": 3, "mode": "standard"},
        signature_version="s3v4",
    )
    async with get_session().create_client(
        "s3", region_name=region, endpoint_url=endpoint_url, config=client_config
    ) as client:
        yield S3Storage(client, bucket=bucket, url_expires=url_expires)
