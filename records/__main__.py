"""``python -m records``: administration from the command line.

    python -m records create-admin --name "Ada Lovelace" --email ada@example.org

asks for the password twice (it is never echoed, logged or accepted as an argument) and creates the first
admin. The database is the one the app uses (PEERSIM_DATABASE_URL or the SQLite file in PEERSIM_DATA_DIR).

    python -m records xapi-send [--once]

sends the xAPI outbox to the learning record store (docs/integrations.md): with ``--once``, what is due now, then it stops;
without, every few seconds until stopped (Ctrl+C or SIGTERM). Every server process also sends it in the background.
"""

from __future__ import annotations

import argparse
import getpass
import signal
import sys
import threading
from collections.abc import Callable, Sequence

from records.errors import AccountError, WeakPassword
from records.store import Store
from records.xapi import XapiMisconfigured, settings


def _create_admin(args: argparse.Namespace, ask: Callable[[str], str]) -> int:
    password = ask("Password for the admin account: ")
    if ask("The same password again: ") != password:
        print("The two passwords were different; nothing was created.", file=sys.stderr)
        return 1
    store = Store.open()
    try:
        user = store.accounts.create_first_admin(args.name, args.email, password)
    except (AccountError, WeakPassword) as exc:
        print(f"Nothing was created: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Created admin {user.name} <{user.email}>. Sign in at /auth/signin.")
    return 0


def _xapi_send(args: argparse.Namespace) -> int:
    try:
        config = settings()
    except XapiMisconfigured as exc:
        print(exc, file=sys.stderr)
        return 1
    if config is None:
        print(
            "xAPI is not set up: set PEERSIM_XAPI_ENDPOINT, PEERSIM_XAPI_USERNAME, PEERSIM_XAPI_PASSWORD and "
            "PEERSIM_PUBLIC_URL (see docs/integrations.md).",
            file=sys.stderr,
        )
        return 1
    store = Store.open()
    try:
        if args.once:
            report = store.xapi.send_all_due()
            if report.sent or not report.failed:
                print(f"Sent {_statements(report.sent)} to {config.shown_endpoint}.")
            if report.failed:
                print(f"{_statements(report.failed)} could not be sent and will be tried again: {report.error}", file=sys.stderr)
                return 1
            return 0
        stop = threading.Event()
        for stopping in (signal.SIGINT, signal.SIGTERM):  # finish the batch in hand, then stop
            signal.signal(stopping, lambda _signal, _frame: stop.set())
        print(f"Sending xAPI statements to {config.shown_endpoint} as they come due. Press Ctrl+C to stop.", flush=True)
        store.xapi.serve(stop)
        print("Stopped.")
        return 0
    finally:
        store.close()


def _statements(count: int) -> str:
    return f"{count} statement{'s' if count != 1 else ''}"


def main(argv: Sequence[str] | None = None, ask: Callable[[str], str] = getpass.getpass) -> int:
    parser = argparse.ArgumentParser(prog="python -m records", description="PeerSim administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create the first admin account (asks for the password)")
    admin.add_argument("--name", required=True)
    admin.add_argument("--email", required=True)
    send = commands.add_parser("xapi-send", help="send the xAPI outbox to the learning record store")
    send.add_argument("--once", action="store_true", help="send what is due now, then stop")
    args = parser.parse_args(argv)
    if args.command == "create-admin":
        return _create_admin(args, ask)
    if args.command == "xapi-send":
        return _xapi_send(args)
    return 2  # pragma: no cover - argparse has already refused anything else


if __name__ == "__main__":
    raise SystemExit(main())
