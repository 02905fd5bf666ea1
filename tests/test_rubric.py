"""The rubric holds every curriculum id with its domain, and is read through the same gateway."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scenarios import ScenarioError, load_rubric
from scoring import RUBRIC_FILE

# The contract with ../shared/CURRICULUM.md: every pitfall and possibility id, with its domain.
CURRICULUM = {
    "pf.ahead-of-readiness": "readiness",
    "pf.stuck-in-exploration": "readiness",
    "pf.judging-goal": "self-determination",
    "pf.invested-in-outcome": "relationship",
    "pf.single-pathway": "person-centered",
    "pf.plan-as-paperwork": "person-centered",
    "pf.technical-fix": "person-centered",
    "pf.dictating": "self-determination",
    "pf.fostering-dependence": "self-determination",
    "pf.prevention-only": "wellness",
    "pf.ignoring-future": "goals",
    "pf.oversized-goal": "goals",
    "pf.centering-own-story": "relationship",
    "pf.breaching-confidentiality": "relationship",
    "pf.doing-the-work": "self-determination",
    "pf.neglecting-self-care": "self-care",
    "po.exploration-is-valid": "readiness",
    "po.notice-readiness": "readiness",
    "po.test-the-water": "readiness",
    "po.honor-self-determination": "self-determination",
    "po.hand-the-pen": "self-determination",
    "po.peer-does-the-work": "self-determination",
    "po.explore-options": "person-centered",
    "po.many-pathways": "person-centered",
    "po.flexible-plan-forms": "person-centered",
    "po.inner-resources": "person-centered",
    "po.ask-share-ask": "person-centered",
    "po.articulate-goal": "goals",
    "po.break-down-goals": "goals",
    "po.envision-future": "goals",
    "po.markers-of-progress": "plan-care",
    "po.review-what-works": "plan-care",
    "po.revisit-and-adjust": "plan-care",
    "po.backup-plan": "plan-care",
    "po.celebrate-progress": "plan-care",
    "po.acknowledge-overwhelm": "plan-care",
    "po.holistic-wellness": "wellness",
    "po.reflective-listening": "relationship",
    "po.purposeful-disclosure": "relationship",
    "po.confidentiality": "relationship",
    "po.let-go-of-outcome": "relationship",
    "po.self-care": "self-care",
    # Practice standards beyond the course texts (added 2026-12).
    "pf.promising-total-secrecy": "ethics",
    "pf.missing-risk": "safety",
    "pf.dual-relationship": "ethics",
    "pf.outside-scope": "ethics",
    "pf.cultural-assumption": "relationship",
    "po.confidentiality-limits": "ethics",
    "po.safety-check": "safety",
    "po.overdose-prevention": "safety",
    "po.collaborative-linkage": "ethics",
    "po.systems-advocacy": "ethics",
    "po.cultural-humility": "relationship",
    "po.trauma-informed": "relationship",
    "po.family-with-consent": "person-centered",
    "po.role-clarity": "ethics",
}
DOMAINS = [
    "readiness",
    "self-determination",
    "person-centered",
    "goals",
    "plan-care",
    "wellness",
    "relationship",
    "self-care",
    "safety",
    "ethics",
]
SHARED_CURRICULUM = Path(__file__).resolve().parents[2] / "shared" / "CURRICULUM.md"


def test_every_curriculum_criterion_is_in_the_rubric_with_its_domain(rubric):
    assert {c.id: c.domain for c in rubric.criteria} == CURRICULUM
    assert [d.id for d in rubric.domains] == DOMAINS


@pytest.mark.skipif(not SHARED_CURRICULUM.exists(), reason="shared/CURRICULUM.md is not beside the project")
def test_contract_matches_the_shared_curriculum():
    text = SHARED_CURRICULUM.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (p[fo]\.[a-z-]+) \| ([a-z-]+) \|", text, flags=re.MULTILINE))
    assert rows == CURRICULUM


def test_titles_and_descriptions_are_plain_and_present(rubric):
    for criterion in rubric.criteria:
        assert criterion.title[0].isupper(), criterion.id
        assert criterion.description.endswith("."), criterion.id
        assert len(criterion.description) <= 160, criterion.id


def test_kinds_and_points(rubric):
    assert rubric.criterion("pf.dictating").kind == "pitfall"
    assert rubric.criterion("po.hand-the-pen").kind == "possibility"
    assert rubric.points(["po.hand-the-pen", "po.break-down-goals", "pf.dictating"]) == 1
    assert rubric.points(["pf.breaching-confidentiality"]) == -2
    assert rubric.points(["po.not-in-rubric"]) == 0


def test_readiness_fits_encode_the_readiness_nuance(rubric):
    assert rubric.criterion("pf.ahead-of-readiness").fits == ["not-ready", "contemplating"]
    assert rubric.criterion("pf.stuck-in-exploration").fits == ["preparing", "acting", "maintaining"]
    assert rubric.criterion("po.exploration-is-valid").fits == ["not-ready", "contemplating"]
    assert "not-ready" not in (rubric.criterion("po.break-down-goals").fits or [])


def test_shipped_rubric_file_is_the_default():
    assert RUBRIC_FILE.name == "rubric.yaml"
    assert RUBRIC_FILE.parent.name == "scoring"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "domains: [{id: goals, title: G, about: A}]\ncriteria:\n  - {id: po.a, domain: goals, title: T, description: D}\n"
            "  - {id: po.a, domain: goals, title: T, description: D}\n",
            ["r.yaml:1:1: (top level): criterion ids must be unique; repeated: po.a"],
        ),
        (
            "domains: [{id: goals, title: G, about: A}]\ncriteria:\n  - {id: po.a, domain: wellness, title: T, description: D}\n",
            ["r.yaml:1:1: (top level): criteria name domains that the rubric does not define: wellness"],
        ),
        (
            "domains: [{id: goals, title: G, about: A}]\ncriteria:\n  - {id: xx.a, domain: goals, title: T, description: D, weight: 9}\n",
            [
                "r.yaml:3:10: criteria[0].id: 'xx.a' is not a criterion id (pf.something or po.something)",
                "r.yaml:3:65: criteria[0].weight: must be at most 5, found 9",
            ],
        ),
    ],
)
def test_bad_rubrics_are_reported_with_places(tmp_path, text, expected):
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_rubric(path)
    assert [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems] == expected
