import logging
import re
import time
from typing import Any

from asgi_correlation_id import correlation_id
from fastapi import status
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from src.constants import REQUEST_ID_MAX_LENGTH, ErrorMessage
from src.exceptions import PayloadTooLarge
from src.logging_config import ACCESS_LOGGER
from src.metrics import IN_FLIGHT
from src.web.metrics import record_request, route_template

MULTIPART_OVERHEAD_BYTES = 64 * 1024
UPLOAD_PATH_SUFFIX = "/attachments"

_REQUEST_ID_PATTERN = re.compile(rf"[A-Za-z0-9._-]{{1,{REQUEST_ID_MAX_LENGTH}}}")


def is_sane_request_id(value: str) -> bool:
    """Accept a caller's request id only if it is safe to echo and log."""
    return _REQUEST_ID_PATTERN.fullmatch(value) is not None


class AccessLogMiddleware:
    """Write one structured line per HTTP request, errors included, and
    record its metrics (`src.metrics`) when `metrics` is on: one timing
    and one wrapped `send` serve both.

    The line is logged as a ready event dict, which the logging setup
    renders on a short path (`src.logging_config`): it is paid per request.
    """

    def __init__(self, app: ASGIApp, *, metrics: bool = False) -> None:
        self.app = app
        self._metrics = metrics
        # Asked per request, so a level changed at run time applies at once.
        self._std_logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        log = self._std_logger.isEnabledFor(logging.INFO)
        if scope["type"] != "http" or not (log or self._metrics):
            # Timing and wrapping `send` cost more than the rest of a cached
            # read's middleware; skip them when nothing would use them.
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status_code = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
            await send(message)

        if self._metrics:
            IN_FLIGHT.inc()
        try:
            await self.app(scope, receive, send_with_status)
        finally:
            seconds = time.perf_counter() - start
            if self._metrics:
                IN_FLIGHT.dec()
                record_request(
                    scope["method"], route_template(scope), status_code, seconds
                )
            if log:
                self._std_logger.info(
                    {
                        "event": "request",
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status_code,
                        "duration_ms": round(seconds * 1000, 2),
                        "request_id": correlation_id.get(),
                    }
                )


class NoSniffMiddleware:
    """`X-Content-Type-Options: nosniff` on every response: a browser must
    take a JSON error or an attachment for what its Content-Type says.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault(
                    "X-Content-Type-Options", "nosniff"
                )
            await send(message)

        await self.app(scope, receive, send_with_header)


class BodyTooLarge(PayloadTooLarge):
    """Raised from `receive` when a streamed body passes its limit."""


class BodySizeLimitMiddleware:
    """Refuse request bodies over a limit with 413, without reading them whole.

    A declared `Content-Length` over the limit is refused before the app runs;
    a body streamed without one is counted as it arrives, and the app's next
    read raises `BodyTooLarge`. Attachment uploads get their own, larger limit.
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_upload_bytes: int
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        # Room for the multipart boundaries and part headers around the file.
        self.max_upload_body_bytes = max_upload_bytes + MULTIPART_OVERHEAD_BYTES

    def _limit_for(self, scope: Scope, headers: Headers) -> int:
        is_upload = scope["path"].endswith(UPLOAD_PATH_SUFFIX) and headers.get(
            "content-type", ""
        ).startswith("multipart/form-data")
        return self.max_upload_body_bytes if is_upload else self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit = self._limit_for(scope, headers)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = JSONResponse(
                {"detail": ErrorMessage.PAYLOAD_TOO_LARGE},
                status_code=status.HTTP_413_CONTENT_TOO_LARGE,
                headers={"Connection": "close"},
            )
            await response(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        await self.app(scope, limited_receive, send)


class CORSByPathMiddleware:
    """Two CORS policies: one for the paths under `prefix` (an API whose
    tokens travel in a header), another for the rest (whose refresh cookie
    needs credentials, so listed origins only)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        prefixed: dict[str, Any],
        rest: dict[str, Any],
    ) -> None:
        self.prefix = prefix
        self.prefixed = CORSMiddleware(app, **prefixed)
        self.rest = CORSMiddleware(app, **rest)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        under = path == self.prefix or path.startswith(self.prefix + "/")
        await (self.prefixed if under else self.rest)(scope, receive, send)
