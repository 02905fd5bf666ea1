"""The studio's form view (ui/studio_form.py): an instructor builds a scenario from a blank draft without seeing
YAML; every change is written through scenarios.roundtrip, saved, and checked, with problems under their field."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from scenarios import roundtrip
from scenarios.studio import inspect, starter_text
from tests.helpers import app_for, make_user, plain_yaml_box, session_for
from ui.render import esc

pytestmark = [pytest.mark.usefixtures("fixture_library"), pytest.mark.apptest]


def key(*path: str | int) -> str:
    return "studio_form_1:" + "/".join(str(part) for part in path)


def open_blank(database_url: str, text: str | None = None) -> tuple[AppTest, Store, Any]:
    """An instructor with one draft (a blank one unless ``text``), open in the form view."""
    at = app_for(session_for(database_url, "Ines Instructor", "instructor"))
    store = Store.open(database_url)
    ines = next(a.user for a in store.accounts.list(make_user(store, "Ada Admin", "admin")) if a.user.name == "Ines Instructor")
    store.authored.create(ines, text or roundtrip.blank(), name="new-scenario.yaml", scenario_id=None, checked_hash=None)
    plain_yaml_box(at).switch_page("pages/studio.py").run()
    at.selectbox(key="studio_pick").set_value("a:1").run()
    at.button_group(key="studio_view_1").set_value("Form").run()
    assert not at.exception
    return at, store, ines


def in_order(at: AppTest) -> list[Any]:
    """Every element of the page in the order it is drawn."""

    def walk(node: Any) -> list[Any]:
        children = getattr(node, "children", None)
        if children is None:
            return [node]
        return [leaf for index in sorted(children) for leaf in walk(children[index])]

    return walk(at._tree)


def messages_under(at: AppTest, widget_key: str) -> list[str]:
    """The problems drawn right under a field (until the next widget)."""
    elements = in_order(at)
    start = next(i for i, e in enumerate(elements) if getattr(e, "key", None) == widget_key)
    found = []
    for element in elements[start + 1 :]:
        if element.type in ("alert",) or type(element).__name__ in ("Error", "Warning"):
            found.append(element.value)
        elif getattr(element, "key", None):
            break
    return found


def saved_source(store: Store, ines: Any) -> str:
    return store.authored.get(ines, 1).source


RESPONSES = {
    # point: [(say, quality, criteria, why, better, next), ...]
    "point-1": [
        (
            "It sounds like part of you wants the job and part of you is worried.",
            "strongest",
            ["po.reflective-listening", "po.exploration-is-valid"],
            "It reflects both sides and keeps exploring.",
            "",
            "point-2",
        ),
        (
            "Let's book three interviews for next week.",
            "pitfall",
            ["pf.ahead-of-readiness"],
            "Sam has not said they are ready. The stronger response reflects both sides instead.",
            "response-1",
            "ending-2",
        ),
    ],
    "point-2": [
        (
            "Just apply everywhere, that is what I did.",
            "pitfall",
            ["pf.dictating"],
            "It hands Sam your plan. The stronger response asks what they would like to try instead.",
            "response-2",
            "ending-2",
        ),
        (
            "What would you like to try first?",
            "strongest",
            ["po.honor-self-determination"],
            "Sam picks the first step, so the plan stays theirs.",
            "",
            "point-3",
        ),
    ],
    "point-3": [
        (
            "That is a real step. How will you know it went well?",
            "strongest",
            ["po.honor-self-determination"],
            "It celebrates Sam's own step and lets them set the marker.",
            "",
            "ending-1",
        ),
        (
            "Make sure you write it all down tonight.",
            "pitfall",
            ["pf.dictating"],
            "It tells Sam what to do. The stronger response lets them choose instead.",
            "response-1",
            "ending-2",
        ),
    ],
}


def build_in_form(at: AppTest) -> None:
    """Fill draft 1's form, field by field, into a three-point scenario with two endings."""
    # details
    at.text_input(key=key("title")).input("A first job interview")
    at.text_area(key=key("summary")).input("Sam has a job interview and mixed feelings about it.")
    at.text_input(key=key("peer", "name")).input("Sam")
    at.text_input(key=key("peer", "pronouns")).input("they/them")
    at.text_area(key=key("peer", "about")).input("29, eighteen months into recovery, looking for work.")
    at.text_area(key=key("content_note")).input("Mentions past alcohol use.")
    at.multiselect(key=key("domains")).set_value(["readiness", "self-determination"])
    at.selectbox(key=key("difficulty")).set_value(2)
    at.run()
    assert not at.exception
    assert at.header[0].value == "A first job interview"  # the draft is named by its new title, and stays open

    # three decision points and two endings
    at.button(key="studio_form_1.add_point").click().run()
    at.button(key="studio_form_1.add_point").click().run()
    at.button(key="studio_form_1.add_ending").click().run()
    assert not at.exception
    for node_id, words, readiness in (
        ("point-1", "I got an interview. I want it, I think. It's scary.", "contemplating"),
        ("point-2", "Maybe I could practice first. I don't know where to start.", "preparing"),
        ("point-3", "I'll ask my sponsor to do a mock interview on Sunday.", "preparing"),
    ):
        at.text_area(key=key("nodes", node_id, "peer")).input(words)
        at.selectbox(key=key("nodes", node_id, "readiness")).set_value(readiness)
        for index, (say, quality, criteria, why, better, target) in enumerate(RESPONSES[node_id]):
            at.text_area(key=key("nodes", node_id, "choices", index, "say")).input(say)
            at.selectbox(key=key("nodes", node_id, "choices", index, "quality")).set_value(quality)
            at.multiselect(key=key("nodes", node_id, "choices", index, "criteria")).set_value(criteria)
            at.text_area(key=key("nodes", node_id, "choices", index, "why")).input(why)
            if better:
                at.selectbox(key=key("nodes", node_id, "choices", index, "better")).set_value(better)
            at.selectbox(key=key("nodes", node_id, "choices", index, "next")).set_value(target)
        at.run()
        assert not at.exception
    for ending_id, title, words, debrief in (
        ("ending-1", "A plan of their own", "Sunday, then. I can do this.", "What helped Sam choose their own step?"),
        ("ending-2", "The talk stalls", "Yeah. Maybe. I should go.", "Where did the conversation stop being Sam's?"),
    ):
        at.text_input(key=key("endings", ending_id, "title")).input(title)
        at.text_area(key=key("endings", ending_id, "peer")).input(words)
        at.text_area(key=key("endings", ending_id, "debrief")).input(debrief)
    at.run()
    assert not at.exception


def test_an_instructor_builds_a_scenario_in_the_form_that_passes_the_checks(isolated_data, rubric):
    at, store, ines = open_blank(isolated_data)
    assert at.text_area(key=key("nodes", "point-1", "peer")).value == ""
    assert "studio_source_1" not in [w.key for w in at.text_area]  # the YAML box is hidden in the form view
    # the blank draft's problems show under their fields
    assert messages_under(at, key("title")) == [esc("title: must not be empty")]

    build_in_form(at)

    source = saved_source(store, ines)
    inspection = inspect(source, rubric)
    assert inspection.errors == []
    assert inspection.ok
    scenario = inspection.loaded.scenario
    assert scenario.title == "A first job interview"
    assert scenario.peer.pronouns == "they/them"
    assert list(scenario.nodes) == ["point-1", "point-2", "point-3"]
    assert [e.title for e in scenario.endings.values()] == ["A plan of their own", "The talk stalls"]
    assert scenario.choice("point-2", "response-1").better == "response-2"
    assert store.authored.get(ines, 1).checks_pass is True
    # the page shows what the checks say, beside the form; the form shows no problem of its own
    assert next(s.value for s in at.success).startswith("Passes every check")
    assert [e.value for e in at.error] == []
    # switching to the YAML view shows the same, saved text: nothing is lost
    at.button_group(key="studio_view_1").set_value("YAML").run()
    assert at.text_area(key="studio_source_1").value == source
    store.close()


def test_bad_input_shows_the_checks_message_under_its_field_and_loses_nothing(isolated_data):
    at, store, ines = open_blank(isolated_data, starter_text())
    before = saved_source(store, ines)
    at.text_input(key=key("title")).input("").run()
    assert not at.exception
    assert messages_under(at, key("title")) == [esc("title: must not be empty")]
    assert at.text_input(key=key("title")).value == ""
    after = saved_source(store, ines)
    assert after == before.replace("title: A first conversation", "title: ''")  # one line changed, comments kept
    assert at.text_area(key=key("summary")).value == "Jordan has been thinking about a change and wants to talk it through."

    # a response that names a pitfall cannot be the strongest: the message stands under its quality
    at.text_input(key=key("title")).input("A first conversation").run()
    at.selectbox(key=key("nodes", "opening", "choices", 0, "quality")).set_value("strongest").run()
    under = messages_under(at, key("nodes", "opening", "choices", 0, "quality"))
    assert len(under) == 1
    assert "pitfall" in under[0]
    assert saved_source(store, ines) == before.replace(
        "        quality: pitfall\n        why: Jordan is still", "        quality: strongest\n        why: Jordan is still"
    )
    # setting it back passes again
    at.selectbox(key=key("nodes", "opening", "choices", 0, "quality")).set_value("pitfall").run()
    assert saved_source(store, ines) == before
    store.close()


def test_unreadable_yaml_keeps_the_form_closed_and_loses_nothing(isolated_data):
    at, store, ines = open_blank(isolated_data, starter_text())
    at.button_group(key="studio_view_1").set_value("YAML").run()
    at.text_area(key="studio_source_1").input("title: [unclosed\n").run()
    at.button_group(key="studio_view_1").set_value("Form").run()
    assert not at.exception
    assert any("The form opens once the YAML can be read" in w.value for w in at.warning)
    at.button_group(key="studio_view_1").set_value("YAML").run()
    assert at.text_area(key="studio_source_1").value == "title: [unclosed\n"  # the unsaved text survived the switch
    assert saved_source(store, ines) == starter_text()
    store.close()


def test_points_and_responses_are_added_moved_duplicated_and_deleted_from_the_form(isolated_data):
    at, store, ines = open_blank(isolated_data, starter_text())
    at.button(key="studio_form_1.opening.1.Up").click().run()
    assert roundtrip.choice_ids(roundtrip.load(saved_source(store, ines)), "opening") == ["reflect", "plan-now"]
    at.button(key="studio_form_1.opening-up.Duplicate").click().run()
    assert roundtrip.ids(roundtrip.load(saved_source(store, ines)), "nodes") == ["opening", "opening-up", "opening-up-copy-1"]
    at.button(key="studio_form_1.opening-up-copy-1.Delete").click().run()
    at.button(key="studio_form_1.opening.add").click().run()
    text = saved_source(store, ines)
    assert roundtrip.choice_ids(roundtrip.load(text), "opening") == ["reflect", "plan-now", "response-1"]
    assert "# short, lower-case, with dashes; unique across the library" in text
    assert at.text_area(key=key("nodes", "opening", "choices", 2, "say")).value == ""
    assert messages_under(at, key("nodes", "opening", "choices", 2, "say")) != []
    store.close()


def test_from_an_empty_form_to_a_trainee_playing_it(isolated_data):
    """Issue 16's path, without a line of YAML: "Start from: an empty form" opens the form, the instructor builds a
    three-point scenario with two endings, play-tests it (nothing recorded), publishes it to the cohort, and a
    trainee of the cohort finds it and plays it to the end."""
    store = Store.open(isolated_data)
    make_user(store, "Ada Admin", "admin")
    ines = make_user(store, "Ines Instructor", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    tara = make_user(store, "Tara")
    store.cohorts.join(tara, cohort.join_code)
    at = app_for(store.accounts.start_session(ines))
    plain_yaml_box(at).switch_page("pages/studio.py").run()
    at.selectbox(key="studio_template").set_value("blank").run()
    at.button(key="studio_new").click().run()
    assert not at.exception
    assert at.info[0].value == "Started an empty draft in the form. Fill in each field; the checks say what is still missing."
    assert "studio_source_1" not in [w.key for w in at.text_area]  # the form, not the YAML
    build_in_form(at)
    assert next(s.value for s in at.success).startswith("Passes every check")

    # Play-test along the strongest path: an ending, and nothing recorded.
    for step, point in enumerate(("point-1", "point-2", "point-3")):
        strongest = next(i for i, r in enumerate(RESPONSES[point]) if r[1] == "strongest")
        wanted = f"_{step}_response-{strongest + 1}"
        at.button(
            key=next(b.key for b in at.button if b.key and b.key.startswith("playtest_") and b.key.endswith(wanted))
        ).click().run()
        assert not at.exception
    assert any(m.value.startswith("**Ending:** A plan of their own") for m in at.markdown)
    assert store.attempts_of(tara, tara.id) == []

    at.multiselect(key="studio_cohorts_1").set_value([cohort.id]).run()
    at.button(key="studio_publish_1").click().run()
    assert not at.exception
    assert at.info[0].value.startswith("Published “A first job interview”.")

    trainee = app_for(store.accounts.start_session(tara)).switch_page("pages/practice.py").run()
    assert "#### A first job interview" in [m.value for m in trainee.markdown]
    trainee.button(key="choose_new-scenario").click().run()
    trainee.button(key="start").click().run()
    for point in ("point-1", "point-2", "point-3"):
        strongest = next(i for i, r in enumerate(RESPONSES[point]) if r[1] == "strongest")
        trainee.button(key=f"choice_{point}_response-{strongest + 1}").click().run()
        assert not trainee.exception
        if any(b.key == "continue" for b in trainee.button):
            trainee.button(key="continue").click().run()
    [attempt] = store.attempts_of(tara, tara.id)
    assert (attempt.status, attempt.score) == ("finished", 100)
    store.close()


def test_a_place_opened_from_the_graph_shows_in_the_form_open_and_the_others_closed(isolated_data):
    at, store, _ = open_blank(isolated_data, starter_text())
    at.button_group(key="studio_view_1").set_value("YAML").run()
    opener = at.button_group(key="studio_graph_open_1")
    assert opener.label == "Open in the form"
    assert opener.options == [
        esc(label)  # the pills read Markdown: the words are escaped to show as typed
        for label in (
            "Point 1: “I keep thinking I should change something. I just don't kno…”",
            "Point 2: “Yeah. Maybe my sleep. I'm up half the night and dragging al…”",
            "Ending 1: A step of their own",
            "Ending 2: The talk stalls",
        )
    ]
    opener.set_value("opening").run()
    assert not at.exception
    assert at.button_group(key="studio_view_1").value == "Form"  # the form is shown, at that point
    assert at.button_group(key="studio_graph_open_1").value is None  # the list is ready for the next pick
    expanded = {e.label: e.proto.expanded for e in at.expander if e.label.startswith(("Point", "Ending"))}
    assert [label for label, is_open in expanded.items() if is_open] == [next(iter(expanded))]
    # adding a point opens the new, last one again
    at.button(key="studio_form_1.add_point").click().run()
    expanded = {e.label: e.proto.expanded for e in at.expander if e.label.startswith("Point")}
    assert list(expanded.values())[-1] is True
    assert next(iter(expanded.values())) is False
    store.close()
