"""PeerSim: practise peer support conversations. Entry point: page config and navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import identity

ICON = Path(__file__).resolve().parent / "ui" / "assets" / "icon.png"  # local: no request leaves the server


def run() -> None:
    st.set_page_config(page_title="PeerSim", page_icon=str(ICON), layout="centered")
    home = st.Page("pages/home.py", title="Home", icon=":material/home:", default=True)
    practice = st.Page("pages/practice.py", title="Practice", icon=":material/forum:")
    progress = st.Page("pages/progress.py", title="Progress", icon=":material/insights:")
    review = st.Page("pages/review.py", title="Review", icon=":material/history:")
    user = identity.current_user()
    pages = [home, practice, progress, review] if user is not None else [home]
    navigation = st.navigation(pages)
    with st.sidebar:
        if user is not None:
            st.caption("Signed in as")
            st.text(user.name)
            if st.button("Switch profile", key="sign_out", icon=":material/logout:"):
                identity.sign_out()
                st.rerun()
    navigation.run()


run()
