"""The teaching lint (scenarios/lint.py): one fixture per rule with its exact warnings, the loader's and the
CLI's ``lint`` switch, and the shipped library, which must be lint-clean."""

from __future__ import annotations

import nltk
import pytest

from scenarios import LIBRARY_DIR, Finding, ScenarioError, check_paths, lint_scenario, load_scenario, load_scenario_file
from scenarios.__main__ import main
from scenarios.lint import reading_grade
from tests.helpers import FIXTURES

LINT = FIXTURES / "lint"

GRADE_HINT = (
    "(Flesch-Kincaid; aim for 6 to 8, at most 9); people talk in short sentences and everyday words, "
    "so split long sentences and swap long words for plain ones"
)
# Every lint fixture, with every warning the lint must give for it (``line:col: warning: message``).
EXPECTED = [
    ("clean.yaml", []),
    (
        "position.yaml",
        [
            "12:1: warning: in all 3 nodes the strongest choice is the first choice, so a trainee can score well by always "
            "picking the first choice; move the strongest choice to a different place in some nodes",
        ],
    ),
    (
        "length.yaml",
        [
            "41:14: warning: the strongest choice 'pen' is much the longest in node 'ready' (102 characters; the next "
            "longest has 53), so its length gives it away; shorten it or give the other choices more to say",
            "78:14: warning: the strongest choice 'win' is much the shortest in node 'going' (24 characters; the next "
            "shortest has 51), so its length gives it away; let it say a little more or trim the other choices",
        ],
    ),
    (
        "no-quality.yaml",
        [
            "20:19: warning: choice 'push' and 8 other choices set no 'quality:', so their criteria decide it (this one "
            "counts as pitfall); say how good each response is yourself (strongest, helpful, mixed or pitfall), so the "
            "score follows your judgement and not the number of criteria",
        ],
    ),
    (
        "pitfall-why.yaml",
        [
            "51:14: warning: the why of pitfall choice 'list' does not point to a stronger response; add a sentence on "
            "what the better choice 'pen' does differently (for example 'The stronger response ...')",
        ],
    ),
    (
        "reading-grade.yaml",
        [
            f"15:11: warning: Lee's line reads at grade 19.7 {GRADE_HINT}",
            f"87:11: warning: Lee's line reads at grade 21.3 {GRADE_HINT}",
        ],
    ),
    (
        "readiness-jump.yaml",
        [
            "35:15: warning: node 'open' (readiness: not-ready) leads straight to node 'going' (readiness: acting), three "
            "stages further on in one turn; readiness grows a stage or two at a time, so give one of them a readiness "
            "in between, or add a node where the peer gets there",
        ],
    ),
]


def test_every_lint_fixture_is_listed():
    assert sorted(name for name, _ in EXPECTED) == sorted(p.name for p in LINT.glob("*.yaml"))


@pytest.mark.parametrize(("name", "expected"), EXPECTED, ids=[name for name, _ in EXPECTED])
def test_each_rule_warns_with_its_message_at_its_place(name, expected, rubric):
    path = LINT / name
    linted = load_scenario_file(path, rubric, lint=True)
    assert [str(p) for p in linted.warnings] == [f"{path}:{line}" for line in expected]
    assert all(p.severity == "warning" for p in linted.warnings)
    # Without the switch the same file loads with no warnings at all: the lint adds only its own.
    assert load_scenario_file(path, rubric).warnings == ()


def test_lint_scenario_is_pure_and_returns_located_findings(rubric):
    scenario = load_scenario_file(LINT / "position.yaml", rubric).scenario
    assert lint_scenario(scenario, rubric) == [
        Finding(
            ("nodes",),
            "in all 3 nodes the strongest choice is the first choice, so a trainee can score well by always picking the "
            "first choice; move the strongest choice to a different place in some nodes",
            severity="warning",
            at_key=True,
        )
    ]
    assert lint_scenario(load_scenario_file(LINT / "clean.yaml", rubric).scenario, rubric) == []


def test_load_scenario_from_text_names_its_source(rubric):
    text = (LINT / "readiness-jump.yaml").read_text(encoding="utf-8")
    loaded = load_scenario(text, rubric, source="draft.yaml", lint=True)
    assert [(p.source, p.line, p.column) for p in loaded.warnings] == [("draft.yaml", 35, 15)]
    assert load_scenario(text, rubric, source="draft.yaml").warnings == ()


def test_a_readiness_drop_is_not_a_jump(rubric):
    # A setback can take a peer from keeping a change going to not ready at once; only rises are limited.
    text = """
id: drop
title: A hard week
summary: Ana has kept her plan going for a year, then hears hard news.
domains: [readiness]
difficulty: 1
minutes: 2
peer: {name: Ana, about: "40, a year into recovery."}
start: a
nodes:
  a:
    peer: "My plan has worked all year. Then my landlord called."
    readiness: maintaining
    choices:
      - {id: review, say: "What has kept it working all year?", criteria: [po.review-what-works], quality: strongest, why: Looks back together., next: b}
      - {id: stay, say: "Let's just talk about how you feel.", criteria: [pf.stuck-in-exploration], quality: pitfall, better: review,
         why: "She is keeping a plan going. The stronger response looks at it with her.", next: end}
  b:
    peer: "I can't think about any of it right now."
    readiness: not-ready
    choices:
      - {id: hear, say: "That's a lot to take in. I'm here.", criteria: [po.reflective-listening], quality: strongest, why: Hears her., next: end}
      - {id: fix, say: "Let's write a new housing plan now.", criteria: [pf.ahead-of-readiness], quality: pitfall, better: hear,
         why: "She is not ready. The stronger response stays with her first.", next: end}
endings:
  end: {peer: "Thanks. I'll call you.", debrief: "What did Ana need?"}
"""
    assert load_scenario(text, rubric, lint=True).warnings == ()


def test_lint_runs_only_on_a_scenario_without_errors(rubric):
    path = FIXTURES / "bad" / "rubric-and-better.yaml"
    with pytest.raises(ScenarioError) as plain:
        load_scenario_file(path, rubric)
    with pytest.raises(ScenarioError) as linted:
        load_scenario_file(path, rubric, lint=True)
    assert linted.value.problems == plain.value.problems
    assert check_paths([FIXTURES / "bad"], rubric, lint=True).problems == check_paths([FIXTURES / "bad"], rubric).problems


def test_check_paths_adds_lint_warnings_and_stays_ok(rubric):
    report = check_paths([LINT], rubric, lint=True)
    assert report.ok
    assert report.files == len(EXPECTED)
    assert [str(p) for p in report.problems] == [
        f"{LINT / name}:{line}" for name, expected in sorted(EXPECTED) for line in expected
    ]
    assert check_paths([LINT], rubric).problems == []


def test_cli_prints_lint_warnings_and_counts_them(capsys):
    assert main(["check", "--lint", str(LINT)]) == 0
    out, err = capsys.readouterr()
    expected = [f"{LINT / name}:{line}" for name, lines in sorted(EXPECTED) for line in lines]
    assert len(expected) == 8
    assert out.splitlines() == [*expected, "ok: 7 scenario(s), 21 decision points, no errors, 8 warning(s)"]
    assert err == ""


def test_cli_without_lint_prints_what_it_always_did(capsys):
    assert main(["check", str(LINT)]) == 0
    assert capsys.readouterr() == ("ok: 7 scenario(s), 21 decision points, no errors\n", "")


def test_cli_lint_still_fails_on_errors_and_counts_everything(capsys):
    assert main(["check", "--lint", str(FIXTURES / "bad" / "rubric-and-better.yaml"), str(LINT / "position.yaml")]) == 1
    out, err = capsys.readouterr()
    assert out.count(": warning: ") == 2  # the readiness warning in the bad file, the lint warning in position.yaml
    assert out.splitlines()[-1].startswith(f"{LINT / 'position.yaml'}:12:1: warning: in all 3 nodes")
    assert err == "3 error(s), 2 warning(s) in 2 file(s)\n"


def test_shipped_library_is_lint_clean(rubric, capsys):
    assert check_paths([LIBRARY_DIR], rubric, lint=True).problems == []
    assert main(["check", "--lint"]) == 0
    assert "warning" not in capsys.readouterr().out


def test_reading_grade_is_textstats_flesch_kincaid_counted_offline(monkeypatch):
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the lint must not look up or download NLTK data")

    monkeypatch.setattr(nltk, "download", no_network)
    monkeypatch.setattr(nltk.data, "find", no_network)
    # 6 words, 1 sentence, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert reading_grade("The cat sat on the mat.") == (pytest.approx(-1.45), 6)
    # 7 words, 1 sentence, 27 syllables by pyphen's US English hyphenation: 0.39 * 7 + 11.8 * 27 / 7 - 15.59
    grade, words = reading_grade("Realistically, organising horticultural responsibilities feels overwhelming today.")
    assert words == 7
    assert grade == pytest.approx(0.39 * 7 + 11.8 * 27 / 7 - 15.59)
