from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from src.auth.constants import (
    API_KEY_NAME_MAX_LENGTH,
    SUSPENSION_REASON_MAX_LENGTH,
    EmailTokenPurpose,
    MusicBand,
    Role,
    SessionTokenKind,
)
from src.auth.usernames import username_skeleton
from src.database.base import Base, utcnow
from src.models import CreatedAt, UUIDPrimaryKey


class User(UUIDPrimaryKey, CreatedAt, Base):
    __tablename__ = "auth_user"

    # Stored lowercased, so the plain unique constraint is case-insensitive.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    username: Mapped[str] = mapped_column(String(32))
    # Unique: no two users' names look alike (src/auth/usernames.py). NULL
    # only for users who registered look-alikes before it was kept.
    username_skeleton: Mapped[str | None] = mapped_column(String(64))
    hashed_password: Mapped[str] = mapped_column(String(512))
    first_name: Mapped[str] = mapped_column(String(128))
    age: Mapped[int | None]
    favorite_band: Mapped[MusicBand | None] = mapped_column(
        Enum(
            MusicBand,
            native_enum=False,
            length=32,
            values_callable=lambda bands: [band.value for band in bands],
        )
    )
    website: Mapped[str | None] = mapped_column(String(2048))
    bio: Mapped[str] = mapped_column(Text, default="")
    image: Mapped[str | None] = mapped_column(String(2048), default=None)
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=16,
            values_callable=lambda roles: [role.value for role in roles],
        ),
        default=Role.MEMBER,
        server_default=Role.MEMBER.value,
    )
    # While set, every credential of the user is refused (src/moderation).
    suspended_at: Mapped[datetime | None] = mapped_column(default=None)
    suspension_reason: Mapped[str | None] = mapped_column(
        String(SUSPENSION_REASON_MAX_LENGTH), default=None
    )
    email_verified: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime | None] = mapped_column(default=None, onupdate=utcnow)

    refresh_tokens: Mapped[list["RefreshToken"]] = relationship(
        back_populates="user", lazy="raise", passive_deletes=True
    )

    @property
    def is_superuser(self) -> bool:
        """An admin (the name responses have always used)."""
        return self.role is Role.ADMIN

    @validates("username")
    def _keep_skeleton(self, _key: str, username: str) -> str:
        self.username_skeleton = username_skeleton(username)
        return username

    __table_args__ = (
        # Usernames keep their case for display but are unique ignoring it.
        Index("auth_user_username_lower_key", func.lower(username), unique=True),
        Index("auth_user_username_skeleton_key", username_skeleton, unique=True),
    )


class RefreshToken(UUIDPrimaryKey, CreatedAt, Base):
    """A session token, stored as the SHA-256 of the opaque value handed out:
    a refresh token, or a Conduit token. Revoking a user's sessions (password
    change, logging out everywhere) revokes both kinds."""

    __tablename__ = "auth_refresh_token"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SessionTokenKind] = mapped_column(
        Enum(
            SessionTokenKind,
            native_enum=False,
            length=16,
            values_callable=lambda kinds: [k.value for k in kinds],
        ),
        default=SessionTokenKind.REFRESH,
        server_default=SessionTokenKind.REFRESH.value,
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    user: Mapped[User] = relationship(back_populates="refresh_tokens", lazy="raise")


class EmailToken(UUIDPrimaryKey, CreatedAt, Base):
    """A single-use token sent by email (verification, password reset, email
    change), hashed."""

    __tablename__ = "auth_email_token"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[EmailTokenPurpose] = mapped_column(
        Enum(
            EmailTokenPurpose,
            native_enum=False,
            length=32,
            values_callable=lambda purposes: [p.value for p in purposes],
        )
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    # The address an email change confirms (sent to it); None otherwise.
    new_email: Mapped[str | None] = mapped_column(String(320), default=None)


class ApiKey(UUIDPrimaryKey, CreatedAt, Base):
    """A key a user made for a script or an integration: it acts for them
    within its scopes. Stored as the SHA-256 of the key (32 random bytes:
    docs/decisions/api-key-hashing.md); `prefix` is its first characters,
    kept in clear to recognise it by."""

    __tablename__ = "auth_api_key"

    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("auth_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(API_KEY_NAME_MAX_LENGTH))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Kept to the minute, not written on every request (src/auth/api_keys.py).
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
