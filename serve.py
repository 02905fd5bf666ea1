"""Start PeerSim: ``streamlit run serve.py``.

An st.App that serves the Streamlit script (app.py) together with the sign-in pages (ui/signin.py) and, when
configured, single sign-on (ui/sso_routes.py); both set the HttpOnly session cookie the script reads. Requests for
app pages without a valid session are sent to the sign-in page first.
"""

from __future__ import annotations

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from streamlit.runtime.pages_manager import PagesManager

from records import is_unavailable
from ui import lti_grades, lti_routes, outage, sso, sso_routes, xapi_sender
from ui.headers import SecurityHeaders
from ui.signin import ROUTES, SESSION_COOKIE, _store, announce_setup, database_unavailable, unavailable_page

# app.py's st.navigation decides which pages a user's role may open. But Streamlit 1.67 sees the pages/ folder
# beside app.py and, until the first run of app.py in this process sets this flag, serves a deep link such as
# /admin by running pages/admin.py directly, with every page in its sidebar. Say up front that navigation is
# st.navigation's (a class flag of Streamlit's; tests/browser/test_faults.py checks a deep link after a restart).
PagesManager.uses_pages_directory = False

# Paths the browser loads as pages (everything else is Streamlit's own: scripts, websocket, health, media).
_SERVICE_PREFIXES = ("/_stcore", "/static", "/auth", "/lti", "/media", "/component", "/app/static", "/favicon")


class SignInGate(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        path = request.url.path
        wants_page = request.method == "GET" and "text/html" in request.headers.get("accept", "")
        if wants_page and not path.startswith(_SERVICE_PREFIXES):
            try:
                user = await run_in_threadpool(_store().accounts.user_for_session, request.cookies.get(SESSION_COOKIE))
            except Exception as error:
                if not is_unavailable(error):
                    raise
                return unavailable_page()
            if user is None:
                return RedirectResponse("/auth/signin", status_code=303)
        return await call_next(request)


sso.settings()  # single sign-on half configured stops the start with a message saying what is missing
xapi_sender.start()  # xAPI on: this process's background sender of the outbox; half a configuration stops the start (docs/integrations.md)
lti_grades.ensure_sender()  # scores waiting for an LMS gradebook are sent from the start, not from the first LTI request
app = st.App(
    "app.py",
    routes=[*ROUTES, *sso_routes.ROUTES, *lti_routes.ROUTES],
    # HostConfig: Streamlit's frontend opens no connection-lost dialog of its own (ui/outage.py shows PeerSim's words).
    middleware=[Middleware(SecurityHeaders), Middleware(outage.HostConfig), Middleware(SignInGate)],
    # The database down or restarting: a kind message on the page (or a 503 page on the sign-in routes), and
    # the app recovers by itself when it is back.
    on_script_error=outage.on_script_error,
    exception_handlers={error: database_unavailable for error in outage.UNAVAILABLE},
)


def _announce_setup_if_needed() -> None:
    """A new installation prints its one-time set-up link at start (the sign-in pages print it again when asked)."""
    try:
        needs_admin = not _store().accounts.has_admin()
    except Exception as error:
        if not is_unavailable(error):
            raise
        return  # the database is not up yet: /auth/setup prints the link when it is first opened
    if needs_admin:
        address = st.get_option("server.address") or "localhost"
        announce_setup(f"http://{address}:{st.get_option('server.port')}")


_announce_setup_if_needed()

if __name__ == "__main__":
    app.run()
