"""Cohort and live-class codes and membership (issue 11): wrong join codes are throttled per user, counted before
any code is looked up, so a burst from threads cannot slip past; live codes name nothing to non-members; an
instructor (own cohorts) or admin (any) removes a member, audited, and the member's records stay theirs.

Every test runs on SQLite, and on PostgreSQL when PEERSIM_TEST_DATABASE_URL names a server.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from records import AccessDenied, CohortError, Store, User, clock
from records.codes import CODE_ALPHABET
from records.cohorts import Cohort
from records.live import LiveError
from records.tables import throttle_events
from tests.helpers import PASSWORD, app_for, make_user, record_first_choice, refused, root_admin, session_for
from ui.render import esc

NO_COHORT = "No open cohort has that code. Please check it with your instructor."
NO_CLASS = "No live class is running with that code. Please check it with your instructor."
PAUSED = (
    "Too many codes did not work, so joining is paused for 15 minutes. Please check the code with your instructor, "
    "then try again."
)
PAYLOAD = "![x](http://127.0.0.1:9/leak.png) **Bo**"
"""A name that would make a browser fetch an image if it were rendered as Markdown."""


@pytest.fixture
def ivan(store: Store) -> User:
    return make_user(store, "Ivan", "instructor")


@pytest.fixture
def cohort(store: Store, ivan: User) -> Cohort:
    return store.cohorts.create(ivan, "Tuesday evenings")


def wrong_codes(*taken: str) -> list[str]:
    """Codes that are not any of ``taken`` (distinct, well-formed)."""
    codes = ["".join(CODE_ALPHABET[(n + k) % len(CODE_ALPHABET)] for k in range(6)) for n in range(40)]
    return [code for code in codes if code not in taken]


def message(call: Callable[[], object]) -> str:
    """The message a join refused with (CohortError or LiveError)."""
    with pytest.raises((CohortError, LiveError)) as caught:
        call()
    return str(caught.value)


def counted(store: Store, user: User) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(throttle_events).where(throttle_events.c.key == f"user {user.id}")
            ).scalar_one()
        )


def audit_log(store: Store) -> list[tuple[str, str, str | None, str]]:
    """(actor, action, subject, detail) of every entry, oldest first."""
    return [(e.actor_name, e.action, e.subject_name, e.detail) for e in reversed(store.audit.entries(root_admin(store)))]


# ------------------------------------------------------------------ throttling
def test_the_eleventh_wrong_code_is_refused_unchecked_and_the_burst_is_audited(store, ivan, cohort, mini):
    uma = make_user(store, "Uma")
    session = store.live.start(ivan, cohort.id, mini)
    codes = wrong_codes(cohort.join_code, session.code)
    # Cohort codes and live-class codes share one count: five of each.
    for code in codes[:5]:
        assert message(lambda code=code: store.cohorts.join(uma, code)) == NO_COHORT
    for code in codes[5:10]:
        assert message(lambda code=code: store.live.join(uma, code)) == NO_CLASS
    assert counted(store, uma) == 10
    # The eleventh is refused before it is looked up, whatever it is, and is not counted again.
    assert message(lambda: store.cohorts.join(uma, codes[10])) == PAUSED
    assert message(lambda: store.live.join(uma, codes[11])) == PAUSED
    assert counted(store, uma) == 10
    # A well-formed code is needed to count at all: a typo of the wrong length says so and costs nothing.
    assert message(lambda: store.cohorts.join(uma, "AB")) == (
        "A join code has 6 letters and numbers, like K7M2QX. Please check it."
    )
    # Another trainee is not held up by Uma's guesses.
    vic = make_user(store, "Vic")
    assert store.cohorts.join(vic, cohort.join_code).members == 1
    log = [entry for entry in audit_log(store) if entry[1] in ("join codes paused", "join cohort")]
    assert log == [
        ("Uma", "join codes paused", "Uma", "10 codes that did not work by this account within 15 minutes"),
        ("Vic", "join cohort", "Vic", f"cohort {cohort.id}"),
    ]


@pytest.mark.parametrize("kind", ["cohort", "live"])
def test_the_right_code_after_the_block_waits_for_the_window(store, ivan, cohort, mini, monkeypatch, kind):
    uma = make_user(store, "Uma")
    if kind == "live":
        store.cohorts.join(uma, cohort.join_code)
    session = store.live.start(ivan, cohort.id, mini)
    join = store.cohorts.join if kind == "cohort" else store.live.join
    right = cohort.join_code if kind == "cohort" else session.code
    for code in wrong_codes(cohort.join_code, session.code)[:10]:
        message(lambda code=code: join(uma, code))
    assert message(lambda: join(uma, right)) == PAUSED

    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=14))
    assert message(lambda: join(uma, right)) == PAUSED.replace("15 minutes", "1 minute")
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=16))
    joined = join(uma, right)
    assert (joined.id if kind == "cohort" else joined.session.id) == (cohort.id if kind == "cohort" else session.id)  # type: ignore[union-attr]
    assert counted(store, uma) == 0  # the right code gave its try back; the old ones have left the window


@pytest.mark.parametrize("kind", ["cohort", "live"])
def test_a_burst_of_30_parallel_wrong_codes_checks_at_most_10(store, ivan, cohort, mini, kind):
    uma = make_user(store, "Uma")
    session = store.live.start(ivan, cohort.id, mini)
    join = store.cohorts.join if kind == "cohort" else store.live.join
    codes = wrong_codes(cohort.join_code, session.code)[:30]
    with ThreadPoolExecutor(max_workers=30) as pool:
        said = list(pool.map(lambda code: message(lambda: join(uma, code)), codes))
    wrong = NO_COHORT if kind == "cohort" else NO_CLASS
    assert sorted(set(said)) == sorted({wrong, PAUSED})
    assert said.count(wrong) == 10 and said.count(PAUSED) == 20
    assert counted(store, uma) == 10


def test_joins_are_audited_once_and_joining_again_changes_nothing(store, ivan, cohort, mini):
    tia = make_user(store, "Tia")
    store.cohorts.join(tia, cohort.join_code)
    store.cohorts.join(tia, cohort.join_code)
    session = store.live.start(ivan, cohort.id, mini)
    store.live.join(tia, session.code)
    store.live.join(tia, session.code)
    log = [entry for entry in audit_log(store) if entry[0] == "Tia"]
    assert log == [
        ("Tia", "join cohort", "Tia", f"cohort {cohort.id}"),
        ("Tia", "join live class", "Tia", f"live class {session.id}, cohort {cohort.id}"),
    ]
    assert counted(store, tia) == 0


# -------------------------------------------------------- live codes and members
def test_a_live_code_names_nothing_to_another_instructor_and_counts_as_a_wrong_code(store, ivan, cohort, mini):
    session = store.live.start(ivan, cohort.id, mini)
    olga = make_user(store, "Olga", "instructor")
    other = store.cohorts.create(olga, "Thursday mornings")
    said = message(lambda: store.live.join(olga, session.code))
    assert said == NO_CLASS and "Tuesday" not in said
    assert counted(store, olga) == 1
    # A trainee of another class joins this one with its live code alone (tests/test_live.py: one code).
    otto = make_user(store, "Otto")
    store.cohorts.join(otto, other.join_code)
    assert store.live.join(otto, session.code).new_member and counted(store, otto) == 0
    # The host (and whoever may run the class) may join it.
    assert store.live.join(ivan, session.code).session.id == session.id


# ------------------------------------------------------------------- removal
def test_an_instructor_removes_a_member_audited_and_the_records_stay_theirs(store, ivan, cohort, mini):
    tia = make_user(store, "Tia")
    store.cohorts.join(tia, cohort.join_code)
    attempt_id = record_first_choice(store, tia, mini)
    assert store.attempts_frame(ivan, tia.id)["attempt_id"].tolist() == [attempt_id]

    removed = store.cohorts.remove_member(ivan, cohort.id, tia.id)
    assert removed == tia
    assert store.cohorts.members(ivan, cohort.id) == []
    assert store.cohorts.mine(tia) == []
    with pytest.raises(AccessDenied):
        store.attempts_frame(ivan, tia.id)  # the instructor no longer sees her practice
    assert store.attempt(tia, attempt_id).id == attempt_id  # her records stay hers
    assert [d.choice_id for d in store.decisions(tia, attempt_id)] == ["reflect"]
    assert ("Ivan", "remove from cohort", "Tia", f"cohort {cohort.id}: Tuesday evenings") in audit_log(store)

    with pytest.raises(CohortError) as caught:
        store.cohorts.remove_member(ivan, cohort.id, tia.id)  # a second click, or another tab
    assert str(caught.value) == "That person is not in this cohort any more."


def test_only_the_cohorts_instructor_or_an_admin_may_remove(store, ivan, cohort):
    tia, uma = make_user(store, "Tia"), make_user(store, "Uma")
    for trainee in (tia, uma):
        store.cohorts.join(trainee, cohort.join_code)
    olga = make_user(store, "Olga", "instructor")
    for outsider in (olga, uma):
        with pytest.raises(AccessDenied) as caught:
            store.cohorts.remove_member(outsider, cohort.id, tia.id)
        assert str(caught.value) == "Only the cohort's instructor (or an admin) can do that."
    assert [m.user.name for m in store.cohorts.members(ivan, cohort.id)] == ["Tia", "Uma"]
    admin = root_admin(store)
    assert store.cohorts.remove_member(admin, cohort.id, tia.id) == tia
    assert ("Root Admin", "remove from cohort", "Tia", f"cohort {cohort.id}: Tuesday evenings") in audit_log(store)


def test_leaving_is_audited(store, cohort):
    tia = make_user(store, "Tia")
    store.cohorts.join(tia, cohort.join_code)
    store.cohorts.leave(tia, cohort.id)
    store.cohorts.leave(tia, cohort.id)  # twice: nothing more
    assert [e for e in audit_log(store) if e[1] == "leave cohort"] == [("Tia", "leave cohort", "Tia", f"cohort {cohort.id}")]


# ---------------------------------------------------------------- the page
def cohorts_page(token: str):  # type: ignore[no-untyped-def]
    at = app_for(token)
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_removing_a_member_on_the_cohorts_page_asks_first(isolated_data):
    token = session_for(isolated_data, "Ivan", "instructor")
    store = Store.open(isolated_data)
    try:
        ivan = store.accounts.user_for_session(token)
        cohort = store.cohorts.create(ivan, "Tuesday evenings")
        bo = store.accounts.register(PAYLOAD, "bo@example.org", PASSWORD)
        tia = make_user(store, "Tia")
        for trainee in (bo, tia):
            store.cohorts.join(trainee, cohort.join_code)

        at = cohorts_page(token)
        assert at.selectbox(key="remove_pick").options == [f"{PAYLOAD} (bo@example.org)", "Tia (tia@example.org)"]
        at.button(key="remove_ask").click().run()  # nothing chosen yet
        assert [i.value for i in at.info] == ["Please choose the member to remove."]

        at.selectbox(key="remove_pick").set_value(bo.id)
        at.button(key="remove_ask").click().run()
        assert not at.exception, at.exception
        warning = (
            f"Remove **{esc(PAYLOAD)}** from **{esc('Tuesday evenings')}**? You will no longer see their practice, "
            "and they leave this cohort's live classes. Their own practice records stay theirs."
        )
        assert [w.value for w in at.warning] == [warning]
        assert at.button(key="remove_confirm").label == f"Yes, remove {esc(PAYLOAD)}"
        at.button(key="remove_cancel").click().run()
        assert not at.warning
        assert [m.user.id for m in store.cohorts.members(ivan, cohort.id)] == [bo.id, tia.id]

        at.button(key="remove_ask").click().run()
        at.button(key="remove_confirm").click().run()
        assert not at.exception, at.exception
        assert [s.value for s in at.success] == [
            f"{esc(PAYLOAD)} is no longer in {esc('Tuesday evenings')}. Their practice records stay in their own account."
        ]
        assert not at.warning
        assert at.dataframe[0].value["name"].tolist() == ["Tia"]
        assert [m.user.id for m in store.cohorts.members(ivan, cohort.id)] == [tia.id]
        assert ("Ivan", "remove from cohort", PAYLOAD, f"cohort {cohort.id}: Tuesday evenings") in audit_log(store)

        # The trainee-progress picker and its download label: names shown as text.
        at.selectbox(key="trainee_pick").set_value(tia.id).run()
        assert at.get("download_button")[0].proto.label == f"Download {esc('Tia')}'s records (CSV)"
        # The instructor reads a sentence about Tia, not the one Tia reads about herself on Progress.
        shown = [m.value for m in at.markdown]
        assert esc("Tia has not finished a conversation yet; the choices they made so far are counted below.") in shown
        assert not any(text.startswith("You have") for text in shown)
    finally:
        store.close()


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_names_on_the_cohorts_page_are_text(isolated_data):
    token = session_for(isolated_data, "Ivan", "instructor")
    store = Store.open(isolated_data)
    try:
        ivan = store.accounts.user_for_session(token)
        cohort = store.cohorts.create(ivan, PAYLOAD)
        bo = store.accounts.register(PAYLOAD, "bo@example.org", PASSWORD)
        store.cohorts.join(bo, cohort.join_code)
        at = cohorts_page(token)
        assert at.selectbox(key="cohort_pick").options == [f"{PAYLOAD} (1 trainee)"]  # plain text: as typed
        assert at.dataframe[0].value["name"].tolist() == [PAYLOAD]  # grid cells are plain text
        at.selectbox(key="trainee_pick").set_value(bo.id).run()
        assert at.get("download_button")[0].proto.label == f"Download {esc(PAYLOAD)}'s records (CSV)"
        markdown = [m.value for m in at.markdown] + [s.value for s in at.success] + [w.value for w in at.warning]
        assert not any("![x](" in text or "**Bo**" in text for text in markdown)
    finally:
        store.close()


def test_an_instructor_cannot_make_two_cohorts_with_one_name(store, ivan):
    """Two cohorts called the same (any case, any spacing) on one instructor's Cohorts page cannot be told apart;
    another instructor's, or an archived one, may share the name."""
    store.cohorts.create(ivan, "Spring 2027")
    with refused(
        CohortError,
        "You already have a cohort called 'spring 2027'. Give this one a name that tells them apart, like 'Spring "
        "2027, Tuesday evenings'.",
    ):
        store.cohorts.create(ivan, "  spring   2027 ")
    other = make_user(store, "Olu Instructor", "instructor")
    assert store.cohorts.create(other, "Spring 2027").name == "Spring 2027"
    old = next(c for c in store.cohorts.mine(ivan) if c.name == "Spring 2027")
    store.cohorts.archive(ivan, old.id, True)
    assert store.cohorts.create(ivan, "Spring 2027").name == "Spring 2027"
