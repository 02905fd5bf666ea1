"""Persistence: engine set-up, tables, migrations and repositories. Access rules are enforced here.

A stack (docs/architecture.md): the foundation (db, tables, clock, access, audit, throttle, errors, ...), row-level
helpers that take a connection, one repository per feature, and the Store facade on top. These names are what
ui/ and pages/ use."""

from records.access import ROLES, User
from records.accounts import Account
from records.audit import AuditEntry
from records.cohort_rows import Cohort
from records.cohorts import Member
from records.db import UNAVAILABLE, data_dir, database_url, is_unavailable
from records.decisions import MODES, Attempt, Decision, Finish
from records.errors import (
    AccessDenied,
    AccountError,
    AuthoringError,
    CohortError,
    ExamClosed,
    LiveError,
    NotFound,
    ResetRefused,
    SignInRefused,
    StaleDecision,
    UserError,
    WeakPassword,
)
from records.exams import Exam
from records.store import Store

__all__ = [
    "MODES",
    "ROLES",
    "UNAVAILABLE",
    "AccessDenied",
    "Account",
    "AccountError",
    "Attempt",
    "AuditEntry",
    "AuthoringError",
    "Cohort",
    "CohortError",
    "Decision",
    "Exam",
    "ExamClosed",
    "Finish",
    "LiveError",
    "Member",
    "NotFound",
    "ResetRefused",
    "SignInRefused",
    "StaleDecision",
    "Store",
    "User",
    "UserError",
    "WeakPassword",
    "data_dir",
    "database_url",
    "is_unavailable",
]
