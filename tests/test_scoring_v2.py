"""Scoring version 2 (scenarios/quality.py, scoring/scorer.py): properties P1-P6 of issue 13, proved over every
shipped scenario and over generated scenarios (hypothesis), and exact scores pinned for the paths the audit found
exploitable under version 1.

The rule: credit strongest 1, helpful 2/3, mixed 1/3, pitfall 0; only the first decision at a point counts;
score = credit / (counted decisions + counted decisions naming a pitfall).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scenarios import LIBRARY_DIR, Scenario, check_scenario, load_library
from scenarios.audit import load_thresholds
from scenarios.quality import (
    CREDIT,
    RANK,
    Tally,
    attempt_score,
    counted,
    expected_play,
    names_pitfall,
    node_qualities,
    strongest_route,
    uniform,
)
from scoring import default_rubric
from scoring.scorer import (
    SCORING_VERSION,
    assess,
    feedback,
    model_path,
    score,
    score_decision,
    strongest_path,
    summarize,
    weakest_path,
)

RUBRIC = default_rubric()
FULL = os.environ.get("PEERSIM_FUZZ") == "full"


def examples(n: int) -> settings:
    return settings(max_examples=n if FULL else max(25, n // 10), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def library() -> list[Scenario]:
    report = load_library(LIBRARY_DIR, RUBRIC)
    assert report.ok
    return [loaded.scenario for loaded in report.loaded]


def simple_paths(scenario: Scenario) -> Iterator[list[tuple[str, str]]]:
    """Every attempt from the start to an ending that never comes back to a point (loops not taken)."""

    def walk(node_id: str, seen: frozenset[str], acc: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
        for choice in scenario.nodes[node_id].choices:
            step = [*acc, (node_id, choice.id)]
            if choice.next in scenario.endings:
                yield step
            elif choice.next not in seen:
                yield from walk(choice.next, seen | {choice.next}, step)

    yield from walk(scenario.start, frozenset({scenario.start}), [])


def qualities_of(scenario: Scenario, path: list[tuple[str, str]]) -> list[str]:
    return [score_decision(scenario, n, c, RUBRIC).quality for n, c in path]


@pytest.fixture(scope="module")
def library_paths(library: list[Scenario]) -> list[tuple[Scenario, list[tuple[str, str]], list[str], dict[str, set[str]]]]:
    """Every simple path of every library scenario with its qualities, and each point's qualities on offer: worked
    out once for the P2 tests (each quality read from a table made with scoring's own node_qualities)."""
    out = []
    for scenario in library:
        table = {
            (node_id, choice.id): quality
            for node_id, node in scenario.nodes.items()
            for choice, quality in zip(node.choices, node_qualities(node, RUBRIC), strict=True)
        }
        assert all(table[(n, c)] == score_decision(scenario, n, c, RUBRIC).quality for n, c in table)
        offered = {node_id: set(node_qualities(node, RUBRIC)) for node_id, node in scenario.nodes.items()}
        for path in simple_paths(scenario):
            out.append((scenario, path, [table[step] for step in path], offered))
    return out


# The rule itself ---------------------------------------------------------------------------------------------


def test_credit_and_the_formula_by_hand():
    assert {"strongest": 1, "helpful": Fraction(2, 3), "mixed": Fraction(1, 3), "pitfall": 0} == CREDIT
    assert attempt_score(["strongest"] * 5) == 1
    assert attempt_score(["strongest"] * 5 + ["pitfall"]) == Fraction(5, 7)  # a pitfall counts twice
    assert attempt_score(["strongest"] * 5 + ["mixed"]) == Fraction(5 + Fraction(1, 3), 7)
    assert attempt_score(["helpful", "helpful"]) == Fraction(2, 3)
    assert attempt_score([]) is None
    assert counted(["a", "b", "a", "c", "b"]) == [True, True, False, True, False]
    assert SCORING_VERSION == 2


# P1: the strongest response at every decision scores 100%, whatever the route -------------------------------


def strongest_walks(scenario: Scenario, limit: int = 2) -> Iterator[list[tuple[str, str]]]:
    """Every attempt of strongest responses only, visiting no point more than ``limit`` times."""

    def walk(node_id: str, visits: dict[str, int], acc: list[tuple[str, str]]) -> Iterator[list[tuple[str, str]]]:
        node = scenario.nodes[node_id]
        for choice, quality in zip(node.choices, node_qualities(node, RUBRIC), strict=True):
            if quality != "strongest":
                continue
            step = [*acc, (node_id, choice.id)]
            if choice.next in scenario.endings:
                yield step
            elif visits.get(choice.next, 0) < limit:
                yield from walk(choice.next, {**visits, choice.next: visits.get(choice.next, 0) + 1}, step)

    yield from walk(scenario.start, {scenario.start: 1}, [])


def test_p1_strongest_everywhere_scores_100_in_every_library_scenario(library):
    for scenario in library:
        walks = list(strongest_walks(scenario))
        assert walks, scenario.id
        for walk in walks:
            result = assess(scenario, walk, RUBRIC)
            assert (result.score, result.pitfalls, result.complete) == (100, 0, True), (scenario.id, walk)


# P2: every pitfall lowers the score -------------------------------------------------------------------------


@functools.cache
def score_of_mix(mix: tuple[str, ...]) -> Fraction | None:
    """attempt_score of decisions with these qualities (sorted): the score depends on the mix, not the order, so
    paths with the same mix are scored once."""
    return attempt_score(list(mix))


def test_p2_every_pitfall_lowers_the_score_in_every_library_path(library_paths):
    assert score_of_mix(("pitfall", "strongest")) == attempt_score(["strongest", "pitfall"])  # order plays no part
    for scenario, path, qualities, offered in library_paths:
        score = score_of_mix(tuple(sorted(qualities)))
        assert score is not None
        for position, ((node_id, _), quality) in enumerate(zip(path, qualities, strict=True)):
            if not names_pitfall(quality):
                continue
            assert score < 1, (scenario.id, path)
            # The same attempt with a pitfall-free response at that point scores more.
            for other in offered[node_id] - {"mixed", "pitfall"}:
                swapped = [*qualities[:position], other, *qualities[position + 1 :]]
                assert score_of_mix(tuple(sorted(swapped))) > score, (scenario.id, path, position, other)


def test_p2_the_best_attempt_through_a_pitfall_stays_below_100(library_paths):
    best_with_pitfall: dict[str, Fraction] = {}
    for scenario, _, qualities, _ in library_paths:
        if any(names_pitfall(x) for x in qualities):
            score = score_of_mix(tuple(sorted(qualities)))
            assert score is not None
            best_with_pitfall[scenario.id] = max(score, best_with_pitfall.get(scenario.id, Fraction(0)))
    assert len(best_with_pitfall) == len({s.id for s, _, _, _ in library_paths})  # every scenario has such a path
    assert max(best_with_pitfall.values()) < 1
    # Version 1 let the best path with a pitfall score 86-100%; version 2 keeps every one at 79% or below.
    assert round(max(best_with_pitfall.values()) * 100) <= 80


# P3: revisits never raise a score; loops only where marked; no flooding --------------------------------------


def test_p3_a_revisit_changes_nothing_and_laps_do_not_count(library):
    looped = [s for s in library if any(c.loop for n in s.nodes.values() for c in n.choices)]
    assert len(looped) >= 6
    for scenario in looped:
        for node_id, node in scenario.nodes.items():
            for loop in (c for c in node.choices if c.loop):
                # Any attempt reaching node_id, taking the loop, then strongest responses to an ending.
                prefix = _a_way_to(scenario, node_id)
                lap = _a_way_from(scenario, loop.next, node_id)
                rest = _strongest_from(scenario, node_id)
                once = [*prefix, (node_id, loop.id), *lap, *rest]
                thrice = [*prefix, *([(node_id, loop.id), *lap] * 3), *rest]
                a, b = assess(scenario, once, RUBRIC), assess(scenario, thrice, RUBRIC)
                assert a.complete and b.complete
                assert (a.exact, a.decisions) == (b.exact, b.decisions), (scenario.id, node_id, loop.id)
                assert b.revisits == a.revisits + 2 * (len(lap) + 1)
                assert a.exact is not None and a.exact < 1  # loops leave from pitfalls here, which cost
                for cut in range(1, len(thrice) + 1):  # a decision at a point already decided changes nothing
                    step = thrice[cut - 1]
                    if step[0] in {n for n, _ in thrice[: cut - 1]}:
                        assert assess(scenario, thrice[:cut], RUBRIC).exact == assess(scenario, thrice[: cut - 1], RUBRIC).exact


def _a_way_to(scenario: Scenario, target: str) -> list[tuple[str, str]]:
    """A shortest attempt prefix from the start to ``target`` (breadth-first, no loops)."""
    parent: dict[str, tuple[str, str] | None] = {scenario.start: None}
    queue = [scenario.start]
    while queue:
        current = queue.pop(0)
        if current == target:
            break
        for choice in scenario.nodes[current].choices:
            if choice.next in scenario.nodes and choice.next not in parent and not choice.loop:
                parent[choice.next] = (current, choice.id)
                queue.append(choice.next)
    steps = []
    at = target
    while (link := parent[at]) is not None:
        steps.append(link)
        at = link[0]
    return steps[::-1]


def _a_way_from(scenario: Scenario, start: str, target: str) -> list[tuple[str, str]]:
    """A shortest run of decisions from ``start`` back to ``target`` (the rest of a loop)."""
    parent: dict[str, tuple[str, str] | None] = {start: None}
    queue = [start]
    while queue:
        current = queue.pop(0)
        if current == target:
            break
        for choice in scenario.nodes[current].choices:
            if choice.next in scenario.nodes and choice.next not in parent:
                parent[choice.next] = (current, choice.id)
                queue.append(choice.next)
    steps = []
    at = target
    while (link := parent[at]) is not None:
        steps.append(link)
        at = link[0]
    return steps[::-1]


def _strongest_from(scenario: Scenario, node_id: str) -> list[tuple[str, str]]:
    fake = scenario.model_copy(update={"start": node_id})
    route = strongest_route(fake, RUBRIC)
    assert route is not None
    return list(route[0])


def test_p3_one_attempt_cannot_flood_the_counts():
    # The audit's trainee: 317 decisions going round lina's loops; only the first decision at each point counts.
    lina = _library_scenario("lina-testing-the-water")
    lap = [("weighing", "plan-it"), ("too-fast", "fair-point"), ("leaving", "third-grade")]
    attempt = [("opening", "the-maybe"), ("leaving", "third-grade"), *lap * 105, ("weighing", "check-in")]
    attempt += [("signal", "you-noticed"), ("concrete", "your-version"), ("wobble", "if-it-comes")]
    assert len(attempt) == 321
    result = assess(lina, attempt, RUBRIC)
    assert result.complete
    assert (result.decisions, result.revisits) == (7, 314)
    assert result.decisions <= len(lina.nodes)
    assert (result.strongest, result.pitfalls, result.score) == (6, 1, 75)


# P4: the strongest path shown names no pitfall, fewest decisions ----------------------------------------------


def test_p4_the_strongest_path_names_no_pitfall_and_is_shortest(library):
    for scenario in library:
        path = model_path(scenario, RUBRIC)
        steps = [(s.node_id, s.choice_id) for s in path.steps]
        assert path.ending_id in scenario.endings
        assert all(q == "strongest" for q in qualities_of(scenario, steps)), scenario.id
        assert assess(scenario, steps, RUBRIC).score == 100
        shortest = min(len(w) for w in strongest_walks(scenario, limit=1))
        assert len(steps) == shortest, scenario.id


# P5: random play's expected score is about the same everywhere (a library property) ---------------------------


def random_expectations(library: list[Scenario]) -> dict[str, Fraction]:
    return {s.id: expected_play(s, RUBRIC, uniform).score for s in library}


def test_p5_the_random_spread_is_no_worse_than_the_thresholds(library):
    expected = random_expectations(library)
    spread = (max(expected.values()) - min(expected.values())) * 100
    limit = load_thresholds().random_spread
    assert limit is not None and float(spread) <= limit


def test_p5_random_play_expects_within_10_points_across_the_library(library):
    expected = random_expectations(library)
    assert (max(expected.values()) - min(expected.values())) * 100 <= 10


# P6: more criteria never make a response stronger -------------------------------------------------------------


def with_extra_criterion(scenario: Scenario, node_id: str, index: int, criterion: str) -> Scenario:
    node = scenario.nodes[node_id]
    choices = list(node.choices)
    choices[index] = choices[index].model_copy(update={"criteria": [*choices[index].criteria, criterion]})
    nodes = {**scenario.nodes, node_id: node.model_copy(update={"choices": choices})}
    return scenario.model_copy(update={"nodes": nodes})


def test_p6_tagging_more_possibilities_changes_no_score(library):
    for scenario in library:
        before = expected_play(scenario, RUBRIC)
        node_id, node = next(iter(scenario.nodes.items()))
        for index, choice in enumerate(node.choices):
            extra = next(c.id for c in RUBRIC.criteria if c.kind == "possibility" and c.id not in choice.criteria)
            tagged = with_extra_criterion(scenario, node_id, index, extra)
            assert [e for e in check_scenario(tagged, RUBRIC) if e.severity == "error"] == []
            assert score_decision(tagged, node_id, choice.id, RUBRIC) == score_decision(scenario, node_id, choice.id, RUBRIC)
            assert expected_play(tagged, RUBRIC) == before
            assert strongest_route(tagged, RUBRIC) == strongest_route(scenario, RUBRIC)


# Exact scores for the paths the audit found ---------------------------------------------------------------------


def version_1(scenario: Scenario, path: list[tuple[str, str]]) -> tuple[int, int]:
    """The points and score scoring version 1 gave a path: criteria points summed, placed between the scenario's
    weakest and strongest paths by points."""
    points = sum(RUBRIC.points(scenario.choice(n, c).criteria) for n, c in path)
    return points, score(points, strongest_path(scenario, RUBRIC).points, weakest_path(scenario, RUBRIC).points)


def _library_scenario(name: str) -> Scenario:
    report = load_library(LIBRARY_DIR, RUBRIC)
    return next(s.scenario for s in report.loaded if s.id == name)


def test_keisha_the_old_strongest_path_opened_with_a_pitfall():
    keisha = _library_scenario("keisha-a-job")
    old = strongest_path(keisha, RUBRIC)  # version 1: a tie at +10 went to file order
    assert [s.choice_id for s in old.steps][:2] == ["feelings-first", "lets-do-it"]
    steps = [(s.node_id, s.choice_id) for s in old.steps]
    assert version_1(keisha, steps) == (10, 100)
    result = assess(keisha, steps, RUBRIC)
    assert (result.score, result.exact, result.strongest, result.pitfalls) == (71, Fraction(5, 7), 5, 1)
    shown = model_path(keisha, RUBRIC)
    assert [s.choice_id for s in shown.steps] == [
        "what-kind",
        "is-that-it",
        "first-piece",
        "small-is-the-point",
        "look-what-you-did",
    ]


def test_frank_a_path_through_dictating_no_longer_scores_100():
    frank = _library_scenario("frank-keeping-track")
    path = [
        ("opening", "my-picks"),  # mixed: markers, but his picks dictated
        ("narrow", "be-there"),
        ("his_signs", "his-markers"),
        ("keeping_track", "his-way"),
        ("review", "keep-stop-try"),
        ("long_evenings", "good-evening"),
        ("pen", "your-call"),
    ]
    result = assess(frank, path, RUBRIC)  # version 1 scored it 100% (+14, the strongest path's points then)
    assert (result.score, result.exact, result.strongest, result.pitfalls) == (79, Fraction(19, 24), 6, 1)
    clean = [("opening", "his-signs"), *path[2:]]
    assert assess(frank, clean, RUBRIC).score == 100


def test_andre_attunement_scores_100_and_rupture_and_repair_does_not():
    andre = _library_scenario("andre-his-own-calls")
    attuned = [
        ("opening", "name-it"),
        ("pile", "past-wins"),
        ("first_step", "small-first"),
        ("script", "practise"),
        ("checkin", "you-did"),
    ]
    rupture = [("opening", "only-you"), ("stung", "own-it"), *attuned[1:]]
    assert (version_1(andre, attuned)[1], version_1(andre, rupture)[1]) == (94, 100)
    assert assess(andre, attuned, RUBRIC).score == 100
    result = assess(andre, rupture, RUBRIC)
    assert (result.score, result.exact, result.strongest, result.pitfalls) == (94, Fraction(17, 18), 5, 0)


def test_lina_loops_earn_nothing():
    lina = _library_scenario("lina-testing-the-water")
    # One mixed response that loops back, then the strongest way on: 17 points under version 1, shown as 100%.
    once = [
        ("opening", "the-maybe"),
        ("leaving", "third-grade"),
        ("weighing", "youre-ready"),
        ("too-fast", "fair-point"),
        ("leaving", "third-grade"),
        ("weighing", "check-in"),
        ("signal", "you-noticed"),
        ("concrete", "your-version"),
        ("wobble", "if-it-comes"),
    ]
    assert (version_1(lina, once), strongest_path(lina, RUBRIC).points) == ((17, 100), 13)
    lap = once[2:5]
    thrice = [*once[:5], *lap, *lap, *once[5:]]
    assert version_1(lina, thrice) == (25, 100)  # still 100% under version 1
    for attempt in (once, thrice):
        result = assess(lina, attempt, RUBRIC)
        assert (result.score, result.exact, result.decisions, result.strongest, result.pitfalls) == (
            79,
            Fraction(19, 24),
            7,
            6,
            1,
        )
    assert assess(lina, thrice, RUBRIC).revisits == 8


# The one-call API the records engineer uses ---------------------------------------------------------------------


def test_feedback_and_score_decision_carry_quality_and_credit(mini):
    scenario = mini.scenario
    assert [
        (f.quality, f.credit, f.points, f.verdict)
        for f in (feedback(scenario, "open", c, RUBRIC) for c in ("reflect", "plan", "mixed"))
    ] == [
        ("strongest", 1, 2, "strongest"),
        ("pitfall", 0, -1, "pitfall"),
        ("mixed", Fraction(1, 3), 0, "mixed"),
    ]
    assert score_decision(scenario, "ready", "pen", RUBRIC).version == 2
    summary = summarize(scenario, [("open", "mixed"), ("ready", "pen")], RUBRIC)
    assert summary.points == 2  # version 1 points, kept for exports
    assert (summary.score, summary.among_strongest, summary.pitfall_count) == (44, 1, 1)  # what the pages show
    assert (summary.assessment.score, summary.assessment.strongest, summary.assessment.pitfalls) == (44, 1, 1)


# Generated scenarios ---------------------------------------------------------------------------------------------

PO = [c.id for c in RUBRIC.criteria if c.kind == "possibility" and c.fits is None]
PF = [c.id for c in RUBRIC.criteria if c.kind == "pitfall" and c.fits is None]


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A random scenario that passes the checks: forward choices, some loops back (marked), every quality."""
    size = draw(st.integers(1, 6))
    names = [f"n{i}" for i in range(size)]
    nodes = {}
    for i, name in enumerate(names):
        count = draw(st.integers(2, 4))
        qualities = draw(st.lists(st.sampled_from(["strongest", "helpful", "mixed", "pitfall"]), min_size=count, max_size=count))
        qualities[draw(st.integers(0, count - 1))] = "strongest"
        forward = [*names[i + 1 :], "end", "out"]
        choices = []
        strongest_id = f"c{qualities.index('strongest')}"
        for k, quality in enumerate(qualities):
            is_loop = quality != "strongest" and i > 0 and draw(st.booleans()) and draw(st.booleans())
            target = draw(st.sampled_from(names[: i + 1])) if is_loop else draw(st.sampled_from(forward))
            if k == 0 and i + 1 < size:
                target, is_loop = names[i + 1], False  # every node reachable
            criteria = {
                "strongest": [draw(st.sampled_from(PO))],
                "helpful": [draw(st.sampled_from(PO))],
                "mixed": [draw(st.sampled_from(PO)), draw(st.sampled_from(PF))],
                "pitfall": [draw(st.sampled_from(PF))],
            }[quality]
            choice = {
                "id": f"c{k}",
                "say": f"Say {i}.{k}",
                "criteria": criteria,
                "quality": quality,
                "why": "Why.",
                "next": target,
            }
            if is_loop:
                choice["loop"] = True
            if quality in ("mixed", "pitfall"):
                choice["better"] = strongest_id
            choices.append(choice)
        # the first strongest response leads forward, so choosing well always finishes
        first = qualities.index("strongest")
        if choices[first].get("loop") or choices[first]["next"] in names[: i + 1]:
            choices[first]["next"] = forward[0]
            choices[first].pop("loop", None)
        nodes[name] = {"peer": f"Line {i}.", "readiness": "preparing", "choices": choices}
    data = {
        "id": "generated",
        "title": "Generated",
        "summary": "A generated scenario.",
        "domains": ["readiness"],
        "difficulty": 1,
        "minutes": 5,
        "peer": {"name": "Gen", "about": "Generated."},
        "start": "n0",
        "nodes": nodes,
        "endings": {"end": {"peer": "Bye.", "debrief": "Think."}, "out": {"peer": "Out.", "debrief": "Think."}},
    }
    scenario = Scenario.model_validate(data)
    errors = [f for f in check_scenario(scenario, RUBRIC) if f.severity == "error"]
    assume(not errors)  # duplicate criteria in a mixed response, an ending never reached, ...
    return scenario


def random_walk(data: st.DataObject, scenario: Scenario, *, strongest_only: bool = False) -> list[tuple[str, str]]:
    at = scenario.start
    steps = []
    for _ in range(30):
        node = scenario.nodes[at]
        options = [
            c for c, q in zip(node.choices, node_qualities(node, RUBRIC), strict=True) if q == "strongest" or not strongest_only
        ]
        choice = data.draw(st.sampled_from(options))
        steps.append((at, choice.id))
        if choice.next in scenario.endings:
            break
        at = choice.next
    return steps


@examples(200)
@given(scenarios(), st.data())
def test_generated_p1_p2_p3(scenario, data):
    # P1
    best = assess(scenario, random_walk(data, scenario, strongest_only=True), RUBRIC)
    assert best.exact == 1 and best.pitfalls == 0
    # P2 and P3 on any attempt
    steps = random_walk(data, scenario)
    result = assess(scenario, steps, RUBRIC)
    counted_qualities = [s.quality for s in result.steps if s.counted]
    assert result.exact == attempt_score(counted_qualities)
    assert result.decisions <= len(scenario.nodes)
    if result.pitfalls:
        assert result.exact is not None and result.exact < 1
    for position, step in enumerate(s for s in result.steps if s.counted):
        if names_pitfall(step.quality):
            for other in set(node_qualities(scenario.nodes[step.node_id], RUBRIC)) - {"mixed", "pitfall"}:
                swapped = [*counted_qualities[:position], other, *counted_qualities[position + 1 :]]
                assert attempt_score(swapped) > result.exact
    for cut, step in enumerate(result.steps, start=1):
        if not step.counted:
            assert assess(scenario, steps[:cut], RUBRIC).exact == assess(scenario, steps[: cut - 1], RUBRIC).exact


@examples(150)
@given(scenarios())
def test_generated_p4_and_unmarked_loops(scenario):
    path = model_path(scenario, RUBRIC)
    steps = [(s.node_id, s.choice_id) for s in path.steps]
    assert all(score_decision(scenario, n, c, RUBRIC).quality == "strongest" for n, c in steps)
    assert assess(scenario, steps, RUBRIC).score == 100
    assert len(steps) == min(len(w) for w in strongest_walks(scenario, limit=1))
    # Without the marked choices the graph has no cycle: every loop is one the author marked.
    unmarked = scenario.model_copy(
        update={
            "nodes": {
                n: node.model_copy(update={"choices": [c for c in node.choices if not c.loop] or node.choices[:1]})
                for n, node in scenario.nodes.items()
            }
        }
    )
    from scenarios.checks import has_cycle

    assert not has_cycle(unmarked)


@examples(150)
@given(scenarios(), st.data())
def test_generated_p6_more_criteria_change_nothing(scenario, data):
    node_id = data.draw(st.sampled_from(sorted(scenario.nodes)))
    node = scenario.nodes[node_id]
    index = data.draw(st.integers(0, len(node.choices) - 1))
    extra = data.draw(st.sampled_from([c for c in PO if c not in node.choices[index].criteria]))
    tagged = with_extra_criterion(scenario, node_id, index, extra)
    assert node_qualities(tagged.nodes[node_id], RUBRIC) == node_qualities(node, RUBRIC)
    assert expected_play(tagged, RUBRIC) == expected_play(scenario, RUBRIC)
    assert RANK[node_qualities(tagged.nodes[node_id], RUBRIC)[index]] == RANK[node_qualities(node, RUBRIC)[index]]


@examples(150)
@given(scenarios())
def test_generated_expectations_are_exact(scenario):
    """The Markov-chain expectation equals brute-force enumeration where there are no loops to go round."""
    assume(not any(c.loop for n in scenario.nodes.values() for c in n.choices))

    def enumerate_(node_id: str, p: Fraction, tally: Tally) -> Iterator[tuple[Fraction, Tally]]:
        node = scenario.nodes[node_id]
        for choice, quality in zip(node.choices, node_qualities(node, RUBRIC), strict=True):
            q = p / len(node.choices)
            if choice.next in scenario.endings:
                yield q, tally.add(quality)
            else:
                yield from enumerate_(choice.next, q, tally.add(quality))

    outcomes = list(enumerate_(scenario.start, Fraction(1), Tally()))
    assert sum(p for p, _ in outcomes) == 1
    exact = expected_play(scenario, RUBRIC)
    assert exact.score == sum(p * (t.score or 0) for p, t in outcomes)
    assert exact.decisions == sum(p * t.decisions for p, t in outcomes)
    assert exact.strongest == sum(p * t.strongest for p, t in outcomes)
    assert exact.stuck == 0
