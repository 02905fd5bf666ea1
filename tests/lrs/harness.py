"""A real learning record store for the xAPI tests: Ralph (openfun/ralph, pinned in tests/lrs/requirements.txt)
with its filesystem backend, on a free port of 127.0.0.1, behind HTTP Basic sign-in, in a folder of the test's own.

Ralph is served by uvicorn as its documentation serves it (``ralph.api:app``; tests/lrs/serve.py, which also makes
its filesystem backend append: see there), configured by environment variables. ``ralph runserver`` is not used: a
development command that turns on auto-reload, which watches files and runs the server in a second process.
Stopping and starting it again on the same port and folder keeps what it stored (the tests' "the store comes
back")."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.helpers import ROOT, free_port

LRS_DIR = ROOT / "tests" / "lrs"
PYTHON = LRS_DIR / ".venv" / "bin" / "python"
REQUIRED = os.environ.get("PEERSIM_REQUIRE_LRS") == "1"  # CI: fail rather than skip
USERNAME = "peersim-sender"
PASSWORD = "a test password for the store"
INSTALL = "python3 -m venv tests/lrs/.venv && tests/lrs/.venv/bin/pip install -r tests/lrs/requirements.txt"


def available() -> None:
    """Skip (or, with PEERSIM_REQUIRE_LRS=1, fail) when Ralph's virtual environment is missing."""
    if PYTHON.exists():
        return
    message = f"Ralph (the learning record store of the xAPI tests) is not installed: {INSTALL}"
    if REQUIRED:
        pytest.fail(message)
    pytest.skip(message)


class Ralph:
    def __init__(self, folder: Path, port: int | None = None) -> None:
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / "ralph.log"
        (folder / "store").mkdir(parents=True, exist_ok=True)
        (folder / "app").mkdir(exist_ok=True)
        self._write_credentials()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def endpoint(self) -> str:
        """The xAPI endpoint, as an admin would configure it (PEERSIM_XAPI_ENDPOINT)."""
        return f"{self.url}/xAPI/"

    @property
    def statements_url(self) -> str:
        return f"{self.url}/xAPI/statements"

    def _write_credentials(self) -> None:
        """Ralph's auth.json: one user allowed to write and read every statement, its password hashed with bcrypt
        (the cheapest cost: a test store)."""
        hashed = subprocess.run(
            [
                str(PYTHON),
                "-c",
                "import bcrypt, sys; print(bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(4)).decode())",
                PASSWORD,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        entry = {
            "username": USERNAME,
            "hash": hashed,
            "scopes": ["all"],
            "agent": {"objectType": "Agent", "account": {"homePage": "https://peersim.test", "name": "statement-sender"}},
        }
        (self.folder / "auth.json").write_text(json.dumps([entry]), encoding="utf-8")

    def start(self) -> Ralph:
        """Start the server and wait until it answers its heartbeat (at most a minute)."""
        env = {
            **os.environ,
            "RALPH_APP_DIR": str(self.folder / "app"),
            "RALPH_AUTH_FILE": str(self.folder / "auth.json"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_RUNSERVER_AUTH_BACKENDS": "basic",
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "store"),
        }
        command = [str(PYTHON), str(LRS_DIR / "serve.py"), "127.0.0.1", str(self.port)]
        self.process = subprocess.Popen(command, cwd=self.folder, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/__heartbeat__", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Ralph did not start on port {self.port}:\n{self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover - uvicorn stops on SIGTERM
            self.process.kill()
            self.process.wait(timeout=15)
        self.process = None

    def statements(self, **params: str) -> list[dict[str, Any]]:
        """What Ralph answers to GET /xAPI/statements (as any xAPI client would read it back): with its filesystem
        backend, in the order stored (its "ascending" parameter reverses that order)."""
        response = httpx.get(
            self.statements_url,
            params={"limit": "1000", **params},
            auth=(USERNAME, PASSWORD),
            headers={"X-Experience-API-Version": "1.0.3"},
            timeout=10,
        )
        response.raise_for_status()
        found: list[dict[str, Any]] = response.json()["statements"]
        return found

    def stored(self) -> list[dict[str, Any]]:
        """Every statement in Ralph's own file, one per line: a statement stored twice would be here twice."""
        path = self.folder / "store" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
