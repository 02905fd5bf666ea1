"""History and co-authoring of studio drafts: versions, differences, restore, refused stale saves and sharing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from records import AccessDenied, Store
from records.authored import AuthoringError, StaleDraft
from records.tables import audit_log
from scenarios.diff import diff_text
from scenarios.studio import starter_text
from tests.helpers import app_for, make_user, plain_yaml_box
from tests.shown import shown, shown_rows

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.usefixtures("fixture_library")  # the page tests need fresh Streamlit caches

ONE = "id: talk\ntitle: First words\n"
TWO = "id: talk\ntitle: First words\nsummary: A short talk.\n"
THREE = "id: talk\ntitle: Better words\nsummary: A short talk.\n"


@pytest.fixture
def clock_start() -> datetime:
    return datetime(2027, 3, 1, 15, 42, tzinfo=UTC)


@pytest.fixture
def people(store: Store):
    admin = make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    omar = make_user(store, "Omar Instructor", "instructor")
    una = make_user(store, "Una Instructor", "instructor")
    tara = make_user(store, "Tara Trainee")
    return admin, ines, omar, una, tara


def save(store: Store, actor, draft_id: int, text: str, base: int | None = None, name: str = "First words"):  # type: ignore[no-untyped-def]
    return store.authored.save(actor, draft_id, text, name=name, scenario_id="talk", checked_hash=None, base_revision=base)


def actions(store: Store) -> list[tuple[str, str | None, str]]:
    with store.engine.connect() as connection:
        return [
            (r.action, r.actor_name, r.detail)
            for r in connection.execute(select(audit_log).order_by(audit_log.c.id))
            if "scenario" in r.action
        ]


def test_creating_makes_version_one_and_each_changed_save_a_new_version(store, people, at_time):
    _, ines, omar, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    assert (draft.revision, draft.saved_by_name) == (1, "Ines Instructor")
    store.authored.share(ines, draft.id, [omar.id])
    at_time(timedelta(minutes=5))
    saved = save(store, omar, draft.id, TWO, base=1)
    assert (saved.revision, saved.saved_by_name, saved.source) == (2, "Omar Instructor", TWO)
    history = store.authored.history(ines, draft.id)
    assert [(r.number, r.saved_by_name, r.saved_at, r.name) for r in history] == [
        (2, "Omar Instructor", datetime(2027, 3, 1, 15, 47, tzinfo=UTC), "First words"),
        (1, "Ines Instructor", datetime(2027, 3, 1, 15, 42, tzinfo=UTC), "First words"),
    ]
    assert store.authored.revision_source(omar, draft.id, 1) == ONE


def test_a_save_with_unchanged_text_makes_no_new_version(store, people, at_time):
    _, ines, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    at_time(timedelta(minutes=5))
    again = save(store, ines, draft.id, ONE, base=1)
    assert (again.revision, again.updated_at) == (1, draft.updated_at)
    assert [r.number for r in store.authored.history(ines, draft.id)] == [1]


def test_the_difference_between_two_versions_reads_as_a_unified_diff(store, people):
    _, ines, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    save(store, ines, draft.id, TWO, base=1)
    save(store, ines, draft.id, THREE, base=2, name="Better words")
    old = store.authored.revision_source(ines, draft.id, 1)
    new = store.authored.revision_source(ines, draft.id, 3)
    found = diff_text(old, new, "Version 1", "Version 3")
    assert found.text == (
        "--- Version 1\n+++ Version 3\n@@ -1,2 +1,3 @@\n id: talk\n-title: First words\n+title: Better words\n"
        "+summary: A short talk."
    )
    assert found.summary() == "2 lines added and 1 line removed."
    assert diff_text(old, old, "Version 1", "Version 1").summary() == "The two versions are the same."


def test_restoring_brings_an_old_version_back_as_a_new_one_and_keeps_every_other(store, people):
    _, ines, omar, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    save(store, ines, draft.id, TWO, base=1)
    save(store, ines, draft.id, THREE, base=2, name="Better words")
    store.authored.share(ines, draft.id, [omar.id])
    restored = store.authored.restore(omar, draft.id, 1, name="First words", scenario_id="talk", checked_hash=None)
    assert (restored.revision, restored.source, restored.name, restored.saved_by_name) == (
        4,
        ONE,
        "First words",
        "Omar Instructor",
    )
    history = store.authored.history(ines, draft.id)
    assert [(r.number, r.restored_from, r.name) for r in history] == [
        (4, 1, "First words"),
        (3, None, "Better words"),
        (2, None, "First words"),
        (1, None, "First words"),
    ]
    assert store.authored.revision_source(ines, draft.id, 3) == THREE  # nothing lost
    assert (
        "restore scenario version",
        "Omar Instructor",
        f"studio #{draft.id}: Better words, version 1 restored as version 4",
    ) in actions(store)
    with pytest.raises(AuthoringError) as same:
        store.authored.restore(ines, draft.id, 4, name="First words", scenario_id="talk", checked_hash=None)
    assert str(same.value) == "Version 4 is the same as the current draft; there is nothing to restore."
    with pytest.raises(AuthoringError) as missing:
        store.authored.restore(ines, draft.id, 9, name="x", scenario_id="talk", checked_hash=None)
    assert str(missing.value) == "There is no such version of this draft."
    assert store.authored.get(ines, draft.id).revision == 4


def test_a_save_after_someone_elses_is_refused_naming_them_and_nothing_is_lost(store, people, at_time):
    _, ines, omar, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    store.authored.share(ines, draft.id, [omar.id])
    # Both open version 1; Ines saves first.
    save(store, ines, draft.id, TWO, base=1)
    at_time(timedelta(minutes=3))
    with pytest.raises(StaleDraft) as refused:
        save(store, omar, draft.id, THREE, base=1, name="Better words")
    assert str(refused.value) == (
        "Ines Instructor saved this draft at 3:42 PM after you opened it. Your text is kept below; see the "
        "difference, then save again to replace theirs, or copy what you need."
    )
    assert (refused.value.theirs.number, refused.value.their_source) == (2, TWO)
    kept = store.authored.get(omar, draft.id)
    assert (kept.source, kept.revision, kept.name) == (TWO, 2, "First words")  # Ines's save stands
    # Saving again from the version now seen replaces hers, which stays in the history.
    replaced = save(store, omar, draft.id, THREE, base=2, name="Better words")
    assert (replaced.revision, replaced.source) == (3, THREE)
    assert store.authored.revision_source(omar, draft.id, 2) == TWO


def test_a_stale_save_names_the_day_when_it_was_not_today_and_yourself_in_another_window(store, people, at_time):
    _, ines, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    save(store, ines, draft.id, TWO, base=1)
    at_time(timedelta(days=1))
    with pytest.raises(StaleDraft) as refused:
        save(store, ines, draft.id, THREE, base=1)
    assert str(refused.value) == (
        "You saved this draft in another window on 1 Mar at 3:42 PM, after this one was opened. Your text here is "
        "kept below; see the difference, then save again to replace that version, or copy what you need."
    )
    # The same text as the latest version is no conflict: nothing to keep, nothing refused.
    assert save(store, ines, draft.id, TWO, base=1).revision == 2


def test_sharing_lets_a_co_author_open_edit_and_restore_but_not_delete_publish_retire_or_share(store, people):
    _, ines, omar, una, tara = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    assert [(i.name) for i in store.authored.instructors(ines, draft.id)] == ["Omar Instructor", "Una Instructor"]
    assert store.authored.mine(omar) == []
    shared = store.authored.share(ines, draft.id, [omar.id])
    assert shared.shared_with == (omar.id,)
    assert [a.id for a in store.authored.mine(omar)] == [draft.id]
    assert store.authored.get(omar, draft.id).source == ONE
    owner_only = "Only the scenario's author (or an admin) can do that."
    for attempt in (
        lambda: store.authored.delete(omar, draft.id),
        lambda: store.authored.publish(omar, draft.id, [1], content_hash="0" * 64, scenario_id="talk"),
        lambda: store.authored.retire(omar, draft.id),
        lambda: store.authored.share(omar, draft.id, [omar.id, una.id]),
        lambda: store.authored.instructors(omar, draft.id),
    ):
        with pytest.raises(AccessDenied) as refused:
            attempt()
        assert str(refused.value) == owner_only
    not_shared = "Only the scenario's author, the instructors it is shared with, or an admin can do that."
    for attempt in (
        lambda: store.authored.get(una, draft.id),
        lambda: save(store, una, draft.id, TWO, base=1),
        lambda: store.authored.history(una, draft.id),
        lambda: store.authored.revision_source(una, draft.id, 1),
        lambda: store.authored.restore(una, draft.id, 1, name="x", scenario_id=None, checked_hash=None),
    ):
        with pytest.raises(AccessDenied) as refused:
            attempt()
        assert str(refused.value) == not_shared
    with pytest.raises(AccessDenied) as trainee:
        store.authored.history(tara, draft.id)
    assert str(trainee.value) == "This needs the instructor or admin role."
    assert store.authored.get(ines, draft.id).source == ONE  # the refused save changed nothing


def test_sharing_only_with_other_instructors_and_admins_may_share_too(store, people):
    admin, ines, omar, una, tara = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    with pytest.raises(AuthoringError) as trainee:
        store.authored.share(ines, draft.id, [omar.id, tara.id])
    assert str(trainee.value) == "A draft can be shared only with instructors; nothing was changed."
    with pytest.raises(AuthoringError) as author:
        store.authored.share(ines, draft.id, [ines.id])
    assert str(author.value) == "The author already writes this draft; choose other instructors to share it with."
    assert store.authored.get(ines, draft.id).shared_with == ()
    store.authored.share(admin, draft.id, [omar.id, una.id])
    store.authored.share(ines, draft.id, [una.id])
    assert store.authored.get(ines, draft.id).shared_with == (una.id,)
    with pytest.raises(AccessDenied):
        store.authored.get(omar, draft.id)  # unshared: no longer his to open
    assert actions(store) == [
        ("share scenario", "Ada Admin", f"studio #{draft.id}: First words with Omar Instructor"),
        ("share scenario", "Ada Admin", f"studio #{draft.id}: First words with Una Instructor"),
        ("unshare scenario", "Ines Instructor", f"studio #{draft.id}: First words with Omar Instructor"),
    ]


def test_deleting_a_draft_takes_its_history_and_shares_with_it(store, people):
    _, ines, omar, *_ = people
    draft = store.authored.create(ines, ONE, name="First words", scenario_id="talk", checked_hash=None)
    save(store, ines, draft.id, TWO, base=1)
    store.authored.share(ines, draft.id, [omar.id])
    store.authored.delete(ines, draft.id)
    from records.tables import authored_revisions, authored_shares

    with store.engine.connect() as connection:
        assert connection.execute(select(authored_revisions)).all() == []
        assert connection.execute(select(authored_shares)).all() == []
    assert store.authored.mine(omar) == []


# ------------------------------------------------------------------ the page
STARTER = starter_text()
RETITLED = STARTER.replace("title: A first conversation", "title: A second conversation")


def studio_as(store: Store, actor) -> AppTest:  # type: ignore[no-untyped-def]
    at = app_for(store.accounts.start_session(actor))
    plain_yaml_box(at).switch_page("pages/studio.py").run()
    at.selectbox(key="studio_pick").set_value("a:1").run()
    assert not at.exception
    return at


def editor(at: AppTest):  # type: ignore[no-untyped-def]
    return at.text_area(key="studio_source_1")


def table_with(at: AppTest, column: str) -> dict[str, list[object]]:
    """The columns of the table that has ``column``, as a reader sees them."""
    rows = shown_rows(next(t.value for t in at.table if column in t.value.columns))
    return {k: [row[k] for row in rows] for k in rows[0]}


def diffs(at: AppTest) -> list[str]:
    return [c.value for c in at.code if c.value.startswith("--- ")]


def test_the_history_tab_lists_versions_shows_their_difference_and_restores_one(store, people, at_time):
    _, ines, *_ = people
    assert "title: A first conversation" in STARTER
    store.authored.create(ines, STARTER, name="A first conversation", scenario_id=None, checked_hash=None)
    at_time(timedelta(minutes=10))
    store.authored.save(ines, 1, RETITLED, name="A second conversation", scenario_id=None, checked_hash=None)
    at = studio_as(store, ines)
    rows = table_with(at, "Version")
    assert rows["Version"] == [2, 1]
    assert rows["Saved by"] == ["Ines Instructor", "Ines Instructor"]
    assert rows["Saved"] == ["01 Mar 2027 15:52", "01 Mar 2027 15:42"]
    assert rows["Title"] == ["A second conversation", "A first conversation"]
    assert diffs(at) == [diff_text(STARTER, RETITLED, "Version 1", "Version 2").text]
    assert "-title: A first conversation\n+title: A second conversation" in diffs(at)[0]
    assert "1 line added and 1 line removed." in [c.value for c in at.caption]
    # Restoring asks for a confirmation first.
    assert at.button(key="studio_restore_1").disabled
    at.selectbox(key="studio_restore_pick_1").set_value(1).run()
    assert at.button(key="studio_restore_1").disabled
    at.checkbox(key="studio_restore_sure_1").check().run()
    at.button(key="studio_restore_1").click().run()
    assert not at.exception
    assert at.info[0].value == "Restored version 1 as version 3. Every other version stays in the history."
    assert editor(at).value == STARTER
    assert table_with(at, "Version")["Note"] == ["restored version 1", "", ""]
    assert store.authored.get(ines, 1).source == STARTER
    assert store.authored.revision_source(ines, 1, 2) == RETITLED


def test_a_restore_waits_for_unsaved_changes_to_be_saved_or_undone(store, people):
    _, ines, *_ = people
    store.authored.create(ines, STARTER, name="A first conversation", scenario_id=None, checked_hash=None)
    store.authored.save(ines, 1, RETITLED, name="A second conversation", scenario_id=None, checked_hash=None)
    at = studio_as(store, ines)
    editor(at).input(RETITLED + "# my note\n").run()
    at.selectbox(key="studio_restore_pick_1").set_value(1).run()
    assert at.checkbox(key="studio_restore_sure_1").disabled
    assert at.button(key="studio_restore_1").disabled
    assert "Save or undo your unsaved changes first: restoring replaces the text in the editor." in [c.value for c in at.caption]
    assert editor(at).value == RETITLED + "# my note\n"


def test_two_instructors_saving_one_shared_draft_never_overwrite_each_other_silently(store, people, at_time):
    _, ines, omar, *_ = people
    store.authored.create(ines, STARTER, name="A first conversation", scenario_id=None, checked_hash=None)
    store.authored.share(ines, 1, [omar.id])
    hers, his = studio_as(store, ines), studio_as(store, omar)
    omars = STARTER.replace("title: A first conversation", "title: Omar's conversation")
    ines_text = STARTER + "# Ines: add a second ending\n"
    editor(his).input(omars).run()
    his.button(key="studio_save_1").click().run()
    assert his.info[0].value == "Draft saved."
    editor(hers).input(ines_text).run()
    hers.button(key="studio_save_1").click().run()
    assert not hers.exception
    assert [shown(w.value) for w in hers.warning if "saved this draft" in w.value] == [
        "Omar Instructor saved this draft at 3:42 PM after you opened it. Your text is kept below; see the "
        "difference, then save again to replace theirs, or copy what you need."
    ]
    assert editor(hers).value == ines_text  # nothing lost
    difference = diffs(hers)[0]
    assert difference.startswith("--- Version 2, saved by Omar Instructor\n+++ Your text\n")
    assert "-title: Omar's conversation\n+title: A first conversation" in difference
    assert "+# Ines: add a second ending" in difference
    assert store.authored.get(ines, 1).source == omars  # his save stands
    # Saving again, having seen the difference, replaces his version; his stays in the history.
    hers.button(key="studio_save_1").click().run()
    assert hers.info[0].value == "Draft saved."
    assert store.authored.get(ines, 1).source == ines_text
    assert [r.saved_by_name for r in store.authored.history(ines, 1)] == [
        "Ines Instructor",
        "Omar Instructor",
        "Ines Instructor",
    ]
    # Omar made no change since his save: his editor now shows her version.
    his.run()
    assert editor(his).value == ines_text


def test_the_author_shares_from_the_publish_tab_and_a_co_author_cannot(store, people):
    _, ines, omar, *_ = people
    store.authored.create(ines, STARTER, name="A first conversation", scenario_id=None, checked_hash=None)
    at = studio_as(store, ines)
    assert at.multiselect(key="studio_share_1").options == ["Omar Instructor", "Una Instructor"]
    at.multiselect(key="studio_share_1").set_value([omar.id]).run()
    at.button(key="studio_share_save_1").click().run()
    assert not at.exception
    assert at.info[0].value == "Shared with Omar Instructor."
    assert store.authored.get(ines, 1).shared_with == (omar.id,)
    his = studio_as(store, omar)
    assert "By Ines Instructor: A first conversation" in his.selectbox(key="studio_pick").options
    assert not [m for m in his.multiselect if m.key == "studio_share_1"]
    assert not [b for b in his.button if b.key in ("studio_publish_1", "studio_delete_1")]
    assert "Ines Instructor shared this draft with you. Only its author or an admin can publish, retire, share or delete it." in [
        i.value for i in his.info
    ]


def test_upgrading_gives_existing_drafts_their_text_as_version_one_and_goes_back_down(tmp_path):
    """A database at migration 0011 with a draft upgrades: the draft's text becomes version 1, saved by its author
    when it last changed; downgrading to 0011 drops the new tables and keeps the draft."""
    from alembic import command
    from sqlalchemy import inspect, text

    from records import db

    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = db.create(url)
    with engine.begin() as connection, db.alembic_on(connection) as config:
        command.upgrade(config, "0011")
        connection.execute(
            text("INSERT INTO users (id, name, name_key, role, created_at) VALUES (1, 'Ines', 'ines', 'instructor', :m)"),
            {"m": "2026-11-01 10:00:00"},
        )
        connection.execute(
            text(
                "INSERT INTO authored_scenarios (id, author_id, name, source, status, created_at, updated_at)"
                " VALUES (4, 1, 'First words', :s, 'draft', '2026-11-01 10:00:00', '2026-11-02 11:30:00')"
            ),
            {"s": ONE},
        )
        command.upgrade(config, "0012")
        rows = connection.execute(
            text("SELECT authored_id, number, name, source, saved_by, saved_at FROM authored_revisions")
        ).all()
        assert [tuple(r) for r in rows] == [(4, 1, "First words", ONE, 1, "2026-11-02 11:30:00")]
        command.downgrade(config, "0011")
        tables = set(inspect(connection).get_table_names())
        assert "authored_revisions" not in tables and "authored_shares" not in tables
        assert connection.execute(text("SELECT source FROM authored_scenarios")).scalar_one() == ONE
    engine.dispose()
