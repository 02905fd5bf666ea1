"""scoring.patterns.by_scenario: Progress's table of each scenario's tries, first and latest score, best and the
change, computed by hand."""

from __future__ import annotations

import pandas as pd

from scoring.patterns import BY_SCENARIO_COLUMNS, by_scenario


def scores(*rows: tuple[int, str, str, int]) -> pd.DataFrame:
    """(attempt id, day, scenario id, score); the title is the id in capitals."""
    return pd.DataFrame(
        [(a, pd.Timestamp(day, tz="UTC"), s, s.upper(), "coached", score) for a, day, s, score in rows],
        columns=["attempt_id", "finished_at", "scenario_id", "title", "mode", "score"],
    )


def test_each_scenario_against_its_own_first_try() -> None:
    table = by_scenario(
        scores(
            (1, "2027-03-01", "rosa", 40),
            (2, "2027-03-02", "walt", 90),
            (3, "2027-03-03", "rosa", 75),
            (4, "2027-03-04", "ben", 60),
            (5, "2027-03-05", "walt", 60),
            (6, "2027-03-06", "rosa", 62),
        )
    )
    assert table.to_dict("records") == [
        {"scenario": "ROSA", "tries": 3, "first try": "40%", "latest": "62%", "best": "75%", "change": "up 22 points"},
        {"scenario": "WALT", "tries": 2, "first try": "90%", "latest": "60%", "best": "90%", "change": "down 30 points"},
        {"scenario": "BEN", "tries": 1, "first try": "60%", "latest": "60%", "best": "60%", "change": "one try so far"},
    ]


def test_the_same_score_and_no_scores() -> None:
    table = by_scenario(scores((1, "2027-03-01", "kai", 50), (2, "2027-03-08", "kai", 50)))
    assert table["change"].tolist() == ["the same"]
    empty = by_scenario(scores())
    assert empty.empty and list(empty.columns) == BY_SCENARIO_COLUMNS
