"""Who is using PeerSim in this browser session: one small interface for the rest of the app.

Every way in (a password on the sign-in pages, ui/signin.py, or single sign-on, ui/sso_routes.py) ends the same
way: an HttpOnly cookie holding a random session token whose hash is in the database. Every script run checks it
against the server's sessions, so signing out (/auth/signout, the one way out) takes effect at once on every server,
and a copied cookie stops working.
"""

from __future__ import annotations

import weakref

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from records import User
from ui import services, state
from ui.signin import SESSION_COOKIE


def _token() -> str | None:
    cookie = st.context.cookies.get(SESSION_COOKIE)
    if isinstance(cookie, str) and cookie:
        return cookie
    # AppTest cannot set cookies: tests hand the same kind of server-issued token in through session state.
    token = st.session_state.get(state.SESSION_TOKEN)
    return str(token) if token else None


_CHECKED: weakref.WeakKeyDictionary[object, tuple[str | None, User | None]] = weakref.WeakKeyDictionary()
"""The session check of each script run, keyed by an object Streamlit makes afresh for every run (full or fragment)
and drops when the run ends: app.py checks the session and the page asks again, but the database is read once a run."""


def _this_run() -> object | None:
    ctx = get_script_run_ctx()
    # ScriptRunContext.reset() makes a new ParallelFragmentCoordinator at the start of every run (Streamlit 1.67);
    # tests/test_identity.py checks that a second run checks the session again.
    return getattr(ctx, "parallel_coordinator", None) if ctx is not None else None


def current_user() -> User | None:
    """The signed-in user, checked against the server's sessions once in every script run."""
    token = _token()
    run = _this_run()
    checked = _CHECKED.get(run) if run is not None else None
    if checked is not None and checked[0] == token:
        return checked[1]
    user = services.store().accounts.user_for_session(token)
    if run is not None:
        _CHECKED[run] = (token, user)
    if user is None:
        for key in (state.PLAY, state.CHOSEN_SCENARIO, state.REVIEW_ATTEMPT):
            st.session_state.pop(key, None)
    return user


def require_user(*roles: str) -> User:
    """The current user (with one of ``roles``, when given), or a kind message and a stop."""
    user = current_user()
    if user is None:
        st.info("Please sign in to practice. Your practice is saved to your account.")
        st.markdown('<a href="/auth/signin" target="_self">Sign in</a>', unsafe_allow_html=True)  # fixed text
        st.stop()
    if roles and user.role not in roles:
        st.error("This page is for " + " and ".join(f"{r}s" for r in roles) + ".")
        st.stop()
    return user


def session_token() -> str | None:
    """This browser session's token, for an action that keeps this session signed in while ending the others
    (changing one's password)."""
    return _token()
