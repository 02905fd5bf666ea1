"""The teaching lint: warnings about scenarios that load and play, but teach less well than they could.

The checks in :mod:`scenarios.checks` make sure a scenario *works*. The lint looks for things an instructor
would want to change before a class sees the scenario: answers that give themselves away, feedback that does
not show the way to a stronger response, peer lines that read like a textbook, readiness that leaps.

Every rule returns warnings (never errors) as :class:`~scenarios.checks.Finding` objects naming a data path,
which the loader turns into ``path:line:col`` through the gateway's location map, like every other check.
``python -m scenarios check --lint`` prints them; the studio page shows them. The rules, their thresholds and
the reasons for them are listed in ``docs/writing-scenarios.md`` ("The teaching lint").
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from scenarios.checks import Finding
from scenarios.gateway import DataPath
from scenarios.model import STAGES, Node, Scenario
from scenarios.quality import node_qualities
from scenarios.rubric import Rubric

MIN_NODES_FOR_POSITION = 3
"""Rule 1 looks at scenarios with at least this many nodes: with fewer, a shared position is easily chance."""

LENGTH_MARGIN = 1.5
"""Rule 2: the strongest choice is "clearly" the longest when it has at least 1.5 times the characters of the
next longest choice, and "clearly" the shortest when the next shortest has at least 1.5 times its characters."""

STRONGER_CUES: tuple[str, ...] = (
    "stronger",
    "better response",
    "better choice",
    "better move",
    "instead",
    "rather than",
    "what helps",
    "would help more",
)
"""Rule 4: words and phrases by which a pitfall's ``why`` points the trainee to a stronger response."""

QUOTE_WORDS = 4
"""Rule 4: a ``why`` that repeats this many words in a row from the ``better`` choice's ``say`` points to it."""

MAX_GRADE = 9.0
"""Rule 5: peer lines above this Flesch-Kincaid grade get a warning (the guide asks for grade 6 to 8)."""

MIN_WORDS_FOR_GRADE = 20
"""Rule 5: lines with fewer words are not graded. The formula averages sentence length and syllables per word,
so on a short line one long word moves the grade by two or more."""

MAX_STAGE_JUMP = 2
"""Rule 6: a peer's readiness may rise at most two stages from one node to the next (setbacks may drop further)."""

_ORDINALS = ("first", "second", "third", "fourth", "fifth")
_NUMBERS = ("zero", "one", "two", "three", "four", "five")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def lint_scenario(scenario: Scenario, rubric: Rubric) -> list[Finding]:
    """Every teaching warning for a scenario that has already passed :func:`scenarios.checks.check_scenario`."""
    findings: list[Finding] = []
    findings.extend(_position_giveaway(scenario, rubric))
    for node_id, node in scenario.nodes.items():
        findings.extend(_length_giveaway(node_id, node, rubric))
        findings.extend(_pitfall_why(node_id, node, rubric))
    findings.extend(_quality_left_to_tags(scenario, rubric))
    findings.extend(_reading_grade(scenario))
    findings.extend(_readiness_jumps(scenario))
    return findings


def _warning(path: DataPath, message: str, *, at_key: bool = False) -> Finding:
    return Finding(path, message, severity="warning", at_key=at_key)


def _strongest(node: Node, rubric: Rubric) -> list[int]:
    """Positions (0-based) of the choices marked strongest at a node."""
    return [index for index, quality in enumerate(node_qualities(node, rubric)) if quality == "strongest"]


# Rule 1 -------------------------------------------------------------------------------------------------


def _position_giveaway(scenario: Scenario, rubric: Rubric) -> list[Finding]:
    """The strongest choice (or one of the strongest, on a tie) stands at the same place in every node."""
    if len(scenario.nodes) < MIN_NODES_FOR_POSITION:
        return []
    common: set[int | str] | None = None
    for node in scenario.nodes.values():
        top = _strongest(node, rubric)
        places: set[int | str] = set(top)
        if len(node.choices) - 1 in top:
            places.add("last")
        common = places if common is None else common & places
    if not common:
        return []
    ordinal = sorted(p for p in common if isinstance(p, int))
    where = f"the {_ORDINALS[ordinal[0]]} choice" if ordinal else "the last choice"
    return [
        _warning(
            ("nodes",),
            f"in all {len(scenario.nodes)} nodes the strongest choice is {where}, so a trainee can score well by "
            f"always picking {where}; move the strongest choice to a different place in some nodes",
            at_key=True,
        )
    ]


# Rule 2 -------------------------------------------------------------------------------------------------


def _length_giveaway(node_id: str, node: Node, rubric: Rubric) -> list[Finding]:
    """The one strongest choice is clearly the longest or clearly the shortest of its node's choices."""
    top = _strongest(node, rubric)
    if len(top) != 1:
        return []
    best = node.choices[top[0]]
    mine = len(best.say)
    others = [len(c.say) for i, c in enumerate(node.choices) if i != top[0]]
    here: DataPath = ("nodes", node_id, "choices", top[0], "say")
    if mine >= LENGTH_MARGIN * max(others):
        return [
            _warning(
                here,
                f"the strongest choice '{best.id}' is much the longest in node '{node_id}' ({mine} characters; the next "
                f"longest has {max(others)}), so its length gives it away; shorten it or give the other choices more to say",
            )
        ]
    if min(others) >= LENGTH_MARGIN * mine:
        return [
            _warning(
                here,
                f"the strongest choice '{best.id}' is much the shortest in node '{node_id}' ({mine} characters; the next "
                f"shortest has {min(others)}), so its length gives it away; let it say a little more or trim the other choices",
            )
        ]
    return []


# Rule 3 -------------------------------------------------------------------------------------------------


def _quality_left_to_tags(scenario: Scenario, rubric: Rubric) -> list[Finding]:
    """Choices without ``quality:`` are scored by what their criteria suggest; the author should say."""
    missing = [
        (node_id, index, quality)
        for node_id, node in scenario.nodes.items()
        for index, quality in enumerate(node_qualities(node, rubric))
        if node.choices[index].quality is None
    ]
    if not missing:
        return []
    node_id, index, quality = missing[0]
    choice = scenario.nodes[node_id].choices[index]
    others = f" and {len(missing) - 1} other choice{'s' if len(missing) > 2 else ''}" if len(missing) > 1 else ""
    return [
        _warning(
            ("nodes", node_id, "choices", index, "criteria"),
            f"choice '{choice.id}'{others} set no 'quality:', so their criteria decide it (this one counts as "
            f"{quality}); say how good each response is yourself (strongest, helpful, mixed or pitfall), so the score "
            "follows your judgement and not the number of criteria",
        )
    ]


# Rule 4 -------------------------------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def _quotes(why: str, say: str, run: int = QUOTE_WORDS) -> bool:
    """Whether ``why`` repeats ``run`` words in a row from ``say`` (case and punctuation ignored)."""
    said = _words(say)
    wanted = {tuple(said[i : i + run]) for i in range(len(said) - run + 1)}
    written = _words(why)
    return any(tuple(written[i : i + run]) in wanted for i in range(len(written) - run + 1))


def _points_onward(why: str) -> bool:
    lowered = why.lower().replace("’", "'")
    return any(re.search(rf"\b{re.escape(cue)}\b", lowered) for cue in STRONGER_CUES)


def _pitfall_why(node_id: str, node: Node, rubric: Rubric) -> list[Finding]:
    """A pitfall choice whose feedback names no stronger response (no cue word, no quote of the better choice)."""
    by_id = {c.id: c for c in node.choices}
    findings = []
    for index, choice in enumerate(node.choices):
        if not rubric.is_pitfall_choice(choice.criteria) or _points_onward(choice.why):
            continue
        better = by_id.get(choice.better) if choice.better else None
        if better is not None and _quotes(choice.why, better.say):
            continue
        named = f"what the better choice '{better.id}' does" if better is not None else "what a stronger response does"
        findings.append(
            _warning(
                ("nodes", node_id, "choices", index, "why"),
                f"the why of pitfall choice '{choice.id}' does not point to a stronger response; add a sentence on "
                f"{named} differently (for example 'The stronger response ...')",
            )
        )
    return findings


# Rule 5 -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _readability() -> Any:
    """textstat with syllables counted by pyphen's US English hyphenation, offline and the same on every machine.

    For ``en_US`` textstat 0.7.13 looks words up in NLTK's CMU dictionary, which NLTK downloads at run time;
    this package is pure (no network), so it names the language ``en-US``: pyphen reads that as US English,
    and textstat, which only treats a code of the form ``en_XX`` as English, uses pyphen alone. Pyphen is also
    what textstat itself falls back on for a word the dictionary lacks.
    """
    from textstat.textstat import textstatistics  # type: ignore[import-untyped]  # imported late: it loads nltk

    stats = textstatistics()
    stats.set_lang("en-US")
    stats.set_rounding_points(None)
    return stats


def reading_grade(text: str) -> tuple[float, int]:
    """The Flesch-Kincaid grade of ``text`` and its number of words (textstat's counts)."""
    stats = _readability()
    return float(stats.flesch_kincaid_grade(text)), int(stats.lexicon_count(text))


def _reading_grade(scenario: Scenario) -> list[Finding]:
    lines: list[tuple[DataPath, str]] = [(("nodes", n, "peer"), node.peer) for n, node in scenario.nodes.items()]
    lines += [(("endings", e, "peer"), ending.peer) for e, ending in scenario.endings.items()]
    findings = []
    for path, text in lines:
        grade, words = reading_grade(text)
        if words >= MIN_WORDS_FOR_GRADE and grade > MAX_GRADE:
            findings.append(
                _warning(
                    path,
                    f"{scenario.peer.name}'s line reads at grade {grade:.1f} (Flesch-Kincaid; aim for 6 to 8, at most "
                    f"{MAX_GRADE:g}); people talk in short sentences and everyday words, so split long sentences and "
                    "swap long words for plain ones",
                )
            )
    return findings


# Rule 6 -------------------------------------------------------------------------------------------------


def _readiness_jumps(scenario: Scenario) -> list[Finding]:
    """A node leading to a node where the peer is more than two readiness stages further on."""
    findings = []
    for node_id, node in scenario.nodes.items():
        seen: set[str] = set()
        for index, choice in enumerate(node.choices):
            target = scenario.nodes.get(choice.next)
            if target is None or choice.next in seen:
                continue
            seen.add(choice.next)
            jump = STAGES.index(target.readiness) - STAGES.index(node.readiness)
            if jump <= MAX_STAGE_JUMP:
                continue
            findings.append(
                _warning(
                    ("nodes", node_id, "choices", index, "next"),
                    f"node '{node_id}' (readiness: {node.readiness}) leads straight to node '{choice.next}' "
                    f"(readiness: {target.readiness}), {_NUMBERS[jump]} stages further on in one turn; readiness grows "
                    "a stage or two at a time, so give one of them a readiness in between, or add a node where the "
                    "peer gets there",
                )
            )
    return findings
