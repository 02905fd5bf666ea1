"""AppTest: the Cohorts page's "Invite trainees from a list" (ui/roster.py). An instructor uploads a CSV file and
sees every line's outcome, downloads the one-time links (a CSV a spreadsheet cannot run as formulas), emails them
when the program sends mail, and withdraws an invitation still waiting."""

from __future__ import annotations

import csv
import io
import re

import pytest
from streamlit.testing.v1 import AppTest

from records import Store
from tests.helpers import FIXTURES, PASSWORD, app_for, make_user
from tests.shown import shown
from tests.test_account_recovery import PUBLIC_URL, body, inbox  # noqa: F401  (inbox: a local SMTP server fixture)
from tests.test_invitations import FIRST_IMPORT
from ui import roster

pytestmark = [pytest.mark.apptest, pytest.mark.usefixtures("fixture_library")]  # a fresh Store per test
WITH_PROBLEMS = (FIXTURES / "roster" / "with-problems.csv").read_bytes()
SUBMIT = f"FormSubmitter:{roster.FORM}-{roster.SUBMIT}"


@pytest.fixture
def tuesday(store: Store):  # type: ignore[no-untyped-def]
    """Ines's cohort "Tuesday evenings" with Tia Torres in it, and the page open on it as Ines."""
    ines = make_user(store, "Ines", "instructor")
    cohort = store.cohorts.create(ines, "Tuesday evenings")
    store.cohorts.join(store.accounts.register("Tia Torres", "tia@example.org", PASSWORD), cohort.join_code)
    return ines, cohort


def cohorts_page(store: Store, who) -> AppTest:  # type: ignore[no-untyped-def]
    at = app_for(store.accounts.start_session(who))
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception
    return at


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.get("file_uploader")[0].set_value([(name, data, "text/csv")])  # type: ignore[attr-defined]
    at.button(key=SUBMIT).click().run()
    assert not at.exception
    return at


def tables_with(at: AppTest, column: str) -> list:  # type: ignore[type-arg]
    """The st.dataframe grids that have this column (AppTest does not give a grid's key)."""
    return [d.value for d in at.dataframe if column in d.value.columns]


def results(at: AppTest) -> list[tuple[int, str, str, str]]:
    (frame,) = tables_with(at, "outcome")
    return [(int(r["line"]), r["name"], r["email"], r["outcome"]) for r in frame.to_dict("records")]


def waiting(at: AppTest) -> list[tuple[str, str, str]]:
    (frame,) = tables_with(at, "invited by")
    return [(r["name"], r["email"], r["invited by"]) for r in frame.to_dict("records")]


def test_an_upload_shows_each_lines_outcome_the_links_and_who_is_waiting(store, tuesday):
    ines, cohort = tuesday
    at = cohorts_page(store, ines)
    assert [shown(c.value) for c in at.caption if c.value.startswith("Upload a CSV")] == [shown(roster.HOW)]
    assert not at.get("download_button")
    assert [c.value for c in at.caption if c.value == "None at the moment."] == ["None at the moment."]

    upload(at, "with-problems.csv", WITH_PROBLEMS)
    assert [shown(s.value) for s in at.success] == [
        "Invited 3 trainees to Tuesday evenings. 6 lines were not invited: the table says why, by line."
    ]
    assert results(at) == FIRST_IMPORT
    assert [b.proto.label for b in at.get("download_button")] == ["Download the links (CSV: name, email, link)"]
    assert any(shown(c.value).startswith(roster.LINKS_ONCE + " The links work until ") for c in at.caption)
    assert waiting(at) == [
        ("Ana Lopez", "ana@example.org", "Ines"),
        ("Farid, Jr.", "farid@example.org", "Ines"),
        ("Hana Ito", "hana@example.org", "Ines"),
    ]
    at.run()  # a rerun (any other click) imports nothing again, and the report stays until the instructor hides it
    assert results(at) == FIRST_IMPORT
    assert len(store.invitations.waiting(ines, cohort.id).pending) == 3
    at.button(key="roster_forget").click().run()
    assert tables_with(at, "outcome") == []
    assert not at.get("download_button")


def test_uploading_the_same_list_again_invites_no_one_twice(store, tuesday):
    ines, _ = tuesday
    at = upload(cohorts_page(store, ines), "with-problems.csv", WITH_PROBLEMS)
    upload(at, "with-problems.csv", WITH_PROBLEMS)
    assert [shown(i.value) for i in at.info] == [
        "Invited 0 trainees to Tuesday evenings. 9 lines were not invited: the table says why, by line."
    ]
    assert [outcome for *_, outcome in results(at)] == [
        f"Not invited again: {email} already has an invitation to this cohort waiting." if outcome == "Invited." else outcome
        for _, _, email, outcome in FIRST_IMPORT
    ]
    assert not at.get("download_button")
    assert len(waiting(at)) == 3


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("name,email\nJosé,jose@example.org\n".encode("cp1252"), "NOT_UTF8"),
        (b"Ana Lopez,ana@example.org\n", "HEADER_IS_A_PERSON"),
        (b"", "EMPTY"),
    ],
)
def test_a_file_that_cannot_be_used_says_why_and_invites_no_one(store, tuesday, data, reason):
    ines, cohort = tuesday
    at = upload(cohorts_page(store, ines), "roster.csv", data)
    from records import roster as rows

    assert [shown(e.value) for e in at.error] == [f"roster.csv: nothing was imported. {getattr(rows, reason)}"]
    assert store.invitations.waiting(ines, cohort.id).pending == []


def test_inviting_without_choosing_a_file_asks_for_one(store, tuesday):
    ines, _ = tuesday
    at = cohorts_page(store, ines)
    at.button(key=SUBMIT).click().run()
    assert [w.value for w in at.warning] == ["Please choose a CSV file first."]


def test_an_instructor_withdraws_a_waiting_invitation(store, tuesday):
    ines, cohort = tuesday
    at = upload(cohorts_page(store, ines), "with-problems.csv", WITH_PROBLEMS)
    at.button(key="roster_revoke").click().run()
    assert [i.value for i in at.info] == ["Please choose the invitation to withdraw."]
    farid = next(p for p in store.invitations.waiting(ines, cohort.id).pending if p.email == "farid@example.org")
    assert at.selectbox(key="roster_revoke_pick").format_func(farid.id) == "Farid, Jr. (farid@example.org)"
    at.selectbox(key="roster_revoke_pick").set_value(farid.id)
    at.button(key="roster_revoke").click().run()
    assert not at.exception
    assert [shown(s.value) for s in at.success] == [
        "Withdrew the invitation of Farid, Jr. (farid@example.org): its link no longer works.",
        "Invited 3 trainees to Tuesday evenings. 6 lines were not invited: the table says why, by line.",  # the report stays
    ]
    assert [email for _, email, _ in waiting(at)] == ["ana@example.org", "hana@example.org"]


def test_an_archived_cohort_offers_no_upload(store, tuesday):
    ines, cohort = tuesday
    store.cohorts.archive(ines, cohort.id)
    at = cohorts_page(store, ines)
    assert "This cohort is archived, so it takes no new members. Unarchive it to invite trainees." in [
        c.value for c in at.caption
    ]
    assert not at.get("file_uploader")


def test_an_empty_cohort_shows_the_section_too(store):
    ines = make_user(store, "Ines", "instructor")
    store.cohorts.create(ines, "Next spring")
    at = cohorts_page(store, ines)
    assert "No one has joined yet." in [c.value for c in at.caption]
    upload(at, "list.csv", b"name,email\nAna,ana@example.org\n")
    assert results(at) == [(2, "Ana", "ana@example.org", "Invited.")]


def test_the_links_file_opens_safely_in_a_spreadsheet(store, tuesday):
    ines, cohort = tuesday
    data = b'name,email\n"=HYPERLINK(""https://evil.example"",""x"")",ana@example.org\n-2+3,bo@example.org\n'
    report = store.invitations.import_roster(ines, cohort.id, data)
    text = roster.links_csv(report, "https://peersim.test/")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    tokens = [line.token for line in report.invited]
    assert rows == [
        ["name", "email", "link"],
        ['\'=HYPERLINK("https://evil.example","x")', "ana@example.org", f"https://peersim.test/auth/invite?token={tokens[0]}"],
        ["'-2+3", "bo@example.org", f"https://peersim.test/auth/invite?token={tokens[1]}"],
    ]


def test_with_mail_configured_each_trainee_is_emailed_their_own_link(store, tuesday, inbox):  # noqa: F811
    ines, _ = tuesday
    at = upload(cohorts_page(store, ines), "with-problems.csv", WITH_PROBLEMS)
    at.button(key="roster_email").click().run()
    assert not at.exception
    assert [shown(s.value) for s in at.success] == [
        "Emailed 3 invitations, each to its trainee.",
        "Invited 3 trainees to Tuesday evenings. 6 lines were not invited: the table says why, by line.",
    ]
    assert [(m["To"], m["Subject"]) for m in inbox.messages] == [
        (email, "You are invited to join Tuesday evenings on PeerSim")
        for email in ("ana@example.org", "farid@example.org", "hana@example.org")
    ]
    first = body(inbox.messages[0])
    assert first.startswith(
        "Hello Ana Lopez,\n\nInes invited you to join Tuesday evenings on PeerSim, to practice the conversations of peer support."
    )
    links = [re.search(rf"^{re.escape(PUBLIC_URL)}/auth/invite\?token=(\S+)$", body(m), re.M) for m in inbox.messages]
    assert all(links)
    seen = [store.invitations.check(link.group(1)) for link in links if link]
    assert [(s.name, s.email) for s in seen] == [
        ("Ana Lopez", "ana@example.org"),
        ("Farid, Jr.", "farid@example.org"),
        ("Hana Ito", "hana@example.org"),
    ]
    assert not any(b.key == "roster_email" for b in at.button)  # each emailed once


def test_when_the_email_server_does_not_take_them_the_instructor_is_told(store, tuesday, monkeypatch):
    from tests.helpers import free_port

    ines, cohort = tuesday
    monkeypatch.setenv("PEERSIM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PEERSIM_SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("PEERSIM_SMTP_FROM", "PeerSim <peersim@example.org>")
    monkeypatch.setenv("PEERSIM_SMTP_STARTTLS", "false")
    monkeypatch.setenv("PEERSIM_PUBLIC_URL", PUBLIC_URL)
    at = upload(cohorts_page(store, ines), "list.csv", b"name,email\nAna,ana@example.org\n")
    assert at.button(key="roster_email").label == "Email the trainee their link"
    at.button(key="roster_email").click().run()
    assert [shown(e.value) for e in at.error] == [
        "Emailed 0 invitations; 1 email could not be sent. The email server did not take them: please pass those "
        "links on yourself, or try again later."
    ]
    assert at.button(key="roster_email").label == "Email the trainee their link"  # still there, to try again
    assert [p.email for p in store.invitations.waiting(ines, cohort.id).pending] == ["ana@example.org"]
