"""What one script run costs the server (issue 18): the session is checked once a run, however many parts of the
app ask who is signed in; the navigation's pages are made once a session; and a choice in a conversation does
not gather the scenarios this trainee may play (only the library and start screens list them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from records import Store
from records.accounts import Accounts
from tests.helpers import app_for, session_for
from ui import services

pytestmark = pytest.mark.usefixtures("fixture_library")


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """How often each costly call ran."""
    calls: Counter[str] = Counter()
    real_check = Accounts.user_for_session
    real_playable = services.playable

    def check(self: Accounts, token: str | None):  # type: ignore[no-untyped-def]
        calls["session checks"] += 1
        return real_check(self, token)

    def playable(user):  # type: ignore[no-untyped-def]
        calls["playable"] += 1
        return real_playable(user)

    monkeypatch.setattr(Accounts, "user_for_session", check)
    monkeypatch.setattr(services, "playable", playable)
    yield calls


def practice(token: str):  # type: ignore[no-untyped-def]
    at = app_for(token)
    at.switch_page("pages/practice.py").run()
    return at


def test_the_session_is_checked_once_a_run_though_app_py_and_the_page_both_ask(isolated_data, counted):
    token = session_for(isolated_data)
    at = practice(token)
    assert not at.exception
    before = counted["session checks"]
    at.run()  # one rerun: app.py asks, then the Practice page asks again
    assert counted["session checks"] - before == 1


def test_every_run_checks_the_session_again_so_signing_out_elsewhere_ends_it_at_the_next_click(isolated_data, counted):
    token = session_for(isolated_data)
    at = practice(token)
    assert at.title[0].value == "Scenario library"
    store = Store.open(isolated_data)
    try:
        store.accounts.end_session(token)  # signed out on another server
    finally:
        store.close()
    at.run()
    assert not at.exception
    assert "Please sign in to practice. Your practice is saved to your account." in [i.value for i in at.info]
    assert not at.title or at.title[0].value != "Scenario library"


def test_a_choice_does_not_gather_the_playable_scenarios_but_the_library_does(isolated_data, counted):
    token = session_for(isolated_data)
    at = practice(token)
    assert counted["playable"] == 1  # the library lists them
    first = next(b for b in at.button if b.key and b.key.startswith("choose_"))
    first.click().run()  # a scenario's start screen: it must be one the trainee may play
    assert counted["playable"] == 2
    start = next(b for b in at.button if b.key == "start")
    start.click().run()
    choice = next(b for b in at.button if b.key and b.key.startswith("choice_"))
    before = counted["playable"]
    choice.click().run()
    assert not at.exception
    assert "##### Feedback on your response" in [m.value for m in at.markdown]
    assert counted["playable"] == before  # the choice, its feedback and the transcript: none of it


def test_the_navigation_pages_are_made_once_a_session(isolated_data, monkeypatch):
    import streamlit as st

    made: Counter[str] = Counter()
    real_page = st.Page

    def page(*args, **kwargs):  # type: ignore[no-untyped-def]
        made[str(args[0])] += 1
        return real_page(*args, **kwargs)

    monkeypatch.setattr(st, "Page", page)
    at = app_for(session_for(isolated_data))
    at.run()
    at.run()
    assert made == Counter(
        {
            f"pages/{name}.py": 1
            for name in (
                "home",
                "practice",
                "progress",
                "review",
                "exam",
                "spaced",
                "account",
                "live",
                "cohorts",
                "dashboard",
                "studio",
                "admin",
            )
        }
    )
