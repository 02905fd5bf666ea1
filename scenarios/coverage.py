"""How well a set of scenarios covers the rubric: per criterion, how many choices and scenarios exercise it;
per domain, how many scenarios have it as their main domain. Also the library catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from scenarios.model import Scenario
from scenarios.rubric import Rubric

MIN_CHOICES = 3
MIN_SCENARIOS = 2
MIN_MAIN = 3


@dataclass(frozen=True)
class CriterionCoverage:
    id: str
    kind: str
    domain: str
    choices: int
    scenarios: int

    def ok(self, min_choices: int = MIN_CHOICES, min_scenarios: int = MIN_SCENARIOS) -> bool:
        return self.choices >= min_choices and self.scenarios >= min_scenarios


@dataclass(frozen=True)
class DomainCoverage:
    id: str
    main: int
    any: int


@dataclass(frozen=True)
class Coverage:
    criteria: tuple[CriterionCoverage, ...]
    domains: tuple[DomainCoverage, ...]
    min_choices: int = MIN_CHOICES
    min_scenarios: int = MIN_SCENARIOS
    min_main: int = MIN_MAIN

    @property
    def short_criteria(self) -> list[CriterionCoverage]:
        return [c for c in self.criteria if not c.ok(self.min_choices, self.min_scenarios)]

    @property
    def short_domains(self) -> list[DomainCoverage]:
        return [d for d in self.domains if d.main < self.min_main]

    @property
    def ok(self) -> bool:
        return not self.short_criteria and not self.short_domains


def coverage(
    scenarios: Sequence[Scenario],
    rubric: Rubric,
    *,
    min_choices: int = MIN_CHOICES,
    min_scenarios: int = MIN_SCENARIOS,
    min_main: int = MIN_MAIN,
) -> Coverage:
    choices: dict[str, int] = {c.id: 0 for c in rubric.criteria}
    where: dict[str, set[str]] = {c.id: set() for c in rubric.criteria}
    for scenario in scenarios:
        for node in scenario.nodes.values():
            for choice in node.choices:
                for criterion in set(choice.criteria):
                    if criterion in choices:
                        choices[criterion] += 1
                        where[criterion].add(scenario.id)
    criteria = tuple(
        CriterionCoverage(c.id, c.kind, c.domain, choices[c.id], len(where[c.id]))
        for c in sorted(rubric.criteria, key=lambda c: (c.kind != "pitfall", c.id))
    )
    domains = tuple(
        DomainCoverage(
            d.id,
            main=sum(1 for s in scenarios if s.domains[0] == d.id),
            any=sum(1 for s in scenarios if d.id in s.domains),
        )
        for d in rubric.domains
    )
    return Coverage(criteria, domains, min_choices, min_scenarios, min_main)


def format_coverage(report: Coverage) -> str:
    """A plain-text table for the terminal; rows below the bar are marked 'LOW'."""
    lines = [f"{'criterion':34} {'scenarios':>9} {'choices':>8}"]
    for row in report.criteria:
        mark = "" if row.ok(report.min_choices, report.min_scenarios) else "  LOW"
        lines.append(f"{row.id:34} {row.scenarios:>9} {row.choices:>8}{mark}")
    lines.append("")
    lines.append(f"{'domain':34} {'main in':>9} {'in':>8}")
    for domain in report.domains:
        mark = "" if domain.main >= report.min_main else "  LOW"
        lines.append(f"{domain.id:34} {domain.main:>9} {domain.any:>8}{mark}")
    lines.append("")
    bar = (
        f"bar: every criterion in >= {report.min_choices} choices across >= {report.min_scenarios} scenarios; "
        f"every domain the main domain of >= {report.min_main} scenarios"
    )
    lines.append(bar)
    return "\n".join(lines)


def catalogue_markdown(scenarios: Sequence[Scenario], rubric: Rubric) -> str:
    """The library as a Markdown table: title, peer, domains, difficulty, length, content note."""
    titles = {d.id: d.title for d in rubric.domains}
    difficulty = {1: "introductory", 2: "intermediate", 3: "advanced"}
    rows = [
        "| scenario | peer | domains (main first) | level | minutes | decisions | content note |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in sorted(scenarios, key=lambda s: (list(titles).index(s.domains[0]), s.title)):
        domains = ", ".join(titles[d] for d in s.domains)
        note = (s.content_note or "").replace("|", "/")
        rows.append(
            f"| **{s.title}** (`{s.id}`) | {s.peer.name} | {domains} | {difficulty[s.difficulty]} | {s.minutes} "
            f"| {len(s.nodes)} | {note} |"
        )
    return "\n".join(rows) + "\n"
