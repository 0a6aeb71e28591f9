from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from src.constants import ENV_FILE


class JobsConfig(BaseSettings):
    """Background jobs (src/jobs): retries, leases and the relay."""

    model_config = SettingsConfigDict(
        env_prefix="JOBS_", env_file=ENV_FILE, extra="ignore"
    )

    # A failing job is tried this many times in all; between attempts it
    # waits a random time up to RETRY_BASE_DELAY * 2**(attempt - 1) seconds
    # (at most RETRY_MAX_DELAY), then is marked failed.
    MAX_ATTEMPTS: int = Field(default=5, ge=1)
    RETRY_BASE_DELAY: float = Field(default=10.0, ge=0)
    RETRY_MAX_DELAY: float = Field(default=3600.0, ge=0)
    # Seconds a started job belongs to its worker after the worker last
    # renewed it (every third of this, while the job runs): a job whose
    # worker died runs again on another within this and RELAY_INTERVAL.
    LEASE: float = Field(default=20.0, gt=0)
    # How often each worker (or the API, without REDIS_URL) looks for jobs
    # due and not handed to the broker: retries, and those a crash or a
    # Redis outage kept from it.
    RELAY_INTERVAL: float = Field(default=5.0, gt=0)
    # A job handed to the broker but not started after this many seconds is
    # handed again (the broker may have lost it).
    REDISPATCH_AFTER: float = Field(default=120.0, gt=0)
    # Jobs one worker process runs at once.
    CONCURRENCY: int = Field(default=10, ge=1)
    # Seconds a stopping worker gives its running jobs before handing the
    # rest back.
    SHUTDOWN_GRACE: float = Field(default=20.0, ge=0)
    # When the periodic clean-up runs (cron syntax, UTC).
    CLEANUP_SCHEDULE: str = "*/15 * * * *"
    # Finished jobs are kept this long (to look into), then deleted.
    RETENTION: timedelta = timedelta(days=7)
    # None: the API runs jobs itself when REDIS_URL is unset, and leaves them
    # to `worker` processes when it is set.
    RUN_IN_API: bool | None = None
