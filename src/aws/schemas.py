from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An object found in storage, as listed by the cleanup."""

    key: str
    modified_at: datetime
