"""The PDF progress report with its four charts, against the same report with its tables alone, in one process.

    .venv/bin/python -m bench.report [--attempts 40] [--weeks 26] [--repeat 9] [--name "山田 花子 🌱"]

One trainee's history is generated (attempts on the shipped library's scenarios over ``--weeks`` weeks, six
choices each, criteria drawn from the rubric with a fixed seed) and run through scoring.patterns as the Progress
page does. Then, alternately, it times ``scoring.report.build_pdf(data)`` (the charts drawn with fpdf2) and
``build_pdf(data, charts=False)`` (tables and text only), after one warm-up build of each (the first reads the
fonts' character maps once per process). It prints the medians and their ratio. Goal: the charts at most double a
report's build time (with plotly and kaleido, which start a Chromium, a report took 9.4-10.9 s against 0.3-0.6 s
for its tables).
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

import pandas as pd

from bench import harness
from scenarios import LIBRARY_DIR, load_library
from scoring import default_rubric
from scoring.patterns import (
    ATTEMPT_COLUMNS,
    HIT_COLUMNS,
    balance_by_week,
    domain_profile,
    pitfalls_by_week,
    score_over_time,
    top_pitfalls,
)
from scoring.readiness import readiness
from scoring.report import ExamLine, ReportData, build_pdf

GOAL = 2.0


def history(attempts: int, weeks: int, name: str, seed: int = 7) -> ReportData:
    """A trainee's report data: ``attempts`` finished attempts spread over ``weeks`` weeks."""
    rng = random.Random(seed)
    rubric = default_rubric()
    titles = sorted(s.scenario.title for s in load_library(LIBRARY_DIR, rubric=rubric).loaded)
    criteria = [c.id for c in rubric.criteria]
    start = datetime.now(UTC) - timedelta(weeks=weeks)
    gap = timedelta(weeks=weeks) / attempts
    attempt_rows, hit_rows = [], []
    for number in range(1, attempts + 1):
        begun = start + gap * number
        title = rng.choice(titles[:8])
        attempt_rows.append(
            (number, title, title, "coached", "finished", begun, begun + timedelta(minutes=12), rng.randint(30, 100))
        )
        for step in range(6):
            hit_rows.append((number, number * 10 + step, title, begun + timedelta(minutes=step), rng.choice(criteria)))
    frame = pd.DataFrame(attempt_rows, columns=ATTEMPT_COLUMNS)
    hits = pd.DataFrame(hit_rows, columns=HIT_COLUMNS)
    return ReportData(
        name=name,
        generated_at=datetime.now(UTC),
        scores=score_over_time(frame),
        domains=domain_profile(hits, rubric),
        pitfalls=top_pitfalls(hits, rubric, {}),
        exams=[
            ExamLine(start + timedelta(weeks=weeks // 2), 50, 68, 70),
            ExamLine(start + timedelta(weeks=weeks - 1), 50, 76, 70),
        ],
        readiness=readiness([], hits, rubric),
        pitfall_weeks=pitfalls_by_week(hits, rubric),
        balance=balance_by_week(hits, rubric),
        headline=f"You have finished {attempts} conversations.",
        practice_next=[("Taking the reins", titles[:3])],
    )


def timed(data: ReportData, charts: bool) -> tuple[float, bytes]:
    began = time.perf_counter()
    pdf = build_pdf(data, charts=charts)
    return time.perf_counter() - began, pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--repeat", type=int, default=9, help="timings of each kind of report (default 9)")
    parser.add_argument("--name", default="Ana Lima", help='the trainee\'s name (try "山田 花子 🌱" for fallback fonts)')
    args = parser.parse_args(argv)

    print(f"machine: {harness.machine()}")
    data = history(args.attempts, args.weeks, args.name)
    _, full = timed(data, charts=True)  # warm-up: fonts' character maps, imports
    _, tables = timed(data, charts=False)
    figures = full.count(b"/S /Figure")
    if figures != 4 or b"/S /Figure" in tables:
        raise SystemExit(f"expected 4 figures with charts and none without, got {figures}")
    with_charts: list[float] = []
    tables_only: list[float] = []
    for _ in range(args.repeat):
        with_charts.append(timed(data, charts=True)[0])
        tables_only.append(timed(data, charts=False)[0])

    charts_p50, tables_p50 = statistics.median(with_charts), statistics.median(tables_only)
    ratio = charts_p50 / tables_p50
    print(
        f"report for {args.name!r}: {args.attempts} attempts over {args.weeks} weeks, {len(data.pitfall_weeks)} pitfalls "
        f"in the heatmap; {len(full) / 1024:.0f} KiB with charts, {len(tables) / 1024:.0f} KiB without"
    )
    print(f"  with its 4 charts: median {harness.ms(charts_p50)}, best {harness.ms(min(with_charts))} (of {args.repeat})")
    print(f"  tables only:       median {harness.ms(tables_p50)}, best {harness.ms(min(tables_only))} (of {args.repeat})")
    print(f"{harness.verdict(ratio <= GOAL)}: the charts make a report take {ratio:.2f}x its tables alone (goal <= {GOAL}x)")
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
