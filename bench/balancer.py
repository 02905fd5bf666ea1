"""A real HAProxy in front of PeerSim servers, rendered from deploy/haproxy.cfg (for tests and benchmarks).

Usage::

    from bench import balancer

    with balancer.haproxy([server_a.url, server_b.url]) as lb:
        lb.url                            # "http://127.0.0.1:<port>": open the app here
        lb.cookie_for(server_a.url)       # "app1": set PEERSIM_SERVER=app1 to pin a client to server A
        lb.backend_of("app2")             # server_b.url: which backend a PEERSIM_SERVER value points to
        lb.backend_of_response(headers)   # the same, read from a response's Set-Cookie (None when none set)
        lb.served_by(headers)             # the backend that answered (an X-PeerSim-Server header, tests only)
        lb.up()                           # backend URLs HAProxy's health checks currently count as UP
        lb.wait_up([server_a.url])        # wait until exactly these are UP (after a stop or a restart)
        lb.command("show stat")           # any runtime API command, on HAProxy's admin socket

For the alternative, open-source nginx (deploy/nginx.conf)::

    with balancer.nginx([server_a.url, server_b.url], sticky="cookie") as lb:   # or sticky="ip_hash"
        lb.url, lb.log

``balancer.available()`` says whether haproxy is installed (``HAPROXY``). ``render(...)`` gives the test
configuration as text: deploy/haproxy.cfg with the bind address, the server lines and the global settings replaced
and TLS dropped (the production file stays the one source). A backend restarted on the same port is taken back by
the health checks: the balancer itself keeps running.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "haproxy.cfg"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf"
NGINX_COOKIE = "peersim_lb"
COOKIE = "PEERSIM_SERVER"
BACKEND = "streamlit"
"""The backend's name in deploy/haproxy.cfg (its runtime API name is ``streamlit/app1`` and so on)."""

_GLOBAL_DROPPED = ("log", "chroot", "user", "group", "daemon", "stats", "ca-base", "crt-base")


def available() -> bool:
    return Path(HAPROXY).exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_name(index: int) -> str:
    """The name (and cookie value) of the ``index``-th backend, from 0: app1, app2, ..."""
    return f"app{index + 1}"


def render(backends: Sequence[str], *, port: int, admin_socket: Path, template: str | None = None) -> str:
    """deploy/haproxy.cfg for a test run: HAProxy in the foreground on 127.0.0.1:``port`` over plain HTTP, logging
    to its stdout, its admin socket at ``admin_socket``, one server line per backend URL (named app1, app2, ...
    with the same cookie values), everything else (timeouts, stickiness, health checks, headers) as in production,
    plus an ``X-PeerSim-Server: <server name>`` response header saying which backend answered."""
    text = TEMPLATE.read_text() if template is None else template
    out: list[str] = []
    section = ""
    for line in text.splitlines():
        stripped = line.split("#", 1)[0].strip()
        words = stripped.split()
        if line and not line[0].isspace() and not line.startswith("#"):
            section = words[0] if words else ""
            out.append(line)
            if section == "global":
                out.append("    log stdout format raw local0")
                out.append(f"    stats socket {admin_socket} mode 600 level admin")
            continue
        if not words:
            out.append(line)
            continue
        if section == "global" and words[0] in _GLOBAL_DROPPED:
            continue
        if section in ("frontend", "listen") and words[0] == "bind":
            if not any(w.strip().startswith("bind ") for w in out):
                out.append(f"    bind 127.0.0.1:{port}")
            continue
        if "redirect scheme https" in stripped:  # no TLS in tests
            continue
        if words[0] == "cookie" and section == "backend":
            out.append(re.sub(r"\s+secure\b", "", line))
            continue
        if words[0] == "balance" and section == "backend":
            out.append(line)
            out.append("    http-response set-header X-PeerSim-Server %s   # tests: which server answered")
            continue
        if words[0] == "server":
            if any(w.lstrip().startswith("server ") for w in out):
                continue  # the first server line is the model of every rendered one
            options = " ".join(re.sub(r"\bcookie\s+\S+", "", " ".join(words[3:])).split())
            for index, url in enumerate(backends):
                address = urllib.parse.urlsplit(url).netloc
                name = server_name(index)
                out.append(f"    server {name} {address} cookie {name} {options}".rstrip())
            continue
        out.append(line)
    return "\n".join(out) + "\n"


@dataclass
class Balancer:
    """A running HAProxy: its URL, the backends by server name, its admin socket and log."""

    url: str
    backends: dict[str, str]
    """server name (= cookie value) -> backend URL."""
    admin_socket: Path
    config: Path
    log: Path
    process: subprocess.Popen[bytes]
    folder: Path
    _closed: bool = field(default=False, repr=False)

    # ------------------------------------------------------------------------------------------ stickiness
    def cookie_for(self, backend_url: str) -> str:
        """The PEERSIM_SERVER value that pins a client to ``backend_url``."""
        for name, url in self.backends.items():
            if url == backend_url:
                return name
        raise KeyError(backend_url)

    def backend_of(self, cookie_value: str | None) -> str | None:
        """The backend URL a PEERSIM_SERVER cookie value points to (None for no or an unknown value)."""
        return self.backends.get(cookie_value or "")

    def backend_of_response(self, headers: Iterable[tuple[str, str]]) -> str | None:
        """The backend a response's ``Set-Cookie: PEERSIM_SERVER=...`` points to (None when HAProxy set none).
        ``headers``: every header line as a pair, e.g. httpx's ``response.headers.multi_items()``, websockets'
        ``response.headers.raw_items()`` or urllib's ``response.headers.items()`` (httpx's ``items()`` joins the
        Set-Cookie lines into one)."""
        for name, value in headers:
            if name.lower() == "set-cookie" and value.startswith(f"{COOKIE}="):
                return self.backend_of(value.split("=", 1)[1].split(";", 1)[0])
        return None

    def served_by(self, headers: Iterable[tuple[str, str]]) -> str | None:
        """The backend that answered a response, from the ``X-PeerSim-Server`` header the test configuration adds."""
        for name, value in headers:
            if name.lower() == "x-peersim-server":
                return self.backend_of(value.strip())
        return None

    # --------------------------------------------------------------------------------------- runtime API
    def command(self, line: str) -> str:
        """Send one runtime API command to HAProxy's admin socket and return its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(str(self.admin_socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def status(self) -> dict[str, str]:
        """Backend URL -> HAProxy's status of it: "UP", "DOWN", "UP 1/2" (failing, still used), "DOWN 1/2"
        (recovering, not used yet), "MAINT", ..."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {
            self.backends[row["svname"]]: row["status"]
            for row in rows
            if row["pxname"] == BACKEND and row["svname"] in self.backends
        }

    def up(self) -> list[str]:
        """The backend URLs HAProxy sends new clients to (status UP, or UP but failing its first checks)."""
        return [url for url, status in self.status().items() if status.startswith("UP")]

    def wait_up(self, expected: Iterable[str], timeout: float = 60) -> list[str]:
        """Wait until the backends HAProxy sends clients to are exactly ``expected`` (in any order), each fully UP
        (no failing check pending) and every other one out (DOWN or in maintenance); raise TimeoutError if not."""
        wanted = sorted(expected)
        deadline = time.monotonic() + timeout
        while True:
            status = self.status()
            now = sorted(url for url, state in status.items() if state.startswith("UP"))
            if now == wanted and all(status[url] == "UP" for url in now):
                return now
            if time.monotonic() > deadline:
                raise TimeoutError(f"HAProxy counts {now} as up, not {wanted}: {self.status()}")
            time.sleep(0.2)

    # ------------------------------------------------------------------------------------------ lifetime
    def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


def start(backends: Sequence[str], *, port: int | None = None, wait: bool = True, template: str | None = None) -> Balancer:
    """Start HAProxy in front of ``backends`` (base URLs such as http://127.0.0.1:8501) and, with ``wait``, wait
    until it answers /_stcore/health and counts every backend UP. ``template`` replaces deploy/haproxy.cfg's text
    (tests compare a changed setting). Stop it with :meth:`Balancer.stop`."""
    if not available():
        raise RuntimeError(f"haproxy is not installed (no {HAPROXY}; apt-get install haproxy)")
    folder = Path(tempfile.mkdtemp(prefix="peersim-haproxy-"))
    port = port or free_port()
    admin = folder / "admin.sock"
    config = folder / "haproxy.cfg"
    config.write_text(render(backends, port=port, admin_socket=admin, template=template))
    log = folder / "haproxy.log"
    checked = subprocess.run([HAPROXY, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
    if checked.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"haproxy rejects the rendered configuration:\n{checked.stdout}{checked.stderr}")
    process = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=log.open("wb"), stderr=subprocess.STDOUT)
    lb = Balancer(
        f"http://127.0.0.1:{port}",
        {server_name(i): url for i, url in enumerate(backends)},
        admin,
        config,
        log,
        process,
        folder,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if process.poll() is not None:
                raise RuntimeError(f"haproxy exited with {process.returncode}:\n{lb.log_tail()}")
            if admin.exists():
                if not wait:
                    return lb
                with urllib.request.urlopen(f"{lb.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        lb.wait_up(backends, timeout=max(1.0, deadline - time.monotonic()))
                        return lb
        except OSError:
            pass
        except BaseException:
            lb.stop()
            raise
        if time.monotonic() > deadline:
            lb.stop()
            raise RuntimeError(f"haproxy did not answer on {lb.url}:\n{lb.log_tail()}")
        time.sleep(0.1)


@contextlib.contextmanager
def haproxy(backends: Sequence[str], *, port: int | None = None) -> Iterator[Balancer]:
    """``with haproxy([url, ...]) as lb:`` a running HAProxy in front of those backends, stopped afterwards."""
    lb = start(backends, port=port)
    try:
        yield lb
    finally:
        lb.stop()


# ------------------------------------------------------------------------------------------------------ nginx
def nginx_available() -> bool:
    return Path(NGINX).exists()


def render_nginx(backends: Sequence[str], *, port: int, folder: Path, sticky: str = "cookie", template: str | None = None) -> str:
    """A whole nginx.conf for a test run around deploy/nginx.conf: in the foreground, its pid, logs and temporary
    folders in ``folder``, plain HTTP on 127.0.0.1:``port``, one server line per backend URL. ``sticky="ip_hash"``
    puts the address hash (the earlier configuration) in place of the cookie hash. Each response says which backend
    answered in an ``X-PeerSim-Upstream`` header (``host:port``; tests only)."""
    if sticky not in ("cookie", "ip_hash"):
        raise ValueError(sticky)
    text = NGINX_TEMPLATE.read_text() if template is None else template
    body: list[str] = []
    block: list[str] = []
    depth = 0
    for line in text.splitlines():
        words = line.split("#", 1)[0].split()
        if depth == 0 and words[:2] == ["server", "{"]:
            block = [line]
            depth = 1
            continue
        if block:
            block.append(line)
            depth += line.count("{") - line.count("}")
            if depth == 0:
                if not any("return 301" in b for b in block):  # the plain-HTTP redirect server: no TLS in tests
                    body.extend(block)
                block = []
            continue
        body.append(line)
    out: list[str] = []
    for line in body:
        words = line.split("#", 1)[0].split()
        if not words:
            out.append(line)
        elif words[0] == "listen":
            out.append(f"        listen 127.0.0.1:{port};")
        elif words[0].startswith("ssl_"):
            continue
        elif words[0] == "server" and not words[1].startswith("{") and "server_name" not in words[0]:
            if any(o.split()[:1] == ["server"] and o.strip().endswith(";") and ":" in o for o in out):
                continue  # the first server line is the model of every rendered one
            options = " ".join(words[2:]).rstrip(";")
            out.extend(f"    server {urllib.parse.urlsplit(url).netloc} {options};".replace(" ;", ";") for url in backends)
        elif words[0] == "proxy_pass":
            out.append(line)
            out.append("        add_header X-PeerSim-Upstream $upstream_addr always;   # tests: which server answered")
        elif words[0] == "hash" and sticky == "ip_hash":
            out.append("    ip_hash;")
        else:
            out.append(line.replace("Secure; ", ""))
    temp = "\n".join(f"    {name}_temp_path {folder / name};" for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (
        f"daemon off;\nmaster_process off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {folder / 'error.log'} info;\nevents {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log {folder / 'access.log'};\n{temp}\n" + "\n".join(out) + "\n}\n"
    )


@dataclass
class Nginx:
    """A running nginx in front of test backends."""

    url: str
    config: Path
    log: Path
    process: subprocess.Popen[bytes]
    folder: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, characters: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


@contextlib.contextmanager
def nginx(backends: Sequence[str], *, sticky: str = "cookie", port: int | None = None) -> Iterator[Nginx]:
    """``with nginx([url, ...], sticky="cookie") as lb:`` a real nginx rendered from deploy/nginx.conf."""
    if not nginx_available():
        raise RuntimeError(f"nginx is not installed (no {NGINX}; apt-get install nginx-light)")
    folder = Path(tempfile.mkdtemp(prefix="peersim-nginx-"))
    port = port or free_port()
    config = folder / "nginx.conf"
    config.write_text(render_nginx(backends, port=port, folder=folder, sticky=sticky))
    log = folder / "error.log"
    command = [NGINX, "-p", str(folder), "-c", str(config), "-e", str(log)]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise RuntimeError(f"nginx rejects the rendered configuration:\n{checked.stdout}{checked.stderr}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    lb = Nginx(f"http://127.0.0.1:{port}", config, log, process, folder)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited with {process.returncode}:\n{lb.log_tail()}")
            try:
                with urllib.request.urlopen(f"{lb.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not answer on {lb.url}:\n{lb.log_tail()}") from None
                time.sleep(0.1)
        yield lb
    finally:
        lb.stop()
