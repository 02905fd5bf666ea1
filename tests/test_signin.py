"""The sign-in pages: first-run set-up, sign-up, sign-in, sign-out, cookies and CSRF, over real HTTP requests."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from records import Store
from tests.helpers import PASSWORD, app_for, csrf, make_user
from ui import signin


@pytest.fixture
def client(isolated_data):
    signin.services.store.clear()
    with TestClient(Starlette(routes=signin.ROUTES), base_url="https://peersim.test", follow_redirects=False) as http:
        yield http
    signin._store().close()
    signin.services.store.clear()


@pytest.fixture
def store(isolated_data):
    opened = Store.open(isolated_data)
    yield opened
    opened.close()


def post(http: TestClient, path: str, **fields: str):
    return http.post(path, data={"csrf": csrf(http, path), **fields})


def session_cookie_header(response) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{signin.SESSION_COOKIE}="))


def test_first_run_sends_everyone_to_set_up_the_admin(client, store):
    assert client.get("/auth/signin").headers["location"] == "/auth/setup"
    link = f"/auth/setup?token={signin.setup_token()}"  # the one-time link from the server's log
    response = client.post(
        "/auth/setup",
        data={
            "csrf": csrf(client, link),
            "token": signin.setup_token(),
            "name": "Ada Admin",
            "email": "ada@example.org",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = session_cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" in cookie
    token = client.cookies.get(signin.SESSION_COOKIE)
    assert store.accounts.user_for_session(token).role == "admin"
    # Set-up is closed once there is an admin.
    assert client.get("/auth/setup").headers["location"] == "/auth/signin"


def test_sign_up_joins_a_cohort_and_signs_in(client, store):
    make_user(store, "Ada", "admin")
    teacher = make_user(store, "Ivan", "instructor")
    cohort = store.cohorts.create(teacher, "Tuesday evenings")
    response = post(client, "/auth/signup", name="Tia", email="tia@example.org", password=PASSWORD, code=cohort.join_code.lower())
    assert (response.status_code, response.headers["location"]) == (303, "/")
    tia = store.accounts.user_for_session(client.cookies.get(signin.SESSION_COOKIE))
    assert (tia.name, tia.role) == ("Tia", "trainee")
    assert [c.name for c in store.cohorts.mine(tia)] == ["Tuesday evenings"]


def test_a_join_code_that_matches_no_cohort_still_makes_the_account_and_home_says_so(client, store):
    make_user(store, "Ada", "admin")
    response = post(client, "/auth/signup", name="Tia", email="tia@example.org", password=PASSWORD, code="QQQQQQ")
    assert (response.status_code, response.headers["location"]) == (303, f"/?signup={signin.NOT_JOINED}")
    tia = store.accounts.user_for_session(client.cookies.get(signin.SESSION_COOKIE))
    assert store.cohorts.mine(tia) == []
    at = app_for(client.cookies.get(signin.SESSION_COOKIE))
    at.query_params["signup"] = signin.NOT_JOINED
    at.run()
    assert [w.value for w in at.warning] == [
        "Your account is ready, but the join code you gave did not match an open cohort, so you have not joined one "
        "yet. Check the code with your instructor and enter it under **Account and privacy**."
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Tia", "email": "tia@example.org", "password": "password1"}, "This is a very common password."),
        ({"name": "", "email": "tia@example.org", "password": PASSWORD}, "Please type a name"),
        ({"name": "Tia", "email": "tia", "password": PASSWORD}, "Please enter an email address"),
        ({"name": "Tia", "email": "tia@example.org", "password": PASSWORD, "code": "abc"}, "A join code has 6 letters"),
    ],
)
def test_sign_up_problems_are_shown_with_what_was_typed_kept(client, store, fields, message):
    make_user(store, "Ada", "admin")
    response = post(client, "/auth/signup", **fields)
    assert response.status_code == 200  # the form again, with the problem announced (role=alert)
    assert 'role="alert"' in response.text and message in response.text
    assert f'value="{fields["email"]}"' in response.text  # nothing typed is lost
    assert fields["password"] not in response.text or fields["password"] == ""  # the password is never echoed
    assert store.accounts.count() == 1


def test_sign_in_and_out_and_the_old_cookie_stops_working(client, store):
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    wrong = post(client, "/auth/signin", email="tia@example.org", password="not it at all")
    assert wrong.status_code == 200
    assert "That email and password do not match an account. Please try again." in wrong.text
    response = post(client, "/auth/signin", email="tia@example.org", password=PASSWORD)
    assert response.status_code == 303
    token = client.cookies.get(signin.SESSION_COOKIE)
    assert store.accounts.user_for_session(token).name == "Tia"

    out = post(client, "/auth/signout")
    assert out.status_code == 303 and out.headers["location"] == "/auth/signin?bye=1"
    assert 'peersim_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert store.accounts.user_for_session(token) is None  # a copy of the old cookie no longer works
    assert "You have signed out." in client.get("/auth/signin?bye=1").text


def test_posts_without_the_csrf_pair_are_refused(client, store):
    make_user(store, "Ada", "admin")
    make_user(store, "Tia")
    response = client.post("/auth/signin", data={"email": "tia@example.org", "password": PASSWORD, "csrf": "forged"})
    assert response.status_code == 400
    assert "This form had expired or came from another site." in response.text
    assert signin.SESSION_COOKIE not in client.cookies


def test_names_and_errors_are_escaped_in_the_pages(client, store):
    make_user(store, "Ada", "admin")
    response = post(
        client, "/auth/signup", name="<script>alert(1)</script>", email="x<img src=x onerror=alert(1)>", password=PASSWORD
    )
    assert "<script>alert(1)</script>" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in response.text
