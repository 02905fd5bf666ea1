"""``python -m records``: administration from the command line.

    python -m records create-admin --name "Ada Lovelace" --email ada@example.org

asks for the password twice (it is never echoed, logged or accepted as an argument) and creates the first
admin. The database is the one the app uses (PEERSIM_DATABASE_URL or the SQLite file in PEERSIM_DATA_DIR).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Sequence

from records.errors import AccountError, WeakPassword
from records.store import Store


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


def main(argv: Sequence[str] | None = None, ask: Callable[[str], str] = getpass.getpass) -> int:
    parser = argparse.ArgumentParser(prog="python -m records", description="PeerSim administration.")
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create the first admin account (asks for the password)")
    admin.add_argument("--name", required=True)
    admin.add_argument("--email", required=True)
    args = parser.parse_args(argv)
    if args.command == "create-admin":
        return _create_admin(args, ask)
    return 2  # pragma: no cover - argparse has already refused anything else


if __name__ == "__main__":
    raise SystemExit(main())
