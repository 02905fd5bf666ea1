"""Memory: the server's baseline RSS, and RSS per idle and per active session, against a bare one-line script.

    .venv/bin/python -m bench.memory [--sessions 50]

Two servers run in turn under the project's .streamlit/config.toml: PeerSim (`serve.py`, a fresh SQLite
database, the shipped library) and a one-line script (``st.button("Choose")``). For each, psutil reads the
server process's RSS:

* at start (nothing imported by a session yet), and warm (after one session has opened the app, played a few
  steps and left: the library, the database, every page module loaded);
* with N sessions open and idle (each connected, Practice drawn once for PeerSim, then nothing), per session;
* with the same N sessions active (PeerSim: each plays 12 steps of scenarios), per session.

The ratio is PeerSim's per-session figure over the bare script's. There is no goal in the issue for memory; the
budget checked here is ours: a class of 150 active trainees in one server process within 1 GiB of RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench import client, harness

BARE_SCRIPT = 'import streamlit as st; st.button("Choose", key="choose")\n'
CLASS = 150
BUDGET_MIB = 1024.0
STEPS = 12


@dataclass
class Figures:
    start: float
    warm: float
    idle: float
    active: float
    sessions: int

    @property
    def per_idle(self) -> float:
        return (self.idle - self.warm) / self.sessions

    @property
    def per_active(self) -> float:
        return (self.active - self.warm) / self.sessions


def rss_mib(pid: int) -> float:
    return float(psutil.Process(pid).memory_info().rss) / 2**20


async def settle_rss(pid: int) -> float:
    await asyncio.sleep(1.5)
    return rss_mib(pid)


async def measure_app(url: str, pid: int, sessions: int, rng: random.Random) -> Figures:
    start = rss_mib(pid)
    tokens = [await client.new_trainee(url, n, admin=n == 0) for n in range(sessions + 1)]
    first = await client.open_app(url, tokens[0])
    for _ in range(STEPS):
        await client.next_step(first, rng)
    await first.close()
    warm = await settle_rss(pid)
    tabs = [await client.open_app(url, token) for token in tokens[1:]]
    idle = await settle_rss(pid)
    for _ in range(STEPS):
        for tab in tabs:
            await client.next_step(tab, rng)
    active = await settle_rss(pid)
    for tab in tabs:
        await tab.close()
    return Figures(start, warm, idle, active, sessions)


async def measure_bare(url: str, pid: int, sessions: int) -> Figures:
    start = rss_mib(pid)
    first = client.Session(url)
    await first.open()
    await first.click("choose")
    await first.close()
    warm = await settle_rss(pid)
    tabs = [client.Session(url) for _ in range(sessions)]
    for tab in tabs:
        await tab.open()
    idle = await settle_rss(pid)
    for _ in range(STEPS):
        for tab in tabs:
            await tab.click("choose")
    active = await settle_rss(pid)
    for tab in tabs:
        await tab.close()
    return Figures(start, warm, idle, active, sessions)


def show(label: str, figures: Figures) -> None:
    print(
        f"  {label:<22} start {figures.start:6.0f} MiB, warm {figures.warm:6.0f} MiB; "
        f"{figures.sessions} idle +{figures.idle - figures.warm:5.1f} MiB ({figures.per_idle * 1024:6.0f} KiB each), "
        f"active +{figures.active - figures.warm:5.1f} MiB ({figures.per_active * 1024:6.0f} KiB each)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"machine: {harness.machine()}")
    with harness.database("sqlite", "memory") as database, tempfile.TemporaryDirectory() as folder:
        with harness.running(database) as app:
            peersim = asyncio.run(measure_app(app.url, app.pid, args.sessions, random.Random(args.seed)))
        bare_script = Path(folder) / "bare.py"
        bare_script.write_text(BARE_SCRIPT)
        with harness.running(database, script=str(bare_script), cwd=harness.ROOT) as bare_server:
            bare = asyncio.run(measure_bare(bare_server.url, bare_server.pid, args.sessions))
    print("server RSS (psutil), SQLite:")
    show("PeerSim (serve.py)", peersim)
    show("bare one-line script", bare)
    print(
        f"  ratio PeerSim / bare: warm {peersim.warm / bare.warm:.2f}x, per idle session "
        f"{peersim.per_idle / max(bare.per_idle, 1e-6):.2f}x, per active session {peersim.per_active / max(bare.per_active, 1e-6):.2f}x"
    )
    projected = peersim.warm + CLASS * max(peersim.per_active, 0.0)
    ok = projected <= BUDGET_MIB
    print(
        f"{harness.verdict(ok)}: a class of {CLASS} active trainees needs about {projected:.0f} MiB "
        f"(budget {BUDGET_MIB:.0f} MiB) ({harness.machine()})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
