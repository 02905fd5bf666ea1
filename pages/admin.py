"""Admin: accounts and roles, every cohort, and the audit log of who looked at whose records."""

from __future__ import annotations

import streamlit as st

from records import ROLES, AccountError, WeakPassword
from ui import identity, services

user = identity.require_user("admin")  # the page re-checks the role itself
store = services.store()
st.title("Admin")

NEW_ACCOUNT_KEYS = ("new_name", "new_email", "new_password")
flash = st.session_state.pop("admin.flash", None)
if flash:
    st.success(flash)

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
            st.error(str(exc))
        else:
            for key in NEW_ACCOUNT_KEYS:
                st.session_state.pop(key, None)
            st.session_state["admin.flash"] = f"Added {created.name} as {created.role}."
            st.rerun()

st.subheader("Accounts")
accounts = store.accounts.list(user)
st.dataframe(
    [
        {
            "name": a.user.name,
            "email": a.user.email or "",
            "role": a.user.role,
            "sign-in": "single sign-on" if a.single_sign_on else "password",
            "since": f"{a.created_at:%d %b %Y}",
        }
        for a in accounts
    ],
    hide_index=True,
    key="accounts_table",
)
others = {a.user.id: f"{a.user.name} ({a.user.email or 'single sign-on'})" for a in accounts if a.user.id != user.id}
if others:
    with st.form("change_role"):
        cols = st.columns(2)
        who = cols[0].selectbox("Account", list(others), format_func=others.__getitem__, key="role_user")
        new_role = cols[1].selectbox("New role", ROLES, key="role_value")
        if st.form_submit_button("Change role"):
            try:
                store.accounts.set_role(user, who, new_role)
            except AccountError as exc:
                st.error(str(exc))
            else:
                st.success(f"{others[who]} is now {new_role}.")

st.subheader("Cohorts")
cohorts = store.cohorts.mine(user)
if cohorts:
    st.dataframe(
        [
            {"cohort": c.name, "instructor": c.owner_name, "trainees": c.members, "code": c.join_code, "archived": c.archived}
            for c in cohorts
        ],
        hide_index=True,
        key="cohorts_table",
    )
else:
    st.caption("No cohorts yet. Instructors create them on the Cohorts page.")

st.subheader("Audit log")
st.caption("Every time someone opens or exports another person's records, and every change admins make.")
entries = store.audit.entries(user, limit=200)
if entries:
    st.caption("The 200 most recent entries, newest first.")
    st.table(
        [
            {
                "when": f"{e.at:%Y-%m-%d %H:%M}",
                "who": e.actor_name,
                "did": e.action,
                "whose": e.subject_name or "",
                "detail": e.detail,
            }
            for e in entries
        ]
    )
else:
    st.caption("Nothing recorded yet.")
