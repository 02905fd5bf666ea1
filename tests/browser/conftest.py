"""Real-browser tests: Streamlit servers started with `streamlit run serve.py`, driven by Playwright in Debian's
chromium. Skipped when chromium or Playwright is not installed (CI installs both). Screenshots of each page are
kept under artifacts/screenshots/.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"

REQUIRED = os.environ.get("PEERSIM_REQUIRE_BROWSER") == "1"  # CI: fail rather than skip
try:
    import playwright.sync_api as playwright_api
except ImportError:  # pragma: no cover - depends on the machine
    if REQUIRED:
        raise
    pytest.skip("Playwright is not installed (pip install -r requirements-dev.txt)", allow_module_level=True)
if not Path(CHROMIUM).exists():
    if REQUIRED:
        raise RuntimeError(f"PEERSIM_REQUIRE_BROWSER=1 but there is no chromium at {CHROMIUM}")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    group: bool = False

    def kill(self) -> None:
        """SIGKILL the server (its whole process group, when started with ``group=True``): a crash, no clean-up."""
        with contextlib.suppress(ProcessLookupError):
            if self.group:
                os.killpg(self.process.pid, signal.SIGKILL)
            else:
                self.process.kill()
        self.process.wait(timeout=15)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()


@dataclass
class Servers:
    database_url: str
    tmp: Path
    started: list[Server] = field(default_factory=list)

    def start(self, port: int | None = None, *, group: bool = False, **extra_env: str) -> Server:
        """Start a server (on ``port``, or a free one) and wait until it is healthy. ``group=True`` gives it its own
        process group, so :meth:`Server.kill` can SIGKILL the whole group."""
        port = port or free_port()
        log = self.tmp / f"server-{port}-{len(self.started)}.log"
        env = {
            **os.environ,
            "PEERSIM_DATABASE_URL": self.database_url,
            "PEERSIM_LIBRARY_DIR": str(ROOT / "tests" / "fixtures" / "good"),
            **extra_env,
        }
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "serve.py", "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=ROOT,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=group,
        )
        server = Server(f"http://127.0.0.1:{port}", process, log, group)
        self.started.append(server)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break  # it exited (a port still taken, a broken import): no point waiting out the deadline
            try:
                with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        return server
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"server did not start (exit code {process.poll()}):\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture
def servers(isolated_data: str, tmp_path: Path) -> Iterator[Servers]:
    pool = Servers(isolated_data, tmp_path)
    yield pool
    for server in pool.started:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield launched
        launched.close()


READY = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid=stMain]');
  return !!main && main.innerText.trim().length > 0;
}"""


class Page:
    """A browser page with the waits Streamlit needs, console errors collected, and screenshots."""

    def __init__(self, page: object, name: str) -> None:
        self.page = page
        self.name = name
        self.errors: list[str] = []
        self.failed = []
        self.accessibility: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
        page.on("pageerror", lambda e: self.errors.append(str(e)))  # type: ignore[attr-defined]
        page.on(  # type: ignore[attr-defined]
            "response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        self.failed: list[str] = []

    def settle(self) -> None:
        """Wait until the page is loaded and, on app pages, the script has finished and drawn something."""
        page = self.page
        page.wait_for_timeout(250)  # type: ignore[attr-defined]  # let a click's rerun begin
        page.wait_for_load_state()  # type: ignore[attr-defined]
        if "/auth/" in page.url:  # type: ignore[attr-defined]
            return
        page.wait_for_function(READY, timeout=30_000)  # type: ignore[attr-defined]
        page.wait_for_timeout(200)  # type: ignore[attr-defined]

    def console_errors(self) -> list[str]:
        """Console errors, less the 404s of Streamlit's own base-path probes after a reload of a page URL
        (the frontend asks /<page>/_stcore/health and /<page>/_stcore/host-config, and Streamlit answers 404)."""
        probes = [f for f in self.failed if f.startswith("404 ") and f.endswith(("/_stcore/health", "/_stcore/host-config"))]
        others = [f for f in self.failed if f not in probes]
        resource = [e for e in self.errors if e.startswith("Failed to load resource")]
        rest = [e for e in self.errors if not e.startswith("Failed to load resource")]
        if len(resource) == len(probes) and not others:
            return rest
        return rest + resource + others

    def shot(self, label: str) -> None:
        """Save a screenshot of this state, and check it with axe-core (WCAG 2.1 A and AA rules)."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{self.name}-{label}.png"), full_page=True)  # type: ignore[attr-defined]
        self.check_accessibility(label)

    def check_accessibility(self, label: str) -> None:
        from axe_playwright_python.sync_playwright import Axe

        options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
        results = Axe().run(self.page, options=options).response
        for violation in results["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [", ".join(map(str, node["target"])) for node in violation["nodes"]][:3]
                self.accessibility.append(f"{label}: {violation['id']} ({violation['impact']}): {violation['help']} at {targets}")


@pytest.fixture
def open_page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    contexts = []

    def make(name: str, cookies: list[dict[str, object]] | None = None) -> Page:
        context = browser.new_context(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
        if cookies:
            context.add_cookies(cookies)
        contexts.append(context)
        return Page(context.new_page(), f"{request.node.name}-{name}")

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    """Open the app at ``url`` and sign in through the server-rendered form (the POST navigates, then the app runs)."""
    page.page.goto(url + "/")  # type: ignore[attr-defined]
    page.page.wait_for_url("**/auth/signin")  # type: ignore[attr-defined]
    page.page.fill("#email", email)  # type: ignore[attr-defined]
    page.page.fill("#password", password)  # type: ignore[attr-defined]
    with page.page.expect_navigation(timeout=30_000):  # type: ignore[attr-defined]
        page.page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.settle()


def nav_to(page: Page, name: str) -> None:
    """Open an app page from the sidebar navigation."""
    page.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name, exact=True).click()  # type: ignore[attr-defined]
    page.settle()
