"""Passwords: a policy in line with NIST SP 800-63B, and hashing with Argon2id (argon2-cffi).

The policy asks for length, not composition: at least 8 characters (any characters, spaces included), at most
128, and not a common, guessable or context-specific password (zxcvbn's dictionaries of common passwords,
keyboard patterns, repeats, dates and word-year-symbol patterns like "Summer2026!", plus the person's own name and email and the word PeerSim).
"""

from __future__ import annotations

import os
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

from records.errors import WeakPassword

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_SCORE = 3
"""zxcvbn's score 3 (about 10^8 guesses or more): a season or name with a year and a symbol ("Summer2026!")
scores 2 and is refused; a phrase of a few unrelated words passes easily."""
_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
_SLOTS = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) - 1))
"""Argon2 costs about a fifth of a second of CPU by design. Hashing and checking take turns on all cores but one,
so a burst of sign-in posts (a class arriving, or a flood) never takes the CPU that signed-in trainees need."""


def check_password(password: str, *, name: str = "", email: str = "") -> None:
    """Raise WeakPassword with a kind, specific message if ``password`` should not be used."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(
            f"Please use at least {MIN_LENGTH} characters. A few unrelated words with spaces make a strong password."
        )
    if len(password) > MAX_LENGTH:
        raise WeakPassword(f"Please keep the password to {MAX_LENGTH} characters or fewer.")
    context = [part for part in (name, email, email.split("@")[0], "peersim", "peer", "specialist") if part]
    result = zxcvbn(password[:100], user_inputs=context)
    if result["score"] < MIN_SCORE:
        warning = result["feedback"].get("warning") or "This password would be easy to guess."
        raise WeakPassword(f"{warning.rstrip('.')}. Try a longer phrase of a few words that only you would put together.")


def hash_password(password: str) -> str:
    with _SLOTS:
        return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        with _SLOTS:
            return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


# A hash to verify against when the account does not exist, so both cases take the same time.
DUMMY_HASH = _HASHER.hash("no such account: constant-time padding")
