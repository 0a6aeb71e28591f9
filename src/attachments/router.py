from fastapi import (
    APIRouter,
    Request,
    Response,
    status,
)
from fastapi.responses import RedirectResponse, StreamingResponse

from src.attachments import service
from src.attachments.constants import ALLOWED_CONTENT_TYPES, TEXT_CONTENT_TYPE
from src.attachments.dependencies import (
    UPLOAD_BODY,
    DeletableAttachment,
    UploadedFile,
    UploadIdempotency,
    ValidAttachment,
)
from src.attachments.exceptions import (
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
)
from src.attachments.schemas import AttachmentDetail, AttachmentResponse
from src.attachments.utils import content_disposition, read_upload
from src.auth.constants import ApiKeyScope
from src.auth.dependencies import CurrentUser
from src.auth.exceptions import InvalidToken
from src.auth.permissions import Require
from src.aws.exceptions import StorageUnavailable, StoredObjectMissing
from src.exceptions import responses
from src.idempotency.exceptions import IdempotencyKeyInProgress
from src.pagination import Page, PaginationDep
from src.posts.dependencies import OwnedPost, VisiblePost
from src.posts.exceptions import NotPostCreator, PostNotFound
from src.web.conditional import CONDITIONAL_READ, IfNoneMatch, conditional
from src.web.dependencies import AppSettings, ReadBindDep, StorageDep, UnitOfWorkDep
from src.web.openapi import CONTENT_DISPOSITION, LOCATION, conditional_read, headers

router = APIRouter(prefix="/posts/{post_id}/attachments", tags=["Attachments"])


@router.post(
    "",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to a post",
    description="By the post's creator. `multipart/form-data` with one field, "
    "`file`. The type is read from the file's bytes: PNG, JPEG, GIF, WebP, PDF "
    "or UTF-8 plain text. The client's file name is kept for display only.",
    responses={
        **responses(
            InvalidToken,
            NotPostCreator,
            PostNotFound,
            AttachmentTooLarge,
            AttachmentTypeNotAllowed,
            StorageUnavailable,
            IdempotencyKeyInProgress,
        ),
        201: headers(LOCATION),
    },
    openapi_extra={"requestBody": UPLOAD_BODY},
)
async def create_attachment(
    post: OwnedPost,
    user: CurrentUser,
    # After the post's owner is known: nobody else's upload is read.
    file: UploadedFile,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    storage: StorageDep,
    settings: AppSettings,
    idempotency: UploadIdempotency,
) -> AttachmentResponse:
    max_bytes = settings.app.MAX_UPLOAD_BYTES
    if file.size is not None and file.size > max_bytes:
        raise AttachmentTooLarge(max_bytes)
    # Stored before the unit of work's first statement: no transaction is
    # open while the bytes go to the store (an Idempotency-Key was claimed
    # and committed before).
    upload = await service.store_upload(
        storage,
        post_id=post.id,
        chunks=read_upload(file),
        filename=file.filename,
        max_bytes=max_bytes,
    )
    attachment = await service.record_attachment(
        uow, storage, post_id=post.id, creator_id=user.id, upload=upload
    )
    response.headers["Location"] = request.app.url_path_for(
        "get_attachment", post_id=str(post.id), attachment_id=str(attachment.id)
    )
    return await idempotency.remember(
        AttachmentResponse.model_validate(attachment), response
    )


@router.get(
    "",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    summary="List a post's attachments",
    description="In upload order.",
    responses=responses(PostNotFound),
)
async def list_attachments(
    post: VisiblePost, pagination: PaginationDep, bind: ReadBindDep
) -> Page[AttachmentResponse]:
    page = await service.list_attachments(bind, post_id=post.id, pagination=pagination)
    return Page[AttachmentResponse].create(page.items, page, pagination)


@router.get(
    "/{attachment_id}",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    name="get_attachment",
    response_model=AttachmentDetail,
    summary="Get an attachment's metadata",
    description=CONDITIONAL_READ,
    responses={**responses(PostNotFound, AttachmentNotFound), **conditional_read()},
)
async def get_attachment(
    attachment: ValidAttachment,
    request: Request,
    if_none_match: IfNoneMatch = None,
) -> AttachmentDetail | Response:
    download_url = request.url_for(
        "download_attachment",
        post_id=str(attachment.post_id),
        attachment_id=str(attachment.id),
    )
    answer = AttachmentDetail.model_validate(
        {
            **AttachmentResponse.model_validate(attachment).model_dump(),
            "download_url": str(download_url),
        }
    )
    return conditional(answer, if_none_match)


@router.get(
    "/{attachment_id}/content",
    dependencies=[Require(ApiKeyScope.POSTS_READ)],
    name="download_attachment",
    summary="Download an attachment",
    description="The bytes, streamed by the API (local storage) or a 307 "
    "redirect to a short-lived signed URL (S3 storage).",
    response_class=Response,
    responses={
        200: {
            **headers(CONTENT_DISPOSITION),
            "description": "The file's bytes, with the type sniffed at upload",
            # Bytes whatever the type, text included: generated clients read
            # the body as the first type they know, so `octet-stream` leads.
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in [
                    "application/octet-stream",
                    *sorted(ALLOWED_CONTENT_TYPES | {TEXT_CONTENT_TYPE}),
                ]
            },
        },
        307: {
            **headers(LOCATION),
            "description": "Redirect to a signed URL of the object store",
        },
        **responses(PostNotFound, AttachmentNotFound, StoredObjectMissing),
    },
)
async def download_attachment(
    attachment: ValidAttachment, storage: StorageDep
) -> Response:
    disposition = content_disposition(attachment.filename)
    url = await storage.download_url(
        attachment.storage_key,
        content_type=attachment.content_type,
        content_disposition=disposition,
    )
    if url is not None:
        return RedirectResponse(url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)
    chunks = await storage.stream(attachment.storage_key)
    return StreamingResponse(
        chunks,
        media_type=attachment.content_type,
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(attachment.size),
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/{attachment_id}",
    dependencies=[Require(ApiKeyScope.POSTS_WRITE)],
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an attachment",
    description="By the post's creator or a moderator; the stored file goes too.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound, AttachmentNotFound),
)
async def delete_attachment(
    attachment: DeletableAttachment,
    post: VisiblePost,
    user: CurrentUser,
    uow: UnitOfWorkDep,
) -> None:
    await service.delete_attachment(
        uow, attachment=attachment, post_creator_id=post.creator_id, by=user
    )
