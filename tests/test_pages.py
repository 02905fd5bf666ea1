"""AppTest: play a whole scenario through the Practice page by clicking, in both modes, and read the results
back from the database and from the data behind every Progress chart.

The library is pointed at tests/fixtures/good (the hand-scored 'mini' scenario, see test_scorer.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from records import Store

pytestmark = pytest.mark.apptest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def fixture_library(monkeypatch):
    monkeypatch.setenv("PEERSIM_LIBRARY_DIR", str(FIXTURES / "good"))
    st.cache_resource.clear()
    yield
    st.cache_resource.clear()


def new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    return at.run()


def sign_in(at: AppTest, name: str = "Ana") -> AppTest:
    at.text_input(key="profile_new_name").input(name)
    at.button[0].click()  # the form's "Start practising"
    return at.run()


def texts(at: AppTest) -> list[str]:
    """Everything the page says in markdown-like elements, in order."""
    found = []
    for kind in ("markdown", "caption", "success", "info", "warning", "error"):
        found.extend(element.value for element in at.get(kind))
    return found


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return at.run()


def start_mini(at: AppTest, mode: str) -> AppTest:
    at.switch_page("pages/practice.py").run()
    click(at, "choose_mini")
    at.radio(key="start_mode").set_value(mode)
    return click(at, "start")


def charts(at: AppTest) -> dict[str, dict]:
    return {chart.proto.id: json.loads(chart.proto.spec) for chart in at.get("plotly_chart")}


def test_first_visit_asks_who_is_practising():
    at = new_app()
    assert not at.exception
    assert at.title[0].value == "PeerSim"
    assert at.subheader[0].value == "Who is practising?"


def test_an_empty_name_gets_a_kind_message_and_creates_nothing(isolated_data):
    at = sign_in(new_app(), "   ")
    assert [e.value for e in at.error] == ["Please type a name (it can be a first name or a nickname)."]
    store = Store.open(isolated_data)
    assert store.profiles() == []
    store.close()


def test_coached_mode_end_to_end(isolated_data):
    at = sign_in(new_app())
    assert at.subheader[0].value == "Welcome, Ana"
    at = start_mini(at, "coached")
    assert not at.exception
    assert "**Sam:** I keep thinking about finishing my GED\\. Not sure, though\\." in texts(at)

    # Decision 1: the mixed choice; feedback appears at once.
    click(at, "choice_open_mixed")
    shown = texts(at)
    assert "**You:** I hear you\\. You should start with the math test\\." in shown
    assert "**Mixed: helpful in part** (+0 points; the strongest response here scores +2)" in shown
    assert (
        ":material/remove_circle: **Pitfall: Taking the reins** · Self\\-determination  \n"
        "Telling the peer what their goals or steps should be, or steering so hard that the plan becomes yours\\."
    ) in shown
    assert "**Why:** Listens, then takes the reins\\." in shown
    assert (
        "**A stronger response:** “You keep coming back to it, and you're not sure yet\\.”  \nReflects both sides and keeps exploring\\."
        in shown
    )
    assert "Where Sam was at this point: thinking about it." in shown

    click(at, "continue")
    assert "**Sam:** Okay\\. I think I want to do it\\. Where would I even start?" in texts(at)

    # Decision 2: the strongest choice, which ends the conversation.
    click(at, "choice_ready_pen")
    assert "**Strong response** (+2 points; the strongest response here scores +2)" in texts(at)
    assert at.button(key="continue").label == "See how it ended"
    click(at, "continue")
    assert [(m.label, m.value) for m in at.metric] == [("Score", "67%"), ("Your points", "2"), ("Strongest path", "4")]
    assert "**Ending:** A first step" in texts(at)

    # The database holds exactly the two decisions, committed as they were made.
    store = Store.open(isolated_data)
    [ana] = store.profiles()
    [attempt] = store.attempts_of(ana, ana.id)
    assert (attempt.status, attempt.mode, attempt.points, attempt.score, attempt.ending_id) == (
        "finished",
        "coached",
        2,
        67,
        "good",
    )
    decisions = store.decisions(ana, attempt.id)
    assert [(d.step, d.node_id, d.choice_id, d.points, d.criteria) for d in decisions] == [
        (1, "open", "mixed", 0, ("pf.dictating", "po.reflective-listening")),
        (2, "ready", "pen", 2, ("po.break-down-goals", "po.hand-the-pen")),
    ]
    store.close()

    # Progress: the data behind every chart.
    at.switch_page("pages/progress.py").run()
    assert not at.exception
    assert at.markdown[0].value == "You have finished one conversation, with a score of 67%\\."
    figures = charts(at)
    by_title = {f["layout"]["meta"]["title"]: f for f in figures.values()}
    assert by_title["Score per attempt"]["data"][0]["y"] == [67]
    heat = by_title["Pitfalls per week"]["data"][0]
    assert heat["y"] == ["Taking the reins"]
    assert heat["z"] == [[1]]
    balance = by_title["Possibilities versus pitfalls"]["data"]
    assert [(t["name"], t["y"]) for t in balance] == [("Possibilities shown", [3]), ("Pitfalls hit", [1])]
    domains = by_title["Domain profile: earlier versus recent"]["data"]
    assert [(t["name"], t["y"], t["x"]) for t in domains] == [
        ("Recent attempts", ["Self-determination", "Goal setting", "Relationship and boundaries"], [50, 100, 100])
    ]
    assert "**Taking the reins** (Self\\-determination): once" in texts(at)


def test_debrief_mode_holds_feedback_until_the_end():
    at = start_mini(sign_in(new_app()), "debrief")
    click(at, "choice_open_reflect")
    shown = texts(at)
    assert not any(s.startswith(("**Strong response**", "**A pitfall", "**Helpful", "**Mixed")) for s in shown)
    assert "**Sam:** Okay\\. I think I want to do it\\. Where would I even start?" in shown
    assert at.button(key="choice_ready_explore")

    click(at, "choice_ready_explore")
    assert [(m.label, m.value) for m in at.metric] == [("Score", "50%"), ("Your points", "1"), ("Strongest path", "4")]
    shown = texts(at)
    # All the feedback, at the end, with the paths side by side.
    assert "**Strong response** (+2 points; the strongest response here scores +2)" in shown
    assert "**A pitfall to learn from** (-1 point; the strongest response here scores +2)" in shown
    assert (
        "**A stronger response:** “What would a first small step look like to you?”  \nSam writes his own plan, one small step at a time\\."
        in shown
    )
    assert "1. You keep coming back to it, and you're not sure yet\\. (+2)" in shown
    assert "2. Let's keep talking about how school felt back then\\. (-1)" in shown
    assert "2. What would a first small step look like to you? (+2)" in shown
    assert all(expander.proto.expanded for expander in at.expander if expander.label[0].isdigit())


def test_pause_and_resume_in_a_new_session(isolated_data):
    at = start_mini(sign_in(new_app()), "debrief")
    click(at, "choice_open_reflect")
    click(at, "pause")
    assert "Paused “A short check\\-in”\\. Resume it from Home or the library\\." not in texts(at)  # flash is plain text
    assert any("Paused" in s for s in texts(at))

    # A new browser session (a refresh, or another server): choose the same profile and continue.
    again = new_app()
    again.selectbox(key="profile_pick").set_value("Ana").run()
    click(again, "profile_continue")
    assert any("A short check\\-in" in s and "1 of about 2 decisions made" in s for s in texts(again))
    resume_key = next(b.key for b in again.button if b.key and b.key.startswith("resume_"))
    click(again, resume_key)
    assert not again.exception
    shown = texts(again)
    assert "**You:** You keep coming back to it, and you're not sure yet\\." in shown
    assert "**Sam:** Okay\\. I think I want to do it\\. Where would I even start?" in shown
    click(again, "choice_ready_pen")
    assert next((m.label, m.value) for m in again.metric) == ("Score", "100%")

    store = Store.open(isolated_data)
    [ana] = store.profiles()
    [attempt] = store.attempts_of(ana, ana.id)
    assert [d.choice_id for d in store.decisions(ana, attempt.id)] == ["reflect", "pen"]
    store.close()


def test_leaving_ends_the_attempt_and_review_shows_the_transcript(isolated_data):
    at = start_mini(sign_in(new_app()), "coached")
    click(at, "choice_open_reflect")
    click(at, "continue")
    click(at, "leave")
    assert at.title[0].value == "Scenario library"
    at.switch_page("pages/review.py").run()
    assert not at.exception
    shown = texts(at)
    assert "**You:** You keep coming back to it, and you're not sure yet\\." in shown
    assert "**Strong response** (+2 points; the strongest response here scores +2)" in shown


def test_without_a_profile_only_home_is_in_the_navigation():
    at = new_app()
    assert at.subheader[0].value == "Who is practising?"
    with pytest.raises(ValueError, match=r"Known pages: \['.*/pages/home.py'\]"):
        at.switch_page("pages/practice.py")
    # Once a profile is chosen, the practice pages are there.
    sign_in(at)
    at.switch_page("pages/practice.py").run()
    assert at.title[0].value == "Scenario library"
