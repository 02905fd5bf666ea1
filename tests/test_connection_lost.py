"""The PeerSim server out of reach (ui/outage.py): Streamlit's own connection-lost dialog switched off through the
host configuration, PeerSim's words drawn on every page (shown only while the connection is down), and the notice
in the first run of a session that replaces one lost in a restart. The browser test is in
tests/browser/test_faults.py (a real restart, the words on screen, the click after it)."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from ui.outage import CONNECTION_LOST, HostConfig, names_a_previous_session

STREAMLIT_HOST_CONFIG = {
    "allowedOrigins": ["https://*.streamlit.app"],
    "useExternalAuthToken": False,
    "enableCustomParentMessages": False,
    "enforceDownloadInNewTab": False,
    "metricsUrl": "",
    "blockErrorDialogs": False,
    "resourceCrossOriginMode": None,
}


def host_config(request: Request) -> Response:
    return JSONResponse(STREAMLIT_HOST_CONFIG, headers={"Cache-Control": "no-cache"})


def app() -> Starlette:
    """Streamlit's answer (as in streamlit/web/server/starlette/starlette_routes.py) behind its compressing middleware
    (minimum size 1 here, so every answer would be compressed), with HostConfig outside, as serve.py adds it."""
    return Starlette(
        routes=[
            Route("/_stcore/host-config", host_config),
            Route("/_stcore/health", lambda request: PlainTextResponse("ok")),
        ],
        middleware=[Middleware(HostConfig), Middleware(GZipMiddleware, minimum_size=1)],
    )


def test_the_host_configuration_blocks_streamlits_error_dialogs_and_keeps_the_rest():
    with TestClient(app()) as http:
        answer = http.get("/_stcore/host-config", headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200
    assert answer.json() == {**STREAMLIT_HOST_CONFIG, "blockErrorDialogs": True}
    assert answer.headers["content-length"] == str(len(answer.content))
    assert answer.headers["cache-control"] == "no-cache"
    assert "content-encoding" not in answer.headers  # read and rewritten as plain JSON


def test_other_answers_pass_through_untouched():
    with TestClient(app()) as http:
        health = http.get("/_stcore/health", headers={"Accept-Encoding": "gzip"})
        missing = http.get("/practice/_stcore/host-config")  # the frontend's probe under a page's path: 404
        posted = http.post("/_stcore/host-config")
    assert (health.status_code, health.text, health.headers["content-encoding"]) == (200, "ok", "gzip")
    assert missing.status_code == 404
    assert posted.status_code == 405


def test_an_answer_that_is_not_json_is_left_alone():
    broken = Starlette(
        routes=[Route("/_stcore/host-config", lambda request: PlainTextResponse("not json"))],
        middleware=[Middleware(HostConfig)],
    )
    with TestClient(broken) as http:
        answer = http.get("/_stcore/host-config")
    assert (answer.status_code, answer.text) == (200, "not json")


@pytest.mark.parametrize(
    ("protocols", "previous"),
    [
        ("streamlit, 2|abc|def, 0d9f1c2e-aaaa-bbbb-cccc-123456789abc", True),  # a page reconnecting
        ("streamlit, 2|abc|def, ", False),  # a page just opened or reloaded
        ("streamlit, 2|abc|def", False),
        ("streamlit", False),
        ("", False),
        (None, False),
    ],
)
def test_a_reconnecting_page_names_its_previous_session(protocols, previous):
    assert names_a_previous_session(protocols) is previous


WATCH_SCRIPT = """
import streamlit as st
from ui.outage import connection_watch
connection_watch()
st.session_state["runs"] = st.session_state.get("runs", 0) + 1
"""


def test_every_page_carries_peersims_words_for_a_lost_connection_and_no_notice_when_opened_afresh():
    at = AppTest.from_string(WATCH_SCRIPT).run()
    assert not at.exception
    [html] = at.get("html")
    body = html.proto.body
    assert f'<div class="peersim-offline" role="status"><strong>Waiting for PeerSim.</strong> {CONNECTION_LOST}</div>' in body
    # Hidden unless Streamlit's frontend says the connection is down.
    assert "[data-testid=stElementContainer]:has(.peersim-offline){display:none}" in body
    assert "[data-testid=stApp]:not([data-test-connection-state=CONNECTED])" in body
    assert "Are you connected" not in body
    assert at.warning == []  # AppTest's session names no previous one: nothing was lost
    at.run()
    assert at.warning == [] and at.session_state["runs"] == 2


def test_practice_puts_the_conversation_back_after_a_restart(isolated_data, monkeypatch, fixture_library):
    """The first run of a session that replaces a lost one: connection_watch (app.py) marks the run, and Practice
    puts the trainee's open conversation back on screen instead of the library. (AppTest's switch_page runs a page
    without app.py, so the two halves are driven one at a time.)"""
    from streamlit.testing.v1 import AppTest

    from records import Store
    from scenarios import load_scenario_file
    from scoring import default_rubric
    from tests.helpers import FIXTURES, make_user, play
    from ui import outage
    from ui import state as keys

    monkeypatch.setattr(outage, "names_a_previous_session", lambda protocols: True)
    watched = AppTest.from_string(WATCH_SCRIPT).run()
    assert [w.value for w in watched.warning] == [outage.RECONNECTED]
    assert watched.session_state[outage.JUST_RECONNECTED] is True
    watched.run()
    assert outage.JUST_RECONNECTED not in watched.session_state  # the first run only

    store = Store.open(isolated_data)
    make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    mini = load_scenario_file(FIXTURES / "good" / "mini.yaml", default_rubric())
    play(store, ana, mini, default_rubric(), [("open", "reflect")])
    token = store.accounts.start_session(ana)
    store.close()
    for reconnected, shows in ((False, "library"), (True, "conversation")):
        at = AppTest.from_file(str(FIXTURES.parent.parent / "app.py"), default_timeout=60)
        at.session_state[keys.SESSION_TOKEN] = token
        at.session_state[outage.JUST_RECONNECTED] = reconnected
        at.switch_page("pages/practice.py").run()
        assert not at.exception
        at_ready = [b.key for b in at.button if b.key and b.key.startswith("choice_ready_")]
        assert (shows == "conversation") == bool(at_ready), shows
        assert (shows == "library") == ("Scenario library" in [t.value for t in at.title])
