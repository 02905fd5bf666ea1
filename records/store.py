"""The Store: one object per server process that hands out every repository on one engine. A thin facade, as
sqlite-utils' ``Database`` hands out tables: it holds no rules and nothing inside records/ imports it. Access is
checked, and transactions are owned, by the repositories (records/access.py says who may see what).

``Store.open()`` creates the engine and applies the migrations. The practice repository's methods are also
offered here by the names the app has always used (``store.start_attempt``, ``store.decisions``, ...), and
``store.export`` is the personal data export.
"""

from __future__ import annotations

from sqlalchemy import Engine

from records import audit, db
from records.access import AccessDenied, User
from records.accounts import Accounts
from records.analytics import CohortRecords
from records.assignments import Assignments
from records.authored import Authoring
from records.cohorts import Cohorts
from records.decisions import MODES, Attempt, Decision, Finish
from records.errors import NotFound, StaleDecision
from records.exams import Exams
from records.export import Exports, UserExport
from records.invitations import Invitations
from records.live import LiveSessions
from records.lti import Lti
from records.practice import Practice
from records.recovery import Recovery
from records.rescore import Rescoring
from records.spaced import SpacedReview
from records.xapi import XapiOutbox
from scenarios import Rubric
from scoring import default_rubric

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
    "UserExport",
]


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.accounts = Accounts(engine)
        self.analytics = CohortRecords(engine)
        self.assignments = Assignments(engine)
        self.audit = audit.Audit(engine)
        self.authored = Authoring(engine)
        self.cohorts = Cohorts(engine)
        self.exams = Exams(engine)
        self.exports = Exports(engine)
        self.invitations = Invitations(engine)
        self.live = LiveSessions(engine)
        self.lti = Lti(engine)
        self.practice = Practice(engine)
        self.recovery = Recovery(engine)
        self.rescoring = Rescoring(engine)
        self.reviews = SpacedReview(engine)
        self.xapi = XapiOutbox(engine)
        # The practice repository under the names the pages and tests have always used.
        self.start_attempt = self.practice.start_attempt
        self.attempt = self.practice.attempt
        self.playing = self.practice.playing
        self.active_attempts = self.practice.active_attempts
        self.attempts_of = self.practice.attempts_of
        self.decisions = self.practice.decisions
        self.record_choice = self.practice.record_choice
        self.record_decision = self.practice.record_decision
        self.finish_attempt = self.practice.finish_attempt
        self.leave_attempt = self.practice.leave_attempt
        self.attempts_frame = self.practice.attempts_frame
        self.hits_frame = self.practice.hits_frame
        self.remember_version = self.practice.remember_version
        self.version_source = self.practice.version_source
        self.export = self.exports.user

    @classmethod
    def open(cls, url: str | None = None, *, rubric: Rubric | None = None) -> Store:
        """The engine, migrated, with every attempt scored under the current scoring version (records.rescore;
        ``rubric``: the one the app scores with, scoring's default when None)."""
        engine = db.create(url)
        db.migrate(engine)
        store = cls(engine)
        store.rescoring.rescore(rubric if rubric is not None else default_rubric())
        return store

    def close(self) -> None:
        self.engine.dispose()
