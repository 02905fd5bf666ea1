"""Practice branches ("try again from this point"): records (starting one, scoring it on its own decisions, every
refusal with its exact message), where branches are left out (Progress, readiness, the class dashboard) and where
they are kept (exports), and what the Practice and Review pages show after each click (AppTest).

The library is pointed at tests/fixtures/good (the hand-scored 'mini' scenario, see test_scorer.py): 'open' leads
to 'ready' (reflect: strongest; mixed: mixed) or to the ending 'pull' (plan: pitfall); 'ready' leads to the ending
'good' (pen: strongest) or 'pull' (explore, judge: pitfalls).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from records import AccessDenied, Attempt, NotFound, StaleDecision, Store, User, clock, summaries
from records.errors import BranchRefused
from records.practice import NOT_BRANCHABLE, NOT_ON_PATH, NOT_YOURS
from records.tables import attempts
from scenarios import LoadedScenario, Rubric, load_scenario
from tests.helpers import app_for, make_user, play, refused, session_for, show_in_file_order, texts
from ui import play as ui_play
from ui import progress_data
from ui.render import esc

MIXED_THEN_JUDGE = [("open", "mixed"), ("ready", "judge")]  # 1/3 credit over 2 decisions + 2 pitfalls: 8%
OPENING = "Sam's message “I keep thinking about finishing my GED…”"
SECOND = "Sam's message “Okay. I think I want to do it…”"


def branch(store: Store, user: User, attempt_id: int, node_id: str, mini: LoadedScenario) -> Attempt:
    return store.practice.start_branch(user, attempt_id, node_id, loaded=mini)


def choose_all(
    store: Store, user: User, attempt_id: int, path: list[tuple[str, str]], mini: LoadedScenario, rubric: Rubric
) -> None:
    for step, (node_id, choice_id) in enumerate(path, start=1):
        store.record_choice(
            user, attempt_id, step=step, node_id=node_id, choice_id=choice_id, time_taken_ms=800, loaded=mini, rubric=rubric
        )


# ------------------------------------------------------------------------------------------------ records
def test_a_branch_starts_at_the_point_on_the_same_version_and_scores_only_its_own_decisions(store, mini, rubric):
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, MIXED_THEN_JUDGE)
    before = store.attempt(ana, first)
    assert (before.status, before.score) == ("finished", 8)

    started = branch(store, ana, first, "ready", mini)
    assert (started.mode, started.status, started.branch_of, started.branch_node, started.current_node) == (
        "branch",
        "active",
        first,
        "ready",
        "ready",
    )
    assert started.content_hash == mini.content_hash and started.scenario_id == "mini"
    assert started.shuffle_seed and started.shuffle_seed != before.shuffle_seed  # a new order of responses
    choose_all(store, ana, started.id, [("ready", "pen")], mini, rubric)

    done = store.attempt(ana, started.id)
    # Only the branch's own decision counts: one strongest response, 100% (the first try's 8% is not in it).
    assert (done.status, done.ending_id, done.score, done.strongest, done.pitfalls) == ("finished", "good", 100, 1, 0)
    assert [(d.step, d.node_id, d.choice_id, d.quality, d.counted) for d in store.decisions(ana, started.id)] == [
        (1, "ready", "pen", "strongest", True)
    ]
    assert store.attempt(ana, first) == before  # the first try is exactly as it was


def test_a_branch_from_an_unfinished_conversation_leaves_it_paused(store, mini, rubric):
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, [("open", "mixed")])
    paused = store.attempt(ana, first)
    started = branch(store, ana, first, "open", mini)
    assert store.attempt(ana, first) == paused  # still active, still at 'ready'
    assert [a.id for a in store.active_attempts(ana)] == [started.id, first]
    # A double click or a second tab before the branch's first choice starts nothing more.
    assert branch(store, ana, first, "open", mini) == started
    choose_all(store, ana, started.id, [("open", "plan")], mini, rubric)
    again = branch(store, ana, first, "open", mini)
    assert again.id != started.id  # after a choice, trying the same moment again is a new branch


def test_a_branch_of_a_branch_points_at_the_branch_it_came_from(store, mini, rubric):
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, [("open", "plan")])
    second = branch(store, ana, first, "open", mini)
    choose_all(store, ana, second.id, [("open", "mixed"), ("ready", "explore")], mini, rubric)
    third = branch(store, ana, second.id, "ready", mini)
    assert (third.branch_of, third.branch_node) == (second.id, "ready")


def test_refusals_each_say_why_and_start_nothing(store, mini, rubric):
    owner = make_user(store, "Ida", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    ana, ben = make_user(store, "Ana"), make_user(store, "Ben")
    store.cohorts.join(ana, cohort.join_code)
    admin = make_user(store, "Ada", "admin")
    first = play(store, ana, mini, rubric, [("open", "mixed")])
    count = len(store.attempts_of(ana, ana.id))

    with refused(NotFound, "There is no attempt 9999."):
        branch(store, ana, 9999, "open", mini)
    with refused(AccessDenied, "You can only see your own practice records."):
        branch(store, ben, first, "open", mini)
    for someone in (owner, admin):  # they may read Ana's records, not practise in them
        with refused(AccessDenied, "Only the trainee who had this conversation can try its moments again."):
            branch(store, someone, first, "open", mini)
    with refused(BranchRefused, "That moment is not part of this conversation, so it cannot be tried again from here."):
        branch(store, ana, first, "ready", mini)  # reached, but not decided yet
    with refused(BranchRefused, NOT_ON_PATH):
        branch(store, ana, first, "no-such-point", mini)
    other = load_scenario(mini.text.replace("Not sure, though.", "Not sure yet."), rubric)
    with refused(StaleDecision, "This page shows another version of the scenario. Please reload it."):
        branch(store, ana, first, "open", other)
    assert len(store.attempts_of(ana, ana.id)) == count
    assert NOT_YOURS == "Only the trainee who had this conversation can try its moments again."


def test_a_live_class_cannot_be_branched(store, mini, rubric):
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Tuesday evenings")
    tia = make_user(store, "Tia")
    store.cohorts.join(tia, cohort.join_code)
    session = store.live.start(ivan, cohort.id, mini)
    seat = store.live.join(tia, session.code)
    store.live.answer(tia, session.id, step=1, choice_id="mixed", loaded=mini, rubric=rubric)
    with refused(
        BranchRefused,
        "A live class moves on together, so its moments cannot be tried again on your own. To practice them, play "
        "this scenario from the library.",
    ):
        branch(store, tia, seat.attempt_id, "open", mini)
    store.live.end(ivan, session.id)
    with refused(BranchRefused, NOT_BRANCHABLE["live"]):  # ended too
        branch(store, tia, seat.attempt_id, "open", mini)
    assert [a.mode for a in store.attempts_of(tia, tia.id)] == ["live"]


def test_an_exam_or_any_other_kind_of_attempt_cannot_be_branched(store, mini, rubric):
    # Mock exams keep their own records (records.exams); should an attempt ever carry another mode, it is refused.
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, [("open", "mixed")])
    with store.engine.begin() as connection:
        connection.execute(update(attempts).where(attempts.c.id == first).values(mode="exam"))
    with refused(
        BranchRefused, "A mock exam cannot be tried again from a question. The questions you missed come back in spaced review."
    ):
        branch(store, ana, first, "open", mini)
    with store.engine.begin() as connection:
        connection.execute(update(attempts).where(attempts.c.id == first).values(mode="something-new"))
    with refused(BranchRefused, "Only practice conversations can be tried again from a point."):
        branch(store, ana, first, "open", mini)


# ------------------------------------------------------------------------- kept apart, and kept in exports
def test_progress_frames_keep_branches_apart(store, mini, rubric):
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, [("open", "plan")])
    second = branch(store, ana, first, "open", mini)
    choose_all(store, ana, second.id, [("open", "mixed"), ("ready", "judge")], mini, rubric)
    frame = store.attempts_frame(ana, ana.id)
    assert list(zip(frame["attempt_id"], frame["mode"], frame["score"], strict=True)) == [
        (first, "coached", 0),
        (second.id, "branch", 8),
    ]
    hits = store.hits_frame(ana, ana.id)
    assert set(hits["attempt_id"]) == {first}  # pitfall heatmap, balance, domains, readiness: first tries only
    assert sorted(hits["criterion_id"]) == ["pf.ahead-of-readiness"]


def test_the_class_dashboard_leaves_branches_out(store, mini, rubric, at_time):
    owner = make_user(store, "Ida", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    first = play(store, ana, mini, rubric, [("open", "plan")])
    before = store.analytics.figures(owner, cohort.id)
    items_before = store.analytics.item_data(owner, cohort.id, "mini")
    at_time(timedelta(hours=1))
    later = branch(store, ana, first, "open", mini)
    choose_all(store, ana, later.id, [("open", "mixed"), ("ready", "judge")], mini, rubric)  # pitfalls, 8%
    after = store.analytics.figures(owner, cohort.id)
    row = after.trainees.iloc[0]
    assert (row["started"], row["finished"], row["mean_score"], row["best_score"]) == (1, 1, 0.0, 0)
    assert after.trainees.drop(columns="last_active").equals(before.trainees.drop(columns="last_active"))
    assert row["last_active"] == clock.now()  # practising a moment again is activity all the same
    assert after.scenarios.equals(before.scenarios) and after.hits.equals(before.hits)
    assert list(after.hits["criterion_id"]) == ["pf.ahead-of-readiness"]
    items = store.analytics.item_data(owner, cohort.id, "mini")
    assert items.counts.equals(items_before.counts) and items.first_choices.equals(items_before.first_choices)
    assert list(zip(items.counts["choice_id"], items.counts["all_attempts"], strict=True)) == [("plan", 1)]
    with store.engine.begin() as connection:  # the summaries rebuilt from the records (migration 0016): the same
        summaries.rebuild(connection)
    assert store.analytics.item_data(owner, cohort.id, "mini").counts.equals(items_before.counts)
    assert store.analytics.figures(owner, cohort.id).hits.equals(before.hits)


def test_an_assignment_counts_first_tries_only(store, mini, rubric, at_time):  # type: ignore[no-untyped-def]
    owner = make_user(store, "Ida", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    store.assignments.create(owner, cohort.id, kind="scenario", scenario_id="mini", due_at=clock.now() + timedelta(days=3))
    at_time(timedelta(minutes=1))
    first = play(store, ana, mini, rubric, [("open", "mixed")])  # not finished yet
    later = branch(store, ana, first, "open", mini)
    choose_all(store, ana, later.id, [("open", "reflect"), ("ready", "pen")], mini, rubric)  # a finished branch, 100%
    [progress] = store.assignments.completion(owner, cohort.id).popitem()[1]
    assert (progress.done_at, progress.best) == (None, None)  # a replayed moment is not the assignment done
    store.record_choice(
        ana, first, step=2, node_id="ready", choice_id="judge", time_taken_ms=800, loaded=mini, rubric=rubric
    )  # the first try finishes: 8%
    [progress] = store.assignments.completion(owner, cohort.id).popitem()[1]
    assert (progress.done_at, progress.best) == (clock.now(), 8)


def test_the_progress_headline_labels_branches_for_the_trainee_and_their_instructor():
    assert progress_data.branches_note(1) == (
        "You also tried one moment again in practice branches; they are kept apart from these figures."
    )
    assert progress_data.branches_note(3, "Ana") == (
        "Ana also tried 3 moments again in practice branches; they are kept apart from these figures."
    )


def test_exports_keep_branches_with_their_mode_and_origin(store, mini, rubric):
    owner = make_user(store, "Ida", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    first = play(store, ana, mini, rubric, [("open", "plan")])
    later = branch(store, ana, first, "open", mini)
    choose_all(store, ana, later.id, [("open", "reflect")], mini, rubric)
    for text in (store.export(ana, ana.id).decisions_csv(), store.analytics.export_csv(owner, cohort.id)):
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert [(r["attempt_id"], r["mode"], r["choice_id"], r["branch_of"], r["branch_node"]) for r in rows] == [
            (str(first), "coached", "plan", "", ""),
            (str(later.id), "branch", "reflect", str(first), "open"),
        ]
    document = json.loads(store.export(ana, ana.id).as_json())
    assert [(a["mode"], a["branch_of"], a["branch_node"]) for a in document["attempts"]] == [
        ("coached", None, None),
        ("branch", first, "open"),
    ]


# --------------------------------------------------------------------------------------------- the pages
def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click()
    return at.run()


def start_mini(at: AppTest, mode: str = "coached") -> AppTest:
    at.switch_page("pages/practice.py").run()
    click(at, "choose_mini")
    at.radio(key="start_mode").set_value(mode)
    return click(at, "start")


def signed_in(database_url: str) -> AppTest:
    return app_for(session_for(database_url, "Ana"))


def open_store(database_url: str) -> tuple[Store, User]:
    store = Store.open(database_url)
    ana = store.accounts.sign_in("ana@example.org", "quiet river lantern 42")
    return store, ana


def infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_try_another_response_here_plays_a_branch_and_goes_back(isolated_data, monkeypatch, mini):
    show_in_file_order(monkeypatch, mini.scenario)
    at = start_mini(signed_in(isolated_data))
    click(at, "choice_open_mixed")
    # After a response that is not among the strongest: go on, or try another response here.
    assert at.button(key="continue").label == "Continue the conversation"
    assert at.button(key="branch_here").label == "Try another response here"
    assert (
        "Trying another response starts a practice branch at this moment; this conversation stays as it is, paused, "
        "so you can come back to it."
    ) in [c.value for c in at.caption]

    click(at, "branch_here")
    assert not at.exception
    assert infos(at)[0] == (
        f"**{esc('Practice branch from ' + OPENING)}:** this run is kept apart from your first tries.  \n"
        "The conversation you came from is paused where you left it: go back to it when this branch ends, or from "
        "Home or the library."
    )
    assert "Practice branch · decision 1 · feedback after each choice" in [c.value for c in at.caption]
    shown = texts(at)
    assert "**Sam:** I keep thinking about finishing my GED\\. Not sure, though\\." in shown
    assert "**You:** I hear you\\. You should start with the math test\\." not in shown  # a fresh start at that point
    assert [b.key for b in at.button if b.key and b.key.startswith("choice_")] == [
        "choice_open_reflect",
        "choice_open_plan",
        "choice_open_mixed",
    ]

    store, ana = open_store(isolated_data)
    first, later = sorted(store.attempts_of(ana, ana.id), key=lambda a: a.id)
    assert (first.mode, first.status, first.current_node) == ("coached", "active", "ready")
    assert (later.mode, later.status, later.branch_of, later.branch_node) == ("branch", "active", first.id, "open")

    # The branch is coached: feedback after each choice. Its pitfall ends it here.
    click(at, "choice_open_plan")
    assert "**A pitfall to learn from:** it falls into a pitfall. The feedback below shows a stronger way." in texts(at)
    assert at.button(key="continue").label == "See how it ended"
    assert ("Trying another response starts a practice branch at this moment; this conversation stays as it is, in Review.") in [
        c.value for c in at.caption
    ]
    click(at, "continue")
    assert [(m.label, m.value) for m in at.metric] == [("Score", "0%"), ("Among the strongest", "0 of 1"), ("Pitfalls", "1")]
    assert (
        "This score covers only the decisions of this practice branch. Your progress, readiness and your instructor's "
        "dashboard count first tries only."
    ) in [c.value for c in at.caption]
    assert "Your path from this moment beside the strongest path" in [h.value for h in at.subheader]
    assert at.button(key="go_back").label == "Go back to the conversation you paused"
    assert at.button(key="go_back").proto.type == "primary"
    assert at.button(key="done").proto.type == "secondary"

    # Back to the first try, where it was paused; a strongest response offers no branch.
    click(at, "go_back")
    assert "Back to the conversation you paused, where you left it." in infos(at)
    assert "**Sam:** Okay\\. I think I want to do it\\. Where would I even start?" in texts(at)
    assert "Coached mode · decision 2 of about 2" in [c.value for c in at.caption]
    click(at, "choice_ready_pen")
    assert "**Strong response:** among the strongest responses at this point." in texts(at)
    assert [b.key for b in at.button] == ["continue"]
    click(at, "continue")
    assert next((m.label, m.value) for m in at.metric) == ("Score", "44%")
    assert not [b for b in at.button if b.key == "go_back"]
    assert at.button(key="done").proto.type == "primary"

    # Progress counts the first try only (the branch's pitfall is not in the heatmap), and says the branch is apart.
    at.switch_page("pages/progress.py").run()
    assert not at.exception
    assert at.markdown[0].value == esc(
        "You have finished one conversation, with a score of 44%. You also tried one moment again in practice "
        "branches; they are kept apart from these figures."
    )
    figures = {f["layout"]["meta"]["title"]: f for f in (json.loads(c.proto.spec) for c in at.get("plotly_chart"))}
    assert figures["Score per attempt"]["data"][0]["y"] == [44]
    heat = figures["Pitfalls per week"]["data"][0]
    assert (heat["y"], heat["z"]) == (["Taking the reins"], [[1]])
    store.close()


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_the_debrief_summary_offers_each_moment_again(isolated_data, monkeypatch, mini):
    show_in_file_order(monkeypatch, mini.scenario)
    at = start_mini(signed_in(isolated_data), "debrief")
    click(at, "choice_open_mixed")
    assert not [b for b in at.button if b.key == "branch_here"]  # debrief: no feedback until the end
    click(at, "choice_ready_explore")
    assert [(b.key, b.label) for b in at.button if b.key and b.key.startswith("again_")] == [
        ("again_1_open", "Try this moment again"),
        ("again_2_ready", "Try this moment again"),
    ]
    click(at, "again_2_ready")
    assert not at.exception
    assert infos(at)[0] == (
        f"**{esc('Practice branch from ' + SECOND)}:** this run is kept apart from your first tries.  \n"
        "The conversation you came from is kept as it was, in Review."
    )
    assert "**Sam:** Okay\\. I think I want to do it\\. Where would I even start?" in texts(at)
    assert [b.key for b in at.button if b.key and b.key.startswith("choice_")] == [
        "choice_ready_pen",
        "choice_ready_explore",
        "choice_ready_judge",
    ]
    click(at, "choice_ready_pen")
    assert "**Strong response:** among the strongest responses at this point." in texts(at)  # a branch is coached
    click(at, "continue")
    assert [(m.label, m.value) for m in at.metric] == [("Score", "100%"), ("Among the strongest", "1 of 1"), ("Pitfalls", "0")]
    assert "Practice branch · 1 decision made" in [c.value for c in at.caption]
    assert not [b for b in at.button if b.key == "go_back"]  # the first try had ended: nothing to go back to
    assert at.button(key="done").proto.type == "primary"


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_review_offers_each_moment_again_and_lists_branches_under_their_conversation(isolated_data, monkeypatch, mini):
    show_in_file_order(monkeypatch, mini.scenario)
    at = start_mini(signed_in(isolated_data))
    click(at, "choice_open_mixed")
    click(at, "continue")
    click(at, "choice_ready_judge")
    click(at, "continue")
    store, ana = open_store(isolated_data)
    [first] = store.attempts_of(ana, ana.id)

    at.switch_page("pages/review.py").run()
    assert not at.exception
    assert [(b.key, b.label) for b in at.button if b.key and b.key.startswith("review_again_")] == [
        (f"review_again_{first.id}_1", "Try this moment again"),
        (f"review_again_{first.id}_2", "Try this moment again"),
    ]
    click(at, f"review_again_{first.id}_2")
    assert not at.exception
    assert at.title[0].value == "A short check\\-in"  # on the Practice page, in the branch
    assert infos(at)[0].startswith(f"**{esc('Practice branch from ' + SECOND)}:**")
    # (AppTest keeps running the page it was told to, so it is told to stay on Practice, as a browser does.)
    at.switch_page("pages/practice.py").run()
    assert infos(at)[0].startswith(f"**{esc('Practice branch from ' + SECOND)}:**")
    click(at, "choice_ready_explore")
    click(at, "continue")  # the branch ends: 0%
    [later] = [a for a in store.attempts_of(ana, ana.id) if a.mode == "branch"]
    assert (later.branch_of, later.branch_node, later.status, later.score) == (first.id, "ready", "finished", 0)

    at.switch_page("pages/review.py").run()
    labels = at.selectbox(key="review_pick").options
    assert len(labels) == 2
    assert labels[0].endswith("A short check-in · finished · 8%")
    assert labels[1].startswith("↳ Practice branch from " + SECOND + " · ")
    assert labels[1].endswith(" · finished · 0%")
    # The first try says it has a branch, and opens it.
    assert "**You tried one moment of this conversation again** in practice branches, kept apart from your first tries:" in texts(
        at
    )
    assert at.button(key=f"review_branch_{later.id}").label == esc(f"Practice branch from {SECOND} · 0%")
    click(at, f"review_branch_{later.id}")
    assert not at.exception
    assert at.selectbox(key="review_pick").value == later.id
    assert infos(at)[0] == (
        f"**{esc('Practice branch from ' + SECOND)}:** this run is kept apart from your first tries. Its score covers "
        "only its own decisions."
    )
    assert any(c.value.startswith("A short check\\-in · practice branch · score 0%") for c in at.caption)
    assert [b.key for b in at.button if b.key and b.key.startswith("review_again_")] == [f"review_again_{later.id}_1"]
    click(at, "review_came_from")
    assert at.selectbox(key="review_pick").value == first.id
    store.close()


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_review_of_an_unfinished_conversation_offers_to_resume_it_not_branches(isolated_data, monkeypatch, mini):
    at = start_mini(signed_in(isolated_data))
    click(at, "choice_open_mixed")
    at.switch_page("pages/review.py").run()
    assert at.button(key="review_resume")
    assert not [b for b in at.button if b.key and b.key.startswith("review_again_")]


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_a_refusal_is_shown_where_the_trainee_clicked(isolated_data, monkeypatch, mini):
    at = start_mini(signed_in(isolated_data))
    click(at, "choice_open_plan")
    click(at, "continue")

    def refuse(*args: object, **kwargs: object) -> Attempt:
        raise BranchRefused(NOT_ON_PATH)

    monkeypatch.setattr("records.practice.Practice.start_branch", refuse)
    at.switch_page("pages/review.py").run()
    store, ana = open_store(isolated_data)
    [first] = store.attempts_of(ana, ana.id)
    click(at, f"review_again_{first.id}_1")
    assert not at.exception
    assert at.title[0].value == "Review"
    assert [w.value for w in at.warning][-1] == esc(NOT_ON_PATH)  # beside the button (the others are feedback)
    assert [a.id for a in store.attempts_of(ana, ana.id)] == [first.id]  # nothing started
    store.close()


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_a_version_that_no_longer_loads_offers_the_current_version_from_the_start(isolated_data, monkeypatch, mini):
    at = start_mini(signed_in(isolated_data))
    click(at, "choice_open_mixed")

    def gone(attempt: Attempt) -> LoadedScenario:
        raise ui_play.VersionGone(attempt.scenario_id)

    monkeypatch.setattr(ui_play, "version_of", gone)
    click(at, "branch_here")
    assert not at.exception
    assert infos(at) == [
        esc(
            "The version of “A short check-in” you played can no longer be opened, so that moment cannot be tried "
            "again as it was. Here is the current version, to play from the start."
        )
    ]
    assert at.button(key="start").label == "Start the conversation"  # the current version's start, offered
    store, ana = open_store(isolated_data)
    [first] = store.attempts_of(ana, ana.id)
    assert (first.status, first.current_node) == ("active", "ready")  # the conversation is kept, to resume
    store.close()


@pytest.mark.usefixtures("fixture_library")
def test_home_names_an_unfinished_branch_and_counts_first_tries_only(store, mini, rubric):
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, MIXED_THEN_JUDGE)  # finished: 8%
    done = branch(store, ana, first, "ready", mini)
    choose_all(store, ana, done.id, [("ready", "pen")], mini, rubric)  # a finished branch: not a first try
    branch(store, ana, first, "ready", mini)  # unfinished, at the second point
    at = app_for(store.accounts.start_session(ana))
    assert not at.exception
    shown = texts(at)
    assert f"**A short check\\-in** · {esc('Practice branch from ' + SECOND)} · 0 of about 2 decisions made" in shown
    assert [link.label for link in at.get("page_link") if "progress" in link.label] == ["See your progress (1 finished)"]


@pytest.mark.usefixtures("fixture_library")
def test_review_and_home_show_no_content_hash_or_node_id(store, mini, rubric):
    """What a trainee reads names the scenario and the peer's words, never a version hash or an internal id."""
    ana = make_user(store, "Ana")
    first = play(store, ana, mini, rubric, MIXED_THEN_JUDGE)
    branch(store, ana, first, "ready", mini)
    at = app_for(store.accounts.start_session(ana))
    pages = [texts(at)]
    at.switch_page("pages/review.py").run()
    assert not at.exception
    pages.append(texts(at) + [b.label for b in at.button] + [o for s in at.selectbox for o in s.options])
    for said in pages:
        joined = "\n".join(said)
        assert mini.content_hash[:8] not in joined
        assert "version" not in joined.casefold()
        assert not any(f"`{node}`" in joined or f"({node})" in joined for node in ("open", "ready", "good", "pull"))
