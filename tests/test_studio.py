"""The scenario studio: problems beside the source, the graph, play-tests, publishing, and the page itself."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from scenarios.gateway import Problem
from scenarios.studio import graph, inspect, source_line, starter_text, to_dot, with_new_id
from tests.helpers import FIXTURES, app_for, make_user, plain_yaml_box, session_for
from tests.shown import shown_rows
from ui.render import esc

# Fresh Streamlit caches per test (the store is cached per process), and the small fixture library.
pytestmark = pytest.mark.usefixtures("fixture_library")
BROKEN = (FIXTURES / "studio" / "broken.yaml").read_text(encoding="utf-8")
MINI = (FIXTURES / "good" / "mini.yaml").read_text(encoding="utf-8")
BROKEN_PROBLEMS = [
    (
        19,
        20,
        "error",
        "unknown criterion 'po.reflective-listning'; did you mean 'po.reflective-listening'?",
    ),
    (27, 15, "error", "next 'ended' is not a node or an ending"),
]


# ----------------------------------------------------------------- pure parts
def test_the_starter_passes_every_check_and_the_lint(rubric):
    checked = inspect(starter_text(), rubric)
    assert checked.ok
    assert checked.problems == ()


def test_every_problem_of_a_draft_is_located_and_its_model_kept_for_the_graph(rubric):
    checked = inspect(BROKEN, rubric, source="night-shift.yaml")
    assert [(p.line, p.column, p.severity, p.message) for p in checked.problems] == BROKEN_PROBLEMS
    assert checked.loaded is None
    assert checked.scenario is not None and checked.scenario.id == "night-shift"
    assert source_line(BROKEN, 19) == "        criteria: [po.reflective-listning]"
    assert source_line(BROKEN, 999) == ""


def test_text_that_is_not_a_scenario_has_no_model_but_clear_problems(rubric):
    checked = inspect("id: [unclosed\n", rubric)
    assert checked.scenario is None and checked.loaded is None
    assert [(p.line, p.severity) for p in checked.problems] == [(2, "error")]


def test_the_graph_marks_unreachable_nodes_dead_ends_missing_targets_and_kinds(rubric):
    text = MINI.replace("next: pull\n      - id: mixed", "next: loop\n      - id: mixed") + (
        "  # (extra nodes appended under endings would be endings; so add them as nodes below)\n"
    )
    # An unreachable node, and a node whose only ways on loop back to itself (a dead end).
    text = text.replace(
        "endings:\n",
        "  island:\n"
        "    peer: Nobody gets here.\n"
        "    readiness: preparing\n"
        "    choices:\n"
        "      - {id: a, say: A, criteria: [po.hand-the-pen], why: W, next: good}\n"
        "      - {id: b, say: B, criteria: [po.hand-the-pen], why: W, next: good}\n"
        "  loop:\n"
        "    peer: Round and round.\n"
        "    readiness: preparing\n"
        "    choices:\n"
        "      - {id: again, say: Again, criteria: [po.hand-the-pen], why: W, next: loop}\n"
        "      - {id: gone, say: Gone, criteria: [po.hand-the-pen], why: W, next: nowhere}\n"
        "endings:\n",
    )
    checked = inspect(text, rubric)
    assert checked.scenario is not None and not checked.ok
    drawn = graph(checked.scenario, rubric)
    marks = {n.id: (n.is_ending, n.unreachable, n.dead_end) for n in drawn.nodes}
    assert marks == {
        "open": (False, False, False),
        "ready": (False, False, False),
        "island": (False, True, False),
        "loop": (False, False, True),
        "good": (True, False, False),
        "pull": (True, False, False),
    }
    kinds = {(e.node_id, e.choice_id): (e.kind, e.missing_target) for e in drawn.edges}
    assert kinds[("open", "reflect")] == ("strongest", False)
    assert kinds[("open", "plan")] == ("pitfall", False)
    assert kinds[("open", "mixed")] == ("mixed", False)
    assert kinds[("loop", "gone")] == ("strongest", True)  # no quality written: the one its criteria give it
    dot = to_dot(drawn)
    assert '"island" [label="UNREACHABLE\\nisland' in dot
    assert '"loop" [label="DEAD END: no way to an ending\\nloop' in dot
    assert '"nowhere" [label="MISSING: nowhere"' in dot
    assert '"open" -> "loop" [label="✗ pitfall\\nplan", color="#a1271b", fontcolor="#a1271b", style=dashed];' in dot
    assert '"open" -> "ready" [label="± mixed\\nmixed", color="#7a4a00", fontcolor="#7a4a00", style=dotted' in dot
    rows = drawn.rows()
    assert {
        "From": "loop (dead end)",
        "Choice": "gone",
        "Quality": "among the strongest",
        "Leads to": "nowhere (missing)",
    } in rows


def test_labels_cannot_break_out_of_the_dot_source(rubric):
    text = MINI.replace(
        'peer: "I keep thinking about finishing my GED. Not sure, though."', 'peer: "Say \\"hi\\" \\\\ then } leave"'
    )
    checked = inspect(text, rubric)
    assert checked.scenario is not None
    dot = to_dot(graph(checked.scenario, rubric))
    assert '“Say \\"hi\\" \\\\ then } leave”' in dot


def test_copying_a_scenario_changes_only_its_id():
    copied = with_new_id(MINI, "mini-copy")
    assert "\nid: mini-copy\n" in copied
    assert copied.replace("id: mini-copy", "id: mini") == MINI
    assert with_new_id("title: x\n", "fresh") == "id: fresh\ntitle: x\n"


# ------------------------------------------------------------------ the page
def studio_for(database_url: str, name: str = "Ines Instructor") -> AppTest:
    at = app_for(session_for(database_url, name, "instructor"))
    return plain_yaml_box(at).switch_page("pages/studio.py").run()


def editor(at: AppTest):  # type: ignore[no-untyped-def]
    return at.text_area(key=next(k for k in (w.key for w in at.text_area) if k and k.startswith("studio_source_")))


def markdown_texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    from streamlit.testing.v1.element_tree import FileUploader  # noqa: F401  (documents the widget type)

    at.get("file_uploader")[0].set_value([(name, data, "application/yaml")])  # type: ignore[attr-defined]
    return at.run()


def test_new_scenario_opens_the_starter_checked_with_its_graph(isolated_data):
    at = studio_for(isolated_data)
    assert not at.exception
    assert "You have not written a scenario yet." in at.caption[1].value
    at.button(key="studio_new").click().run()
    assert not at.exception
    assert at.info[0].value == "Started a new draft from the starter scenario. Change it to your own and save."
    assert editor(at).value == starter_text()
    assert [s.value for s in at.success] == ["Passes every check, with no teaching warnings."]
    assert '"opening" -> "opening-up" [label="✓ strongest\\nreflect"' in at.get("graphviz_chart")[0].proto.spec
    assert at.table[0].value["Scenario"].tolist() == ["A first conversation"]


def test_problems_show_at_their_line_as_you_type_and_saving_keeps_the_text(isolated_data):
    at = studio_for(isolated_data)
    at.button(key="studio_new").click().run()
    broken = starter_text().replace("po.hand-the-pen", "po.hand-pen")
    editor(at).input(broken).run()
    assert not at.exception
    assert [e.value for e in at.error] == ["1 problem to fix before trainees can play this."]
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if "po.hand-pen" in text)
    assert (
        f"**Error at line {line}, column 20:** unknown criterion 'po\\.hand\\-pen'; did you mean 'po\\.hand\\-the\\-pen'?"
        in markdown_texts(at)
    )
    assert at.code[0].value == f"{line:>4} |         criteria: [po.hand-pen]\n     |                    ^"
    assert any("**unsaved changes**" in c.value for c in at.caption)
    at.button(key="studio_save_1").click().run()
    assert at.info[0].value == "Draft saved. It still has problems to fix before it can be published."
    store = Store.open(isolated_data)
    ines = next(u for u in store.accounts.list(make_user(store, "Ada Admin", "admin")) if u.user.name == "Ines Instructor")
    assert store.authored.get(ines.user, 1).source == broken
    assert store.authored.get(ines.user, 1).checks_pass is False
    store.close()


def test_an_upload_with_mistakes_becomes_a_draft_fixed_in_the_page_and_published(isolated_data):
    store = Store.open(isolated_data)
    at = studio_for(isolated_data)
    ines = next(a.user for a in store.accounts.list(make_user(store, "Ada Admin", "admin")) if a.user.role == "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    tara = make_user(store, "Tara Trainee")
    store.cohorts.join(tara, cohort.join_code)
    tara_token = store.accounts.start_session(tara)

    upload(at, "night-shift.yaml", BROKEN.encode("utf-8"))
    assert not at.exception
    assert at.info[0].value == (
        "Uploaded night\\-shift\\.yaml as a new draft. It has problems to fix: each is listed beside the YAML."
    )
    shown = markdown_texts(at)
    for line, column, _, message in BROKEN_PROBLEMS:
        assert any(m.startswith(f"**Error at line {line}, column {column}:**") for m in shown), (line, message)
    assert at.button(key="studio_publish_1").disabled

    fixed = BROKEN.replace("po.reflective-listning", "po.reflective-listening").replace("next: ended", "next: good")
    editor(at).input(fixed).run()
    assert at.success[0].value == "Passes every check, with no teaching warnings."
    at.button(key="studio_save_1").click().run()
    assert at.info[0].value == "Draft saved."

    # Play-test: nothing is recorded.
    at.button(key=next(b.key for b in at.button if b.key and b.key.endswith("_0_reflect"))).click().run()
    at.button(key=next(b.key for b in at.button if b.key and b.key.endswith("_1_ask"))).click().run()
    assert any(m.startswith("**Ending:** good · score 100%") for m in markdown_texts(at))
    assert store.attempts_of(tara, tara.id) == []

    at.multiselect(key="studio_cohorts_1").set_value([cohort.id]).run()
    at.button(key="studio_publish_1").click().run()
    assert not at.exception
    assert at.info[0].value.startswith("Published “After the night shift”.")

    trainee = app_for(tara_token).switch_page("pages/practice.py").run()
    assert not trainee.exception
    headings = [m.value for m in trainee.markdown if m.value.startswith("#### ")]
    assert "#### After the night shift" in headings
    assert any(c.value.startswith("From your instructor · ") for c in trainee.caption)
    store.close()


@pytest.mark.parametrize(
    ("data", "message"),  # the file name is escaped: it is text a person chose
    [
        (
            b"id: x\ntitle: \xff\xfe\n",
            "bad\\.yaml: That file is not UTF-8 text (byte 14 cannot be read). Save it as UTF-8 and upload it again. Nothing was saved.",
        ),
        (b"id: x\x00\n", "bad\\.yaml: That file holds binary data (NUL bytes), not YAML text. Nothing was saved."),
    ],
)
def test_an_unreadable_upload_is_refused_with_a_message_and_creates_nothing(isolated_data, data, message):
    at = studio_for(isolated_data)
    upload(at, "bad.yaml", data)
    assert not at.exception
    assert at.error[0].value.startswith(message)
    assert "You have not written a scenario yet." in at.caption[1].value


def test_library_scenarios_are_read_only_and_can_be_copied(isolated_data):
    at = studio_for(isolated_data)
    at.selectbox(key="studio_pick").set_value("l:mini").run()
    assert not at.exception
    assert at.text_area == [] or all(not (w.key or "").startswith("studio_source_") for w in at.text_area)
    assert at.code[0].value == MINI.rstrip("\n")  # st.code drops the final line break
    at.button(key="studio_copy_mini").click().run()
    assert at.info[0].value == "Copied “A short check\\-in” into a new draft with the id 'mini-copy'."
    assert editor(at).value == with_new_id(MINI, "mini-copy")


def test_the_surface_cue_tab_names_what_gives_the_strongest_responses_away(isolated_data):
    at = studio_for(isolated_data)
    at.selectbox(key="studio_pick").set_value("l:mini").run()
    assert not at.exception
    # mini's strongest responses are its only ones without telling words (tests/test_audit.py works these out).
    assert esc(
        "Choosing 'no telling words (should, must, let's ...)' finds a strongest response 100.0% of the time, against "
        "33.3% for a random pick: the form of your strongest responses gives them away."
    ) in [w.value for w in at.warning]
    rows = shown_rows(at.table[-1].value)
    # Random play: plan ends at once (0); reflect then pen 1, explore or judge 1/3; mixed then pen 4/9, explore or
    # judge 1/12: 1/9 x (1 + 1/3 + 1/3) + 1/9 x (4/9 + 1/12 + 1/12) = 41/162 = 25.3%. Strongest picks: 1/3 at open
    # and 1/3 of the 2/3 that reach ready, over 5/3 decisions: 1/3, the same for pitfall-free picks.
    assert rows[0] == {
        "strategy": "uniform random",
        "expected score": "25.3%",
        "picks a strongest response": "33.3%",
        "picks a pitfall-free response": "33.3%",
    }
    assert [r["strategy"] for r in rows][1:] == [
        "the longest",
        "the shortest",
        'ends with "?"',
        "most you/your words",
        "most words echoed from the peer",
        "starts with a question word",
        "no telling words (should, must, let's ...)",
    ]


def test_text_an_author_typed_is_shown_as_text(isolated_data):
    at = studio_for(isolated_data)
    at.button(key="studio_new").click().run()
    hostile = starter_text().replace("title: A first conversation", 'title: "<img src=x onerror=alert(1)> <script>x()</script>"')
    editor(at).input(hostile).run()
    at.button(key="studio_save_1").click().run()
    assert not at.exception
    assert at.header[0].value == "\\<img src=x onerror=alert\\(1\\)\\> \\<script\\>x\\(\\)\\</script\\>"


@pytest.mark.parametrize("shape", ["starter", "readiness", "boundary", "crisis"])
def test_every_starting_point_passes_every_check_and_the_lint_with_guidance(rubric, shape):
    from scenarios.studio import TEMPLATES, template_text

    text = template_text(shape)
    checked = inspect(text, rubric)
    assert checked.ok and checked.problems == (), [p.message for p in checked.problems]
    guided = [line for line in text.splitlines() if "#" in line]
    assert len(guided) >= (5 if shape == "starter" else 15)  # guidance beside the fields, kept as comments
    if shape == "crisis":
        assert checked.scenario is not None and checked.scenario.content_note
        assert checked.scenario.domains[0] == "safety" and checked.scenario.difficulty == 3
    assert TEMPLATES[shape][0]


def test_a_new_draft_from_the_crisis_template(isolated_data):
    from scenarios.studio import template_text

    at = studio_for(isolated_data)
    at.selectbox(key="studio_template").set_value("crisis").run()
    at.button(key="studio_new").click().run()
    assert not at.exception
    assert at.info[0].value == "Started a new draft from the template “A crisis moment”. Change it to your own and save."
    assert editor(at).value == template_text("crisis")
    assert [s.value for s in at.success] == ["Passes every check, with no teaching warnings."]


def test_the_yaml_view_opens_in_the_code_editor_with_each_problem_marked_on_its_line(isolated_data):
    from ui import studio_code

    at = app_for(session_for(isolated_data, "Ines Instructor", "instructor"))
    at.switch_page("pages/studio.py").run()
    at.button(key="studio_new").click().run()
    assert not at.exception
    assert at.button_group(key=studio_code.CHOICE_KEY).value == studio_code.CODE
    assert [w.key for w in at.text_area if (w.key or "").startswith("studio_source_")] == []  # no plain box
    assert studio_code.KEYBOARD_NOTE in [c.value for c in at.caption]
    # the marks: rows and columns from 0, as Ace counts them, with the checks' own words
    problems = [
        Problem("draft.yaml", 3, 5, "nodes.start.peer: must not be empty"),
        Problem("draft.yaml", 1, 1, "Say what the peer is feeling first.", "warning"),
    ]
    assert studio_code.annotations(problems) == [
        {"row": 2, "column": 4, "type": "error", "text": "nodes.start.peer: must not be empty"},
        {"row": 0, "column": 0, "type": "warning", "text": "Say what the peer is feeling first."},
    ]
    # the plain box is one click away, with the same text
    at.button_group(key=studio_code.CHOICE_KEY).set_value(studio_code.PLAIN).run()
    assert editor(at).value == at.session_state["studio_source_1"]
    assert editor(at).value.startswith("# A new scenario. Change everything below to your own;")
