"""Helpers for the real-browser tests (fixtures live in tests/browser/conftest.py): servers started with
`streamlit run serve.py`, a Playwright page that waits for the app's own idle state, signing in and navigating."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import ROOT, free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
REQUIRED = os.environ.get("PEERSIM_REQUIRE_BROWSER") == "1"  # CI: fail rather than skip


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


RUNS = """(() => {
  // Count the app's script runs from Streamlit's own websocket messages, in the page, as they happen:
  // a rerun request sent (BackMsg.rerun_script), a run started (ForwardMsg.new_session) and finished
  // (ForwardMsg.script_finished, other than FINISHED_EARLY_FOR_RERUN: another run follows that one).
  if (window.__peersimRuns) return;
  const runs = { requests: 0, settled: 0, pending: false, started: false };
  window.__peersimRuns = runs;
  const fields = (bytes) => {  // the top-level fields of a protobuf message: [field number, varint or null]
    const found = [];
    let i = 0;
    const varint = () => {
      let value = 0, shift = 0, byte;
      do { byte = bytes[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80 && i < bytes.length);
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) found.push([field, varint()]);
      else if (wire === 2) { const length = varint(); i += length; found.push([field, null]); }
      else if (wire === 1) { i += 8; found.push([field, null]); }
      else if (wire === 5) { i += 4; found.push([field, null]); }
      else break;
    }
    return found;
  };
  const asBytes = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  const Native = window.WebSocket;
  const send = Native.prototype.send;
  Native.prototype.send = function (data) {
    const bytes = this.__peersimStream ? asBytes(data) : null;
    if (bytes && fields(bytes).some(([field]) => field === 11)) {
      runs.requests += 1;
      runs.pending = true;
      runs.started = false;
    }
    return send.call(this, data);
  };
  window.WebSocket = new Proxy(Native, {
    construct(target, args) {
      const socket = Reflect.construct(target, args);
      if (String(args[0]).includes('/_stcore/stream')) {
        socket.__peersimStream = true;
        socket.addEventListener('message', (event) => {
          const bytes = asBytes(event.data);
          if (!bytes) return;
          for (const [field, value] of fields(bytes)) {
            if (field === 4 && runs.pending) runs.started = true;
            if (field === 6 && value !== 2 && runs.pending && runs.started) runs.pending = false;
          }
        });
      }
      return socket;
    },
  });
})();"""
"""An init script for every page: the app's run counter, kept by the page itself (no timing guesses)."""

NEXT_FRAMES = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))))"
"""Resolves once the page has drawn two frames: some widgets (a number input's Enter, a select box's option) ask for
their rerun from an effect after the next render rather than in the key or click handler itself."""

ANSWERED = """() => {
  const runs = window.__peersimRuns;
  return !runs || runs.requests === runs.settled || !runs.pending;
}"""
"""True once every rerun asked for since the last settle has finished on the server (its last message received)."""

SETTLED = """() => {
  const runs = window.__peersimRuns;
  if (runs && runs.requests > runs.settled && runs.pending) return false;  // a rerun was asked for and has not finished
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const main = document.querySelector('[data-testid=stMain]');
  if (!main || main.innerText.trim().length === 0) return false;
  if (runs) runs.settled = runs.requests;
  return true;
}"""
"""True once every rerun asked for since the last settle has finished and the app is idle with something drawn."""


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
        """Wait until the page is loaded and, on app pages, every rerun asked for since the last settle (a click, a
        page load) has started and finished and something is drawn. The page counts its own runs (``RUNS``), after
        drawing two frames (so a rerun a widget asks for from an effect is counted): an action that asks for no
        rerun (opening a select box or an expander) waits for nothing more. The socket sees a run's last message
        before the app has handled and drawn it, so the page draws two more frames before the app's own
        idle state is read."""
        page = self.page
        page.wait_for_load_state()  # type: ignore[attr-defined]
        if "/auth/" in page.url:  # type: ignore[attr-defined]
            return
        page.evaluate(NEXT_FRAMES)  # type: ignore[attr-defined]
        page.wait_for_function(ANSWERED, timeout=30_000)  # type: ignore[attr-defined]
        page.evaluate(NEXT_FRAMES)  # type: ignore[attr-defined]  # the app handles what arrived, then draws it
        page.wait_for_function(SETTLED, timeout=30_000)  # type: ignore[attr-defined]

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


def sign_in(page: Page, url: str, email: str, password: str) -> None:
    """Open the app at ``url`` and sign in through the server-rendered form (the POST navigates, then the app runs)."""
    page.page.goto(url + "/")  # type: ignore[attr-defined]
    page.page.wait_for_url("**/auth/signin")  # type: ignore[attr-defined]
    page.page.fill("#email", email)  # type: ignore[attr-defined]
    page.page.fill("#password", password)  # type: ignore[attr-defined]
    with page.page.expect_navigation(timeout=30_000):  # type: ignore[attr-defined]
        page.page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.settle()


def nav(page: Page, name: str) -> None:
    """Open an app page from the sidebar navigation."""
    page.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name=name, exact=True).click()  # type: ignore[attr-defined]
    page.settle()


def fill_form(page: Page, **fields: str) -> None:
    """Fill and send one of the server-rendered /auth forms; a POST always navigates (redirect or the form again)."""
    for name, value in fields.items():
        page.page.fill(f"#{name}", value)  # type: ignore[attr-defined]
    with page.page.expect_navigation(timeout=30_000):  # type: ignore[attr-defined]
        page.page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.settle()


def choose(page: Page, box: str, option: str) -> None:
    """Choose ``option`` in the select box labelled ``box``. A rerun that draws the page anew closes a list that was
    just opened, so the list is opened again (after the app settles) until exactly one such option shows."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    p = page.page
    wanted = p.get_by_role("option", name=option, exact=True)  # type: ignore[attr-defined]
    for _ in range(5):
        p.get_by_role("combobox", name=box, exact=True).click()  # type: ignore[attr-defined]
        try:
            wanted.wait_for(timeout=3_000)
            break
        except PlaywrightTimeout:
            page.settle()
    assert wanted.count() == 1, (box, option)
    wanted.click()
    page.settle()
