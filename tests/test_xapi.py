"""xAPI: the statements built from what trainees do (scoring.xapi), written to the outbox in the same transaction as
what they describe (records.xapi_rows), and sent to a real learning record store, Ralph (records.xapi; tests/lrs),
by ``python -m records xapi-send`` and by each server's background sender (ui.xapi_sender); the admins' section
(ui.xapi_status). The records parts run on SQLite, and on PostgreSQL when PEERSIM_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

from records import AccessDenied, Store, User
from records.__main__ import main
from records.db import create
from records.tables import users, xapi_outbox
from records.xapi import LEASE, SendReport, XapiMisconfigured, XapiOutbox, backoff, settings
from records.xapi_rows import ENDPOINT, PASSWORD, PUBLIC_URL, USERNAME
from scenarios import load_rubric
from scenarios.loader import check_paths
from scoring import xapi
from scoring.xapi import Choice, Ending, ExamOutcome, Played, Site, Sitting
from tests.helpers import EXAM_BANK, ROOT, make_user, refused, root_admin
from tests.lrs.harness import PASSWORD as LRS_PASSWORD
from tests.lrs.harness import USERNAME as LRS_USERNAME
from tests.lrs.harness import Ralph, available
from ui.render import esc

PUBLIC = "https://peersim.test"
SITE = Site(PUBLIC)
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
VERBS = "http://adlnet.gov/expapi/verbs/"
EXT = f"{PUBLIC}/xapi/extensions/"
STRONG_PATH = [("open", "reflect"), ("ready", "pen")]
"""mini's strongest path: two strongest responses, to the ending "good" (score 100)."""


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture
def ralph(tmp_path):
    """Ralph running, for this test only."""
    available()
    server = Ralph(tmp_path / "ralph").start()
    yield server
    server.stop()


@pytest.fixture
def stopped_ralph(tmp_path):
    """Ralph set up on a port but not started: the test starts it when the store "comes back"."""
    available()
    server = Ralph(tmp_path / "ralph")
    yield server
    server.stop()


def configure(monkeypatch: pytest.MonkeyPatch, server: Ralph, *, password: str = LRS_PASSWORD) -> None:
    monkeypatch.setenv(ENDPOINT, server.endpoint)
    monkeypatch.setenv(USERNAME, LRS_USERNAME)
    monkeypatch.setenv(PASSWORD, password)
    monkeypatch.setenv(PUBLIC_URL, PUBLIC)


@pytest.fixture(scope="module")
def bank():
    report = check_paths([EXAM_BANK], load_rubric())
    return {q.id: q for b in report.banks for q in b.bank.questions}


def key_of(question_id: str) -> int:
    """The fixture bank puts the key of x-NN at ((NN - 1) mod 4) + 1."""
    return (int(question_id.split("-")[1]) - 1) % 4 + 1


def outbox(store: Store) -> list[Any]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(xapi_outbox).order_by(xapi_outbox.c.id)).all())


def play(store: Store, user: User, mini, rubric, path=STRONG_PATH) -> int:
    """One practice attempt at mini along ``path``, each choice recorded as the Practice page records it."""
    attempt = store.start_attempt(
        user, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start=mini.scenario.start, mode="coached"
    )
    for step, (node_id, choice_id) in enumerate(path, start=1):
        clock_moves = timedelta(seconds=4 * step)
        store.record_choice(
            user,
            attempt.id,
            step=step,
            node_id=node_id,
            choice_id=choice_id,
            time_taken_ms=int(clock_moves.total_seconds() * 1000),
            loaded=mini,
            rubric=rubric,
        )
    return attempt.id


def sit_exam(store: Store, user: User, bank, *, right: int) -> int:
    """A four-item mock exam with ``right`` of its answers right, submitted; returns its id."""
    items = ["x-01", "x-02", "x-03", "x-04"]
    exam = store.exams.start(user, items, minutes=30, pass_mark=70)
    for number, question_id in enumerate(items):
        wrong = key_of(question_id) % 4 + 1
        store.exams.answer(user, exam.id, question_id, key_of(question_id) if number < right else wrong)
    store.exams.close(user, exam.id, bank=bank, ended_by="submitted")
    return exam.id


def verbs(statements: list[dict[str, Any]]) -> list[str]:
    return [s["verb"]["id"].removeprefix(VERBS) for s in statements]


# ------------------------------------------------------------------------------------------------ the statements
def test_an_answered_statement_in_full():
    played = Played(attempt_id=7, scenario_id="mini", version="c0ffee", mode="coached", started_at=T0, title="A check-in")
    choice = Choice(
        step=2,
        node_id="ready",
        choice_id="pen",
        criteria=("po.break-down-goals", "po.hand-the-pen"),
        quality="strongest",
        counted=True,
        time_taken_ms=4250,
        decided_at=T0 + timedelta(seconds=9),
    )
    statement = xapi.answered(SITE, "0b7c6f36-2b8d-4a5c-9f0e-1d2c3b4a5f60", "learner-17", played, choice)
    registration = str(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, PUBLIC), "attempt:7:2027-03-01T09:00:00+00:00"))
    scenario = {
        "objectType": "Activity",
        "id": f"{PUBLIC}/xapi/scenarios/mini",
        "definition": {"type": "http://adlnet.gov/expapi/activities/simulation", "name": {"en-US": "A check-in"}},
    }
    assert statement == {
        "id": "0b7c6f36-2b8d-4a5c-9f0e-1d2c3b4a5f60",
        "actor": {"objectType": "Agent", "account": {"homePage": PUBLIC, "name": "learner-17"}},
        "verb": {"id": f"{VERBS}answered", "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": f"{PUBLIC}/xapi/scenarios/mini/points/ready",
            "definition": {"type": "http://adlnet.gov/expapi/activities/cmi.interaction", "interactionType": "choice"},
        },
        "result": {
            "response": "pen",
            "duration": "PT4.25S",
            "extensions": {
                f"{EXT}response-id": "pen",
                f"{EXT}criteria": ["po.break-down-goals", "po.hand-the-pen"],
                f"{EXT}counted": True,
                f"{EXT}quality": "strongest",
            },
        },
        "context": {
            "registration": registration,
            "platform": "PeerSim",
            "language": "en-US",
            "extensions": {f"{EXT}attempt-id": 7, f"{EXT}scenario-version": "c0ffee", f"{EXT}mode": "coached", f"{EXT}step": 2},
            "contextActivities": {"parent": [scenario]},
        },
        "timestamp": "2027-03-01T09:00:09+00:00",
    }


def test_launched_and_completed_share_the_attempts_registration_and_carry_the_score():
    played = Played(attempt_id=7, scenario_id="mini", version="c0ffee", mode="branch", started_at=T0)
    ending = Ending(ending_id="good", score=83, strongest=2, pitfalls=1, finished_at=T0 + timedelta(minutes=2, seconds=5))
    launched = xapi.launched(SITE, str(uuid.uuid4()), "learner-17", played)
    completed = xapi.completed(SITE, str(uuid.uuid4()), "learner-17", played, ending)
    assert launched["verb"]["id"] == f"{VERBS}launched"
    assert "result" not in launched
    assert launched["object"] == {
        "objectType": "Activity",
        "id": f"{PUBLIC}/xapi/scenarios/mini",
        "definition": {"type": "http://adlnet.gov/expapi/activities/simulation"},  # no title given: no name
    }
    assert launched["timestamp"] == "2027-03-01T09:00:00+00:00"
    assert completed["result"] == {
        "score": {"scaled": 0.83, "raw": 83, "min": 0, "max": 100},
        "completion": True,
        "duration": "PT2M5S",
        "extensions": {f"{EXT}ending": "good", f"{EXT}strongest": 2, f"{EXT}pitfalls": 1},
    }
    assert completed["timestamp"] == "2027-03-01T09:02:05+00:00"
    assert (
        launched["context"]["registration"] == completed["context"]["registration"] == xapi.registration(SITE, "attempt", 7, T0)
    )
    assert launched["context"]["extensions"][f"{EXT}mode"] == "branch"


@pytest.mark.parametrize(("right", "verb", "scaled"), [(3, "passed", 0.75), (2, "failed", 0.5)])
def test_a_closed_mock_exam_is_completed_then_passed_or_failed(right, verb, scaled):
    sitting = Sitting(exam_id=4, items=4, minutes=30, pass_mark=70, started_at=T0)
    outcome = ExamOutcome(correct=right, total=4, percent=right * 25, ended_by="time", submitted_at=T0 + timedelta(minutes=30))
    completed, result = xapi.exam_closed(SITE, [str(uuid.uuid4()), str(uuid.uuid4())], "learner-17", sitting, outcome)
    assert verbs([completed, result]) == ["completed", verb]
    expected = {
        "score": {"scaled": scaled, "raw": right, "min": 0, "max": 4},
        "success": right == 3,
        "completion": True,
        "duration": "PT30M",
        "extensions": {f"{EXT}ended-by": "time"},
    }
    assert completed["result"] == result["result"] == expected
    assert completed["object"]["id"] == f"{PUBLIC}/xapi/mock-exam"
    assert completed["context"]["registration"] == xapi.registration(SITE, "exam", 4, T0)
    assert completed["context"]["extensions"] == {
        f"{EXT}exam-id": 4,
        f"{EXT}items": 4,
        f"{EXT}minutes": 30,
        f"{EXT}pass-mark": 70,
    }
    with pytest.raises(ValueError, match="a closed exam needs two statement ids"):
        xapi.exam_closed(SITE, [str(uuid.uuid4())], "learner-17", sitting, outcome)


def test_a_learner_is_an_opaque_account_stable_for_the_account_and_no_one_else():
    name = xapi.learner_name(SITE, 17, T0)
    assert str(uuid.UUID(name)) == name
    assert xapi.learner_name(Site(PUBLIC + "/"), 17, T0) == name  # the same site, however the address is written
    assert xapi.learner_name(Site("https://other.example"), 17, T0) != name  # another installation
    assert xapi.learner_name(SITE, 18, T0) != name
    # An account that got a deleted account's id (SQLite can reuse it) is someone else.
    assert xapi.learner_name(SITE, 17, T0 + timedelta(microseconds=1)) != name


@pytest.mark.parametrize(
    ("milliseconds", "text"),
    [(0, "PT0S"), (-40, "PT0S"), (900, "PT0.9S"), (1234, "PT1.23S"), (60_000, "PT1M"), (3_725_500, "PT1H2M5.5S")],
)
def test_durations_are_iso_8601_to_the_hundredth(milliseconds, text):
    assert xapi.iso_duration(milliseconds) == text


def test_ids_are_escaped_and_addresses_and_times_checked():
    assert Site(PUBLIC + "/").iri("scenarios", "my scenario/2") == f"{PUBLIC}/xapi/scenarios/my%20scenario%2F2"
    with refused(ValueError, "The PeerSim address must start with https:// or http:// (it is 'peersim.test')."):
        Site("peersim.test")
    with refused(ValueError, "naive datetime given; use an aware UTC datetime"):
        xapi.registration(SITE, "attempt", 1, datetime(2027, 3, 1, 9, 0))
    with pytest.raises(ValueError):
        xapi.launched(SITE, "not a uuid", "learner", Played(1, "mini", "c0ffee", "coached", T0))


# ------------------------------------------------------------------------------------------------ settings
def test_xapi_is_off_until_an_endpoint_is_set(monkeypatch, store, mini, rubric, bank):
    for name in (ENDPOINT, USERNAME, PASSWORD, PUBLIC_URL):
        monkeypatch.delenv(name, raising=False)
    assert settings() is None
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric)
    sit_exam(store, tia, bank, right=3)
    assert outbox(store) == []
    assert store.xapi.send_all_due() == SendReport()


@pytest.mark.parametrize(
    ("unset", "message"),
    [
        (
            (USERNAME, PASSWORD, PUBLIC_URL),
            "PEERSIM_XAPI_ENDPOINT is set, so PeerSim sends xAPI statements, but PEERSIM_XAPI_USERNAME, "
            "PEERSIM_XAPI_PASSWORD, PEERSIM_PUBLIC_URL are not. Set them too (see docs/integrations.md).",
        ),
        (
            (PASSWORD,),
            "PEERSIM_XAPI_ENDPOINT is set, so PeerSim sends xAPI statements, but PEERSIM_XAPI_PASSWORD is not. "
            "Set it too (see docs/integrations.md).",
        ),
    ],
)
def test_half_a_configuration_is_refused_naming_what_is_missing(monkeypatch, unset, message):
    monkeypatch.setenv(ENDPOINT, "https://lrs.example.org/xAPI/")
    for name in (USERNAME, PASSWORD, PUBLIC_URL):
        monkeypatch.setenv(name, "set")
    for name in unset:
        monkeypatch.setenv(name, " ")
    with refused(XapiMisconfigured, message):
        settings()
    from ui import xapi_sender

    with refused(XapiMisconfigured, message):  # the server's start stops with the same words
        xapi_sender.start()
    assert not xapi_sender.running()


def test_addresses_are_checked_and_the_statements_resource_found(monkeypatch):
    monkeypatch.setenv(USERNAME, "peersim")
    monkeypatch.setenv(PASSWORD, "secret")
    monkeypatch.setenv(PUBLIC_URL, PUBLIC)
    monkeypatch.setenv(ENDPOINT, "lrs.example.org/xAPI")
    with refused(
        XapiMisconfigured, "PEERSIM_XAPI_ENDPOINT must be an https:// or http:// address (it is 'lrs.example.org/xAPI')."
    ):
        settings()
    monkeypatch.setenv(ENDPOINT, "https://lrs.example.org/xAPI/")
    monkeypatch.setenv(PUBLIC_URL, "peersim.example.org")
    with refused(XapiMisconfigured, "PEERSIM_PUBLIC_URL must be an https:// or http:// address (it is 'peersim.example.org')."):
        settings()
    monkeypatch.setenv(PUBLIC_URL, PUBLIC)
    for endpoint in ("https://lrs.example.org/xAPI", "https://lrs.example.org/xAPI/", "https://lrs.example.org/xAPI/statements"):
        monkeypatch.setenv(ENDPOINT, endpoint)
        found = settings()
        assert found is not None and found.statements_url == "https://lrs.example.org/xAPI/statements"
    monkeypatch.setenv(ENDPOINT, "https://peersim:secret@lrs.example.org:8443/xAPI/")
    found = settings()
    assert found is not None
    assert found.shown_endpoint == "https://lrs.example.org:8443/xAPI/statements"  # never the password
    assert (found.username, found.password, found.site) == ("peersim", "secret", SITE)


# ------------------------------------------------------------------------------------------------ the outbox
def test_a_statement_commits_with_its_decision_or_not_at_all(monkeypatch, store, mini, rubric, at_time):
    monkeypatch.setenv(ENDPOINT, "http://127.0.0.1:9/xAPI/")  # nothing is sent in this test
    monkeypatch.setenv(USERNAME, "peersim")
    monkeypatch.setenv(PASSWORD, "secret")
    monkeypatch.setenv(PUBLIC_URL, PUBLIC)
    tia = make_user(store, "Tia")
    attempt = store.start_attempt(
        tia, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start="open", mode="coached"
    )
    assert [json.loads(row.statement)["verb"]["id"] for row in outbox(store)] == [f"{VERBS}launched"]

    def outbox_breaks(*_args, **_kwargs):
        raise RuntimeError("the outbox could not be written")

    with monkeypatch.context() as patched:
        patched.setattr("records.xapi_rows._enqueue", outbox_breaks)
        with refused(RuntimeError, "the outbox could not be written"):
            store.record_choice(
                tia, attempt.id, step=1, node_id="open", choice_id="reflect", time_taken_ms=900, loaded=mini, rubric=rubric
            )
    assert store.decisions(tia, attempt.id) == []  # the decision went with its statement
    for _ in range(2):  # a double click records one decision, and one statement
        store.record_choice(
            tia, attempt.id, step=1, node_id="open", choice_id="reflect", time_taken_ms=900, loaded=mini, rubric=rubric
        )
    rows = outbox(store)
    assert [json.loads(row.statement)["verb"]["id"] for row in rows] == [f"{VERBS}launched", f"{VERBS}answered"]
    assert all(row.user_id == tia.id and row.sent_at is None and row.tries == 0 for row in rows)
    assert [row.statement_id for row in rows] == [json.loads(row.statement)["id"] for row in rows]


def test_deleting_an_account_deletes_its_statements_not_yet_sent(monkeypatch, store, mini, rubric):
    monkeypatch.setenv(ENDPOINT, "http://127.0.0.1:9/xAPI/")
    monkeypatch.setenv(USERNAME, "peersim")
    monkeypatch.setenv(PASSWORD, "secret")
    monkeypatch.setenv(PUBLIC_URL, PUBLIC)
    tia, ben = make_user(store, "Tia"), make_user(store, "Ben")
    play(store, tia, mini, rubric)
    play(store, ben, mini, rubric)
    assert len(outbox(store)) == 8
    store.accounts.delete(tia, tia.id)
    assert {row.user_id for row in outbox(store)} == {ben.id}
    assert len(outbox(store)) == 4


# ------------------------------------------------------------------------------------------------ Ralph
def test_practice_and_a_mock_exam_arrive_in_the_learning_record_store(monkeypatch, ralph, store, mini, rubric, bank, at_time):
    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia Example")
    attempt_id = play(store, tia, mini, rubric)
    exam_id = sit_exam(store, tia, bank, right=3)
    failed_exam = sit_exam(store, tia, bank, right=1)
    assert store.xapi.send_all_due() == SendReport(sent=10, failed=0)

    got = ralph.statements()
    assert verbs(got) == [
        "launched",
        "answered",
        "answered",
        "completed",
        "launched",
        "completed",
        "passed",
        "launched",
        "completed",
        "failed",
    ]
    assert {row.statement_id for row in outbox(store)} == {s["id"] for s in got}
    # The learner is an opaque account on this PeerSim: no name, no email address anywhere in what was sent.
    actors = {json.dumps(s["actor"], sort_keys=True) for s in got}
    assert len(actors) == 1
    with store.engine.connect() as connection:
        created_at = connection.execute(select(users.c.created_at).where(users.c.id == tia.id)).scalar_one()
    learner = xapi.learner_name(SITE, tia.id, created_at)
    assert got[0]["actor"] == {"objectType": "Agent", "account": {"homePage": PUBLIC, "name": learner}}
    assert "Tia" not in json.dumps(got) and "example.org" not in json.dumps(got)
    # Practice: one registration, the decision points as activities, the response and criteria as extensions.
    practice = got[:4]
    decided = store.decisions(tia, attempt_id)
    registration = practice[0]["context"]["registration"]
    assert {s["context"]["registration"] for s in practice} == {registration}
    first, second = practice[1], practice[2]
    assert first["object"]["id"] == f"{PUBLIC}/xapi/scenarios/mini/points/open"
    assert first["result"]["response"] == "reflect"
    assert first["result"]["extensions"] == {
        f"{EXT}response-id": "reflect",
        f"{EXT}criteria": ["po.exploration-is-valid", "po.reflective-listening"],
        f"{EXT}counted": True,
        f"{EXT}quality": "strongest",
    }
    assert first["context"]["contextActivities"]["parent"][0]["id"] == f"{PUBLIC}/xapi/scenarios/mini"
    assert first["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {"en-US": "A short check-in"}
    assert second["object"]["id"] == f"{PUBLIC}/xapi/scenarios/mini/points/ready"
    assert second["result"]["extensions"][f"{EXT}criteria"] == ["po.break-down-goals", "po.hand-the-pen"]
    assert [s["timestamp"] for s in practice[1:3]] == [d.decided_at.isoformat() for d in decided]
    assert practice[3]["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}
    assert practice[3]["result"]["extensions"] == {f"{EXT}ending": "good", f"{EXT}strongest": 2, f"{EXT}pitfalls": 0}
    # Mock exams: their own registrations, the score scaled, success against the pass mark.
    passed, failed = got[6], got[9]
    assert passed["result"]["score"] == {"scaled": 0.75, "raw": 3, "min": 0, "max": 4}
    assert passed["result"]["success"] is True
    assert failed["result"]["score"] == {"scaled": 0.25, "raw": 1, "min": 0, "max": 4}
    assert failed["result"]["success"] is False
    assert passed["context"]["registration"] == xapi.registration(SITE, "exam", exam_id, at_time.now)
    assert len({s["context"]["registration"] for s in got}) == 3
    assert failed["context"]["extensions"][f"{EXT}exam-id"] == failed_exam
    # Ralph can be asked for one attempt's statements by its registration, as any xAPI client would.
    assert [s["id"] for s in ralph.statements(registration=registration)] == [s["id"] for s in practice]
    rows = outbox(store)
    assert all(row.sent_at == at_time.now and row.tries == 1 and row.last_error is None for row in rows)
    assert store.xapi.send_all_due() == SendReport()  # nothing is sent twice


def test_while_the_store_is_down_nothing_is_lost_and_once_back_everything_is_sent_once(
    monkeypatch, stopped_ralph, store, mini, rubric, bank, at_time
):
    configure(monkeypatch, stopped_ralph)
    tia = make_user(store, "Tia")
    admin = root_admin(store)
    play(store, tia, mini, rubric)
    sit_exam(store, tia, bank, right=4)  # the trainee's practice and exam go on while the store is down
    down = store.xapi.send_all_due()
    message = f"Could not reach the learning record store at {stopped_ralph.statements_url}: [Errno 111] Connection refused"
    assert down == SendReport(sent=0, failed=7, error=message)
    rows = outbox(store)
    assert len(rows) == 7
    assert all(
        (row.sent_at, row.tries, row.last_error, row.tried_at, row.next_try_at)
        == (None, 1, message, at_time.now, at_time.now + backoff(1))
        for row in rows
    )
    status = store.xapi.status(admin)
    assert (status.waiting, status.failing, status.sent, status.last_error, status.last_error_at) == (
        7,
        7,
        0,
        message,
        at_time.now,
    )
    assert status.endpoint == stopped_ralph.statements_url
    assert store.xapi.send_all_due() == SendReport()  # backed off: not tried again at once

    stopped_ralph.start()
    at_time(timedelta(seconds=31))
    assert store.xapi.send_all_due() == SendReport(sent=7)
    assert Counter(s["id"] for s in stopped_ralph.stored()) == Counter({row.statement_id: 1 for row in rows})
    assert all(row.sent_at == at_time.now and row.tries == 2 for row in outbox(store))
    status = store.xapi.status(admin)
    assert (status.waiting, status.failing, status.sent, status.last_error, status.last_sent_at) == (0, 0, 7, None, at_time.now)

    # It goes down again: what was sent stays sent, and what comes next waits, twice as long after each try.
    stopped_ralph.stop()
    sit_exam(store, tia, bank, right=0)
    assert store.xapi.send_all_due().failed == 3
    at_time(timedelta(seconds=30))
    assert store.xapi.send_all_due().failed == 3
    at_time(timedelta(seconds=59))
    assert store.xapi.send_all_due() == SendReport()  # the second wait is a minute
    at_time(timedelta(seconds=1))
    assert store.xapi.send_all_due().failed == 3
    assert [row.tries for row in outbox(store)] == [2] * 7 + [3] * 3
    assert outbox(store)[-1].next_try_at == at_time.now + timedelta(minutes=2)
    stopped_ralph.start()
    at_time(timedelta(minutes=2))
    assert store.xapi.send_all_due() == SendReport(sent=3)
    assert len(stopped_ralph.stored()) == 10
    assert len({s["id"] for s in stopped_ralph.stored()}) == 10


def test_a_sender_that_dies_after_sending_and_before_marking_sent_resends_and_the_store_keeps_one_copy(
    monkeypatch, ralph, store, mini, rubric, at_time
):
    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric)

    def dies(*_args, **_kwargs):
        raise RuntimeError("the server stopped")

    with monkeypatch.context() as patched:
        patched.setattr(XapiOutbox, "_settle", dies)
        with refused(RuntimeError, "the server stopped"):
            store.xapi.send_due()
    assert len(ralph.stored()) == 4  # the store has them; PeerSim never heard
    assert all(row.sent_at is None and row.next_try_at == at_time.now + LEASE for row in outbox(store))
    assert store.xapi.send_all_due() == SendReport()  # still claimed by the sender that died
    at_time(LEASE)
    assert store.xapi.send_all_due() == SendReport(sent=4)  # sent again: Ralph answers 204 (all known)
    assert Counter(s["id"] for s in ralph.stored()) == Counter({row.statement_id: 1 for row in outbox(store)})
    assert all(row.sent_at == at_time.now and row.tries == 2 for row in outbox(store))


class ReplyLost(httpx.HTTPTransport):
    """A connection that drops after the store took the request: the store has the statements, PeerSim an error."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        super().handle_request(request).close()
        raise httpx.ReadError("Connection reset by peer")


def test_a_reply_lost_on_the_way_back_is_an_error_then_a_resend_is_one_copy(monkeypatch, ralph, store, mini, rubric, at_time):
    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric, path=STRONG_PATH[:1])
    message = f"Could not reach the learning record store at {ralph.statements_url}: Connection reset by peer"
    assert store.xapi.send_all_due(transport=ReplyLost()) == SendReport(failed=2, error=message)
    assert len(ralph.stored()) == 2
    at_time(backoff(1))
    assert store.xapi.send_all_due() == SendReport(sent=2)
    assert Counter(s["id"] for s in ralph.stored()) == Counter({row.statement_id: 1 for row in outbox(store)})


class Watched(httpx.HTTPTransport):
    """Records the statement ids of every POST it carries."""

    def __init__(self, posted: list[str]) -> None:
        super().__init__()
        self.posted = posted

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.posted.extend(s["id"] for s in json.loads(request.read()))
        return super().handle_request(request)


def test_two_senders_at_once_never_send_the_same_statement(monkeypatch, ralph, store, isolated_data, mini, rubric):
    configure(monkeypatch, ralph)
    trainees = [make_user(store, f"Trainee {n}") for n in range(6)]
    for trainee in trainees:
        for _ in range(5):
            play(store, trainee, mini, rubric)
    assert len(outbox(store)) == 120  # more than two batches
    other = Store(create(isolated_data))  # another server process: its own engine and connections
    posted: list[str] = []
    errors: list[BaseException] = []
    begin = threading.Barrier(2)

    def sender(which: Store) -> None:
        try:
            begin.wait(timeout=30)
            which.xapi.send_all_due(transport=Watched(posted))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sender, args=(which,)) for which in (store, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    other.close()
    assert errors == []
    assert Counter(posted) == Counter({row.statement_id: 1 for row in outbox(store)})
    assert all(row.sent_at is not None and row.tries == 1 for row in outbox(store))
    assert len(ralph.stored()) == 120


def test_one_statement_the_store_refuses_holds_up_only_itself(monkeypatch, ralph, store, mini, rubric, at_time):
    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric)
    broken = str(uuid.uuid4())
    with store.engine.begin() as connection:  # a statement the store cannot accept (its actor has no identifier)
        statement = {
            "id": broken,
            "actor": {"objectType": "Agent", "name": "someone"},
            "verb": {"id": f"{VERBS}launched"},
            "object": {"objectType": "Activity", "id": f"{PUBLIC}/xapi/scenarios/mini"},
        }
        connection.execute(
            insert(xapi_outbox).values(
                statement_id=broken,
                user_id=tia.id,
                statement=json.dumps(statement),
                created_at=at_time.now,
                next_try_at=at_time.now,
            )
        )
    play(store, tia, mini, rubric)
    report = store.xapi.send_all_due()
    assert (report.sent, report.failed) == (8, 1)
    assert report.error is not None
    assert report.error.startswith(f"The learning record store at {ralph.statements_url} answered HTTP 422: ")
    assert '"loc":["body",0,"actor"' in report.error  # the store's own words about what it could not take
    assert len(ralph.stored()) == 8
    waiting = [row for row in outbox(store) if row.sent_at is None]
    assert [(row.statement_id, row.last_error) for row in waiting] == [(broken, report.error)]
    assert store.xapi.status(root_admin(store)).failing == 1


def test_a_wrong_password_is_said_plainly_and_nothing_is_lost(monkeypatch, ralph, store, mini, rubric, at_time):
    configure(monkeypatch, ralph, password="not the password")
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric, path=STRONG_PATH[:1])
    message = (
        f"The learning record store at {ralph.statements_url} refused PeerSim's sign-in (HTTP 401). "
        "Check PEERSIM_XAPI_USERNAME and PEERSIM_XAPI_PASSWORD."
    )
    assert store.xapi.send_all_due() == SendReport(failed=2, error=message)
    configure(monkeypatch, ralph)
    at_time(backoff(1))
    assert store.xapi.send_all_due() == SendReport(sent=2)
    assert len(ralph.stored()) == 2


def test_sent_statements_are_kept_thirty_days_then_pruned(monkeypatch, ralph, store, mini, rubric, at_time):
    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric, path=STRONG_PATH[:1])
    store.xapi.send_all_due()
    play(store, tia, mini, rubric, path=STRONG_PATH[:1])  # not sent yet: never pruned
    at_time(timedelta(days=30))
    assert store.xapi.prune() == 0
    at_time(timedelta(seconds=1))
    assert store.xapi.prune() == 2
    assert [row.sent_at for row in outbox(store)] == [None, None]


def test_only_admins_see_the_outbox(store):
    tia = make_user(store, "Tia")
    with refused(AccessDenied, "This needs the admin role."):
        store.xapi.status(tia)


# ------------------------------------------------------------------------------------------------ senders
def test_the_command_line_sends_what_is_due(monkeypatch, ralph, store, mini, rubric, capsys):
    tia = make_user(store, "Tia")
    for name in (ENDPOINT, USERNAME, PASSWORD, PUBLIC_URL):
        monkeypatch.delenv(name, raising=False)
    assert main(["xapi-send", "--once"]) == 1
    assert capsys.readouterr().err == (
        "xAPI is not set up: set PEERSIM_XAPI_ENDPOINT, PEERSIM_XAPI_USERNAME, PEERSIM_XAPI_PASSWORD and "
        "PEERSIM_PUBLIC_URL (see docs/integrations.md).\n"
    )
    monkeypatch.setenv(ENDPOINT, ralph.endpoint)
    assert main(["xapi-send", "--once"]) == 1
    assert capsys.readouterr().err == (
        "PEERSIM_XAPI_ENDPOINT is set, so PeerSim sends xAPI statements, but PEERSIM_XAPI_USERNAME, "
        "PEERSIM_XAPI_PASSWORD, PEERSIM_PUBLIC_URL are not. Set them too (see docs/integrations.md).\n"
    )
    configure(monkeypatch, ralph)
    play(store, tia, mini, rubric)
    assert main(["xapi-send", "--once"]) == 0
    assert capsys.readouterr().out == f"Sent 4 statements to {ralph.statements_url}.\n"
    assert main(["xapi-send", "--once"]) == 0
    assert capsys.readouterr().out == f"Sent 0 statements to {ralph.statements_url}.\n"
    ralph.stop()
    play(store, tia, mini, rubric, path=STRONG_PATH[:1])
    assert main(["xapi-send", "--once"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "2 statements could not be sent and will be tried again: Could not reach the learning record store at "
        f"{ralph.statements_url}: [Errno 111] Connection refused\n"
    )
    assert len(outbox(store)) == 6


def test_the_command_line_keeps_sending_until_stopped(monkeypatch, ralph, store, mini, rubric):
    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric)
    process = subprocess.Popen(
        [sys.executable, "-m", "records", "xapi-send"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: len(ralph.stored()) == 4, process)
        play(store, tia, mini, rubric, path=STRONG_PATH[:1])  # later statements go in a later round
        wait_for(lambda: len(ralph.stored()) == 6, process)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert out == (f"Sending xAPI statements to {ralph.statements_url} as they come due. Press Ctrl+C to stop.\nStopped.\n")
    assert all(row.sent_at is not None for row in outbox(store))


def wait_for(condition, process: subprocess.Popen[str] | None = None, seconds: float = 60) -> None:
    """Wait until ``condition()`` holds (a bounded wait, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the sender exited: {process.communicate()}")
        time.sleep(0.1)
    raise AssertionError("the statements did not arrive within a minute")


def test_each_server_process_starts_one_background_sender(monkeypatch, ralph, store, mini, rubric):
    import streamlit as st

    from ui import services, xapi_sender

    configure(monkeypatch, ralph)
    tia = make_user(store, "Tia")
    play(store, tia, mini, rubric)
    st.cache_resource.clear()
    try:
        assert xapi_sender.start(idle_seconds=0.2)
        first = xapi_sender._SENDER.thread
        assert xapi_sender.start(idle_seconds=0.2)  # a second call (another import of serve.py) starts nothing more
        assert xapi_sender._SENDER.thread is first
        assert [t.name for t in threading.enumerate()].count("peersim-xapi-sender") == 1
        wait_for(lambda: len(ralph.stored()) == 4)
        play(store, tia, mini, rubric, path=STRONG_PATH[:1])
        wait_for(lambda: len(ralph.stored()) == 6)
    finally:
        xapi_sender.stop()
        services.store().close()
        st.cache_resource.clear()
    assert not xapi_sender.running()
    assert all(row.sent_at is not None for row in outbox(store))


def test_without_xapi_no_sender_starts(monkeypatch):
    from ui import xapi_sender

    monkeypatch.delenv(ENDPOINT, raising=False)
    assert xapi_sender.start() is False
    assert not xapi_sender.running()


# ------------------------------------------------------------------------------------------------ admin section
def status_section(user_id: int, name: str) -> None:
    from records import User
    from ui import services, xapi_status

    xapi_status.render(services.store(), User(user_id, name, "admin"))


def section(store: Store) -> AppTest:
    import streamlit as st

    admin = root_admin(store)
    st.cache_resource.clear()
    at = AppTest.from_function(status_section, args=(admin.id, admin.name), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def test_the_admin_section_says_how_sending_goes(monkeypatch, stopped_ralph, store, mini, rubric, at_time):
    import streamlit as st

    from ui import services

    for name in (ENDPOINT, USERNAME, PASSWORD, PUBLIC_URL):
        monkeypatch.delenv(name, raising=False)
    try:
        at = section(store)
        assert at.subheader[0].value == "Learning record store"
        assert [c.value for c in at.caption] == [
            "Not set up. PeerSim can send what trainees do in practice and mock exams (as xAPI statements) to your "
            "program's learning record store. docs/integrations.md says how."
        ]
        configure(monkeypatch, stopped_ralph)
        tia = make_user(store, "Tia")
        play(store, tia, mini, rubric)
        store.xapi.send_all_due()
        at = section(store)
        assert [c.value for c in at.caption] == [f"PeerSim sends xAPI statements to {esc(stopped_ralph.statements_url)}."]
        assert [(m.label, m.value) for m in at.metric] == [
            ("Waiting to be sent", "4"),
            ("Sent in the last 30 days", "0"),
            ("Last sent", "Not yet"),
        ]
        error = f"Could not reach the learning record store at {stopped_ralph.statements_url}: [Errno 111] Connection refused"
        assert [w.value for w in at.warning] == [
            "4 statements could not be sent yet. PeerSim keeps them and tries again by itself. The last try, "
            f"{esc('Mon, Mar 1, 9:00 AM UTC')}, said: {esc(error)}"
        ]
        stopped_ralph.start()
        at_time(timedelta(minutes=1))
        store.xapi.send_all_due()
        at = section(store)
        assert [(m.label, m.value) for m in at.metric] == [
            ("Waiting to be sent", "0"),
            ("Sent in the last 30 days", "4"),
            ("Last sent", "Mon, Mar 1, 9:01 AM UTC"),
        ]
        assert [s.value for s in at.success] == ["Everything has been sent."]
    finally:
        services.store().close()
        st.cache_resource.clear()


# ------------------------------------------------------------------------------------------------ migration
def test_the_migration_adds_the_outbox_and_goes_back_down(tmp_path):
    """0014 makes xapi_outbox on a database at 0013 and leaves everything else alone; going back to 0013 drops it."""
    from alembic import command
    from sqlalchemy import inspect, text

    from records import db

    engine = db.create(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection, db.alembic_on(connection) as config:
        command.upgrade(config, "0013")
        before = set(inspect(connection).get_table_names())
        command.upgrade(config, "0014")
        assert set(inspect(connection).get_table_names()) == before | {"xapi_outbox"}
        columns = [c["name"] for c in inspect(connection).get_columns("xapi_outbox")]
        assert columns == [
            "id",
            "statement_id",
            "user_id",
            "statement",
            "created_at",
            "next_try_at",
            "tries",
            "tried_at",
            "last_error",
            "sent_at",
        ]
        connection.execute(
            text("INSERT INTO users (id, name, name_key, role, created_at) VALUES (1, 'Tia', 'tia', 'trainee', :m)"),
            {"m": "2027-03-01 09:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO xapi_outbox (statement_id, user_id, statement, created_at, next_try_at)"
                " VALUES ('0b7c6f36-2b8d-4a5c-9f0e-1d2c3b4a5f60', 1, '{}', :m, :m)"
            ),
            {"m": "2027-03-01 09:00:00"},
        )
        assert connection.execute(text("SELECT tries FROM xapi_outbox")).scalar_one() == 0
        command.downgrade(config, "0013")
        assert set(inspect(connection).get_table_names()) == before
    engine.dispose()
