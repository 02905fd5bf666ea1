"""Sending the xAPI outbox to the learning record store (``store.xapi``), and its status for the admins.

The statements were written into ``xapi_outbox`` with what they describe (records/xapi_rows.py); here a sender
takes the rows that are due, POSTs them in one batch to the store's ``statements`` resource (xAPI 1.0.3, HTTP
Basic), and marks them sent, or backs them off with the error written down. Nothing is lost while the store is
down or refusing: a row stays in the outbox until the store has it.

Two senders (two server processes, or a server and ``python -m records xapi-send``) never send the same row at the
same time: a sender claims its rows in a short write transaction (PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so the
other takes the next rows; SQLite: ``BEGIN IMMEDIATE`` makes them take turns) by moving their ``next_try_at`` a
lease ahead, then sends with no transaction open (a slow store never holds a database lock), then settles. A sender
that dies between sending and settling leaves its rows to come due again when the lease ends: they are sent again
with the same statement ids, and the store keeps one copy (a store answers 204, or 409 for an id it already has:
both mean "already stored", so the row counts as sent).

One bad statement never holds up the others: when the store refuses a batch for what is in it (400 or 422, 409,
413), its statements are sent one by one, and only the one refused waits, with the store's answer as its error.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import Connection, case, delete, func, select, update

from records import clock, db
from records.access import User, require_role
from records.base import Repository
from records.tables import xapi_outbox
from records.xapi_rows import PASSWORD, USERNAME, Settings, XapiMisconfigured, settings
from scoring.xapi import XAPI_VERSION

__all__ = ["OutboxStatus", "SendReport", "XapiMisconfigured", "XapiOutbox", "settings"]

BATCH = 50
"""Statements in one POST."""
LEASE = timedelta(minutes=5)
"""How long a claimed row is left to its sender before another may take it (far longer than one POST can last)."""
FIRST_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
KEEP_SENT = timedelta(days=30)
"""Sent rows stay this long (the admins' count of what was sent), then :meth:`XapiOutbox.prune` removes them."""
SPLIT = frozenset({400, 409, 413, 422})
"""Answers that refuse a batch for what is in it, and so are tried one statement at a time: 400 (xAPI's answer to a
statement it cannot take; Ralph answers 422), 409 (a different statement under a known id), 413 (too large)."""
TIMEOUT_SECONDS = 10.0
IDLE_SECONDS = 5.0
"""How long a background sender waits between looks at the outbox."""
PRUNE_EVERY = timedelta(hours=1)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendReport:
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
    error: str | None = None
    """The last error of this run, if any."""

    def __add__(self, other: SendReport) -> SendReport:
        return SendReport(self.sent + other.sent, self.failed + other.failed, other.error or self.error)


@dataclass(frozen=True)
class OutboxStatus:
    """The admins' view of the outbox."""

    endpoint: str | None
    """Where statements go (without any password), or None when xAPI is not configured."""
    waiting: int
    sent: int
    """Sent and still kept (the last 30 days)."""
    failing: int
    """Waiting statements whose last try failed."""
    last_error: str | None
    """The most recent error among the waiting statements."""
    last_error_at: datetime | None
    last_sent_at: datetime | None


@dataclass(frozen=True)
class _Claimed:
    id: int
    statement: str
    tries: int
    """Tries before this one."""


class XapiOutbox(Repository):
    # ----------------------------------------------------------------------------------------------- sending
    def send_due(self, *, limit: int = BATCH, transport: httpx.BaseTransport | None = None) -> SendReport:
        """Send one batch of the statements due now (at most ``limit``); nothing when xAPI is not configured.
        ``transport``: httpx's, for tests that watch or break the connection."""
        config = settings()
        if config is None:
            return SendReport()
        claimed = self._claim(limit)
        if not claimed:
            return SendReport()
        with _client(config, transport) as client:
            outcome = _deliver(client, config, claimed)
        self._settle(claimed, outcome)
        errors = [error for error in outcome.values() if error is not None]
        return SendReport(sent=len(outcome) - len(errors), failed=len(errors), error=errors[-1] if errors else None)

    def send_all_due(self, *, transport: httpx.BaseTransport | None = None) -> SendReport:
        """Send batches until nothing is due, or until a batch could send nothing (the store is down or refusing:
        what failed waits for its back-off, and the rest waits for the next run rather than failing too)."""
        report = SendReport()
        while True:
            batch = self.send_due(transport=transport)
            report += batch
            if batch.sent + batch.failed < BATCH or batch.sent == 0:
                return report

    def _claim(self, limit: int) -> list[_Claimed]:
        """Take up to ``limit`` due rows, oldest first, for a lease (one short write transaction)."""
        moment = clock.now()
        with self._write() as connection:
            rows = connection.execute(
                select(xapi_outbox.c.id, xapi_outbox.c.statement, xapi_outbox.c.tries)
                .where(xapi_outbox.c.sent_at.is_(None), xapi_outbox.c.next_try_at <= moment)
                .order_by(xapi_outbox.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            claimed = [_Claimed(row.id, row.statement, row.tries) for row in rows]
            if claimed:
                connection.execute(
                    update(xapi_outbox)
                    .where(xapi_outbox.c.id.in_([row.id for row in claimed]))
                    .values(tries=xapi_outbox.c.tries + 1, tried_at=moment, next_try_at=moment + LEASE)
                )
        return claimed

    def _settle(self, claimed: Sequence[_Claimed], outcome: dict[int, str | None]) -> None:
        """Mark what the store has as sent, and back off the rest with its error (one short write transaction). A
        row another sender has meanwhile sent stays sent."""
        moment = clock.now()
        failed: dict[tuple[str, int], list[int]] = {}
        for row in claimed:
            error = outcome[row.id]
            if error is not None:
                failed.setdefault((error, row.tries + 1), []).append(row.id)
        sent = [row.id for row in claimed if outcome[row.id] is None]
        with self._write() as connection:
            if sent:
                connection.execute(
                    update(xapi_outbox).where(xapi_outbox.c.id.in_(sent), xapi_outbox.c.sent_at.is_(None)).values(sent_at=moment)
                )
            for (error, tries), ids in failed.items():
                connection.execute(
                    update(xapi_outbox)
                    .where(xapi_outbox.c.id.in_(ids), xapi_outbox.c.sent_at.is_(None))
                    .values(last_error=error, next_try_at=moment + backoff(tries))
                )

    def prune(self) -> int:
        """Remove rows sent more than :data:`KEEP_SENT` ago; returns how many."""
        with self._write() as connection:
            result = connection.execute(delete(xapi_outbox).where(xapi_outbox.c.sent_at < clock.now() - KEEP_SENT))
        return int(result.rowcount)

    def serve(self, stop: threading.Event, *, idle_seconds: float = IDLE_SECONDS) -> None:
        """Send what is due every ``idle_seconds`` until ``stop`` is set (a server's background thread, or
        ``python -m records xapi-send``). A database that is down, or anything else going wrong, is logged and
        tried again on the next round: the sender never stops by itself."""
        pruned: datetime | None = None
        while not stop.is_set():
            try:
                if settings() is not None:
                    report = self.send_all_due()
                    if report.error:
                        log.warning(
                            "xAPI: %d statements sent, %d waiting to be tried again: %s", report.sent, report.failed, report.error
                        )
                    if pruned is None or clock.now() - pruned >= PRUNE_EVERY:
                        self.prune()
                        pruned = clock.now()
            except Exception as error:
                if db.is_unavailable(error):
                    log.warning("xAPI: the database is not available; the outbox is tried again shortly")
                else:
                    log.exception("xAPI: sending the outbox failed; it is tried again shortly")
            stop.wait(idle_seconds)

    # ------------------------------------------------------------------------------------------------ status
    def status(self, actor: User) -> OutboxStatus:
        """How the outbox stands (admins only): waiting, sent, and the latest error of what waits."""
        require_role(actor, "admin")
        config = settings()
        waiting = xapi_outbox.c.sent_at.is_(None)
        with self._read() as connection:
            counts = connection.execute(
                select(
                    func.coalesce(func.sum(case((waiting, 1), else_=0)), 0),
                    func.coalesce(func.sum(case((waiting & xapi_outbox.c.last_error.is_not(None), 1), else_=0)), 0),
                    func.count(xapi_outbox.c.sent_at),
                    func.max(xapi_outbox.c.sent_at),
                )
            ).one()
            latest = _latest_error(connection)
        return OutboxStatus(
            endpoint=config.shown_endpoint if config is not None else None,
            waiting=int(counts[0]),
            sent=int(counts[2]),
            failing=int(counts[1]),
            last_error=latest[0] if latest else None,
            last_error_at=latest[1] if latest else None,
            last_sent_at=counts[3],
        )


def backoff(tries: int) -> timedelta:
    """How long a statement waits after its ``tries``-th failed try: 30 seconds, doubling, at most an hour."""
    doubled: timedelta = FIRST_BACKOFF * 2 ** min(max(0, tries - 1), 20)
    return min(doubled, MAX_BACKOFF)


def _latest_error(connection: Connection) -> tuple[str, datetime] | None:
    row = connection.execute(
        select(xapi_outbox.c.last_error, xapi_outbox.c.tried_at)
        .where(xapi_outbox.c.sent_at.is_(None), xapi_outbox.c.last_error.is_not(None))
        .order_by(xapi_outbox.c.tried_at.desc(), xapi_outbox.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row.last_error, row.tried_at)


def _client(config: Settings, transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(
        auth=(config.username, config.password),
        headers={"X-Experience-API-Version": XAPI_VERSION, "Content-Type": "application/json"},
        timeout=TIMEOUT_SECONDS,
        transport=transport,
    )


def _deliver(client: httpx.Client, config: Settings, rows: Sequence[_Claimed]) -> dict[int, str | None]:
    """POST ``rows`` as one batch; each row's error, or None when the store has it. A batch the store refuses
    for what is in it (:data:`SPLIT`) is sent again one statement at a time, so one bad statement holds up only
    itself."""
    status, error = _post(client, config, rows)
    if status in (200, 204) or (status == 409 and len(rows) == 1):  # 409 for one statement: it is already stored
        return {row.id: None for row in rows}
    if status in SPLIT and len(rows) > 1:
        found: dict[int, str | None] = {}
        for row in rows:
            found |= _deliver(client, config, [row])
        return found
    return {row.id: error for row in rows}


def _post(client: httpx.Client, config: Settings, rows: Sequence[_Claimed]) -> tuple[int | None, str | None]:
    """The store's HTTP status (None when it could not be reached) and, unless it took the batch, why not in
    words for the admins. The statements go exactly as they were stored."""
    body = "[" + ",".join(row.statement for row in rows) + "]"
    where = config.shown_endpoint
    try:
        response = client.post(config.statements_url, content=body.encode("utf-8"))
    except httpx.TimeoutException:
        return None, f"The learning record store at {where} did not answer within {TIMEOUT_SECONDS:g} seconds."
    except httpx.HTTPError as exc:
        return None, f"Could not reach the learning record store at {where}: {exc}"
    if response.status_code in (200, 204):
        return response.status_code, None
    if response.status_code in (401, 403):
        return response.status_code, (
            f"The learning record store at {where} refused PeerSim's sign-in (HTTP {response.status_code}). "
            f"Check {USERNAME} and {PASSWORD}."
        )
    said = " ".join(response.text.split())[:300]
    return response.status_code, f"The learning record store at {where} answered HTTP {response.status_code}: {said}"
