"""The load generator as a test: bench.load through a real HAProxy (deploy/haproxy.cfg, rendered by bench/balancer.py)
in front of two `streamlit run serve.py` servers on a fresh PostgreSQL database, one server killed with SIGKILL
half-way through. Asserts what the run did, never how fast: no errors, every decision sent stored once (none lost,
none doubled), and every trainee of the killed server reconnected through the balancer to the other server, still
signed in, with the page showing their attempt at the right decision.

Skipped when haproxy or PostgreSQL is missing, unless PEERSIM_REQUIRE_BALANCER=1 (CI), which fails instead.
About 60 s on two cores.
"""

from __future__ import annotations

import os

import pytest

from bench import balancer, load

REQUIRED = os.environ.get("PEERSIM_REQUIRE_BALANCER") == "1"
POSTGRES = os.environ.get("PEERSIM_TEST_DATABASE_URL", "").strip() or "postgresql://postgres@127.0.0.1:5432/postgres"


def unavailable(reason: str) -> None:
    """Skip with ``reason``; under PEERSIM_REQUIRE_BALANCER=1 (CI) fail with it instead."""
    if REQUIRED:
        pytest.fail(f"PEERSIM_REQUIRE_BALANCER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_problem() -> str | None:
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3):
            return None
    except Exception as error:  # psycopg missing, refused, auth...
        return f"PostgreSQL is not reachable at {POSTGRES} ({type(error).__name__}: {error})"


def test_a_server_killed_under_load_loses_and_doubles_nothing_and_its_trainees_resume_elsewhere() -> None:
    if not balancer.available():
        unavailable(f"haproxy is not installed (no {balancer.HAPROXY}; apt-get install haproxy)")
    problem = postgres_problem()
    if problem:
        unavailable(problem)
    args = load.parse_args(
        [
            *("--database", POSTGRES, "--servers", "2", "--balancer", "haproxy"),
            *("--users", "12", "--think", "1", "--duration", "40", "--ramp", "8", "--kill-after", "20"),
        ]
    )
    results = load.run_once(args, baseline=False)
    load.report(results)  # shown with -s, and in the failure's captured output

    assert results.errors == []
    assert results.decisions_sent > 0
    assert (results.lost, results.duplicated) == (0, 0)
    assert f"decisions sent {results.decisions_sent}, stored {results.decisions_sent}:" in results.database_check
    names = [server.name for server in results.servers]
    assert names == ["app1", "app2"]
    landed = {name: sum(1 for t in results.trainees if t.server == name) for name in names}
    assert all(count > 0 for count in landed.values()), landed  # the balancer spread the class over both servers

    failover = results.failover
    assert failover is not None
    killed = [server for server in results.servers if server.killed_at is not None]
    assert [server.name for server in killed] == [failover.server]
    assert failover.trainees, "nobody was on the killed server"
    assert set(failover.reconnect_seconds) == failover.trainees  # every one of them got a new websocket
    (survivor,) = set(names) - {failover.server}
    assert failover.moved_to == dict.fromkeys(failover.trainees, survivor)  # through the balancer, to the other server
    assert failover.resumed == failover.trainees  # signed in, told, and back at the right decision
    assert failover.other_drops == 0
    assert load.failover_ok(results)
