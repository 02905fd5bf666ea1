"""Sending scores to learning platforms' gradebooks (LTI Assignment and Grade Services).

A completion queues its score in the database in the same transaction as the completion itself
(records.lti_rows), so nothing is lost to a crash. A sender in each server process takes what is due
(records.lti.Lti.claim_scores: a claim no other process takes while it lasts), sends each score with
ui.lti_tool.send_score, and records what came of it: sent, or failed and tried again later (30 seconds, doubling,
at most an hour between tries; given up after three days, or at once when trying again cannot help, and an admin
can send it again from the admin page).

The sender starts with the first LTI request a process serves (a platform's login or launch, or its fetching of
/lti/jwks), so a server with no platform registered runs no thread. PEERSIM_LTI_GRADE_SECONDS sets how often it
looks (default 5).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass

import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from records import Store, is_unavailable
from ui import services
from ui.lti_tool import NoGradebook, connector, http_session, send_score

log = logging.getLogger("peersim")

_started = False
_lock = threading.Lock()


@dataclass(frozen=True)
class Sent:
    sent: int
    failed: int


def describe(error: Exception) -> str:
    """What went wrong, in words an admin can act on (shown on the admin page)."""
    if isinstance(error, LtiServiceException):
        response = error.response
        return f"The platform answered {response.status_code} at {response.url}: {response.text[:300]}"
    if isinstance(error, requests.Timeout):
        return "The platform did not answer in time."
    if isinstance(error, requests.ConnectionError):
        return "PeerSim could not reach the platform."
    if isinstance(error, NoGradebook):
        return str(error)
    return f"{type(error).__name__}: {str(error)[:300]}"


def send_due(store: Store, limit: int = 20) -> Sent:
    """Send the scores that are due now (at most ``limit``); how many went and how many failed."""
    pending = store.lti.claim_scores(limit)
    if not pending:
        return Sent(0, 0)
    key = store.lti.tool_key()
    session = http_session()
    connectors: dict[int, ServiceConnector] = {}
    sent = failed = 0
    for score in pending:
        services_of = connectors.setdefault(score.platform.id, connector(score.platform, key, session))
        try:
            send_score(score, services_of)
        except NoGradebook as error:
            store.lti.score_failed(score.id, describe(error), final=True)
            failed += 1
        except Exception as error:  # the platform refused or is out of reach: tried again later
            log.warning("LTI: a score for %s was not sent: %s", score.platform.name, describe(error))
            store.lti.score_failed(score.id, describe(error))
            connectors.pop(score.platform.id, None)  # a fresh token next time
            failed += 1
        else:
            store.lti.score_sent(score.id)
            sent += 1
    return Sent(sent, failed)


def _interval() -> float:
    try:
        return max(0.5, float(os.environ.get("PEERSIM_LTI_GRADE_SECONDS", "5")))
    except ValueError:
        return 5.0


def _run() -> None:
    while True:
        try:
            while send_due(services.store()).sent:  # more may be waiting behind a full batch
                pass
        except Exception as error:  # the database restarting, say: look again next time
            if not is_unavailable(error):
                log.exception("LTI: the score sender failed")
        time.sleep(_interval())


def ensure_sender() -> None:
    """Start this process's sender, once."""
    global _started
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=_run, name="peersim-lti-grades", daemon=True).start()
