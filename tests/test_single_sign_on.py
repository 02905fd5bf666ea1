"""Single sign-on rules in records (issue 11, findings 1 and 5): only a verified email address links an identity,
and only to an account with neither a password nor a link; links are never overwritten; a password account and an
identity with the same address stay apart until the signed-in owner links them; a switched-off account is refused
with a kind message. Then the relying party's own checks (ID token, the signed sign-in cookie, configuration).
The browser tests (tests/browser/test_sso.py) run all of it against a real provider."""

from __future__ import annotations

import asyncio
import threading
import time
from unittest.mock import ANY

import pytest
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select, update

from records import AccountError, SignInRefused, Store, User
from records.tables import users
from tests.helpers import PASSWORD, make_user, sso_account
from ui import sso, sso_routes

ISSUER = "https://idp.example.org"
NOT_VERIFIED = (
    "Your program's sign-in has not confirmed your email address, so PeerSim cannot tell which account is yours. "
    "Please confirm your email address with your program's sign-in (your program's admin can help), then try again. "
    "If you have a PeerSim password, you can sign in with your email and password instead."
)
SWITCHED_OFF = "This account has been switched off. Please contact your program's admin."


def has_password(address: str) -> str:
    return (
        f"PeerSim already has an account with the email address {address}, and it signs in with a password. Please "
        'sign in with your email and password, then link single sign-on under "Account and privacy". After that, '
        "either way signs you in."
    )


def identity(sub: str) -> str:
    return f"{ISSUER}|{sub}"


def switch_off(store: Store, user_id: int) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(users).where(users.c.id == user_id).values(disabled=True))


def row(store: Store, user_id: int):
    with store.engine.connect() as connection:
        return connection.execute(select(users).where(users.c.id == user_id)).one()


def user_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return len(connection.execute(select(users.c.id)).all())


def actions(store: Store, admin: User) -> list[tuple[str, str | None, str]]:
    return [(e.action, e.subject_name, e.detail) for e in reversed(store.audit.entries(admin))]


# ------------------------------------------------------------------------------------------- finding 1
@pytest.mark.parametrize("verified", [False, None])
def test_an_unverified_email_never_signs_in_as_the_admin(store, verified):
    admin = make_user(store, "Ada", "admin")
    before = user_count(store)
    with pytest.raises(SignInRefused) as caught:
        store.accounts.single_sign_on(identity("mallory"), "ada@example.org", "Ada", email_verified=bool(verified))
    assert str(caught.value) == NOT_VERIFIED
    assert row(store, admin.id).oidc_subject is None
    assert user_count(store) == before  # nothing created either


def test_an_unverified_email_never_links_even_an_account_made_for_single_sign_on(store):
    admin_id = sso_account(store, "Ada", "ada@example.org", role="admin")
    with pytest.raises(SignInRefused) as caught:
        store.accounts.single_sign_on(identity("mallory"), "ADA@example.org", "Ada")  # email_verified not given
    assert str(caught.value) == NOT_VERIFIED
    assert row(store, admin_id).oidc_subject is None


def test_no_email_and_no_link_creates_nothing(store):
    make_user(store, "Ada", "admin")
    before = user_count(store)
    for email in (None, "", "not an address"):
        with pytest.raises(SignInRefused) as caught:
            store.accounts.single_sign_on(identity("anon"), email, "Anon", email_verified=True)
        assert str(caught.value) == NOT_VERIFIED
    assert user_count(store) == before


def test_an_existing_link_is_never_overwritten(store):
    admin = make_user(store, "Ada", "admin")
    kim_id = sso_account(store, "Kim Lee", "kim@example.org")
    kim = store.accounts.single_sign_on(identity("kim"), "kim@example.org", "Kim Lee", email_verified=True)
    assert kim.id == kim_id
    with pytest.raises(SignInRefused) as caught:
        store.accounts.single_sign_on(identity("other"), "kim@example.org", "Kim Lee", email_verified=True)
    assert str(caught.value) == (
        "PeerSim already has an account with the email address kim@example.org, linked to a different single sign-on "
        "identity. Please contact your program's admin."
    )
    assert row(store, kim_id).oidc_subject == identity("kim")
    assert store.accounts.single_sign_on(identity("kim"), None, None) == kim  # the linked identity still signs in
    assert ("link single sign-on", "Kim Lee", f"{ISSUER}, by verified email") in actions(store, admin)


def test_a_password_account_under_someone_elses_email_does_not_capture_their_sign_in(store):
    """Someone signs up with a password under the victim's address; the victim's first single sign-on must not
    land in that account (whose password would still work)."""
    squatter = store.accounts.register("Not Kim", "kim@example.org", PASSWORD)
    before = user_count(store)
    with pytest.raises(SignInRefused) as caught:
        store.accounts.single_sign_on(identity("kim"), "kim@example.org", "Kim Lee", email_verified=True)
    assert str(caught.value) == has_password("kim@example.org")
    assert row(store, squatter.id).oidc_subject is None
    assert user_count(store) == before
    assert store.accounts.sign_in("kim@example.org", PASSWORD) == squatter  # the password account is unchanged


def test_a_password_account_links_only_when_its_signed_in_owner_says_so(store):
    admin = make_user(store, "Ada", "admin")
    tia = make_user(store, "Tia")
    store.accounts.link_single_sign_on(tia, identity("tia"))
    assert store.accounts.single_sign_on(identity("tia"), "tia@example.org", "Tia", email_verified=True) == tia
    assert store.accounts.own_account(tia).single_sign_on and store.accounts.own_account(tia).has_password
    store.accounts.link_single_sign_on(tia, identity("tia"))  # the same link again changes nothing
    store.accounts.unlink_single_sign_on(tia)
    assert not store.accounts.own_account(tia).single_sign_on
    with pytest.raises(SignInRefused):
        store.accounts.single_sign_on(identity("tia"), "tia@example.org", "Tia", email_verified=True)
    assert [a for a in actions(store, admin) if "single sign-on" in a[0]] == [
        ("link single sign-on", "Tia", ISSUER),
        ("unlink single sign-on", "Tia", ISSUER),
    ]


def test_linking_never_takes_an_identity_from_someone_else_or_replaces_ones_own(store):
    make_user(store, "Ada", "admin")
    tia, ben = make_user(store, "Tia"), make_user(store, "Ben")
    store.accounts.link_single_sign_on(tia, identity("tia"))
    with pytest.raises(AccountError) as caught:
        store.accounts.link_single_sign_on(ben, identity("tia"))
    assert str(caught.value) == (
        "That single sign-on identity is already linked to another PeerSim account, so it was not linked to yours. "
        "If that account is yours too, please ask your program's admin for help."
    )
    with pytest.raises(AccountError) as caught:
        store.accounts.link_single_sign_on(tia, identity("tia-2"))
    assert str(caught.value) == (
        "Your account is already linked to a different single sign-on identity. Unlink it first, then link the new one."
    )
    assert row(store, tia.id).oidc_subject == identity("tia") and row(store, ben.id).oidc_subject is None


def test_an_account_without_a_password_stays_linked(store):
    make_user(store, "Ada", "admin")
    kim = store.accounts.single_sign_on(identity("kim"), "kim@example.org", "Kim Lee", email_verified=True)
    with pytest.raises(AccountError) as caught:
        store.accounts.unlink_single_sign_on(kim)
    assert (
        str(caught.value) == "Your account has no password, so single sign-on is the only way to sign in to it. It stays linked."
    )
    assert row(store, kim.id).oidc_subject == identity("kim")


# ------------------------------------------------------------------------------------------- finding 5
def test_a_switched_off_account_is_refused_by_its_link(store):
    make_user(store, "Ada", "admin")
    kim = store.accounts.single_sign_on(identity("kim"), "kim@example.org", "Kim Lee", email_verified=True)
    switch_off(store, kim.id)
    with pytest.raises(SignInRefused) as caught:
        store.accounts.single_sign_on(identity("kim"), "kim@example.org", "Kim Lee", email_verified=True)
    assert str(caught.value) == SWITCHED_OFF


def test_a_switched_off_account_is_refused_by_its_email_and_not_linked(store):
    admin = make_user(store, "Ada", "admin")
    dee_id = sso_account(store, "Dee", "dee@example.org")
    switch_off(store, dee_id)
    with pytest.raises(SignInRefused) as caught:
        store.accounts.single_sign_on(identity("dee"), "dee@example.org", "Dee", email_verified=True)
    assert str(caught.value) == SWITCHED_OFF
    assert row(store, dee_id).oidc_subject is None
    assert ("refused sign-in", "Dee", "single sign-on: account switched off") in actions(store, admin)


# ------------------------------------------------------------------------------------ new and found
def test_a_verified_email_no_account_has_becomes_a_trainee_named_from_the_claims(store):
    admin = make_user(store, "Ada", "admin")
    kim = store.accounts.single_sign_on(
        identity("kim"), "Kim.Lee@Example.org", "  Kim \t Lee ", email_verified=True, address="192.0.2.7"
    )
    assert (kim.name, kim.email, kim.role) == ("Kim Lee", "kim.lee@example.org", "trainee")
    assert store.accounts.single_sign_on(identity("kim"), None, None) == kim  # by its link next time, email or not
    assert actions(store, admin)[-3:] == [
        ("create account", "Kim Lee", "single sign-on"),
        ("sign in", "Kim Lee", "single sign-on, from 192.0.2.7"),
        ("sign in", "Kim Lee", "single sign-on, from unknown"),
    ]


def test_a_verified_email_links_an_account_an_admin_made_for_single_sign_on(store):
    make_user(store, "Ada", "admin")
    ivan_id = sso_account(store, "Ivan", "ivan@example.org", role="instructor")
    ivan = store.accounts.single_sign_on(identity("ivan"), "ivan@example.org", "Ivan From IdP", email_verified=True)
    assert (ivan.id, ivan.name, ivan.role) == (ivan_id, "Ivan", "instructor")  # the account's own name and role


@pytest.mark.parametrize(
    ("claimed", "expected"),
    [(None, "kim"), ("", "kim"), ("\x00\x07", "kim"), ("K" * 120, "K" * 80), ("Kim\nLee", "Kim Lee")],
)
def test_names_from_the_provider_are_made_to_fit(store, claimed, expected):
    kim = store.accounts.single_sign_on(identity("kim"), "kim@example.org", claimed, email_verified=True)
    assert kim.name == expected


def test_one_new_identity_signing_in_many_times_at_once_makes_one_account(store):
    results: list[object] = []

    def sign_on() -> None:
        try:
            results.append(store.accounts.single_sign_on(identity("kim"), "kim@example.org", "Kim", email_verified=True))
        except Exception as error:
            results.append(error)

    threads = [threading.Thread(target=sign_on) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({r.id for r in results if isinstance(r, User)}) == 1, results
    assert all(isinstance(r, User) for r in results), results
    assert user_count(store) == 1


# ------------------------------------------------------------------- the relying party's own checks
# Authlib validates the ID token; these pin what PeerSim asks it to check (it checks the audience only when asked).
IDP = "https://idp.example.org"
SIGNING_KEY = RSAKey.generate_key(2048, parameters={"kid": "idp-key"})
CONFIG = sso.Settings(
    metadata_url=f"{IDP}/.well-known/openid-configuration",
    client_id="peersim",
    client_secret="secret",
    redirect_uri="https://peersim.example.org/auth/sso/callback",
    label="Lakeside College",
    prompt=None,
    scopes="openid email profile",
)


def id_token(key: RSAKey = SIGNING_KEY, **changes: object) -> dict[str, str]:
    now = int(time.time())
    claims = {"iss": IDP, "sub": "kim", "aud": "peersim", "iat": now, "exp": now + 300, "nonce": "n-1", **changes}
    claims = {name: value for name, value in claims.items() if value is not None}
    return {"id_token": jwt.encode({"alg": "RS256", "kid": "idp-key"}, claims, key), "access_token": "at"}


def check(token: dict[str, str], nonce: str = "n-1") -> dict[str, object]:
    client = sso_routes._client(CONFIG)
    client.server_metadata.update(  # discovery and JWKS as the provider would publish them, without a network
        {"issuer": IDP, "jwks": KeySet([SIGNING_KEY]).as_dict(private=False), "_loaded_at": time.time()}
    )
    return asyncio.run(sso_routes.checked_id_token(client, CONFIG, token, nonce))


def test_a_good_id_token_passes():
    assert check(id_token())["sub"] == "kim"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(id_token(aud="another-client"), id="audience"),
        pytest.param(id_token(aud=None), id="no audience"),
        pytest.param(id_token(iss="https://evil.example.org"), id="issuer"),
        pytest.param(id_token(exp=int(time.time()) - 600), id="expired"),
        pytest.param(id_token(nonce="replayed"), id="nonce"),
        pytest.param(id_token(nonce=None), id="no nonce"),
        pytest.param(id_token(key=RSAKey.generate_key(2048, parameters={"kid": "idp-key"})), id="signature"),
        pytest.param({"access_token": "at"}, id="no ID token"),
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused(token):
    with pytest.raises((JoseError, ValueError)):
        check(token)


def test_the_sign_in_cookie_is_signed_and_short_lived(monkeypatch):
    monkeypatch.delenv("STREAMLIT_SERVER_COOKIE_SECRET", raising=False)
    sealed = sso_routes._seal({"state": "s-1", "nonce": "n-1", "verifier": "v", "link": None})
    assert sso_routes._unseal(sealed) == {"state": "s-1", "nonce": "n-1", "verifier": "v", "link": None, "exp": ANY}
    header, payload, signature = sealed.split(".")
    assert sso_routes._unseal(f"{header}.{payload}.{signature[:-4]}AAAA") is None  # altered
    assert sso_routes._unseal(None) is None and sso_routes._unseal("not a token") is None
    monkeypatch.setenv("STREAMLIT_SERVER_COOKIE_SECRET", "another server's secret")
    assert sso_routes._unseal(sealed) is None  # signed with a secret this server does not share
    monkeypatch.delenv("STREAMLIT_SERVER_COOKIE_SECRET")
    later = time.time() + sso_routes.STATE_MINUTES * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert sso_routes._unseal(sealed) is None  # expired


def test_single_sign_on_half_configured_says_what_is_missing(monkeypatch):
    monkeypatch.setenv("PEERSIM_OIDC_METADATA_URL", CONFIG.metadata_url)
    for name in ("PEERSIM_OIDC_CLIENT_ID", "PEERSIM_OIDC_CLIENT_SECRET", "PEERSIM_OIDC_REDIRECT_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PEERSIM_OIDC_CLIENT_ID", "peersim")
    with pytest.raises(sso.SingleSignOnMisconfigured) as caught:
        sso.settings()
    assert str(caught.value) == (
        "PEERSIM_OIDC_METADATA_URL is set, so single sign-on is on, but PEERSIM_OIDC_CLIENT_SECRET, "
        "PEERSIM_OIDC_REDIRECT_URI are not. Set them too (see docs/deploy.md)."
    )
    monkeypatch.setenv("PEERSIM_OIDC_CLIENT_SECRET", "secret")
    monkeypatch.setenv("PEERSIM_OIDC_REDIRECT_URI", CONFIG.redirect_uri)
    settings = sso.settings()
    assert settings is not None and (settings.prompt, settings.scopes) == (None, "openid email profile")
    monkeypatch.setenv("PEERSIM_OIDC_PROMPT", " login ")
    monkeypatch.setenv("PEERSIM_OIDC_SCOPES", "openid  email")
    settings = sso.settings()
    assert settings is not None and (settings.prompt, settings.scopes) == ("login", "openid email")
