"""The scorer on a scenario small enough to work out by hand (tests/fixtures/good/mini.yaml).

Choice points (possibilities +1, pitfalls -1 each):
  open:  reflect +2 -> ready | plan -1 -> pull | mixed 0 -> ready
  ready: pen +2 -> good     | explore -1 -> pull | judge -2 -> pull
Strongest path: reflect, pen = +4 (ending good). Weakest: mixed, judge = -2 (ending pull) (version 1 points,
still stored and exported).

Scores (version 2): qualities strongest reflect and pen; helpful none; mixed "mixed"; pitfall plan, explore, judge.
Credit strongest 1, mixed 1/3, pitfall 0; score = credit / (decisions + pitfalls), e.g. mixed, pen = (1/3 + 1) /
(2 + 1) = 44%.
"""

from __future__ import annotations

import pytest

from scenarios import load_scenario
from scoring.scorer import PathStep, PlayError, advance, feedback, score, strongest_path, summarize, weakest_path


def test_strongest_and_weakest_paths(mini, rubric):
    strongest = strongest_path(mini.scenario, rubric)
    assert strongest.points == 4
    assert strongest.steps == (PathStep("open", "reflect", 2), PathStep("ready", "pen", 2))
    assert strongest.ending_id == "good"
    weakest = weakest_path(mini.scenario, rubric)
    assert weakest.points == -2
    assert weakest.steps == (PathStep("open", "mixed", 0), PathStep("ready", "judge", -2))


@pytest.mark.parametrize(
    ("path", "points", "expected_score", "strongest", "pitfalls", "ending"),
    [
        ([("open", "reflect"), ("ready", "pen")], 4, 100, 2, 0, "good"),
        ([("open", "reflect"), ("ready", "explore")], 1, 33, 1, 1, "pull"),
        ([("open", "reflect"), ("ready", "judge")], 0, 33, 1, 1, "pull"),
        ([("open", "plan")], -1, 0, 0, 1, "pull"),
        ([("open", "mixed"), ("ready", "pen")], 2, 44, 1, 1, "good"),
        ([("open", "mixed"), ("ready", "judge")], -2, 8, 0, 2, "pull"),
    ],
)
def test_summary_scores_every_path_exactly(mini, rubric, path, points, expected_score, strongest, pitfalls, ending):
    summary = summarize(mini.scenario, path, rubric)
    assert summary.points == points
    assert summary.score == expected_score
    assert (summary.decisions, summary.among_strongest, summary.pitfall_count) == (len(path), strongest, pitfalls)
    assert summary.strongest.steps == (PathStep("open", "reflect", 2), PathStep("ready", "pen", 2))
    assert summary.ending_id == ending
    assert summary.complete


def test_summary_tallies_criteria_and_domains(mini, rubric):
    summary = summarize(mini.scenario, [("open", "mixed"), ("ready", "judge")], rubric)
    assert dict(summary.possibilities) == {"po.reflective-listening": 1}
    assert dict(summary.pitfalls) == {"pf.dictating": 2, "pf.judging-goal": 1}
    assert {d: (t.possibilities, t.pitfalls) for d, t in summary.domains.items()} == {
        "relationship": (1, 0),
        "self-determination": (0, 3),
    }


def test_unfinished_attempt_has_no_ending(mini, rubric):
    summary = summarize(mini.scenario, [("open", "reflect")], rubric)
    assert summary.ending_id is None
    assert not summary.complete
    assert summary.points == 2


def test_feedback_names_criteria_why_and_the_stronger_choice(mini, rubric):
    result = feedback(mini.scenario, "open", "mixed", rubric)
    assert result.verdict == "mixed"
    assert result.points == 0
    assert result.best_points == 2
    assert [(h.id, h.kind, h.domain, h.points) for h in result.hits] == [
        ("po.reflective-listening", "possibility", "relationship", 1),
        ("pf.dictating", "pitfall", "self-determination", -1),
    ]
    assert result.hits[1].title == "Taking the reins"
    assert result.why == "Listens, then takes the reins."
    assert result.stronger is not None and result.stronger.id == "reflect"
    assert result.next_id == "ready"


def test_feedback_on_the_strongest_choice(mini, rubric):
    result = feedback(mini.scenario, "ready", "pen", rubric)
    assert result.verdict == "strongest"
    assert result.stronger is None
    assert [h.title for h in result.possibilities] == ["Handing them the pen", "Small steps first"]


def test_pitfall_verdict(mini, rubric):
    assert feedback(mini.scenario, "open", "plan", rubric).verdict == "pitfall"


@pytest.mark.parametrize(
    ("node", "choice", "message"),
    [
        ("nowhere", "reflect", "'nowhere' is not a decision point in 'mini'"),
        ("open", "shout", "'shout' is not a choice at 'open' in 'mini'"),
        ("good", "pen", "'good' is not a decision point in 'mini'"),
    ],
)
def test_choices_that_do_not_belong_are_refused(mini, rubric, node, choice, message):
    with pytest.raises(PlayError) as caught:
        feedback(mini.scenario, node, choice, rubric)
    assert str(caught.value) == message
    with pytest.raises(PlayError):
        advance(mini.scenario, node, choice)


def test_summary_refuses_a_path_with_a_gap(mini, rubric):
    with pytest.raises(PlayError) as caught:
        summarize(mini.scenario, [("ready", "pen")], rubric)
    assert str(caught.value) == "decision at 'ready' does not follow the path (expected 'open')"


@pytest.mark.parametrize(
    ("points", "best", "worst", "expected"),
    [(5, 5, -3, 100), (-3, 5, -3, 0), (1, 5, -3, 50), (9, 5, -3, 100), (-9, 5, -3, 0), (2, 2, 2, 100)],
)
def test_score_formula(points, best, worst, expected):
    assert score(points, best, worst) == expected


def test_strongest_path_with_a_loop(rubric):
    text = """
id: loop
title: Loop
summary: A loop with a way out.
domains: [readiness]
difficulty: 1
minutes: 2
peer: {name: Kim, about: A peer.}
start: a
nodes:
  a:
    peer: "One."
    readiness: contemplating
    choices:
      - {id: stay, say: "Again?", criteria: [po.reflective-listening], why: Listens., next: b}
      - {id: go, say: "Bye.", criteria: [po.honor-self-determination], why: Respects., next: end}
  b:
    peer: "Two."
    readiness: contemplating
    choices:
      - {id: back, say: "Back.", criteria: [po.reflective-listening, po.exploration-is-valid], why: Listens., next: a, loop: true}
      - {id: out, say: "Out.", criteria: [po.honor-self-determination], why: Respects., next: end}
endings:
  end: {peer: "Done.", debrief: "Think."}
"""
    loaded = load_scenario(text, rubric)
    strongest = strongest_path(loaded.scenario, rubric)
    # a.stay (+1) -> b.out (+1) = 2; b.back would revisit a, which a path never does.
    assert strongest.points == 2
    assert [s.choice_id for s in strongest.steps] == ["stay", "out"]
