"""Every page, opened directly (as if by URL, bypassing the navigation), for every role: sensitive pages check
the role themselves. And text people typed is shown as text."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from tests.helpers import ROOT, session_for
from tests.shown import shown
from ui import state

pytestmark = pytest.mark.usefixtures("fixture_library")
PAGES = ["home", "practice", "progress", "review", "exam", "spaced", "live", "account", "cohorts", "dashboard", "studio", "admin"]
SIGN_IN = "Please sign in to practice. Your practice is saved to your account."
ALLOWED = {
    "trainee": {"home", "practice", "progress", "review", "exam", "spaced", "live", "account"},
    "instructor": {
        "home",
        "practice",
        "progress",
        "review",
        "exam",
        "spaced",
        "live",
        "account",
        "cohorts",
        "dashboard",
        "studio",
    },
    "admin": set(PAGES),
}
INSTRUCTORS_ONLY = "This page is for instructors and admins."
REFUSAL = {
    "cohorts": INSTRUCTORS_ONLY,
    "dashboard": INSTRUCTORS_ONLY,
    "studio": INSTRUCTORS_ONLY,
    "admin": "This page is for admins.",
}


# An entry point that registers every page for everyone, as a navigation mistake would. It lives in a temporary
# folder beside a link to pages/, because pages link to each other by paths relative to the entry point.
EVERY_PAGE_APP = """
import streamlit as st
wanted = st.session_state.get("test.page", "home")
names = ("home", "practice", "progress", "review", "exam", "spaced", "live", "account", "cohorts", "dashboard", "studio", "admin")
st.navigation([st.Page(f"pages/{n}.py", default=n == wanted) for n in names]).run()
"""


@pytest.fixture(scope="module")
def every_page_app(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("every_page")
    (folder / "pages").symlink_to(ROOT / "pages", target_is_directory=True)
    script = folder / "every_page_app.py"
    script.write_text(EVERY_PAGE_APP, encoding="utf-8")
    return script


@pytest.fixture
def open_page(every_page_app):
    def run(page: str, token: str | None) -> AppTest:
        return _open(every_page_app, page, token)

    return run


def _open(script: Path, page: str, token: str | None) -> AppTest:
    at = AppTest.from_file(str(script), default_timeout=60)
    at.session_state["test.page"] = page
    if token:
        at.session_state[state.SESSION_TOKEN] = token
    return at.run()


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ["trainee", "instructor", "admin"])
def test_each_page_for_each_role(isolated_data, open_page, page, role):
    at = open_page(page, session_for(isolated_data, f"{role.title()} Person", role))
    assert not at.exception
    errors = [e.value for e in at.error]
    if page in ALLOWED[role]:
        assert errors == []
    else:
        assert errors == [REFUSAL[page]]
        assert len(at.main.children) == 1  # nothing of the page is drawn after the refusal


@pytest.mark.parametrize("page", PAGES)
def test_each_page_without_a_session(open_page, page):
    at = open_page(page, None)
    assert not at.exception
    assert [i.value for i in at.info] == [SIGN_IN]


def test_names_people_type_are_shown_as_text(isolated_data, open_page):
    store = Store.open(isolated_data)
    user = store.accounts.register(
        "<img src=x onerror=alert(1)> **Bold** [link](http://x)", "b@example.org", "quiet river lantern 42"
    )
    token = store.accounts.start_session(user)
    store.close()
    at = open_page("home", token)
    assert at.subheader[0].value == (
        "Welcome, \\<img src=x onerror=alert\\(1\\)\\> \\*\\*Bold\\*\\* \\[link\\]\\(http\\:\u2060//x\\)"
    )
    assert shown(at.subheader[0].value) == "Welcome, <img src=x onerror=alert(1)> **Bold** [link](http://x)"
