"""Twine import and export (issue 16): Twee 3 and published HTML in, Twee 3 out, and the studio's upload.

Files made by a real Twine-compatible compiler: extwee (pinned in tests/twine/package.json and its lock file, installed
with ``npm ci`` in .ci/run) compiles Twee to published HTML and decompiles HTML to Twee. The tests that need it skip
only when Node.js is missing, and never in CI (CI=true): there they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scenarios.loader import LIBRARY_DIR, load_rubric, load_scenario_file
from scenarios.studio import inspect
from scenarios.twine import (
    NO_PASSAGES,
    NOT_TWINE,
    Link,
    Passage,
    TwineError,
    export_twee,
    import_story,
    parse_html,
    parse_link,
    parse_twee,
)
from tests.shown import shown
from tests.test_studio import editor, studio_for, upload
from tests.test_studio_uploads import drafts

TWINE_DIR = Path(__file__).resolve().parent / "twine"
EXTWEE = TWINE_DIR / "node_modules" / "extwee" / "src" / "extwee.js"
FORMAT = TWINE_DIR / "format.js"
RUBRIC = load_rubric()
LIBRARY = sorted(Path(LIBRARY_DIR).glob("*.yaml"))

SMALL = """:: StoryTitle
The Long Wait

:: StoryData
{
  "ifid": "D674C58C-DEFA-4F70-B7A2-27742230C0FC",
  "format": "Harlowe",
  "format-version": "3.3.9",
  "start": "Waiting room"
}

:: Waiting room [intro] {"position":"100,100","size":"100,100"}
(set: $mood to "tense")Marcus taps his foot. ''I've been here two hours.''

[[That sounds really frustrating.->Heard]]
[[You should have made an appointment.|Closed off]]

:: Heard {"position":"300,100"}
He sighs. //Yeah.// It is.

[[Closed off<-Want to talk while we wait?]]
[[heard]]

:: heard
Thanks for sitting with me.

:: Closed off
Whatever.

:: UserScript [script]
window.x = 1;
"""

SMALL_REPORT = """Imported “The Long Wait” from Twine: 2 decision points, 2 endings and 4 responses.

Still needed before it can be published:

- The scenario: a summary, domains, difficulty, minutes and who the peer is (name and background).
- Decision point “Waiting room”: the peer's readiness.
  - Response “That sounds really frustrating.”: criteria, a quality and a rationale (why).
  - Response “You should have made an appointment.”: criteria, a quality and a rationale (why).
- Decision point “Heard”: the peer's readiness.
  - Response “Want to talk while we wait?”: criteria, a quality and a rationale (why).
  - Response “heard”: criteria, a quality and a rationale (why).
- Ending “heard”: a debrief.
- Ending “Closed off”: a debrief.

Renamed:

- The passage “heard” has the same short name as another passage, so it is now “heard-2”.

Left out (PeerSim shows plain text only):

- The passage “UserScript”: it holds the story's code or layout, not conversation.
- The passage “Waiting room”: the macros (set:) and text formatting.
- The passage “Heard”: text formatting.
"""

SMALL_PROBLEMS = [
    "(top level): missing required field 'difficulty'",
    "(top level): missing required field 'domains'",
    "(top level): missing required field 'minutes'",
    "(top level): missing required field 'peer'",
    "(top level): missing required field 'summary'",
    "nodes.waiting-room: missing required field 'readiness'",
    "nodes.waiting-room.choices[0]: missing required field 'criteria'",
    "nodes.waiting-room.choices[0]: missing required field 'why'",
    "nodes.waiting-room.choices[1]: missing required field 'criteria'",
    "nodes.waiting-room.choices[1]: missing required field 'why'",
    "nodes.heard: missing required field 'readiness'",
    "nodes.heard.choices[0]: missing required field 'criteria'",
    "nodes.heard.choices[0]: missing required field 'why'",
    "nodes.heard.choices[1]: missing required field 'criteria'",
    "nodes.heard.choices[1]: missing required field 'why'",
    "endings.heard-2: missing required field 'debrief'",
    "endings.closed-off: missing required field 'debrief'",
]

BROKEN = ":: StoryTitle\nBroken\n\n:: Start\nHi.\n\n[[Hello->Nowhere]]\n[[Bye|Gone]]\n\n:: Other\n[[Nowhere]]\n"
BROKEN_MESSAGE = (
    "Some links lead to passages that do not exist, so nothing was imported: “Start” links to “Nowhere”; "
    "“Start” links to “Gone”; “Other” links to “Nowhere”. Add those passages in Twine, or fix the links, and upload "
    "the story again."
)
HTML_NO_PASSAGES = '<html><body><tw-storydata name="Empty" startnode="" ifid="x"></tw-storydata></body></html>'
BAD = {
    "not twine (text)": ("notes.twee", "Just some notes about Dana.\n", NOT_TWINE),
    "not twine (html)": ("page.html", "<html><body><p>Hello</p></body></html>", NOT_TWINE),
    "no passages (twee)": ("empty.twee", ':: StoryTitle\nEmpty\n\n:: StoryData\n{"start": "x"}\n', NO_PASSAGES),
    "no passages (html)": ("empty.html", HTML_NO_PASSAGES, NO_PASSAGES),
    "only a script": ("code.twee", ":: Code [script]\nwindow.x = 1;\n", NO_PASSAGES),
    "broken links": ("broken.twee", BROKEN, BROKEN_MESSAGE),
    "two passages, one name": (
        "twice.twee",
        ":: Start\nHi.\n[[Bye]]\n\n:: Bye\nBye.\n\n:: Bye\nSee you.\n",
        "Each passage needs its own name, and more than one passage is named “Bye”. Rename them in Twine and upload "
        "the story again. Nothing was imported.",
    ),
    "missing start": (
        "start.twee",
        ':: StoryData\n{"start": "Begin"}\n\n:: Opening\nHi.\n',
        "The story starts at “Begin”, but it has no passage with that name. Nothing was imported.",
    ),
}


# ------------------------------------------------------------------ links
@pytest.mark.parametrize(
    ("inner", "text", "target"),
    [
        ("Tell me more->More", "Tell me more", "More"),
        ("More<-Tell me more", "Tell me more", "More"),
        ("Tell me more|More", "Tell me more", "More"),
        ("More", "More", "More"),
        ("a->b->Target", "a->b", "Target"),  # the rightmost ->
        ("Target<-a<-b", "a<-b", "Target"),  # the leftmost <-
        ("Go on->Next][$seen to true", "Go on", "Next"),  # a setter is dropped
        ("  Spaced  ->  Target  ", "Spaced", "Target"),
    ],
)
def test_each_link_form(inner, text, target):
    assert parse_link(inner) == Link(text, target)


# -------------------------------------------------------------- passages
def test_twee_headers_tags_metadata_and_escapes():
    story = parse_twee(
        ':: StoryTitle\nA title\n\n:: StoryData\n{"start": "A [b]"}\n\n'
        ':: A \\[b\\] [tag-one tag2] {"position":"10,20","peersim-readiness":"acting"}\nLine one\n\\:: not a header\n\n\n'
        ":: Plain\nText\n"
    )
    assert story.title == "A title"
    assert story.start == "A [b]"
    assert story.passages == (
        Passage("A [b]", ("tag-one", "tag2"), {"position": "10,20", "peersim-readiness": "acting"}, "Line one\n:: not a header"),
        Passage("Plain", (), {}, "Text"),
    )


def test_metadata_that_is_not_json_is_left_out_and_reported():
    imported = import_story(":: Start {not json}\nHi.\n")
    assert "- The details after the passage name “Start” could not be read and were left out: {not json}" in imported.report


def test_published_html_with_a_real_parser():
    html = (
        "<!DOCTYPE html><html><head><title>x</title><script>var s = '<tw-passagedata>';</script></head><body>"
        '<tw-storydata name="Fish &amp; Chips" startnode="2" ifid="ABC" format="Harlowe" format-version="3.3.9" hidden>'
        '<style role="stylesheet" id="twine-user-stylesheet" type="text/twine-css">b { color: red }</style>'
        '<tw-passagedata pid="1" name="End" tags="" position="1,1">Bye &amp; take care.</tw-passagedata>'
        '<tw-passagedata pid="2" name="Chips &quot;first&quot;" tags="one two">Hot &lt;b&gt;chips&lt;/b&gt;?\n\n'
        "[[Yes please->End]]\n[[No|End]]</tw-passagedata></tw-storydata></body></html>"
    )
    story = parse_html(html)
    assert story.title == "Fish & Chips"
    assert story.start == 'Chips "first"'
    assert story.passages == (
        Passage("End", (), {}, "Bye & take care."),
        Passage('Chips "first"', ("one", "two"), {}, "Hot <b>chips</b>?\n\n[[Yes please->End]]\n[[No|End]]"),
    )
    imported = import_story(html)
    assert imported.title == "Fish & Chips"
    assert 'peer: "Hot chips?"' in imported.yaml
    assert '- The passage “Chips "first"”: HTML tags.' in imported.report


# ----------------------------------------------------------------- import
def test_a_small_story_imports_as_a_draft_the_checks_report_on():
    imported = import_story(SMALL)
    assert imported.title == "The Long Wait"
    assert imported.report == SMALL_REPORT
    inspection = inspect(imported.yaml, RUBRIC)
    assert inspection.readable and inspection.title == "The Long Wait"
    assert [p.message for p in inspection.errors] == SMALL_PROBLEMS


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gets_a_clear_message(case):
    _name, text, message = BAD[case]
    with pytest.raises(TwineError) as caught:
        import_story(text)
    assert str(caught.value) == message


# ----------------------------------------------------------------- export
def test_export_has_the_story_data_and_a_passage_per_node_and_ending():
    scenario = load_scenario_file(LIBRARY_DIR / "dana-apartment.yaml", RUBRIC).scenario
    twee = export_twee(scenario)
    story = parse_twee(twee)
    assert story.title == scenario.title and story.start == "opening"
    assert [p.name for p in story.passages] == [*scenario.nodes, *scenario.endings]
    data = re.search(r":: StoryData\n(\{.*?\n\})", twee, re.DOTALL)
    assert data is not None
    assert re.fullmatch(
        r'\{\n  "ifid": "[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}",\n  "format": "Harlowe",\n'
        r'  "format-version": "3.3.9",\n  "start": "opening",\n  "zoom": 1\n\}',
        data.group(1),
    )
    assert export_twee(scenario) != twee  # a fresh IFID each time
    opening = story.passages[0]
    assert opening.text.startswith(scenario.nodes["opening"].peer + "\n\n[[")
    assert opening.metadata["peersim-readiness"] == "not-ready"
    assert opening.metadata["peersim-response-1-criteria"] == "pf.ahead-of-readiness pf.dictating"
    header = next(line for line in twee.splitlines() if line.startswith(":: opening "))
    assert header.count("{") == 1 and header.count("[") == 0  # Twee tools read flat metadata only


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_library_round_trip_scenario_twee_scenario(path):
    scenario = load_scenario_file(path, RUBRIC).scenario
    imported = import_story(export_twee(scenario))
    inspection = inspect(imported.yaml, RUBRIC)
    assert inspection.ok, [p.message for p in inspection.problems]
    assert inspection.scenario == scenario
    assert imported.report.splitlines()[2] == (
        "Every decision point, response and ending has what PeerSim needs. The checks beside the YAML have the last word."
    )


# ---------------------------------------------------- extwee-built files
def _extwee() -> list[str]:
    node = shutil.which("node")
    if node is None or not EXTWEE.exists():
        reason = (
            "Node.js is not installed" if node is None else "extwee is not installed: run `npm ci` in tests/twine"
        ) + ", so the files made by extwee cannot be built"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must run these tests)")
        pytest.skip(reason)
    return [node, str(EXTWEE)]


def compile_html(twee: str, folder: Path) -> str:
    """Twee compiled to published Twine 2 HTML by extwee, with a stand-in for the Harlowe story format."""
    source, html = folder / "story.twee", folder / "story.html"
    source.write_text(twee, encoding="utf-8")
    subprocess.run([*_extwee(), "-c", "-i", str(source), "-s", str(FORMAT), "-o", str(html)], check=True, capture_output=True)
    return html.read_text(encoding="utf-8")


def decompile_html(html: str, folder: Path) -> str:
    """Published HTML decompiled to Twee 3 by extwee."""
    source, twee = folder / "in.html", folder / "out.twee"
    source.write_text(html, encoding="utf-8")
    subprocess.run([*_extwee(), "-d", "-i", str(source), "-o", str(twee)], check=True, capture_output=True)
    return twee.read_text(encoding="utf-8")


def test_extwee_html_and_twee_import_alike(tmp_path):
    html = compile_html(SMALL, tmp_path)
    assert '<tw-storydata name="The Long Wait"' in html and 'creator="extwee"' in html
    from_html = import_story(html)
    assert from_html.yaml == import_story(SMALL).yaml
    # Published, the story's script is the story's own code rather than a passage.
    assert from_html.report == SMALL_REPORT.replace(
        "The passage “UserScript”: it holds the story's code or layout, not conversation.",
        "The story's JavaScript: PeerSim runs no code.",
    )
    from_twee = import_story(decompile_html(html, tmp_path))
    assert from_twee.yaml == from_html.yaml


def test_an_exported_scenario_compiles_with_extwee_and_comes_back(tmp_path):
    scenario = load_scenario_file(LIBRARY_DIR / "dana-apartment.yaml", RUBRIC).scenario
    html = compile_html(export_twee(scenario), tmp_path)
    story = parse_html(html)
    assert [p.name for p in story.passages] == [*scenario.nodes, *scenario.endings]
    assert story.start == "opening"
    # Published HTML keeps only a passage's position and size, so PeerSim's fields do not survive it: the
    # conversation comes back whole, and the report asks for the rest.
    imported = import_story(html)
    inspection = inspect(imported.yaml, RUBRIC)
    assert inspection.scenario is None
    assert "- Decision point “opening”: the peer's readiness." in imported.report
    assert (
        "  - Response “Someday is a fine answer. What would you like to do with today, then?”: criteria, a quality and a rationale (why)."
        in imported.report
    )
    for node_id, node in scenario.nodes.items():
        assert f'  "{node_id}":\n    peer: "{node.peer}"' in imported.yaml.replace('\\"', '"')
        for choice in node.choices:
            assert f'        say: "{choice.say}"\n' in imported.yaml.replace('\\"', '"')
    # Twee from the same HTML, through extwee, reads the same.
    assert import_story(decompile_html(html, tmp_path)).yaml == imported.yaml


# ---------------------------------------------------------------- studio
@pytest.mark.usefixtures("fixture_library")
def test_uploading_a_twine_story_makes_a_draft_with_its_report(isolated_data):
    at = studio_for(isolated_data)
    upload(at, "long-wait.twee", SMALL.encode("utf-8"))
    assert not at.exception
    assert at.info[0].value == (
        "Imported the Twine story “The Long Wait” as a new draft. "
        "The import report below lists what it still needs before it can be published."
    )
    imported = import_story(SMALL)
    assert editor(at).value == imported.yaml
    assert drafts(isolated_data) == [("The Long Wait", imported.yaml)]
    assert at.expander[0].label == "Twine import report"
    expected = SMALL_REPORT.rstrip("\n").replace("\n  - ", "\n    - ")
    for heading in ("Still needed before it can be published:", "Renamed:", "Left out (PeerSim shows plain text only):"):
        expected = expected.replace(heading, f"**{heading}**")
    assert shown(at.expander[0].markdown[0].value) == expected
    assert at.error[0].value.startswith("17 problems to fix")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download YAML" in labels and "Export to Twine (Twee 3)" in labels


@pytest.mark.usefixtures("fixture_library")
@pytest.mark.parametrize("case", ["not twine (html)", "no passages (twee)", "broken links"])
def test_uploading_a_bad_twine_file_says_why_and_saves_nothing(isolated_data, case):
    name, text, message = BAD[case]
    at = studio_for(isolated_data)
    upload(at, name, text.encode("utf-8"))
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [f"{name}: {message}"]
    assert drafts(isolated_data) == []
