from enum import StrEnum
from pathlib import Path
from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from src.constants import ENV_FILE


class StorageBackend(StrEnum):
    LOCAL = "local"
    S3 = "s3"


class StorageConfig(BaseSettings):
    """Where attachment bytes live. S3 credentials come from the standard AWS
    chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles, instance roles).
    """

    model_config = SettingsConfigDict(env_file=ENV_FILE, extra="ignore")

    STORAGE_BACKEND: StorageBackend = StorageBackend.LOCAL
    STORAGE_LOCAL_DIR: Path = Path("storage")
    AWS_S3_BUCKET: str | None = None
    AWS_REGION: str | None = None
    # Any S3-compatible endpoint (MinIO, Ceph, ...); unset means AWS itself.
    AWS_ENDPOINT_URL: str | None = None
    AWS_PRESIGNED_URL_EXPIRES: int = Field(default=300, ge=1, le=7 * 24 * 3600)

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Self:
        if self.STORAGE_BACKEND is StorageBackend.S3 and not self.AWS_S3_BUCKET:
            raise ValueError("AWS_S3_BUCKET must be set when STORAGE_BACKEND=s3")
        return self
