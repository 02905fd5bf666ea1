"""Row-level helpers for xAPI: the settings (read here and nowhere else) and writing statements into the outbox.

Each helper takes the caller's connection and owns no transaction: a repository calls it inside the transaction
that records the attempt, decision or exam the statement is about, so both commit together or not at all. A
learning record store that is down, slow or refusing never slows or fails a trainee's action; the sender
(records/xapi.py) delivers the outbox later. With xAPI not configured the helpers do nothing and run no statement.

Settings (environment variables; PEERSIM_XAPI_ENDPOINT turns xAPI on, and then the others are required):

    PEERSIM_XAPI_ENDPOINT   the learning record store's xAPI endpoint, e.g. https://lrs.example.org/xAPI/
                            (statements are POSTed to its ``statements`` resource)
    PEERSIM_XAPI_USERNAME   the user name PeerSim signs in to it with (HTTP Basic)
    PEERSIM_XAPI_PASSWORD   its password
    PEERSIM_PUBLIC_URL      the address people open PeerSim at: the learners' ``account.homePage`` and the root
                            of every activity id (the same setting the password-reset emails use)
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import Connection, Row, insert, select

from records import clock
from records.decisions import Attempt, Decision, Finish
from records.tables import exams, users, xapi_outbox
from scoring import xapi
from scoring.xapi import Statement

ENDPOINT = "PEERSIM_XAPI_ENDPOINT"
USERNAME = "PEERSIM_XAPI_USERNAME"
PASSWORD = "PEERSIM_XAPI_PASSWORD"
PUBLIC_URL = "PEERSIM_PUBLIC_URL"
_REQUIRED = (USERNAME, PASSWORD, PUBLIC_URL)


class XapiMisconfigured(RuntimeError):
    """PEERSIM_XAPI_ENDPOINT is set but something else xAPI needs is missing or wrong: the server does not start."""


@dataclass(frozen=True)
class Settings:
    statements_url: str
    """The endpoint's ``statements`` resource."""
    username: str
    password: str
    site: xapi.Site

    @property
    def shown_endpoint(self) -> str:
        """The statements URL without any user name or password written into it, for messages and the admin page."""
        parts = urlsplit(self.statements_url)
        return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def settings() -> Settings | None:
    """xAPI's settings from the environment, or None when it is not configured."""
    endpoint = os.environ.get(ENDPOINT, "").strip()
    if not endpoint:
        return None
    missing = [name for name in _REQUIRED if not os.environ.get(name, "").strip()]
    if missing:
        raise XapiMisconfigured(
            f"{ENDPOINT} is set, so PeerSim sends xAPI statements, but {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not. Set {'it' if len(missing) == 1 else 'them'} too (see docs/integrations.md)."
        )
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise XapiMisconfigured(f"{ENDPOINT} must be an https:// or http:// address (it is '{endpoint}').")
    public_url = os.environ[PUBLIC_URL].strip()
    try:
        site = xapi.Site(public_url)
    except ValueError:
        raise XapiMisconfigured(f"{PUBLIC_URL} must be an https:// or http:// address (it is '{public_url}').") from None
    path = parts.path.rstrip("/")
    if not path.endswith("/statements"):
        path += "/statements"
    return Settings(
        statements_url=urlunsplit(parts._replace(path=path)),
        username=os.environ[USERNAME].strip(),
        password=os.environ[PASSWORD],
        site=site,
    )


# ------------------------------------------------------------------------------------------------ practice
def launched(connection: Connection, attempt: Attempt, *, title: str | None = None) -> None:
    """An attempt (or a practice branch) was started."""
    config = settings()
    if config is None:
        return
    learner = _learner(connection, config.site, attempt.user_id)
    _enqueue(connection, attempt.user_id, [xapi.launched(config.site, _new_id(), learner, _played(attempt, title))])


def decided(
    connection: Connection,
    attempt: Attempt,
    decision: Decision,
    finish: Finish | None,
    moment: datetime,
    *,
    title: str | None = None,
) -> None:
    """A decision was recorded (``answered``), and with ``finish`` the attempt reached its ending (``completed``)."""
    config = settings()
    if config is None:
        return
    learner = _learner(connection, config.site, attempt.user_id)
    played = _played(attempt, title)
    choice = xapi.Choice(
        step=decision.step,
        node_id=decision.node_id,
        choice_id=decision.choice_id,
        criteria=decision.criteria,
        quality=decision.quality,
        counted=decision.counted,
        time_taken_ms=decision.time_taken_ms,
        decided_at=decision.decided_at,
    )
    found = [xapi.answered(config.site, _new_id(), learner, played, choice)]
    if finish is not None:
        found.append(xapi.completed(config.site, _new_id(), learner, played, _ending(finish, moment)))
    _enqueue(connection, attempt.user_id, found)


def completed(connection: Connection, attempt: Attempt, finish: Finish, moment: datetime) -> None:
    """An attempt was marked finished on its own (after a crash fell between its last decision and its end)."""
    config = settings()
    if config is None:
        return
    learner = _learner(connection, config.site, attempt.user_id)
    statement = xapi.completed(config.site, _new_id(), learner, _played(attempt, None), _ending(finish, moment))
    _enqueue(connection, attempt.user_id, [statement])


# ------------------------------------------------------------------------------------------------ mock exams
def exam_started(connection: Connection, exam_id: int) -> None:
    """A mock exam was started."""
    config = settings()
    if config is None:
        return
    row = connection.execute(select(exams).where(exams.c.id == exam_id)).one()
    learner = _learner(connection, config.site, row.user_id)
    _enqueue(connection, row.user_id, [xapi.exam_launched(config.site, _new_id(), learner, _sitting(row))])


def exam_closed(connection: Connection, exam_id: int, *, scored_items: int) -> None:
    """A mock exam was closed and scored (``scored_items``: the items its score counts): ``completed``, then
    ``passed`` or ``failed``."""
    config = settings()
    if config is None:
        return
    row = connection.execute(select(exams).where(exams.c.id == exam_id)).one()
    learner = _learner(connection, config.site, row.user_id)
    outcome = xapi.ExamOutcome(
        correct=row.correct, total=scored_items, percent=row.percent, ended_by=row.ended_by, submitted_at=row.submitted_at
    )
    statements = xapi.exam_closed(config.site, [_new_id(), _new_id()], learner, _sitting(row), outcome)
    _enqueue(connection, row.user_id, statements)


# ------------------------------------------------------------------------------------------------ parts
def _enqueue(connection: Connection, user_id: int, statements: Sequence[Statement]) -> None:
    """Write statements into the outbox, due now, in the order given (the sender sends in that order)."""
    moment = clock.now()
    connection.execute(
        insert(xapi_outbox),
        [
            {
                "statement_id": statement["id"],
                "user_id": user_id,
                "statement": json.dumps(statement, ensure_ascii=False, separators=(",", ":")),
                "created_at": moment,
                "next_try_at": moment,
            }
            for statement in statements
        ],
    )


def _new_id() -> str:
    """A statement's id: random, fixed once it is in the outbox (a resend carries the same id)."""
    return str(uuid.uuid4())


def _learner(connection: Connection, site: xapi.Site, user_id: int) -> str:
    created_at = connection.execute(select(users.c.created_at).where(users.c.id == user_id)).scalar_one()
    return xapi.learner_name(site, user_id, created_at)


def _played(attempt: Attempt, title: str | None) -> xapi.Played:
    return xapi.Played(
        attempt_id=attempt.id,
        scenario_id=attempt.scenario_id,
        version=attempt.content_hash,
        mode=attempt.mode,
        started_at=attempt.started_at,
        title=title,
    )


def _ending(finish: Finish, moment: datetime) -> xapi.Ending:
    return xapi.Ending(
        ending_id=finish.ending_id,
        score=finish.score,
        strongest=finish.strongest,
        pitfalls=finish.pitfalls,
        finished_at=moment,
    )


def _sitting(row: Row[Any]) -> xapi.Sitting:
    return xapi.Sitting(
        exam_id=row.id,
        items=len(row.items.split(",")),
        minutes=row.minutes,
        pass_mark=row.pass_mark,
        started_at=row.started_at,
    )
