"""The one edge where errors become what people read: a kind message instead of an error box.

serve.py hands :func:`on_script_error` to ``st.App``, which calls it for any uncaught exception of a page,
a fragment or a callback.

* The database cannot be reached: the outage message. The engine checks each pooled connection before use
  (``pool_pre_ping``), so the first run after the database is back works again by itself.
* A refusal from records (records.errors.UserError: no access, no such record, a page out of date ...) that the
  page did not turn into its own message: its text, which records writes for the person who asked and which is
  safe to show (escaped, so nothing in it is read as Markdown).
* Anything else is a bug: Streamlit's own handling, and nothing of it is dressed up as a message.

The PeerSim server itself out of reach (restarting, or the network gone) is the browser's business, not a script
run's, so two more pieces live here:

* While the page has no connection, PeerSim's own words (``CONNECTION_LOST``) show at the top of it, from
  :func:`connection_watch` (app.py draws it on every run, hidden while connected: CSS keyed on the
  ``data-test-connection-state`` that Streamlit's frontend keeps on its root element). Streamlit's own dialog
  ("Streamlit server is not responding. Are you connected to the internet?", hard-coded in its frontend bundle with
  no option to reword it) is switched off through the host configuration the frontend reads at start:
  :class:`HostConfig` answers ``blockErrorDialogs: true`` on ``/_stcore/host-config``, as a host that embeds
  Streamlit does (Streamlit's docs for ``client.allowedOrigins`` point hosts to that endpoint). Nothing of
  Streamlit's files is changed.
* After a restart the page in the browser reconnects to a new session that knows nothing of it (session state is
  gone), and Streamlit does not redraw it until the next click. That click's callback cannot run (the new session
  has never drawn its button) and the page it asked for is no longer there: it was silently dropped. The first run
  of such a session now says so (``RECONNECTED``), so the trainee chooses again, once.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import streamlit as st
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from records import UNAVAILABLE, is_unavailable
from records.errors import UserError
from ui.render import esc

log = logging.getLogger("peersim")
MESSAGE = (
    "PeerSim cannot reach its database just now, so this page cannot load. Everything you saved before this "
    "moment is safe. Please try again in a minute (reload the page); it will work again as soon as the "
    "database is back."
)


def on_script_error(error: Exception) -> bool | None:
    """Show the outage message for database outages, and a refusal's own words for a UserError (True: Streamlit
    shows nothing more); other errors keep Streamlit's own handling (None)."""
    if isinstance(error, UserError):
        st.warning(esc(str(error)), icon=":material/info:")
        return True
    if not is_unavailable(error):
        return None
    log.warning("database unavailable: %s: %s", error.__class__.__name__, str(error).splitlines()[0][:200])
    st.error(MESSAGE, icon=":material/cloud_off:")
    return True


CONNECTION_LOST = (
    "PeerSim's server is not answering just now; it may be restarting. Everything you have saved is safe. "
    "Please wait a moment: this page works again as soon as the server is back."
)
RECONNECTED = (
    "PeerSim lost touch with this page for a moment (it may have restarted), so your last click may not have "
    "reached it. Nothing you saved before was lost. Your conversation is back where it was saved: please make "
    "your last choice again if it is not there."
)
JUST_RECONNECTED = "peersim.just_reconnected"
SEEN = "peersim.session_seen"
"""Set in the first run of every browser session."""

# Hidden while connected; fixed at the top of the page while Streamlit's frontend is reconnecting or has given up.
# The selectors are the test ids Streamlit's frontend puts on its elements for its own end-to-end tests
# (tests/browser/test_faults.py checks them on this version); the text is fixed.
_OFFLINE_HTML = (
    "<style>"
    "[data-testid=stElementContainer]:has(.peersim-offline){display:none}"
    "[data-testid=stApp]:not([data-test-connection-state=CONNECTED]) [data-testid=stElementContainer]:has(.peersim-offline)"
    "{display:block;position:fixed;top:0;left:0;right:0;width:auto;z-index:1000100;margin:0}"
    ".peersim-offline{background:#fff4e5;color:#0b0d12;border-bottom:3px solid #b35900;padding:0.75rem 1rem;"
    "font-size:1rem;line-height:1.5;box-shadow:0 2px 6px rgba(0,0,0,0.2)}"
    "</style>"
    f'<div class="peersim-offline" role="status"><strong>Waiting for PeerSim.</strong> {CONNECTION_LOST}</div>'
)


def names_a_previous_session(protocols: str | None) -> bool:
    """Whether the ``Sec-WebSocket-Protocol`` header of Streamlit's websocket names a session the page had before.
    Streamlit's frontend sends "streamlit, <XSRF token>, <previous session id>" and leaves the third entry empty
    when the page was just opened or reloaded (streamlit.web.server.starlette.starlette_websocket reads the same
    entries to reconnect to a session it still has)."""
    entries = [entry.strip() for entry in (protocols or "").split(",")]
    return len(entries) >= 3 and bool(entries[2])


def replaces_a_lost_session() -> bool:
    """True in the first run of a browser session whose page was drawn by a session this server does not have (the
    server restarted, or the session expired while the browser was away): the page names a previous session, and
    this one is new (a session the server still had would be reconnected to, with its state, and not be new)."""
    if SEEN in st.session_state:
        return False
    st.session_state[SEEN] = True
    return names_a_previous_session(st.context.headers.get("Sec-WebSocket-Protocol"))


def connection_watch() -> None:
    """Every run, from app.py: PeerSim's words for the time the connection is down, and the notice in the first run
    of a session that replaces a lost one."""
    st.html(_OFFLINE_HTML)
    if replaces_a_lost_session():
        st.session_state[JUST_RECONNECTED] = True  # for this run only: Practice puts the conversation back
        st.warning(RECONNECTED, icon=":material/restart_alt:")
    else:
        st.session_state.pop(JUST_RECONNECTED, None)


def just_reconnected() -> bool:
    """True in the first run of a session that replaces a lost one (see :func:`connection_watch`)."""
    return bool(st.session_state.get(JUST_RECONNECTED))


HOST_CONFIG_PATH = "/_stcore/host-config"


def _blocking_dialogs(body: bytes) -> bytes:
    """Streamlit's host configuration (JSON) with ``blockErrorDialogs`` on; anything else unchanged."""
    try:
        config = json.loads(body)
    except ValueError:
        return body
    if not isinstance(config, dict):
        return body
    return json.dumps({**config, "blockErrorDialogs": True}).encode()


class HostConfig:
    """Plain ASGI middleware: Streamlit's host configuration with ``blockErrorDialogs`` on, so its frontend never
    opens its own connection-lost dialog (PeerSim's words show instead, see :func:`connection_watch`). Everything
    else in the answer stays Streamlit's."""

    def __init__(self, app: ASGIApp, **_: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "GET" or not scope.get("path", "").endswith(HOST_CONFIG_PATH):
            await self.app(scope, receive, send)
            return
        # Asked for uncompressed (Streamlit's own middleware compresses larger answers), so it can be read here.
        headers = [(name, value) for name, value in scope.get("headers", []) if name.lower() != b"accept-encoding"]
        scope = {**scope, "headers": headers}
        start: Message | None = None
        body = bytearray()

        async def held(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            assert start is not None
            out = _blocking_dialogs(bytes(body)) if start["status"] == 200 else bytes(body)
            kept = [(n, v) for n, v in start.get("headers", []) if n.lower() != b"content-length"]
            await send({**start, "headers": [*kept, (b"content-length", str(len(out)).encode())]})
            await send({"type": "http.response.body", "body": out})

        await self.app(scope, receive, held)


__all__ = ["CONNECTION_LOST", "MESSAGE", "RECONNECTED", "UNAVAILABLE", "HostConfig", "connection_watch", "on_script_error"]
