"""HTML forms the API serves itself (the email pages): their headers and
their protection against cross-site requests.

A form carries a random token (its field `csrf_token`) that is also set as
a `SameSite=Strict` cookie when the page is served; a POST is taken only
when both are present and equal (double submit), and never when the
browser says it comes from another site (`Sec-Fetch-Site`). A page on
another site can neither read the token nor make the browser send the
cookie with its POST.
"""

import hmac
import secrets

from fastapi import Request
from fastapi.responses import HTMLResponse

CSRF_COOKIE = "form_csrf"
CSRF_TOKEN_BYTES = 32
# The pages have no script and load nothing; their style is inline. A link
# token in the address must not leave in a Referer header.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
_SAME_SITE = frozenset({"same-origin", "none"})


def new_csrf_token() -> str:
    return secrets.token_urlsafe(CSRF_TOKEN_BYTES)


def page(
    request: Request, html: str, *, status_code: int = 200, csrf: str | None = None
) -> HTMLResponse:
    """An HTML page with the headers every served page carries; `csrf` sets
    the cookie the page's form must echo."""
    response = HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
    if csrf is not None:
        response.set_cookie(
            CSRF_COOKIE,
            csrf,
            path=request.url.path,
            httponly=True,
            samesite="strict",
            # Over HTTPS (behind a proxy too), never sent in clear.
            secure=request.url.scheme == "https",
        )
    return response


def same_site_form(request: Request, submitted: str | None) -> bool:
    """Whether a submitted form came from a page this server served to
    this browser."""
    fetched_from = request.headers.get("sec-fetch-site")
    if fetched_from is not None and fetched_from not in _SAME_SITE:
        return False
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie.encode(), submitted.encode())
