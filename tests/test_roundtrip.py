"""The form's round trip (scenarios.roundtrip): the shipped YAML comes back byte for byte, and an edit changes only
the lines it should, keeping every comment."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from scenarios import roundtrip
from scenarios.studio import inspect, starter_text
from tests.helpers import ROOT

LIBRARY = sorted((ROOT / "scenarios" / "library").glob("*.yaml"))
TEMPLATES = sorted((ROOT / "scenarios" / "templates").glob("*.yaml"))


def changed(before: str, after: str) -> list[str]:
    """The lines removed (-) and added (+), without the diff's headers."""
    return [
        line.rstrip("\n")
        for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
        if line[:1] in "+-" and not line.startswith(("---", "+++"))
    ]


def comments(text: str) -> list[str]:
    return [
        line[line.index("#") :] for line in text.splitlines() if "#" in line and not line.lstrip().startswith(("say", "peer"))
    ]


def test_the_whole_library_and_every_template_comes_back_byte_for_byte():
    assert len(LIBRARY) >= 40
    different = [
        p.name
        for p in [*LIBRARY, *TEMPLATES]
        if roundtrip.round_trip(p.read_text(encoding="utf-8")) != p.read_text(encoding="utf-8")
    ]
    assert different == []


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_each_library_scenario_loads_dumps_and_reloads_the_same(path: Path):
    text = path.read_text(encoding="utf-8")
    once = roundtrip.round_trip(text)
    assert once == text
    assert roundtrip.round_trip(once) == text


STARTER = starter_text()


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("title",), "A talk about sleep", ["-title: A first conversation", "+title: A talk about sleep"]),
        (("title",), "Sleep: a first talk", ["-title: A first conversation", "+title: 'Sleep: a first talk'"]),
        (("peer", "name"), "Jo", ["-  name: Jordan", "+  name: Jo"]),
        (
            ("difficulty",),
            2,
            [
                "-difficulty: 1                  # 1 introductory, 2 intermediate, 3 advanced",
                "+difficulty: 2                  # 1 introductory, 2 intermediate, 3 advanced",
            ],
        ),
        (
            ("domains",),
            ["wellness", "readiness"],
            [
                "-domains: [readiness, self-determination]   # the first one is the main domain",
                "+domains: [wellness, readiness]             # the first one is the main domain",
            ],
        ),
        (("content_note",), "Mentions poor sleep.", ["+content_note: Mentions poor sleep."]),
        (("peer", "pronouns"), "", ["-  pronouns: they/them"]),
        (
            ("nodes", "opening", "readiness"),
            "preparing",
            [
                "-    readiness: contemplating   # not-ready, contemplating, preparing, acting, maintaining",
                "+    readiness: preparing       # not-ready, contemplating, preparing, acting, maintaining",
            ],
        ),
        (("nodes", "opening", "scene"), "", ["-    scene: Jordan sits down with a coffee and smiles a little."]),
        (("nodes", "opening-up", "scene"), "Jordan yawns.", ["+    scene: Jordan yawns."]),
        (
            ("nodes", "opening", "choices", 1, "say"),
            'You said "yet".',
            [
                '-        say: "Part of you wants a change, and you\'re still working out what."',
                '+        say: "You said \\"yet\\"."',
            ],
        ),
        (
            ("nodes", "opening", "choices", 0, "criteria"),
            ["pf.ahead-of-readiness", "pf.dictating"],
            ["-        criteria: [pf.ahead-of-readiness]", "+        criteria: [pf.ahead-of-readiness, pf.dictating]"],
        ),
        (("nodes", "opening", "choices", 0, "quality"), "mixed", ["-        quality: pitfall", "+        quality: mixed"]),
        (("nodes", "opening", "choices", 0, "better"), "", ["-        better: reflect"]),
        (("nodes", "opening", "choices", 1, "better"), "plan-now", ["+        better: plan-now"]),
        (("nodes", "opening", "choices", 1, "next"), "first-step", ["-        next: opening-up", "+        next: first-step"]),
        (
            ("endings", "first-step", "debrief"),
            "What helped?",
            ["-    debrief: What helped Jordan name a step of their own?", "+    debrief: What helped?"],
        ),
        (("endings", "pulled-back", "title"), "", ["-    title: The talk stalls"]),
    ],
)
def test_an_edit_changes_only_its_own_line_and_keeps_every_comment(path, value, expected):
    draft = roundtrip.load(STARTER)
    roundtrip.set_field(draft, path, value)
    after = roundtrip.dump(draft)
    assert changed(STARTER, after) == expected
    assert comments(after) == comments(STARTER)
    assert roundtrip.get(roundtrip.load(after), path, "") == (value.strip() if isinstance(value, str) else value)


def test_a_new_optional_field_goes_where_the_format_puts_it():
    draft = roundtrip.load(STARTER)
    roundtrip.set_field(draft, ("nodes", "opening", "choices", 1, "better"), "plan-now")
    after = roundtrip.dump(draft).splitlines()
    index = after.index("        better: plan-now")
    assert after[index - 1].startswith("        why: It reflects both sides")
    assert after[index + 1] == "        next: opening-up"


def test_points_and_responses_are_added_duplicated_moved_and_deleted_keeping_comments(rubric):
    draft = roundtrip.load(STARTER)
    new_point = roundtrip.add_node(draft)
    new_ending = roundtrip.add_ending(draft)
    copy = roundtrip.duplicate(draft, "nodes", "opening")
    roundtrip.move(draft, "nodes", "opening-up", -1)
    roundtrip.add_choice(draft, "opening")
    roundtrip.duplicate_choice(draft, "opening-up", 0)
    roundtrip.move_choice(draft, "opening", 1, -1)
    after = roundtrip.dump(draft)
    reread = roundtrip.load(after)
    assert (new_point, new_ending, copy) == ("point-1", "ending-1", "opening-copy-1")
    assert roundtrip.ids(reread, "nodes") == ["opening", "opening-up", "opening-copy-1", "point-1"]
    assert roundtrip.ids(reread, "endings") == ["first-step", "pulled-back", "ending-1"]
    assert roundtrip.choice_ids(reread, "opening") == ["reflect", "plan-now", "response-1"]
    assert roundtrip.choice_ids(reread, "opening-up") == ["their-idea", "their-idea-1", "my-fix"]
    assert roundtrip.choice_ids(reread, "point-1") == ["response-1", "response-2"]
    assert roundtrip.get(reread, ("nodes", "point-1", "choices", 0, "next")) == "first-step"
    kept = comments(after)
    assert all(comment in kept for comment in comments(STARTER))  # a duplicate also copies its point's comments
    # the gateway still reads what the form wrote; the checks name what the new empty fields still need
    inspection = inspect(after, rubric)
    assert inspection.readable
    assert not inspection.ok
    roundtrip.delete(draft, "nodes", "point-1")
    roundtrip.delete(draft, "nodes", "opening-copy-1")
    roundtrip.delete(draft, "endings", "ending-1")
    roundtrip.delete_choice(draft, "opening", 2)
    roundtrip.move_choice(draft, "opening", 0, 1)
    roundtrip.delete_choice(draft, "opening-up", 1)
    assert roundtrip.dump(draft) == STARTER


def test_deleting_the_stronger_alternative_clears_the_pointer_and_the_checks_ask_for_one(rubric):
    draft = roundtrip.load(STARTER)
    roundtrip.delete_choice(draft, "opening", 1)  # "reflect", named as better by "plan-now"
    after = roundtrip.dump(draft)
    assert "better: reflect" not in after
    assert roundtrip.get(roundtrip.load(after), ("nodes", "opening", "choices", 0, "better")) is None
    assert not inspect(after, rubric).ok


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("title",), "", "title: must not be empty"),
        (("nodes", "opening-up", "choices", 0, "criteria"), ["po.no-such-thing"], "po.no-such-thing"),
        (("nodes", "opening", "choices", 0, "quality"), "strongest", "pf."),
    ],
)
def test_a_problem_is_tied_to_the_field_on_its_line(rubric, path, value, message):
    draft = roundtrip.load(STARTER)
    roundtrip.set_field(draft, path, value)
    text = roundtrip.dump(draft)
    located = {roundtrip.field_at(roundtrip.load(text), p.line): p.message for p in inspect(text, rubric).errors}
    assert path in located, located
    assert message in located[path]


def test_text_whose_top_is_not_a_mapping_is_refused_with_a_message():
    with pytest.raises(roundtrip.NotAScenarioMapping, match="has to be a set of fields"):
        roundtrip.load("- just\n- a list\n")
