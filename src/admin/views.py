"""What the admin interface lists, and the actions on it. Nothing is
created or edited in place: every change is an action (or a deletion) that
calls the same service as the API, as the signed-in moderator, so every
rule holds and the audit log has it."""

from typing import Any, ClassVar
from uuid import UUID

from sqladmin import action
from sqlalchemy import Select
from starlette.requests import Request
from starlette.responses import Response

from src.admin.actions import HidingActions, ReadOnlyView, each_selected, staff
from src.attachments import service as attachments_service
from src.attachments.models import Attachment
from src.auth.constants import Role
from src.auth.models import User
from src.comments import service as comments_service
from src.comments.models import Comment
from src.database.unit_of_work import UnitOfWork
from src.moderation import service as moderation
from src.moderation.models import AuditEntry
from src.posts import service as posts_service
from src.posts.models import Post
from src.web.state import app_state


class UserView(ReadOnlyView, model=User):
    name_plural = "Users"
    icon = "fa-solid fa-user"
    column_list: ClassVar[Any] = [
        User.username,
        User.email,
        User.role,
        User.suspended_at,
        User.created_at,
    ]
    column_details_list: ClassVar[Any] = [
        User.id,
        User.username,
        User.email,
        User.role,
        User.email_verified,
        User.suspended_at,
        User.suspension_reason,
        User.created_at,
    ]
    column_searchable_list: ClassVar[Any] = [User.username, User.email]
    column_sortable_list: ClassVar[Any] = [User.username, User.created_at]
    column_default_sort: ClassVar[Any] = (User.created_at, True)

    @action("suspend", "Suspend", "Suspend the selected members?")
    async def suspend(self, request: Request) -> Response:
        async def change(uow: UnitOfWork, pk: str, by: User) -> None:
            await moderation.suspend(uow, user_id=UUID(pk), by=by, reason=None)

        return await each_selected(request, change, "Suspended")

    @action("unsuspend", "Lift suspension")
    async def unsuspend(self, request: Request) -> Response:
        async def change(uow: UnitOfWork, pk: str, by: User) -> None:
            await moderation.unsuspend(uow, user_id=UUID(pk), by=by)

        return await each_selected(request, change, "Suspension lifted")

    async def _set_role(self, request: Request, role: Role) -> Response:
        async def change(uow: UnitOfWork, pk: str, by: User) -> None:
            await moderation.set_role(uow, user_id=UUID(pk), role=role, by=by)

        return await each_selected(request, change, f"Made {role.value}")

    @action("make-member", "Make member", "Make the selected users members?")
    async def make_member(self, request: Request) -> Response:
        return await self._set_role(request, Role.MEMBER)

    @action("make-moderator", "Make moderator", "Make the selected users moderators?")
    async def make_moderator(self, request: Request) -> Response:
        return await self._set_role(request, Role.MODERATOR)

    @action("make-admin", "Make admin", "Make the selected users admins?")
    async def make_admin(self, request: Request) -> Response:
        return await self._set_role(request, Role.ADMIN)


class PostView(HidingActions, ReadOnlyView, model=Post):
    name_plural = "Posts"
    icon = "fa-solid fa-newspaper"
    can_delete = True
    column_list: ClassVar[Any] = [
        Post.title,
        Post.status,
        Post.creator_id,
        Post.published_at,
    ]
    column_details_list: ClassVar[Any] = [
        Post.id,
        Post.title,
        Post.slug,
        Post.status,
        Post.description,
        Post.content,
        Post.creator_id,
        Post.created_at,
        Post.published_at,
    ]
    column_searchable_list: ClassVar[Any] = [Post.title]
    column_default_sort: ClassVar[Any] = (Post.created_at, True)

    def search_query(self, stmt: Select[Any], term: str) -> Select[Any]:
        # The lowercased copy the API's own search uses (trigram-indexed on
        # PostgreSQL), not a case-folding scan of every title.
        return stmt.where(Post.title_lower.contains(term.lower(), autoescape=True))

    async def delete_model(self, request: Request, pk: Any) -> None:
        post = await posts_service.get_post_ref(
            app_state(request).read_engine, UUID(pk)
        )
        if post is not None:
            async with app_state(request).units_of_work() as uow:
                await posts_service.delete_post(uow, post=post, by=staff(request))

    async def set_hidden(
        self, uow: UnitOfWork, pk: str, *, hidden: bool, by: User
    ) -> None:
        post = await posts_service.get_post_ref(uow, UUID(pk))
        if post is not None and not post.is_draft:
            await moderation.set_post_hidden(uow, post=post, hidden=hidden, by=by)


class CommentView(HidingActions, ReadOnlyView, model=Comment):
    name_plural = "Comments"
    icon = "fa-solid fa-comment"
    can_delete = True
    column_list: ClassVar[Any] = [
        Comment.content,
        Comment.creator_id,
        Comment.post_id,
        Comment.hidden_at,
        Comment.created_at,
    ]
    column_details_list = column_list
    column_searchable_list: ClassVar[Any] = [Comment.content]
    column_default_sort: ClassVar[Any] = (Comment.created_at, True)

    async def delete_model(self, request: Request, pk: Any) -> None:
        comment = await comments_service.find_comment(
            app_state(request).read_engine, UUID(pk)
        )
        if comment is None:
            return
        async with app_state(request).units_of_work() as uow:
            post = await posts_service.get_post_ref(uow, comment.post_id)
            creator = post.creator_id if post else comment.creator_id
            await comments_service.delete_comment(
                uow, comment=comment, post_creator_id=creator, by=staff(request)
            )

    async def set_hidden(
        self, uow: UnitOfWork, pk: str, *, hidden: bool, by: User
    ) -> None:
        comment = await comments_service.find_comment(uow, UUID(pk))
        if comment is not None:
            await moderation.set_comment_hidden(
                uow, comment=comment, hidden=hidden, by=by
            )


class AttachmentView(ReadOnlyView, model=Attachment):
    name_plural = "Attachments"
    icon = "fa-solid fa-paperclip"
    can_delete = True
    column_list: ClassVar[Any] = [
        Attachment.filename,
        Attachment.content_type,
        Attachment.size,
        Attachment.post_id,
        Attachment.created_at,
    ]
    column_details_list = column_list
    column_searchable_list: ClassVar[Any] = [Attachment.filename]

    async def delete_model(self, request: Request, pk: Any) -> None:
        state = app_state(request)
        async with state.read_sessionmaker() as session:
            attachment = await session.get(Attachment, UUID(pk))
        if attachment is None:
            return
        async with state.units_of_work() as uow:
            post = await posts_service.get_post_ref(uow, attachment.post_id)
            await attachments_service.delete_attachment(
                uow,
                attachment=attachment,
                post_creator_id=post.creator_id if post else attachment.creator_id,
                by=staff(request),
            )


class AuditView(ReadOnlyView, model=AuditEntry):
    name = "Audit entry"
    name_plural = "Audit log"
    icon = "fa-solid fa-scroll"
    column_list: ClassVar[Any] = [
        AuditEntry.created_at,
        AuditEntry.actor_username,
        AuditEntry.action,
        AuditEntry.target_type,
        AuditEntry.target_id,
        AuditEntry.reason,
    ]
    column_details_list = column_list
    column_searchable_list: ClassVar[Any] = [AuditEntry.actor_username]
    column_default_sort: ClassVar[Any] = (AuditEntry.created_at, True)

    # A moderator reads their own entries (as through the API): list, count
    # and details alike.
    def list_query(self, request: Request) -> Select[Any]:
        return _own_entries(request, super().list_query(request))

    def count_query(self, request: Request) -> Select[Any]:
        return _own_entries(request, super().count_query(request))

    def details_query(self, request: Request) -> Select[Any]:
        return _own_entries(request, super().details_query(request))


def _own_entries(request: Request, query: Select[Any]) -> Select[Any]:
    user = staff(request)
    if user.role.at_least(Role.ADMIN):
        return query
    return query.where(AuditEntry.actor_id == user.id)


VIEWS = (UserView, PostView, CommentView, AttachmentView, AuditView)
