"""The shipped library: it loads with no errors or warnings and meets the foundation's content bar."""

from __future__ import annotations

import re

import pytest

from scenarios import DOMAIN_IDS, LIBRARY_DIR, load_library
from scoring.scorer import strongest_path

STIGMA = re.compile(r"\b(addicts?|junkies?|junkie|clean|dirty|abuser|alcoholics?|crazy|psycho|lunatic)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def library(rubric):
    report = load_library(LIBRARY_DIR, rubric)
    assert report.problems == []
    return report.loaded


def test_at_least_six_scenarios_touch_all_eight_domains(library):
    assert len(library) >= 6
    assert {d for s in library for d in s.scenario.domains} == set(DOMAIN_IDS)


def test_each_scenario_meets_the_size_bar(library):
    for loaded in library:
        scenario = loaded.scenario
        assert len(scenario.nodes) >= 4, scenario.id
        assert all(len(node.choices) >= 3 for node in scenario.nodes.values()), scenario.id
        assert len(scenario.endings) >= 2, scenario.id
        assert loaded.source.endswith(f"{scenario.id}.yaml"), "file name matches the id"


def test_both_readiness_situations_are_taught(library):
    too_early = [
        s.id
        for s in library
        for node in s.scenario.nodes.values()
        if node.readiness in ("not-ready", "contemplating")
        for c in node.choices
        if "pf.ahead-of-readiness" in c.criteria
    ]
    held_back = [
        s.id
        for s in library
        for node in s.scenario.nodes.values()
        if node.readiness in ("preparing", "acting", "maintaining")
        for c in node.choices
        if "pf.stuck-in-exploration" in c.criteria
    ]
    assert too_early and held_back


def test_every_scenario_has_a_strong_path_to_a_hopeful_ending(library, rubric):
    for loaded in library:
        best = strongest_path(loaded.scenario, rubric)
        assert best.points > 0, loaded.id
        assert best.ending_id in loaded.scenario.endings


def test_no_stigmatising_words_in_anything_a_trainee_reads(library):
    for loaded in library:
        scenario = loaded.scenario
        texts = [scenario.title, scenario.summary, scenario.peer.about, scenario.content_note or ""]
        for node in scenario.nodes.values():
            texts += [node.peer, node.scene or ""] + [t for c in node.choices for t in (c.say, c.why)]
        texts += [t for e in scenario.endings.values() for t in (e.peer, e.debrief)]
        found = sorted({m.group(0).lower() for t in texts for m in STIGMA.finditer(t)})
        assert found == [], f"{loaded.id}: {found}"
