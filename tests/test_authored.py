"""Studio scenarios in the records: drafts, access, publishing to cohorts, what trainees may play."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from records import AccessDenied, Store
from records.authored import AuthoringError
from records.tables import audit_log, authored_scenarios, scenario_versions
from scenarios import load_scenario
from tests.helpers import FIXTURES, make_user

BROKEN = (FIXTURES / "studio" / "broken.yaml").read_text(encoding="utf-8")
MINI = (FIXTURES / "good" / "mini.yaml").read_text(encoding="utf-8")


@pytest.fixture
def people(store: Store):
    admin = make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    omar = make_user(store, "Omar Instructor", "instructor")
    tara = make_user(store, "Tara Trainee")
    theo = make_user(store, "Theo Trainee")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    store.cohorts.join(tara, cohort.join_code)
    other = store.cohorts.create(omar, "Omar's class")
    store.cohorts.join(theo, other.join_code)
    return admin, ines, omar, tara, theo, cohort, other


def draft_of_mini(store: Store, actor, rubric):  # type: ignore[no-untyped-def]
    loaded = load_scenario(MINI, rubric)
    return store.authored.create(
        actor, MINI, name=loaded.scenario.title, scenario_id=loaded.id, checked_hash=loaded.content_hash
    ), loaded


def test_a_draft_with_problems_is_kept_exactly_as_written(store, people):
    _, ines, *_ = people
    draft = store.authored.create(ines, BROKEN, name="After the night shift", scenario_id="night-shift", checked_hash=None)
    assert (draft.status, draft.checks_pass, draft.source, draft.author_name) == ("draft", False, BROKEN, "Ines Instructor")
    assert [a.id for a in store.authored.mine(ines)] == [draft.id]


def test_only_the_author_or_an_admin_may_open_or_change_a_draft(store, people):
    admin, ines, omar, tara, *_ = people
    draft = store.authored.create(ines, BROKEN, name="Draft", scenario_id=None, checked_hash=None)
    with pytest.raises(AccessDenied, match="Only the scenario's author"):
        store.authored.get(omar, draft.id)
    with pytest.raises(AccessDenied, match="Only the scenario's author"):
        store.authored.save(omar, draft.id, "id: mine", name="x", scenario_id=None, checked_hash=None)
    with pytest.raises(AccessDenied, match=r"^This needs the instructor or admin role\.$"):
        store.authored.create(tara, BROKEN, name="x", scenario_id=None, checked_hash=None)
    with pytest.raises(AccessDenied):
        store.authored.mine(tara)
    assert store.authored.mine(omar) == []
    assert store.authored.get(admin, draft.id).source == BROKEN  # admins see every draft
    assert store.authored.get(ines, draft.id).source == BROKEN  # and nothing was changed by the refused save


def test_an_empty_name_becomes_untitled_and_oversized_text_is_refused_without_saving(store, people):
    _, ines, *_ = people
    draft = store.authored.create(ines, "x: 1", name="   ", scenario_id=None, checked_hash=None)
    assert draft.name == "Untitled draft"
    huge = "#" * (1024 * 1024 + 1)
    with pytest.raises(AuthoringError, match=r"^This scenario is larger than 1 MiB; nothing was saved\."):
        store.authored.save(ines, draft.id, huge, name="x", scenario_id=None, checked_hash=None)
    assert store.authored.get(ines, draft.id).source == "x: 1"


def test_publishing_refuses_drafts_with_problems_and_changed_drafts(store, people, rubric):
    _, ines, _, _, _, cohort, _ = people
    broken = store.authored.create(ines, BROKEN, name="Broken", scenario_id="night-shift", checked_hash=None)
    with pytest.raises(AuthoringError) as refused:
        store.authored.publish(ines, broken.id, [cohort.id], content_hash="0" * 64, scenario_id="night-shift")
    assert str(refused.value) == (
        "This draft has problems to fix first; only a scenario that passes every check can be published."
    )
    draft, loaded = draft_of_mini(store, ines, rubric)
    with pytest.raises(AuthoringError, match=r"^The draft changed since it was checked\. Save it again, then publish\.$"):
        store.authored.publish(ines, draft.id, [cohort.id], content_hash="f" * 64, scenario_id=loaded.id)
    with pytest.raises(AuthoringError, match=r"^Choose at least one cohort to publish to\.$"):
        store.authored.publish(ines, draft.id, [], content_hash=loaded.content_hash, scenario_id=loaded.id)
    with pytest.raises(AuthoringError) as reserved:
        store.authored.publish(
            ines, draft.id, [cohort.id], content_hash=loaded.content_hash, scenario_id=loaded.id, reserved_ids={"mini"}
        )
    assert str(reserved.value) == "The id 'mini' belongs to a scenario in the shipped library; give yours another id."
    assert store.authored.get(ines, draft.id).status == "draft"


def test_instructors_publish_only_to_their_own_cohorts(store, people, rubric):
    _, ines, _, _, _, _, other = people
    draft, loaded = draft_of_mini(store, ines, rubric)
    with pytest.raises(AccessDenied, match=r"^You can publish only to your own cohorts\.$"):
        store.authored.publish(ines, draft.id, [other.id], content_hash=loaded.content_hash, scenario_id=loaded.id)


def test_a_published_scenario_reaches_its_cohort_only(store, people, rubric):
    admin, ines, omar, tara, theo, cohort, _ = people
    draft, loaded = draft_of_mini(store, ines, rubric)
    published = store.authored.publish(ines, draft.id, [cohort.id], content_hash=loaded.content_hash, scenario_id=loaded.id)
    assert (published.status, published.published_hash, published.cohort_ids) == ("published", loaded.content_hash, (cohort.id,))
    for who in (tara, ines, admin):
        assert [(p.scenario_id, p.content_hash, p.author_name) for p in store.authored.playable(who)] == [
            ("mini", loaded.content_hash, "Ines Instructor")
        ]
    assert store.authored.playable(theo) == []
    assert store.authored.playable(omar) == []
    with store.engine.connect() as connection:
        assert (
            connection.execute(
                select(scenario_versions.c.source).where(scenario_versions.c.content_hash == loaded.content_hash)
            ).scalar_one()
            == MINI
        )
        actions = connection.execute(select(audit_log.c.action, audit_log.c.detail)).all()
    assert ("publish scenario", f"mini ({loaded.content_hash[:12]}) to cohort(s) {cohort.id}") in actions


def test_editing_a_published_scenario_changes_only_the_draft_until_published_again(store, people, rubric):
    _, ines, _, tara, _, cohort, _ = people
    draft, loaded = draft_of_mini(store, ines, rubric)
    store.authored.publish(ines, draft.id, [cohort.id], content_hash=loaded.content_hash, scenario_id=loaded.id)
    edited_text = MINI.replace("A short check-in", "A short check-in, revised")
    edited = load_scenario(edited_text, rubric)
    saved = store.authored.save(
        ines, draft.id, edited_text, name=edited.scenario.title, scenario_id="mini", checked_hash=edited.content_hash
    )
    assert saved.unpublished_changes
    assert [p.content_hash for p in store.authored.playable(tara)] == [loaded.content_hash]
    again = store.authored.publish(ines, draft.id, [cohort.id], content_hash=edited.content_hash, scenario_id="mini")
    assert not again.unpublished_changes
    assert [p.content_hash for p in store.authored.playable(tara)] == [edited.content_hash]


def test_two_published_scenarios_cannot_share_an_id(store, people, rubric):
    _, ines, _, _, _, cohort, _ = people
    first, loaded = draft_of_mini(store, ines, rubric)
    store.authored.publish(ines, first.id, [cohort.id], content_hash=loaded.content_hash, scenario_id="mini")
    second, _ = draft_of_mini(store, ines, rubric)
    with pytest.raises(AuthoringError) as clash:
        store.authored.publish(ines, second.id, [cohort.id], content_hash=loaded.content_hash, scenario_id="mini")
    assert str(clash.value) == "The id 'mini' is already used by the published scenario “A short check-in”."


def test_retiring_and_deleting_keep_played_versions(store, people, rubric):
    _, ines, _, tara, _, cohort, _ = people
    draft, loaded = draft_of_mini(store, ines, rubric)
    store.authored.publish(ines, draft.id, [cohort.id], content_hash=loaded.content_hash, scenario_id="mini")
    store.start_attempt(tara, scenario_id="mini", content_hash=loaded.content_hash, source=MINI, start="open", mode="coached")
    retired = store.authored.retire(ines, draft.id)
    assert (retired.status, retired.cohort_ids) == ("retired", ())
    assert store.authored.playable(tara) == []
    store.authored.delete(ines, draft.id)
    with store.engine.connect() as connection:
        assert connection.execute(select(authored_scenarios)).all() == []
    assert store.version_source(loaded.content_hash) == MINI  # Tara's attempt can still be reviewed
