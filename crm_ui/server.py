"""The web server around the dashboard (app.py mounts these on Streamlit's st.App).

Streamlit can read cookies (st.context.cookies) but not set them, so signing in ends with
the browser visiting /_crm/session?code=…&next=…: the route swaps the one-time code for
the session cookie (HttpOnly, SameSite=Lax) and sends the browser back to the page it came
for. /_crm/logout ends the server-side session and clears the cookie. Every response gets
anti-framing headers, and Streamlit's /_stcore/metrics is not served.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from crm_data.accounts import sessions

PREFIX = "_crm"
XSRF_COOKIE = "_streamlit_xsrf"
CODE_SECONDS = 60
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
REFUSED_PATHS = ("/_stcore/metrics",)

MOUNTED = False  # set by routes(): the dashboard then hands sign-in to the cookie route
_codes: dict[str, tuple[str, float, bytes | None]] = {}
_lock = threading.Lock()


def base_path() -> str:
    """server.baseUrlPath as "/path" ("" when served at the root)."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _browser_token(xsrf_cookie) -> bytes | None:
    """The token inside Streamlit's XSRF cookie (its mask changes, the token does not)."""
    from streamlit.web.server.starlette.starlette_app_utils import decode_xsrf_token_string

    return decode_xsrf_token_string(xsrf_cookie)[0] if isinstance(xsrf_cookie, str) else None


def issue_code(cookie: str, xsrf_cookie: str | None = None) -> str:
    """A one-time code, valid for a minute, that the cookie route swaps for `cookie`: the
    session token never appears in a URL. Bound to the browser that signed in (its XSRF
    cookie), so a code sent to somebody else cannot sign them in as the sender."""
    code = secrets.token_urlsafe(24)
    now = time.monotonic()
    with _lock:
        for old in [c for c, entry in _codes.items() if entry[1] < now]:
            del _codes[old]
        _codes[code] = (cookie, now + CODE_SECONDS, _browser_token(xsrf_cookie))
    return code


def _take(code: str | None, xsrf_cookie: str | None) -> str | None:
    with _lock:
        entry = _codes.pop(code or "", None)
    if entry is None or entry[1] < time.monotonic():
        return None
    if entry[2] is not None and _browser_token(xsrf_cookie) != entry[2]:
        return None
    return entry[0]


def local_target(value: str | None) -> str:
    """`next` as a path on this site (never another host); the root otherwise."""
    base = base_path()
    value = value or ""
    parts = urlsplit(value)
    if (not value.startswith("/") or value.startswith("//") or "\\" in value
            or parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in value)):
        return base + "/"
    return value if value.startswith(base + "/") else base + "/"


def session_url(code: str, target: str) -> str:
    from urllib.parse import urlencode

    return f"{base_path()}/{PREFIX}/session?" + urlencode({"code": code, "next": target})


def logout_url() -> str:
    return f"{base_path()}/{PREFIX}/logout"


def _secure(request) -> bool:
    return request.url.scheme == "https" or os.environ.get("CRM_COOKIE_SECURE") == "1"


async def _session(request):
    cookie = _take(request.query_params.get("code"), request.cookies.get(XSRF_COOKIE))
    response = RedirectResponse(local_target(request.query_params.get("next")), status_code=303)
    if cookie:
        response.set_cookie(sessions.COOKIE_NAME, cookie,
                            max_age=int(sessions.max_lifetime().total_seconds()),
                            path=base_path() or "/", httponly=True, samesite="lax",
                            secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


async def _logout(request):
    from crm_data.storage.db import get_engine

    cookie = request.cookies.get(sessions.COOKIE_NAME)
    if cookie:  # idempotent: the page revoked it already when the button was pressed
        await run_in_threadpool(sessions.end_by_cookie, get_engine(), cookie)
    response = RedirectResponse(base_path() + "/", status_code=303)
    response.delete_cookie(sessions.COOKIE_NAME, path=base_path() or "/", httponly=True,
                           samesite="lax", secure=_secure(request))
    response.headers["Cache-Control"] = "no-store"
    return response


def routes() -> list[Route]:
    global MOUNTED
    MOUNTED = True
    base = base_path()
    return [Route(f"{base}/{PREFIX}/session", _session, methods=["GET"]),
            Route(f"{base}/{PREFIX}/logout", _logout, methods=["GET"])]


class SecurityHeaders:
    """Pure ASGI middleware (WebSocket traffic passes untouched)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = "/" + "/".join(p for p in scope.get("path", "").lower().split("/") if p)
        if any(path.endswith(refused) for refused in REFUSED_PATHS):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def middleware() -> list[Middleware]:
    return [Middleware(SecurityHeaders)]
