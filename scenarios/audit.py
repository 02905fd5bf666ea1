"""The test-wiseness audit: how far strategies that read no meaning get, beside uniform random play.

A trainee who has learnt that the strongest response is usually the longest, or ends with a question mark, can
score well without judging anything. For each scenario, for the library and for the question bank, the audit
works out **exactly** (fractions, no sampling) what each text-only strategy can expect: the score (scoring
version 2, :mod:`scenarios.quality`), and the share of its decisions that pick a strongest response and a
response naming no pitfall. A strategy picks, at every decision point, the response(s) that its surface feature
rates highest; several at once are a tie, broken uniformly at random. Revisits of a point are played but not
counted, as in scoring. A strategy that would go round a loop for ever is scored as its attempt stands.

The audit lives here, in the pure ``scenarios`` package, beside the quality credits it uses, so that
``python -m scenarios audit`` needs nothing from ``scoring`` (which sits above ``scenarios``).

``audit-thresholds.toml`` beside this file holds the figures CI allows (``python -m scenarios audit --check``),
set at the shipped library's figures so that nothing gets worse.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from scenarios.model import Node, Scenario
from scenarios.quality import Expectation, expected_play, uniform
from scenarios.questions import Question, QuestionBank
from scenarios.rubric import Rubric

THRESHOLDS_FILE = Path(__file__).resolve().parent / "audit-thresholds.toml"

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")

SECOND_PERSON = frozenset({"you", "your", "yours", "yourself", "yourselves", "you're", "you've", "you'll", "you'd"})
QUESTION_WORDS = frozenset(
    {"what", "how", "would", "could", "can", "do", "does", "did", "is", "are", "will", "when", "where", "which", "who"}
    | {"why", "shall", "may", "have", "has", "anything", "any"}
)
TELLING = re.compile(r"\b(should|must|need to|needs to|have to|has to|let's|let us|make sure|you'll want|try to|don't)\b")
ASKING_VERBS = frozenset(
    {"ask", "asks", "asking", "explore", "explores", "exploring", "invite", "invites", "inviting", "reflect"}
    | {"reflects", "reflecting", "listen", "listens", "listening", "wonder", "wonders", "check", "checks", "checking"}
    | {"learn", "learns", "understand", "understands", "acknowledge", "acknowledges", "acknowledging"}
    | {"encourage", "encourages", "encouraging", "support", "supports", "supporting", "offer", "offers", "offering"}
)
"""Words by which a bank option sounds like the textbook answer ("ask her what ...", "explore with him ...")."""
STOPWORDS = frozenset(
    {"the", "and", "for", "that", "this", "with", "you", "your", "are", "was", "but", "not", "what", "have", "has"}
    | {"she", "her", "his", "him", "they", "them", "their", "its", "it's", "i'm", "about", "from", "just", "like"}
    | {"all", "any", "can", "could", "would", "will", "did", "does", "how", "who", "why", "when", "where", "there"}
    | {"then", "than", "some", "more", "one", "out", "get", "got", "too", "really", "been", "were", "had", "now"}
)


TEXT_STRATEGIES = ("longest", "shortest", "question", "you", "echo", "asks", "no-telling")
"""Strategies that read a response's text (not its position: responses are shuffled for trainees)."""


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if len(w) >= 3 and w not in STOPWORDS}


# Strategies -------------------------------------------------------------------------------------------------

Feature = Callable[[str, str], float]
"""A surface feature of a response's text, given the text it answers (the peer's line, or an item's stem)."""


@dataclass(frozen=True)
class Strategy:
    id: str
    title: str
    feature: Feature | None
    """None: uniform random. Otherwise the responses with the highest value are picked (ties uniformly)."""


SCENARIO_STRATEGIES: tuple[Strategy, ...] = (
    Strategy("random", "uniform random", None),
    Strategy("first", "always the first (file order)", lambda text, _: 0.0),  # by position: see picks()
    Strategy("last", "always the last (file order)", lambda text, _: 0.0),
    Strategy("longest", "the longest", lambda text, _: float(len(text))),
    Strategy("shortest", "the shortest", lambda text, _: -float(len(text))),
    Strategy("question", 'ends with "?"', lambda text, _: float(text.rstrip().endswith("?"))),
    Strategy("you", "most you/your words", lambda text, _: float(sum(w in SECOND_PERSON for w in words(text)))),
    Strategy("echo", "most words echoed from the peer", lambda text, said: float(len(content_words(text) & content_words(said)))),
    Strategy(
        "asks", "starts with a question word", lambda text, _: float(bool(words(text)) and words(text)[0] in QUESTION_WORDS)
    ),
    Strategy("no-telling", "no telling words (should, must, let's ...)", lambda text, _: float(not TELLING.search(text.lower()))),
)
"""The strategies run on scenarios: random, position (the order in the file, shown until responses are shuffled),
length, a question mark, second person, echoing the peer, a question word first, and no directive words."""

BANK_STRATEGIES: tuple[Strategy, ...] = (
    Strategy("random", "uniform random", None),
    Strategy("longest", "the longest", lambda text, _: float(len(text))),
    Strategy("shortest", "the shortest", lambda text, _: -float(len(text))),
    Strategy(
        "asking-verb", "has an asking or exploring verb", lambda text, _: float(any(w in ASKING_VERBS for w in words(text)))
    ),
    Strategy(
        "stem-words", "most words shared with the stem", lambda text, stem: float(len(content_words(text) & content_words(stem)))
    ),
    Strategy("you", "most you/your words", lambda text, _: float(sum(w in SECOND_PERSON for w in words(text)))),
)


def picks(strategy: Strategy, texts: Sequence[str], context: str) -> list[Fraction]:
    """The probability that ``strategy`` picks each of ``texts`` (ties uniform)."""
    n = len(texts)
    if strategy.feature is None:
        return [Fraction(1, n)] * n
    if strategy.id == "first":
        return [Fraction(int(i == 0)) for i in range(n)]
    if strategy.id == "last":
        return [Fraction(int(i == n - 1)) for i in range(n)]
    values = [strategy.feature(text, context) for text in texts]
    top = max(values)
    winners = [i for i, v in enumerate(values) if v == top]
    return [Fraction(1, len(winners)) if i in winners else Fraction(0) for i in range(n)]


def policy_for(strategy: Strategy) -> Callable[[str, Node], Sequence[Fraction]]:
    if strategy.feature is None:
        return uniform
    return lambda node_id, node: picks(strategy, [c.say for c in node.choices], node.peer)


# Results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioAudit:
    id: str
    decision_points: int
    results: dict[str, Expectation]


@dataclass(frozen=True)
class BankAudit:
    questions: int
    results: dict[str, Fraction]
    """Per strategy: the expected share of items answered correctly (the expected score)."""


@dataclass(frozen=True)
class LibraryFigures:
    """A strategy over the whole library: mean expected score over scenarios; shares pooled over decisions."""

    score: Fraction
    strongest_share: Fraction
    pitfall_free_share: Fraction


@dataclass
class Audit:
    scenarios: list[ScenarioAudit] = field(default_factory=list)
    bank: BankAudit | None = None

    def library(self, strategy: str) -> LibraryFigures:
        results = [s.results[strategy] for s in self.scenarios]
        decisions = sum((r.decisions for r in results), Fraction(0))
        return LibraryFigures(
            score=sum((r.score for r in results), Fraction(0)) / len(results),
            strongest_share=sum((r.strongest for r in results), Fraction(0)) / decisions,
            pitfall_free_share=sum((r.pitfall_free for r in results), Fraction(0)) / decisions,
        )

    def random_spread(self) -> tuple[Fraction, ScenarioAudit, ScenarioAudit]:
        """Uniform random play's expected score: highest minus lowest across scenarios, and which they are."""
        ordered = sorted(self.scenarios, key=lambda s: (s.results["random"].score, s.id))
        return ordered[-1].results["random"].score - ordered[0].results["random"].score, ordered[0], ordered[-1]


def audit_scenario(scenario: Scenario, rubric: Rubric, strategies: Sequence[Strategy] = SCENARIO_STRATEGIES) -> ScenarioAudit:
    return ScenarioAudit(
        scenario.id,
        len(scenario.nodes),
        {s.id: expected_play(scenario, rubric, policy_for(s)) for s in strategies},
    )


GIVEAWAY_POINTS = 10
"""In one scenario, a text strategy that picks a strongest response this many points more often than random does
is named to the author as a giveaway (the library as a whole is held to `[library] above_random`)."""

GIVEAWAY_SCORE = Fraction(65, 100)
"""...as is a text strategy expecting this score or more in the scenario."""


def scenario_rows(item: ScenarioAudit) -> list[dict[str, str]]:
    """One scenario's audit as table rows for an author: each strategy (file order left out: trainees see the
    responses shuffled) with its expected score and its shares of strongest and pitfall-free picks."""
    return [
        {
            "strategy": played.title,
            "expected score": percent(item.results[played.id].score),
            "picks a strongest response": percent(item.results[played.id].strongest_share),
            "picks a pitfall-free response": percent(item.results[played.id].pitfall_free_share),
        }
        for played in SCENARIO_STRATEGIES
        if played.id == "random" or played.id in TEXT_STRATEGIES
    ]


def giveaways(item: ScenarioAudit) -> list[str]:
    """What gives this scenario's strongest responses away, in plain words for its author (none: an empty list)."""
    random = item.results["random"]
    found = []
    for played in SCENARIO_STRATEGIES:
        if played.id not in TEXT_STRATEGIES:
            continue
        result = item.results[played.id]
        gap = (result.strongest_share - random.strongest_share) * 100
        if gap > GIVEAWAY_POINTS:
            found.append(
                f"Choosing '{played.title}' finds a strongest response {percent(result.strongest_share)} of the time, "
                f"against {percent(random.strongest_share)} for a random pick: the form of your strongest responses "
                "gives them away."
            )
        elif result.score >= GIVEAWAY_SCORE:
            found.append(
                f"Choosing '{played.title}' every time expects a score of {percent(result.score)} without reading "
                "a word: vary the form of your responses."
            )
    return found


def _question_score(strategy: Strategy, question: Question) -> Fraction:
    return picks(strategy, [o.text for o in question.options], question.stem)[question.key - 1]


def audit_bank(banks: Sequence[QuestionBank], strategies: Sequence[Strategy] = BANK_STRATEGIES) -> BankAudit | None:
    questions = [q for bank in banks for q in bank.questions]
    if not questions:
        return None
    return BankAudit(
        len(questions),
        {s.id: sum((_question_score(s, q) for q in questions), Fraction(0)) / len(questions) for s in strategies},
    )


def run_audit(scenarios: Sequence[Scenario], banks: Sequence[QuestionBank], rubric: Rubric) -> Audit:
    return Audit([audit_scenario(s, rubric) for s in scenarios], audit_bank(banks))


# Report -----------------------------------------------------------------------------------------------------


def percent(value: Fraction) -> str:
    return f"{float(value) * 100:.1f}%"


def format_audit(audit: Audit) -> str:
    lines = ["Test-wiseness audit: what text-only strategies can expect (exact; ties broken uniformly at random)", ""]
    if audit.scenarios:
        points = sum(s.decision_points for s in audit.scenarios)
        lines.append(f"Scenarios: {len(audit.scenarios)}, {points} decision points (scoring version 2)")
        lines.append(f"{'strategy':44} {'score':>7} {'strongest':>10} {'pitfall-free':>13}")
        for strategy in SCENARIO_STRATEGIES:
            figures = audit.library(strategy.id)
            lines.append(
                f"{strategy.title:44} {percent(figures.score):>7} {percent(figures.strongest_share):>10} "
                f"{percent(figures.pitfall_free_share):>13}"
            )
        lines.append("")
        lines.append("Expected score per scenario (%)")
        header = f"{'scenario':32}" + "".join(f" {s.id:>10}" for s in SCENARIO_STRATEGIES)
        lines.append(header)
        for item in audit.scenarios:
            lines.append(
                f"{item.id:32}" + "".join(f" {float(item.results[s.id].score) * 100:>10.1f}" for s in SCENARIO_STRATEGIES)
            )
        if len(audit.scenarios) > 1:
            spread, low, high = audit.random_spread()
            lines.append("")
            lines.append(
                f"Uniform random play's expected score runs from {percent(low.results['random'].score)} ({low.id}) to "
                f"{percent(high.results['random'].score)} ({high.id}): a spread of {float(spread) * 100:.1f} points "
                "(scores compare across scenarios when it is at most 10)"
            )
            outside = band_misses(audit)
            if outside:
                middle = median_random(audit)
                lines.append(
                    f"Outside a 10-point band around the median ({percent(middle)}), by how much: "
                    + ", ".join(
                        f"{item.id} {percent(item.results['random'].score)} ({float(miss) * 100:+.1f})" for item, miss in outside
                    )
                )
    if audit.bank is not None:
        lines.append("")
        lines.append(f"Question bank: {audit.bank.questions} questions (expected share answered correctly)")
        for strategy in BANK_STRATEGIES:
            lines.append(f"{strategy.title:44} {percent(audit.bank.results[strategy.id]):>7}")
    return "\n".join(lines) + "\n"


def median_random(audit: Audit) -> Fraction:
    values = sorted(item.results["random"].score for item in audit.scenarios)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def band_misses(audit: Audit) -> list[tuple[ScenarioAudit, Fraction]]:
    """Scenarios whose random expectation lies more than 5 points from the library's median, and by how much
    beyond the band (negative: below it). One way to meet P5; the content work may choose another centre."""
    middle = median_random(audit)
    half = Fraction(5, 100)
    out = []
    for item in audit.scenarios:
        value = item.results["random"].score
        if value < middle - half:
            out.append((item, value - (middle - half)))
        elif value > middle + half:
            out.append((item, value - (middle + half)))
    return out


# Thresholds -------------------------------------------------------------------------------------------------


class ThresholdError(ValueError):
    """A thresholds file that cannot be used."""


@dataclass(frozen=True)
class Thresholds:
    """Largest figures allowed, in percent (or percentage points for the spread)."""

    library_score: dict[str, float]
    library_strongest_share: dict[str, float]
    scenario_max_score: float | None
    random_spread: float | None
    bank_score: dict[str, float]
    above_random: float | None = None
    """Points by which a text strategy's share of strongest (or of pitfall-free) picks may exceed random's."""


def _table(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    current: Any = data
    for key in keys:
        current = current.get(key, {}) if isinstance(current, dict) else {}
    if not isinstance(current, dict):
        raise ThresholdError(f"[{'.'.join(keys)}] must be a table")
    return current


def _numbers(table: dict[str, Any], where: str, known: Sequence[str]) -> dict[str, float]:
    out = {}
    for key, value in table.items():
        if key not in known:
            raise ThresholdError(f"[{where}] {key}: not a strategy (known: {', '.join(known)})")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThresholdError(f"[{where}] {key}: expected a number of percent, found {value!r}")
        out[key] = float(value)
    return out


def load_thresholds(path: Path = THRESHOLDS_FILE) -> Thresholds:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ThresholdError(f"{path}: {exc}") from None
    scenario_ids = [s.id for s in SCENARIO_STRATEGIES]
    bank_ids = [s.id for s in BANK_STRATEGIES]

    def single(table: dict[str, Any], key: str, where: str) -> float | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ThresholdError(f"[{where}] {key}: expected a number, found {value!r}")
        return float(value)

    try:
        return Thresholds(
            library_score=_numbers(_table(data, "library", "score"), "library.score", scenario_ids),
            library_strongest_share=_numbers(_table(data, "library", "strongest_share"), "library.strongest_share", scenario_ids),
            scenario_max_score=single(_table(data, "scenario"), "max_score", "scenario"),
            random_spread=single(_table(data, "library"), "random_spread", "library"),
            bank_score=_numbers(_table(data, "bank", "score"), "bank.score", bank_ids),
            above_random=single(_table(data, "library"), "above_random", "library"),
        )
    except ThresholdError as exc:
        raise ThresholdError(f"{path}: {exc}") from None


def _pct(value: Fraction) -> float:
    return float(value) * 100


def exceeded(audit: Audit, thresholds: Thresholds) -> list[str]:
    """Every figure above its threshold, as a message naming the figure, the value and the limit."""
    out = []
    titles = {s.id: s.title for s in (*SCENARIO_STRATEGIES, *BANK_STRATEGIES)}
    if audit.scenarios:
        for strategy, limit in thresholds.library_score.items():
            value = _pct(audit.library(strategy).score)
            if value > limit:
                out.append(
                    f"library: '{titles[strategy]}' expects a score of {value:.1f}%, above the threshold of {limit:g}% "
                    f"([library.score] {strategy})"
                )
        for strategy, limit in thresholds.library_strongest_share.items():
            value = _pct(audit.library(strategy).strongest_share)
            if value > limit:
                out.append(
                    f"library: '{titles[strategy]}' picks a strongest response at {value:.1f}% of decisions, above the "
                    f"threshold of {limit:g}% ([library.strongest_share] {strategy})"
                )
        if thresholds.above_random is not None:
            random = audit.library("random")
            for played in SCENARIO_STRATEGIES:
                if played.id not in TEXT_STRATEGIES:
                    continue
                figures = audit.library(played.id)
                for what, share, base in (
                    ("a strongest", figures.strongest_share, random.strongest_share),
                    ("a pitfall-free", figures.pitfall_free_share, random.pitfall_free_share),
                ):
                    gap = _pct(share) - _pct(base)
                    if gap > thresholds.above_random:
                        out.append(
                            f"library: '{played.title}' picks {what} response at {_pct(share):.1f}% of decisions, "
                            f"{gap:.1f} points above uniform random's {_pct(base):.1f}% (the limit is "
                            f"{thresholds.above_random:g}: [library] above_random)"
                        )
        if thresholds.scenario_max_score is not None:
            for item in audit.scenarios:
                for played in SCENARIO_STRATEGIES:
                    if played.id not in TEXT_STRATEGIES:  # trainees see responses shuffled: file order is hidden
                        continue
                    value = _pct(item.results[played.id].score)
                    if value > thresholds.scenario_max_score:
                        out.append(
                            f"{item.id}: '{played.title}' expects a score of {value:.1f}%, above the threshold of "
                            f"{thresholds.scenario_max_score:g}% for any text strategy in one scenario ([scenario] max_score)"
                        )
        if thresholds.random_spread is not None and len(audit.scenarios) > 1:
            spread, low, high = audit.random_spread()
            if _pct(spread) > thresholds.random_spread:
                out.append(
                    f"library: uniform random play's expected score spreads {_pct(spread):.1f} points across scenarios "
                    f"({low.id} {_pct(low.results['random'].score):.1f}% to {high.id} "
                    f"{_pct(high.results['random'].score):.1f}%), above the threshold of {thresholds.random_spread:g} "
                    "([library] random_spread)"
                )
    if audit.bank is not None:
        for strategy, limit in thresholds.bank_score.items():
            value = _pct(audit.bank.results[strategy])
            if value > limit:
                out.append(
                    f"question bank: '{titles[strategy]}' answers {value:.1f}% correctly, above the threshold of "
                    f"{limit:g}% ([bank.score] {strategy})"
                )
    return out


def ceiling(value: Fraction) -> float:
    """A figure in percent rounded up to one decimal: the threshold that today's figure just meets."""
    return math.ceil(value * 1000) / 10


def thresholds_toml(audit: Audit) -> str:
    """A thresholds file set at this audit's figures (``python -m scenarios audit --write-thresholds``)."""
    lines = [
        "# Test-wiseness audit thresholds: the largest figures `python -m scenarios audit --check` allows (CI runs it).",
        "# Percent of the expected score (or of decisions); random_spread in percentage points. Set at the shipped",
        "# library's and bank's figures so that nothing gets worse; the content work lowers them. Written by",
        "# `python -m scenarios audit --write-thresholds`; see docs/writing-scenarios.md, 'The test-wiseness audit'.",
        "",
    ]
    if audit.scenarios:
        spread, _, _ = audit.random_spread()
        top = max(item.results[s].score for item in audit.scenarios for s in TEXT_STRATEGIES)
        random = audit.library("random")
        gap = max(
            max(
                audit.library(s).strongest_share - random.strongest_share,
                audit.library(s).pitfall_free_share - random.pitfall_free_share,
            )
            for s in TEXT_STRATEGIES
        )
        lines += ["[library]", "# uniform random play's expected score, highest minus lowest scenario (points)"]
        lines += [f"random_spread = {ceiling(spread)}"]
        lines += ["# points by which a text strategy's share of strongest (or pitfall-free) picks may exceed random's"]
        lines += [f"above_random = {max(ceiling(gap), 0.0)}", "", "[library.score]", "# mean expected score over the scenarios"]
        lines += [f"{s.id} = {ceiling(audit.library(s.id).score)}" for s in SCENARIO_STRATEGIES if s.id != "random"]
        lines += ["", "[library.strongest_share]", "# share of decisions that pick a strongest response"]
        lines += [f"{s.id} = {ceiling(audit.library(s.id).strongest_share)}" for s in SCENARIO_STRATEGIES if s.id != "random"]
        lines += ["", "[scenario]", "# no text strategy may expect more than this in any one scenario (the aim: below 80)"]
        lines += [f"max_score = {ceiling(top)}"]
    if audit.bank is not None:
        lines += ["", "[bank.score]"]
        lines += ["# expected share of items answered correctly"]
        lines += [f"{s.id} = {ceiling(audit.bank.results[s.id])}" for s in BANK_STRATEGIES if s.id != "random"]
    return "\n".join(lines) + "\n"


__all__ = [
    "BANK_STRATEGIES",
    "GIVEAWAY_POINTS",
    "GIVEAWAY_SCORE",
    "SCENARIO_STRATEGIES",
    "TEXT_STRATEGIES",
    "THRESHOLDS_FILE",
    "Audit",
    "BankAudit",
    "ScenarioAudit",
    "Strategy",
    "ThresholdError",
    "Thresholds",
    "audit_bank",
    "audit_scenario",
    "band_misses",
    "ceiling",
    "exceeded",
    "format_audit",
    "giveaways",
    "load_thresholds",
    "picks",
    "run_audit",
    "scenario_rows",
    "thresholds_toml",
]
