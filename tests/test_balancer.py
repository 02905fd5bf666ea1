"""PeerSim behind a real load balancer (deploy/haproxy.cfg and deploy/nginx.conf, rendered by bench/balancer.py),
in front of real `streamlit run serve.py` servers sharing a fresh PostgreSQL database made for this module.

Skipped when haproxy, nginx or PostgreSQL is missing, unless PEERSIM_REQUIRE_BALANCER=1 (CI), which fails instead.
The browser side (failover mid-attempt, a live class across servers) is tests/browser/test_balancer.py.
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from bench import balancer
from bench.harness import Database, fresh_database
from tests.browser.helpers import Server, Servers

REQUIRED = os.environ.get("PEERSIM_REQUIRE_BALANCER") == "1"
POSTGRES = os.environ.get("PEERSIM_TEST_DATABASE_URL", "").strip() or "postgresql://postgres@127.0.0.1:5432/postgres"


def unavailable(reason: str) -> None:
    """Skip with ``reason``; under PEERSIM_REQUIRE_BALANCER=1 (CI) fail with it instead."""
    if REQUIRED:
        pytest.fail(f"PEERSIM_REQUIRE_BALANCER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def postgres_reachable() -> str | None:
    """None when PostgreSQL answers at POSTGRES, else why not."""
    try:
        import psycopg

        with psycopg.connect(POSTGRES, connect_timeout=3):
            return None
    except Exception as error:  # psycopg missing, refused, auth...
        return f"PostgreSQL is not reachable at {POSTGRES} ({type(error).__name__}: {error})"


def require_balancer_components(*, nginx: bool = False) -> None:
    if not balancer.available():
        unavailable(f"haproxy is not installed (no {balancer.HAPROXY}; apt-get install haproxy)")
    if nginx and not balancer.nginx_available():
        unavailable(f"nginx is not installed (no {balancer.NGINX}; apt-get install nginx-light)")
    problem = postgres_reachable()
    if problem:
        unavailable(problem)


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Three servers on one fresh PostgreSQL database, created for this module and dropped after it."""
    require_balancer_components()
    database: Database = fresh_database(POSTGRES, "balancer")
    tmp = tmp_path_factory.mktemp("balancer")
    servers = Servers(database.url, tmp)
    try:
        for _ in range(3):
            servers.start(group=True, PEERSIM_DATA_DIR=str(tmp))
        yield servers
    finally:
        for server in servers.started:
            if server.process.poll() is None:
                server.stop()
        database.drop()


def restart(pool: Servers, server: Server) -> Server:
    """Start a stopped server again on the same port; it takes the old one's place in ``pool.started``."""
    port = int(server.url.rsplit(":", 1)[1])
    started = pool.start(port, group=True, PEERSIM_DATA_DIR=str(pool.tmp))
    pool.started.remove(server)
    return started


def test_the_rendered_configuration_is_the_production_one_without_tls() -> None:
    """Tests run deploy/haproxy.cfg itself: only the binds, servers, global settings and TLS differ."""
    production = balancer.TEMPLATE.read_text()
    rendered = balancer.render(["http://127.0.0.1:9001", "http://127.0.0.1:9002"], port=9000, admin_socket=Path("/tmp/a.sock"))
    for line in (
        "cookie PEERSIM_SERVER insert indirect nocache httponly secure",
        "option redispatch 1",
        "option httpchk GET /_stcore/health",
        "http-check expect string ok",
        "timeout tunnel 8h",
        "timeout client-fin 30s",
        "X-Forwarded-Proto https if { ssl_fc }",
        "bind :443 ssl crt",
    ):
        assert line in production, line
    assert "cookie PEERSIM_SERVER insert indirect nocache httponly attr" in rendered
    assert "ssl crt" not in rendered and "redirect scheme https" not in rendered
    assert "    bind 127.0.0.1:9000\n" in rendered
    assert "server app1 127.0.0.1:9001 cookie app1\n" in rendered
    assert "server app2 127.0.0.1:9002 cookie app2\n" in rendered
    assert "127.0.0.1:8501" not in rendered
    for line in ("option httpchk GET /_stcore/health", "timeout tunnel 8h", "default-server check inter 2s", "option forwardfor"):
        assert line in rendered, line


def test_a_client_keeps_its_server_and_new_clients_are_spread(pool: Servers) -> None:
    backends = [server.url for server in pool.started]
    with balancer.haproxy(backends) as lb:
        first: dict[int, str] = {}
        for client_number in range(12):
            with httpx.Client(base_url=lb.url, timeout=30) as client:
                answer = client.get("/_stcore/health")
                assert answer.text == "ok"
                pinned = lb.backend_of(client.cookies.get(balancer.COOKIE))
                assert pinned == lb.served_by(answer.headers.multi_items()), "the cookie names the server that answered"
                first[client_number] = pinned
                for path in ("/_stcore/host-config", "/_stcore/health", "/", "/_stcore/health"):
                    again = client.get(path)
                    assert lb.served_by(again.headers.multi_items()) == pinned, path
                    assert lb.backend_of_response(again.headers.multi_items()) is None, "indirect: the cookie is not sent again"
        spread = Counter(first.values())
        print(f"\nHAProxy, 12 new clients from one address over 3 servers: {sorted(spread.values(), reverse=True)}")
        assert set(spread) == set(backends), spread


def test_the_websocket_reaches_the_pinned_server_through_haproxy(pool: Servers) -> None:
    from bench.client import Session

    backends = [server.url for server in pool.started]
    with balancer.haproxy(backends) as lb:
        for backend in backends:

            async def open_stream(target: str = backend) -> tuple[str | None, int, list[str]]:
                session = Session(lb.url, cookies={balancer.COOKIE: lb.cookie_for(target)}, timeout=60)
                try:
                    run = await session.open()
                    assert session.websocket is not None and session.websocket.response is not None
                    headers = session.websocket.response.headers
                    return lb.served_by(headers.raw_items()), run.runs, run.exceptions
                finally:
                    await session.close()

            served, runs, exceptions = asyncio.run(open_stream())
            assert served == backend
            assert runs >= 1 and exceptions == []


def test_health_checks_take_a_stopped_server_out_and_a_restarted_one_back(pool: Servers) -> None:
    backends = [server.url for server in pool.started]
    victim = pool.started[1]
    with balancer.haproxy(backends) as lb:
        pinned = {"Cookie": f"{balancer.COOKIE}={lb.cookie_for(victim.url)}"}  # a browser pinned to the victim
        with httpx.Client(base_url=lb.url, timeout=30, headers=pinned) as client:
            assert lb.served_by(client.get("/_stcore/health").headers.multi_items()) == victim.url

        victim.kill()
        # Before the checks notice: the connection is refused, and the request is redispatched to another server,
        # which gives the browser a new cookie.
        with httpx.Client(base_url=lb.url, timeout=30, headers=pinned) as client:
            answer = client.get("/_stcore/health")
            assert answer.text == "ok"
            moved_to = lb.served_by(answer.headers.multi_items())
            assert moved_to in backends and moved_to != victim.url
            assert lb.backend_of_response(answer.headers.multi_items()) == moved_to
        others = [url for url in backends if url != victim.url]
        lb.wait_up(others)
        assert lb.status()[victim.url] == "DOWN"
        for _ in range(6):  # while it is out, no new client is sent to it
            with httpx.Client(base_url=lb.url, timeout=30) as client:
                assert lb.served_by(client.get("/_stcore/health").headers.multi_items()) in others

        revived = restart(pool, victim)
        lb.wait_up(backends)
        with httpx.Client(base_url=lb.url, timeout=30, headers=pinned) as client:
            assert lb.served_by(client.get("/_stcore/health").headers.multi_items()) == revived.url


@contextmanager
def health_answering_after(delay: float) -> Iterator[str]:
    """A stand-in backend whose /_stcore/health answers "ok" after ``delay`` seconds, as a saturated server's does
    (its answer waits behind the script runs); its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)
            body = b"ok" if self.path == "/_stcore/health" else b"not here"
            self.send_response(200 if self.path == "/_stcore/health" else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with suppress(BrokenPipeError, ConnectionResetError):  # the balancer gave up waiting (earlier setting)
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_slow_to_answer_its_health_check_stays_in() -> None:
    """At saturation a server's /_stcore/health answer waits seconds behind its script runs. It is busy, not down:
    taking it out sends its trainees to servers as busy, or, with one server, gives everyone HTTP 503 (seen in
    bench.load at 300 trainees). deploy/haproxy.cfg gives a check's answer 10 s (``timeout check``); without that
    line HAProxy allows a whole check only ``inter`` (2 s) and takes a 3-second server out. A stopped server is
    still out at once, its connections refused (test_health_checks_take_a_stopped_server_out_...)."""
    if not balancer.available():
        unavailable(f"haproxy is not installed (no {balancer.HAPROXY}; apt-get install haproxy)")
    production = balancer.TEMPLATE.read_text()
    assert "    timeout check 10s\n" in production
    before = production.replace("    timeout check 10s\n", "")
    with health_answering_after(3.0) as slow, health_answering_after(0.0) as quick:
        lb = balancer.start([slow, quick], wait=False, template=before)
        try:
            deadline = time.monotonic() + 30
            while lb.status().get(slow) != "DOWN":  # the earlier configuration: out within about 5 s
                assert time.monotonic() < deadline, lb.status()
                time.sleep(0.2)
        finally:
            lb.stop()

        lb = balancer.start([slow, quick], wait=False)
        try:
            checked: list[dict[str, str]] = []  # HAProxy's view of the slow server, once its first check is done
            watched_until = time.monotonic() + 12  # room for three checks of 3 s, 2 s apart
            while time.monotonic() < watched_until:
                rows = csv.DictReader(io.StringIO(lb.command("show stat").lstrip("# ")))
                row = next(r for r in rows if r["svname"] == "app1")
                if row["check_status"].lstrip("* ") != "INI":
                    checked.append(row)
                time.sleep(0.2)
            assert checked, "no health check finished in 12 s"
            assert {r["status"] for r in checked} == {"UP"}  # never "UP 1/2" (a failed check) nor "DOWN"
            assert {r["chkfail"] for r in checked} == {"0"}
            assert {r["check_status"].lstrip("* ") for r in checked} == {"L7OK"}
            assert min(int(r["check_duration"]) for r in checked) >= 3000  # its checks did take 3 s, and passed
            pinned = {"Cookie": f"{balancer.COOKIE}={lb.cookie_for(slow)}"}
            with httpx.Client(base_url=lb.url, timeout=30, headers=pinned) as client:
                answer = client.get("/_stcore/health")
                assert (answer.status_code, answer.text) == (200, "ok")
                assert lb.served_by(answer.headers.multi_items()) == slow
        finally:
            lb.stop()


def nginx_spread(lb: balancer.Nginx, clients: int) -> Counter[str]:
    """``clients`` browsers from one address (127.0.0.1, like a classroom behind one NAT): the server each is sent
    to, checking that each keeps reaching the same one."""
    landed: Counter[str] = Counter()
    for _ in range(clients):
        with httpx.Client(base_url=lb.url, timeout=30) as client:
            upstreams = {
                client.get(path).headers["x-peersim-upstream"] for path in ("/_stcore/health", "/_stcore/host-config", "/")
            }
            assert len(upstreams) == 1, upstreams
            landed[upstreams.pop()] += 1
    return landed


def test_nginx_ip_hash_pins_a_whole_nat_to_one_server_and_the_cookie_spreads_it(pool: Servers) -> None:
    require_balancer_components(nginx=True)
    backends = [server.url for server in pool.started]
    with balancer.nginx(backends, sticky="ip_hash") as lb:
        by_address = nginx_spread(lb, 30)
    with balancer.nginx(backends, sticky="cookie") as lb:
        by_cookie = nginx_spread(lb, 30)
    print(f"\nnginx, 30 browsers from 127.0.0.1 over 3 servers: ip_hash {sorted(by_address.values(), reverse=True)}, ", end="")
    print(f"cookie {sorted(by_cookie.values(), reverse=True)}")
    assert len(by_address) == 1 and sum(by_address.values()) == 30
    assert len(by_cookie) == 3 and sum(by_cookie.values()) == 30
