from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from src.constants import ENV_FILE


class NotificationsConfig(BaseSettings):
    """The notification stream (GET /notifications/stream)."""

    model_config = SettingsConfigDict(
        env_prefix="NOTIFICATIONS_", env_file=ENV_FILE, extra="ignore"
    )

    # Events a stream holds for a client that reads slower than they come;
    # one more and the client is disconnected (it reconnects with
    # Last-Event-ID and misses nothing).
    STREAM_BACKLOG: int = Field(default=64, ge=1)
    # Seconds between comment lines on a quiet stream, so that proxies and
    # load balancers keep it open.
    STREAM_HEARTBEAT: float = Field(default=15.0, gt=0)
    # Open streams one user may hold on one worker; a new one past this ends
    # the oldest (a tab reloaded in a loop must not hold thousands).
    STREAM_MAX_PER_USER: int = Field(default=16, ge=1)
    # How far back a reconnect's Last-Event-ID is replayed, in seconds.
    STREAM_REPLAY_WINDOW: int = Field(default=24 * 3600, ge=0)
    # Milliseconds a client waits before reconnecting (the `retry:` hint).
    STREAM_RETRY_MS: int = Field(default=3000, ge=0)
    # Seconds a stream ticket (POST /notifications/stream-tickets) is valid.
    STREAM_TICKET_TTL: int = Field(default=60, ge=1)
