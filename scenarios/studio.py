"""What the scenario studio shows beside an author's YAML: every problem, and the scenario as a graph.

Pure: takes text and a rubric, returns data (the studio page in pages/ draws it). The checks are the same ones
the CLI and the library tests use (:func:`scenarios.loader.load_scenario`); this module adds the model of a
draft that fails its graph checks, so the graph can show what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scenarios.checks import can_end, reachable
from scenarios.gateway import Problem, YamlError, read_yaml
from scenarios.loader import LoadedScenario, ScenarioError
from scenarios.loader import _from_document as load_document  # the loader's own steps after reading
from scenarios.model import STAGE_LABELS, Scenario
from scenarios.quality import QUALITY_LABELS, node_qualities
from scenarios.rubric import Rubric
from scenarios.validate import to_model

STARTER = Path(__file__).resolve().parent / "templates" / "starter.yaml"


def starter_text() -> str:
    """A small scenario that passes every check, with comments that explain each part: where new drafts start."""
    return STARTER.read_text(encoding="utf-8")


TEMPLATES: dict[str, tuple[str, str]] = {
    "starter": ("A blank starter (two decision points)", "starter.yaml"),
    "readiness": ("A readiness check-in: meet a peer who is thinking it over", "readiness-check-in.yaml"),
    "boundary": ("A boundary moment: a friend request, kept warm and clear", "boundary-moment.yaml"),
    "crisis": ("A crisis moment: ask directly about suicide, stay, connect (content note)", "crisis-moment.yaml"),
}
"""The shapes a new draft can start from: each passes every check and the teaching lint, with guidance in comments
beside each field (tests/test_studio.py). Keys are what the studio offers; values: a label and the file in
scenarios/templates/."""


def template_text(key: str) -> str:
    """The text of one of TEMPLATES (KeyError for any other key)."""
    return (STARTER.parent / TEMPLATES[key][1]).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Inspection:
    """One draft, checked: the model when it fits the format (even with graph errors), and every problem.

    ``readable`` is False when the YAML gateway could not read the text at all (a syntax error, a tag, an alias,
    a duplicate key, too deep, empty...): then there is no data, only problems. ``title`` is the scenario's
    title when the text has one (a text ``title:`` at the top, even if other fields are wrong), else None."""

    text: str
    scenario: Scenario | None
    loaded: LoadedScenario | None
    problems: tuple[Problem, ...]
    readable: bool = True
    title: str | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return self.loaded is not None


def inspect(text: str | bytes, rubric: Rubric, source: str = "draft.yaml") -> Inspection:
    """Check a draft as the CLI's ``check --lint`` would (the same problems as :func:`load_scenario`), keeping the
    model for the graph when there is one. The text is read once and modelled once when the model fails, so a
    hostile file with thousands of problems costs one pass, not two."""
    shown = text if isinstance(text, str) else text.decode("utf-8", errors="replace")
    try:
        document = read_yaml(text, source)
    except YamlError as exc:
        return Inspection(shown, None, None, tuple(exc.problems), readable=False)
    try:
        scenario = to_model(document, Scenario, what="scenario")
    except YamlError as exc:
        return Inspection(shown, None, None, tuple(exc.problems), title=_title_in(document.data))
    try:
        loaded = load_document(document, rubric, lint=True)
    except ScenarioError as exc:  # graph errors: the model is kept for the graph
        return Inspection(shown, scenario, None, tuple(exc.problems), title=scenario.title)
    return Inspection(shown, loaded.scenario, loaded, loaded.warnings, title=loaded.scenario.title)


def _title_in(data: object) -> str | None:
    """The top-level ``title`` of data read from YAML, when it is non-empty text."""
    title = data.get("title") if isinstance(data, dict) else None
    return title if isinstance(title, str) and title.strip() else None


def source_line(text: str, line: int) -> str:
    """The text of a 1-based line, for showing a problem beside its source ('' when out of range)."""
    lines = text.splitlines()
    return lines[line - 1] if 1 <= line <= len(lines) else ""


_ID_LINE = re.compile(r"^id:[ \t]*(\S+)[ \t]*$", re.MULTILINE)


def with_new_id(text: str, new_id: str) -> str:
    """A copy of scenario text with its top-level ``id:`` changed (to copy a library scenario into a draft)."""
    replaced, count = _ID_LINE.subn(f"id: {new_id}", text, count=1)
    return replaced if count else f"id: {new_id}\n{text}"


# --------------------------------------------------------------------- graph
Kind = str  # a response's quality: "strongest", "helpful", "mixed" or "pitfall" (scenarios.quality)


@dataclass(frozen=True)
class Edge:
    node_id: str
    choice_id: str
    target: str
    kind: Kind
    missing_target: bool


@dataclass(frozen=True)
class GraphNode:
    id: str
    label: str
    is_ending: bool
    unreachable: bool
    dead_end: bool


@dataclass(frozen=True)
class Graph:
    nodes: tuple[GraphNode, ...]
    edges: tuple[Edge, ...]

    def rows(self) -> list[dict[str, str]]:
        """The graph as a table, one row per choice: the text alternative to the picture."""
        marks = {n.id: n for n in self.nodes}
        out = []
        for edge in self.edges:
            node = marks[edge.node_id]
            notes = [text for flag, text in ((node.unreachable, "unreachable"), (node.dead_end, "dead end")) if flag]
            out.append(
                {
                    "From": edge.node_id + (f" ({', '.join(notes)})" if notes else ""),
                    "Choice": edge.choice_id,
                    "Quality": QUALITY_LABELS[edge.kind],
                    "Leads to": edge.target + (" (missing)" if edge.missing_target else ""),
                }
            )
        return out


def _shorten(text: str, limit: int = 48) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def graph(scenario: Scenario, rubric: Rubric) -> Graph:
    """Nodes, endings and choices, with unreachable nodes and dead ends (no way on to an ending) marked."""
    reached = reachable(scenario)
    ending_ok = can_end(scenario)
    nodes = [
        GraphNode(
            node_id,
            f"{node_id}\n{STAGE_LABELS[node.readiness]}\n“{_shorten(node.peer)}”",
            False,
            node_id not in reached,
            node_id in reached and node_id not in ending_ok,
        )
        for node_id, node in scenario.nodes.items()
    ]
    nodes += [
        GraphNode(ending_id, f"ending: {ending.title or ending_id}", True, ending_id not in reached, False)
        for ending_id, ending in scenario.endings.items()
    ]
    known = set(scenario.nodes) | set(scenario.endings)
    edges = []
    for node_id, node in scenario.nodes.items():
        for choice, quality in zip(node.choices, node_qualities(node, rubric), strict=True):
            edges.append(Edge(node_id, choice.id, choice.next, quality, choice.next not in known))
    return Graph(tuple(nodes), tuple(edges))


def _quote(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, line breaks as DOT's centred \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# Colours pass 4.5:1 on white; every kind is also told apart by its label text and line style.
EDGE_STYLE = {
    "strongest": 'color="#1a6b37", fontcolor="#1a6b37", style=solid, penwidth=2.5',
    "helpful": 'color="#1a6b37", fontcolor="#1a6b37", style=solid',
    "mixed": 'color="#7a4a00", fontcolor="#7a4a00", style=dotted, penwidth=1.5',
    "pitfall": 'color="#a1271b", fontcolor="#a1271b", style=dashed',
}
EDGE_MARK = {"strongest": "✓ strongest", "helpful": "+ helpful", "mixed": "± mixed", "pitfall": "✗ pitfall"}


def to_dot(drawn: Graph) -> str:
    """Graphviz DOT for st.graphviz_chart."""
    lines = [
        "digraph scenario {",
        '  graph [rankdir=TB, fontname="Helvetica", nodesep=0.4, ranksep=0.6];',
        '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#f4f6fa"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for node in drawn.nodes:
        label = node.label
        attrs = []
        if node.is_ending:
            attrs.append('shape=box, style="filled", fillcolor="#e8f0fe", peripheries=2')
        if node.unreachable:
            label = f"UNREACHABLE\n{label}"
            attrs.append('style="rounded,filled,dashed", fillcolor="#eeeeee"')
        if node.dead_end:
            label = f"DEAD END: no way to an ending\n{label}"
            attrs.append('shape=octagon, style="filled", fillcolor="#fde7e4"')
        lines.append(f"  {_quote(node.id)} [label={_quote(label)}{', ' if attrs else ''}{', '.join(attrs)}];")
    missing = sorted({e.target for e in drawn.edges if e.missing_target})
    for target in missing:
        lines.append(
            f'  {_quote(target)} [label={_quote("MISSING: " + target)}, shape=note, style="filled", fillcolor="#fde7e4"];'
        )
    for edge in drawn.edges:
        label = f"{EDGE_MARK[edge.kind]}\n{edge.choice_id}"
        lines.append(f"  {_quote(edge.node_id)} -> {_quote(edge.target)} [label={_quote(label)}, {EDGE_STYLE[edge.kind]}];")
    lines.append("}")
    return "\n".join(lines)
