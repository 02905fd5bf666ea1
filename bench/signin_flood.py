"""Signed-in trainees' clicks while someone floods the sign-in form, against the same trainees without a flood,
in the same run on the same server.

    .venv/bin/python -m bench.signin_flood [--trainees 8] [--seconds 30] [--flooders 4] [--database sqlite|postgresql://...]

One `streamlit run serve.py` server, started with ``PEERSIM_TRUSTED_PROXIES=127.0.0.1`` so that the
X-Forwarded-For header gives each client its own network address, as a load balancer would. ``--trainees`` sign
up and play Practice over Streamlit's websocket protocol, a click every ``--think`` seconds, each click timed
from the BackMsg until script_finished. Phase 1 (baseline) is that alone. Phase 2 adds ``--flooders`` workers
posting the sign-in form as fast as the server answers (a GET for the CSRF cookie, then a POST), all from one
address (198.51.100.66), with wrong passwords for the admin's email and for emails with no account. Every few
seconds the admin, from another address (192.0.2.10), signs in with the right password.

Goal (issue 11): the flood slows trainees' clicks by at most 2x (p50 and p95), and the owner is never locked out
from elsewhere. Printed as ratios against phase 1.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from dataclasses import dataclass, field

import httpx

from bench import client, harness

GOAL = 2.0
FLOOD_ADDRESS = "198.51.100.66"
OWNER_ADDRESS = "192.0.2.10"
ADMIN_EMAIL = "bench-admin@example.org"
ADMIN_PASSWORD = "quiet violet harbour lantern"


@dataclass
class Flood:
    posts: int = 0
    wrong: int = 0  # a password was checked and was wrong
    refused_early: int = 0  # refused before any check (this network, or this account from this network)
    owner_ok: int = 0
    owner_refused: list[str] = field(default_factory=list)


async def play(session: client.Session, rng: random.Random, think: float, until: float, times: list[float]) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(think * rng.uniform(0.5, 1.5))
        _, run = await client.next_step(session, rng)
        if run.exceptions:
            raise client.ProtocolError(f"the Practice page raised {run.exceptions[0]}")
        times.append(run.seconds)


async def flood_worker(base_url: str, number: int, until: float, flood: Flood) -> None:
    headers = {"x-forwarded-for": FLOOD_ADDRESS}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers) as http:
        n = 0
        while time.monotonic() < until:
            n += 1
            email = ADMIN_EMAIL if n % 2 else f"nobody-{number}-{n}@example.org"
            response = await client.submit_form(http, "/auth/signin", {"email": email, "password": f"guess {number} {n}"})
            flood.posts += 1
            if "Too many" in response.text:
                flood.refused_early += 1
            elif "do not match" in response.text:
                flood.wrong += 1


async def owner(base_url: str, until: float, flood: Flood) -> None:
    while time.monotonic() < until:
        await asyncio.sleep(3)
        async with httpx.AsyncClient(base_url=base_url, timeout=60, headers={"x-forwarded-for": OWNER_ADDRESS}) as http:
            response = await client.submit_form(http, "/auth/signin", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            if response.status_code == 303:
                flood.owner_ok += 1
            else:
                flood.owner_refused.append(response.text[:200])


async def measure(
    base_url: str, trainees: int, seconds: float, flooders: int, think: float, seed: int
) -> tuple[list[float], list[float], Flood]:
    rng = random.Random(seed)
    tokens = [await client.new_trainee(base_url, n, admin=(n == 0)) for n in range(trainees)]
    sessions = [await client.open_app(base_url, token) for token in tokens]
    for session in sessions:  # warm up: a few clicks each, untimed
        for _ in range(3):
            await client.next_step(session, rng)

    quiet: list[float] = []
    until = time.monotonic() + seconds
    await asyncio.gather(*(play(s, random.Random(rng.random()), think, until, quiet) for s in sessions))

    flooded: list[float] = []
    flood = Flood()
    until = time.monotonic() + seconds
    await asyncio.gather(
        *(play(s, random.Random(rng.random()), think, until, flooded) for s in sessions),
        *(flood_worker(base_url, n, until, flood) for n in range(flooders)),
        owner(base_url, until, flood),
    )
    for session in sessions:
        await session.close()
    return quiet, flooded, flood


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trainees", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase (default 30)")
    parser.add_argument("--flooders", type=int, default=4, help="concurrent sign-in posters (default 4)")
    parser.add_argument("--think", type=float, default=0.5, help="seconds between a trainee's clicks (default 0.5)")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgresql:// server URL")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    print(f"machine: {harness.machine()}")
    with (
        harness.database(args.database, "flood") as database,
        harness.running(database, env={"PEERSIM_TRUSTED_PROXIES": "127.0.0.1"}) as server,
    ):
        quiet, flooded, flood = asyncio.run(
            measure(server.url, args.trainees, args.seconds, args.flooders, args.think, args.seed)
        )
    p50 = statistics.median(flooded) / statistics.median(quiet)
    p95 = harness.percentile(flooded, 0.95) / harness.percentile(quiet, 0.95)
    print(f"database: {database.kind}; {args.trainees} trainees, a click every ~{args.think} s, {args.seconds:.0f} s per phase")
    for label, times in (("no flood", quiet), ("flood", flooded)):
        print(
            f"  {label:>8}: {len(times)} clicks, p50 {harness.ms(statistics.median(times))}, "
            f"p95 {harness.ms(harness.percentile(times, 0.95))}, max {harness.ms(max(times))}"
        )
    print(
        f"  flood: {flood.posts} sign-in posts ({flood.posts / args.seconds:.1f}/s) from one address: "
        f"{flood.wrong} passwords checked and wrong, {flood.refused_early} refused before any check"
    )
    print(f"  owner from another address: {flood.owner_ok} sign-ins, {len(flood.owner_refused)} refused")
    ok = p50 <= GOAL and p95 <= GOAL and not flood.owner_refused and flood.owner_ok > 0
    print(
        f"{harness.verdict(ok)}: under the flood trainees' clicks take {p50:.2f}x (p50) and {p95:.2f}x (p95) "
        f"the time without it (goal <= {GOAL:.0f}x); owner locked out: {'yes' if flood.owner_refused else 'no'} "
        f"({harness.machine()})"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
