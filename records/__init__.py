"""Persistence: engine set-up, tables, migrations and repositories. Access rules are enforced here."""

from records.access import ROLES, AccessDenied, User
from records.accounts import Account, AccountError, SignInRefused
from records.audit import AuditEntry
from records.cohorts import Cohort, CohortError, Member
from records.db import UNAVAILABLE, data_dir, database_url, is_unavailable
from records.exams import Exam, ExamClosed
from records.passwords import WeakPassword
from records.store import MODES, Attempt, Decision, Finish, NotFound, StaleDecision, Store

__all__ = [
    "MODES",
    "ROLES",
    "UNAVAILABLE",
    "AccessDenied",
    "Account",
    "AccountError",
    "Attempt",
    "AuditEntry",
    "Cohort",
    "CohortError",
    "Decision",
    "Exam",
    "ExamClosed",
    "Finish",
    "Member",
    "NotFound",
    "SignInRefused",
    "StaleDecision",
    "Store",
    "User",
    "WeakPassword",
    "data_dir",
    "database_url",
    "is_unavailable",
]
