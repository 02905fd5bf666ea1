"""Decision quality: the one definition of how a response is judged and how an attempt is scored.

Like ``Rubric.points`` before it, this lives in the pure ``scenarios`` package so that the checks, the teaching
lint and the test-wiseness audit (here) and the scorer (in ``scoring``, which re-exports it) share one
definition; ``scenarios`` may not import ``scoring``.

The model (scoring version 2):

* Each response carries a **quality** set by its author: ``strongest`` (the best response at this point; every
  point has at least one), ``helpful`` (sound, not the best), ``mixed`` (helps in part and names a pitfall) or
  ``pitfall``. The checks hold the label to the criteria: a response naming a pitfall (``pf.*``) is ``mixed``
  or ``pitfall``, never ``helpful`` or ``strongest``. The number of criteria plays no part in the score.
* A decision earns **credit** by quality: strongest 1, helpful 2/3, mixed 1/3, pitfall 0.
* Only the **first** decision at each point counts. A point the conversation comes back to (through a choice
  marked ``loop: true``) is played again but never scored or counted again.
* The **score** is the total credit over the counted decisions divided by their number plus the number of them
  that name a pitfall: a response that names a pitfall counts as a decision and as one more miss.

  ``score = credit / (decisions + pitfalls)``

  So the strongest response at every point scores 100% whatever the route; any pitfall keeps the score below
  100% and below the same attempt with a pitfall-free response there; and a revisit never changes it.

A scenario written before qualities existed still loads: a choice without ``quality`` gets the label its
criteria gave it under the old points rule (:func:`derived_quality`), and the teaching lint names it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from scenarios.model import QUALITIES, Choice, Node, Quality, Scenario
from scenarios.rubric import Rubric

__all__ = [
    "CREDIT",
    "QUALITIES",
    "QUALITY_LABELS",
    "RANK",
    "Expectation",
    "Policy",
    "Quality",
    "Tally",
    "TooLarge",
    "attempt_score",
    "counted",
    "derived_quality",
    "expected_play",
    "names_pitfall",
    "node_qualities",
    "quality_of",
    "strongest_route",
    "uniform",
]

RANK: dict[str, int] = {"pitfall": 0, "mixed": 1, "helpful": 2, "strongest": 3}
"""Qualities in order: a ``better`` choice must rank above the choice that points to it."""

CREDIT: dict[str, Fraction] = {
    "strongest": Fraction(1),
    "helpful": Fraction(2, 3),
    "mixed": Fraction(1, 3),
    "pitfall": Fraction(0),
}
"""What one counted decision earns."""

QUALITY_LABELS: dict[str, str] = {
    "strongest": "among the strongest",
    "helpful": "helpful",
    "mixed": "helpful in part, with a pitfall",
    "pitfall": "a pitfall",
}


def names_pitfall(quality: str) -> bool:
    return quality in ("mixed", "pitfall")


def _tag_quality(choice: Choice, rubric: Rubric, best_clean: int | None) -> Quality:
    pitfall = rubric.is_pitfall_choice(choice.criteria)
    if pitfall:
        return "mixed" if any(c.startswith("po.") for c in choice.criteria) else "pitfall"
    return "strongest" if best_clean is not None and rubric.points(choice.criteria) >= best_clean else "helpful"


def derived_quality(node: Node, index: int, rubric: Rubric) -> Quality:
    """The label the criteria gave a choice under scoring version 1 (how the library was migrated).

    A choice naming a pitfall and a possibility is mixed, a pitfall alone a pitfall; of the choices naming no
    pitfall, those with the most points at the node are strongest, the others helpful.
    """
    clean = [rubric.points(c.criteria) for c in node.choices if not rubric.is_pitfall_choice(c.criteria)]
    return _tag_quality(node.choices[index], rubric, max(clean) if clean else None)


def node_qualities(node: Node, rubric: Rubric) -> list[Quality]:
    """Each choice's quality: the author's label, or the derived one where the file sets none."""
    clean = [rubric.points(c.criteria) for c in node.choices if not rubric.is_pitfall_choice(c.criteria)]
    best = max(clean) if clean else None
    return [c.quality if c.quality is not None else _tag_quality(c, rubric, best) for c in node.choices]


def quality_of(scenario: Scenario, node_id: str, choice_id: str, rubric: Rubric) -> Quality:
    node = scenario.nodes[node_id]
    for index, choice in enumerate(node.choices):
        if choice.id == choice_id:
            return node_qualities(node, rubric)[index]
    raise KeyError(f"{node_id}/{choice_id}")


@dataclass(frozen=True)
class Tally:
    """Counted decisions of an attempt, by quality."""

    strongest: int = 0
    helpful: int = 0
    mixed: int = 0
    pitfall: int = 0

    def add(self, quality: str) -> Tally:
        return Tally(
            self.strongest + (quality == "strongest"),
            self.helpful + (quality == "helpful"),
            self.mixed + (quality == "mixed"),
            self.pitfall + (quality == "pitfall"),
        )

    @property
    def decisions(self) -> int:
        return self.strongest + self.helpful + self.mixed + self.pitfall

    @property
    def pitfalls(self) -> int:
        """Counted decisions that name a pitfall (mixed or pitfall)."""
        return self.mixed + self.pitfall

    @property
    def pitfall_free(self) -> int:
        return self.strongest + self.helpful

    @property
    def credit(self) -> Fraction:
        return sum((CREDIT[q] * getattr(self, q) for q in QUALITIES), Fraction(0))

    @property
    def percent(self) -> int | None:
        """The score in percent, rounded half up (as people round); None before the first decision."""
        exact = self.score
        return None if exact is None else int(exact * 100 + Fraction(1, 2))

    @property
    def score(self) -> Fraction | None:
        """credit / (decisions + pitfalls), between 0 and 1; None before the first decision."""
        if self.decisions == 0:
            return None
        return self.credit / (self.decisions + self.pitfalls)


def attempt_score(qualities: Iterable[str]) -> Fraction | None:
    """The score of counted decisions with these qualities (see the module docstring)."""
    tally = Tally()
    for quality in qualities:
        tally = tally.add(quality)
    return tally.score


def counted(node_ids: Sequence[str]) -> list[bool]:
    """For an attempt's decisions in order (their node ids), which count: the first at each point."""
    seen: set[str] = set()
    out = []
    for node_id in node_ids:
        out.append(node_id not in seen)
        seen.add(node_id)
    return out


def strongest_route(scenario: Scenario, rubric: Rubric) -> tuple[tuple[tuple[str, str], ...], str] | None:
    """The path to show as the strongest: strongest responses only, no point twice, the fewest decisions.

    Every path of strongest responses scores 100% and names no pitfall, so among the paths with the top score
    and the fewest pitfalls this is the one with the fewest decisions; a tie goes to the earlier choice in file
    order (breadth-first search in file order). None when strongest responses from the start never reach an
    ending (the checks refuse such a scenario).
    """
    if scenario.start not in scenario.nodes:
        return None
    parent: dict[str, tuple[str, str] | None] = {scenario.start: None}
    queue = deque([scenario.start])
    while queue:
        node_id = queue.popleft()
        node = scenario.nodes[node_id]
        for choice, quality in zip(node.choices, node_qualities(node, rubric), strict=True):
            if quality != "strongest" or choice.next in parent:
                continue
            parent[choice.next] = (node_id, choice.id)
            if choice.next in scenario.endings:
                steps: list[tuple[str, str]] = []
                at: str = choice.next
                while (link := parent[at]) is not None:
                    steps.append(link)
                    at = link[0]
                return tuple(reversed(steps)), choice.next
            if choice.next in scenario.nodes:
                queue.append(choice.next)
    return None


# Exact expectations of a playing strategy ------------------------------------------------------------------

MAX_STATES = 200_000
"""The most (point, points decided, tally) states :func:`expected_play` explores before giving up: the library's
largest scenario needs a few hundred; a graph built to explode is refused instead of hanging."""


MAX_DEPTH = 150
"""The longest run of first decisions :func:`expected_play` follows (it recurses once per point)."""


class TooLarge(ValueError):
    """A scenario with too many distinct partial attempts to work out exactly."""


Policy = Callable[[str, Node], Sequence[Fraction]]
"""A strategy: for a node, the probability of picking each of its choices (in file order); sums to 1."""


def uniform(node_id: str, node: Node) -> Sequence[Fraction]:
    """Uniform random play."""
    return [Fraction(1, len(node.choices))] * len(node.choices)


@dataclass(frozen=True)
class Expectation:
    """Exact expectations for one strategy on one scenario (attempts played to an ending)."""

    score: Fraction
    """The expected score (0 to 1)."""
    decisions: Fraction
    """Expected counted decisions per attempt."""
    strongest: Fraction
    """Expected counted decisions that picked a strongest response."""
    pitfall_free: Fraction
    """Expected counted decisions that picked a response naming no pitfall."""
    stuck: Fraction
    """The probability that the strategy goes round a loop for ever; such an attempt is scored as it stands."""

    @property
    def strongest_share(self) -> Fraction:
        return self.strongest / self.decisions if self.decisions else Fraction(0)

    @property
    def pitfall_free_share(self) -> Fraction:
        return self.pitfall_free / self.decisions if self.decisions else Fraction(0)


_Vector = tuple[Fraction, Fraction, Fraction, Fraction, Fraction]
_ZERO: _Vector = (Fraction(0),) * 5


def _value(tally: Tally, stuck: bool) -> _Vector:
    return (
        tally.score or Fraction(0),
        Fraction(tally.decisions),
        Fraction(tally.strongest),
        Fraction(tally.pitfall_free),
        Fraction(1 if stuck else 0),
    )


def _plus(a: _Vector, b: _Vector, weight: Fraction = Fraction(1)) -> _Vector:
    return (a[0] + weight * b[0], a[1] + weight * b[1], a[2] + weight * b[2], a[3] + weight * b[3], a[4] + weight * b[4])


def expected_play(scenario: Scenario, rubric: Rubric, policy: Policy = uniform) -> Expectation:
    """Exact expectations (fractions, no sampling) of playing ``scenario`` with ``policy`` to an ending.

    The walk is a Markov chain over (point, points already decided, tally so far). A first decision at a point
    moves to a state with more points decided, so those states form a tree of finite depth; a revisit keeps the
    decided points and the tally, so the revisit states of one (decided, tally) form a small linear system,
    solved exactly. States from which the strategy never reaches an ending (it circles a loop for ever) are
    valued as the attempt stands, and counted in ``stuck``.
    """
    qualities = {node_id: node_qualities(node, rubric) for node_id, node in scenario.nodes.items()}
    probabilities = {node_id: list(policy(node_id, node)) for node_id, node in scenario.nodes.items()}
    fresh_memo: dict[tuple[str, frozenset[str], Tally], _Vector] = {}
    revisit_memo: dict[tuple[frozenset[str], Tally], dict[str, _Vector]] = {}

    def after(target: str, decided: frozenset[str], tally: Tally) -> _Vector:
        if target in scenario.endings:
            return _value(tally, False)
        if target in decided:
            return revisit(target, decided, tally)
        return fresh(target, decided, tally)

    def fresh(node_id: str, decided: frozenset[str], tally: Tally) -> _Vector:
        key = (node_id, decided, tally)
        if key in fresh_memo:
            return fresh_memo[key]
        if len(fresh_memo) >= MAX_STATES or len(decided) > MAX_DEPTH:
            raise TooLarge(
                f"'{scenario.id}' has too many different ways through it to work out exactly "
                f"(more than {MAX_STATES:,} partial attempts or {MAX_DEPTH} points in a row)"
            )
        now = decided | {node_id}
        total = _ZERO
        node = scenario.nodes[node_id]
        for choice, quality, p in zip(node.choices, qualities[node_id], probabilities[node_id], strict=True):
            if p:
                total = _plus(total, after(choice.next, now, tally.add(quality)), p)
        fresh_memo[key] = total
        return total

    def revisit(node_id: str, decided: frozenset[str], tally: Tally) -> _Vector:
        group = revisit_memo.get((decided, tally))
        if group is None or node_id not in group:
            group = {**(group or {}), **_solve_revisits(node_id, decided, tally)}
            revisit_memo[(decided, tally)] = group
        return group[node_id]

    def _solve_revisits(first: str, decided: frozenset[str], tally: Tally) -> dict[str, _Vector]:
        # The revisit states reachable from `first` without a new decision, and their exits.
        members: list[str] = []
        index: dict[str, int] = {}
        queue = deque([first])
        index[first] = 0
        members.append(first)
        while queue:
            node_id = queue.popleft()
            node = scenario.nodes[node_id]
            for choice, p in zip(node.choices, probabilities[node_id], strict=True):
                if p and choice.next in decided and choice.next not in index:
                    index[choice.next] = len(members)
                    members.append(choice.next)
                    queue.append(choice.next)
        # Which members can leave the group (reach an ending or a new decision) with positive probability.
        leaves = set()
        changed = True
        while changed:
            changed = False
            for node_id in members:
                if node_id in leaves:
                    continue
                node = scenario.nodes[node_id]
                for choice, p in zip(node.choices, probabilities[node_id], strict=True):
                    if p and (choice.next not in decided or choice.next in leaves):
                        leaves.add(node_id)
                        changed = True
                        break
        size = len(members)
        # Equations x_i - sum_j p_ij x_j = b_i over the members that can leave; the others are stuck.
        stuck_value = _value(tally, True)
        live = [m for m in members if m in leaves]
        position = {m: k for k, m in enumerate(live)}
        matrix = [[Fraction(0)] * len(live) for _ in live]
        rhs = [_ZERO for _ in live]
        for row, node_id in enumerate(live):
            matrix[row][row] += 1
            node = scenario.nodes[node_id]
            for choice, p in zip(node.choices, probabilities[node_id], strict=True):
                if not p:
                    continue
                target = choice.next
                if target in scenario.endings or target not in decided:
                    rhs[row] = _plus(rhs[row], after(target, decided, tally), p)
                elif target in position:
                    matrix[row][position[target]] -= p
                else:  # a stuck member
                    rhs[row] = _plus(rhs[row], stuck_value, p)
        solution = _gauss(matrix, rhs)
        out = {m: stuck_value for m in members if m not in leaves}
        out.update({m: solution[position[m]] for m in live})
        assert len(out) == size
        return out

    start = scenario.start
    vector = fresh(start, frozenset(), Tally()) if start in scenario.nodes else _ZERO
    return Expectation(*vector)


def _gauss(matrix: list[list[Fraction]], rhs: list[_Vector]) -> list[_Vector]:
    """Solve ``matrix @ x = rhs`` exactly (rhs vectors solved together); the matrix is non-singular here."""
    n = len(matrix)
    a = [row[:] for row in matrix]
    b = list(rhs)
    for col in range(n):
        pivot = next(r for r in range(col, n) if a[r][col] != 0)
        a[col], a[pivot] = a[pivot], a[col]
        b[col], b[pivot] = b[pivot], b[col]
        inverse = 1 / a[col][col]
        a[col] = [v * inverse for v in a[col]]
        b[col] = _plus(_ZERO, b[col], inverse)
        for r in range(n):
            if r != col and a[r][col] != 0:
                factor = a[r][col]
                a[r] = [v - factor * w for v, w in zip(a[r], a[col], strict=True)]
                b[r] = _plus(b[r], b[col], -factor)
    return b
