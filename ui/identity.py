"""Who is using PeerSim in this browser session: one small interface for the rest of the app.

Two ways in, one rule: every script run checks a server-side session, so signing out takes effect at once on
every server and a copied cookie stops working.

* Password sign-in: the sign-in pages (ui/signin.py) set an HttpOnly cookie holding a session token.
* Single sign-on (optional, ui/sso.py): after st.login(), Streamlit's signed identity cookie arrives; the first
  time it is seen it is mapped onto a PeerSim user and recorded as a session, so signing out revokes it too.
"""

from __future__ import annotations

import streamlit as st

from records import User
from ui import services, sso, state
from ui.signin import SESSION_COOKIE


def _cookies() -> dict[str, str]:
    return {k: v for k, v in dict(st.context.cookies).items() if isinstance(v, str)}


def _token() -> str | None:
    cookie = _cookies().get(SESSION_COOKIE)
    if cookie:
        return cookie
    # AppTest cannot set cookies: tests hand the same kind of server-issued token in through session state.
    token = st.session_state.get(state.SESSION_TOKEN)
    return str(token) if token else None


def _single_sign_on_token() -> str | None:
    """The session key for Streamlit's identity cookie, when single sign-on is on and someone used it."""
    if not sso.enabled() or not st.user.is_logged_in:
        return None
    cookie = _cookies().get(sso.IDENTITY_COOKIE)
    return f"sso:{cookie}" if cookie else None


def _single_sign_on_user(token: str) -> User | None:
    accounts = services.store().accounts
    status = accounts.session_status(token)
    if status == "active":
        return accounts.user_for_session(token)
    if status == "ended":
        return None  # signed out: this identity cookie is never accepted again
    issuer = str(st.user.get("iss") or "oidc")
    subject = str(st.user.get("sub") or "")
    if not subject:
        return None
    email = st.user.get("email")
    name = st.user.get("name")
    user = accounts.single_sign_on(f"{issuer}|{subject}", str(email) if email else None, str(name) if name else None)
    accounts.start_session(user, token=token)
    return user


def current_user() -> User | None:
    """The signed-in user, checked against the server's sessions on every run."""
    user = services.store().accounts.user_for_session(_token())
    if user is None:
        sso_token = _single_sign_on_token()
        if sso_token is not None:
            user = _single_sign_on_user(sso_token)
    if user is None:
        for key in (state.PLAY, state.CHOSEN_SCENARIO, state.REVIEW_ATTEMPT):
            st.session_state.pop(key, None)
    return user


def signed_in_with_single_sign_on() -> bool:
    return _token() is None and _single_sign_on_token() is not None


def sign_out_single_sign_on() -> None:
    """End the single sign-on session on the server, then clear Streamlit's identity cookie."""
    services.store().accounts.end_session(_single_sign_on_token())
    st.logout()


def start_single_sign_on_if_asked() -> None:
    """The sign-in page's 'Sign in with ...' link arrives as /?sso=1: hand over to the provider."""
    if sso.enabled() and st.query_params.get("sso") == "1" and not st.user.is_logged_in:
        st.login()


def require_user(*roles: str) -> User:
    """The current user (with one of ``roles``, when given), or a kind message and a stop."""
    user = current_user()
    if user is None:
        st.info("Please sign in to practise. Your practice is saved to your account.")
        st.markdown('<a href="/auth/signin" target="_self">Sign in</a>', unsafe_allow_html=True)  # fixed text
        st.stop()
    if roles and user.role not in roles:
        st.error("This page is for " + " and ".join(f"{r}s" for r in roles) + ".")
        st.stop()
    return user
