"""Issue 11's findings on sign-in, set-up and storage, each with a test that failed before the fix: the lockout
under parallel guesses, floods from one address, two first admins at once, guessable passwords, the first-run
set-up token, security headers, SQL parameters in logs and the SQLite file's permissions."""

from __future__ import annotations

import re
import stat
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from records import AccountError, SignInRefused, Store, WeakPassword, passwords
from records.accounts import MAX_FAILURES, SIGN_IN_ADDRESS
from records.tables import audit_log, users
from tests.helpers import PASSWORD, make_user
from ui import signin
from ui.headers import SecurityHeaders

LOCKED = "Too many tries for this account. For your safety, please wait 15 minutes and try again."
FLOOD = "Too many sign-in tries from this network. Please wait 15 minutes and try again."
WRONG = "That email and password do not match an account. Please try again."


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check that really runs (the real Argon2 check, counted)."""
    seen: list[str] = []
    real = passwords.verify_password
    lock = threading.Lock()

    def counted(stored_hash: str, password: str) -> bool:
        with lock:
            seen.append(password)
        return real(stored_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counted)
    return seen


def attempt(store: Store, email: str, password: str, address: str | None = "203.0.113.7") -> str:
    try:
        store.accounts.sign_in(email, password, address)
    except SignInRefused as refused:
        return str(refused)
    return "signed in"


def test_a_burst_of_100_parallel_guesses_checks_at_most_five_passwords(store, checks):
    make_user(store, "Ana")
    guesses = [f"guess number {n}" for n in range(100)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(lambda guess: attempt(store, "ana@example.org", guess), guesses))
    assert len(checks) <= MAX_FAILURES
    assert answers.count(WRONG) == len(checks)
    assert answers.count(LOCKED) == 100 - len(checks)
    # The right password from the same address now waits too; nothing was checked for it.
    assert attempt(store, "ana@example.org", PASSWORD) == LOCKED
    assert len(checks) <= MAX_FAILURES


def test_the_right_password_inside_a_burst_cannot_get_past_the_count(store, checks):
    make_user(store, "Ana")
    tries = [f"guess number {n}" for n in range(20)] + [PASSWORD] + [f"guess {n}" for n in range(20)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda guess: attempt(store, "ana@example.org", guess), tries))
    assert len(checks) <= MAX_FAILURES
    assert answers.count("signed in") == (1 if PASSWORD in checks else 0)


def test_a_flood_from_one_address_does_not_lock_the_owner_out_elsewhere(store, checks):
    make_user(store, "Ana")
    for n in range(12):
        attempt(store, "ana@example.org", f"guess {n}", address="198.51.100.66")
    assert attempt(store, "ana@example.org", PASSWORD, address="198.51.100.66") == LOCKED
    assert attempt(store, "ana@example.org", PASSWORD, address="192.0.2.10") == "signed in"


def test_a_flood_of_posts_from_one_address_is_refused_before_any_password_check(store, checks):
    make_user(store, "Ana")
    for n in range(SIGN_IN_ADDRESS.most):
        assert attempt(store, f"nobody{n}@example.org", "anything at all", address="198.51.100.66") == WRONG
    assert len(checks) == SIGN_IN_ADDRESS.most
    assert attempt(store, "ana@example.org", PASSWORD, address="198.51.100.66") == FLOOD
    assert len(checks) == SIGN_IN_ADDRESS.most  # refused without the fifth of a second of CPU a check costs
    assert attempt(store, "ana@example.org", PASSWORD, address="192.0.2.10") == "signed in"


def test_sign_ins_failures_and_lockouts_are_in_the_audit_log(store):
    ana = make_user(store, "Ana")
    assert attempt(store, "ana@example.org", PASSWORD) == "signed in"
    for n in range(MAX_FAILURES):
        attempt(store, "ana@example.org", f"guess {n}")
    attempt(store, "nobody@example.org", "guess")  # no account: not logged (it would only flood the log)
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log.c.actor_name, audit_log.c.action, audit_log.c.subject_user_id, audit_log.c.detail).order_by(
                audit_log.c.id
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("Ana", "sign in", ana.id, "password, from 203.0.113.7"),
        *[("someone at 203.0.113.7", "failed sign-in", ana.id, "")] * MAX_FAILURES,
        ("someone at 203.0.113.7", "sign-in locked", ana.id, f"{MAX_FAILURES} wrong passwords"),
    ]


def test_sixteen_simultaneous_first_admins_make_exactly_one(store):
    def claim(n: int) -> str:
        try:
            store.accounts.create_first_admin(f"Admin {n}", f"admin{n}@example.org", PASSWORD)
        except AccountError as refused:
            return str(refused)
        return "admin"

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(claim, range(16)))
    assert answers.count("admin") == 1
    assert answers.count("PeerSim already has an admin. Ask them to create your account.") == 15
    with store.engine.connect() as connection:
        assert connection.execute(select(users.c.id).where(users.c.role == "admin")).all().__len__() == 1


def test_two_servers_on_one_database_make_one_first_admin(isolated_data):
    stores = [Store.open(isolated_data), Store.open(isolated_data)]  # two engines, two pools: two servers
    try:
        barrier = threading.Barrier(2)

        def claim(n: int) -> str:
            barrier.wait()
            try:
                stores[n].accounts.create_first_admin(f"Admin {n}", f"admin{n}@example.org", PASSWORD)
            except AccountError:
                return "refused"
            return "admin"

        with ThreadPoolExecutor(max_workers=2) as pool:
            assert sorted(pool.map(claim, range(2))) == ["admin", "refused"]
    finally:
        for opened in stores:
            opened.close()


@pytest.mark.parametrize("password", ["Summer2026!", "Winter2025#", "Maria1987!"])
def test_season_or_name_with_a_year_and_a_symbol_is_refused(store, password):
    with pytest.raises(WeakPassword) as caught:
        store.accounts.register("Ana", "ana@example.org", password)
    assert str(caught.value).endswith("Try a longer phrase of a few words that only you would put together.")
    assert store.accounts.count() == 0


def test_database_errors_never_show_the_values_sent(store):
    from sqlalchemy.exc import IntegrityError

    from records import User

    token = "a-session-token-that-must-not-be-logged"
    with pytest.raises(IntegrityError) as caught:  # no such user: the foreign key refuses the session row
        store.accounts.start_session(User(987654, "Nobody", "trainee", None), token=token)
    from records.identity import token_hash as _token_hash

    assert _token_hash(token) not in str(caught.value)
    assert "SQL parameters hidden" in str(caught.value)


def test_the_sqlite_file_and_folder_are_private(tmp_path, monkeypatch):
    data = tmp_path / "fresh"
    monkeypatch.setenv("PEERSIM_DATA_DIR", str(data))
    monkeypatch.delenv("PEERSIM_DATABASE_URL")
    opened = Store.open()
    try:
        make_user(opened, "Ana")
    finally:
        opened.close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in Path(data).iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


# ------------------------------------------------------------------------------------------ over HTTP
@pytest.fixture
def client(isolated_data):
    signin.services.store.clear()
    app = Starlette(routes=signin.ROUTES, middleware=[Middleware(SecurityHeaders)])
    with TestClient(app, base_url="https://peersim.test", follow_redirects=False) as http:
        yield http
    signin._store().close()
    signin.services.store.clear()


def csrf_of(page_text: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page_text).group(1)


def test_setting_up_needs_the_link_from_the_servers_log(client, store, capsys):
    page = client.get("/auth/setup")
    assert page.status_code == 200
    assert signin.SETUP_WHERE in page.text.replace("&#x27;", "'")
    assert 'name="password"' not in page.text  # no form without the token
    link = re.search(r"(https?://\S+/auth/setup\?token=\S+)", capsys.readouterr().err).group(1)
    assert link == f"https://peersim.test/auth/setup?token={signin.setup_token()}"

    # A visitor without the token (anyone on the classroom network) cannot create the admin.
    csrf = client.cookies.get(signin.CSRF_COOKIE)  # the form's hidden field would carry the same value
    for token in ("", "guess", signin.setup_token()[:-1]):
        refused = client.post(
            "/auth/setup", data={"csrf": csrf, "token": token, "name": "Eve", "email": "eve@example.org", "password": PASSWORD}
        )
        assert refused.status_code == 403
        assert signin.SETUP_WRONG.replace("'", "&#x27;") in refused.text
    assert not store.accounts.has_admin()

    form = client.get(link.replace("https://peersim.test", ""))
    assert 'name="password"' in form.text
    made = client.post(
        "/auth/setup",
        data={
            "csrf": csrf_of(form.text),
            "token": signin.setup_token(),
            "name": "Ada",
            "email": "ada@example.org",
            "password": PASSWORD,
        },
    )
    assert made.status_code == 303 and store.accounts.has_admin()


def test_a_wrong_token_in_the_link_says_so(client, store):
    page = client.get("/auth/setup?token=not-it")
    assert signin.SETUP_WRONG.replace("'", "&#x27;") in page.text and page.status_code == 403


def test_sign_in_pages_cannot_be_framed_and_send_safe_headers(client, store):
    make_user(store, "Ada", "admin")
    page = client.get("/auth/signin")
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"


def test_app_pages_may_be_framed_only_by_this_site_unless_configured(monkeypatch):
    from ui.headers import headers_for

    assert dict(headers_for("/practice"))[b"content-security-policy"] == b"frame-ancestors 'self'"
    monkeypatch.setenv("PEERSIM_FRAME_ANCESTORS", "https://lms.example.edu")
    assert dict(headers_for("/"))[b"content-security-policy"] == b"frame-ancestors 'self' https://lms.example.edu"


def test_sign_in_counts_the_address_the_request_came_from(client, store, monkeypatch):
    make_user(store, "Ada", "admin")
    make_user(store, "Ana")
    for n in range(MAX_FAILURES):
        page = client.get("/auth/signin")
        client.post("/auth/signin", data={"csrf": csrf_of(page.text), "email": "ana@example.org", "password": f"guess {n}"})
    page = client.get("/auth/signin")
    locked = client.post("/auth/signin", data={"csrf": csrf_of(page.text), "email": "ana@example.org", "password": PASSWORD})
    assert "Too many tries for this account" in locked.text
    with store.engine.connect() as connection:
        details = [
            r.actor_name for r in connection.execute(select(audit_log.c.actor_name).where(audit_log.c.action == "failed sign-in"))
        ]
    assert details == ["someone at testclient"] * MAX_FAILURES
    # A forwarded-for header is ignored unless the peer is a trusted proxy.
    page = client.get("/auth/signin")
    spoofed = client.post(
        "/auth/signin",
        data={"csrf": csrf_of(page.text), "email": "ana@example.org", "password": PASSWORD},
        headers={"x-forwarded-for": "192.0.2.99"},
    )
    assert "Too many tries for this account" in spoofed.text
    monkeypatch.setenv("PEERSIM_TRUSTED_PROXIES", "testclient")
    page = client.get("/auth/signin")
    forwarded = client.post(
        "/auth/signin",
        data={"csrf": csrf_of(page.text), "email": "ana@example.org", "password": PASSWORD},
        headers={"x-forwarded-for": "192.0.2.99"},
    )
    assert forwarded.status_code == 303


def test_sign_ups_that_find_an_existing_email_are_limited_per_address(store):
    make_user(store, "Ana")
    taken = "An account with that email address already exists. Try signing in instead."
    waiting = "Too many sign-ups from this network. Please wait 15 minutes and try again, or sign in if you have an account."
    for n in range(6):
        with pytest.raises(AccountError) as caught:
            store.accounts.register(f"Probe {n}", "ana@example.org", PASSWORD, "198.51.100.66")
        assert str(caught.value) == (taken if n < 5 else waiting)
    with pytest.raises(AccountError) as caught:  # now even a new email waits, so probing stops
        store.accounts.register("Tia", "tia@example.org", PASSWORD, "198.51.100.66")
    assert str(caught.value) == waiting
    assert store.accounts.register("Tia", "tia@example.org", PASSWORD, "192.0.2.10").name == "Tia"  # elsewhere: fine
    assert store.accounts.count() == 2
