"""The audit log: append-only (no code path changes an entry, and the database refuses UPDATE and DELETE),
entries survive the deletion of the account they are about, paging and filters, views logged once per viewer,
subject and page per hour (not on every rerun), and the Admin page that reads it."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from streamlit.testing.v1 import AppTest

from records import Store, User, audit
from records.audit import AuditFilter
from records.tables import audit_log
from tests.helpers import ROOT, app_for, make_user, record_first_choice, root_admin, session_for
from ui.render import esc

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def rows(store: Store) -> list[tuple[str, str, int | None, str]]:
    with store.engine.connect() as connection:
        found = connection.execute(
            select(audit_log.c.actor_name, audit_log.c.action, audit_log.c.subject_user_id, audit_log.c.detail).order_by(
                audit_log.c.id
            )
        )
        return [tuple(r) for r in found]


def add_entries(store: Store, count: int, action: str = "view progress", *, every: timedelta = timedelta(minutes=1)) -> None:
    """``count`` entries a minute apart from START, by 'Ivan' about nobody, numbered in their detail."""
    with store.engine.begin() as connection:
        connection.execute(
            insert(audit_log),
            [{"at": START + i * every, "actor_name": "Ivan", "action": action, "detail": f"entry {i + 1}"} for i in range(count)],
        )


# ----------------------------------------------------------------------------------------- append-only
def test_the_database_refuses_to_change_or_delete_an_entry(store):
    admin = make_user(store, "Ada", "admin")
    with store.engine.begin() as connection:
        audit.write(connection, admin, "change role", admin.id, "role admin")
    before = rows(store)
    for statement in (
        update(audit_log).values(detail="nothing happened"),
        update(audit_log).where(audit_log.c.action == "change role").values(actor_name="Someone else"),
        delete(audit_log),
        delete(audit_log).where(audit_log.c.action == "change role"),
    ):
        with pytest.raises(DBAPIError) as caught, store.engine.begin() as connection:
            connection.execute(statement)
        assert "audit_log is append-only: entries cannot be changed or deleted" in str(caught.value)
    assert rows(store) == before


def test_no_code_path_updates_or_deletes_audit_entries():
    """Nothing in the application builds an UPDATE or DELETE of audit_log (the triggers are the second line)."""
    offenders = []
    for path in sorted([*ROOT.glob("records/**/*.py"), *ROOT.glob("ui/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            changes = isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "update",
                "delete",
            )
            if changes and any(isinstance(arg, ast.Name) and arg.id == "audit_log" for arg in node.args):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        text = path.read_text(encoding="utf-8").lower()
        for words in ("update audit_log", "delete from audit_log"):
            if words in text:
                offenders.append(f"{path.relative_to(ROOT)}: {words}")
    assert offenders == []
    assert not any(name.startswith(("delete", "update", "clear", "remove")) for name in vars(audit.Audit))


def test_deleting_an_account_keeps_the_entries_about_it(store, mini):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    record_first_choice(store, ana, mini)
    store.attempts_of(admin, ana.id)  # an admin views Ana's records
    store.accounts.delete(admin, ana.id)
    entries = {e.action: e for e in store.audit.entries(admin)}
    assert entries["view attempts"].subject_user_id == ana.id
    assert entries["view attempts"].subject == f"deleted account #{ana.id}"
    assert (entries["delete account"].actor_name, entries["delete account"].subject, entries["delete account"].detail) == (
        "Ada",
        f"deleted account #{ana.id}",
        "Ana, trainee",
    )


# ----------------------------------------------------------------------------------------- paging
def test_pages_of_fifty_newest_first_with_the_total(store):
    admin = make_user(store, "Ada", "admin")
    before = store.audit.page(admin).total  # creating the admin is in the log
    add_entries(store, 120)
    first = store.audit.page(admin)
    assert (first.total, first.first, first.last) == (120 + before, 1, 50)
    assert [e.detail for e in first.entries[:3]] == ["entry 120", "entry 119", "entry 118"]
    second = store.audit.page(admin, offset=50)
    assert (second.first, second.last) == (51, 100)
    assert second.entries[0].detail == "entry 70"
    last = store.audit.page(admin, offset=100)
    assert (last.first, last.last, len(last.entries)) == (101, 120 + before, 20 + before)
    beyond = store.audit.page(admin, offset=5000)  # a stale page number shows the last page, never nothing
    assert (beyond.offset, beyond.first) == (100, 101)


def test_filters_by_action_person_and_days(store, at_time):
    admin = make_user(store, "Ada Admin", "admin")
    ana = make_user(store, "Ana Lima")
    add_entries(store, 5, every=timedelta(days=1))  # 1 to 5 March, 09:00
    with store.engine.begin() as connection:
        audit.write(connection, admin, "change role", ana.id, "role instructor")
        audit.record(connection, "someone at 10.0.0.9", "failed sign-in", ana.id)
    page = store.audit.page

    assert [e.detail for e in page(admin, AuditFilter(action="change role")).entries] == ["role instructor"]
    assert {e.action for e in page(admin, AuditFilter(name="lima")).entries} == {"change role", "failed sign-in"}  # subject
    assert {e.action for e in page(admin, AuditFilter(name="  ADA ")).entries} == {"change role", "create first admin"}
    assert page(admin, AuditFilter(name="ivan")).total == 5  # actor
    assert page(admin, AuditFilter(name="%")).total == 0  # typed characters are not wildcards
    days = AuditFilter(action="view progress", since=date(2027, 3, 2), until=date(2027, 3, 4))
    assert [e.detail for e in page(admin, days).entries] == ["entry 4", "entry 3", "entry 2"]
    assert page(admin, AuditFilter(action="view progress", since=date(2027, 3, 5))).total == 1
    assert page(admin, AuditFilter(action="view progress", until=date(2027, 2, 28))).total == 0
    assert store.audit.actions(admin) == ["change role", "create first admin", "failed sign-in", "view progress"]


def test_only_admins_read_the_log(store):
    from records import AccessDenied

    ivan = make_user(store, "Ivan", "instructor")
    for read in (lambda: store.audit.page(ivan), lambda: store.audit.actions(ivan), lambda: store.audit.entries(ivan)):
        with pytest.raises(AccessDenied):
            read()


# ----------------------------------------------------------------------------------------- views once
def test_a_view_is_logged_once_per_viewer_subject_and_page_per_hour(store, mini, at_time):
    ivan = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(ivan, "Tuesday")
    ana, ben = make_user(store, "Ana"), make_user(store, "Ben")
    for trainee in (ana, ben):
        store.cohorts.join(trainee, cohort.join_code)
        record_first_choice(store, trainee, mini)
    admin = root_admin(store)

    def views() -> list[tuple[str, str | None]]:
        return sorted(
            (e.action, e.subject_name)
            for e in store.audit.entries(admin)
            if e.actor_name == "Ivan" and e.action.startswith("view")
        )

    for _ in range(5):  # five reruns of a page that reads Ana's progress twice, and her attempts
        store.attempts_frame(ivan, ana.id)
        store.hits_frame(ivan, ana.id)
        store.attempts_of(ivan, ana.id)
        store.cohorts.members(ivan, cohort.id)
    assert views() == [("view attempts", "Ana"), ("view cohort", None), ("view progress", "Ana")]

    store.hits_frame(ivan, ben.id)  # another trainee is another entry
    at_time(timedelta(minutes=59))
    store.hits_frame(ivan, ana.id)  # still within the hour
    assert views().count(("view progress", "Ana")) == 1
    at_time(timedelta(minutes=2))
    store.hits_frame(ivan, ana.id)  # an hour later, logged again
    assert views().count(("view progress", "Ana")) == 2
    assert views().count(("view progress", "Ben")) == 1
    store.hits_frame(ana, ana.id)  # her own view is never logged
    assert [e.action for e in store.audit.entries(admin) if e.actor_name == "Ana" and e.action.startswith("view")] == []


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_reruns_of_the_dashboard_drill_down_add_no_entries(isolated_data, mini):
    store = Store.open(isolated_data)
    try:
        ivan = make_user(store, "Ivan", "instructor")
        cohort = store.cohorts.create(ivan, "Tuesday")
        ana = make_user(store, "Ana")
        store.cohorts.join(ana, cohort.join_code)
        attempt_id = record_first_choice(store, ana, mini)
        at = app_for(store.accounts.start_session(ivan))
        at.switch_page("pages/dashboard.py").run()
        at.selectbox(key="dashboard_cohort").set_value(cohort.id).run()
        at.selectbox(key="dashboard_trainee").set_value(ana.id).run()
        at.selectbox(key="dashboard_attempt").set_value(attempt_id).run()
        assert not at.exception
        admin = root_admin(store)
        count = len(store.audit.entries(admin))
        for _ in range(10):
            at.run()
        assert not at.exception
        assert len(store.audit.entries(admin)) == count
        actions = sorted(e.action for e in store.audit.entries(admin) if e.actor_name == "Ivan" and e.action.startswith("view"))
        assert actions == ["view attempts", "view cohort dashboard", "view progress", "view transcript"]
    finally:
        store.close()


# ----------------------------------------------------------------------------------------- the page
def admin_page(database_url: str) -> AppTest:
    at = app_for(session_for(database_url, "Ada Admin", "admin"))
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    return at


def audit_caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if c.value.startswith(("Entries ", "No entries", "Nothing recorded")))


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_the_admin_page_pages_through_the_log(isolated_data):
    at = admin_page(isolated_data)
    store = Store.open(isolated_data)
    try:
        add_entries(store, 1233)
    finally:
        store.close()
    at.run()
    assert audit_caption(at) == "Entries 1–50 of 1,234, newest first. Times are in UTC."
    assert at.button(key="audit_previous").disabled
    table = at.table[0].value
    assert list(table.columns) == [esc("when (UTC)"), "who", "did", "whose", "detail"]
    assert table.iloc[0].tolist() == [esc("2027-03-02 05:32"), "Ivan", esc("view progress"), "", esc("entry 1233")]
    at.button(key="audit_next").click().run()
    assert audit_caption(at) == "Entries 51–100 of 1,234, newest first. Times are in UTC."
    assert at.table[0].value.iloc[0]["detail"] == esc("entry 1183")
    for _ in range(23):  # to page 25, the last
        at.button(key="audit_next").click().run()
    assert audit_caption(at) == "Entries 1,201–1,234 of 1,234, newest first. Times are in UTC."
    assert at.button(key="audit_next").disabled
    at.button(key="audit_previous").click().run()
    assert audit_caption(at) == "Entries 1,151–1,200 of 1,234, newest first. Times are in UTC."


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_the_admin_page_filters_the_log(isolated_data):
    at = admin_page(isolated_data)
    store = Store.open(isolated_data)
    try:
        add_entries(store, 60)
        add_entries(store, 3, "export records")
    finally:
        store.close()
    at.run()
    at.button(key="audit_next").click().run()  # on page 2: a new filter starts again at page 1
    at.selectbox(key="audit_action").set_value("export records")
    at.button(key="FormSubmitter:audit_filter-Show entries").click().run()
    assert audit_caption(at) == "Entries 1–3 of 3, newest first. Times are in UTC."
    at.selectbox(key="audit_action").set_value("All actions")
    at.text_input(key="audit_person").input("ivan")
    at.date_input(key="audit_since").set_value(date(2027, 3, 1))
    at.date_input(key="audit_until").set_value(date(2027, 3, 1))
    at.button(key="FormSubmitter:audit_filter-Show entries").click().run()
    assert audit_caption(at) == "Entries 1–50 of 63, newest first. Times are in UTC."
    at.text_input(key="audit_person").input("nobody by that name")
    at.button(key="FormSubmitter:audit_filter-Show entries").click().run()
    assert audit_caption(at) == "No entries match. Try fewer filters."
    assert not at.table


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_a_from_date_after_the_to_date_is_explained(isolated_data):
    at = admin_page(isolated_data)
    at.date_input(key="audit_since").set_value(date(2027, 3, 5))
    at.date_input(key="audit_until").set_value(date(2027, 3, 1))
    at.button(key="FormSubmitter:audit_filter-Show entries").click().run()
    assert [e.value for e in at.error] == [
        "The From date is after the To date. Please choose a From date on or before the To date."
    ]
    assert not at.table


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_names_in_the_log_show_as_typed(isolated_data):
    at = admin_page(isolated_data)
    store = Store.open(isolated_data)
    try:
        admin = root_admin(store)
        sly = store.accounts.register("![x](https://evil.example/p.png) *Sly*", "sly@example.org", "quiet river lantern 42")
        with store.engine.begin() as connection:
            audit.write(connection, User(sly.id, sly.name), "view progress", admin.id, "[click](https://evil.example)")
    finally:
        store.close()
    at.run()
    first = at.table[0].value.iloc[0]
    assert first["who"] == esc("![x](https://evil.example/p.png) *Sly*") != "![x](https://evil.example/p.png) *Sly*"
    assert first["detail"] == esc("[click](https://evil.example)")
    assert first["whose"] == "Ada Admin"
