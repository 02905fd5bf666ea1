"""AppTest: the Class dashboard page. The empty states say what to do; after choosing the cohort of
test_cohort_analytics.py (eight trainees, hand-computed) the page shows its figures, item analysis of 'mini'
with the numbers worked out there, and one trainee's progress and transcripts. Viewing never makes the export.

The library is pointed at tests/fixtures/good (the hand-scored 'mini' scenario).
"""

from __future__ import annotations

from datetime import datetime

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from tests.helpers import PASSWORD, app_for, charts, make_user, play, session_for, texts
from tests.shown import shown as seen
from tests.shown import shown_rows
from tests.test_cohort_analytics import WEEK1, build_class
from ui.render import esc

pytestmark = [pytest.mark.apptest, pytest.mark.usefixtures("fixture_library")]


@pytest.fixture
def clock_start() -> datetime:
    """at_time starts in the first week of the class."""
    return WEEK1


def dashboard(token: str) -> AppTest:
    at = app_for(token)
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    return at


def choose(at: AppTest, key: str, value: object) -> AppTest:
    at.selectbox(key=key).set_value(value).run()
    assert not at.exception
    return at


def tables(at: AppTest) -> list[list[dict[str, object]]]:
    """Each st.table's rows as a reader sees them (its cells are Markdown that ui.render.esc wrote)."""
    return [shown_rows(t.value) for t in at.table]


def audit_actions(store: Store) -> list[str]:
    """What the instructor's page views wrote to the audit log, newest first."""
    from tests.helpers import root_admin

    return [e.action for e in store.audit.entries(root_admin(store)) if e.actor_name == "Ida Instructor"]


# ------------------------------------------------------------------------------------------- empty states
def test_an_instructor_without_cohorts_is_sent_to_create_one(isolated_data):
    at = dashboard(session_for(isolated_data, "Ida Instructor", "instructor"))
    assert [i.value for i in at.info] == [
        "You have no cohorts yet. Create one on the Cohorts page and give your class its join code; "
        "their figures appear here as they practice."
    ]


def test_a_cohort_no_one_has_joined_shows_its_join_code(store, isolated_data):
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    at = dashboard(store.accounts.start_session(instructor))
    assert at.selectbox(key="dashboard_cohort").value is None
    assert "Choose a cohort to see its figures. Opening them is noted in the audit log, as trainees' privacy requires." in texts(
        at
    )
    assert audit_actions(store) == []  # nothing read before a cohort is chosen
    choose(at, "dashboard_cohort", cohort.id)
    assert [i.value for i in at.info] == [
        f"No one has joined Spring 2027 yet. Trainees join with the code **`{cohort.join_code}`** when they create "
        "their account, or on their Account page."
    ]


def test_a_cohort_that_has_not_played_yet_lists_its_members(store, isolated_data):
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    store.cohorts.join(make_user(store, "Zoe"), cohort.join_code)
    at = choose(dashboard(store.accounts.start_session(instructor)), "dashboard_cohort", cohort.id)
    assert [i.value for i in at.info] == [
        "No one in Spring 2027 has started a conversation yet. Name a scenario for the class to practice "
        "(the Assignments tab sets one with a due date); completion, pitfalls and item analysis appear here as "
        "they play."
    ]
    assert tables(at) == [
        [{"trainee": "Zoe", "started": 0, "finished": 0, "mean score": "–", "best score": "–", "last active": "not yet"}]
    ]
    not_yet = "Figures appear here once the class has practiced; the Overview tab says where it stands."
    assert [t.children[0].value for t in at.tabs[2:6]] == [not_yet] * 4  # the figures' tabs wait for practice
    assert [b.label for b in at.tabs[6].get("download_button")] == [
        "Download the cohort's attempts and decisions (CSV)",
        "Download the question bank for Moodle (GIFT)",
        "Download the question bank for Moodle (Moodle XML)",
    ]


# ----------------------------------------------------------------------------------------- the figures
@pytest.fixture
def class_page(store, mini, rubric, at_time) -> tuple[AppTest, Store, dict]:
    instructor, cohort_id, trainees = build_class(store, mini, rubric, at_time)
    at = choose(dashboard(store.accounts.start_session(instructor)), "dashboard_cohort", cohort_id)
    return at, store, trainees


def test_choosing_the_cohort_shows_its_figures(class_page):
    at, store, _ = class_page
    assert "8 of 8 trainees have practiced\\: 19 conversations started, 18 finished, with a mean score of 50%\\." in texts(at)
    assert [(m.label, m.value) for m in at.metric] == [
        ("Trainees practicing", "8 of 8"),
        ("Conversations started", "19"),
        ("Conversations finished", "18"),
        ("Mean score", "50%"),
    ]
    per_trainee, per_scenario, heatmap_table, domain_table = tables(at)
    assert [(r["trainee"], r["started"], r["finished"], r["mean score"], r["best score"]) for r in per_trainee] == [
        ("Ana", 4, 4, "83%", "100%"),
        ("Ben", 2, 2, "67%", "100%"),  # 66.5: halves round up
        ("Cal", 4, 4, "53%", "100%"),
        ("Dee", 2, 2, "50%", "100%"),
        ("Eve", 2, 2, "39%", "44%"),
        ("Fay", 2, 2, "26%", "44%"),
        ("Gus", 1, 1, "0%", "0%"),
        ("Hal", 2, 1, "0%", "0%"),
    ]
    assert [r["last active"] for r in per_trainee] == ["08 Mar 2027"] * 6 + ["01 Mar 2027", "08 Mar 2027"]
    assert per_scenario == [{"scenario": "A short check-in", "tried": "8 of 8", "finished": "8 of 8", "mean score": "50%"}]
    assert heatmap_table == [
        {"pitfall": "Taking the reins", "Week of 01 Mar": 3, "Week of 08 Mar": 5},
        {"pitfall": "Judging the goal", "Week of 01 Mar": 1, "Week of 08 Mar": 3},
        {"pitfall": "Getting ahead of the peer", "Week of 01 Mar": 2, "Week of 08 Mar": 1},
        {"pitfall": "Holding back a peer who is ready", "Week of 01 Mar": 2, "Week of 08 Mar": 0},
    ]
    assert domain_table == [
        {"domain": "Readiness and timing", "possibilities": 12, "pitfalls": 5, "share of possibilities (%)": 71},
        {"domain": "Self-determination", "possibilities": 9, "pitfalls": 12, "share of possibilities (%)": 43},
        {"domain": "Goal setting", "possibilities": 9, "pitfalls": 0, "share of possibilities (%)": 100},
        {"domain": "Relationship and boundaries", "possibilities": 16, "pitfalls": 0, "share of possibilities (%)": 100},
    ]
    drawn = charts(at)
    assert len(drawn) == 2
    heatmap = next(spec for spec in drawn.values() if spec["data"][0]["type"] == "heatmap")
    assert heatmap["data"][0]["y"][0] == "Taking the reins"
    assert heatmap["data"][0]["z"][0] == [3, 5]
    captions = [c.value for c in at.caption]
    assert "No finished mock exams yet\\: KR\\-20 reliability needs at least 10\\." in captions
    assert "No one in this cohort has finished a mock exam yet." in captions
    # Viewing wrote one audit entry for the dashboard and did not make the export (made only on click).
    assert audit_actions(store) == ["view cohort dashboard"]


def test_item_analysis_explains_each_figure_with_the_hand_computed_numbers(class_page):
    at, store, _ = class_page
    assert any(t.startswith("Each decision point of a scenario is a question the class answered.") for t in texts(at))
    choose(at, "dashboard_scenario", "mini")
    node_table = tables(at)[4]
    assert node_table == [
        {
            "decision point": "open",
            "reached (first attempts)": 8,
            "facility": "50%",
            "discrimination": "+1.00",
            "upper / lower group": "2 / 2",
            "all attempts": 19,
            "flags": "none",
        },
        {
            "decision point": "ready",
            "reached (first attempts)": 6,
            "facility": "50%",
            "discrimination": "-0.50",
            "upper / lower group": "2 / 2",
            "all attempts": 15,
            "flags": "possible miskey; confusing",
        },
    ]
    shown = texts(at)
    assert "Reached by 8 trainees in a first attempt; facility 50%, discrimination +1.00." in shown
    assert "Reached by 6 trainees in a first attempt; facility 50%, discrimination -0.50." in shown
    # 'mini' is labelled introductory; first tries found a strongest response at 4 of 8 + 3 of 6 = 7 of 14 decisions
    assert seen(at.warning[0].value) == (
        "Labelled introductory. In their first tries, 8 trainees chose a strongest response at 50% of 14 decisions: "
        "harder for this class than its introductory label says (at least 60% expected). Check it before assigning "
        "it to beginners, or prepare them for it."
    )
    assert [w.value.split(".")[0] for w in at.warning[1:]] == ["**Possible miskey", "**Confusing"]
    assert at.warning[1].value.startswith(
        "**Possible miskey.** Trainees who do well overall mostly chose a response the rubric calls a pitfall."
    )
    ready_choices = tables(at)[6]
    assert ready_choices == [
        {"response": "What would a first small step look like to you?", "kind": "Strongest", "first attempts": "3 (50%)", "all attempts": "9 (60%)", "upper group": 0, "lower group": 1},
        {"response": "Let's keep talking about how school felt back then.", "kind": "Pitfall", "first attempts": "2 (33.3%)", "all attempts": "2 (13.3%)", "upper group": 2, "lower group": 0},
        {"response": "With your hours, maybe wait a year. Here's what you should do instead.", "kind": "Pitfall", "first attempts": "1 (16.7%)", "all attempts": "4 (26.7%)", "upper group": 0, "lower group": 1},
    ]  # fmt: skip
    choice_charts = [
        spec for spec in charts(at).values() if spec["data"][0]["type"] == "bar" and "Strongest" in spec["data"][0]["y"][0]
    ]
    assert len(choice_charts) == 2
    assert audit_actions(store)[0] == "view item analysis"


def test_drilling_down_to_a_trainee_shows_progress_and_transcripts(class_page):
    at, store, trainees = class_page
    choose(at, "dashboard_trainee", trainees["Eve"].id)
    assert (
        "Eve has finished 2 conversations\\. On “A short check\\-in”, their latest score is 44%, up 11 points on their "
        "first try \\(33%\\)\\." in texts(at)
    )
    headings = [h.value for h in at.subheader]
    drill_down = headings[headings.index("A trainee's progress") :]
    assert drill_down == [
        "A trainee's progress",
        "Score per attempt",
        "Pitfalls per week",
        "Possibilities versus pitfalls",
        "Domain profile",
        "Export",
        "Question bank for your LMS",
    ]
    assert len(charts(at)) == 2 + 4  # the class's two charts, and the trainee's four, each with its table
    assert tables(at)[4] == [
        {"finished": "2027-03-01 10:00", "title": "A short check-in", "mode": "coached", "score": 33},
        {"finished": "2027-03-08 10:00", "title": "A short check-in", "mode": "coached", "score": 44},
    ]
    conversation = at.selectbox(key="dashboard_attempt")
    assert conversation.value is None
    assert [o.split(" · ", 1)[1] for o in conversation.options] == [
        "A short check-in · finished · 44%",
        "A short check-in · finished · 33%",
    ]
    oldest = min(a.id for a in store.attempts_of(trainees["Eve"], trainees["Eve"].id))
    choose(at, "dashboard_attempt", oldest)
    shown = texts(at)
    assert "**Sam:** I keep thinking about finishing my GED\\. Not sure, though\\." in shown
    assert "**Eve:** You keep coming back to it, and you're not sure yet\\." in shown
    assert "**Eve:** With your hours, maybe wait a year\\. Here's what you should do instead\\." in shown
    assert "**Why:** Judges the goal and decides for him\\." in shown
    assert "**Sam:** Yeah\\. Maybe some other time\\." in shown
    actions = audit_actions(store)
    assert "view transcript" in actions and "view progress" in actions


def test_the_page_reads_again_what_the_class_did_since(class_page, mini, rubric):
    at, store, trainees = class_page
    play(store, trainees["Gus"], mini, rubric, [("open", "reflect"), ("ready", "pen")])
    at.run()
    assert "8 of 8 trainees have practiced\\: 20 conversations started, 19 finished, with a mean score of 53%\\." in texts(at)


def test_names_people_typed_are_shown_as_text(store, mini, rubric, at_time):
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    name = "**Bo** <b>x</b> [l](http://x)"
    trainee = store.accounts.register(name, "bo@example.org", PASSWORD)
    store.cohorts.join(trainee, cohort.join_code)
    play(store, trainee, mini, rubric, [("open", "plan")])
    at = choose(dashboard(store.accounts.start_session(instructor)), "dashboard_cohort", cohort.id)
    assert tables(at)[0][0]["trainee"] == name  # a table cell shows the name as typed...
    assert at.table[0].value.iloc[0]["trainee"] == esc(name)  # ...because its Markdown is escaped
    choose(at, "dashboard_trainee", trainee.id)
    escaped = "\\*\\*Bo\\*\\* \\<b\\>x\\</b\\> \\[l\\]\\(http\\:\u2060//x\\)"  # a word joiner: no bare link
    assert escaped == esc(name)
    shown = texts(at)
    assert "1 of 1 trainee has practiced\\: 1 conversation started, 1 finished, with a mean score of 0%\\." in shown
    assert f"{escaped} has finished one conversation, with a score of 0%\\." in shown
    assert f"{escaped}'s score for each finished conversation, in order." in shown
