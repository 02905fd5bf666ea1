"""Studio uploads and saves of hostile or broken YAML (issue 11, the studio's low findings):

* text the YAML gateway cannot read at all is refused with a clear message and saves nothing (an author's text in
  the editor stays in the box);
* text that reads but has problems is saved as a draft (authors work on it), named by its title, or by its file
  name when it has none, so failed drafts are told apart;
* at most 50 problems are drawn, then "And N more ...", so a hostile megabyte does not take 24 s to draw.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from records import Store
from records.tables import authored_scenarios
from scenarios.studio import inspect, starter_text
from tests.shown import shown
from tests.test_studio import editor, studio_for, upload
from ui import studio
from ui.render import esc

pytestmark = pytest.mark.usefixtures("fixture_library")
BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
NOTHING_YET = "You have not written a scenario yet. Start a new one, upload a YAML file, or copy one from the library."

# Each file the gateway cannot read: how many problems, and the first (line, column, message).
UNREADABLE = {
    "alias-bomb.yaml": (6, (2, 8, "aliases (*a) are not allowed; write the value out in full")),
    "deep-nesting.yaml": (1, (1, 35, "the data is nested more than 32 levels deep")),
    "duplicate-key.yaml": (2, (13, 5, "duplicate key 'readiness' (first defined at line 12); each key may appear once")),
    "empty.yaml": (1, (1, 1, "the file is empty")),
    "python-tag.yaml": (
        2,
        (
            2,
            8,
            "YAML tags such as '!!python/object/apply:os.system' are not allowed; use plain text, numbers, lists and mappings",
        ),
    ),
    "syntax-error.yaml": (1, (4, 1, "YAML syntax: found unexpected end of stream (while scanning a quoted scalar)")),
    "two-documents.yaml": (1, (2, 1, "a file holds one YAML document; remove the second '---'")),
}
# Files that read but have problems: saved as drafts, each under this name.
READABLE = {
    "broken-graph.yaml": "Broken graph",
    "rubric-and-better.yaml": "Rubric and better",
    "unknown-field.yaml": "Unknown field",
    "top-level-list.yaml": "top-level-list.yaml",  # no title: named by its file
    "wrong-types.yaml": "wrong-types.yaml",  # an empty title: named by its file
}


def problem_lines(at: AppTest) -> list[str]:
    """Each problem line as a reader sees it (the bold "Error at line L, column C:" is the page's own Markdown)."""
    return [shown(m.value) for m in at.markdown if m.value.startswith("**Error at line ") or m.value.startswith("**Warning")]


def drafts(database_url: str) -> list[tuple[str, str]]:
    """Every studio scenario in the database (name, text), oldest first."""
    store = Store.open(database_url)
    try:
        with store.engine.connect() as connection:
            query = select(authored_scenarios.c.name, authored_scenarios.c.source).order_by(authored_scenarios.c.id)
            return [(name, source) for name, source in connection.execute(query)]
    finally:
        store.close()


def refusal(name: str, count: int) -> str:
    return (
        f"Not saved: {name} cannot be read as YAML, so there is no draft to keep. "
        f"Fix the {count} problem{'s' if count != 1 else ''} listed below and upload it again."
    )


# ----------------------------------------------------------------------------------- pure parts
@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_the_inspection_says_when_the_gateway_cannot_read_the_text(rubric, name):
    checked = inspect((BAD / name).read_text(encoding="utf-8"), rubric, source=name)
    assert (checked.readable, checked.scenario, checked.title) == (False, None, None)
    count, (line, column, message) = UNREADABLE[name]
    assert len(checked.errors) == count
    assert (checked.errors[0].line, checked.errors[0].column, checked.errors[0].message) == (line, column, message)


@pytest.mark.parametrize("name", sorted(READABLE))
def test_text_that_reads_has_its_title_when_it_has_one(rubric, name):
    checked = inspect((BAD / name).read_text(encoding="utf-8"), rubric, source=name)
    assert checked.readable and checked.errors and checked.loaded is None
    assert checked.title == (None if READABLE[name].endswith(".yaml") else READABLE[name])


def test_the_line_under_a_shortened_list_counts_what_is_left():
    assert studio.more_problems(1) == (
        "And 1 more problem not shown here. Fix these first; the rest appear as the list gets shorter."
    )
    assert studio.more_problems(70) == (
        "And 70 more problems not shown here. Fix these first; the rest appear as the list gets shorter."
    )


# ------------------------------------------------------------------------------------- uploads
@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_an_upload_the_gateway_cannot_read_is_refused_and_nothing_is_saved(isolated_data, name):
    at = studio_for(isolated_data)
    upload(at, name, (BAD / name).read_bytes())
    assert not at.exception
    count, (line, column, message) = UNREADABLE[name]
    assert [shown(e.value) for e in at.error] == [refusal(name, count)]
    assert problem_lines(at)[0] == f"**Error at line {line}, column {column}:** {message}"
    assert len(problem_lines(at)) == count
    assert at.info == []  # no "Uploaded ... as a new draft"
    assert drafts(isolated_data) == []
    at.run()  # the next run: still nothing, and the upload is not tried again
    assert at.caption[1].value == NOTHING_YET
    assert at.error == []
    assert drafts(isolated_data) == []


def test_a_file_name_is_shown_as_typed_in_the_refusal(isolated_data):
    name = "![x](http://127.0.0.2:9/img.png) **b**.yaml"
    at = studio_for(isolated_data)
    upload(at, name, b"id: [unclosed\n")
    assert shown(at.error[0].value) == refusal(name, 1)
    assert esc(name) in at.error[0].value and name not in at.error[0].value  # escaped: no image, no bold
    assert drafts(isolated_data) == []


def test_uploads_that_read_are_drafts_told_apart_by_title_or_file_name(isolated_data):
    at = studio_for(isolated_data)
    for name in READABLE:
        upload(at, name, (BAD / name).read_bytes())
        assert not at.exception
        assert shown(at.info[0].value) == (
            f"Uploaded {name} as a new draft. It has problems to fix: each is listed beside the YAML."
        )
    saved = drafts(isolated_data)
    assert sorted(n for n, _ in saved) == sorted(READABLE.values())
    assert {n: s for n, s in saved} == {READABLE[f]: (BAD / f).read_text(encoding="utf-8") for f in READABLE}
    assert sorted(shown(c) for c in at.table[0].value["Scenario"]) == sorted(READABLE.values())
    labels = at.selectbox(key="studio_pick").options  # the picker's labels (plain text: no escaping)
    assert sorted(label for label in labels if label.startswith("Yours: ")) == sorted(f"Yours: {n}" for n in READABLE.values())


def test_a_hostile_megabyte_is_refused_quickly_with_fifty_problems_drawn(isolated_data):
    big = ("id: x\n" + "a: 1\n" * 155_000).encode("utf-8")  # 775 KB: 154,999 duplicate keys
    at = studio_for(isolated_data)
    started = time.perf_counter()
    upload(at, "big.yaml", big)
    took = time.perf_counter() - started
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [refusal("big.yaml", 154_999)]
    lines = problem_lines(at)
    assert len(lines) == 50 and len(at.code) == 50
    assert lines[0] == "**Error at line 3, column 1:** duplicate key 'a' (first defined at line 2); each key may appear once"
    assert [c.value for c in at.caption if c.value.startswith("And ")] == [
        "And 154949 more problems not shown here. Fix these first; the rest appear as the list gets shorter."
    ]
    assert drafts(isolated_data) == []
    assert took < 20, f"the upload took {took:.1f} s"  # 24 s before, most of it drawing 155,000 problems


def test_a_long_list_of_problems_in_a_saved_draft_stops_at_fifty(isolated_data):
    many = "id: many\n" + "".join(f"field{n}: 1\n" for n in range(120))  # reads; 120 unknown fields and more
    at = studio_for(isolated_data)
    upload(at, "many.yaml", many.encode("utf-8"))
    assert not at.exception
    total = len(inspect(many, studio.services.rubric(), source="many.yaml").errors)
    assert total > 120
    assert shown(at.error[0].value) == f"{total} problems to fix before trainees can play this."
    assert len(problem_lines(at)) == 50
    assert [c.value for c in at.caption if c.value.startswith("And ")] == [studio.more_problems(total - 50)]
    assert drafts(isolated_data) == [("many.yaml", many)]


# -------------------------------------------------------------------------------------- editor
def test_saving_text_the_gateway_cannot_read_is_refused_and_the_text_stays_in_the_box(isolated_data):
    at = studio_for(isolated_data)
    at.button(key="studio_new").click().run()
    broken = starter_text().replace("title: A first conversation", 'title: "unclosed')
    editor(at).input(broken).run()
    at.button(key="studio_save_1").click().run()
    assert not at.exception
    count = len(inspect(broken, studio.services.rubric()).errors)
    assert [shown(e.value) for e in at.error] == [
        f"Not saved: the YAML cannot be read at all ({count} problem{'s' if count != 1 else ''}, listed under Checks). "
        "Your text is still in the box: fix the problems and save again, or download it to keep a copy.",
        f"{count} problem{'s' if count != 1 else ''} to fix before trainees can play this.",
    ]
    assert editor(at).value == broken  # nothing the author typed is lost
    assert at.get("download_button")[0].proto.label == "Download YAML"
    assert drafts(isolated_data) == [("A first conversation", starter_text())]  # the saved draft is as it was

    fixed = broken.replace('title: "unclosed', "title: Closed again")
    editor(at).input(fixed).run()
    at.button(key="studio_save_1").click().run()
    assert at.info[0].value == "Draft saved."
    assert drafts(isolated_data) == [("Closed again", fixed)]


def test_saving_text_without_a_title_keeps_the_drafts_name(isolated_data):
    at = studio_for(isolated_data)
    at.button(key="studio_new").click().run()
    untitled = starter_text().replace("title: A first conversation\n", "")
    editor(at).input(untitled).run()
    at.button(key="studio_save_1").click().run()
    assert not at.exception
    assert at.info[0].value == "Draft saved. It still has problems to fix before it can be published."
    assert drafts(isolated_data) == [("A first conversation", untitled)]
