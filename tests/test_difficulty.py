"""Difficulty labels keep their promise (docs/writing-scenarios.md, 'Difficulty'): an introductory scenario asks
less of a trainee than the others, in decision points and in reading; the shipped library has introductory
scenarios. Whether a label fits real trainees is measured on the dashboard (tests/test_dashboard.py,
tests/test_cohort_analytics.py::test_the_difficulty_label_against_first_tries)."""

from __future__ import annotations

from statistics import mean, median

from scenarios import Scenario, load_library
from scoring import default_rubric


def reading(scenario: Scenario) -> int:
    """Words a trainee reads across the scenario: the peer's lines and every response offered."""
    texts = [node.peer for node in scenario.nodes.values()] + [c.say for node in scenario.nodes.values() for c in node.choices]
    return sum(len(text.split()) for text in texts)


def test_introductory_scenarios_ask_less() -> None:
    scenarios = [loaded.scenario for loaded in load_library(rubric=default_rubric()).loaded]
    by_level = {level: [s for s in scenarios if s.difficulty == level] for level in (1, 2, 3)}
    assert all(len(by_level[level]) >= 4 for level in (1, 2, 3)), {k: len(v) for k, v in by_level.items()}
    assert [s.id for s in by_level[1] if len(s.nodes) > 5] == []
    introductory = mean(reading(s) for s in by_level[1])
    others = mean(reading(s) for s in by_level[2] + by_level[3])
    assert introductory <= 0.75 * others, (introductory, others)
    # every introductory scenario reads shorter than the median intermediate and the median advanced one
    for level in (2, 3):
        assert max(reading(s) for s in by_level[1]) < median(reading(s) for s in by_level[level])
    # and none carries the safety domain: crisis practice is never a first step
    assert [s.id for s in by_level[1] if "safety" in s.domains] == []
