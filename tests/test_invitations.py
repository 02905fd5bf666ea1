"""Roster import (issue 17): an instructor uploads a CSV file of names and email addresses for a cohort; each good
row becomes a one-time invitation link, each bad row is reported by its line with why, and nobody ever gets a
second account. Records on SQLite and PostgreSQL (the suite's fixtures: PEERSIM_TEST_DATABASE_URL), the
/auth/invite page through starlette's TestClient, and the file formats spreadsheets write."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from records import AccessDenied, AccountError, CohortError, SignInRefused, Store, User, WeakPassword, roster
from records import invitations as rules
from records.accounts import clean_name
from records.passwords import check_password
from records.tables import cohort_members, invitations, users
from tests.helpers import FIXTURES, PASSWORD, csrf, make_user, refused, root_admin
from ui import signin

ROSTER = FIXTURES / "roster"
NEW_PASSWORD = "copper meadow violin 77"

# tests/fixtures/roster/with-problems.csv, line by line, after Tia Torres (line 12) has joined the cohort.
FIRST_IMPORT = [
    (2, "Ana Lopez", "ana@example.org", "Invited."),
    (3, "", "bo@example.org", "Not invited: the name is missing."),
    (4, "Cy Chen", "cy.example.org", "Not invited: “cy.example.org” is not an email address like name@example.org."),
    (5, "Dee Dubois", "ana@example.org", "Not invited: ana@example.org is also on line 2."),
    (6, "Eve Evans", "", "Not invited: the email address is missing."),
    (7, "Farid, Jr.", "farid@example.org", "Invited."),
    (10, "Gus Grant", "gus@example,org", "Not invited: “gus@example,org” is not an email address like name@example.org."),
    (11, "Hana Ito", "hana@example.org", "Invited."),
    (12, "Tia Torres", "tia@example.org", "Not invited: tia@example.org is already a member of this cohort."),
]


def table(report: rules.ImportReport) -> list[tuple[int, str, str, str]]:
    return [(line.line, line.name, line.email, line.outcome) for line in report.lines]


def count(store: Store, what) -> int:  # type: ignore[no-untyped-def]
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(what)).scalar_one())


def members(store: Store, cohort_id: int) -> list[str]:
    with store.engine.connect() as connection:
        query = (
            select(users.c.email)
            .join(cohort_members, cohort_members.c.user_id == users.c.id)
            .where(cohort_members.c.cohort_id == cohort_id)
            .order_by(users.c.email)
        )
        return list(connection.execute(query).scalars())


def actions(store: Store) -> list[tuple[str, str, str]]:
    return [(e.actor_name, e.action, e.detail) for e in reversed(store.audit.entries(root_admin(store)))]


@pytest.fixture
def cohort(store: Store):  # type: ignore[no-untyped-def]
    """Ines's cohort "Tuesday evenings", with Tia Torres in it."""
    ines = make_user(store, "Ines", "instructor")
    made = store.cohorts.create(ines, "Tuesday evenings")
    store.cohorts.join(store.accounts.register("Tia Torres", "tia@example.org", PASSWORD), made.join_code)
    return ines, made


def token_of(report: rules.ImportReport, email: str) -> str:
    (line,) = [line for line in report.invited if line.email == email]
    assert line.token is not None
    return line.token


# ------------------------------------------------------------------------------ importing a list
def test_good_rows_are_invited_and_each_bad_row_is_reported_by_its_line(store, cohort, at_time):
    ines, tuesday = cohort
    accounts_before = count(store, users)
    report = store.invitations.import_roster(ines, tuesday.id, (ROSTER / "with-problems.csv").read_bytes())
    assert table(report) == FIRST_IMPORT
    assert [line.email for line in report.invited] == ["ana@example.org", "farid@example.org", "hana@example.org"]
    assert len({line.token for line in report.invited}) == 3
    assert all(line.token is None for line in report.not_invited)
    assert report.expires_at == at_time.now + timedelta(days=14)
    assert count(store, users) == accounts_before  # inviting makes no account
    assert members(store, tuesday.id) == ["tia@example.org"]
    with store.engine.connect() as connection:
        stored = connection.execute(select(invitations.c.token_hash, invitations.c.email).order_by(invitations.c.id)).all()
    assert [email for _, email in stored] == ["ana@example.org", "farid@example.org", "hana@example.org"]
    assert all(len(h) == 64 and h not in {line.token for line in report.invited} for h, _ in stored)  # hashes only
    assert actions(store)[-1] == ("Ines", "import roster", f"cohort {tuesday.id}: 3 invited, 6 not")


def test_importing_the_same_list_twice_invites_no_one_twice_and_says_so(store, cohort):
    ines, tuesday = cohort
    data = (ROSTER / "with-problems.csv").read_bytes()
    store.invitations.import_roster(ines, tuesday.id, data)
    again = store.invitations.import_roster(ines, tuesday.id, data)
    waiting = "Not invited again: {} already has an invitation to this cohort waiting."
    assert table(again) == [
        (line, name, email, waiting.format(email) if outcome == "Invited." else outcome)
        for line, name, email, outcome in FIRST_IMPORT
    ]
    assert again.invited == []
    assert count(store, invitations) == 3
    assert [p.email for p in store.invitations.waiting(ines, tuesday.id).pending] == [
        "ana@example.org",
        "farid@example.org",
        "hana@example.org",
    ]


def test_lists_as_spreadsheets_write_them(store, cohort):
    """Excel's "CSV UTF-8" with semicolons (a byte-order mark, CRLF, "Full name" and "E-mail"), and Excel's
    "Unicode Text" (UTF-16, tabs) with first and last names in two columns."""
    ines, tuesday = cohort
    semicolons = store.invitations.import_roster(ines, tuesday.id, (ROSTER / "excel-semicolons.csv").read_bytes())
    assert table(semicolons) == [
        (2, "Nguyễn Văn An", "an.nguyen@example.org", "Invited."),
        (3, "Lopez; Ana", "ana@example.org", "Invited."),
    ]
    utf16 = store.invitations.import_roster(ines, tuesday.id, (ROSTER / "unicode-text.txt").read_bytes())
    assert table(utf16) == [(2, "Zoë Müller", "zoe@example.org", "Invited.")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", roster.EMPTY),
        (b"\n \n", roster.EMPTY),
        ("name,email\nJosé,jose@example.org\n".encode("cp1252"), roster.NOT_UTF8),
        (b"who,where\nAna,ana@example.org\n", roster.NO_HEADER.format(line="who,where")),
        (b"Ana Lopez,ana@example.org\nBo,bo@example.org\n", roster.HEADER_IS_A_PERSON),
        (b"name,email\n\n,,\n", roster.NO_ROWS),
        (
            b"name,email\n" + b"".join(b"P%d,p%d@example.org\n" % (n, n) for n in range(501)),
            "That file has more than 500 trainees; please invite at most 500 at a time (split the list into smaller files).",
        ),
        (
            b"name,email\n" + b"x" * (200 * 1024),
            "That file is 201 KB; a list of trainees can be at most 200 KB. Please check it is the right file, or "
            "split the list into smaller files.",
        ),
        (
            b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
            roster.NOT_UTF8,
        ),
    ],
    ids=["empty", "blank", "cp1252", "no-header", "header-is-a-person", "no-rows", "too-many-rows", "too-big", "image"],
)
def test_a_file_that_cannot_be_used_invites_no_one_with_a_clear_message(store, cohort, data, message):
    ines, tuesday = cohort
    with refused(CohortError, message):
        store.invitations.import_roster(ines, tuesday.id, data)
    assert count(store, invitations) == 0
    assert not any(did == "import roster" for _, did, _ in actions(store))


def test_an_unclosed_quote_is_reported_at_the_line_it_opens(store, cohort):
    ines, tuesday = cohort
    data = b'name,email\nAna,"ana@example.org\nBo,bo@example.org\nCy,cy@example.org\n'
    report = store.invitations.import_roster(ines, tuesday.id, data)
    assert table(report) == [
        (
            2,
            "Ana",
            "ana@example.org",
            "Not invited: a quote mark on this line is never closed, so the lines after it were read as part of this row.",
        )
    ]


def test_a_row_with_two_problems_names_both_and_long_or_odd_names_are_refused(store, cohort):
    ines, tuesday = cohort
    long_name = "A" * 81
    data = f"name,email\n,not-an-address\n{long_name},long@example.org\nBell\x07 Ringer,bell@example.org\n".encode()
    report = store.invitations.import_roster(ines, tuesday.id, data)
    assert [line.outcome for line in report.lines] == [
        "Not invited: the name is missing; “not-an-address” is not an email address like name@example.org.",
        "Not invited: the name is 81 characters long; please keep it to 80.",
        "Not invited: the name contains control characters.",
    ]


@pytest.mark.parametrize("name", ["Ana", "  Ana   Lopez ", "A" * 80, "A" * 81, "", "   ", "Bell\x07", "Zoë Müller", "=1+1"])
def test_a_name_a_list_may_invite_is_exactly_a_name_an_account_may_have(name):
    """The list's name becomes the account's name: records.roster keeps records.accounts.clean_name's rules."""
    try:
        expected: str | None = clean_name(name)
    except AccountError:
        expected = None
    cleaned = roster.clean_name(name)
    assert (cleaned if roster.name_problem(cleaned) is None else None) == expected


@pytest.mark.parametrize(
    "address",
    [
        "ana.example.org",
        "ana@example",
        "ana@@example.org",
        "ana@example..org",
        "Ana <ana@example.org>",
        "a b@example.org",
        "ana@.org",
    ],
)
def test_addresses_a_spreadsheet_typo_makes_are_refused(address):
    assert roster.email_problem(address) == f"“{address}” is not an email address like name@example.org"


@pytest.mark.parametrize("address", ["mary.o'brien@example.org", "ANA+class@Example.org", "a@b.co", " ana@example.org "])
def test_addresses_people_really_have_are_taken(address):
    assert roster.email_problem(address) is None


def test_only_the_cohorts_instructor_or_an_admin_invites(store, cohort):
    ines, tuesday = cohort
    trainee = make_user(store, "Tom")
    other = make_user(store, "Otto", "instructor")
    data = (ROSTER / "with-problems.csv").read_bytes()
    with refused(AccessDenied, "This needs the instructor or admin role."):
        store.invitations.import_roster(trainee, tuesday.id, data)
    with refused(AccessDenied, "Only the cohort's instructor (or an admin) can do that."):
        store.invitations.import_roster(other, tuesday.id, data)
    with refused(AccessDenied, "Only the cohort's instructor (or an admin) can do that."):
        store.invitations.waiting(other, tuesday.id)
    with refused(AccessDenied, "Only the cohort's instructor (or an admin) can do that."):
        store.invitations.waiting(trainee, tuesday.id)
    assert count(store, invitations) == 0
    report = store.invitations.import_roster(ines, tuesday.id, data)
    pending = store.invitations.waiting(ines, tuesday.id).pending[0]
    for someone in (trainee, other):
        with refused(AccessDenied, "Only the cohort's instructor (or an admin) can do that."):
            store.invitations.revoke(someone, pending.id)
    assert store.invitations.check(token_of(report, "ana@example.org")).email == "ana@example.org"  # still works
    admin = root_admin(store)
    by_admin = store.invitations.import_roster(admin, tuesday.id, b"name,email\nIvy,ivy@example.org\n")
    assert [line.outcome for line in by_admin.lines] == ["Invited."]
    assert store.invitations.waiting(ines, tuesday.id).pending[-1].invited_by == "Root Admin"


def test_an_archived_cohort_takes_no_invitations_and_its_links_wait(store, cohort):
    ines, tuesday = cohort
    report = store.invitations.import_roster(ines, tuesday.id, b"name,email\nAna,ana@example.org\n")
    store.cohorts.archive(ines, tuesday.id)
    with refused(
        CohortError, "Tuesday evenings is archived, so it takes no new members. Unarchive it first to invite trainees to it."
    ):
        store.invitations.import_roster(ines, tuesday.id, b"name,email\nBo,bo@example.org\n")
    token = token_of(report, "ana@example.org")
    with refused(
        CohortError, "Tuesday evenings is archived and takes no new members at the moment. Please ask your instructor about it."
    ):
        store.invitations.accept_new(token, NEW_PASSWORD)
    assert store.invitations.check(token).name == "Ana"  # not used up: it works once the cohort is open again
    store.cohorts.archive(ines, tuesday.id, False)
    assert store.invitations.accept_new(token, NEW_PASSWORD).cohort.id == tuesday.id


# ------------------------------------------------------------------------------ accepting
def test_a_new_person_accepts_an_account_is_made_in_the_cohort_and_the_link_works_once(store, cohort):
    ines, tuesday = cohort
    report = store.invitations.import_roster(ines, tuesday.id, b"name,email\n Ana   Lopez ,ANA@Example.org\n")
    token = token_of(report, "ana@example.org")
    seen = store.invitations.check(token)
    assert (seen.cohort_name, seen.name, seen.email, seen.invited_by, seen.has_account) == (
        "Tuesday evenings",
        "Ana Lopez",
        "ana@example.org",
        "Ines",
        False,
    )
    assert seen.expires_at == report.expires_at
    joined = store.invitations.accept_new(token, NEW_PASSWORD)
    assert (joined.user.name, joined.user.email, joined.user.role) == ("Ana Lopez", "ana@example.org", "trainee")
    assert (joined.cohort.id, joined.cohort.members) == (tuesday.id, 2)
    assert store.accounts.sign_in("ana@example.org", NEW_PASSWORD) == joined.user
    assert members(store, tuesday.id) == ["ana@example.org", "tia@example.org"]
    with refused(CohortError, rules.USED):
        store.invitations.check(token)
    with refused(CohortError, rules.USED):
        store.invitations.accept_new(token, NEW_PASSWORD)
    assert [(who, did, detail) for who, did, detail in actions(store) if who == "Ana Lopez"] == [
        ("Ana Lopez", "create account", f"with an invitation to cohort {tuesday.id}"),
        ("Ana Lopez", "join cohort", f"cohort {tuesday.id}, with an invitation"),
        ("Ana Lopez", "sign in", "password, from unknown"),
    ]
    again = store.invitations.import_roster(ines, tuesday.id, b"name,email\nAna Lopez,ana@example.org\n")
    assert [line.outcome for line in again.lines] == ["Not invited: ana@example.org is already a member of this cohort."]


def test_the_new_person_may_change_the_name_and_the_password_policy_applies(store, cohort):
    ines, tuesday = cohort
    token = token_of(
        store.invitations.import_roster(ines, tuesday.id, b"name,email\nAnabel Lopez,ana@example.org\n"), "ana@example.org"
    )
    accounts_before = count(store, users)
    with pytest.raises(WeakPassword) as policy:
        check_password("password1", name="Anabel Lopez", email="ana@example.org")
    with refused(WeakPassword, str(policy.value)):
        store.invitations.accept_new(token, "password1")
    with refused(AccountError, "The name is 81 characters long; please keep it to 80."):
        store.invitations.accept_new(token, NEW_PASSWORD, "B" * 81)
    assert count(store, users) == accounts_before  # nothing made, the link still works
    assert store.invitations.accept_new(token, NEW_PASSWORD, "  Ana ").user.name == "Ana"


def test_an_address_with_an_account_joins_that_account_and_never_makes_a_second(store, cohort):
    ines, tuesday = cohort
    ana = make_user(store, "Ana")
    report = store.invitations.import_roster(ines, tuesday.id, b"name,email\nAna Lopez,Ana@example.org\n")
    assert [line.outcome for line in report.lines] == ["Invited."]  # the report does not say who has an account
    token = token_of(report, "ana@example.org")
    seen = store.invitations.check(token)
    assert (seen.has_account, seen.has_password) == (True, True)
    accounts_before = count(store, users)
    has_account = (
        "PeerSim already has an account with the email address ana@example.org. Please sign in with it to join Tuesday evenings."
    )
    with refused(CohortError, has_account):
        store.invitations.accept_new(token, NEW_PASSWORD)
    tia = store.accounts.sign_in("tia@example.org", PASSWORD)
    with refused(
        CohortError,
        "This invitation is for ana@example.org, and you are signed in as tia@example.org. Please sign in as "
        "ana@example.org to join Tuesday evenings, or ask your instructor to invite tia@example.org instead.",
    ):
        store.invitations.accept(tia, token)
    assert store.invitations.accept(ana, token).members == 2
    assert count(store, users) == accounts_before
    assert members(store, tuesday.id) == ["ana@example.org", "tia@example.org"]
    assert store.accounts.sign_in("ana@example.org", PASSWORD).name == "Ana"  # her own name and password stay
    with refused(CohortError, rules.USED):
        store.invitations.accept(ana, token)


def test_someone_who_signs_up_meanwhile_is_sent_to_sign_in(store, cohort):
    ines, tuesday = cohort
    token = token_of(store.invitations.import_roster(ines, tuesday.id, b"name,email\nAna,ana@example.org\n"), "ana@example.org")
    ana = store.accounts.register("Ana", "ana@example.org", PASSWORD)  # she signed up with the join code instead
    with refused(
        CohortError,
        "PeerSim already has an account with the email address ana@example.org. Please sign in with it to join Tuesday evenings.",
    ):
        store.invitations.accept_new(token, NEW_PASSWORD)
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).where(users.c.email == "ana@example.org")).scalar_one() == 1
    assert store.invitations.accept(ana, token).id == tuesday.id


def test_a_member_already_uses_up_the_link_and_stays_a_member(store, cohort):
    ines, tuesday = cohort
    ana = make_user(store, "Ana")
    token = token_of(store.invitations.import_roster(ines, tuesday.id, b"name,email\nAna,ana@example.org\n"), "ana@example.org")
    store.cohorts.join(ana, tuesday.join_code)
    assert store.invitations.accept(ana, token).members == 2
    assert sum(1 for _, did, _ in actions(store) if did == "join cohort") == 2  # Tia's and Ana's code: no third


def test_links_that_do_not_work_each_say_why(store, cohort, at_time):
    ines, tuesday = cohort
    report = store.invitations.import_roster(
        ines, tuesday.id, b"name,email\nAna,ana@example.org\nBo,bo@example.org\nCy,cy@example.org\n"
    )
    ana, bo, cy = (token_of(report, f"{n}@example.org") for n in ("ana", "bo", "cy"))
    store.invitations.accept_new(ana, NEW_PASSWORD)
    pending = {p.email: p for p in store.invitations.waiting(ines, tuesday.id).pending}
    withdrawn = store.invitations.revoke(ines, pending["bo@example.org"].id)
    assert (withdrawn.name, withdrawn.email) == ("Bo", "bo@example.org")
    store.invitations.revoke(ines, pending["bo@example.org"].id)  # again: nothing more
    at_time(timedelta(days=14))
    for token, message in (
        (ana, rules.USED),
        (bo, rules.REVOKED),
        (cy, rules.EXPIRED),
        ("made-up", rules.UNKNOWN),
        ("", rules.UNKNOWN),
    ):
        with refused(CohortError, message):
            store.invitations.check(token)
        with refused(CohortError, message):
            store.invitations.accept_new(token, NEW_PASSWORD)
    assert (
        rules.EXPIRED
        == "This invitation link has expired: invitations work for 14 days. Please ask your instructor for a new link."
    )
    assert [did for _, did, _ in actions(store)].count("revoke invitation") == 1
    assert ("Ines", "revoke invitation", f"cohort {tuesday.id}: bo@example.org") in actions(store)


def test_an_accepted_invitation_cannot_be_withdrawn(store, cohort):
    ines, tuesday = cohort
    token = token_of(store.invitations.import_roster(ines, tuesday.id, b"name,email\nAna,ana@example.org\n"), "ana@example.org")
    (pending,) = store.invitations.waiting(ines, tuesday.id).pending
    store.invitations.accept_new(token, NEW_PASSWORD)
    with refused(
        CohortError,
        "Ana accepted this invitation already, so it cannot be withdrawn. To take them out of the cohort, remove "
        "them from its members.",
    ):
        store.invitations.revoke(ines, pending.id)
    with refused(CohortError, "That invitation no longer exists. Its cohort may have been deleted."):
        store.invitations.revoke(ines, 9999)


def test_expired_and_withdrawn_invitations_are_renewed_by_importing_again(store, cohort, at_time):
    ines, tuesday = cohort
    data = b"name,email\nAna,ana@example.org\nBo,bo@example.org\n"
    first = store.invitations.import_roster(ines, tuesday.id, data)
    store.invitations.revoke(ines, store.invitations.waiting(ines, tuesday.id).pending[1].id)  # Bo's
    at_time(timedelta(days=3))
    renewed_bo = store.invitations.import_roster(ines, tuesday.id, data)
    assert [line.outcome for line in renewed_bo.lines] == [
        "Not invited again: ana@example.org already has an invitation to this cohort waiting.",
        "Invited.",
    ]
    at_time(timedelta(days=12))  # Ana's first link ran out; Bo's new one has a day left
    waiting = store.invitations.waiting(ines, tuesday.id)
    assert ([p.email for p in waiting.pending], waiting.expired) == (["bo@example.org"], 1)
    renewed_ana = store.invitations.import_roster(ines, tuesday.id, data)
    assert [line.outcome for line in renewed_ana.lines] == [
        "Invited.",
        "Not invited again: bo@example.org already has an invitation to this cohort waiting.",
    ]
    assert store.invitations.waiting(ines, tuesday.id).expired == 0
    with refused(CohortError, rules.EXPIRED):
        store.invitations.check(token_of(first, "ana@example.org"))
    assert store.invitations.accept_new(token_of(renewed_ana, "ana@example.org"), NEW_PASSWORD).user.name == "Ana"


def test_someone_removed_from_the_cohort_can_be_invited_back(store, cohort):
    ines, tuesday = cohort
    tia = store.accounts.sign_in("tia@example.org", PASSWORD)
    store.cohorts.remove_member(ines, tuesday.id, tia.id)
    report = store.invitations.import_roster(ines, tuesday.id, b"name,email\nTia,tia@example.org\n")
    assert store.invitations.accept(tia, token_of(report, "tia@example.org")).members == 1


def test_the_migration_goes_up_and_back_down(tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from records import db

    engine = db.create(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection, db.alembic_on(connection) as config:
        command.upgrade(config, "0013")
        assert "invitations" in inspect(connection).get_table_names()
        assert [i["name"] for i in inspect(connection).get_indexes("invitations")] == ["ix_invitations_cohort_id_email"]
        command.downgrade(config, "0012")
        assert "invitations" not in inspect(connection).get_table_names()
        assert "cohorts" in inspect(connection).get_table_names()
    engine.dispose()


# ------------------------------------------------------------------------------ the /auth/invite page
@pytest.fixture
def client(isolated_data):  # type: ignore[no-untyped-def]
    signin.services.store.clear()
    with TestClient(Starlette(routes=signin.ROUTES), base_url="https://peersim.test", follow_redirects=False) as http:
        yield http
    signin._store().close()
    signin.services.store.clear()


def paragraphs(page: str, css: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(rf'<p class="{css}"[^>]*>(.*?)</p>', page, re.S)]


def invite(store: Store, ines: User, cohort_id: int, row: str) -> str:
    report = store.invitations.import_roster(ines, cohort_id, f"name,email\n{row}\n".encode())
    (line,) = report.invited
    assert line.token is not None
    return line.token


def post(http: TestClient, token: str, **fields: str):  # type: ignore[no-untyped-def]
    return http.post(
        signin.INVITE_PATH, data={"csrf": csrf(http, f"{signin.INVITE_PATH}?token={token}"), "token": token, **fields}
    )


def test_a_new_person_opens_the_link_chooses_a_password_and_is_signed_in_in_the_cohort(client, store, cohort):
    ines, tuesday = cohort
    token = invite(store, ines, tuesday.id, "Ana Lopez,ana@example.org")
    assert signin.invite_link("https://peersim.test/", token) == f"https://peersim.test/auth/invite?token={token}"
    page = client.get(f"{signin.INVITE_PATH}?token={token}")
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert paragraphs(page.text, "lead") == [
        "Ines invited you to join Tuesday evenings on PeerSim, to practice the conversations of peer support."
    ]
    assert "<p><strong>Email:</strong> ana@example.org</p>" in page.text
    assert 'name="name" type="text" value="Ana Lopez"' in page.text
    assert 'autocomplete="new-password"' in page.text
    weak = post(client, token, action="create", name="Ana Lopez", password="password1")
    with pytest.raises(WeakPassword) as policy:
        check_password("password1", name="Ana Lopez", email="ana@example.org")
    assert (weak.status_code, paragraphs(weak.text, "error")) == (200, [str(policy.value)])
    assert members(store, tuesday.id) == ["tia@example.org"]

    done = post(client, token, action="create", name="Ana Lopez", password=NEW_PASSWORD)
    assert (done.status_code, done.headers["location"]) == (303, "/")
    session = done.cookies.get(signin.SESSION_COOKIE)
    ana = store.accounts.user_for_session(session)
    assert ana is not None and (ana.name, ana.email) == ("Ana Lopez", "ana@example.org")
    assert members(store, tuesday.id) == ["ana@example.org", "tia@example.org"]
    used = client.get(f"{signin.INVITE_PATH}?token={token}")
    assert (used.status_code, paragraphs(used.text, "error")) == (400, [rules.USED])
    assert '<a href="/auth/signin">Sign in</a>' in used.text


def test_an_existing_account_signs_in_on_the_link_and_joins_with_no_new_account(client, store, cohort):
    ines, tuesday = cohort
    ana = make_user(store, "Ana")
    token = invite(store, ines, tuesday.id, "Ana Lopez,ana@example.org")
    accounts_before = count(store, users)
    page = client.get(f"{signin.INVITE_PATH}?token={token}")
    assert (
        "You already have a PeerSim account with ana@example.org. Sign in with your password to join Tuesday evenings."
        in html.unescape(page.text)
    )
    assert 'autocomplete="current-password"' in page.text and 'name="name"' not in page.text
    wrong = post(client, token, action="signin", password="not my password at all")
    assert paragraphs(wrong.text, "error") == ["That email and password do not match an account. Please try again."]
    sneaky = post(client, token, action="create", password=NEW_PASSWORD)  # a crafted post cannot make a second account
    assert paragraphs(sneaky.text, "error") == [
        "PeerSim already has an account with the email address ana@example.org. Please sign in with it to join Tuesday evenings."
    ]
    done = post(client, token, action="signin", password=PASSWORD)
    assert (done.status_code, done.headers["location"]) == (303, "/")
    assert store.accounts.user_for_session(done.cookies.get(signin.SESSION_COOKIE)) == ana
    assert count(store, users) == accounts_before
    assert members(store, tuesday.id) == ["ana@example.org", "tia@example.org"]


def test_someone_signed_in_as_the_invited_account_joins_with_one_click(client, store, cohort):
    ines, tuesday = cohort
    ana = make_user(store, "Ana")
    token = invite(store, ines, tuesday.id, "Ana,ana@example.org")
    client.cookies.set(signin.SESSION_COOKIE, store.accounts.start_session(ana))
    page = client.get(f"{signin.INVITE_PATH}?token={token}")
    assert paragraphs(page.text, "note") == ["You are signed in as ana@example.org."]
    assert '<button type="submit">Join Tuesday evenings</button>' in page.text
    done = post(client, token, action="join")
    assert (done.status_code, done.headers["location"]) == (303, "/")
    assert members(store, tuesday.id) == ["ana@example.org", "tia@example.org"]


def test_someone_signed_in_as_another_account_is_told_and_cannot_join_for_it(client, store, cohort):
    ines, tuesday = cohort
    make_user(store, "Ana")
    tia = store.accounts.sign_in("tia@example.org", PASSWORD)
    token = invite(store, ines, tuesday.id, "Ana,ana@example.org")
    client.cookies.set(signin.SESSION_COOKIE, store.accounts.start_session(tia))
    page = client.get(f"{signin.INVITE_PATH}?token={token}")
    assert paragraphs(page.text, "note") == [
        "You are signed in as tia@example.org, and this invitation is for ana@example.org: signing in below switches to that account."
    ]
    refused_join = post(client, token, action="join")
    assert paragraphs(refused_join.text, "error") == [
        "This invitation is for ana@example.org, and you are signed in as tia@example.org. Please sign in as "
        "ana@example.org to join Tuesday evenings, or ask your instructor to invite tia@example.org instead."
    ]
    assert members(store, tuesday.id) == ["tia@example.org"]
    assert store.invitations.check(token).email == "ana@example.org"  # not used up


def test_an_account_without_a_password_is_told_how_to_join(client, store, cohort):
    from tests.helpers import sso_account

    ines, tuesday = cohort
    sso_account(store, "Kim", "kim@example.org")
    token = invite(store, ines, tuesday.id, "Kim,kim@example.org")
    page = client.get(f"{signin.INVITE_PATH}?token={token}")
    assert paragraphs(page.text, "note") == [signin.INVITE_NO_WAY_IN.format(email="kim@example.org", cohort="Tuesday evenings")]
    assert 'name="password"' not in page.text


def test_signing_out_in_another_tab_before_joining_asks_to_sign_in(client, store, cohort):
    ines, tuesday = cohort
    make_user(store, "Ana")
    token = invite(store, ines, tuesday.id, "Ana,ana@example.org")
    page = post(client, token, action="join")
    assert paragraphs(page.text, "error") == ["Your sign-in has ended. Please sign in again to join Tuesday evenings."]
    assert 'autocomplete="current-password"' in page.text


@pytest.mark.parametrize("case", ["unknown", "empty", "none", "expired", "revoked", "used"])
def test_links_that_do_not_work_show_why_and_no_form(client, store, cohort, at_time, case):
    ines, tuesday = cohort
    token = invite(store, ines, tuesday.id, "Ana,ana@example.org")
    query, message = f"?token={token}", rules.UNKNOWN
    if case == "unknown":
        query = "?token=made-up"
    elif case == "empty":
        query = "?token="
    elif case == "none":
        query = ""
    elif case == "expired":
        at_time(timedelta(days=14, seconds=1))
        message = rules.EXPIRED
    elif case == "revoked":
        store.invitations.revoke(ines, store.invitations.waiting(ines, tuesday.id).pending[0].id)
        message = rules.REVOKED
    else:
        store.invitations.accept_new(token, NEW_PASSWORD)
        message = rules.USED
    page = client.get(f"{signin.INVITE_PATH}{query}")
    assert (page.status_code, paragraphs(page.text, "error")) == (400, [message])
    assert 'name="password"' not in page.text
    sent = client.post(
        signin.INVITE_PATH,
        data={
            "csrf": csrf(client, "/auth/signin"),
            "token": query.removeprefix("?token="),
            "action": "create",
            "password": NEW_PASSWORD,
        },
    )
    assert (sent.status_code, paragraphs(sent.text, "error")) == (400, [message])
    assert members(store, tuesday.id) == (["ana@example.org", "tia@example.org"] if case == "used" else ["tia@example.org"])


def test_a_post_without_the_form_token_changes_nothing(client, store, cohort):
    ines, tuesday = cohort
    token = invite(store, ines, tuesday.id, "Ana,ana@example.org")
    page = client.post(signin.INVITE_PATH, data={"token": token, "action": "create", "password": NEW_PASSWORD})
    assert page.status_code == 400
    assert paragraphs(page.text, "error") == [
        "This form had expired or came from another site. Please go back and send it again."
    ]
    assert store.invitations.check(token).email == "ana@example.org"
    with pytest.raises(SignInRefused):
        store.accounts.sign_in("ana@example.org", NEW_PASSWORD)


def test_the_sign_in_gate_lets_invitation_links_through(client, store, cohort):
    """serve.py's SignInGate sends signed-out browsers to sign in, except on /auth paths: the link must open."""
    from starlette.middleware import Middleware

    import serve

    ines, tuesday = cohort
    token = invite(store, ines, tuesday.id, "Ana,ana@example.org")
    gated = Starlette(routes=signin.ROUTES, middleware=[Middleware(serve.SignInGate)])
    with TestClient(gated, base_url="https://peersim.test", follow_redirects=False) as http:
        page = http.get(f"{signin.INVITE_PATH}?token={token}", headers={"accept": "text/html"})
        assert page.status_code == 200, page.headers.get("location")
        assert http.get("/cohorts", headers={"accept": "text/html"}).headers["location"] == "/auth/signin"


def test_fixture_files_are_what_the_tests_say():
    assert (ROSTER / "excel-semicolons.csv").read_bytes().startswith(b"\xef\xbb\xbfFull name;E-mail")
    assert b"\r\n" in (ROSTER / "excel-semicolons.csv").read_bytes()
    assert (ROSTER / "unicode-text.txt").read_bytes().startswith(b"\xff\xfe")
