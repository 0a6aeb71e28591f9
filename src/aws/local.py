"""The `local` backend: files in one directory on this machine's disk."""

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import anyio

from src.aws.constants import CHUNK_BYTES
from src.aws.exceptions import StoredObjectMissing
from src.aws.schemas import Chunks, StoredObject


class LocalDiskStorage:
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

    async def check(self) -> None:
        # What an upload needs: the directory exists (or can be made) and
        # takes a file (a full or read-only disk does not).
        probe = anyio.Path(self.root / f".ready-{uuid.uuid4().hex}")
        await anyio.Path(self.root).mkdir(parents=True, exist_ok=True)
        try:
            await probe.write_bytes(b"ok")
        finally:
            await probe.unlink(missing_ok=True)

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
