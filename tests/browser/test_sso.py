"""Single sign-on end to end against a real, certified OpenID provider (issue 11, findings 1, 3, 4 and 5).

`oidc-provider` (npm, pinned in tests/browser/oidc, installed by .ci/run) runs on 127.0.0.1 with its conformant
defaults: name and email only through userinfo, prompts none/login/consent only, and its development login and
consent pages. The test people are in tests/browser/oidc/provider.js; each signs in with their id as the login.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update

from records import Store
from records.tables import sessions, users
from tests.browser.helpers import REQUIRED, Page, Servers
from tests.helpers import PASSWORD, free_port, make_user, sso_account

OIDC = Path(__file__).resolve().parent / "oidc"
NODE = shutil.which("node")
LABEL = "Test College"

if NODE is None or not (OIDC / "node_modules" / "oidc-provider").is_dir():
    if REQUIRED:
        raise RuntimeError("PEERSIM_REQUIRE_BROWSER=1 but the test OpenID provider is not installed (see .ci/run)")
    pytest.skip("the test OpenID provider is not installed: cd tests/browser/oidc && npm ci", allow_module_level=True)

NOT_VERIFIED = (
    "Your program's sign-in has not confirmed your email address, so PeerSim cannot tell which account is yours. "
    "Please confirm your email address with your program's sign-in (your program's admin can help), then try again. "
    "If you have a PeerSim password, you can sign in with your email and password instead."
)
SWITCHED_OFF = "This account has been switched off. Please contact your program's admin."
CANCELLED = (
    f"Signing in with {LABEL} was canceled, so PeerSim received none of your details and nothing has changed. "
    "You can try again, or sign in with your email and password."
)
TIA_HAS_PASSWORD = (
    "PeerSim already has an account with the email address tia@example.org, and it signs in with a password. Please "
    'sign in with your email and password, then link single sign-on under "Account and privacy". After that, '
    "either way signs you in."
)


@dataclass
class Provider:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def authorizations(self) -> list[dict[str, str]]:
        """The authorization requests the provider received, oldest first, as their query parameters."""
        with urllib.request.urlopen(f"{self.url}/test/authorizations", timeout=5) as response:
            return list(json.load(response))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self.process.kill()
            self.process.wait(timeout=10)


def start_provider(tmp: Path, redirect_uri: str) -> Provider:
    port = free_port()
    log = tmp / f"oidc-provider-{port}.log"
    process = subprocess.Popen(
        [str(NODE), "provider.js", "--port", str(port), "--redirect-uri", redirect_uri],
        cwd=OIDC,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    provider = Provider(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(provider.metadata_url, timeout=2) as response:
                if json.load(response)["issuer"] == provider.url:
                    return provider
        except OSError:
            time.sleep(0.2)
    provider.stop()
    raise RuntimeError(f"oidc-provider did not start (exit code {process.poll()}):\n{log.read_text(errors='replace')}")


@dataclass
class Setup:
    server_url: str
    provider: Provider
    store: Store


@pytest.fixture
def sso(servers: Servers, isolated_data: str, tmp_path: Path) -> Iterator[Callable[..., Setup]]:
    """``sso(**env)``: the test provider and a PeerSim server using it (extra environment for the server in ``env``)."""
    started: list[Provider] = []
    stores: list[Store] = []

    def make(**env: str) -> Setup:
        port = free_port()
        redirect_uri = f"http://127.0.0.1:{port}/auth/sso/callback"
        provider = start_provider(tmp_path, redirect_uri)
        started.append(provider)
        server = servers.start(
            port=port,
            PEERSIM_OIDC_METADATA_URL=provider.metadata_url,
            PEERSIM_OIDC_CLIENT_ID="peersim-test",
            PEERSIM_OIDC_CLIENT_SECRET="test-secret",
            PEERSIM_OIDC_REDIRECT_URI=redirect_uri,
            PEERSIM_OIDC_LABEL=LABEL,
            **env,
        )
        store = Store.open(isolated_data)
        stores.append(store)
        return Setup(server.url, provider, store)

    yield make
    for store in stores:
        store.close()
    for provider in started:
        provider.stop()


def local_only(page: Page) -> None:
    """Let the browser reach nothing but this machine's servers."""

    def route(request_route: object) -> None:
        host = urlsplit(request_route.request.url).hostname  # type: ignore[attr-defined]
        if host in ("127.0.0.1", "localhost"):
            request_route.continue_()  # type: ignore[attr-defined]
        else:
            request_route.abort()  # type: ignore[attr-defined]

    page.page.context.route("**/*", route)  # type: ignore[attr-defined]


def open_signin(page: Page, setup: Setup) -> None:
    local_only(page)
    page.page.goto(setup.server_url + "/")  # type: ignore[attr-defined]
    page.page.wait_for_url("**/auth/signin")  # type: ignore[attr-defined]


def at_provider(page: Page, setup: Setup) -> bool:
    return str(page.page.url).startswith(setup.provider.url)  # type: ignore[attr-defined]


def provider_login(page: Page, login: str) -> None:
    """The provider's development login page: the login is the test person's id, any password."""
    p = page.page
    p.wait_for_selector("input[name=login]")  # type: ignore[attr-defined]
    p.fill("input[name=login]", login)  # type: ignore[attr-defined]
    p.fill("input[name=password]", "any password")  # type: ignore[attr-defined]
    with p.expect_navigation():  # type: ignore[attr-defined]
        p.click("button[type=submit]")  # type: ignore[attr-defined]


def consent(page: Page, *, cancel: bool = False) -> None:
    """The provider's consent page: Continue, or the "[ Cancel ]" link (access_denied)."""
    p = page.page
    p.get_by_role("button", name="Continue").wait_for()  # type: ignore[attr-defined]
    with p.expect_navigation(timeout=30_000):  # type: ignore[attr-defined]
        if cancel:
            p.get_by_role("link", name="[ Cancel ]").click()  # type: ignore[attr-defined]
        else:
            p.get_by_role("button", name="Continue").click()  # type: ignore[attr-defined]


def single_sign_on(page: Page, setup: Setup, login: str, *, cancel: bool = False) -> None:
    """From PeerSim's sign-in page: "Sign in with Test College", then the provider's pages as far as they come."""
    with page.page.expect_navigation(timeout=30_000):  # type: ignore[attr-defined]
        page.page.get_by_role("link", name=f"Sign in with {LABEL}").click()  # type: ignore[attr-defined]
    through_provider(page, setup, login, cancel=cancel)


def through_provider(page: Page, setup: Setup, login: str, *, cancel: bool = False) -> None:
    """The provider's login and consent pages, when it shows them, until the browser is back at PeerSim."""
    page.page.wait_for_load_state()  # type: ignore[attr-defined]
    if at_provider(page, setup) and page.page.locator("input[name=login]").count():  # type: ignore[attr-defined]
        provider_login(page, login)
    if at_provider(page, setup):
        consent(page, cancel=cancel)
    page.page.wait_for_url(lambda url: url.startswith(setup.server_url), timeout=30_000)  # type: ignore[attr-defined]
    page.settle()


def kind_page(page: Page) -> tuple[str, str, str]:
    """A server-rendered page's title, message and way back."""
    p = page.page
    return (
        p.inner_text("main h1").strip(),  # type: ignore[attr-defined]
        p.inner_text("main p.note").strip(),  # type: ignore[attr-defined]
        p.inner_text("main nav").strip(),  # type: ignore[attr-defined]
    )


def welcome(page: Page) -> str:
    return str(page.page.inner_text("[data-testid=stMain]"))  # type: ignore[attr-defined]


def user_row(store: Store, email: str):
    with store.engine.connect() as connection:
        return connection.execute(select(users).where(users.c.email == email)).first()


def live_sessions(store: Store, user_id: int) -> int:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(sessions.c.token_hash).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        ).all()
    return len(rows)


def sign_out(page: Page) -> None:
    p = page.page
    with p.expect_navigation():  # type: ignore[attr-defined]
        p.get_by_role("link", name="Sign out").click()  # type: ignore[attr-defined]
    with p.expect_navigation():  # type: ignore[attr-defined]
        p.get_by_role("button", name="Sign out").click()  # type: ignore[attr-defined]
    p.wait_for_url("**/auth/signin?bye=1")  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------------------------- tests
def test_userinfo_only_claims_give_the_real_name_and_email_and_sign_out_ends_the_session(sso, open_page):
    setup = sso()
    make_user(setup.store, "Ada", "admin")
    page = open_page("kim")
    open_signin(page, setup)
    page.shot("signin")
    single_sign_on(page, setup, "kim")
    assert page.page.url == setup.server_url + "/"
    assert "Welcome, Kim Lee" in welcome(page)
    page.shot("home")

    kim = user_row(setup.store, "kim.lee@example.org")
    assert (kim.name, kim.role, kim.password_hash, kim.oidc_subject) == ("Kim Lee", "trainee", None, f"{setup.provider.url}|kim")
    [asked] = setup.provider.authorizations()
    assert "prompt" not in asked  # nothing PeerSim's operator did not ask for
    assert (asked["scope"], asked["code_challenge_method"], asked["response_type"]) == ("openid email profile", "S256", "code")
    assert asked["nonce"] and asked["state"] and asked["code_challenge"]

    copied = next(c for c in page.page.context.cookies() if c["name"] == "peersim_session")
    assert copied["httpOnly"] and copied["sameSite"] == "Lax"
    assert not [c for c in page.page.context.cookies() if c["name"] == "peersim_sso"]  # used once, then dropped
    sign_out(page)
    assert live_sessions(setup.store, kim.id) == 0
    replay = open_page("kim-replayed", cookies=[copied])
    local_only(replay)
    replay.page.goto(setup.server_url + "/")
    replay.page.wait_for_url("**/auth/signin")  # the copied cookie no longer opens anything

    # Without a prompt the provider keeps its own session: signing in again needs no password there.
    single_sign_on(page, setup, "kim")
    assert "Welcome, Kim Lee" in welcome(page)
    assert [a.get("prompt") for a in setup.provider.authorizations()] == [None, None]
    assert page.console_errors() == [] and page.accessibility == []


def test_the_configured_prompt_is_sent_and_honoured(sso, open_page):
    setup = sso(PEERSIM_OIDC_PROMPT="login")
    make_user(setup.store, "Ada", "admin")
    page = open_page("prompt-login")
    open_signin(page, setup)
    single_sign_on(page, setup, "kim")
    assert "Welcome, Kim Lee" in welcome(page)
    sign_out(page)
    with page.page.expect_navigation():
        page.page.get_by_role("link", name=f"Sign in with {LABEL}").click()
    assert page.page.locator("input[name=login]").count() == 1  # prompt=login: the provider asks again
    provider_login(page, "kim")
    page.page.wait_for_url(setup.server_url + "/")
    page.settle()
    assert "Welcome, Kim Lee" in welcome(page)
    assert [a.get("prompt") for a in setup.provider.authorizations()] == ["login", "login"]


def test_a_prompt_the_provider_does_not_support_gets_a_kind_page(sso, open_page):
    """Finding 3: st.login always sent prompt=select_account, which a conformant provider refuses."""
    setup = sso(PEERSIM_OIDC_PROMPT="select_account")
    make_user(setup.store, "Ada", "admin")
    page = open_page("prompt-unsupported")
    open_signin(page, setup)
    single_sign_on(page, setup, "kim")
    assert kind_page(page) == (
        "Single sign-on did not work",
        f"{LABEL} could not complete the sign-in. It answered: invalid_request (unsupported prompt value requested). "
        "Please try again. If it keeps happening, please show this message to your program's admin.",
        "Back to sign in",
    )
    page.shot("unsupported-prompt")
    assert [a.get("prompt") for a in setup.provider.authorizations()] == ["select_account"]
    assert user_row(setup.store, "kim.lee@example.org") is None
    assert page.accessibility == []


def test_an_unverified_email_gets_a_kind_page_and_never_the_admin(sso, open_page):
    """Finding 1: an identity with the admin's address and email_verified false signed in as the admin."""
    setup = sso()
    admin = make_user(setup.store, "Ada", "admin")
    page = open_page("unverified")
    open_signin(page, setup)
    single_sign_on(page, setup, "mallory")
    assert kind_page(page) == ("We could not sign you in", NOT_VERIFIED, "Back to sign in")
    page.shot("unverified")
    assert user_row(setup.store, "ada@example.org").oidc_subject is None
    assert live_sessions(setup.store, admin.id) == 0
    assert not [c for c in page.page.context.cookies() if c["name"] == "peersim_session"]
    page.page.goto(setup.server_url + "/admin")
    page.page.wait_for_url("**/auth/signin")
    assert page.accessibility == []


def test_a_switched_off_account_gets_a_kind_page(sso, open_page):
    """Finding 5: a switched-off account linked by email got one page in, then Streamlit's error page."""
    setup = sso()
    make_user(setup.store, "Ada", "admin")
    dee_id = sso_account(setup.store, "Dee", "dee@example.org")
    page = open_page("switched-off")
    open_signin(page, setup)
    single_sign_on(page, setup, "dee")
    assert "Welcome, Dee" in welcome(page)  # an account an admin made for single sign-on: linked by verified email
    with setup.store.engine.begin() as connection:
        connection.execute(update(users).where(users.c.id == dee_id).values(disabled=True))
    page.page.reload()
    page.page.wait_for_url("**/auth/signin")  # the open session ends with the account
    single_sign_on(page, setup, "dee")
    assert kind_page(page) == ("We could not sign you in", SWITCHED_OFF, "Back to sign in")
    page.shot("switched-off")
    assert page.accessibility == []


def test_refused_consent_gets_a_kind_page(sso, open_page):
    setup = sso()
    make_user(setup.store, "Ada", "admin")
    page = open_page("cancelled")
    open_signin(page, setup)
    single_sign_on(page, setup, "kim", cancel=True)
    assert kind_page(page) == ("Not signed in", CANCELLED, "Back to sign in")
    page.shot("cancelled")
    assert user_row(setup.store, "kim.lee@example.org") is None
    page.page.get_by_role("link", name="Back to sign in").click()
    page.page.wait_for_url("**/auth/signin")
    assert page.accessibility == []


def test_a_state_that_is_not_this_browsers_gets_a_kind_page(sso, open_page):
    setup = sso()
    make_user(setup.store, "Ada", "admin")
    page = open_page("bad-state")
    local_only(page)
    page.page.goto(f"{setup.server_url}/auth/sso/callback?code=stolen&state=forged")
    assert kind_page(page) == (
        "Please try again",
        "This sign-in took too long, or it was started in another browser or tab. Please start again from the sign-in page.",
        "Back to sign in",
    )
    assert page.accessibility == []


def test_a_password_account_stays_apart_until_its_owner_links_single_sign_on(sso, open_page):
    """Finding 1, the other way: a password account under someone's address must not capture their sign-in."""
    setup = sso()
    ada = make_user(setup.store, "Ada", "admin")
    make_user(setup.store, "Tia")
    page = open_page("link")
    open_signin(page, setup)
    single_sign_on(page, setup, "tia")
    assert kind_page(page) == ("We could not sign you in", TIA_HAS_PASSWORD, "Back to sign in")
    page.shot("kept-apart")
    assert user_row(setup.store, "tia@example.org").oidc_subject is None

    page.page.get_by_role("link", name="Back to sign in").click()
    page.page.wait_for_url("**/auth/signin")
    page.page.fill("#email", "tia@example.org")
    page.page.fill("#password", PASSWORD)
    with page.page.expect_navigation(timeout=30_000):
        page.page.click("button[type=submit]")
    page.settle()
    page.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Account and privacy", exact=True).click()
    page.settle()
    main = welcome(page)
    assert (
        f"Link {LABEL} to your account, so that you can sign in with it as well as with your email and password. "
        "PeerSim takes you there to sign in, then back."
    ) in main
    page.shot("account-unlinked")
    with page.page.expect_navigation(timeout=30_000):
        page.page.get_by_role("link", name="Link single sign-on").click()
    through_provider(page, setup, "tia")  # signed in at the provider and consented already: straight back
    assert kind_page(page) == (
        "Single sign-on linked",
        f"Your PeerSim account is now linked to {LABEL}. From now on you can sign in with {LABEL} or with your email "
        "and password.",
        "Back to Account and privacy",
    )
    page.shot("linked")
    assert user_row(setup.store, "tia@example.org").oidc_subject == f"{setup.provider.url}|tia"
    page.page.get_by_role("link", name="Back to Account and privacy").click()
    page.page.wait_for_url(setup.server_url + "/account")
    page.settle()
    assert f"Your account is linked to {LABEL}: you can sign in with it or with your email and password." in welcome(page)

    sign_out(page)
    single_sign_on(page, setup, "tia")
    assert "Welcome, Tia" in welcome(page)  # the account's own name, not the provider's
    page.page.get_by_test_id("stSidebarNavItems").get_by_role("link", name="Account and privacy", exact=True).click()
    page.settle()
    page.page.get_by_role("button", name="Unlink single sign-on").click()
    page.settle()
    assert f"Your account is no longer linked to {LABEL}." in welcome(page)
    assert user_row(setup.store, "tia@example.org").oidc_subject is None
    entries = [(e.action, e.subject_name) for e in setup.store.audit.entries(ada)]
    assert ("link single sign-on", "Tia") in entries and ("unlink single sign-on", "Tia") in entries
    page.shot("unlinked")
    assert page.accessibility == []
