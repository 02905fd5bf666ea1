"""How alike two exam items are: the measure behind the question bank's near-duplicate check.

An exam form draws its items from the whole bank, so two items that ask the same thing with the same answer
let one give the other away: a trainee who has just read "Acknowledge that feeling overwhelmed is human, then
return to one manageable step" needs no judgement for the next item about an overwhelming plan. The check
compares what gives an item away, its stem and its key (the correct option), and leaves out the distractors,
which may well look alike across items on one topic.

The measure is the cosine similarity of two bags of features built from stem + key:

* content words: lower-cased, a light suffix strip (``-ing``, ``-ed``, ``-es``, ``-s``, ``-ly``) so that
  "overwhelmed" and "overwhelming" meet, and without stop words or the exam's own boilerplate ("peer",
  "specialist", "training", "most helpful response", "which of these is NOT"), which every item shares;
* word pairs (bigrams) in which at least one word is a content word, so that a phrase an item repeats
  ("one manageable step", "gladly work on it") counts for more than its words scattered over a stem.

Pure standard library: no model, no network, the same figure on every machine.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

NEAR_DUPLICATE = 0.37
"""Items whose stem + key reach this similarity are near-duplicates (an error in ``python -m scenarios check``).

Set by the pairs it caught in the bank as it stood when the check came in (six files, 199 items, 19,701 pairs).
The eleven pairs at 0.39 and above were all the same item written twice, or an item whose key answers the other
outright: adv-016/eth-010 (0.75), men-023/rwb-025 (0.70), adv-010/eth-023 (0.58), eth-009/men-006 (0.50),
men-008/rwb-005 (0.46), adv-032/men-012 (0.46), adv-032/men-002 (0.45), men-007/rwb-006 (0.43), eth-014/men-013
(0.42), rwb-020/rwa-012 (0.40) and men-014/rwb-024 (0.39). The next pair down, rwb-011/rwb-030 (0.35: two NOT
items, one on celebrating progress, one on monitoring it), asks something different, as do the pairs below it (a
principle and a scenario that applies it, two items on one criterion). 0.37 sits in that gap. Those eleven pairs
have since been rewritten; in the bank of 303 items the highest pair is 0.34."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SUFFIXES = ("ing", "ed", "es", "s", "ly")
_MIN_STEM = 4

STOPWORDS = frozenset(
    {"the", "and", "for", "that", "this", "with", "you", "your", "are", "was", "but", "not", "what", "have", "has"}
    | {"she", "her", "his", "him", "they", "them", "their", "its", "it's", "i'm", "about", "from", "just", "like"}
    | {"all", "any", "can", "could", "would", "will", "did", "does", "how", "who", "why", "when", "where", "there"}
    | {"then", "than", "some", "more", "one", "out", "get", "got", "too", "really", "been", "were", "had", "now"}
    | {"these", "those", "which", "into", "because", "while", "also", "each", "very", "being", "its", "our"}
)
"""Function words: shared by any two English sentences, so they say nothing about two items being alike."""

BOILERPLATE = frozenset(
    {"peer", "peers", "specialist", "specialists", "training", "course", "courses", "response", "responses"}
    | {"helpful", "most", "best", "according", "recommend", "recommends", "approach", "next", "step", "statement"}
    | {"mean", "means", "person", "people", "should", "except"}
)
"""The exam's own scaffolding ("According to peer specialist training, what is the most helpful response?")."""


def _strip(word: str) -> str:
    word = word.split("'")[0]
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def _is_content(word: str) -> bool:
    return len(word) >= 3 and word not in STOPWORDS and word not in BOILERPLATE


def features(*texts: str) -> Counter[str]:
    """The bag of content words and content-bearing word pairs of ``texts`` (pairs do not cross texts)."""
    bag: Counter[str] = Counter()
    for text in texts:
        raw = _WORD.findall(text.lower().replace("’", "'"))
        stems = [_strip(w) for w in raw]
        bag.update(s for w, s in zip(raw, stems, strict=True) if _is_content(w))
        for i in range(len(raw) - 1):
            if _is_content(raw[i]) or _is_content(raw[i + 1]):
                bag[f"{stems[i]} {stems[i + 1]}"] += 1
    return bag


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """The cosine of the angle between two bags (0 when either is empty)."""
    dot = sum(count * b[feature] for feature, count in a.items() if feature in b)
    norm = math.sqrt(sum(c * c for c in a.values()) * sum(c * c for c in b.values()))
    return dot / norm if norm else 0.0


def similarity(stem_a: str, key_a: str, stem_b: str, key_b: str) -> float:
    """How alike two items are, from 0 (nothing in common) to 1 (the same words)."""
    return cosine(features(stem_a, key_a), features(stem_b, key_b))


@dataclass(frozen=True)
class Pair:
    """Two items (their positions in the list given) and their similarity."""

    first: int
    second: int
    score: float


def near_duplicates(items: Sequence[tuple[str, str]], threshold: float = NEAR_DUPLICATE) -> list[Pair]:
    """Every pair of ``items`` (stem, key) whose similarity reaches ``threshold``, in list order."""
    bags = [features(stem, key) for stem, key in items]
    found = []
    for i, first in enumerate(bags):
        for j in range(i + 1, len(bags)):
            score = cosine(first, bags[j])
            if score >= threshold:
                found.append(Pair(i, j, score))
    return found
