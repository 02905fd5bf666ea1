"""PeerSim: practice peer support conversations. Entry point: page config, sign-in gate, and navigation with
the pages this user's role may see. Serve it with ``streamlit run serve.py`` (which adds the sign-in pages).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import identity, outage, play

ICON = Path(__file__).resolve().parent / "ui" / "assets" / "icon.png"  # local: no request leaves the server
ROLE_NAMES = {"trainee": "Trainee", "instructor": "Instructor", "admin": "Admin"}


PAGES = "peersim.pages"
"""Session state: this session's st.Page objects, made in its first run and used by every later one."""


def _pages() -> dict[str, st.Page]:
    made = st.session_state.get(PAGES)
    if made is None:
        made = {
            "home": st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
            "practice": st.Page("pages/practice.py", title="Practice", icon=":material/forum:"),
            "progress": st.Page("pages/progress.py", title="Progress", icon=":material/insights:"),
            "review": st.Page("pages/review.py", title="Review", icon=":material/history:"),
            "exam": st.Page("pages/exam.py", title="Mock exam", icon=":material/quiz:"),
            "spaced": st.Page("pages/spaced.py", title="Spaced review", icon=":material/event_repeat:"),
            "account": st.Page("pages/account.py", title="Account and privacy", icon=":material/manage_accounts:"),
            "live": st.Page("pages/live.py", title="Live class", icon=":material/co_present:"),
            "cohorts": st.Page("pages/cohorts.py", title="Cohorts", icon=":material/groups:"),
            "dashboard": st.Page("pages/dashboard.py", title="Class dashboard", icon=":material/monitoring:"),
            "studio": st.Page("pages/studio.py", title="Scenario studio", icon=":material/edit_note:"),
            "admin": st.Page("pages/admin.py", title="Admin", icon=":material/admin_panel_settings:"),
        }
        st.session_state[PAGES] = made
    return made


def run() -> None:
    st.set_page_config(page_title="PeerSim", page_icon=str(ICON), layout="centered")
    # Keyboard focus must always show (WCAG 2.4.7): Streamlit tints a focused sidebar link the same grey as the
    # current page, and a focused radio option only faintly. Fixed CSS, no user input.
    st.html(
        "<style>[data-testid=stSidebarNavLink]:focus-visible,[data-baseweb=radio]:has(input:focus-visible)"
        "{outline:3px solid #1f4e79;outline-offset:2px}</style>"
    )
    # PeerSim's own words while the server is out of reach, and after a restart a notice that the last click may be lost.
    outage.connection_watch()
    pages = _pages()
    home, practice = pages["home"], pages["practice"]

    user = identity.current_user()
    if user is None:
        shown = [home]
    else:
        # One flat list: Streamlit draws sectioned navigation as <div>s inside its <ul>, which screen readers
        # cannot read as a list (axe: "list", serious).
        shown = [pages[name] for name in ("home", "practice", "progress", "review", "exam", "spaced", "live")]
        if user.role in ("instructor", "admin"):
            shown += [pages[name] for name in ("cohorts", "dashboard", "studio")]
        if user.role == "admin":
            shown.append(pages["admin"])
        shown.append(pages["account"])
    navigation = st.navigation(shown)
    if navigation.url_path != practice.url_path:
        play.left_practice()
    if user is not None:
        with st.sidebar:
            st.caption(f"Signed in as {ROLE_NAMES.get(user.role, user.role)}")
            st.text(user.name)
            # A same-tab link (Streamlit opens plain links in a new tab); fixed text, no user input in this HTML.
            st.markdown('<a href="/auth/signout" target="_self">Sign out</a>', unsafe_allow_html=True)
    navigation.run()


run()
