"""Loading and checking 1,000 scenarios against PyYAML's C loader alone, and a warm start with the library cached.

    .venv/bin/python -m bench.loading [--scenarios 1000] [--repeat 5]

1. Generates N scenario files (the shipped library's files, copied under new ids) in a temporary folder, then
   times, alternately and in the same process, ``scenarios.check_paths`` (the gateway with locations and
   duplicate-key checks, the pydantic models, the graph checks) against reading the same files and parsing them
   with ``yaml.load(..., Loader=yaml.CSafeLoader)`` alone. Best of ``--repeat`` each. Goal: at most 1.5x.
2. What a rerun pays for the library once ``ui.services.library`` (st.cache_resource) holds it: the cached call,
   in this process, with the generated library as PEERSIM_LIBRARY_DIR.
3. A start over the websocket: a server with the shipped library; the first session opens / (Home loads the
   library: cold), then new sessions open Practice (and Home) with the library cached: warm. Goal: a warm start
   of Practice under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from bench import client, harness
from scenarios import LIBRARY_DIR, check_paths, load_rubric

RATIO_GOAL = 1.5
WARM_GOAL = 0.050
ID_LINE = re.compile(r"^id:\s*(\S+)\s*$", re.MULTILINE)


def generate(folder: Path, count: int) -> list[Path]:
    """``count`` valid scenario files: the shipped ones in turn, each under a new id (and file name)."""
    sources = sorted(LIBRARY_DIR.glob("*.yaml"))
    written: list[Path] = []
    for number in range(count):
        text = sources[number % len(sources)].read_text(encoding="utf-8")
        found = ID_LINE.search(text)
        if found is None:
            raise SystemExit(f"no 'id:' line in {sources[number % len(sources)]}")
        new_id = f"{found.group(1)[:50]}-{number:04d}"
        path = folder / f"{new_id}.yaml"
        path.write_text(text[: found.start()] + f"id: {new_id}" + text[found.end() :], encoding="utf-8")
        written.append(path)
    return written


def time_check(folder: Path) -> tuple[float, int, int]:
    rubric = load_rubric()
    started = time.perf_counter()
    report = check_paths([folder], rubric)
    return time.perf_counter() - started, len(report.loaded), len(report.errors)


def time_c_loader(files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def cached_library_call(folder: Path, calls: int = 1000) -> tuple[float, float]:
    """(first call, mean cached call) of ui.services.library() with ``folder`` as the library."""
    logging.getLogger("streamlit").setLevel(logging.ERROR)  # "no runtime": the cache still works in-process
    from ui import services

    os.environ["PEERSIM_LIBRARY_DIR"] = str(folder)
    try:
        services.library.clear()
        started = time.perf_counter()
        loaded = services.library()
        first = time.perf_counter() - started
        if len(loaded.scenarios) == 0:
            raise SystemExit("the generated library did not load")
        started = time.perf_counter()
        for _ in range(calls):
            services.library()
        return first, (time.perf_counter() - started) / calls
    finally:
        del os.environ["PEERSIM_LIBRARY_DIR"]


async def starts(url: str, sessions: int) -> tuple[float, list[float], list[float]]:
    """(the first visit of the server's life, at / (Home loads the library: cold), then new sessions opening
    Practice and Home with the library cached: warm)."""
    token = await client.new_trainee(url, 1, admin=True)
    first = client.Session(url, token)
    cold = (await first.open("")).seconds
    await first.close()
    practice: list[float] = []
    home: list[float] = []
    for _ in range(sessions):
        for page, times in (("practice", practice), ("", home)):
            session = client.Session(url, token)
            run = await session.open(page)
            if run.exceptions or (page == "practice" and not run.key_with_prefix("choose_")):
                raise client.ProtocolError(f"/{page} did not draw as expected: {run.exceptions[:1]}")
            times.append(run.seconds)
            await session.close()
    return cold, practice, home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="timings of each side; the best counts (default 5)")
    parser.add_argument("--sessions", type=int, default=30, help="warm starts timed (default 30)")
    parser.add_argument("--app", type=Path, help="run the server from this copy of the project (to measure a change)")
    args = parser.parse_args(argv)

    print(f"machine: {harness.machine()}")
    with tempfile.TemporaryDirectory(prefix="peersim-library-") as tmp:
        folder = Path(tmp)
        files = generate(folder, args.scenarios)
        size = sum(p.stat().st_size for p in files)
        checks: list[float] = []
        parses: list[float] = []
        loaded = errors = 0
        for _ in range(args.repeat):
            seconds, loaded, errors = time_check(folder)
            checks.append(seconds)
            parses.append(time_c_loader(files))
        if loaded != args.scenarios or errors:
            raise SystemExit(f"expected {args.scenarios} scenarios to load, got {loaded} with {errors} errors")
        first_call, cached_call = cached_library_call(folder)

    ratio = min(checks) / min(parses)
    print(f"{args.scenarios} scenarios ({size / 2**20:.1f} MiB), best of {args.repeat}:")
    print(f"  check_paths (gateway, models, checks): {min(checks):.2f} s ({min(checks) / args.scenarios * 1000:.2f} ms a file)")
    print(f"  yaml.load with CSafeLoader alone:      {min(parses):.2f} s ({min(parses) / args.scenarios * 1000:.2f} ms a file)")
    print(
        f"{harness.verdict(ratio <= RATIO_GOAL)}: loading and checking costs {ratio:.2f}x parsing alone (goal <= {RATIO_GOAL}x)"
    )
    print(
        f"ui.services.library() over {args.scenarios} scenarios: first call {first_call:.2f} s, "
        f"cached call {cached_call * 1e6:.1f} µs (what each rerun pays for the library)"
    )

    with harness.database("sqlite", "loading") as database, harness.running(database, cwd=args.app) as server:
        cold, warm, home = asyncio.run(starts(server.url, args.sessions))
    warm_p50 = statistics.median(warm)
    print(f"a new session (connect and first run; shipped library, {database.kind}):")
    print(f"  cold: the server's first visit, Home at / (loads the library): {harness.ms(cold)}")
    print(
        f"  warm, Home: p50 {harness.ms(statistics.median(home))}; warm, Practice (draws the library): "
        f"p50 {harness.ms(warm_p50)}, p95 {harness.ms(harness.percentile(warm, 0.95))} over {len(warm)}"
    )
    ok = warm_p50 < WARM_GOAL
    print(
        f"{harness.verdict(ok)}: warm start {harness.ms(warm_p50)} (goal < {WARM_GOAL * 1000:.0f} ms), "
        f"{cold / warm_p50:.1f}x faster than cold ({harness.machine()})"
    )
    return 0 if ratio <= RATIO_GOAL and ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
