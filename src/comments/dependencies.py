from typing import Annotated
from uuid import UUID

from fastapi import Depends

from src.auth.dependencies import CurrentUser
from src.auth.permissions import CurrentViewer
from src.comments import service
from src.comments.exceptions import CommentNotFound, NotCommentAuthor
from src.comments.service import CommentRow
from src.exceptions import raises
from src.posts.dependencies import VisiblePost
from src.web.dependencies import ReadBindDep


@raises(CommentNotFound)
async def valid_comment_id(
    comment_id: UUID, post: VisiblePost, bind: ReadBindDep, viewer: CurrentViewer
) -> CommentRow:
    """The comment, if it exists under this post and the viewer may see it:
    a hidden one is its writer's and moderators' (404 otherwise)."""
    comment = await service.get_comment(bind, post_id=post.id, comment_id=comment_id)
    if comment is None or not service.may_see(comment, viewer.id, viewer.moderator):
        raise CommentNotFound
    return comment


ValidComment = Annotated[CommentRow, Depends(valid_comment_id)]


@raises(NotCommentAuthor)
async def valid_owned_comment(comment: ValidComment, user: CurrentUser) -> CommentRow:
    """The comment, if the caller wrote it."""
    if comment.creator_id != user.id:
        raise NotCommentAuthor
    return comment


OwnedComment = Annotated[CommentRow, Depends(valid_owned_comment)]


@raises(NotCommentAuthor)
async def valid_deletable_comment(
    comment: ValidComment, post: VisiblePost, user: CurrentUser
) -> CommentRow:
    """The comment, if the caller wrote it, created the post or is a moderator."""
    if not service.may_delete(user, comment=comment, post_creator_id=post.creator_id):
        raise NotCommentAuthor
    return comment


DeletableComment = Annotated[CommentRow, Depends(valid_deletable_comment)]
