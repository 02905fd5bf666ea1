"""The database unreachable: a kind message instead of an error (pages, fragments, sign-in routes and the
sign-in gate), and nothing else hidden. The browser test in tests/browser/test_faults.py stops a real
PostgreSQL server under a running app and checks it recovers by itself."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from records import Store, is_unavailable
from ui import signin
from ui.outage import MESSAGE, UNAVAILABLE

DOWN = OperationalError("SELECT 1", {}, Exception("connection refused"))

HANDLER_SCRIPT = """
import streamlit as st
from sqlalchemy.exc import OperationalError
from ui.outage import on_script_error

from records.errors import NotFound

kind = st.session_state.get("kind", "outage")
errors = {
    "outage": OperationalError("SELECT 1", {}, Exception("refused")),
    "bug": ValueError("a real bug"),
    "refusal": NotFound("There is no attempt 7 (*yours*)."),
}
st.session_state["handled"] = on_script_error(errors[kind])
"""


def test_only_connection_failures_count_as_an_outage():
    assert is_unavailable(DOWN)
    assert not is_unavailable(ValueError("a bug"))
    assert not is_unavailable(KeyError("x"))


@pytest.mark.parametrize(
    ("kind", "handled", "errors", "warnings"),
    [
        ("outage", True, [MESSAGE], []),
        ("bug", None, [], []),
        ("refusal", True, [], ["There is no attempt 7 \\(\\*yours\\*\\)\\."]),  # its words, shown as typed
    ],
)
def test_the_script_error_handler_shows_outages_and_refusals_and_nothing_else(kind, handled, errors, warnings):
    at = AppTest.from_string(HANDLER_SCRIPT)
    at.session_state["kind"] = kind
    at.run()
    assert at.session_state["handled"] is handled  # None: Streamlit shows the error as usual
    assert [e.value for e in at.error] == errors
    assert [w.value for w in at.warning] == warnings


def test_sign_in_routes_answer_503_with_the_message_while_the_database_is_down(isolated_data, monkeypatch):
    def down(*args, **kwargs):
        raise DOWN

    monkeypatch.setattr(Store, "open", classmethod(lambda cls, url=None: down()))
    monkeypatch.setattr(signin, "_store", down)
    app = Starlette(routes=signin.ROUTES, exception_handlers={e: signin.database_unavailable for e in UNAVAILABLE})
    with TestClient(app, base_url="https://peersim.test", follow_redirects=False) as http:
        response = http.get("/auth/signin")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "30"
    assert "PeerSim cannot reach its database just now" in response.text
    assert '<a href="/">Try again</a>' in response.text
