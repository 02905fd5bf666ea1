"""A Streamlit client that speaks the browser's websocket protocol, and the HTTP sign-up and sign-in forms.

The protocol (DESIGN.md): open ``/_stcore/stream`` with the subprotocol ``streamlit``; every script run is asked
for with a protobuf ``BackMsg`` whose ``rerun_script`` carries the page and the widget states (a button click is
a ``trigger_value``); the server answers with ``ForwardMsg``s (deltas, ...) and ends each run with
``script_finished``. A click whose callback calls ``st.rerun()`` ends its first run early (FINISHED_EARLY_FOR_RERUN)
and the interaction is over at the next FINISHED_SUCCESSFULLY.

A session keeps its cookies like a browser's tab: the PeerSim session cookie and whatever else the server or a load
balancer in front of it set (a sticky-server cookie), sent on the websocket handshake and updated from its answer.
With ``reconnect=True`` it also does what Streamlit's frontend does when its websocket drops: ping
``/_stcore/health`` until a server answers, open a new websocket whose ``Sec-WebSocket-Protocol`` names the lost
session ("streamlit, <XSRF token or PLACEHOLDER_AUTH_TOKEN>, <previous session id>", which ui/outage.py reads), and,
only when a script run was under way at the drop, ask for a run of the page at once (the frontend's "Requesting a
script run" on reconnect); otherwise the next click goes to the new session as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

SESSION_COOKIE = "peersim_session"
XSRF_COOKIE = "_streamlit_xsrf"
NO_XSRF_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
"""What Streamlit's frontend puts second in Sec-WebSocket-Protocol when it has no XSRF cookie."""
CSRF_FIELD = re.compile(r'name="csrf" value="([^"]*)"')

FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY
EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
FRAGMENT_FINISHED = ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


class ProtocolError(RuntimeError):
    """The server answered something a browser would not accept (an exception element, a closed socket...)."""


@dataclass
class Run:
    """What one interaction drew: widgets by their user key, the text shown, exceptions, and how long it took."""

    seconds: float = 0.0
    runs: int = 0
    widgets: dict[str, str] = field(default_factory=dict)
    """user key -> widget id (ids end with ``-<user key>``)."""
    labels: dict[str, str] = field(default_factory=dict)
    """user key -> the widget's label."""
    options: dict[str, list[str]] = field(default_factory=dict)
    """user key -> the options a radio or select box shows (a radio's value is the chosen option's text)."""
    texts: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    messages: int = 0
    page_hashes: dict[str, str] = field(default_factory=dict)
    """url path -> page script hash, from the navigation message."""
    reconnected: bool = False
    """The first run on a new websocket after the last one dropped: a new server session drew it."""
    interrupted: bool = False
    """The websocket dropped while this interaction was in flight (its effect is unknown): what is shown is the run of
    the page the frontend asks for on reconnecting, in the new session."""

    def key_with_prefix(self, prefix: str) -> list[str]:
        return [key for key in self.widgets if key.startswith(prefix)]


def _user_key(widget_id: str) -> str | None:
    """``$$ID-<hash>-<user key>`` -> the user key (None for widgets without one)."""
    parts = widget_id.split("-", 2)
    if len(parts) == 3 and parts[0] == "$$ID" and parts[2] != "None":
        return parts[2]
    return None


def _read_element(element: Any, run: Run) -> None:
    kind = element.WhichOneof("type")
    if kind is None:
        return
    if kind == "exception":
        run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        return
    if kind == "markdown":
        run.texts.append(element.markdown.body)
        return
    if kind == "alert":
        run.texts.append(element.alert.body)
        return
    if kind in ("heading", "text"):
        run.texts.append(getattr(element, kind).body)
        return
    widget = getattr(element, kind)
    widget_id = getattr(widget, "id", "")
    if isinstance(widget_id, str) and widget_id.startswith("$$ID"):
        key = _user_key(widget_id)
        if key is not None:
            run.widgets[key] = widget_id
            run.labels[key] = str(getattr(widget, "label", ""))
            if hasattr(widget, "options"):
                run.options[key] = [str(option) for option in widget.options]


class Session:
    """One browser tab: a websocket to the server, the page being shown, and the cookies it was opened with."""

    def __init__(
        self,
        base_url: str,
        cookie: str = "",
        *,
        timeout: float = 60.0,
        cookies: dict[str, str] | None = None,
        reconnect: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cookies: dict[str, str] = dict(cookies or {})
        if cookie:
            self.cookies[SESSION_COOKIE] = cookie
        self.timeout = timeout
        self.page_hash = ""
        self.page_name = ""
        self.websocket: ClientConnection | None = None
        self.session_id = ""
        self.last: Run = Run()
        self._page_hashes: dict[str, str] = {}
        self.reconnect = reconnect
        self.drops: list[tuple[float, float | None]] = []
        """(when the websocket dropped, when a new one was open or None) for every drop, time.monotonic()."""
        self.reconnect_error = ""
        self._connected = asyncio.Event()
        self._watch: asyncio.Task[None] | None = None
        self._fresh = False
        self._closing = False

    @property
    def cookie(self) -> str:
        return self.cookies.get(SESSION_COOKIE, "")

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())} if self.cookies else {}

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        """What a browser does with Set-Cookie (name=value; attributes...): keep it, or drop it when it expires now."""
        for header in set_cookies:
            pair, _, attributes = header.partition(";")
            name, _, value = pair.strip().partition("=")
            if not name:
                continue
            expired = re.search(r"max-age=0\b|expires=thu, 01 jan 1970", attributes, re.IGNORECASE)
            if expired:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value.strip().strip('"')

    async def _connect(self, previous_session: str = "") -> None:
        ws_url = self.base_url.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        protocols = [
            "streamlit",
            self.cookies.get(XSRF_COOKIE) or NO_XSRF_TOKEN,
            *([previous_session] if previous_session else []),
        ]
        self.websocket = await connect(
            ws_url,
            subprotocols=protocols,  # type: ignore[arg-type]
            additional_headers=self._cookie_header(),
            compression=None,
            proxy=None,
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,
        )
        response = self.websocket.response
        if response is not None:
            self._keep_cookies(response.headers.get_all("Set-Cookie"))
        self._connected.set()
        if self.reconnect and self._watch is None:
            self._watch = asyncio.create_task(self._watch_connection())

    async def open(self, page_name: str = "") -> Run:
        """Connect and run the page at ``/<page_name>``, as a browser does on load. Timed from the connect."""
        started = time.perf_counter()
        await self._connect()
        self.page_name = page_name
        run = await self._rerun([], page_name=page_name)
        run.seconds = time.perf_counter() - started
        return run

    async def _watch_connection(self) -> None:
        """Reconnect whenever the websocket drops (not closed by us), as Streamlit's frontend does at once."""
        while not self._closing:
            websocket = self.websocket
            if websocket is None:
                return
            await websocket.wait_closed()
            if self._closing:
                return
            self._connected.clear()
            dropped = time.monotonic()
            self.drops.append((dropped, None))
            previous = self.session_id
            deadline = dropped + self.timeout
            while True:
                try:
                    await self._ping_health()
                    await self._connect(previous)
                    break
                except (OSError, httpx.HTTPError, ProtocolError, ConnectionClosed, TimeoutError) as exc:
                    if self._closing:
                        return
                    if time.monotonic() > deadline:
                        self.reconnect_error = f"no new websocket within {self.timeout:.0f} s: {type(exc).__name__}: {exc}"
                        self._connected.set()  # wakes a waiting click, which then fails
                        return
                    await asyncio.sleep(0.25)
            self.drops[-1] = (dropped, time.monotonic())
            self._fresh = True

    async def _ping_health(self) -> None:
        """The frontend's ping before it reconnects; through a load balancer this may set a new sticky cookie."""
        async with httpx.AsyncClient(base_url=self.base_url, cookies=self.cookies, timeout=2) as http:
            response = await http.get("/_stcore/health")
            self._keep_cookies(response.headers.get_list("set-cookie"))
            if response.status_code != 200 or response.text != "ok":
                raise ProtocolError(f"/_stcore/health answered {response.status_code}")

    async def _await_new(self, dropped: ClientConnection) -> None:
        """Wait until the watcher has opened a websocket in place of ``dropped``."""
        deadline = time.monotonic() + self.timeout + 5
        while self.websocket is dropped or not self._connected.is_set():
            if self.reconnect_error:
                raise ProtocolError(self.reconnect_error)
            if time.monotonic() > deadline:
                raise ProtocolError("the websocket dropped and no new one opened")
            await asyncio.sleep(0.02)

    async def _ready(self) -> ClientConnection:
        if self.reconnect:
            try:
                async with asyncio.timeout(self.timeout + 5):
                    await self._connected.wait()
            except TimeoutError:
                raise ProtocolError("the websocket dropped and no new one opened") from None
        if self.reconnect_error:
            raise ProtocolError(self.reconnect_error)
        websocket = self.websocket
        if websocket is None:
            raise ProtocolError("not connected")
        return websocket

    async def click(self, key: str) -> Run:
        """Click the button with this user key on the page last drawn."""
        widget_id = self.last.widgets.get(key)
        if widget_id is None:
            raise ProtocolError(f"no widget with key {key!r} on the page (have: {sorted(self.last.widgets)[:12]})")
        return await self._rerun([WidgetState(id=widget_id, trigger_value=True)])

    async def set_value(self, key: str, **value: Any) -> Run:
        """Change a widget's value and rerun (a radio's value is its option's text: ``string_value=...``)."""
        widget_id = self.last.widgets.get(key)
        if widget_id is None:
            raise ProtocolError(f"no widget with key {key!r} on the page")
        return await self._rerun([WidgetState(id=widget_id, **value)])

    async def go_to(self, page_name: str) -> Run:
        """Open another page of the app (what a click in the sidebar navigation sends)."""
        page_hash = self._page_hashes.get(page_name)
        if page_hash is None:
            raise ProtocolError(f"no page {page_name!r} in the navigation (have: {sorted(self._page_hashes)})")
        self.page_hash = page_hash
        self.page_name = page_name
        return await self._rerun([], page_name=page_name)

    async def rerun(self) -> Run:
        return await self._rerun([])

    async def _rerun(self, states: list[WidgetState], *, page_name: str | None = None) -> Run:
        websocket = await self._ready()
        message = BackMsg()
        client_state = message.rerun_script
        client_state.query_string = ""
        client_state.page_script_hash = self.page_hash
        client_state.page_name = page_name if page_name is not None else ""
        client_state.widget_states.widgets.extend(states)
        client_state.context_info.timezone = "UTC"
        client_state.context_info.url = f"{self.base_url}/{self.page_name}"
        started = time.perf_counter()
        fresh, self._fresh = self._fresh, False
        run = Run(reconnected=fresh)
        try:
            await websocket.send(message.SerializeToString())
        except ConnectionClosed:
            if not self.reconnect:
                raise
            # Dropped before the click went out (the frontend had not seen it yet): it goes to the new session.
            await self._await_new(websocket)
            return await self._rerun(states, page_name=page_name)
        try:
            async with asyncio.timeout(self.timeout):
                await self._receive_until_finished(websocket, run)
        except TimeoutError:
            raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from None
        except ConnectionClosed:
            if not self.reconnect:
                raise
            # Dropped mid-run: on reconnecting the frontend asks the new session for a run of the page (no click).
            await self._await_new(websocket)
            self._fresh = False
            run = await self._rerun([])
            run.reconnected = run.interrupted = True
            run.seconds = time.perf_counter() - started
            return run
        run.seconds = time.perf_counter() - started
        run.page_hashes = dict(self._page_hashes)
        self.last = run
        return run

    async def _receive_until_finished(self, websocket: ClientConnection, run: Run) -> None:
        forward = ForwardMsg()
        while True:
            data = await websocket.recv(decode=False)
            forward.Clear()
            forward.ParseFromString(data)
            run.messages += 1
            kind = forward.WhichOneof("type")
            if kind == "delta":
                delta = forward.delta
                if delta.WhichOneof("type") == "new_element":
                    _read_element(delta.new_element, run)
            elif kind == "new_session":
                # A new run starts: forget what an early-ended run (st.rerun) drew.
                run.widgets.clear()
                run.labels.clear()
                run.options.clear()
                run.texts.clear()
                initialize = forward.new_session.initialize
                if initialize.session_id:
                    self.session_id = initialize.session_id
                if forward.new_session.page_script_hash:
                    self.page_hash = forward.new_session.page_script_hash
            elif kind == "navigation":
                for page in forward.navigation.app_pages:
                    self._page_hashes[page.url_pathname] = page.page_script_hash
                if forward.navigation.page_script_hash:
                    self.page_hash = forward.navigation.page_script_hash
            elif kind == "script_finished":
                run.runs += 1
                status = forward.script_finished
                if status == EARLY_FOR_RERUN:
                    continue
                if status in (FINISHED, FRAGMENT_FINISHED):
                    return
                raise ProtocolError(f"script finished with status {status}")

    async def close(self) -> None:
        self._closing = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
            self._watch = None
        if self.websocket is not None:
            await self.websocket.close()
            self.websocket = None


# ------------------------------------------------------------------------------------------- HTTP forms
def csrf_of(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if found is None:
        raise ProtocolError("no CSRF field on the form")
    return html.unescape(found.group(1))


async def submit_form(client: httpx.AsyncClient, path: str, fields: dict[str, str]) -> httpx.Response:
    """GET the form (which sets the CSRF cookie), then POST it with the hidden field, as a browser does."""
    page = await client.get(path)
    page.raise_for_status()
    return await client.post(path, data={**fields, "csrf": csrf_of(page.text)})


def session_token(client: httpx.AsyncClient, response: httpx.Response) -> str:
    """The session cookie a successful sign-in or sign-up set (it redirects to / with a 303)."""
    if response.status_code != 303:
        found = re.search(r'role="alert">([^<]*)<', response.text) or re.search(r"<title>([^<]*)</title>", response.text)
        shown = html.unescape(found.group(1)) if found else response.text[:120]
        raise ProtocolError(f"HTTP {response.status_code}: {shown}")
    token = client.cookies.get(SESSION_COOKIE)
    if not token:
        raise ProtocolError("no session cookie after signing in")
    return str(token)


async def sign_up(client: httpx.AsyncClient, name: str, email: str, password: str) -> str:
    response = await submit_form(client, "/auth/signup", {"name": name, "email": email, "password": password, "code": ""})
    return session_token(client, response)


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> str:
    response = await submit_form(client, "/auth/signin", {"email": email, "password": password})
    return session_token(client, response)


async def set_up_admin(client: httpx.AsyncClient, name: str, email: str, password: str) -> str:
    from bench.harness import SETUP_TOKEN  # the token the benchmark's servers are started with

    fields = {"name": name, "email": email, "password": password, "token": SETUP_TOKEN}
    response = await submit_form(client, f"/auth/setup?token={SETUP_TOKEN}", fields)
    return session_token(client, response)


async def new_trainee(base_url: str, number: int, *, admin: bool = False) -> str:
    """Sign up a trainee (setting up the first admin first when ``admin``) and return their session token."""
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        if admin:
            await set_up_admin(http, "Bench Admin", "bench-admin@example.org", "quiet violet harbour lantern")
            http.cookies.clear()
        return await sign_up(http, f"Bench Trainee {number}", f"bench-{number}@example.org", f"amber quarry whistle {number}")


async def next_step(session: Session, rng: random.Random) -> tuple[str, Run]:
    """Take the next natural step on the Practice page: a choice, continue, back to the library, start, or
    choose a scenario. Returns what kind of step it was and what it drew."""
    page = session.last
    choices = sorted(page.key_with_prefix("choice_"))
    if choices:
        return "choice", await session.click(rng.choice(choices))
    for key, kind in (("continue", "continue"), ("done", "back to library"), ("start", "start")):
        if key in page.widgets:
            return kind, await session.click(key)
    offered = sorted(page.key_with_prefix("choose_"))
    if offered:
        return "choose scenario", await session.click(rng.choice(offered))
    raise ProtocolError(f"nothing to click on this page (widgets: {sorted(page.widgets)[:10]})")


async def open_app(base_url: str, token: str, page: str = "practice") -> Session:
    """Open the app as a browser does after signing in: ``/`` (Home, which runs app.py and its navigation),
    then ``page`` from the navigation. Opening a page URL first in a fresh server runs Streamlit's pages/-folder
    mode instead of app.py (see bench/README.md), so every benchmark comes in through ``/``."""
    session = Session(base_url, token)
    run = await session.open("")
    if run.exceptions:
        raise ProtocolError(f"Home raised {run.exceptions[0]}")
    if page:
        run = await session.go_to(page)
        if run.exceptions:
            raise ProtocolError(f"{page} raised {run.exceptions[0]}")
    return session
