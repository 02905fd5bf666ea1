"""``python -m scenarios``: exact messages and exit codes, on the shipped library and on every bad fixture."""

from __future__ import annotations

import json

import pytest

from scenarios.__main__ import main
from scenarios.schema import SCHEMA_FILE, scenario_schema
from tests.helpers import FIXTURES

# Every bad fixture, with every problem the checker must report for it (``file:line:col: message``).
BAD = [
    (
        "alias-bomb.yaml",
        [
            "2:8: aliases (*a) are not allowed; write the value out in full",
            "3:8: aliases (*b) are not allowed; write the value out in full",
            "4:8: aliases (*c) are not allowed; write the value out in full",
            "5:8: aliases (*d) are not allowed; write the value out in full",
            "6:8: aliases (*e) are not allowed; write the value out in full",
            "7:8: aliases (*f) are not allowed; write the value out in full",
        ],
    ),
    (
        "broken-graph.yaml",
        [
            "10:3: no path from node 'open' reaches an ending (every way on leads into a loop or a missing node); give it a way out",
            "18:15: next 'middel' is not a node or an ending; did you mean 'middle'?",
            "24:3: node 'middle' cannot be reached from start 'open'",
            "38:3: no path from node 'loop' reaches an ending (every way on leads into a loop or a missing node); give it a way out",
            "53:3: ending 'done' cannot be reached from start 'open'",
        ],
    ),
    (
        "deep-nesting.yaml",
        [
            "1:35: the data is nested more than 32 levels deep",
        ],
    ),
    (
        "duplicate-key.yaml",
        [
            "13:5: duplicate key 'readiness' (first defined at line 12); each key may appear once",
            "24:9: duplicate key 'why' (first defined at line 23); each key may appear once",
        ],
    ),
    (
        "empty.yaml",
        [
            "1:1: the file is empty",
        ],
    ),
    (
        "python-tag.yaml",
        [
            "2:8: YAML tags such as '!!python/object/apply:os.system' are not allowed; use plain text, numbers, lists and mappings",
            "3:10: YAML tags such as '!custom' are not allowed; use plain text, numbers, lists and mappings",
        ],
    ),
    (
        "rubric-and-better.yaml",
        [
            "16:45: unknown criterion 'po.reflective-listenin'; did you mean 'po.reflective-listening'?",
            "19:13: pitfall choice 'push' needs 'better:' naming a stronger choice in node 'open'",
            "26:20: warning: 'po.break-down-goals' (Small steps first) does not fit a peer who is not ready (node 'open' readiness: not-ready); it fits: getting ready, taking steps, keeping it going",
            "28:17: better 'push' (pitfall) is not stronger than this choice (mixed); point to a stronger choice",
        ],
    ),
    (
        "quality.yaml",
        [
            "17:18: choice 'listen' is marked strongest, but it names a pitfall (pf.dictating); a response that names a "
            "pitfall is 'mixed' (it also helps) or 'pitfall'",
            "19:17: better 'wonder' (pitfall) is not stronger than this choice (strongest); point to a stronger choice",
            "24:18: choice 'wonder' is marked pitfall, but it names no pitfall (pf.*); name the pitfall it falls into, or "
            "mark it 'helpful' or 'strongest'",
            "30:18: choice 'push' is marked mixed, but it names no possibility (po.*); name what helps in it, or mark it "
            "'pitfall'",
            "34:3: node 'more' has no strongest response; mark the best response here 'quality: strongest' (every decision "
            "point needs one, and it names no pitfall)",
        ],
    ),
    (
        "loops.yaml",
        [
            "15:173: choice 'push' is marked 'loop: true', but it leads to an ending; remove 'loop: true'",
            "20:116: choice 'again' at node 'more' leads back to 'open', which the conversation has already passed; mark "
            "it 'loop: true' if the peer really comes back to that point (a point is scored only the first time), or "
            "lead it somewhere new",
            "27:133: choice 'ahead' is marked 'loop: true', but 'last' never leads back to node 'round'; remove 'loop: true'",
        ],
    ),
    (
        "round.yaml",
        [
            "10:3: from node 'open', the strongest responses never reach an ending (they only go round a loop); let a "
            "strongest response lead on",
            "16:3: from node 'more', the strongest responses never reach an ending (they only go round a loop); let a "
            "strongest response lead on",
        ],
    ),
    (
        "syntax-error.yaml",
        [
            "4:1: YAML syntax: found unexpected end of stream (while scanning a quoted scalar)",
        ],
    ),
    (
        "top-level-list.yaml",
        [
            "1:1: a scenario file must be a mapping of fields at the top level (like 'id: ...'), found a list",
        ],
    ),
    (
        "two-documents.yaml",
        [
            "2:1: a file holds one YAML document; remove the second '---'",
        ],
    ),
    (
        "unknown-field.yaml",
        [
            "14:9: nodes.open.choices[0]: missing required field 'criteria'",
            "16:9: nodes.open.choices[0]: unknown field 'critera'; did you mean 'criteria'?",
        ],
    ),
    (
        "wrong-types.yaml",
        [
            "1:5: id: 'Wrong Types' should be lower-case letters, digits and dashes (like 'first-visit')",
            "2:8: title: must not be empty",
            "4:22: domains[1]: 'cooking' is not one of 'readiness', 'self-determination', 'person-centered', 'goals', 'plan-care', 'wellness', 'relationship', 'self-care', 'safety' or 'ethics'",
            "5:13: difficulty: expected a whole number, found text",
            "6:10: minutes: must be at most 60, found 90",
            "7:7: peer: expected a mapping of fields, found text",
            "12:16: nodes.open.readiness: 'maybe' is not one of 'not-ready', 'contemplating', 'preparing', 'acting' or 'maintaining'",
            "13:14: nodes.open.choices: expected a list, found text",
        ],
    ),
]


def test_every_bad_fixture_is_listed():
    assert sorted(name for name, _ in BAD) == sorted(p.name for p in (FIXTURES / "bad").glob("*.yaml"))


@pytest.mark.parametrize(("name", "expected"), BAD, ids=[name for name, _ in BAD])
def test_bad_fixture_reports_every_problem_at_its_place(name, expected, capsys):
    path = FIXTURES / "bad" / name
    assert main(["check", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"{path}:{line}" for line in expected]
    errors = sum(1 for line in expected if ": warning: " not in line)
    warnings = len(expected) - errors
    assert err == f"{errors} error(s), {warnings} warning(s) in 1 file(s)\n"


def test_good_file_prints_a_one_line_summary(capsys):
    assert main(["check", str(FIXTURES / "good" / "mini.yaml")]) == 0
    out, err = capsys.readouterr()
    assert out == "ok: 1 scenario(s), 2 decision points, no errors\n"
    assert err == ""


def test_default_is_the_shipped_library_and_it_passes(capsys):
    assert main(["check"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("ok: ") and "no errors" in out
    assert "warning" not in out


def test_folders_are_searched_and_problems_from_all_files_are_printed(capsys):
    assert main(["check", str(FIXTURES / "bad"), str(FIXTURES / "good")]) == 1
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == sum(len(expected) for _, expected in BAD)
    assert err.endswith(f"in {len(BAD) + 1} file(s)\n")


def test_missing_path_and_empty_folder(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.yaml")]) == 1
    out, _ = capsys.readouterr()
    assert out == f"{tmp_path / 'nope.yaml'}:1:1: no such file or folder\n"
    assert main(["check", str(tmp_path)]) == 1
    _, err = capsys.readouterr()
    assert err == "no scenario files found (looked for .yaml and .yml)\n"


def test_the_same_id_in_two_files_is_an_error(tmp_path, capsys):
    source = (FIXTURES / "good" / "mini.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(source, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(source, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    out, _ = capsys.readouterr()
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    assert out.splitlines() == [
        f"{a}:2:1: warning: name the file 'mini.yaml' after its id",
        f"{b}:2:1: warning: name the file 'mini.yaml' after its id",
        f"{b}:2:1: scenario id 'mini' is already used by {a}",
    ]


def test_schema_command_prints_the_json_schema(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == scenario_schema()
    assert printed["additionalProperties"] is False
    assert "criteria" in printed["$defs"]["Choice"]["required"]


def test_committed_schema_file_is_up_to_date():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == scenario_schema(), "run: python -m scenarios schema -o scenarios/scenario.schema.json"


def test_coverage_fails_below_the_bar_and_names_what_is_short(capsys):
    assert main(["coverage", str(FIXTURES / "good")]) == 1
    out, err = capsys.readouterr()
    assert "pf.ahead-of-readiness                      1        1  LOW" in out.splitlines()
    assert "readiness                                  1        1  LOW" in out.splitlines()
    assert err.startswith("below the bar: pf.ahead-of-readiness, pf.breaching-confidentiality, ")
    assert err.rstrip().endswith("domain relationship, domain self-care, domain safety, domain ethics")


def test_coverage_bar_can_be_lowered(capsys):
    args = ["coverage", str(FIXTURES / "good"), "--min-choices", "0", "--min-scenarios", "0", "--min-main", "0"]
    assert main(args) == 0
    assert capsys.readouterr().out.endswith("ok: 1 scenario(s) cover every criterion and domain\n")


def test_coverage_and_catalogue_refuse_a_library_with_errors(capsys):
    assert main(["coverage", str(FIXTURES / "bad" / "broken-graph.yaml")]) == 1
    out, err = capsys.readouterr()
    assert "next 'middel' is not a node or an ending" in out
    assert err == "5 error(s): fix them first (python -m scenarios check)\n"
    assert main(["catalogue", str(FIXTURES / "bad" / "empty.yaml")]) == 1


def test_catalogue_of_the_fixture(capsys):
    assert main(["catalogue", str(FIXTURES / "good")]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "| scenario | peer | domains (main first) | level | minutes | decisions | content note |",
        "|---|---|---|---|---|---|---|",
        "| **A short check-in** (`mini`) | Sam | Readiness and timing, Goal setting | introductory | 3 | 2 |  |",
    ]
