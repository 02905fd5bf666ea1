"""Checks beyond the schema: the scenario graph, the rubric references, and the teaching logic.

Every check returns :class:`Finding` objects that name a data path; the loader turns paths into
``line:col`` through the gateway's location map. Errors make a scenario unusable; warnings are shown to
authors but do not block play.
"""

from __future__ import annotations

import difflib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from scenarios.gateway import DataPath, Severity
from scenarios.model import STAGE_LABELS, Choice, Scenario
from scenarios.quality import RANK, node_qualities
from scenarios.rubric import Rubric


@dataclass(frozen=True)
class Finding:
    path: DataPath
    message: str
    severity: Severity = "error"
    at_key: bool = False


def _hint(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def successors(scenario: Scenario, node_id: str) -> list[str]:
    return [c.next for c in scenario.nodes[node_id].choices]


def check_scenario(scenario: Scenario, rubric: Rubric) -> list[Finding]:
    """Every graph, rubric and teaching problem in one scenario."""
    findings: list[Finding] = []
    node_ids = set(scenario.nodes)
    ending_ids = set(scenario.endings)
    targets = sorted(node_ids | ending_ids)

    for name in sorted(node_ids & ending_ids):
        findings.append(
            Finding(("endings", name), f"'{name}' is both a node and an ending; give them different names", at_key=True)
        )

    if scenario.start not in node_ids:
        extra = " (it is an ending; start at a node)" if scenario.start in ending_ids else _hint(scenario.start, sorted(node_ids))
        findings.append(Finding(("start",), f"start node '{scenario.start}' does not exist{extra}"))

    for node_id, node in scenario.nodes.items():
        seen: dict[str, int] = {}
        by_id = {c.id: c for c in node.choices}
        findings.extend(_check_quality(node_id, scenario, rubric))
        for index, choice in enumerate(node.choices):
            here: DataPath = ("nodes", node_id, "choices", index)
            if choice.id in seen:
                findings.append(Finding((*here, "id"), f"choice id '{choice.id}' is used twice in node '{node_id}'"))
            seen.setdefault(choice.id, index)
            if choice.next not in node_ids and choice.next not in ending_ids:
                findings.append(
                    Finding((*here, "next"), f"next '{choice.next}' is not a node or an ending{_hint(choice.next, targets)}")
                )
            for position, criterion in enumerate(choice.criteria):
                if criterion not in rubric:
                    findings.append(
                        Finding(
                            (*here, "criteria", position),
                            f"unknown criterion '{criterion}'{_hint(criterion, sorted(rubric.by_id))}",
                        )
                    )
            if len(set(choice.criteria)) != len(choice.criteria):
                findings.append(Finding((*here, "criteria"), "a criterion is listed twice in this choice"))
            findings.extend(_check_better(scenario, node_id, index, by_id, rubric))
            findings.extend(_check_readiness(node_id, node.readiness, index, choice.criteria, rubric))

    graph = _check_graph(scenario)
    findings.extend(graph)
    if not graph:  # loops and ways out are worth reading only once every point is reachable and can end
        findings.extend(_check_loops(scenario))
    if not findings:
        findings.extend(_check_strongest_way_out(scenario, rubric))
    return findings


def _check_better(scenario: Scenario, node_id: str, index: int, by_id: dict[str, Choice], rubric: Rubric) -> list[Finding]:
    choice = scenario.nodes[node_id].choices[index]
    here: DataPath = ("nodes", node_id, "choices", index)
    pitfall = rubric.is_pitfall_choice(choice.criteria)
    if choice.better is None:
        if pitfall:
            return [
                Finding(
                    (*here, "id"), f"pitfall choice '{choice.id}' needs 'better:' naming a stronger choice in node '{node_id}'"
                )
            ]
        return []
    if choice.better == choice.id:
        return [Finding((*here, "better"), f"choice '{choice.id}' names itself as the better choice")]
    if choice.better not in by_id:
        return [
            Finding(
                (*here, "better"),
                f"better '{choice.better}' is not a choice in node '{node_id}'{_hint(choice.better, sorted(by_id))}",
            )
        ]
    node = scenario.nodes[node_id]
    qualities = node_qualities(node, rubric)
    mine = qualities[index]
    theirs = qualities[next(i for i, c in enumerate(node.choices) if c.id == choice.better)]
    if RANK[theirs] <= RANK[mine]:
        return [
            Finding(
                (*here, "better"),
                f"better '{choice.better}' ({theirs}) is not stronger than this choice ({mine}); point to a stronger choice",
            )
        ]
    return []


def _check_quality(node_id: str, scenario: Scenario, rubric: Rubric) -> list[Finding]:
    """Each author-set quality agrees with the criteria; each point has a strongest response."""
    node = scenario.nodes[node_id]
    findings: list[Finding] = []
    for index, choice in enumerate(node.choices):
        quality = choice.quality
        if quality is None:
            continue
        here: DataPath = ("nodes", node_id, "choices", index, "quality")
        pitfalls = [c for c in choice.criteria if c.startswith("pf.")]
        if quality in ("strongest", "helpful") and pitfalls:
            findings.append(
                Finding(
                    here,
                    f"choice '{choice.id}' is marked {quality}, but it names a pitfall ({', '.join(pitfalls)}); a response "
                    "that names a pitfall is 'mixed' (it also helps) or 'pitfall'",
                )
            )
        elif quality in ("mixed", "pitfall") and not pitfalls:
            findings.append(
                Finding(
                    here,
                    f"choice '{choice.id}' is marked {quality}, but it names no pitfall (pf.*); name the pitfall it "
                    "falls into, or mark it 'helpful' or 'strongest'",
                )
            )
        elif quality == "mixed" and not any(c.startswith("po.") for c in choice.criteria):
            findings.append(
                Finding(
                    here,
                    f"choice '{choice.id}' is marked mixed, but it names no possibility (po.*); name what helps in it, "
                    "or mark it 'pitfall'",
                )
            )
    if "strongest" not in node_qualities(node, rubric):
        findings.append(
            Finding(
                ("nodes", node_id),
                f"node '{node_id}' has no strongest response; mark the best response here 'quality: strongest' "
                "(every decision point needs one, and it names no pitfall)",
                at_key=True,
            )
        )
    return findings


def _check_readiness(node_id: str, stage: str, index: int, criteria: list[str], rubric: Rubric) -> list[Finding]:
    out = []
    for position, criterion_id in enumerate(criteria):
        criterion = rubric.by_id.get(criterion_id)
        if criterion is None or criterion.fits is None or stage in criterion.fits:
            continue
        fits = ", ".join(STAGE_LABELS[s].lower() for s in criterion.fits)
        out.append(
            Finding(
                ("nodes", node_id, "choices", index, "criteria", position),
                f"'{criterion_id}' ({criterion.title}) does not fit a peer who is {STAGE_LABELS[stage].lower()} "
                f"(node '{node_id}' readiness: {stage}); it fits: {fits}",
                severity="warning",
            )
        )
    return out


def reachable(scenario: Scenario) -> set[str]:
    """Nodes and endings a path from the start can reach (everything, when the start is missing)."""
    known = set(scenario.nodes) | set(scenario.endings)
    reached = {scenario.start} if scenario.start in scenario.nodes else set(known)
    queue = deque([scenario.start])
    while queue:
        current = queue.popleft()
        if current not in scenario.nodes:
            continue
        for target in successors(scenario, current):
            if target in known and target not in reached:
                reached.add(target)
                queue.append(target)
    return reached


def can_end(scenario: Scenario) -> set[str]:
    """Nodes (and endings) from which some path reaches an ending: walk backwards from the endings."""
    known = set(scenario.nodes) | set(scenario.endings)
    predecessors: dict[str, set[str]] = {name: set() for name in known}
    for node_id in scenario.nodes:
        for target in successors(scenario, node_id):
            if target in predecessors:
                predecessors[target].add(node_id)
    found = set(scenario.endings)
    queue = deque(scenario.endings)
    while queue:
        current = queue.popleft()
        for before in predecessors.get(current, ()):
            if before not in found:
                found.add(before)
                queue.append(before)
    return found


def _check_graph(scenario: Scenario) -> list[Finding]:
    findings: list[Finding] = []
    reached = reachable(scenario)
    for node_id in scenario.nodes:
        if node_id not in reached:
            findings.append(
                Finding(("nodes", node_id), f"node '{node_id}' cannot be reached from start '{scenario.start}'", at_key=True)
            )
    for ending_id in scenario.endings:
        if ending_id not in reached:
            findings.append(
                Finding(
                    ("endings", ending_id), f"ending '{ending_id}' cannot be reached from start '{scenario.start}'", at_key=True
                )
            )
    ending_reachable = can_end(scenario)
    for node_id in scenario.nodes:
        if node_id in reached and node_id not in ending_reachable:
            findings.append(
                Finding(
                    ("nodes", node_id),
                    f"no path from node '{node_id}' reaches an ending (every way on leads into a loop or a missing node); give it a way out",
                    at_key=True,
                )
            )
    return findings


def back_edges(scenario: Scenario, *, marked: bool) -> list[tuple[str, int]]:
    """Choices (node id, index) that lead back to a point on the way to them, found depth-first from the start
    in file order. With ``marked=False`` choices marked ``loop: true`` are left out of the walk, so what is
    found is every loop the author has not marked."""
    found: list[tuple[str, int]] = []
    if scenario.start not in scenario.nodes:
        return found
    state: dict[str, int] = {scenario.start: 1}
    stack = [(scenario.start, iter(enumerate(scenario.nodes[scenario.start].choices)))]
    while stack:
        node_id, choices = stack[-1]
        for index, choice in choices:
            if choice.loop and not marked:
                continue
            target = choice.next
            if target not in scenario.nodes:
                continue
            if state.get(target) == 1:
                found.append((node_id, index))
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(enumerate(scenario.nodes[target].choices))))
                break
        else:
            state[node_id] = 2
            stack.pop()
    return found


def _leads_back(scenario: Scenario, node_id: str, target: str) -> bool:
    """Whether ``target`` can lead on to ``node_id`` (so a choice from node_id to target closes a loop)."""
    seen = {target}
    queue = deque([target])
    while queue:
        current = queue.popleft()
        if current == node_id:
            return True
        if current in scenario.nodes:
            for following in successors(scenario, current):
                if following not in seen:
                    seen.add(following)
                    queue.append(following)
    return False


def _check_loops(scenario: Scenario) -> list[Finding]:
    """Loops only where the author marks them: every cycle has a choice marked ``loop: true``, and every mark
    sits on a choice that really leads back."""
    findings = []
    for node_id, index in back_edges(scenario, marked=False):
        choice = scenario.nodes[node_id].choices[index]
        findings.append(
            Finding(
                ("nodes", node_id, "choices", index, "next"),
                f"choice '{choice.id}' at node '{node_id}' leads back to '{choice.next}', which the conversation has "
                "already passed; mark it 'loop: true' if the peer really comes back to that point (a point is scored "
                "only the first time), or lead it somewhere new",
            )
        )
    for node_id, node in scenario.nodes.items():
        for index, choice in enumerate(node.choices):
            if choice.loop and choice.next in scenario.nodes and not _leads_back(scenario, node_id, choice.next):
                findings.append(
                    Finding(
                        ("nodes", node_id, "choices", index, "loop"),
                        f"choice '{choice.id}' is marked 'loop: true', but '{choice.next}' never leads back to node "
                        f"'{node_id}'; remove 'loop: true'",
                    )
                )
            elif choice.loop and choice.next not in scenario.nodes:
                findings.append(
                    Finding(
                        ("nodes", node_id, "choices", index, "loop"),
                        f"choice '{choice.id}' is marked 'loop: true', but it leads to an ending; remove 'loop: true'",
                    )
                )
    return findings


def _check_strongest_way_out(scenario: Scenario, rubric: Rubric) -> list[Finding]:
    """From every point, responses marked strongest lead to an ending (so choosing well always finishes)."""
    ends: set[str] = set(scenario.endings)
    changed = True
    strongest = {
        node_id: [c.next for c, q in zip(node.choices, node_qualities(node, rubric), strict=True) if q == "strongest"]
        for node_id, node in scenario.nodes.items()
    }
    while changed:
        changed = False
        for node_id, targets in strongest.items():
            if node_id not in ends and any(t in ends for t in targets):
                ends.add(node_id)
                changed = True
    return [
        Finding(
            ("nodes", node_id),
            f"from node '{node_id}', the strongest responses never reach an ending (they only go round a loop); let a "
            "strongest response lead on",
            at_key=True,
        )
        for node_id in scenario.nodes
        if node_id not in ends
    ]


def has_cycle(scenario: Scenario) -> bool:
    """Whether any path can visit a node twice."""
    state: dict[str, int] = {}
    for root in scenario.nodes:
        if root in state:
            continue
        stack = [(root, iter(successors(scenario, root)))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child in children:
                if child not in scenario.nodes:
                    continue
                if state.get(child) == 1:
                    return True
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(successors(scenario, child))))
                    break
            else:
                state[node] = 2
                stack.pop()
    return False


@dataclass(frozen=True)
class Walk:
    """A path from the start to an ending: its total, its steps as (node id, choice id, value), and its ending."""

    total: int
    steps: tuple[tuple[str, str, int], ...]
    ending_id: str


def extreme_path(scenario: Scenario, value: Callable[[Choice], int], *, best: bool) -> Walk | None:
    """The path from the start to an ending with the highest (``best``) or lowest total ``value`` of its choices.

    A path never visits a node twice. The first option in file order wins a tie, so the answer is stable.
    None when no path reaches an ending (the graph checks rule that out for a loaded scenario).
    """
    pick = max if best else min
    cyclic = has_cycle(scenario)
    memo: dict[str, tuple[int, tuple[tuple[str, str, int], ...], str]] = {}

    def walk(node_id: str, visiting: frozenset[str]) -> tuple[int, tuple[tuple[str, str, int], ...], str] | None:
        if node_id in scenario.endings:
            return 0, (), node_id
        if node_id not in scenario.nodes:
            return None
        if not cyclic and node_id in memo:
            return memo[node_id]
        options = []
        for choice in scenario.nodes[node_id].choices:
            if choice.next in visiting:
                continue
            rest = walk(choice.next, visiting | {choice.next})
            if rest is None:
                continue
            points = value(choice)
            options.append((points + rest[0], ((node_id, choice.id, points), *rest[1]), rest[2]))
        if not options:
            return None
        result = pick(options, key=lambda option: option[0])
        if not cyclic:
            memo[node_id] = result
        return result

    found = walk(scenario.start, frozenset({scenario.start}))
    return None if found is None else Walk(*found)
