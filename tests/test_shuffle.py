"""Shuffled responses (scoring/shuffle.py): a permutation fixed by a seed and a scope, the same on every run,
machine and Python version (SHA-256, not hash() or random), different between attempts, and even-handed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from itertools import permutations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.shuffle import SHUFFLE_VERSION, choice_order, new_seed, option_order, order
from tests.helpers import ROOT

IDS = ["reflect", "plan", "mixed", "pen"]
PINNED = ["mixed", "plan", "pen", "reflect"]  # choice_order("attempt-1", "open", IDS), SHUFFLE_VERSION 1


def test_the_order_is_pinned_for_a_known_seed():
    # Pinned: a change here reorders every stored attempt, so it needs a new SHUFFLE_VERSION.
    assert SHUFFLE_VERSION == 1
    assert choice_order("attempt-1", "open", IDS) == choice_order("attempt-1", "open", list(reversed(IDS)))
    assert choice_order("attempt-1", "open", IDS) == PINNED
    assert choice_order("attempt-1", "open", IDS) == sorted(
        IDS, key=lambda i: hashlib.sha256(f"peersim-shuffle-1\x1fattempt-1\x1fnode:open\x1f{i}".encode()).digest()
    )
    assert choice_order(42, "open", IDS) == choice_order("42", "open", IDS)


def test_the_same_in_another_process_with_another_hash_seed():
    code = "from scoring.shuffle import choice_order; print(choice_order('s', 'open', ['a', 'b', 'c', 'd', 'e']))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert outputs == {f"{choice_order('s', 'open', ['a', 'b', 'c', 'd', 'e'])}\n"}


@given(st.text(max_size=20), st.text(max_size=20), st.lists(st.text(max_size=8), unique=True, max_size=6))
def test_always_a_permutation(seed, scope, items):
    shuffled = order(seed, scope, items)
    assert sorted(shuffled) == sorted(items)
    assert order(seed, scope, items) == shuffled


def test_attempts_differ_and_every_order_comes_up_about_equally():
    seen = Counter(tuple(choice_order(f"attempt-{n}", "open", IDS[:3])) for n in range(6000))
    assert set(seen) == set(permutations(IDS[:3]))
    assert all(800 <= count <= 1200 for count in seen.values()), seen  # 1000 expected each
    # Each point of one attempt gets its own order too.
    assert len({tuple(choice_order("attempt-1", f"node-{n}", IDS)) for n in range(50)}) > 10


def test_exam_options_by_form():
    assert option_order("form-7", "adv-001", 4) == [2, 3, 4, 1]
    assert option_order("form-7", "adv-001", 4) == option_order("form-7", "adv-001", 4)
    assert len({tuple(option_order(f"form-{n}", "adv-001", 4)) for n in range(100)}) > 12


def test_seeds_are_fresh_and_items_distinct():
    assert len({new_seed() for _ in range(100)}) == 100
    assert len(new_seed()) == 32
    with pytest.raises(ValueError):
        order("s", "x", ["a", "a"])
