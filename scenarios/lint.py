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
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from scenarios.checks import Finding
from scenarios.gateway import DataPath, Problem, YamlDocument
from scenarios.model import STAGES, Node, Scenario
from scenarios.quality import node_qualities
from scenarios.questions import QuestionBank
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


# Rules across files -----------------------------------------------------------------------------------------
#
# The rules above read one scenario. The rules below read everything checked at once (``python -m scenarios
# check --lint``, by default the library and the bank): a habit of the library as a whole, like opening peer
# lines with "Okay", shows only in the count. They return located problems (``path:line:col``) themselves,
# since one warning may name places in two files.
#
#   7  fewer than 5% of peer lines start with "Okay"            10  at most 5% of bank items say NOT or EXCEPT
#   8  no rationale opening starts more than 10% of them        11  no double negatives in bank stems and options
#   9  no British spellings in anything a trainee reads         12  no bank stem names someone by a name in use

OKAY_SHARE = 0.05
"""Rule 7: fewer than 5% of peer lines may start with "Okay" (or "OK"): a stock opener flattens every voice."""

OPENING_WORDS = 3
"""Rule 8: a rationale's opening is its first three words, case-folded ("The stronger response")."""

OPENING_SHARE = 0.10
"""Rule 8: no opening may start more than 10% of the rationales (of the library's choices; of the bank's options)."""

MIN_LINES_FOR_SHARE = 100
"""Rules 7 and 8 judge a share only among at least 100 peer lines or rationales (the library has over 300 and
800): among fewer, a couple of scenarios are being checked, not a library, and one line moves the share by a point
or more."""

NEGATIVE_SHARE = 0.05
"""Rule 10: at most 5% of bank items may be phrased with NOT or EXCEPT: a negative stem tests careful reading
more than knowledge, and a trainee who misses the capital word answers the opposite question."""

MIN_ITEMS_FOR_SHARE = 20
"""Rule 10 judges the share only in a bank of at least 20 items."""

_BRITISH_STEMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("practis", "practic", ("e", "ed", "es", "ing")),
    ("behaviour", "behavior", ("", "s", "al")),
    ("centre", "center", ("", "s")),
    ("centred", "centered", ("",)),
    ("organis", "organiz", ("e", "ed", "es", "ing", "ation", "ations")),
    ("recognis", "recogniz", ("e", "ed", "es", "ing")),
    ("realis", "realiz", ("e", "ed", "es", "ing")),
    ("apologis", "apologiz", ("e", "ed", "es", "ing")),
    ("prioritis", "prioritiz", ("e", "ed", "es", "ing")),
    ("emphasis", "emphasiz", ("e", "ed", "es", "ing")),
    ("minimis", "minimiz", ("e", "ed", "es", "ing")),
    ("normalis", "normaliz", ("e", "ed", "es", "ing")),
    ("stigmatis", "stigmatiz", ("e", "ed", "es", "ing")),
    ("criticis", "criticiz", ("e", "ed", "es", "ing")),
    ("summaris", "summariz", ("e", "ed", "es", "ing")),
    ("counsell", "counsel", ("ing", "ed", "or", "ors")),
    ("labell", "label", ("ed", "ing")),
    ("modell", "model", ("ed", "ing")),
    ("travell", "travel", ("ed", "ing", "er", "ers")),
    ("cancell", "cancel", ("ed", "ing")),
    ("colour", "color", ("", "s", "ed", "ful")),
    ("favour", "favor", ("", "s", "ed", "ite", "ites", "able")),
    ("honour", "honor", ("", "s", "ed", "ing", "able")),
    ("neighbour", "neighbor", ("", "s", "hood", "hoods")),
    ("labour", "labor", ("",)),
    ("humour", "humor", ("",)),
    ("programme", "program", ("", "s")),
    ("judgement", "judgment", ("", "s")),
    ("licence", "license", ("",)),
    ("defence", "defense", ("",)),
    ("offence", "offense", ("", "s")),
    ("analys", "analyz", ("e", "ed", "ing")),
    ("enrol", "enroll", ("", "s", "ment")),
    ("fulfil", "fulfill", ("", "s", "ment")),
    ("whilst", "while", ("",)),
    ("amongst", "among", ("",)),
    ("learnt", "learned", ("",)),
    ("mum", "mom", ("", "s")),
    ("sceptic", "skeptic", ("", "al", "ism")),
)
BRITISH: dict[str, str] = {stem + ending: us + ending for stem, us, endings in _BRITISH_STEMS for ending in endings}
"""Rule 9: British spellings (and their US English forms) that user-facing text must not use: a short list of
the ones that turn up in writing about peer work, not a dictionary."""

_NEGATIVE_STEM = re.compile(r"\b(NOT|EXCEPT)\b")
_NEGATION = frozenset({"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "cannot"})
_UN_WORDS = frozenset(
    {"unusual", "uncommon", "unlike", "unlikely", "unhelpful", "unimportant", "unreasonable", "unwise", "unsafe"}
    | {"unkind", "unfair", "unclear", "unable", "unaware", "unwilling", "unheard"}
)
"""Rule 11: negative adjectives that make a double negative after a negation ("not unusual")."""
_NAME = re.compile(r"\b[A-Z][a-zà-ÿ]+(?:-[A-Za-zà-ÿ]+)?\b")
_INTRODUCED = re.compile(r"\b([A-Z][a-zà-ÿ]+(?:-[a-zà-ÿ]+)?), (?:a |an )?\d{1,3}\b")
"""Rule 12: how a bank stem introduces a person, by first name and age ("Tenzin, 45," or "Dev, a 22-year-old")."""


def _located(doc: YamlDocument, path: DataPath) -> str:
    where = doc.locate(path)
    return f"{doc.source}:{where.line}"


def _peer_lines(scenario: Scenario) -> list[tuple[DataPath, str]]:
    lines: list[tuple[DataPath, str]] = [(("nodes", n, "peer"), node.peer) for n, node in scenario.nodes.items()]
    return lines + [(("endings", e, "peer"), ending.peer) for e, ending in scenario.endings.items()]


def _scenario_texts(scenario: Scenario) -> list[tuple[DataPath, str]]:
    """Every text a trainee reads in a scenario, with its path."""
    texts: list[tuple[DataPath, str]] = [(("title",), scenario.title), (("summary",), scenario.summary)]
    if scenario.content_note:
        texts.append((("content_note",), scenario.content_note))
    texts.append((("peer", "about"), scenario.peer.about))
    for node_id, node in scenario.nodes.items():
        if node.scene:
            texts.append((("nodes", node_id, "scene"), node.scene))
        texts.append((("nodes", node_id, "peer"), node.peer))
        for index, choice in enumerate(node.choices):
            texts.append((("nodes", node_id, "choices", index, "say"), choice.say))
            texts.append((("nodes", node_id, "choices", index, "why"), choice.why))
    for ending_id, ending in scenario.endings.items():
        if ending.title:
            texts.append((("endings", ending_id, "title"), ending.title))
        texts.append((("endings", ending_id, "peer"), ending.peer))
        texts.append((("endings", ending_id, "debrief"), ending.debrief))
    return texts


def _bank_texts(bank: QuestionBank) -> list[tuple[DataPath, str]]:
    texts: list[tuple[DataPath, str]] = []
    for index, question in enumerate(bank.questions):
        texts.append((("questions", index, "stem"), question.stem))
        for position, option in enumerate(question.options):
            texts.append((("questions", index, "options", position, "text"), option.text))
            texts.append((("questions", index, "options", position, "why"), option.why))
    return texts


def _share(count: int, total: int) -> str:
    return f"{count} of {total} ({count / total:.1%})"


def lint_collection(
    scenarios: Sequence[tuple[YamlDocument, Scenario]], banks: Sequence[tuple[YamlDocument, QuestionBank]] = ()
) -> list[Problem]:
    """The warnings of the rules across files, for everything checked at once, each at its place."""
    problems: list[Problem] = []
    problems += _okay_openers(scenarios)
    whys = [(doc, path, text) for doc, s in scenarios for path, text in _scenario_texts(s) if path[-1] == "why"]
    problems += _rationale_openings(whys, "the library's choices")
    bank_whys = [(doc, path, text) for doc, b in banks for path, text in _bank_texts(b) if path[-1] == "why"]
    problems += _rationale_openings(bank_whys, "the bank's options")
    texts = [(doc, path, text) for doc, s in scenarios for path, text in _scenario_texts(s)]
    texts += [(doc, path, text) for doc, b in banks for path, text in _bank_texts(b)]
    problems += _british_spellings(texts)
    problems += _negative_stems(banks)
    problems += _double_negatives(banks)
    problems += _names_in_stems(scenarios, banks)
    return problems


# Rule 7 -------------------------------------------------------------------------------------------------


def _okay_openers(scenarios: Sequence[tuple[YamlDocument, Scenario]]) -> list[Problem]:
    """Too many peer lines start with "Okay": each of them, with the share and the limit."""
    lines = [(doc, path, text) for doc, scenario in scenarios for path, text in _peer_lines(scenario)]
    okay = [(doc, path) for doc, path, text in lines if _words(text)[:1] in (["okay"], ["ok"])]
    if len(lines) < MIN_LINES_FOR_SHARE or len(okay) < OKAY_SHARE * len(lines):
        return []
    return [
        doc.problem(
            path,
            f"{_share(len(okay), len(lines))} peer lines start with 'Okay', and the limit is under {OKAY_SHARE:.0%}: "
            "a stock opener makes every peer sound alike; open this line the way this person would",
            severity="warning",
        )
        for doc, path in okay
    ]


# Rule 8 -------------------------------------------------------------------------------------------------


def _rationale_openings(whys: Sequence[tuple[YamlDocument, DataPath, str]], what: str) -> list[Problem]:
    """An opening (first three words) that starts more than 10% of the rationales: one warning, at its first use."""
    if len(whys) < MIN_LINES_FOR_SHARE:
        return []
    by_opening: dict[str, list[tuple[YamlDocument, DataPath]]] = {}
    for doc, path, text in whys:
        opening = " ".join(_words(text)[:OPENING_WORDS])
        by_opening.setdefault(opening, []).append((doc, path))
    problems = []
    for opening, places in by_opening.items():
        if len(places) <= OPENING_SHARE * len(whys):
            continue
        doc, path = places[0]
        files = len({d.source for d, _ in places})
        problems.append(
            doc.problem(
                path,
                f"{_share(len(places), len(whys))} rationales of {what} open with '{opening}' (here first, in "
                f"{files} file{'s' if files > 1 else ''}), and the limit is {OPENING_SHARE:.0%}: a stock opening "
                "reads as a formula; start with the substance, in words that fit this response",
                severity="warning",
            )
        )
    return problems


# Rule 9 -------------------------------------------------------------------------------------------------


def _british_spellings(texts: Sequence[tuple[YamlDocument, DataPath, str]]) -> list[Problem]:
    """Each British spelling in user-facing text, with its US English form."""
    problems = []
    for doc, path, text in texts:
        seen: list[str] = []
        for word in re.findall(r"[A-Za-z]+", text):
            lowered = word.lower()
            if lowered in BRITISH and lowered not in seen:
                seen.append(lowered)
                problems.append(
                    doc.problem(
                        path,
                        f"British spelling '{word}': PeerSim is written in US English ('{BRITISH[lowered]}')",
                        severity="warning",
                    )
                )
    return problems


# Rule 10 ------------------------------------------------------------------------------------------------


def _negative_stems(banks: Sequence[tuple[YamlDocument, QuestionBank]]) -> list[Problem]:
    """More than 5% of the bank's items phrased with NOT or EXCEPT: one warning, at the first of them."""
    items = [(doc, index, q) for doc, bank in banks for index, q in enumerate(bank.questions)]
    negative = [(doc, index) for doc, index, q in items if _NEGATIVE_STEM.search(q.stem)]
    if len(items) < MIN_ITEMS_FOR_SHARE or len(negative) <= NEGATIVE_SHARE * len(items):
        return []
    doc, index = negative[0]
    allowed = int(NEGATIVE_SHARE * len(items))
    return [
        doc.problem(
            ("questions", index, "stem"),
            f"{_share(len(negative), len(items))} bank items are phrased with NOT or EXCEPT (here first), and the limit "
            f"is {NEGATIVE_SHARE:.0%} ({allowed} of {len(items)}): a negative stem tests careful reading more than "
            "knowledge; ask some of them the positive way",
            severity="warning",
        )
    ]


# Rule 11 ------------------------------------------------------------------------------------------------


def _negations(text: str) -> list[str]:
    return [w for w in _words(text) if _is_negation(w)]


def _double_negatives(banks: Sequence[tuple[YamlDocument, QuestionBank]]) -> list[Problem]:
    """An option of a NOT/EXCEPT item that is itself negative, and any stem or option with two negations in a row."""
    problems = []
    for doc, bank in banks:
        for index, question in enumerate(bank.questions):
            negative_stem = _NEGATIVE_STEM.search(question.stem)
            parts: list[tuple[DataPath, str]] = [(("questions", index, "stem"), question.stem)]
            parts += [(("questions", index, "options", p, "text"), o.text) for p, o in enumerate(question.options)]
            for path, text in parts:
                found = _negations(text)
                if negative_stem and path[-1] == "text" and found:
                    problems.append(
                        doc.problem(
                            path,
                            f"double negative: the stem asks which is {negative_stem.group(1)}, and this option says "
                            f"'{found[0]}'; a trainee has to undo two negatives to judge it, so say it the positive way",
                            severity="warning",
                        )
                    )
                elif pair := _adjacent_negations(text):
                    problems.append(doc.problem(path, f"double negative ('{pair}'): say it the positive way", severity="warning"))
    return problems


def _is_negation(word: str) -> bool:
    return word in _NEGATION or word.endswith("n't")


def _adjacent_negations(text: str) -> str:
    """Two negations within three words in one sentence ("never ... without"), or "not" before "unusual" and kin."""
    for sentence in re.split(r"[.;:!?]", text):
        said = _words(sentence)
        for i, word in enumerate(said):
            if not _is_negation(word):
                continue
            for j in range(i + 1, min(i + 4, len(said))):
                if _is_negation(said[j]) or (j == i + 1 and said[j] in _UN_WORDS):
                    return " ".join(said[i : j + 1])
    return ""


# Rule 12 ------------------------------------------------------------------------------------------------


def _introduced(stem: str) -> list[str]:
    """First names a stem introduces the bank's way, by name and age ("Tenzin, 45, ...")."""
    return list(dict.fromkeys(_INTRODUCED.findall(stem)))


def _names_in_stems(
    scenarios: Sequence[tuple[YamlDocument, Scenario]], banks: Sequence[tuple[YamlDocument, QuestionBank]]
) -> list[Problem]:
    """A bank stem naming someone by a name the library uses (for its peer or anyone else), or that an earlier
    bank item already gave to another person: two people, one name."""
    peers: dict[str, str] = {}
    for doc, scenario in scenarios:
        peers.setdefault(scenario.peer.name.split()[0], _located(doc, ("peer", "name")))
    texts = [(doc, path, text) for doc, scenario in scenarios for path, text in _scenario_texts(scenario)]
    seen: dict[str, str] = {}
    problems = []
    for doc, bank in banks:
        for index, question in enumerate(bank.questions):
            here: DataPath = ("questions", index, "stem")
            introduced = _introduced(question.stem)
            named = introduced + [n for n in dict.fromkeys(_NAME.findall(question.stem)) if n in peers and n not in introduced]
            for name in named:
                where = f"the peer in {peers[name]}" if name in peers else _library_mention(texts, name)
                if where:
                    problems.append(_name_warning(doc, here, question.id, name, where))
                elif name in seen:
                    problems.append(_name_warning(doc, here, question.id, name, seen[name]))
                seen.setdefault(name, f"the person in '{question.id}' ({_located(doc, here)})")
    return problems


def _library_mention(texts: Sequence[tuple[YamlDocument, DataPath, str]], name: str) -> str:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for doc, path, text in texts:
        if pattern.search(text):
            return f"a person in {_located(doc, path)}"
    return ""


def _name_warning(doc: YamlDocument, path: DataPath, question_id: str, name: str, where: str) -> Problem:
    return doc.problem(
        path,
        f"'{question_id}' names '{name}', the name of {where}: a trainee may take them for one person; choose a name "
        "used nowhere else in the library or the bank",
        severity="warning",
    )
