from typing import Annotated
from uuid import UUID

from fastapi import (
    APIRouter,
    BackgroundTasks,
    Query,
    Request,
    Response,
    UploadFile,
    status,
)
from fastapi.responses import RedirectResponse, StreamingResponse

from src.auth.dependencies import CurrentUser, ValidUser
from src.auth.exceptions import InvalidToken, UserNotFound
from src.aws.dependencies import StorageDep
from src.aws.exceptions import StorageUnavailable, StoredObjectMissing
from src.database import SessionDep
from src.exceptions import responses
from src.pagination import Page, PaginationDep
from src.posts import service
from src.posts.constants import (
    ALLOWED_CONTENT_TYPES,
    SEARCH_MAX_LENGTH,
    TEXT_CONTENT_TYPE,
)
from src.posts.dependencies import (
    DeletableAttachment,
    DeletableComment,
    DeletablePost,
    EditableComment,
    EditablePost,
    OwnedPost,
    ValidAttachment,
    ValidComment,
    ValidPost,
    ValidPostView,
)
from src.posts.exceptions import (
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    CommentNotFound,
    ConcurrentEdit,
    EmptyAttachment,
    NotCommentAuthor,
    NotPostCreator,
    PostNotFound,
    StaleEdit,
)
from src.posts.schemas import (
    AttachmentDetail,
    AttachmentResponse,
    CommentCreate,
    CommentResponse,
    CommentUpdate,
    PostCreate,
    PostResponse,
    PostUpdate,
)
from src.posts.utils import content_disposition, etag

router = APIRouter(prefix="/posts", tags=["Posts"])
users_router = APIRouter(prefix="/users", tags=["Users"])

CONDITIONAL_EDIT = (
    "Send the `ETag` you read as `If-Match` to be refused with 412 if it was "
    "edited since; without it the last edit wins. Two edits at the same moment "
    "never both apply: one gets 409."
)

# PostgreSQL text cannot hold NUL: refuse it as a 422, not a database error.
NO_NUL = r"^[^\x00]*$"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Create a post",
    responses=responses(InvalidToken),
)
async def create_post(
    data: PostCreate,
    user: CurrentUser,
    request: Request,
    response: Response,
    session: SessionDep,
) -> PostResponse:
    post = await service.create_post(session, creator=user, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_post", post_id=str(post.id)
    )
    response.headers["ETag"] = etag(post.version)
    return PostResponse.model_validate(post)


@router.get(
    "",
    summary="List posts",
    description="Newest first. `creator_id` keeps one author's posts; `q` keeps "
    "posts whose title or content contains it, ignoring case.",
)
async def list_posts(
    pagination: PaginationDep,
    session: SessionDep,
    creator_id: UUID | None = None,
    q: Annotated[
        str | None,
        Query(min_length=1, max_length=SEARCH_MAX_LENGTH, pattern=NO_NUL),
    ] = None,
) -> Page[PostResponse]:
    posts, total = await service.list_posts(
        session, pagination=pagination, creator_id=creator_id, search=q
    )
    return Page[PostResponse].create(posts, total, pagination)


@router.get(
    "/{post_id}",
    name="get_post",
    summary="Get a post",
    responses=responses(PostNotFound),
)
async def get_post(view: ValidPostView, response: Response) -> PostResponse:
    response.headers["ETag"] = etag(view.version)
    return view.post


@router.patch(
    "/{post_id}",
    summary="Edit a post",
    description="Partial update of title and content, by the post's creator. "
    + CONDITIONAL_EDIT,
    responses=responses(
        InvalidToken, NotPostCreator, PostNotFound, ConcurrentEdit, StaleEdit
    ),
)
async def update_post(
    data: PostUpdate, post: EditablePost, response: Response, session: SessionDep
) -> PostResponse:
    post = await service.update_post(session, post=post, data=data)
    response.headers["ETag"] = etag(post.version)
    return PostResponse.model_validate(post)


@router.delete(
    "/{post_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a post",
    description="By its creator or a superuser; its comments and attachments "
    "go with it.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound),
)
async def delete_post(
    post: DeletablePost,
    session: SessionDep,
    storage: StorageDep,
    background_tasks: BackgroundTasks,
) -> None:
    keys = await service.attachment_keys_of_post(session, post.id)
    await service.delete_post(session, post=post)
    # Runs after the response, so after the deletion is committed.
    background_tasks.add_task(service.remove_stored_objects, storage, keys)


@router.post(
    "/{post_id}/comments",
    status_code=status.HTTP_201_CREATED,
    summary="Comment on a post",
    responses=responses(InvalidToken, PostNotFound),
)
async def create_comment(
    data: CommentCreate,
    post: ValidPost,
    user: CurrentUser,
    request: Request,
    response: Response,
    session: SessionDep,
) -> CommentResponse:
    comment = await service.create_comment(session, post=post, creator=user, data=data)
    response.headers["Location"] = request.app.url_path_for(
        "get_comment", post_id=str(post.id), comment_id=str(comment.id)
    )
    response.headers["ETag"] = etag(comment.version)
    return CommentResponse.model_validate(comment)


@router.get(
    "/{post_id}/comments",
    summary="List a post's comments",
    description="Oldest first.",
    responses=responses(PostNotFound),
)
async def list_comments(
    post: ValidPost, pagination: PaginationDep, session: SessionDep
) -> Page[CommentResponse]:
    comments, total = await service.list_comments(
        session, post_id=post.id, pagination=pagination
    )
    return Page[CommentResponse].create(comments, total, pagination)


@router.get(
    "/{post_id}/comments/{comment_id}",
    name="get_comment",
    summary="Get a comment",
    responses=responses(PostNotFound, CommentNotFound),
)
async def get_comment(comment: ValidComment, response: Response) -> CommentResponse:
    response.headers["ETag"] = etag(comment.version)
    return CommentResponse.model_validate(comment)


@router.patch(
    "/{post_id}/comments/{comment_id}",
    summary="Edit a comment",
    description="By the comment's author. " + CONDITIONAL_EDIT,
    responses=responses(
        InvalidToken,
        NotCommentAuthor,
        PostNotFound,
        CommentNotFound,
        ConcurrentEdit,
        StaleEdit,
    ),
)
async def update_comment(
    data: CommentUpdate,
    comment: EditableComment,
    response: Response,
    session: SessionDep,
) -> CommentResponse:
    comment = await service.update_comment(session, comment=comment, data=data)
    response.headers["ETag"] = etag(comment.version)
    return CommentResponse.model_validate(comment)


@router.delete(
    "/{post_id}/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a comment",
    description="By the comment's author, the post's creator or a superuser.",
    responses=responses(InvalidToken, NotCommentAuthor, PostNotFound, CommentNotFound),
)
async def delete_comment(comment: DeletableComment, session: SessionDep) -> None:
    await service.delete_comment(session, comment=comment)


@router.post(
    "/{post_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to a post",
    description="By the post's creator. `multipart/form-data` with one field, "
    "`file`. The type is read from the file's bytes: PNG, JPEG, GIF, WebP, PDF "
    "or UTF-8 plain text. The client's file name is kept for display only.",
    responses=responses(
        InvalidToken,
        NotPostCreator,
        PostNotFound,
        AttachmentTooLarge,
        AttachmentTypeNotAllowed,
        EmptyAttachment,
        StorageUnavailable,
    ),
    form_limits={"max_files": 1, "max_fields": 0},
)
async def create_attachment(
    post: OwnedPost,
    file: UploadFile,
    user: CurrentUser,
    request: Request,
    response: Response,
    session: SessionDep,
    storage: StorageDep,
) -> AttachmentResponse:
    attachment = await service.create_attachment(
        session,
        storage,
        post=post,
        creator=user,
        upload=file,
        max_bytes=request.state.config.MAX_UPLOAD_BYTES,
    )
    response.headers["Location"] = request.app.url_path_for(
        "get_attachment", post_id=str(post.id), attachment_id=str(attachment.id)
    )
    return AttachmentResponse.model_validate(attachment)


@router.get(
    "/{post_id}/attachments",
    summary="List a post's attachments",
    description="In upload order.",
    responses=responses(PostNotFound),
)
async def list_attachments(
    post: ValidPost, pagination: PaginationDep, session: SessionDep
) -> Page[AttachmentResponse]:
    attachments, total = await service.list_attachments(
        session, post_id=post.id, pagination=pagination
    )
    return Page[AttachmentResponse].create(attachments, total, pagination)


@router.get(
    "/{post_id}/attachments/{attachment_id}",
    name="get_attachment",
    summary="Get an attachment's metadata",
    responses=responses(PostNotFound, AttachmentNotFound),
)
async def get_attachment(
    attachment: ValidAttachment, request: Request
) -> AttachmentDetail:
    download_url = request.url_for(
        "download_attachment",
        post_id=str(attachment.post_id),
        attachment_id=str(attachment.id),
    )
    return AttachmentDetail.model_validate(
        {
            **AttachmentResponse.model_validate(attachment).model_dump(),
            "download_url": str(download_url),
        }
    )


@router.get(
    "/{post_id}/attachments/{attachment_id}/content",
    name="download_attachment",
    summary="Download an attachment",
    description="The bytes, streamed by the API (local storage) or a 307 "
    "redirect to a short-lived signed URL (S3 storage).",
    response_class=Response,
    responses={
        200: {
            "description": "The file, with the type sniffed at upload",
            "content": {
                media_type: {"schema": {"type": "string", "format": "binary"}}
                for media_type in sorted(ALLOWED_CONTENT_TYPES | {TEXT_CONTENT_TYPE})
            },
        },
        307: {"description": "Redirect to a signed URL of the object store"},
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
    "/{post_id}/attachments/{attachment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete an attachment",
    description="By the post's creator or a superuser; the stored file goes too.",
    responses=responses(InvalidToken, NotPostCreator, PostNotFound, AttachmentNotFound),
)
async def delete_attachment(
    attachment: DeletableAttachment,
    session: SessionDep,
    storage: StorageDep,
    background_tasks: BackgroundTasks,
) -> None:
    await service.delete_attachment(session, attachment=attachment)
    background_tasks.add_task(
        service.remove_stored_objects, storage, [attachment.storage_key]
    )


@users_router.get(
    "/{user_id}/posts",
    summary="A user's posts",
    description="Newest first.",
    responses=responses(UserNotFound),
)
async def list_user_posts(
    user: ValidUser, pagination: PaginationDep, session: SessionDep
) -> Page[PostResponse]:
    posts, total = await service.list_posts(
        session, pagination=pagination, creator_id=user.id
    )
    return Page[PostResponse].create(posts, total, pagination)
