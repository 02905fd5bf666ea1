"""Who is using PeerSim in this browser session: one small interface for the rest of the app.

For now a trainee is a local profile chosen or created by name. The accounts issue replaces the inside of
this module with real sign-in; pages only call current_user(), require_user() and sign_out().
"""

from __future__ import annotations

import streamlit as st

from records import User
from ui import services, state


def current_user() -> User | None:
    user = st.session_state.get(state.USER)
    return user if isinstance(user, User) else None


def sign_in_profile(name: str) -> User:
    """Choose (or create) the local profile with this name; raises ValueError with a kind message."""
    user = services.store().profile(name)
    st.session_state[state.USER] = user
    return user


def sign_out() -> None:
    for key in (state.USER, state.PLAY, state.CHOSEN_SCENARIO, state.REVIEW_ATTEMPT):
        st.session_state.pop(key, None)


def require_user() -> User:
    """The current user, or a pointer to Home and a stop (for pages that need someone signed in)."""
    user = current_user()
    if user is None:
        st.info("Choose your profile on the Home page first, so your practice is saved to you.")
        st.page_link("pages/home.py", label="Go to Home", icon=":material/home:")
        st.stop()
    return user
