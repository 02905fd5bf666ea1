"""AppTest: play a whole scenario through the Practice page by clicking, in both modes, and read the results
back from the database and from the data behind every Progress chart.

The library is pointed at tests/fixtures/good (the hand-scored 'mini' scenario, see test_scorer.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from tests.helpers import ROOT, app_for, charts, session_for, texts
from ui.render import esc

pytestmark = [pytest.mark.apptest, pytest.mark.usefixtures("fixture_library")]


def new_app(token: str | None = None) -> AppTest:
    return app_for(token)


def sign_in(database_url: str, name: str = "Ana", role: str = "trainee") -> AppTest:
    return new_app(session_for(database_url, name, role))


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return at.run()


def start_mini(at: AppTest, mode: str) -> AppTest:
    at.switch_page("pages/practice.py").run()
    click(at, "choose_mini")
    at.radio(key="start_mode").set_value(mode)
    return click(at, "start")


def test_without_a_session_home_asks_to_sign_in():
    at = new_app()
    assert not at.exception
    assert at.title[0].value == "PeerSim"
    assert [i.value for i in at.info] == ["Please sign in to practice. Your practice is saved to your account."]
    assert (
        '<a href="/auth/signin" target="_self">Sign in</a> · <a href="/auth/signup" target="_self">Create an account</a>'
        in texts(at)
    )


def test_a_made_up_token_is_not_a_session():
    at = new_app("not-a-real-token")
    assert [i.value for i in at.info] == ["Please sign in to practice. Your practice is saved to your account."]


def test_coached_mode_end_to_end(isolated_data):
    at = sign_in(isolated_data)
    assert at.subheader[0].value == "Welcome, Ana"
    at = start_mini(at, "coached")
    assert not at.exception
    assert "**Sam:** I keep thinking about finishing my GED\\. Not sure, though\\." in texts(at)

    # Decision 1: the mixed choice; feedback appears at once.
    click(at, "choice_open_mixed")
    shown = texts(at)
    assert "**You:** I hear you\\. You should start with the math test\\." in shown
    assert "**Mixed: helpful in part:** it helps in part and also falls into a pitfall." in shown
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
    assert "**Strong response:** among the strongest responses at this point." in texts(at)
    assert at.button(key="continue").label == "See how it ended"
    click(at, "continue")
    # Scoring version 2: (1/3 + 1) / (2 decisions + 1 pitfall) = 44%.
    assert [(m.label, m.value) for m in at.metric] == [("Score", "44%"), ("Among the strongest", "1 of 2"), ("Pitfalls", "1")]
    assert "**Ending:** A first step" in texts(at)

    # The database holds exactly the two decisions, committed as they were made.
    store = Store.open(isolated_data)
    ana = store.accounts.sign_in("ana@example.org", "quiet river lantern 42")
    [attempt] = store.attempts_of(ana, ana.id)
    assert (attempt.status, attempt.mode, attempt.points, attempt.score, attempt.ending_id) == (
        "finished",
        "coached",
        2,
        44,
        "good",
    )
    assert (attempt.strongest, attempt.pitfalls, attempt.scoring_version) == (1, 1, 2)
    decisions = store.decisions(ana, attempt.id)
    assert [(d.step, d.node_id, d.choice_id, d.quality, d.counted, d.points, d.criteria) for d in decisions] == [
        (1, "open", "mixed", "mixed", True, 0, ("pf.dictating", "po.reflective-listening")),
        (2, "ready", "pen", "strongest", True, 2, ("po.break-down-goals", "po.hand-the-pen")),
    ]
    store.close()

    # Progress: the data behind every chart.
    at.switch_page("pages/progress.py").run()
    assert not at.exception
    assert at.markdown[0].value == "You have finished one conversation, with a score of 44%\\."
    figures = charts(at)
    by_title = {f["layout"]["meta"]["title"]: f for f in figures.values()}
    assert by_title["Score per attempt"]["data"][0]["y"] == [44]
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
    by_scenario = next(t for t in at.table if "first try" in t.value.columns)
    assert by_scenario.value.to_dict("records") == [
        {
            "scenario": "A short check\\-in",
            "tries": 1,
            "first try": "44%",
            "latest": "44%",
            "best": "44%",
            "change": "one try so far",
        }
    ]


def test_debrief_mode_holds_feedback_until_the_end(isolated_data):
    at = start_mini(sign_in(isolated_data), "debrief")
    click(at, "choice_open_reflect")
    shown = texts(at)
    assert not any(s.startswith(("**Strong response**", "**A pitfall", "**Helpful", "**Mixed")) for s in shown)
    assert "**Sam:** Okay\\. I think I want to do it\\. Where would I even start?" in shown
    assert at.button(key="choice_ready_explore")

    click(at, "choice_ready_explore")
    # 1 / (2 decisions + 1 pitfall) = 33%.
    assert [(m.label, m.value) for m in at.metric] == [("Score", "33%"), ("Among the strongest", "1 of 2"), ("Pitfalls", "1")]
    shown = texts(at)
    # All the feedback, at the end, with the paths side by side.
    assert "**Strong response:** among the strongest responses at this point." in shown
    assert "**A pitfall to learn from:** it falls into a pitfall. The feedback below shows a stronger way." in shown
    assert (
        "**A stronger response:** “What would a first small step look like to you?”  \nSam writes his own plan, one small step at a time\\."
        in shown
    )
    assert "1. You keep coming back to it, and you're not sure yet\\. (strong response)" in shown
    assert "2. Let's keep talking about how school felt back then\\. (a pitfall to learn from)" in shown
    assert "2. What would a first small step look like to you?" in shown  # the strongest path
    assert all(expander.proto.expanded for expander in at.expander if expander.label[0].isdigit())


def test_the_summary_says_how_many_decisions_were_made(isolated_data):
    at = start_mini(sign_in(isolated_data), "debrief")
    click(at, "choice_open_plan")  # the conversation ends at once
    assert at.header[0].value == "How it went"
    assert "Debrief mode · 1 decision made" in [c.value for c in at.caption]  # not "decision 2 of about 2"
    at.run()  # a rerun on the same page keeps the summary
    assert at.header[0].value == "How it went"
    # Leaving for another page and coming back opens the library: tests/browser/test_shuffle.py (AppTest runs a
    # switched-to page without app.py's navigation, where the summary is closed).


def test_pause_and_resume_in_a_new_session(isolated_data):
    token = session_for(isolated_data)
    at = start_mini(new_app(token), "debrief")
    click(at, "choice_open_reflect")
    click(at, "pause")
    assert "Paused “A short check\\-in”\\. Resume it from Home or the library\\." not in texts(at)  # flash is plain text
    assert any("Paused" in s for s in texts(at))

    # A new browser session with the same cookie (a refresh, or another server): continue.
    again = new_app(token)
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
    ana = store.accounts.sign_in("ana@example.org", "quiet river lantern 42")
    [attempt] = store.attempts_of(ana, ana.id)
    assert [d.choice_id for d in store.decisions(ana, attempt.id)] == ["reflect", "pen"]
    store.close()


def test_leaving_ends_the_attempt_and_review_shows_the_transcript(isolated_data):
    at = start_mini(sign_in(isolated_data), "coached")
    click(at, "choice_open_reflect")
    click(at, "continue")
    click(at, "leave")
    assert at.title[0].value == "A short check\\-in"  # one tap does not end it: Leave asks first
    assert "**Leave this conversation?** It ends here; your choices so far stay in Review." in texts(at)
    click(at, "leave_cancel")
    assert at.button(key="leave")  # kept talking
    click(at, "leave")
    click(at, "leave_confirm")
    assert at.title[0].value == "Scenario library"
    at.switch_page("pages/review.py").run()
    assert not at.exception
    shown = texts(at)
    assert "**You:** You keep coming back to it, and you're not sure yet\\." in shown
    assert "**Strong response:** among the strongest responses at this point." in shown
    review_caption = next(c.value for c in at.caption if c.value.startswith("A short check"))
    assert review_caption == "A short check\\-in · coached mode"  # no content hash or node id shown to a trainee


def pages_in_navigation(at: AppTest) -> list[str]:
    """The page files st.navigation registered in the last run (a page left out cannot be opened by URL)."""
    return sorted(Path(info["script_path"]).name for info in at._registered_pages.values())


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (None, ["home.py"]),
        (
            "trainee",
            ["account.py", "exam.py", "home.py", "live.py", "practice.py", "progress.py", "review.py", "spaced.py"],
        ),
        (
            "instructor",
            [
                "account.py",
                "cohorts.py",
                "dashboard.py",
                "exam.py",
                "home.py",
                "live.py",
                "practice.py",
                "progress.py",
                "review.py",
                "spaced.py",
                "studio.py",
            ],
        ),
        (
            "admin",
            [
                "account.py",
                "admin.py",
                "cohorts.py",
                "dashboard.py",
                "exam.py",
                "home.py",
                "live.py",
                "practice.py",
                "progress.py",
                "review.py",
                "spaced.py",
                "studio.py",
            ],
        ),
    ],
)
def test_each_role_sees_only_its_pages(isolated_data, role, expected):
    at = new_app() if role is None else sign_in(isolated_data, f"{role.title()} Person", role)
    assert pages_in_navigation(at) == expected


def test_signing_out_on_the_server_ends_the_session_in_every_browser(isolated_data):
    token = session_for(isolated_data)
    at = new_app(token)
    assert at.subheader[0].value == "Welcome, Ana"
    store = Store.open(isolated_data)
    store.accounts.end_session(token)  # what /auth/signout does
    store.close()
    at.run()
    assert [i.value for i in at.info] == ["Please sign in to practice. Your practice is saved to your account."]
    at.switch_page("pages/practice.py").run()  # registered earlier, but no longer in the navigation
    assert "Scenario library" not in [t.value for t in at.title]


def test_deleting_your_account_from_its_page(isolated_data):
    token = session_for(isolated_data, "Ana")
    at = new_app(token)
    at.switch_page("pages/account.py").run()
    delete = next(b for b in at.button if b.label == "Delete my account and records")
    assert delete.proto.type != "primary"  # the destructive action is never the highlighted one
    at.text_input(key="delete_confirm").input("delete it")  # a form: typed values go with the submit
    next(b for b in at.button if b.label == "Delete my account and records").click().run()
    assert [e.value for e in at.error] == ['Nothing was deleted. To delete, type "delete my account" exactly.']
    at.text_input(key="delete_confirm").input("Delete my account")
    next(b for b in at.button if b.label == "Delete my account and records").click().run()
    # Home, signed out: the farewell, the sign-in links, and no page or name of a signed-in user in the sidebar
    assert [s.value for s in at.success] == ["Your account and records have been deleted. Thank you for practicing with PeerSim."]
    assert [i.value for i in at.info] == ["Please sign in to practice. Your practice is saved to your account."]
    assert "Ana" not in " ".join(texts(at))
    assert [t.value for t in at.title] == ["PeerSim"]
    store = Store.open(isolated_data)
    try:
        assert store.accounts.user_for_session(token) is None  # this browser's session ended with the account
    finally:
        store.close()
    assert [i.value for i in new_app(token).info] == ["Please sign in to practice. Your practice is saved to your account."]


def test_the_library_searches_sorts_and_shows_what_you_played(isolated_data, monkeypatch):
    """On the shipped library: a search matches every word anywhere a trainee reads about a scenario; sorting by
    title is alphabetical; each card says whether it was played, how often and its best score."""
    import streamlit as st

    from scenarios import load_library
    from scoring import default_rubric

    monkeypatch.setenv("PEERSIM_LIBRARY_DIR", str(ROOT / "scenarios" / "library"))
    st.cache_resource.clear()
    rubric = default_rubric()
    shipped = load_library(rubric=rubric).loaded
    token = session_for(isolated_data, "Ana")
    store = Store.open(isolated_data)
    ana = store.accounts.user_for_session(token)
    tomas = next(s for s in shipped if s.id == "tomas-safer-not-sober")
    first = tomas.scenario.start
    strongest = [
        (n, c.id) for n, c in [(first, next(c for c in tomas.scenario.nodes[first].choices if c.quality == "strongest"))]
    ]
    attempt = store.start_attempt(
        ana, scenario_id=tomas.id, content_hash=tomas.content_hash, source=tomas.text, start=first, mode="coached"
    )
    store.record_choice(
        ana,
        attempt.id,
        step=1,
        node_id=strongest[0][0],
        choice_id=strongest[0][1],
        time_taken_ms=900,
        loaded=tomas,
        rubric=rubric,
    )
    store.close()

    at = new_app(token)
    at.switch_page("pages/practice.py").run()
    assert f"Showing {len(shipped)} of {len(shipped)} scenarios." in [c.value for c in at.caption]
    at.text_input(key="library_search").input("naloxone opioid").run()
    expected = sorted(
        s.scenario.title
        for s in shipped
        if all(
            w
            in " ".join(
                [s.scenario.title, s.scenario.summary, s.scenario.peer.name, s.scenario.peer.about, s.scenario.content_note or ""]
            ).casefold()
            for w in ("naloxone", "opioid")
        )
    )
    assert len(expected) >= 3
    cards = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    assert sorted(cards) == sorted(esc(t) for t in expected)
    assert f"Showing {len(expected)} of {len(shipped)} scenarios." in [c.value for c in at.caption]
    captions = [c.value for c in at.caption]
    assert ":material/bookmark: Unfinished: resume it from the top of this page" in captions  # Tomás, begun
    assert ":material/bookmark: Not played yet" in captions

    at.text_input(key="library_search").input("no such words here").run()
    assert [i.value for i in at.info][
        -1
    ] == "No scenario matches this search and these filters. Try other words, or widen the filters."

    at.text_input(key="library_search").input("").run()
    at.selectbox(key="library_sort").set_value("title").run()
    cards = [m.value.removeprefix("#### ") for m in at.markdown if m.value.startswith("#### ")]
    assert cards == [esc(t) for t in sorted((s.scenario.title for s in shipped), key=str.casefold)]
