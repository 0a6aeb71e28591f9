from collections.abc import AsyncGenerator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from src.admin import ui as admin_ui
from src.admin.router import router as admin_router
from src.attachments.router import router as attachments_router
from src.auth.api_keys_router import router as api_keys_router
from src.auth.email_router import router as auth_email_router
from src.auth.pages import router as email_pages_router
from src.auth.permission_docs import document_permissions
from src.auth.router import router as auth_router
from src.aws.client import create_storage
from src.comments.router import router as comments_router
from src.conduit.articles_router import router as conduit_articles_router
from src.conduit.constants import PREFIX as CONDUIT_PREFIX
from src.conduit.exceptions import ConduitError, conduit_error_response
from src.conduit.router import router as conduit_router
from src.config import Settings, load_settings
from src.constants import REQUEST_ID_HEADER, SHOW_DOCS_ENVIRONMENTS, VERSION
from src.database.engine import create_engine, create_read_engine
from src.database.session import create_read_sessionmaker, create_units_of_work
from src.favorites.router import router as favorites_router
from src.feed.router import router as feed_router
from src.follows import cache as follows_cache
from src.follows.router import router as follows_router
from src.health.router import router as health_router
from src.idempotency.constants import REPLAYED_HEADER
from src.idempotency.exceptions import IdempotentReplay
from src.idempotency.utils import document_replays, replay_response
from src.logging_config import setup_logging
from src.metrics import forget_pool, watch_pool
from src.moderation.router import router as moderation_router
from src.notifications.router import router as notifications_router
from src.posts import cache as posts_cache
from src.posts.router import drafts_router
from src.posts.router import router as posts_router
from src.posts.router import users_router as user_posts_router
from src.runtime import after_commits, connect_redis, create_read_cache
from src.tags.router import router as tags_router
from src.web import docs, errors, metrics, openapi
from src.web.middleware import CORSByPathMiddleware, RequestMiddleware
from src.web.public_reads import PublicReadsMiddleware
from src.web.query import declare_query_names, known_query_parameters
from src.web.rate_limit import create_rate_limiter
from src.web.state import STATE_KEY, AppState
from src.web.tracing import TELEMETRY_OFF, create_tracing

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

logger = structlog.get_logger(__name__)


def _operation_id(route: APIRoute) -> str:
    return route.name


def _routers(settings: Settings) -> tuple[APIRouter, ...]:
    config, conduit = settings.app, settings.conduit
    # Routes are matched in this order: the hottest (reading posts) first.
    routers: tuple[APIRouter, ...] = (
        posts_router,
        comments_router,
        attachments_router,
        # Before the other routes under /users: /users/by-username/{username}.
        follows_router,
        favorites_router,
        feed_router,
        user_posts_router,
        tags_router,
        drafts_router,
        auth_router,
        auth_email_router,
        api_keys_router,
        notifications_router,
        moderation_router,
        admin_router,
        health_router,
    )
    if conduit.ENABLED:
        routers = (*routers, conduit_router, conduit_articles_router)
    if settings.email.EMAIL_PAGES_ENABLED:
        routers = (*routers, email_pages_router)
    return (*routers, metrics.router) if config.METRICS_ENABLED else routers


def _add_middleware(
    app: FastAPI, settings: Settings, routers: Sequence[APIRouter], *, traced: bool
) -> None:
    config, conduit = settings.app, settings.conduit
    # Added innermost first: the request's own layer wraps CORS, so a
    # refused preflight has a request id and an access line too.
    native: dict[str, Any] = {
        "allow_origins": config.CORS_ORIGINS,
        "allow_credentials": True,
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        # What browser clients send and read: conditional edits, retries
        # and downloads need theirs.
        "allow_headers": [
            "Authorization",
            "Content-Type",
            "If-Match",
            "If-None-Match",
            "Idempotency-Key",
            REQUEST_ID_HEADER,
        ],
        "expose_headers": [
            "ETag",
            "Location",
            "Retry-After",
            "Content-Disposition",
            REPLAYED_HEADER,
            REQUEST_ID_HEADER,
        ],
    }
    if not traced:
        # Inside CORS, outside routing: the hottest anonymous reads skip the
        # routes, with the routes' error handlers. (Traced, every request
        # goes through its route: its trace shows the route and its parts.)
        app.add_middleware(
            PublicReadsMiddleware,
            reads=(*posts_cache.PUBLIC_READS, *follows_cache.PUBLIC_READS),
            routes=[route for router in routers for route in router.routes],
            exception_handlers=app.exception_handlers,
        )
    if conduit.ENABLED:
        # RealWorld front ends are served from anywhere; Conduit tokens are
        # never cookies, so no credentials are allowed there.
        app.add_middleware(
            CORSByPathMiddleware,
            prefix=CONDUIT_PREFIX,
            prefixed={
                **native,
                "allow_origins": conduit.CORS_ORIGINS,
                "allow_credentials": False,
                "allow_headers": [*native["allow_headers"], "X-Requested-With"],
            },
            rest=native,
        )
    else:
        app.add_middleware(CORSMiddleware, **native)
    app.add_middleware(
        RequestMiddleware,
        max_body_bytes=config.MAX_REQUEST_BYTES,
        max_upload_bytes=config.MAX_UPLOAD_BYTES,
        metrics=config.METRICS_ENABLED,
    )


def create_app(
    settings: Settings | None = None, *, span_exporter: "SpanExporter | None" = None
) -> FastAPI:
    """Build the application from `settings` (default: read from the
    environment): routers, middleware, error handlers and the lifespan.
    """
    settings = settings or load_settings()
    config = settings.app
    setup_logging(config.LOG_LEVEL, json=config.LOG_JSON)
    tracing = create_tracing(span_exporter)
    # The admin interface's sessions, bound once the engine is open.
    admin_sessions: async_sessionmaker[AsyncSession] | None = None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncGenerator[dict[str, AppState]]:
        engine = create_engine(config)
        if config.METRICS_ENABLED:
            watch_pool(engine, config.DATABASE_POOL_SIZE)
        if tracing is not None:
            tracing.instrument_engine(engine)
        redis = connect_redis(config.REDIS_URL) if config.REDIS_URL else None
        logger.info(
            "startup",
            environment=config.ENVIRONMENT,
            database=engine.dialect.name,
            storage=settings.storage.STORAGE_BACKEND,
        )
        try:
            async with create_storage(settings.storage) as storage:
                if tracing is not None:
                    tracing.instrument_storage(storage)
                read_engine = create_read_engine(engine)
                if admin_sessions is not None:
                    admin_sessions.configure(bind=read_engine)
                units = create_units_of_work(engine)
                read_cache = create_read_cache(config, redis)
                if read_cache is not None:
                    # First: a client told of a write by an event reads it.
                    units.listen(read_cache.after_commit)
                async with after_commits(settings, units, storage, redis) as events:
                    yield {
                        STATE_KEY: AppState(
                            settings=settings,
                            engine=engine,
                            read_engine=read_engine,
                            units_of_work=units,
                            read_sessionmaker=create_read_sessionmaker(read_engine),
                            storage=storage,
                            redis=redis,
                            rate_limiter=create_rate_limiter(config, redis),
                            events=events,
                            read_cache=read_cache,
                        )
                    }
        finally:
            if redis is not None:
                await redis.aclose()
            if config.METRICS_ENABLED:
                forget_pool(config.DATABASE_POOL_SIZE)
            await engine.dispose()
            if tracing is not None:
                tracing.shutdown()
            logger.info("shutdown")

    app_configs: dict[str, Any] = {
        "title": "Publishing API",
        "version": VERSION,
        "description": "Accounts, posts, comments, attachments and notifications.",
        "lifespan": lifespan,
        "dependencies": [Depends(known_query_parameters)],
        # Operation ids that read as names in generated clients: `create_post`,
        # not `create_post_posts_post` (route names are unique).
        "generate_unique_id_function": _operation_id,
        "telemetry": TELEMETRY_OFF if tracing is None else tracing.fastapi_telemetry(),
        # Served by `docs.install` from the API's own assets, not a CDN.
        "docs_url": None,
        "redoc_url": None,
    }
    if config.ENVIRONMENT not in SHOW_DOCS_ENVIRONMENTS:
        app_configs["openapi_url"] = None

    app = FastAPI(**app_configs)

    routers = _routers(settings)
    _add_middleware(app, settings, routers, traced=tracing is not None)
    _add_routes(app, settings, routers)
    if config.admin_ui_enabled:
        # After the API's routes: /admin/users and /admin/audit stay theirs.
        admin_sessions = admin_ui.install(app, settings)
    return app


def _add_routes(app: FastAPI, settings: Settings, routers: Sequence[APIRouter]) -> None:
    # The routes, their error handlers and their document.
    errors.install(app)
    app.add_exception_handler(IdempotentReplay, replay_response)
    app.add_exception_handler(ConduitError, conduit_error_response)
    openapi.install(app, parts=[document_replays, document_permissions(routers)])
    docs.install(app)
    for router in routers:
        app.include_router(router)
    declare_query_names(app, routers)


app = create_app()
