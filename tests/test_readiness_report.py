"""Readiness estimates (exact) and the PDF progress report, read back as text."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pandas as pd
import pytest
from pypdf import PdfReader

from scenarios import load_rubric
from scenarios.loader import check_paths
from scoring.patterns import HIT_COLUMNS, balance_by_week, domain_profile, pitfalls_by_week, score_over_time, top_pitfalls
from scoring.readiness import readiness
from scoring.report import ExamLine, ReportData, build_pdf
from tests.helpers import EXAM_BANK


@pytest.fixture(scope="module")
def bank():
    report = check_paths([EXAM_BANK], load_rubric())
    return {q.id: q for b in report.banks for q in b.bank.questions}


def test_readiness_per_exam_domain_and_curriculum_domain(bank, rubric):
    # Two exams over the fixture bank: advocacy items right 3 times of 4, ethics right 1 of 4, others 0 of 4.
    right = {"x-01": [True, True], "x-02": [True, False], "x-07": [True, False], "x-08": [False, False]}
    items = [(bank[q], r) for q, results in right.items() for r in results]
    items += [(bank[q], False) for q in ("x-03", "x-04", "x-05", "x-06") for _ in range(1)]
    hits = pd.DataFrame(
        [(1, i, "s", "2026-11-20T10:00Z", c) for i, c in enumerate(["po.honor-self-determination"] * 3 + ["pf.dictating"] * 2)],
        columns=HIT_COLUMNS,
    )
    result = readiness(items, hits, rubric)
    by_exam = {e.area: (e.positive, e.basis, e.percent) for e in result.exam_domains}
    assert by_exam == {
        "advocacy": (3, 4, None),  # too few items to say (fewer than 5)
        "mentoring-education": (0, 2, None),
        "recovery-wellness": (0, 2, None),
        "ethical-responsibility": (1, 4, None),
    }
    by_domain = {e.area: (e.positive, e.basis, e.percent) for e in result.domains}
    # self-determination: 3 possibilities + 3 right advocacy items, of 5 hits + 4 items = 6 of 9
    assert by_domain["self-determination"] == (6, 9, 67)
    # relationship: mentoring (x-03, x-04) and ethics (x-07, x-08) items: 1 right of 6
    assert by_domain["relationship"] == (1, 6, 17)
    assert by_domain["readiness"] == (0, 2, None)
    assert [e.area for e in result.weakest()] == ["relationship", "self-determination"]


def test_the_pdf_report_reads_back_with_unicode_text(rubric):
    hits = pd.DataFrame(
        [(1, 1, "s", "2026-11-20T10:00Z", "pf.dictating"), (1, 2, "s", "2026-11-20T10:01Z", "po.hand-the-pen")],
        columns=HIT_COLUMNS,
    )
    attempts = pd.DataFrame(
        [(1, "s", "Tối nay, một bước nhỏ", "coached", "finished", "2026-11-20T09:59Z", "2026-11-20T10:02Z", 83)],
        columns=["attempt_id", "scenario_id", "title", "mode", "status", "started_at", "finished_at", "score"],
    )
    scores = score_over_time(attempts)
    data = ReportData(
        name="Zoë Nguyễn-O'Brien",
        generated_at=datetime(2026, 11, 22, tzinfo=UTC),
        scores=scores,
        domains=domain_profile(hits, rubric),
        pitfalls=top_pitfalls(hits, rubric, {}),
        exams=[ExamLine(datetime(2026, 11, 21, tzinfo=UTC), 50, 72, 70)],
        readiness=readiness([], hits, rubric),
        pitfall_weeks=pitfalls_by_week(hits, rubric),
        balance=balance_by_week(hits, rubric),
        headline="You have finished one conversation, with a score of 83%.",
        practice_next=[("Taking the reins", ["Her call to make", "Someday, my own place"])],
    )
    pdf = build_pdf(data)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "PeerSim progress report",
        "Zoë Nguyễn-O'Brien · 22 November 2026",
        "20 Nov 2026 Tối nay, một bước nhỏ coached 83%",
        "Taking the reins Self-determination 1",
        "21 Nov 2026 50 72% 70% passed",
        "Advocacy too few to say 0 item(s)",
        "You have finished one conversation, with a score of 83%.",
        "Practice next",
        "Taking the reins: Her call to make, Someday, my own place",
    ):
        assert expected in text, expected
