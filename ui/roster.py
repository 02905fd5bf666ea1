"""The Cohorts page's "Invite trainees from a list": upload a CSV file of names and email addresses, see what
happened to each line, download the one-time links to pass on, email them when the program sends mail, and
withdraw invitations still waiting.

records.invitations does the work and checks who may (the cohort's instructor or an admin); this is the glue.
The links are shown only in this browser session, right after the import: the database keeps only their hashes.
A lost link is replaced by withdrawing the invitation and importing its line again.

Names and addresses people typed are escaped wherever Streamlit reads Markdown; st.dataframe cells and select-box
options are plain text, so there they are passed as typed (as on the Cohorts page).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

import streamlit as st

from records import AccessDenied, Cohort, CohortError, User
from records.csv_safety import write_csv
from records.invitations import INVITE_DAYS, ImportReport
from records.roster import MAX_ROWS
from ui import mail, services
from ui.assignments import when
from ui.render import esc
from ui.signin import invite_link

REPORT = "peersim.roster_report"
"""The last import's report in this browser session (a Shown), with its one-time links."""
MESSAGE = "peersim.roster_message"
"""A message from a button's callback, shown once in the section: (kind, Markdown, already escaped)."""
UPLOAD = "roster_upload"
FORM = "roster_form"
SUBMIT = "Invite them"
HOW = (
    "Upload a CSV file whose first line names the columns **name** and **email** (a spreadsheet saved as CSV "
    f"works; other columns are ignored), with one trainee a line, at most {MAX_ROWS}. Each trainee gets a one-time "
    f"link to join this cohort, which works for {INVITE_DAYS} days. Someone who already has a PeerSim account signs "
    "in with it to join: no one gets a second account. Importing the same list again invites no one twice."
)
LINKS_ONCE = (
    "Pass each link on to its trainee only (each works once, for its own email address). The links are shown only "
    "now: PeerSim keeps no copy. If one is lost, withdraw that invitation below and import its line again."
)


@dataclass
class Shown:
    """An import's report as this section shows it, and which of its invitations were emailed."""

    report: ImportReport
    base_url: str
    emailed: set[int] = field(default_factory=set)


def base_url() -> str:
    """Where people open PeerSim: PEERSIM_PUBLIC_URL, else the address this instructor's browser used."""
    configured = os.environ.get("PEERSIM_PUBLIC_URL", "").strip()
    if configured:
        return configured
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def links_csv(report: ImportReport, base: str) -> str:
    """name,email,link of every new invitation, as a spreadsheet opens it safely (records.csv_safety)."""
    return write_csv(
        ["name", "email", "link"],
        [[line.name, line.email, invite_link(base, line.token)] for line in report.invited if line.token],
    )


def _plural(count: int, word: str, words: str | None = None) -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"


def summary(report: ImportReport) -> str:
    """One sentence on an import (Markdown, escaped)."""
    invited, skipped = len(report.invited), len(report.not_invited)
    said = f"Invited {_plural(invited, 'trainee')} to {esc(report.cohort.name)}."
    if skipped:
        said += f" {_plural(skipped, 'line was', 'lines were')} not invited: the table says why, by line."
    return said


def invitation_message(config: mail.Settings, to: str, name: str, cohort: str, inviter: str, link: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config.sender
    message["To"] = to
    message["Subject"] = f"You are invited to join {cohort} on PeerSim"
    _, address = parseaddr(config.sender)
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    message.set_content(
        f"Hello {name},\n\n"
        f"{inviter} invited you to join {cohort} on PeerSim, to practice the conversations of peer support. "
        f"To join, open this link within {INVITE_DAYS} days:\n\n"
        f"{link}\n\n"
        "If you are new to PeerSim, you choose a password there. If you already have an account with this email "
        "address, you sign in with it.\n\n"
        "The link works once, and only for you: please do not pass it on.\n\n"
        "PeerSim\n"
    )
    return message


# ------------------------------------------------------------------------------------------ callbacks
def _say(kind: str, markdown: str) -> None:
    st.session_state[MESSAGE] = (kind, markdown)


def _email_links(user: User) -> None:
    shown: Shown | None = st.session_state.get(REPORT)
    config = mail.settings()
    if shown is None or config is None:
        return
    sent = failed = 0
    for line in shown.report.invited:
        if line.line in shown.emailed or line.token is None:
            continue
        link = invite_link(config.public_url, line.token)  # an email's link: the configured address, never a guess
        message = invitation_message(config, line.email, line.name, shown.report.cohort.name, user.name, link)
        if mail.send(config, message):
            shown.emailed.add(line.line)
            sent += 1
        else:
            failed += 1
    if failed:
        _say(
            "error",
            f"Emailed {_plural(sent, 'invitation')}; {_plural(failed, 'email')} could not be sent. The email server "
            "did not take them: please pass those links on yourself, or try again later.",
        )
    else:
        _say("success", f"Emailed {_plural(sent, 'invitation')}, each to its trainee.")


def _forget_report() -> None:
    st.session_state.pop(REPORT, None)


def _revoke(user: User) -> None:
    picked = st.session_state.get("roster_revoke_pick")
    if picked is None:
        _say("info", "Please choose the invitation to withdraw.")
        return
    try:
        withdrawn = services.store().invitations.revoke(user, int(picked))
    except (CohortError, AccessDenied) as exc:
        _say("error", esc(str(exc)))
        return
    st.session_state.pop("roster_revoke_pick", None)
    _say("success", f"Withdrew the invitation of {esc(withdrawn.name)} ({esc(withdrawn.email)}): its link no longer works.")


# ------------------------------------------------------------------------------------------ the section
def _import(user: User, cohort: Cohort) -> None:
    upload = st.session_state.get(UPLOAD)
    if upload is None:
        st.warning("Please choose a CSV file first.")
        return
    try:
        report = services.store().invitations.import_roster(user, cohort.id, upload.getvalue())
    except (CohortError, AccessDenied) as exc:
        st.error(f"{esc(upload.name)}: nothing was imported. {esc(str(exc))}", icon=":material/error:")
        return
    st.session_state[REPORT] = Shown(report, base_url())


def _show_report(user: User, shown: Shown) -> None:
    report = shown.report
    (st.success if report.invited else st.info)(summary(report))
    st.dataframe(  # cells are plain text
        [{"line": line.line, "name": line.name, "email": line.email, "outcome": line.outcome} for line in report.lines],
        hide_index=True,
        key="roster_results",
    )
    if report.invited:
        st.download_button(
            "Download the links (CSV: name, email, link)",
            links_csv(report, shown.base_url),
            file_name=f"peersim-invitations-cohort-{report.cohort.id}.csv",
            mime="text/csv",
            key="roster_links",
            on_click="ignore",
            icon=":material/download:",
        )
        st.caption(f"{LINKS_ONCE} The links work until {esc(when(report.expires_at))}.")
        waiting = [line for line in report.invited if line.line not in shown.emailed]
        if mail.configured() and waiting:
            st.button(
                "Email the trainee their link" if len(waiting) == 1 else f"Email each of the {len(waiting)} trainees their link",
                key="roster_email",
                on_click=_email_links,
                args=(user,),
            )
    st.button("Done: hide this report", key="roster_forget", on_click=_forget_report)


def _show_waiting(user: User, cohort: Cohort) -> None:
    waiting = services.store().invitations.waiting(user, cohort.id)
    st.markdown("**Invitations waiting to be accepted**")
    if not waiting.pending:
        st.caption("None at the moment.")
    else:
        st.dataframe(  # cells are plain text
            [
                {"name": p.name, "email": p.email, "invited by": p.invited_by, "works until": when(p.expires_at)}
                for p in waiting.pending
            ],
            hide_index=True,
            key="roster_waiting",
        )
        who = {p.id: f"{p.name} ({p.email})" for p in waiting.pending}  # select-box options are plain text
        cols = st.columns([3, 2], vertical_alignment="bottom")
        cols[0].selectbox(
            "Invitation to withdraw",
            list(who),
            format_func=who.__getitem__,
            index=None,
            key="roster_revoke_pick",
            placeholder="Choose",
        )
        cols[1].button("Withdraw the invitation", key="roster_revoke", on_click=_revoke, args=(user,))
    if waiting.expired:
        st.caption(
            f"{_plural(waiting.expired, 'invitation')} ran out unused. Importing "
            f"{'that line' if waiting.expired == 1 else 'those lines'} again sends a new link."
        )


def section(user: User, cohort: Cohort) -> None:
    """The whole section, for the cohort chosen on the page."""
    st.subheader("Invite trainees from a list")
    said = st.session_state.pop(MESSAGE, None)
    if said is not None:
        kind, markdown = said
        {"success": st.success, "error": st.error}.get(kind, st.info)(markdown)
    if cohort.archived:
        st.caption("This cohort is archived, so it takes no new members. Unarchive it to invite trainees.")
    else:
        st.caption(HOW)
        with st.form(FORM, clear_on_submit=True):
            st.file_uploader("A CSV file of names and email addresses", type=["csv", "txt"], key=UPLOAD)
            if st.form_submit_button(SUBMIT, icon=":material/group_add:"):
                _import(user, cohort)
    shown: Shown | None = st.session_state.get(REPORT)
    if shown is not None and shown.report.cohort.id == cohort.id:
        _show_report(user, shown)
    _show_waiting(user, cohort)
