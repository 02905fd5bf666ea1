"""'Download all my data' has everything PeerSim keeps about a person: one of each kind of record, read back from
the JSON export (and the choices CSV), through the records export and through the Account page's buttons."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from records import Store, clock
from scenarios import LoadedScenario, Rubric, load_scenario
from scenarios.questions import Question
from tests.helpers import FIXTURES, app_for, make_user, record_first_choice, root_admin

BROKEN = (FIXTURES / "studio" / "broken.yaml").read_text(encoding="utf-8")


@pytest.fixture
def everything(store: Store, mini: LoadedScenario, rubric: Rubric):  # type: ignore[no-untyped-def]
    """Ines, an instructor who also studies in Omar's cohort, with one record of every kind."""
    omar = make_user(store, "Omar Instructor", "instructor")
    ines = make_user(store, "Ines Instructor", "instructor")
    studied = store.cohorts.create(omar, "Omar's Tuesday class")
    store.cohorts.join(ines, studied.join_code)
    taught = store.cohorts.create(ines, "Ines's evening class")

    attempt_id = record_first_choice(store, ines, mini)  # a practice conversation

    exam = store.exams.start(ines, ["q-one", "q-two"], minutes=10, pass_mark=70)  # a mock exam and its answers
    store.exams.answer(ines, exam.id, "q-one", 3)
    store.exams.flag(ines, exam.id, "q-two", True)
    moment = clock.now()
    store.reviews.add(  # a spaced-review card (before the close, which would queue the missed q-two as a new card)
        ines, "question", "q-two", {"card_id": 7, "stability": 1.5}, moment + timedelta(days=1), "learning", moment
    )
    keys = {"q-one": 3, "q-two": 1}
    bank = {q: Question.model_construct(id=q, key=k, exam_domain="ethical-responsibility") for q, k in keys.items()}
    store.exams.close(ines, exam.id, bank=bank, ended_by="submitted")

    live = store.live.start(omar, studied.id, mini)  # a live-class answer in Omar's class
    store.live.join(ines, live.code)
    store.live.answer(ines, live.id, step=1, choice_id="plan", loaded=mini, rubric=rubric)

    draft = store.authored.create(ines, BROKEN, name="After the night shift", scenario_id="night-shift", checked_hash=None)
    text = (FIXTURES / "good" / "mini.yaml").read_text(encoding="utf-8").replace("id: mini", "id: ines-mini", 1)
    loaded = load_scenario(text, rubric)
    published = store.authored.create(
        ines, text, name="Ines's check-in", scenario_id="ines-mini", checked_hash=loaded.content_hash
    )
    store.authored.publish(ines, published.id, [taught.id], content_hash=loaded.content_hash, scenario_id="ines-mini")
    return {
        "ines": ines,
        "attempt_id": attempt_id,
        "exam": exam,
        "live": live,
        "draft": draft,
        "published": published,
        "loaded": loaded,
        "studied": studied,
        "taught": taught,
    }


def test_the_json_export_has_one_of_every_kind_of_record(store, everything, mini):
    ines = everything["ines"]
    document = json.loads(store.export(ines, ines.id).as_json())

    assert document["account"]["name"] == "Ines Instructor"
    assert [(c["name"], c["instructor"]) for c in document["cohorts"]] == [("Omar's Tuesday class", "Omar Instructor")]
    assert [(c["name"], c["archived"]) for c in document["cohorts_run"]] == [("Ines's evening class", False)]

    practice = [a for a in document["attempts"] if a["mode"] == "coached"]
    assert [(a["id"], [d["choice_id"] for d in a["decisions"]]) for a in practice] == [(everything["attempt_id"], ["reflect"])]

    (exam,) = document["exams"]
    assert (exam["id"], exam["questions"], exam["percent"], exam["ended_by"]) == (
        everything["exam"].id,
        ["q-one", "q-two"],
        50,
        "submitted",
    )
    assert sorted((a["question_id"], a["choice"], a["flagged"]) for a in exam["answers"]) == [
        ("q-one", 3, False),
        ("q-two", None, True),
    ]

    (card,) = document["review_cards"]
    assert (card["kind"], card["ref"], card["state"], card["card"]) == (
        "question",
        "q-two",
        "learning",
        {"card_id": 7, "stability": 1.5},
    )

    (answer,) = document["live_class_answers"]
    assert (answer["cohort"], answer["scenario_id"], answer["step"], answer["node_id"], answer["choice_id"]) == (
        "Omar's Tuesday class",
        "mini",
        1,
        "open",
        "plan",
    )
    live_attempt = next(a for a in document["attempts"] if a["id"] == answer["attempt_id"])
    assert [d["choice_id"] for d in live_attempt["decisions"]] == ["plan"]

    draft, published = document["authored_scenarios"]
    assert (draft["name"], draft["status"], draft["draft"], draft["published_to_cohorts"]) == (
        "After the night shift",
        "draft",
        BROKEN,
        [],
    )
    assert (published["name"], published["status"], published["published_version"], published["published_to_cohorts"]) == (
        "Ines's check-in",
        "published",
        everything["loaded"].content_hash,
        ["Ines's evening class"],
    )
    assert published["published_text"] == everything["loaded"].text


def test_the_choices_csv_has_practice_and_live_class_choices(store, everything):
    ines = everything["ines"]
    rows = list(csv.DictReader(io.StringIO(store.export(ines, ines.id).decisions_csv().lstrip("\ufeff"))))
    assert sorted((r["mode"], r["choice_id"]) for r in rows) == [("coached", "reflect"), ("live", "plan")]


def test_someone_with_nothing_yet_gets_empty_sections(store):
    ana = make_user(store, "Ana")
    document = json.loads(store.export(ana, ana.id).as_json())
    for section in ("cohorts", "attempts", "exams", "review_cards", "live_class_answers", "authored_scenarios", "cohorts_run"):
        assert document[section] == [], section


def test_an_export_is_logged_every_time_an_instructor_makes_one(store, everything):
    ines = everything["ines"]
    omar = next(
        a.user for a in store.accounts.list(root_admin(store)) if a.user.name == "Omar Instructor"
    )  # Ines is in his cohort
    for _ in range(2):
        store.export(omar, ines.id)
    exports = [(e.actor_name, e.subject_name) for e in store.audit.entries(root_admin(store)) if e.action == "export records"]
    assert exports == [("Omar Instructor", "Ines Instructor")] * 2


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_the_account_page_says_what_the_download_has(isolated_data, everything):
    store = Store.open(isolated_data)
    try:
        token = store.accounts.start_session(everything["ines"])
    finally:
        store.close()
    at = app_for(token)
    at.switch_page("pages/account.py").run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button")] == ["Download all my data (JSON)", "Download my choices (CSV)"]
    assert (
        "Download everything PeerSim keeps about you: your account and cohorts, every conversation and every choice "
        "(live classes too), your mock exams and their answers, your spaced-review cards, and any scenarios you wrote "
        "in the studio. JSON has it all; CSV has one row per choice, for a spreadsheet."
    ) in [m.value for m in at.markdown]
