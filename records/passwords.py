"""Passwords: a policy in line with NIST SP 800-63B, and hashing with Argon2id (argon2-cffi).

The policy asks for length, not composition: at least 8 characters (any characters, spaces included), at most
128, and not a common, guessable or context-specific password (zxcvbn's dictionaries of common passwords,
keyboard patterns, repeats and dates, plus the person's own name and email and the word PeerSim).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
_HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why and what would work."""


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
    if result["score"] < 2:
        warning = result["feedback"].get("warning") or "This password would be easy to guess."
        raise WeakPassword(f"{warning.rstrip('.')}. Try a longer phrase of a few words that only you would put together.")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


# A hash to verify against when the account does not exist, so both cases take the same time.
DUMMY_HASH = _HASHER.hash("no such account: constant-time padding")
