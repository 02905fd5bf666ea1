"""Accounts: password policy, Argon2 hashing, sign-in throttling, server-side sessions, roles, deletion."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from records import AccessDenied, AccountError, SignInRefused, WeakPassword, clock
from records.passwords import check_password, hash_password, verify_password
from records.tables import throttle_events, users
from tests.helpers import PASSWORD, make_user, record_first_choice

WRONG = "That email and password do not match an account. Please try again."


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Please use at least 8 characters. A few unrelated words with spaces make a strong password."),
        ("x" * 129, "Please keep the password to 128 characters or fewer."),
        ("password1", "This is a very common password. Try a longer phrase of a few words that only you would put together."),
        ("qwertyuiop", "This is a top-100 common password. Try a longer phrase of a few words that only you would put together."),
        (
            "aaaaaaaaaa",
            'Repeats like "aaa" are easy to guess. Try a longer phrase of a few words that only you would put together.',
        ),
    ],
)
def test_password_policy_explains_what_would_work(password, message):
    with pytest.raises(WeakPassword) as caught:
        check_password(password)
    assert str(caught.value) == message


def test_the_persons_own_name_and_email_are_not_a_password():
    with pytest.raises(WeakPassword):
        check_password("marisolperez", name="Marisol Perez", email="marisol.perez@example.org")


@pytest.mark.parametrize(
    "password", ["quiet river lantern 42", "Tr0ub4dor&3 horse", "ñandú verde y rápido", "correct horse battery staple"]
)
def test_long_or_unusual_passwords_pass_with_no_composition_rules(password):
    check_password(password)


def test_hashes_are_argon2id_and_verify():
    stored = hash_password("quiet river lantern 42")
    assert stored.startswith("$argon2id$")
    assert verify_password(stored, "quiet river lantern 42")
    assert not verify_password(stored, "quiet river lantern 43")
    assert not verify_password("not a hash", "anything")


def test_register_stores_only_a_hash(store):
    user = store.accounts.register("  Zoë   Nguyễn ", "ZOE@Example.org ", PASSWORD)
    assert (user.name, user.email, user.role) == ("Zoë Nguyễn", "zoe@example.org", "trainee")
    with store.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash).where(users.c.id == user.id)).scalar_one()
    assert PASSWORD not in stored and stored.startswith("$argon2id$")


@pytest.mark.parametrize(
    ("name", "email", "password", "error", "message"),
    [
        ("", "a@example.org", PASSWORD, AccountError, "Please type a name (it can be a first name or a nickname)."),
        ("Ana", "not-an-email", PASSWORD, AccountError, "Please enter an email address, like name@example.org."),
        (
            "Ana",
            "ana@example.org",
            "short",
            WeakPassword,
            "Please use at least 8 characters. A few unrelated words with spaces make a strong password.",
        ),
    ],
)
def test_bad_sign_ups_get_a_clear_message_and_create_nothing(store, name, email, password, error, message):
    with pytest.raises(error) as caught:
        store.accounts.register(name, email, password)
    assert str(caught.value) == message
    assert store.accounts.count() == 0


def test_one_account_per_email(store):
    store.accounts.register("Ana", "ana@example.org", PASSWORD)
    with pytest.raises(AccountError) as caught:
        store.accounts.register("Ana Two", "ANA@example.org", PASSWORD)
    assert str(caught.value) == "An account with that email address already exists. Try signing in instead."
    assert store.accounts.count() == 1


def test_first_admin_only_once(store):
    admin = store.accounts.create_first_admin("Ada", "ada@example.org", PASSWORD)
    assert admin.role == "admin"
    with pytest.raises(AccountError) as caught:
        store.accounts.create_first_admin("Eve", "eve@example.org", PASSWORD)
    assert str(caught.value) == "PeerSim already has an admin. Ask them to create your account."


def test_sign_in_is_case_insensitive_on_email_and_refuses_wrong_passwords_alike(store):
    ana = store.accounts.register("Ana", "ana@example.org", PASSWORD)
    assert store.accounts.sign_in(" ANA@example.org", PASSWORD) == ana
    for email, password in [("ana@example.org", "wrong password here"), ("nobody@example.org", PASSWORD), ("", "")]:
        with pytest.raises(SignInRefused) as caught:
            store.accounts.sign_in(email, password)
        assert str(caught.value) == WRONG  # never says which accounts exist


def test_throttling_after_five_failures_even_for_the_right_password(store, monkeypatch):
    store.accounts.register("Ana", "ana@example.org", PASSWORD)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            store.accounts.sign_in("ana@example.org", "not the password")
    with pytest.raises(SignInRefused) as caught:
        store.accounts.sign_in("ana@example.org", PASSWORD)
    assert str(caught.value) == "Too many tries for this account. For your safety, please wait 15 minutes and try again."

    # Sixteen minutes later the window has passed.
    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert store.accounts.sign_in("ana@example.org", PASSWORD).name == "Ana"
    with store.engine.connect() as connection:
        assert connection.execute(select(throttle_events)).all() == []  # success clears the count


def test_passwords_never_reach_the_logs(store, caplog):
    caplog.set_level(logging.DEBUG)
    store.accounts.register("Ana", "ana@example.org", PASSWORD)
    with pytest.raises(SignInRefused):
        store.accounts.sign_in("ana@example.org", "my secret guess 99")
    store.accounts.sign_in("ana@example.org", PASSWORD)
    assert PASSWORD not in caplog.text and "my secret guess 99" not in caplog.text and "$argon2" not in caplog.text


def test_sessions_work_until_signed_out_or_expired(store, monkeypatch):
    ana = store.accounts.register("Ana", "ana@example.org", PASSWORD)
    token = store.accounts.start_session(ana)
    copied = token  # a cookie copied to another browser
    assert store.accounts.user_for_session(token) == ana
    store.accounts.end_session(token)
    assert store.accounts.user_for_session(copied) is None

    second = store.accounts.start_session(ana)
    later = clock.now() + timedelta(days=15)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert store.accounts.user_for_session(second) is None  # 14-day sessions


@pytest.mark.parametrize("token", [None, "", "nonsense", "x" * 500, "y" * 10_000])
def test_unknown_tokens_are_no_one(store, token):
    assert store.accounts.user_for_session(token) is None


def test_end_all_sessions(store):
    ana = store.accounts.register("Ana", "ana@example.org", PASSWORD)
    tokens = [store.accounts.start_session(ana) for _ in range(3)]
    store.accounts.end_all_sessions(ana.id)
    assert [store.accounts.user_for_session(t) for t in tokens] == [None, None, None]


def test_roles_are_set_by_admins_and_logged(store):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    store.accounts.set_role(admin, ana.id, "instructor")
    assert store.accounts.sign_in("ana@example.org", PASSWORD).role == "instructor"
    with pytest.raises(AccessDenied):
        store.accounts.set_role(ana, ana.id, "admin")
    with pytest.raises(AccountError) as caught:
        store.accounts.set_role(admin, admin.id, "trainee")
    assert str(caught.value) == "You cannot remove your own admin role; ask another admin."
    with pytest.raises(AccountError) as caught:
        store.accounts.set_role(admin, ana.id, "superuser")
    assert str(caught.value) == "Role must be one of: trainee, instructor, admin."
    changes = [(e.action, e.subject_name, e.detail) for e in store.audit.entries(admin) if e.action == "change role"]
    assert changes == [("change role", "Ana", "role instructor")]


def test_deleting_an_account_removes_every_record(store, mini):
    ana = make_user(store, "Ana")
    record_first_choice(store, ana, mini)
    token = store.accounts.start_session(ana)
    bo = make_user(store, "Bo")
    with pytest.raises(AccessDenied):
        store.accounts.delete(bo, ana.id)
    store.accounts.delete(ana, ana.id)
    assert store.accounts.user_for_session(token) is None
    with store.engine.connect() as connection:
        for table in ("attempts", "decisions", "decision_criteria", "sessions"):
            assert connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar() == 0, table
    with pytest.raises(SignInRefused):
        store.accounts.sign_in("ana@example.org", PASSWORD)


def test_the_only_admin_cannot_delete_themselves(store):
    admin = make_user(store, "Ada", "admin")
    with pytest.raises(AccountError) as caught:
        store.accounts.delete(admin, admin.id)
    assert str(caught.value) == "You are the only admin. Make someone else an admin before deleting your account."
