"""The question bank format: checked by the same gateway and CLI as scenarios, with exact messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios import load_rubric
from scenarios.__main__ import main
from scenarios.loader import BANK_DIR, check_paths
from scenarios.questions import bank_coverage
from scenarios.schema import BANK_SCHEMA_FILE, bank_schema

BANK = Path(__file__).resolve().parent / "fixtures" / "bank"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "bad.yaml",
            [
                "15:18: questions[1].exam_domain: 'ethics' is not one of 'advocacy', 'mentoring-education', "
                "'recovery-wellness' or 'ethical-responsibility'",
                "22:9: questions[1].options[1]: missing required field 'why'",
                "24:10: questions[1].key: must be at most 4, found 5",
            ],
        ),
        (
            "bad-checks.yaml",
            [
                "5:16: unknown criterion 'po.honor-self-determinaton'; did you mean 'po.honor-self-determination'?",
                "6:12: the stem says NOT: set style: not",
                "11:16: this option repeats an earlier one",
                "14:9: question id 'c-001' is already used by question 1",
                "19:11: a 'not' item must say NOT, in capitals, in its stem",
            ],
        ),
    ],
)
def test_bad_bank_files_report_every_problem_at_its_place(name, expected, capsys):
    path = BANK / name
    assert main(["check", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"{path}:{line}" for line in expected]


def test_a_good_bank_file_is_counted_in_the_summary(capsys):
    assert main(["check", str(BANK / "good.yaml")]) == 0
    assert capsys.readouterr().out == "ok: 0 scenario(s), 0 decision points, 2 question(s), no errors\n"


def test_question_ids_are_unique_across_files(tmp_path, capsys):
    source = (BANK / "good.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(source, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(source, encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'b.yaml'}:2:9: question id 't-001' is already used in {tmp_path / 'a.yaml'}",
        f"{tmp_path / 'b.yaml'}:14:9: question id 't-002' is already used in {tmp_path / 'a.yaml'}",
    ]


def test_bank_coverage_of_the_fixture_names_the_gaps(capsys):
    assert main(["bank-coverage", str(BANK / "good.yaml"), "--min-total", "2"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("below the bar: exam domain mentoring-education, exam domain recovery-wellness, domain readiness,")


def test_committed_bank_schema_is_up_to_date():
    import json

    assert json.loads(BANK_SCHEMA_FILE.read_text(encoding="utf-8")) == bank_schema()


@pytest.mark.skipif(not any(BANK_DIR.glob("*.yaml")), reason="the shipped bank is not written yet")
def test_the_shipped_bank_passes_and_covers_everything():
    rubric = load_rubric()
    report = check_paths([BANK_DIR], rubric)
    assert report.problems == []
    result = bank_coverage([b.bank for b in report.banks], rubric)
    assert result.missing == []
    assert result.total >= 300
    styles = result.by_style
    # NOT items test reading more than judgement: a few, at most 5% of the bank (the lint warns above that).
    assert styles["scenario"] >= 200 and 1 <= styles["not"] <= result.total * 5 // 100
    keys = [q.key for b in report.banks for q in b.bank.questions]
    assert all(keys.count(k) >= len(keys) // 8 for k in (1, 2, 3, 4)), "the key sits in varied positions"
