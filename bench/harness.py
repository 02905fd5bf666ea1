"""What every benchmark shares: a fresh database, a real `streamlit run serve.py` server, the machine's figures,
percentiles and the PASS/MISS verdict."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SETUP_TOKEN = secrets.token_urlsafe(24)
"""The first-run set-up token every benchmark server is started with (PEERSIM_SETUP_TOKEN)."""


# ------------------------------------------------------------------------------------------------ machine
def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine() -> str:
    """nproc, RAM, the `uptime` load and today's date, to print beside every figure."""
    memory = "?"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return f"{os.cpu_count()} CPUs, {memory} RAM, load {load_average()}, {date.today().isoformat()}"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p50 of [1, 2, 3, 4] is 2); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-fraction * len(ordered) // 1))))
    return ordered[rank - 1]


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ----------------------------------------------------------------------------------------------- database
@dataclass
class Database:
    """A fresh database for one run: a SQLite file in a temporary folder, or a new PostgreSQL database."""

    url: str
    data_dir: Path
    kind: str
    _drop: str | None = None

    def drop(self) -> None:
        if self._drop is not None:
            _postgres_admin(self._drop)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def _postgres_admin(statement: str, admin_url: str = POSTGRES_ADMIN_URL) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type,unused-ignore]


def fresh_database(kind: str, label: str = "bench") -> Database:
    """``sqlite`` (a temporary file) or a ``postgresql://...`` server URL, on which a database is created."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"peersim-{label}-"))
    if kind == "sqlite":
        return Database(f"sqlite:///{data_dir / 'peersim.db'}", data_dir, "SQLite")
    if kind.startswith(("postgresql://", "postgres://")):
        from sqlalchemy.engine import make_url

        name = f"peersim_{label}_{secrets.token_hex(4)}"
        server = make_url(kind)
        admin = server.set(database="postgres").render_as_string(hide_password=False)
        _postgres_admin(f'CREATE DATABASE "{name}"', admin)
        url = server.set(database=name).render_as_string(hide_password=False)
        return Database(url, data_dir, "PostgreSQL", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    raise SystemExit(f"--database must be sqlite or a postgresql:// URL, not {kind!r}")


@contextlib.contextmanager
def database(kind: str, label: str = "bench") -> Iterator[Database]:
    made = fresh_database(kind, label)
    try:
        yield made
    finally:
        made.drop()


# ------------------------------------------------------------------------------------------------- server
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def default_config_copy(source: Path = ROOT) -> Path:
    """A copy of the project (or of ``source``, a copy of it) without .streamlit/config.toml: the same app under
    Streamlit's defaults. Every top-level entry but .streamlit is a symlink, so the code is the same code."""
    folder = Path(tempfile.mkdtemp(prefix="peersim-defaults-"))
    for entry in source.iterdir():
        if entry.name in (".streamlit", ".git", "data", "artifacts"):
            continue
        (folder / entry.name).symlink_to(entry)
    return folder


@dataclass
class Server:
    """A `streamlit run` process on a free port, its log, and the folder it runs from."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path
    cwd: Path
    _owned_cwd: bool = False
    profile: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.profile is not None and self.process.poll() is None:
            self.profile.unlink(missing_ok=True)
            self.process.send_signal(signal.SIGUSR1)  # bench.profiled writes its statistics
            deadline = time.monotonic() + 60
            while not self.profile.exists() and time.monotonic() < deadline:
                time.sleep(0.2)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._owned_cwd:
            shutil.rmtree(self.cwd, ignore_errors=True)

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:]


def start_server(
    db: Database,
    *,
    script: str = "serve.py",
    baseline: bool = False,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    args: Sequence[str] = (),
    profile: Path | None = None,
) -> Server:
    """Start ``streamlit run <script>`` against ``db`` and wait for /_stcore/health.

    ``baseline``: run from a copy of the project (or of ``cwd``) without .streamlit/config.toml (Streamlit's defaults).
    ``profile``: run under cProfile (bench.profiled) and write the statistics there when stopped."""
    owned = False
    if baseline:
        cwd, owned = default_config_copy(cwd or ROOT), True
    elif cwd is None:
        cwd = ROOT
    port = free_port()
    log = db.data_dir / f"server-{port}.log"
    environment = {
        **os.environ,
        "PEERSIM_DATABASE_URL": db.url,
        "PEERSIM_DATA_DIR": str(db.data_dir),
        "PYTHONUNBUFFERED": "1",
        "PEERSIM_SETUP_TOKEN": SETUP_TOKEN,
        **(env or {}),
    }
    for name in list(environment):  # a benchmark's server takes its settings from config.toml or defaults only
        if name.startswith("STREAMLIT_"):
            del environment[name]
    if profile is not None:
        environment["PEERSIM_PROFILE_OUT"] = str(profile)
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environment.get("PYTHONPATH")]))
    command = [PYTHON, "-m", "bench.profiled"] if profile is not None else [PYTHON, "-m", "streamlit", "run"]
    process = subprocess.Popen(
        [*command, script, "--server.port", str(port), "--server.address", "127.0.0.1", *args],
        cwd=cwd,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    server = Server(f"http://127.0.0.1:{port}", process, log, cwd, owned, profile)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return server
        except OSError:
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"the server did not start:\n{server.log_tail()}")


@contextlib.contextmanager
def running(db: Database, **options: object) -> Iterator[Server]:
    server = start_server(db, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()
