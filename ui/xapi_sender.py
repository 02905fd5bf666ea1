"""The xAPI sender of a server process: one background thread that sends the outbox to the learning record store
(records/xapi.py, ``store.xapi.serve``) while the server runs. serve.py starts it once at start; with xAPI not
configured nothing starts, and half a configuration stops the start with a message saying what is missing, as
single sign-on does.

Every server process runs its own sender: they share the work safely (each claims its own rows), and any of them
alone keeps the outbox moving. The thread is a daemon: stopping the server stops it, and a batch it had in hand is
sent again by whichever sender comes next (the learning record store keeps one copy of each statement id).
"""

from __future__ import annotations

import logging
import threading

from records import is_unavailable
from records.xapi import IDLE_SECONDS, settings
from ui import services

log = logging.getLogger("peersim")


class _Sender:
    """The process's one sender thread and the event that stops it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None


_SENDER = _Sender()


def start(*, idle_seconds: float = IDLE_SECONDS) -> bool:
    """Start this process's sender unless it runs already; whether one runs (False: xAPI is not configured).
    Raises records.xapi.XapiMisconfigured when PEERSIM_XAPI_ENDPOINT is set without what else it needs."""
    if settings() is None:
        return False
    with _SENDER.lock:
        if _SENDER.thread is None or not _SENDER.thread.is_alive():
            _SENDER.stop.clear()
            _SENDER.thread = threading.Thread(target=_run, args=(idle_seconds,), name="peersim-xapi-sender", daemon=True)
            _SENDER.thread.start()
    return True


def stop(timeout: float = 30.0) -> None:
    """Stop the sender after the batch in hand (tests; a server simply exits)."""
    with _SENDER.lock:
        thread = _SENDER.thread
        _SENDER.stop.set()
    if thread is not None:
        thread.join(timeout)
    with _SENDER.lock:
        if _SENDER.thread is thread and (thread is None or not thread.is_alive()):
            _SENDER.thread = None


def running() -> bool:
    with _SENDER.lock:
        return _SENDER.thread is not None and _SENDER.thread.is_alive()


def _run(idle_seconds: float) -> None:
    """Open the process's store (the database may still be starting) and send until stopped."""
    while not _SENDER.stop.is_set():
        try:
            store = services.store()
        except Exception as error:
            if is_unavailable(error):
                log.warning("xAPI: the database is not available yet; the sender tries again shortly")
            else:
                log.exception("xAPI: the sender could not open the records; it tries again shortly")
            _SENDER.stop.wait(idle_seconds)
            continue
        store.xapi.serve(_SENDER.stop, idle_seconds=idle_seconds)
