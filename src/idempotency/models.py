from datetime import datetime

from sqlalchemy import JSON, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from src.database.base import Base
from src.models import CreatedAt, UUIDPrimaryKey


class IdempotencyRecord(UUIDPrimaryKey, CreatedAt, Base):
    """A creating request made with an Idempotency-Key: claimed in a short
    transaction of its own before the request's work (status_code null
    meanwhile), then its response recorded in the transaction of the
    request's writes, so a replay returns exactly what was created.
    """

    __tablename__ = "idempotency_key"

    # Whose key: "user:<id>" or, on anonymous routes, "address:<ip>".
    scope: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, the path and the body (the JSON value, or the
    # uploaded file's bytes and fields).
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    expires_at: Mapped[datetime]

    __table_args__ = (
        Index("idempotency_key_scope_key_key", "scope", "key", unique=True),
        Index("idempotency_key_expires_at_idx", "expires_at"),
    )
