"""Containing and recovering an account: an admin switches an account off and on, signs it out everywhere,
deletes it, or makes a one-time reset link; anyone can reset their password by email when the program sends mail
(a real message through a local SMTP server, whose link the test follows); changing one's password is throttled
and signs out every other session. Every bad input gets a clear message and changes nothing."""

from __future__ import annotations

import email
import re
import threading
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from records import AccessDenied, AccountError, SignInRefused, Store, User, WeakPassword, clock
from records import recovery as reset_rules
from records.passwords import check_password
from tests.helpers import PASSWORD, app_for, csrf, free_port, make_user, refused, root_admin
from ui import signin, state
from ui.render import esc

NEW_PASSWORD = "copper meadow violin 77"
SWITCHED_OFF = "This account has been switched off. Please contact your program's admin."
PUBLIC_URL = "https://peersim.test"


def actions(store: Store, subject: User | None = None) -> list[tuple[str, str, str]]:
    """(who, did, detail) oldest first, optionally only about ``subject``."""
    entries = reversed(store.audit.entries(root_admin(store)))
    return [(e.actor_name, e.action, e.detail) for e in entries if subject is None or e.subject_user_id == subject.id]


# ------------------------------------------------------------------------------ switch off / on
def test_switching_an_account_off_ends_its_sessions_and_refuses_sign_in(store):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    phone, laptop = store.accounts.start_session(ana), store.accounts.start_session(ana)
    assert store.accounts.deactivate(admin, ana.id) == 2
    assert store.accounts.user_for_session(phone) is None and store.accounts.user_for_session(laptop) is None
    with refused(SignInRefused, SWITCHED_OFF):
        store.accounts.sign_in("ana@example.org", PASSWORD)
    assert store.accounts.deactivate(admin, ana.id) == 0  # again: nothing more happens, nothing more is logged
    assert [a.disabled for a in store.accounts.list(admin) if a.user.id == ana.id] == [True]

    store.accounts.reactivate(admin, ana.id)
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana
    assert store.accounts.user_for_session(phone) is None  # old sessions stay ended
    assert [(who, did, detail) for who, did, detail in actions(store, ana) if who == "Ada"] == [
        ("Ada", "deactivate account", "2 sessions signed out"),
        ("Ada", "reactivate account", ""),
    ]


def test_only_admins_contain_accounts_and_never_their_own(store):
    admin = make_user(store, "Ada", "admin")
    ivan = make_user(store, "Ivan", "instructor")
    ana = make_user(store, "Ana")
    for act in (
        store.accounts.deactivate,
        store.accounts.reactivate,
        store.accounts.revoke_sessions,
        store.recovery.issue,
    ):
        with refused(AccessDenied, "This needs the admin role."):
            act(ivan, ana.id)
    with refused(AccountError, "You cannot switch off your own account. Ask another admin."):
        store.accounts.deactivate(admin, admin.id)
    with refused(AccountError, "That account no longer exists. It may have been deleted a moment ago."):
        store.accounts.deactivate(admin, 9999)
    with refused(AccountError, "That account no longer exists. It may have been deleted a moment ago."):
        store.accounts.revoke_sessions(admin, 9999)
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana  # nothing changed


def test_sign_out_everywhere(store):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    tokens = [store.accounts.start_session(ana) for _ in range(3)]
    store.accounts.end_session(tokens[0])  # already signed out: not counted
    assert store.accounts.revoke_sessions(admin, ana.id) == 2
    assert all(store.accounts.user_for_session(t) is None for t in tokens)
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana  # the password still works
    assert ("Ada", "sign out everywhere", "2 sessions signed out") in actions(store, ana)


def test_deleting_accounts_never_leaves_the_program_without_an_active_admin(store):
    ada = make_user(store, "Ada", "admin")
    bea = make_user(store, "Bea", "admin")
    ana = make_user(store, "Ana")
    store.accounts.deactivate(ada, bea.id)
    with refused(AccountError, "You are the only admin. Make someone else an admin before deleting your account."):
        store.accounts.delete(ada, ada.id)  # Bea is switched off: Ada is the only active admin
    store.accounts.delete(ada, ana.id)
    with refused(AccountError, "That account no longer exists. It may have been deleted a moment ago."):
        store.accounts.delete(ada, ana.id)
    assert [a.user.name for a in store.accounts.list(ada)] == ["Ada", "Bea"]
    assert ("Ada", "delete account", "Ana, trainee") in actions(store)


# ------------------------------------------------------------------------------ change password
def test_changing_the_password_signs_out_every_other_session(store):
    ana = make_user(store, "Ana")
    here, phone, laptop = (store.accounts.start_session(ana) for _ in range(3))
    assert store.accounts.change_password(ana, PASSWORD, NEW_PASSWORD, keep_session=here) == 2
    assert store.accounts.user_for_session(here) == ana
    assert store.accounts.user_for_session(phone) is None and store.accounts.user_for_session(laptop) is None
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == ana
    with pytest.raises(SignInRefused):
        store.accounts.sign_in("ana@example.org", PASSWORD)
    assert ("Ana", "change password", "other 2 sessions signed out") in actions(store, ana)


def test_a_weak_new_password_changes_nothing(store):
    ana = make_user(store, "Ana")
    other = store.accounts.start_session(ana)
    with refused(WeakPassword, "Please use at least 8 characters. A few unrelated words with spaces make a strong password."):
        store.accounts.change_password(ana, PASSWORD, "short")
    assert store.accounts.user_for_session(other) == ana
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana
    assert not any(did == "change password" for _, did, _ in actions(store, ana))


def test_wrong_current_passwords_are_throttled(store, at_time):
    ana = make_user(store, "Ana")
    for _ in range(5):
        with refused(AccountError, "Your current password was not right. Please try again."):
            store.accounts.change_password(ana, "a wrong guess here", NEW_PASSWORD)
    with refused(AccountError, "Too many wrong current passwords. For your safety, please wait 15 minutes and try again."):
        store.accounts.change_password(ana, PASSWORD, NEW_PASSWORD)  # even the right one waits
    at_time(timedelta(minutes=10))
    with refused(AccountError, "Too many wrong current passwords. For your safety, please wait 5 minutes and try again."):
        store.accounts.change_password(ana, PASSWORD, NEW_PASSWORD)
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana  # nothing changed meanwhile
    at_time(timedelta(minutes=5, seconds=1))
    store.accounts.change_password(ana, PASSWORD, NEW_PASSWORD)
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == ana
    did = [d for _, d, _ in actions(store, ana)]
    assert did.count("wrong current password") == 5
    assert did.count("password change locked") == 1
    assert did.count("change password") == 1


def test_a_burst_of_parallel_wrong_current_passwords_checks_at_most_five(store, monkeypatch):
    from records import passwords

    ana = make_user(store, "Ana")
    checked = []
    real = passwords.verify_password

    def counting(stored: str, given: str) -> bool:
        checked.append(given)
        return real(stored, given)

    monkeypatch.setattr(passwords, "verify_password", counting)
    answers: list[str] = []

    def guess(n: int) -> None:
        try:
            store.accounts.change_password(ana, f"guess number {n}", NEW_PASSWORD)
        except AccountError as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 5
    assert answers.count("Your current password was not right. Please try again.") == 5
    assert answers.count("Too many wrong current passwords. For your safety, please wait 15 minutes and try again.") == 7


# ------------------------------------------------------------------------------ admin reset links
def test_an_admin_reset_link_works_once(store):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    session = store.accounts.start_session(ana)
    link = store.recovery.issue(admin, ana.id)
    assert link.expires_at - clock.now() == pytest.approx(timedelta(hours=24), abs=timedelta(seconds=5))
    with store.engine.connect() as connection:  # only the hash is stored
        stored = connection.exec_driver_sql("SELECT token_hash FROM password_resets").scalars().all()
    assert link.token not in stored and len(stored) == 1 and len(stored[0]) == 64
    assert store.recovery.check(link.token) == ana

    with refused(WeakPassword, "Please use at least 8 characters. A few unrelated words with spaces make a strong password."):
        store.recovery.reset(link.token, "short")
    assert store.recovery.check(link.token) == ana  # a weak password used nothing up
    assert store.accounts.user_for_session(session) == ana

    assert store.recovery.reset(link.token, NEW_PASSWORD) == (ana, False)
    assert store.accounts.user_for_session(session) is None
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == ana
    with refused(reset_rules.ResetRefused, reset_rules.USED):
        store.recovery.reset(link.token, "another fine passphrase 9")
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == ana
    assert [(who, did) for who, did, _ in actions(store, ana) if did != "sign in"] == [
        ("Ada", "issue reset link"),
        ("Ana", "reset password"),
    ]
    assert ("Ana", "reset password", "with a link from an admin; 1 session signed out") in actions(store, ana)


def test_unknown_and_expired_links_are_refused_with_a_clear_message(store, at_time):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    for token in ("", "not-a-real-token", "x" * 5000):
        with refused(reset_rules.ResetRefused, reset_rules.UNKNOWN):
            store.recovery.check(token)
    link = store.recovery.issue(admin, ana.id)
    at_time(timedelta(hours=24, seconds=1))
    with refused(reset_rules.ResetRefused, reset_rules.EXPIRED):
        store.recovery.reset(link.token, NEW_PASSWORD)
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana
    assert reset_rules.EXPIRED == "This reset link has expired: links work for 24 hours. Please ask for a new link."


def test_using_one_link_uses_up_every_open_link_of_the_account(store):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    first, second = store.recovery.issue(admin, ana.id), store.recovery.issue(admin, ana.id)
    store.recovery.reset(second.token, NEW_PASSWORD)
    with refused(reset_rules.ResetRefused, reset_rules.USED):
        store.recovery.check(first.token)


def test_a_switched_off_account_can_be_given_a_new_password_but_stays_off(store):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    store.accounts.deactivate(admin, ana.id)  # contain first, then recover
    link = store.recovery.issue(admin, ana.id)
    assert store.recovery.reset(link.token, NEW_PASSWORD) == (ana, True)
    with refused(SignInRefused, SWITCHED_OFF):
        store.accounts.sign_in("ana@example.org", NEW_PASSWORD)
    store.accounts.reactivate(admin, ana.id)
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == ana


def test_no_reset_link_for_an_account_without_an_email_address(store):
    admin = make_user(store, "Ada", "admin")
    from sqlalchemy import insert

    from records.tables import users

    with store.engine.begin() as connection:
        kim = connection.execute(
            insert(users).values(name="Kim", name_key="kim", role="trainee", created_at=clock.now(), oidc_subject="idp|kim")
        ).inserted_primary_key[0]
    with refused(
        AccountError, "Kim signs in only with single sign-on and has no email address, so a password would not help them sign in."
    ):
        store.recovery.issue(admin, kim)


# ------------------------------------------------------------------------------ reset by email
class Inbox:
    """A local SMTP server's mailbox (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # aiosmtpd's hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox(monkeypatch) -> Iterator[Inbox]:
    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PEERSIM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PEERSIM_SMTP_PORT", str(port))
    monkeypatch.setenv("PEERSIM_SMTP_FROM", "PeerSim <peersim@example.org>")
    monkeypatch.setenv("PEERSIM_SMTP_STARTTLS", "false")
    monkeypatch.setenv("PEERSIM_PUBLIC_URL", PUBLIC_URL)
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def client(isolated_data):
    signin.services.store.clear()
    with TestClient(Starlette(routes=signin.ROUTES), base_url="https://evil.example", follow_redirects=False) as http:
        yield http
    signin._store().close()
    signin.services.store.clear()


def ask_for_reset(http: TestClient, address: str):  # type: ignore[no-untyped-def]
    return http.post("/auth/forgot", data={"csrf": csrf(http, "/auth/forgot"), "email": address})


def body(message: EmailMessage) -> str:
    return str(message.get_content()).replace("\r\n", "\n")


def link_in(message: EmailMessage) -> str:
    found = re.search(r"^https://peersim\.test/auth/reset\?token=[A-Za-z0-9_\-]+$", body(message), re.M)
    assert found is not None, body(message)
    return found.group(0)


def choose_password(http: TestClient, link: str, password: str):  # type: ignore[no-untyped-def]
    path = link.removeprefix(PUBLIC_URL)
    token = path.split("token=", 1)[1]
    return http.post(signin.RESET_PATH, data={"csrf": csrf(http, path), "token": token, "password": password})


def paragraph(html_text: str, css: str) -> list[str]:
    import html

    return [html.unescape(p) for p in re.findall(rf'<p class="{css}"[^>]*>(.*?)</p>', html_text, re.S)]


def test_reset_by_email_end_to_end(client, store, inbox):
    make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    session = store.accounts.start_session(ana)
    assert '<a href="/auth/forgot">Forgot your password?</a>' in client.get("/auth/signin").text

    answer = ask_for_reset(client, "  Ana@Example.org ")
    assert answer.status_code == 200
    assert paragraph(answer.text, "note") == [signin.FORGOT_SENT]
    (message,) = inbox.messages
    assert (message["To"], message["From"], message["Subject"]) == (
        "ana@example.org",
        "PeerSim <peersim@example.org>",
        "Reset your PeerSim password",
    )
    assert body(message).startswith("Hello Ana,\n\nSomeone, hopefully you, asked to reset the password of your PeerSim")
    link = link_in(message)  # built from PEERSIM_PUBLIC_URL, never from the request's host (evil.example)

    form = client.get(link.removeprefix(PUBLIC_URL))
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    assert "Choose a new password for ana@example.org." in form.text

    weak = choose_password(client, link, "password1")
    with pytest.raises(WeakPassword) as policy:
        check_password("password1", name="Ana", email="ana@example.org")
    assert (weak.status_code, paragraph(weak.text, "error")) == (200, [str(policy.value)])
    assert store.accounts.user_for_session(session) == ana  # nothing used up or ended
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana

    done = choose_password(client, link, NEW_PASSWORD)
    assert done.status_code == 200
    assert paragraph(done.text, "note") == [signin.RESET_DONE]
    assert store.accounts.user_for_session(session) is None
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == ana

    again = client.get(link.removeprefix(PUBLIC_URL))
    assert again.status_code == 400
    assert paragraph(again.text, "error") == [reset_rules.USED]
    assert '<a href="/auth/forgot">Ask for a new link</a>' in again.text
    assert [(who, did, detail) for who, did, detail in actions(store, ana) if did != "sign in"] == [
        ("someone at testclient", "reset link emailed", ""),
        ("Ana", "reset password", "with a link from email; 1 session signed out"),
    ]


def test_the_answer_is_the_same_whether_or_not_an_account_has_the_address(client, store, inbox):
    make_user(store, "Ada", "admin")
    make_user(store, "Ana")
    known = ask_for_reset(client, "ana@example.org")
    unknown = ask_for_reset(client, "nobody@example.org")
    assert (known.status_code, known.text) == (unknown.status_code, unknown.text)
    assert [m["To"] for m in inbox.messages] == ["ana@example.org"]


def test_no_email_for_switched_off_or_single_sign_on_accounts(client, store, inbox):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    store.accounts.deactivate(admin, ana.id)
    from sqlalchemy import insert

    from records.tables import users

    with store.engine.begin() as connection:
        connection.execute(
            insert(users).values(
                name="Kim", name_key="kim", email="kim@example.org", role="trainee", created_at=clock.now(), oidc_subject="i|k"
            )
        )
    for address in ("ana@example.org", "kim@example.org"):
        assert paragraph(ask_for_reset(client, address).text, "note") == [signin.FORGOT_SENT]
    assert inbox.messages == []


def test_reset_emails_are_throttled_per_address_asked_about_and_per_network(client, store, inbox):
    make_user(store, "Ada", "admin")
    make_user(store, "Ana")
    for _ in range(4):  # the fourth within the hour sends nothing, and says the same
        assert paragraph(ask_for_reset(client, "ana@example.org").text, "note") == [signin.FORGOT_SENT]
    assert len(inbox.messages) == 3
    for n in range(7):  # 3 + 7 = 10 requests from this network went through in the hour, whatever the address
        assert paragraph(ask_for_reset(client, f"person{n}@example.org").text, "note") == [signin.FORGOT_SENT]
    flood = ask_for_reset(client, "ana@example.org")
    assert paragraph(flood.text, "error") == ["Too many reset requests from this network. Please wait 60 minutes and try again."]
    assert 'value="ana@example.org"' in flood.text  # what was typed stays
    assert len(inbox.messages) == 3


def test_a_mistyped_email_address_is_explained(client, store, inbox):
    make_user(store, "Ada", "admin")
    answer = ask_for_reset(client, "not an address")
    assert paragraph(answer.text, "error") == ["Please enter an email address, like name@example.org."]
    assert inbox.messages == []


@pytest.mark.parametrize(
    ("query", "message"),
    [("", reset_rules.UNKNOWN), ("?token=", reset_rules.UNKNOWN), ("?token=made-up", reset_rules.UNKNOWN)],
)
def test_reset_page_refuses_links_that_do_not_work(client, store, query, message):
    make_user(store, "Ada", "admin")
    page = client.get(f"{signin.RESET_PATH}{query}")
    assert page.status_code == 400
    assert paragraph(page.text, "error") == [message]
    assert "Your program's admin can make you a new link." in page.text  # no email here: ask the admin
    assert 'name="password"' not in page.text


def test_an_expired_link_on_the_reset_page(client, store, at_time):
    admin = make_user(store, "Ada", "admin")
    ana = make_user(store, "Ana")
    link = store.recovery.issue(admin, ana.id)
    at_time(timedelta(hours=25))
    page = client.post(
        signin.RESET_PATH, data={"csrf": csrf(client, "/auth/signin"), "token": link.token, "password": NEW_PASSWORD}
    )
    assert page.status_code == 400
    assert paragraph(page.text, "error") == [reset_rules.EXPIRED]
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana


def test_without_mail_settings_there_is_no_self_service(client, store):
    make_user(store, "Ada", "admin")
    assert "Forgot your password?" not in client.get("/auth/signin").text
    page = client.get("/auth/forgot")
    assert paragraph(page.text, "note") == [signin.FORGOT_OFF]
    assert 'name="email"' not in page.text


# ------------------------------------------------------------------------------ the pages
def admin_page(store: Store) -> AppTest:
    at = app_for(store.accounts.start_session(root_admin(store)))
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    return at


def choose_account(at: AppTest, user: User) -> AppTest:
    at.selectbox(key="manage_user").set_value(user.id).run()
    assert not at.exception
    return at


def click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception
    return at


@pytest.fixture
def page_store(isolated_data) -> Iterator[Store]:
    opened = Store.open(isolated_data)
    yield opened
    opened.close()


pages = pytest.mark.usefixtures("fixture_library")


@pytest.mark.apptest
@pages
def test_admin_switches_an_account_off_after_confirming(page_store):
    store = page_store
    ana = make_user(store, "Ana *Lima*")
    phone = store.accounts.start_session(ana)
    at = choose_account(admin_page(store), ana)
    assert [o for o in at.selectbox(key="manage_user").options if "Root Admin" in o] == []  # never yourself
    click(at, "manage_deactivate")
    assert [w.value for w in at.warning] == [
        f"Switch off {esc('Ana *Lima*')}'s account? They are signed out everywhere now and cannot sign in until an "
        "admin switches the account back on. Their records stay."
    ]
    click(at, "confirm_no")  # cancel: nothing changed
    assert not at.warning
    assert store.accounts.user_for_session(phone) == ana
    click(click(at, "manage_deactivate"), "confirm_yes")
    assert [s.value for s in at.success] == [f"{esc('Ana *Lima*')}'s account is switched off; 1 session signed out."]
    assert store.accounts.user_for_session(phone) is None
    assert at.button(key="manage_reactivate").label == "Switch back on"
    click(at, "manage_reactivate")
    assert [s.value for s in at.success] == [f"{esc('Ana *Lima*')}'s account is switched on again. They can sign in."]
    assert store.accounts.sign_in("ana.*lima*@example.org", PASSWORD) == ana


@pytest.mark.apptest
@pages
def test_admin_signs_an_account_out_everywhere(page_store):
    store = page_store
    ana = make_user(store, "Ana")
    tokens = [store.accounts.start_session(ana) for _ in range(2)]
    at = click(choose_account(admin_page(store), ana), "manage_revoke")
    assert at.warning[0].value.startswith("Sign Ana out everywhere? Every device signed in to this account is signed out now.")
    click(at, "confirm_yes")
    assert [s.value for s in at.success] == ["Ana is signed out everywhere (2 sessions ended)."]
    assert all(store.accounts.user_for_session(t) is None for t in tokens)


@pytest.mark.apptest
@pages
def test_admin_makes_a_reset_link_shown_once(page_store, monkeypatch):
    monkeypatch.setenv("PEERSIM_PUBLIC_URL", PUBLIC_URL)
    store = page_store
    ana = make_user(store, "Ana")
    at = click(choose_account(admin_page(store), ana), "manage_reset")
    assert [s.value for s in at.success] == ["A one-time password-reset link for Ana:"]
    (shown,) = [c for c in at.code if "/auth/reset" in c.value]  # the page's other code: the LTI tool's addresses
    assert shown.value.startswith(f"{PUBLIC_URL}/auth/reset?token=")
    assert store.recovery.check(shown.value.split("token=", 1)[1]) == ana
    assert any(c.value.startswith("Pass it on to Ana privately") and "shown only this once" in c.value for c in at.caption)
    at.run()
    assert not [c for c in at.code if "/auth/reset" in c.value]  # never shown again; only its hash is kept


@pytest.mark.apptest
@pages
def test_admin_deletes_an_account_after_confirming(page_store):
    store = page_store
    ana = make_user(store, "Ana")
    at = click(choose_account(admin_page(store), ana), "manage_delete")
    assert at.warning[0].value == (
        "Delete Ana's account and all their practice records for good? This cannot be undone. The audit log keeps its "
        "entries about them."
    )
    click(at, "confirm_yes")
    assert [s.value for s in at.success] == ["Ana's account and records have been deleted."]
    assert "Ana" not in [a.user.name for a in store.accounts.list(root_admin(store))]


@pytest.mark.apptest
@pages
def test_admin_changes_a_role_and_the_name_shows_as_typed(page_store):
    store = page_store
    sly = make_user(store, "[Sly](https://evil.example)")
    at = choose_account(admin_page(store), sly)
    at.selectbox(key=f"role_value_{sly.id}").set_value("instructor")
    at.button(key="FormSubmitter:change_role-Change role").click().run()
    assert [s.value for s in at.success] == [f"{esc('[Sly](https://evil.example)')} is now instructor."]
    assert [a.user.role for a in store.accounts.list(root_admin(store)) if a.user.id == sly.id] == ["instructor"]


def account_page(store: Store, user: User) -> tuple[AppTest, str]:
    token = store.accounts.start_session(user)
    at = app_for(token)
    at.switch_page("pages/account.py").run()
    assert not at.exception
    return at, token


def change_password(at: AppTest, current: str, new: str) -> AppTest:
    at.text_input(key="pw_current").input(current)
    at.text_input(key="pw_new").input(new)
    at.button(key="FormSubmitter:password-Change password").click().run()
    assert not at.exception
    return at


@pytest.mark.apptest
@pages
def test_changing_the_password_on_the_account_page_keeps_this_session(page_store):
    store = page_store
    ana = make_user(store, "Ana")
    phone = store.accounts.start_session(ana)
    at, here = account_page(store, ana)
    assert at.session_state[state.SESSION_TOKEN] == here
    change_password(at, "not my password", NEW_PASSWORD)
    assert [e.value for e in at.error] == ["Your current password was not right\\. Please try again\\."]
    change_password(at, PASSWORD, "short")
    assert [e.value for e in at.error] == [
        esc("Please use at least 8 characters. A few unrelated words with spaces make a strong password.")
    ]
    assert store.accounts.user_for_session(phone) == ana  # nothing changed so far
    change_password(at, PASSWORD, NEW_PASSWORD)
    assert [s.value for s in at.success] == [
        "Your password has been changed. 1 other session signed out; you stay signed in here."
    ]
    assert store.accounts.user_for_session(phone) is None
    assert store.accounts.user_for_session(here) == ana
    at.run()
    assert at.title[0].value == "Account and privacy"  # still signed in


@pytest.mark.apptest
@pages
def test_the_account_page_says_how_long_to_wait_after_wrong_current_passwords(page_store):
    store = page_store
    ana = make_user(store, "Ana")
    at, _ = account_page(store, ana)
    for _ in range(5):
        change_password(at, "still not it", NEW_PASSWORD)
    change_password(at, PASSWORD, NEW_PASSWORD)
    assert [e.value for e in at.error] == [
        esc("Too many wrong current passwords. For your safety, please wait 15 minutes and try again.")
    ]
    assert store.accounts.sign_in("ana@example.org", PASSWORD) == ana


@pytest.mark.apptest
@pages
def test_an_account_without_a_password_is_not_offered_a_password_change(page_store):
    store = page_store
    make_user(store, "Ada", "admin")
    kim = store.accounts.single_sign_on("https://idp.example|kim", "kim@example.org", "Kim Lee", email_verified=True)
    at, _ = account_page(store, kim)
    assert "Change your password" not in [h.value for h in at.subheader]
    ana = make_user(store, "Ana")
    at, _ = account_page(store, ana)
    assert "Change your password" in [h.value for h in at.subheader]


@pytest.mark.apptest
@pages
def test_admin_add_account_clears_the_form_after_success_and_keeps_it_after_a_problem(page_store):
    store = page_store
    at = admin_page(store)
    at.text_input(key="new_name").input("Bea Okafor")
    at.text_input(key="new_email").input("bea@example.org")
    at.text_input(key="new_password").input("short")
    at.button(key="FormSubmitter:add_account-Add account").click().run()
    assert len(at.error) == 1  # a weak password: refused, with what was typed kept to fix it
    assert (at.text_input(key="new_name").value, at.text_input(key="new_email").value) == ("Bea Okafor", "bea@example.org")
    at.text_input(key="new_password").input("quiet river lantern 42")
    at.button(key="FormSubmitter:add_account-Add account").click().run()
    assert [s.value for s in at.success] == ["Added Bea Okafor as instructor."]
    assert [at.text_input(key=k).value for k in ("new_name", "new_email", "new_password")] == ["", "", ""]
    assert "bea@example.org" in [a.user.email for a in store.accounts.list(root_admin(store))]
