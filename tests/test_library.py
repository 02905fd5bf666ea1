"""The shipped library: it loads with no errors or warnings and meets the foundation's content bar."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenarios import DOMAIN_IDS, LIBRARY_DIR, load_library
from scenarios.coverage import catalogue_markdown, coverage
from scoring.scorer import strongest_path

CATALOGUE = Path(__file__).resolve().parent.parent / "docs" / "catalogue.md"

STIGMA = re.compile(r"\b(addicts?|junkies?|junkie|clean|dirty|abuser|alcoholics?|crazy|psycho|lunatic)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def library(rubric):
    report = load_library(LIBRARY_DIR, rubric)
    assert report.problems == []
    return report.loaded


def test_thirty_scenarios_touch_every_domain(library):
    assert len(library) >= 30
    assert {d for s in library for d in s.scenario.domains} == set(DOMAIN_IDS)


def test_each_scenario_meets_the_size_bar(library):
    for loaded in library:
        scenario = loaded.scenario
        assert len(scenario.nodes) >= 5, scenario.id
        assert all(3 <= len(node.choices) <= 4 for node in scenario.nodes.values()), scenario.id
        assert len(scenario.endings) >= 2, scenario.id
        assert 5 <= scenario.minutes <= 15, scenario.id
        assert loaded.source.endswith(f"{scenario.id}.yaml"), "file name matches the id"


def test_every_criterion_and_domain_is_covered(library, rubric):
    result = coverage([s.scenario for s in library], rubric)
    assert [c.id for c in result.short_criteria] == []
    assert [d.id for d in result.short_domains] == []


def scenarios_where(library, stages, criterion):
    """Ids of scenarios with a choice naming ``criterion`` at a node whose readiness is in ``stages``."""
    return {
        s.id
        for s in library
        for node in s.scenario.nodes.values()
        if node.readiness in stages
        for c in node.choices
        if criterion in c.criteria
    }


def scenarios_with_all(library, *criteria):
    return {
        s.id for s in library if set(criteria) <= {k for n in s.scenario.nodes.values() for c in n.choices for k in c.criteria}
    }


def test_both_readiness_situations_are_taught_in_at_least_four_scenarios_each(library):
    assert len(scenarios_where(library, ("not-ready", "contemplating"), "pf.ahead-of-readiness")) >= 4
    assert len(scenarios_where(library, ("preparing", "acting", "maintaining"), "pf.stuck-in-exploration")) >= 4


@pytest.mark.parametrize(
    "criteria",
    [
        ("po.purposeful-disclosure", "pf.centering-own-story"),  # lived experience: strength and risk
        ("po.many-pathways", "pf.single-pathway"),  # abstinence-only against many pathways
        ("po.break-down-goals", "pf.oversized-goal"),  # small steps
        ("po.articulate-goal",),  # plan job 1: formulating goals
        ("po.break-down-goals", "po.hand-the-pen"),  # plan job 2: objectives, the peer's own
        ("po.markers-of-progress",),  # plan job 3: markers of progress
        ("po.review-what-works", "po.revisit-and-adjust"),  # plan job 4 and the check-in
        ("po.backup-plan",),  # plan job 5: back-up plans
        ("po.confidentiality", "pf.breaching-confidentiality"),  # confidentiality and its limits
        ("po.self-care", "pf.neglecting-self-care"),  # the specialist's own self-care
        ("po.let-go-of-outcome", "pf.invested-in-outcome"),  # boundaries after a setback
    ],
)
def test_each_nuance_has_scenarios_built_around_it(library, criteria):
    assert len(scenarios_with_all(library, *criteria)) >= 2, criteria


def test_peers_of_many_ages(library):
    ages = sorted(int(m.group(1)) for s in library if (m := re.match(r"\D*(\d{2})", s.scenario.peer.about)))
    assert ages[0] <= 19 and ages[-1] >= 70


def test_catalogue_is_up_to_date(library, rubric):
    expected = catalogue_markdown([s.scenario for s in library], rubric)
    assert CATALOGUE.read_text(encoding="utf-8").split("<!-- generated -->\n", 1)[1] == expected, (
        "regenerate: see the header of docs/catalogue.md"
    )


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


# Lessons the content review found wrong (issue 14), pinned so they stay fixed: a promise of total secrecy is a
# pitfall with an honest alternative, and offering naloxone is never a fault.
SECRECY_PROMISES = [
    ("rosa-many-roads", "privacy", "vault"),
    ("kwame-late-night", "morning", "promise-all"),
    ("tanya-who-told", "wary", "always-safe"),
]


@pytest.mark.parametrize(("scenario_id", "node_id", "choice_id"), SECRECY_PROMISES)
def test_a_promise_of_total_secrecy_is_a_pitfall_with_an_honest_alternative(library, scenario_id, node_id, choice_id):
    scenario = next(s.scenario for s in library if s.id == scenario_id)
    promise = scenario.choice(node_id, choice_id)
    assert promise.quality == "pitfall"
    assert "pf.promising-total-secrecy" in promise.criteria
    honest = scenario.choice(node_id, promise.better)
    assert honest.quality == "strongest" and "po.confidentiality-limits" in honest.criteria


def test_offering_naloxone_is_overdose_prevention_never_a_pitfall(library):
    tomas = next(s.scenario for s in library if s.id == "tomas-safer-not-sober")
    kit = tomas.choice("alone", "grab-kit")
    assert kit.quality in ("strongest", "helpful") and "po.overdose-prevention" in kit.criteria
    for loaded in library:
        for node in loaded.scenario.nodes.values():
            for choice in node.choices:
                if "po.overdose-prevention" in choice.criteria:
                    assert choice.quality != "pitfall", (loaded.id, choice.id)
    lorraine = next(s.scenario for s in library if s.id == "lorraine-every-day")
    offers = [c for n in lorraine.nodes.values() for c in n.choices if "po.overdose-prevention" in c.criteria]
    assert any(c.quality == "strongest" for c in offers)


def test_confidentiality_is_never_taught_as_having_one_limit(library):
    for loaded in library:
        assert "one limit" not in loaded.text.lower(), loaded.id


# More lessons the content review fixed: safety attention is never "prevention only", checking on safety where risk
# signs appear is the strongest move, linking with resources the peer chooses is not a "technical fix", and the
# specialist's own boundaries hold (no reply from bed at midnight).
FIXED_LESSONS = [
    # (scenario, point, response, quality, a criterion it must name)
    ("amara-more-than-not-crisis", "opening", "warning-signs", "helpful", "po.backup-plan"),
    ("kai-more-than-sober", "more", "warning-sign", "helpful", "po.reflective-listening"),
    ("kwame-late-night", "midnight", "brief-warm", "strongest", "po.safety-check"),
    ("mei-starting-over", "shame", "now-or-later", "strongest", "po.safety-check"),
    ("walt-checking-in", "grief", "rule", "strongest", "po.safety-check"),
    ("ray-not-yet", "nights", "ask-share", "strongest", "po.safety-check"),
    ("ray-not-yet", "hypothetically", "kick-it-around", "strongest", "po.notice-readiness"),
    ("ray-not-yet", "nights", "va-sleep", "helpful", "po.collaborative-linkage"),
    ("nadia-new-city", "flat", "sign-up", "helpful", "po.collaborative-linkage"),
    ("ruth-after-harold", "harold", "grief-group", "helpful", "po.collaborative-linkage"),
    ("nadia-new-city", "lonely", "meds-working", "helpful", "po.safety-check"),
]


@pytest.mark.parametrize(("scenario_id", "node_id", "choice_id", "quality", "criterion"), FIXED_LESSONS)
def test_fixed_lessons_stay_fixed(library, scenario_id, node_id, choice_id, quality, criterion):
    choice = next(s.scenario for s in library if s.id == scenario_id).choice(node_id, choice_id)
    assert (choice.quality, criterion in choice.criteria) == (quality, True)
    assert not any(c.startswith("pf.") for c in choice.criteria)


def test_the_midnight_reply_keeps_the_specialist_s_boundaries(library):
    kwame = next(s.scenario for s in library if s.id == "kwame-late-night")
    for choice_id in ("call-now", "now-or-later"):
        choice = kwame.choice("midnight", choice_id)
        assert choice.quality in ("mixed", "pitfall"), choice_id
    assert "8:30" in (kwame.nodes["midnight"].scene or "")


def test_safety_attention_is_never_a_prevention_only_pitfall_where_risk_signs_appear(library):
    for loaded in library:
        for node_id, node in loaded.scenario.nodes.items():
            for choice in node.choices:
                if "po.safety-check" in choice.criteria or "po.overdose-prevention" in choice.criteria:
                    assert "pf.prevention-only" not in choice.criteria, (loaded.id, node_id, choice.id)
