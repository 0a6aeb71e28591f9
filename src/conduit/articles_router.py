"""Articles, their favorites and comments on the Conduit API: a Conduit
article is a post, found by its slug."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status

from src.auth.constants import USERNAME_PATTERN
from src.comments import service as comments_service
from src.comments.schemas import CommentCreate
from src.conduit.constants import PREFIX
from src.conduit.dependencies import (
    Article,
    ConduitAccount,
    ConduitCaller,
    ConduitIdempotency,
    ConduitPagination,
    ConduitUserId,
    DeletableArticle,
    DeletableComment,
    OwnArticle,
)
from src.conduit.exceptions import ConduitRoute, FiltersCombined
from src.conduit.router import ERRORS, FORBIDDEN, NOT_FOUND
from src.conduit.schemas import (
    ArticleEnvelope,
    ArticlesEnvelope,
    ArticleSummary,
    CommentEnvelope,
    CommentsEnvelope,
    NewArticleRequest,
    NewCommentRequest,
    UpdateArticleRequest,
)
from src.conduit.utils import (
    article_as_seen_by,
    articles_as_seen_by,
    comments_as_seen_by,
)
from src.database.reads import Readable
from src.database.unit_of_work import UnitOfWork
from src.favorites import service as favorites_service
from src.feed import service as feed_service
from src.follows import service as follows_service
from src.pagination import Fetched, PaginationParams
from src.posts import lists
from src.posts import service as posts_service
from src.posts.schemas import PostCreate, PostUpdate
from src.posts.service import PostRow
from src.tags.schemas import TagName
from src.web.dependencies import ReadBindDep, UnitOfWorkDep

router = APIRouter(
    prefix=f"{PREFIX}/articles",
    tags=["Conduit"],
    route_class=ConduitRoute,
    responses=ERRORS,
)


def _envelope(
    articles: list[ArticleSummary], page: Fetched[PostRow]
) -> ArticlesEnvelope:
    return ArticlesEnvelope(articles=articles, articles_count=page.total)


@router.get(
    "",
    summary="List articles (Conduit)",
    description="Newest first; `tag` and `author` together or alone, or "
    "`favorited` (a username) alone.",
)
async def conduit_articles(
    bind: ReadBindDep,
    caller: ConduitCaller,
    pagination: ConduitPagination,
    tag: TagName | None = None,
    author: Annotated[
        str | None, Query(max_length=32, pattern=USERNAME_PATTERN)
    ] = None,
    favorited: Annotated[
        str | None, Query(max_length=32, pattern=USERNAME_PATTERN)
    ] = None,
) -> ArticlesEnvelope:
    if favorited is not None and (tag is not None or author is not None):
        raise FiltersCombined
    page = await _articles(
        bind, pagination, tag=tag, author=author, favorited=favorited
    )
    return _envelope(await articles_as_seen_by(bind, page.items, caller), page)


async def _articles(
    bind: Readable,
    pagination: PaginationParams,
    *,
    tag: str | None,
    author: str | None,
    favorited: str | None,
) -> Fetched[PostRow]:
    named = author if author is not None else favorited
    user_id: UUID | None = None
    if named is not None:
        profile = await follows_service.get_profile_by_username(bind, named)
        if profile is None:  # Nobody by that name: nothing they wrote or kept.
            return Fetched([], 0, None)
        user_id = profile.id
    if favorited is not None and user_id is not None:
        return await favorites_service.list_favorites(
            bind, user_id=user_id, pagination=pagination
        )
    return await lists.list_posts(
        bind, pagination=pagination, creator_id=user_id, tag=tag
    )


@router.get("/feed", summary="Your feed (Conduit)")
async def conduit_feed(
    bind: ReadBindDep, user_id: ConduitUserId, pagination: ConduitPagination
) -> ArticlesEnvelope:
    page = await feed_service.list_feed(bind, user_id=user_id, pagination=pagination)
    return _envelope(await articles_as_seen_by(bind, page.items, user_id), page)


# Also with a trailing slash: RealWorld front ends post to /api/articles/.
@router.post(
    "/",
    status_code=status.HTTP_201_CREATED,
    summary="Write an article (Conduit)",
    include_in_schema=False,
)
@router.post(
    "", status_code=status.HTTP_201_CREATED, summary="Write an article (Conduit)"
)
async def conduit_create_article(
    body: NewArticleRequest,
    user: ConduitAccount,
    uow: UnitOfWorkDep,
    idempotency: ConduitIdempotency,
    response: Response,
) -> ArticleEnvelope:
    data = body.article
    post = await posts_service.create_post(
        uow,
        creator=user,
        data=PostCreate(
            title=data.title,
            description=data.description,
            content=data.body,
            tags=data.tag_list,
        ),
    )
    article = await article_as_seen_by(uow, post, user.id)
    return await idempotency.remember(ArticleEnvelope(article=article), response)


@router.get("/{slug}", summary="An article (Conduit)", responses=NOT_FOUND)
async def conduit_article(
    post: Article, bind: ReadBindDep, caller: ConduitCaller
) -> ArticleEnvelope:
    return ArticleEnvelope(article=await article_as_seen_by(bind, post, caller))


@router.put(
    "/{slug}",
    summary="Edit an article (Conduit)",
    responses={**NOT_FOUND, **FORBIDDEN},
)
async def conduit_update_article(
    body: UpdateArticleRequest, post: OwnArticle, uow: UnitOfWorkDep
) -> ArticleEnvelope:
    changes = body.article.model_dump(exclude_unset=True)
    if "body" in changes:
        changes["content"] = changes.pop("body")
    if "tag_list" in changes:
        changes["tags"] = changes.pop("tag_list")
    updated = await posts_service.update_post(
        uow, post=post, data=PostUpdate.model_validate(changes)
    )
    return ArticleEnvelope(
        article=await article_as_seen_by(uow, updated, post.creator_id)
    )


@router.delete(
    "/{slug}",
    summary="Delete an article (Conduit)",
    response_class=Response,
    responses={**NOT_FOUND, **FORBIDDEN},
)
async def conduit_delete_article(
    post: DeletableArticle, user: ConduitAccount, uow: UnitOfWorkDep
) -> Response:
    await posts_service.delete_post(uow, post=post, by=user)
    return Response()


@router.post(
    "/{slug}/favorite", summary="Favorite an article (Conduit)", responses=NOT_FOUND
)
async def conduit_favorite(
    post: Article, user_id: ConduitUserId, uow: UnitOfWorkDep
) -> ArticleEnvelope:
    await favorites_service.favorite(uow, user_id=user_id, post=post)
    return await _as_it_is_now(uow, post.id, user_id)


@router.delete(
    "/{slug}/favorite",
    summary="Unfavorite an article (Conduit)",
    responses=NOT_FOUND,
)
async def conduit_unfavorite(
    post: Article, user_id: ConduitUserId, uow: UnitOfWorkDep
) -> ArticleEnvelope:
    await favorites_service.unfavorite(uow, user_id=user_id, post_id=post.id)
    return await _as_it_is_now(uow, post.id, user_id)


async def _as_it_is_now(
    uow: UnitOfWork, post_id: UUID, caller: UUID
) -> ArticleEnvelope:
    post = await posts_service.get_post(uow, post_id)
    if post is None:  # pragma: no cover - read in the transaction that saw it
        raise LookupError(post_id)
    return ArticleEnvelope(article=await article_as_seen_by(uow, post, caller))


@router.get(
    "/{slug}/comments",
    summary="An article's comments (Conduit)",
    responses=NOT_FOUND,
)
async def conduit_comments(
    post: Article,
    bind: ReadBindDep,
    caller: ConduitCaller,
    pagination: ConduitPagination,
) -> CommentsEnvelope:
    page = await comments_service.list_comments(
        bind, post_id=post.id, pagination=pagination
    )
    return CommentsEnvelope(
        comments=await comments_as_seen_by(bind, page.items, caller)
    )


@router.post(
    "/{slug}/comments",
    status_code=status.HTTP_201_CREATED,
    summary="Comment on an article (Conduit)",
    responses=NOT_FOUND,
)
async def conduit_comment(
    body: NewCommentRequest,
    post: Article,
    user_id: ConduitUserId,
    uow: UnitOfWorkDep,
    idempotency: ConduitIdempotency,
    response: Response,
) -> CommentEnvelope:
    comment = await comments_service.create_comment(
        uow,
        post_id=post.id,
        post_creator_id=post.creator_id,
        creator_id=user_id,
        data=CommentCreate(content=body.comment.body),
    )
    (shown,) = await comments_as_seen_by(uow, [comment], user_id)
    return await idempotency.remember(CommentEnvelope(comment=shown), response)


@router.delete(
    "/{slug}/comments/{comment_id}",
    summary="Delete a comment (Conduit)",
    response_class=Response,
    responses={**NOT_FOUND, **FORBIDDEN},
)
async def conduit_delete_comment(
    comment: DeletableComment, post: Article, user: ConduitAccount, uow: UnitOfWorkDep
) -> Response:
    await comments_service.delete_comment(
        uow, comment=comment, post_creator_id=post.creator_id, by=user
    )
    return Response()
