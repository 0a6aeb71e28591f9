from uuid import UUID

from src.schemas import CustomModel, UTCDatetime


class AttachmentResponse(CustomModel):
    id: UUID
    post_id: UUID
    filename: str
    content_type: str
    size: int
    created_at: UTCDatetime


class AttachmentDetail(AttachmentResponse):
    download_url: str
