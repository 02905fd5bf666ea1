"""Persistence: engine set-up, tables, migrations and the store. Access rules are enforced here."""

from records.db import data_dir, database_url
from records.store import MODES, AccessDenied, Attempt, Decision, Finish, NotFound, StaleDecision, Store, User, clean_name

__all__ = [
    "MODES",
    "AccessDenied",
    "Attempt",
    "Decision",
    "Finish",
    "NotFound",
    "StaleDecision",
    "Store",
    "User",
    "clean_name",
    "data_dir",
    "database_url",
]
