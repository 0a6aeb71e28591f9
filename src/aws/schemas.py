from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime

# An object's bytes, streamed in chunks.
type Chunks = AsyncIterator[bytes]


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object found in storage, as listed by the cleanup."""

    key: str
    modified_at: datetime
