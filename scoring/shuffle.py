"""Shuffled responses: the order a trainee sees a point's choices (or an exam item's options) in.

The order is a pure function of a seed and a scope, so it is the same on every reload, resume and server
restart, on every machine and Python version: each item is ranked by the SHA-256 of the seed, the scope and
its id (not Python's ``hash()``, which changes per process, nor ``random``'s global state). Store the seed (or
use one already stored, such as the attempt's id) and the order can always be shown again, in Review too.
Analytics keep working by choice id, whatever the order shown.

* Practice and studio play-test: ``choice_order(seed_of_the_attempt, node_id, choice_ids)``.
* Live class: the session's seed, so every trainee's screen shows the same order at each step.
* Mock exam: ``option_order(seed_of_the_form, question_id, 4)``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

SHUFFLE_VERSION = 1
"""Part of every hash: a future change of method gets a new version, and stored orders stay reproducible."""


def new_seed() -> str:
    """A fresh random seed to store with an attempt, a live session or an exam form (32 hex digits)."""
    return secrets.token_hex(16)


def _rank(seed: str, scope: str, item: str) -> bytes:
    return hashlib.sha256(f"peersim-shuffle-{SHUFFLE_VERSION}\x1f{seed}\x1f{scope}\x1f{item}".encode()).digest()


def order(seed: str, scope: str, items: Sequence[str]) -> list[str]:
    """``items`` in the order fixed by ``seed`` and ``scope``: a permutation, the same every time."""
    if len(set(items)) != len(items):
        raise ValueError("items to shuffle must be distinct")
    return sorted(items, key=lambda item: (_rank(seed, scope, item), item))


def choice_order(seed: str | int | None, node_id: str, choice_ids: Sequence[str]) -> list[str]:
    """The order to show a decision point's choices in, for the attempt (or live session) with ``seed``; file
    order when there is no seed (attempts from before responses were shuffled were shown in file order)."""
    if seed is None:
        return list(choice_ids)
    return order(str(seed), f"node:{node_id}", choice_ids)


def option_order(seed: str | int | None, question_id: str, count: int) -> list[int]:
    """The order (1-based option numbers) to show an exam item's options in, on the form with ``seed``; file
    order when there is no seed (forms from before options were shuffled)."""
    numbers = [str(n) for n in range(1, count + 1)]
    if seed is None:
        return list(range(1, count + 1))
    return [int(n) for n in order(str(seed), f"question:{question_id}", numbers)]


__all__ = ["SHUFFLE_VERSION", "choice_order", "new_seed", "option_order", "order"]
