"""Admin: accounts and roles, containing and recovering an account (switch off, sign out everywhere, a one-time
password-reset link, delete), every cohort, and the audit log, paged and filtered.

The records package checks the admin role and the rules (no switching off or deleting yourself, never the last
admin) whatever asks; this page offers only what makes sense and asks before anything destructive."""

from __future__ import annotations

import os
from datetime import date
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from records import ROLES, Account, AccountError, User, WeakPassword
from records.audit import PAGE_SIZE, AuditFilter
from records.recovery import RESET_HOURS
from ui import identity, lti_admin, services, xapi_status
from ui.render import esc, esc_frame
from ui.signin import reset_link

user = identity.require_user("admin")  # the page re-checks the role itself
store = services.store()

FLASH = "admin.flash"
CONFIRM = "admin.confirm"
RESET = "admin.reset_link"
AUDIT_OFFSET = "admin.audit_offset"
NEW_ACCOUNT_KEYS = ("new_name", "new_email", "new_password")
ALL_ACTIONS = "All actions"

CONFIRMATIONS = {
    "deactivate": (
        "Switch off {name}'s account? They are signed out everywhere now and cannot sign in until an admin switches "
        "the account back on. Their records stay.",
        "Yes, switch it off",
    ),
    "revoke": (
        "Sign {name} out everywhere? Every device signed in to this account is signed out now. They can sign in again "
        "with their password.",
        "Yes, sign them out",
    ),
    "delete": (
        "Delete {name}'s account and all their practice records for good? This cannot be undone. The audit log keeps "
        "its entries about them.",
        "Yes, delete the account",
    ),
}


def _say(message: str, kind: str = "success") -> None:
    """A message for the next run (``message`` is Markdown: escape what people typed in it)."""
    st.session_state[FLASH] = (kind, message)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _base_url() -> str:
    """Where people open PeerSim: PEERSIM_PUBLIC_URL, else the address this admin's browser used."""
    configured = os.environ.get("PEERSIM_PUBLIC_URL", "").strip()
    if configured:
        return configured
    parts = urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# ------------------------------------------------------------------------------------------- actions
def _act(action: str, account: Account) -> None:
    """Do an admin action on ``account`` (after its confirmation, for the destructive ones)."""
    st.session_state.pop(CONFIRM, None)
    name = esc(account.user.name)
    try:
        if action == "deactivate":
            ended = store.accounts.deactivate(user, account.user.id)
            _say(f"{name}'s account is switched off; {_plural(ended, 'session')} signed out.")
        elif action == "reactivate":
            store.accounts.reactivate(user, account.user.id)
            _say(f"{name}'s account is switched on again. They can sign in.")
        elif action == "revoke":
            ended = store.accounts.revoke_sessions(user, account.user.id)
            _say(f"{name} is signed out everywhere ({_plural(ended, 'session')} ended).")
        elif action == "delete":
            store.accounts.delete(user, account.user.id)
            _say(f"{name}'s account and records have been deleted.")
        elif action == "reset":
            link = store.recovery.issue(user, account.user.id)
            st.session_state[RESET] = (account.user.name, reset_link(_base_url(), link.token), link.expires_at)
    except AccountError as exc:
        _say(esc(str(exc)), "error")


def _ask(action: str, user_id: int) -> None:
    st.session_state[CONFIRM] = (action, user_id)


def _cancel() -> None:
    st.session_state.pop(CONFIRM, None)


def _change_role(chosen: Account) -> None:
    role = st.session_state.get(f"role_value_{chosen.user.id}")
    if role is None:
        return
    try:
        store.accounts.set_role(user, chosen.user.id, role)
    except AccountError as exc:
        _say(esc(str(exc)), "error")
    else:
        _say(f"{esc(chosen.user.name)} is now {role}.")


# ------------------------------------------------------------------------------------------ sections
def add_account() -> None:
    st.subheader("Add an account")
    with st.form("add_account", clear_on_submit=False):  # a problem keeps what was typed; success clears it
        cols = st.columns(2)
        name = cols[0].text_input("Name", max_chars=80, key="new_name")
        email = cols[1].text_input("Email", max_chars=254, key="new_email")
        cols = st.columns(2)
        password = cols[0].text_input(
            "Starting password", type="password", key="new_password", help="Share it privately; they can change it."
        )
        role = cols[1].selectbox("Role", ROLES, index=1, key="new_role")
        if st.form_submit_button("Add account"):
            try:
                created = store.accounts.create_user(user, name, email, password, role)
            except (AccountError, WeakPassword) as exc:
                st.error(esc(str(exc)))
            else:
                for key in NEW_ACCOUNT_KEYS:
                    st.session_state.pop(key, None)
                _say(f"Added {esc(created.name)} as {created.role}.")
                st.rerun()


def account_table(accounts: list[Account]) -> None:
    st.subheader("Accounts")
    st.dataframe(  # plain-text cells (a canvas): nothing here is read as Markdown
        [
            {
                "name": a.user.name,
                "email": a.user.email or "",
                "role": a.user.role,
                "sign-in": " and ".join(
                    way for way, has in (("password", a.has_password), ("single sign-on", a.single_sign_on)) if has
                )
                or "none yet",
                "status": "switched off" if a.disabled else "active",
                "since": f"{a.created_at:%d %b %Y}",
            }
            for a in accounts
        ],
        hide_index=True,
        key="accounts_table",
    )


def _label(account: Account) -> str:
    """A plain-text option label (select boxes show text as typed)."""
    status = " · switched off" if account.disabled else ""
    return f"{account.user.name} ({account.user.email or 'single sign-on'}) · {account.user.role}{status}"


def manage(accounts: list[Account]) -> None:
    others = {a.user.id: a for a in accounts if a.user.id != user.id}
    st.subheader("Manage an account")
    if not others:
        st.caption("There are no other accounts yet.")
        return
    st.caption(
        "Change a role, switch an account off (a lost phone, a shared computer, someone who has left), sign it out "
        "everywhere, make a one-time link to reset its password, or delete it. Each is noted in the audit log. "
        "Your own account is not listed here: change your password on Account and privacy."
    )
    chosen_id = st.selectbox("Account", list(others), format_func=lambda i: _label(others[i]), key="manage_user")
    account = others[chosen_id]
    who = esc(account.user.name)

    with st.form("change_role"):
        cols = st.columns([3, 1])
        cols[0].selectbox(
            "New role",
            ROLES,
            index=ROLES.index(account.user.role),
            key=f"role_value_{chosen_id}",
            help="What this account may see.",
        )
        cols[1].form_submit_button("Change role", on_click=_change_role, args=(account,))

    pending = st.session_state.get(CONFIRM)
    if pending is not None and pending[1] == chosen_id:
        action = pending[0]
        question, yes = CONFIRMATIONS[action]
        st.warning(question.format(name=who), icon=":material/warning:")
        cols = st.columns(2)
        cols[0].button(yes, type="primary", key="confirm_yes", on_click=_act, args=(action, account))
        cols[1].button("Cancel", key="confirm_no", on_click=_cancel)
        return

    cols = st.columns(4)
    if account.disabled:
        cols[0].button("Switch back on", key="manage_reactivate", on_click=_act, args=("reactivate", account))
    else:
        cols[0].button("Switch off…", key="manage_deactivate", on_click=_ask, args=("deactivate", chosen_id))
    cols[1].button("Sign out everywhere…", key="manage_revoke", on_click=_ask, args=("revoke", chosen_id))
    cols[2].button(
        "Make a reset link",
        key="manage_reset",
        on_click=_act,
        args=("reset", account),
        disabled=not account.user.email,
        help=f"A one-time link to choose a new password, for {RESET_HOURS} hours."
        if account.user.email
        else "This account signs in only with single sign-on.",
    )
    cols[3].button("Delete…", key="manage_delete", on_click=_ask, args=("delete", chosen_id))


def shown_reset_link() -> None:
    """The link just made, shown this once: it is never stored, only its hash."""
    made = st.session_state.pop(RESET, None)
    if made is None:
        return
    name, link, expires = made
    st.success(f"A one-time password-reset link for {esc(name)}:", icon=":material/key:")
    st.code(link, language=None, wrap_lines=True)
    st.caption(
        f"Pass it on to {esc(name)} privately (in person, by phone or in a direct message), not in a group chat. It "
        f"works once, until {expires:%d %b %Y %H:%M} UTC, and is shown only this once. Choosing a new password with it "
        "signs their account out everywhere."
    )


def cohorts() -> None:
    st.subheader("Cohorts")
    found = store.cohorts.mine(user)
    if found:
        st.dataframe(
            [
                {"cohort": c.name, "instructor": c.owner_name, "trainees": c.members, "code": c.join_code, "archived": c.archived}
                for c in found
            ],
            hide_index=True,
            key="cohorts_table",
        )
    else:
        st.caption("No cohorts yet. Instructors create them on the Cohorts page.")


def _to_first_page() -> None:
    st.session_state[AUDIT_OFFSET] = 0


def _move(by: int) -> None:
    st.session_state[AUDIT_OFFSET] = max(0, st.session_state.get(AUDIT_OFFSET, 0) + by)


def audit_log() -> None:
    st.subheader("Audit log")
    st.caption(
        "Sign-ins and failed sign-ins, password changes and resets, every change admins make, and every time "
        "someone opens or exports another person's records. Entries cannot be changed or deleted."
    )
    with st.form("audit_filter"):
        cols = st.columns(4)
        action = cols[0].selectbox("Action", [ALL_ACTIONS, *store.audit.actions(user)], key="audit_action")
        person = cols[1].text_input(
            "Person", max_chars=80, key="audit_person", help="Part of the name of who acted or whose records it was."
        )
        since: date | None = cols[2].date_input("From (UTC)", value=None, key="audit_since", format="YYYY-MM-DD")
        until: date | None = cols[3].date_input("To (UTC)", value=None, key="audit_until", format="YYYY-MM-DD")
        st.form_submit_button("Show entries", on_click=_to_first_page)
    if since is not None and until is not None and since > until:
        st.error("The From date is after the To date. Please choose a From date on or before the To date.")
        return
    filters = AuditFilter(action=None if action == ALL_ACTIONS else action, name=person or None, since=since, until=until)
    page = store.audit.page(user, filters, offset=st.session_state.get(AUDIT_OFFSET, 0), limit=PAGE_SIZE)
    st.session_state[AUDIT_OFFSET] = page.offset
    if not page.entries:
        filtered = filters != AuditFilter()
        st.caption("No entries match. Try fewer filters." if filtered else "Nothing recorded yet.")
        return
    st.caption(f"Entries {page.first:,}–{page.last:,} of {page.total:,}, newest first. Times are in UTC.")
    table = pd.DataFrame(
        [
            {
                "when (UTC)": f"{e.at:%Y-%m-%d %H:%M}",
                "who": e.actor_name,
                "did": e.action,
                "whose": e.subject,
                "detail": e.detail,
            }
            for e in page.entries
        ]
    )
    st.table(esc_frame(table), hide_index=True)
    cols = st.columns(2)
    cols[0].button("Previous", key="audit_previous", on_click=_move, args=(-PAGE_SIZE,), disabled=page.offset == 0)
    cols[1].button("Next", key="audit_next", on_click=_move, args=(PAGE_SIZE,), disabled=page.last >= page.total)


# ---------------------------------------------------------------------------------------------- page
def show(current: User) -> None:
    st.title("Admin")
    flash = st.session_state.pop(FLASH, None)
    if flash:
        kind, message = flash
        (st.error if kind == "error" else st.success)(message)
    shown_reset_link()
    add_account()
    accounts = store.accounts.list(current)
    account_table(accounts)
    manage(accounts)
    cohorts()
    xapi_status.render(store, current)
    lti_admin.show(current)
    audit_log()


show(user)
