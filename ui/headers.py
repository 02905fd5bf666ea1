"""Security headers on every HTTP response (a plain ASGI middleware: websockets pass through untouched).

* ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` everywhere: no MIME sniffing, and
  no address (a reset link's token, a join code) leaks to another site through the Referer header.
* The sign-in pages (``/auth/...``, PeerSim's own HTML) get a strict Content-Security-Policy: nothing loads
  from elsewhere, forms post only here, and no other site may frame them (clickjacking), plus the older
  ``X-Frame-Options: DENY``.
* The app's pages may be framed only by this site, or by the origins in ``PEERSIM_FRAME_ANCESTORS`` (space-
  separated, for a learning platform that embeds PeerSim).
"""

from __future__ import annotations

import os
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

AUTH_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def _app_policy() -> str:
    extra = os.environ.get("PEERSIM_FRAME_ANCESTORS", "").split()
    return "frame-ancestors " + " ".join(["'self'", *extra])


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    common = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
    if path.startswith("/auth"):
        return [*common, (b"content-security-policy", AUTH_POLICY.encode()), (b"x-frame-options", b"DENY")]
    return [*common, (b"content-security-policy", _app_policy().encode())]


class SecurityHeaders:
    def __init__(self, app: ASGIApp, **_: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = headers_for(scope.get("path", ""))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *((n, v) for n, v in extra if n not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
