"""The errors a user may see. Every refusal records/ raises for a person to read derives from :class:`UserError`:
its message is written for that person (kind, specific, naming nothing they may not know) and is safe to show as
it is. The app turns them into messages at one edge (the page or route that asked); any other exception is a bug
and is never shown.

Each class is also a standard exception (ValueError, LookupError, PermissionError), so callers that catch those
keep working.
"""

from __future__ import annotations

__all__ = [
    "AccessDenied",
    "AccountError",
    "AuthoringError",
    "BranchRefused",
    "CohortError",
    "ExamClosed",
    "LiveError",
    "NotFound",
    "ResetRefused",
    "SignInRefused",
    "StaleDecision",
    "UserError",
    "WeakPassword",
]


class UserError(Exception):
    """A request that cannot be done; the message says why and is safe to show to the person who asked."""


class AccessDenied(UserError, PermissionError):
    """The acting user may not see or change this record."""


class NotFound(UserError, LookupError):
    """No such record (or none the acting user may see)."""


class StaleDecision(UserError, ValueError):
    """A decision that does not fit the attempt's current state (an old page, another tab)."""


class AccountError(UserError, ValueError):
    """A request about an account that cannot be done."""


class SignInRefused(AccountError):
    """Wrong email or password, or too many tries; the message never says which account exists."""


class ResetRefused(AccountError):
    """A reset link that cannot be used, or a request that has to wait."""


class WeakPassword(UserError, ValueError):
    """A password the policy refuses; the message says why and what would work."""


class BranchRefused(UserError, ValueError):
    """A practice branch ("try again from this point") that cannot be started from this attempt or point."""


class CohortError(UserError, ValueError):
    """A cohort request that cannot be done."""


class ExamClosed(UserError, ValueError):
    """The exam has been submitted (or its time ran out); answers can no longer change."""


class AuthoringError(UserError, ValueError):
    """A studio request that cannot be done."""


class LiveError(UserError, ValueError):
    """A live-class request that cannot be done."""
