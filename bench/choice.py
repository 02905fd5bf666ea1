"""Server time of one choice on the Practice page against a bare one-line Streamlit script, in the same run.

    .venv/bin/python -m bench.choice [--clicks 200] [--database sqlite|postgresql://...]

Two servers run side by side under the project's .streamlit/config.toml: PeerSim (`serve.py`, a fresh database)
and a one-line script (``st.button("Choose")``). One tab on each clicks in turn, with no think time and nothing
else running, so each figure is what one click costs the server: from the BackMsg sent until the ForwardMsg
script_finished of its last run, over the websocket on localhost. A choice in coached mode is timed (its
feedback drawn); the continue and library clicks around it are not. Goal: the choice within 2x the bare click.

Clicks are ``--pause`` apart (0.1 s): Streamlit 1.67's server sockets lack TCP_NODELAY (it binds its listening
socket with proto 0, so asyncio skips setting it), and a click sent right after the last answer arrived then waits
for the client's delayed ACK, about 40 ms on Linux, on both servers alike. A pause keeps that out of the figures
(bench/README.md has the measurement and the fix).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
from pathlib import Path

from bench import client, harness

GOAL = 2.0
BARE_SCRIPT = 'import streamlit as st; st.button("Choose", key="choose")\n'


async def measure(
    app_url: str, bare_url: str, clicks: int, warmup: int, pause: float, rng: random.Random
) -> tuple[list[float], list[float]]:
    token = await client.new_trainee(app_url, 1, admin=True)
    practice = await client.open_app(app_url, token)
    bare = client.Session(bare_url)
    await bare.open()
    choice_times: list[float] = []
    bare_times: list[float] = []
    while len(choice_times) < clicks + warmup:
        await asyncio.sleep(pause)
        kind, run = await client.next_step(practice, rng)
        if run.exceptions:
            raise client.ProtocolError(f"the Practice page raised {run.exceptions[0]}")
        if kind != "choice":
            continue
        choice_times.append(run.seconds)
        await asyncio.sleep(pause)
        bare_times.append((await bare.click("choose")).seconds)
    await practice.close()
    await bare.close()
    return choice_times[warmup:], bare_times[warmup:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clicks", type=int, default=200, help="choices timed (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="choices played first and not timed (default 20)")
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between clicks (default 0.1; see the docstring)")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql:// server URL")
    parser.add_argument("--app", type=Path, help="run PeerSim from this copy of the project (to measure a change)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    print(f"machine: {harness.machine()}")
    with harness.database(args.database, "choice") as database, tempfile.TemporaryDirectory() as folder:
        bare_script = Path(folder) / "bare.py"
        bare_script.write_text(BARE_SCRIPT)
        with (
            harness.running(database, cwd=args.app) as app,
            harness.running(database, script=str(bare_script), cwd=harness.ROOT) as bare,
        ):
            choices, bares = asyncio.run(
                measure(app.url, bare.url, args.clicks, args.warmup, args.pause, random.Random(args.seed))
            )
    choice_median, bare_median = statistics.median(choices), statistics.median(bares)
    ratio = choice_median / bare_median
    print(f"database: {database.kind}; {len(choices)} choices, {len(bares)} bare clicks, interleaved")
    print(
        f"  Practice choice: p50 {harness.ms(choice_median)}, p95 {harness.ms(harness.percentile(choices, 0.95))}, "
        f"max {harness.ms(max(choices))}"
    )
    print(
        f"  bare one-line script click: p50 {harness.ms(bare_median)}, p95 {harness.ms(harness.percentile(bares, 0.95))}, "
        f"max {harness.ms(max(bares))}"
    )
    print(
        f"{harness.verdict(ratio <= GOAL)}: a choice costs {ratio:.2f}x a bare click (goal <= {GOAL:.0f}x) ({harness.machine()})"
    )
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    raise SystemExit(main())
