"""Account and privacy: cohorts, password, downloading all your data, deleting your account."""

from __future__ import annotations

import streamlit as st

from records import AccountError, CohortError, WeakPassword
from ui import identity, services, sso, state
from ui.render import esc

user = identity.require_user()
store = services.store()
st.title("Account and privacy")
st.markdown(f"**{esc(user.name)}** · {esc(user.email or 'single sign-on')} · {user.role}")

st.subheader("Cohorts")
mine = store.cohorts.mine(user)
if user.role == "trainee":
    if mine:
        for cohort in mine:
            cols = st.columns([3, 1])
            cols[0].markdown(f"**{esc(cohort.name)}** with {esc(cohort.owner_name)}")
            if cols[1].button("Leave", key=f"leave_cohort_{cohort.id}"):
                store.cohorts.leave(user, cohort.id)
                st.rerun()
        st.caption("The instructor of a cohort you belong to can see your practice records in PeerSim.")
    else:
        st.caption("You are not in a cohort. Joining lets your instructor see your practice and run class sessions.")
    with st.form("join_cohort"):
        code = st.text_input("Join a cohort with a code", max_chars=12, placeholder="K7M2QX", key="join_code")
        if st.form_submit_button("Join"):
            try:
                joined = store.cohorts.join(user, code)
            except CohortError as exc:
                st.error(str(exc))
            else:
                st.success(f"You joined {esc(joined.name)}.")
else:
    st.caption("Instructors and admins manage cohorts on the Cohorts page.")

st.subheader("Your data")
st.write(
    "Download everything PeerSim keeps about you: your account and cohorts, every conversation and every choice "
    "(live classes too), your mock exams and their answers, your spaced-review cards, and any scenarios you wrote "
    "in the studio. JSON has it all; CSV has one row per choice, for a spreadsheet."
)
cols = st.columns(2)
cols[0].download_button(
    "Download all my data (JSON)",
    lambda: store.export(user, user.id).as_json(),
    file_name="peersim-my-data.json",
    mime="application/json",
    key="dl_json",
)
cols[1].download_button(
    "Download my choices (CSV)",
    lambda: store.export(user, user.id).decisions_csv(),
    file_name="peersim-my-choices.csv",
    mime="text/csv",
    key="dl_csv",
)

own = store.accounts.own_account(user)
if own.has_password:
    st.subheader("Change your password")
    with st.form("password", clear_on_submit=True):
        current = st.text_input("Current password", type="password", key="pw_current")
        new = st.text_input("New password", type="password", key="pw_new", help="At least 8 characters; a few words work well.")
        if st.form_submit_button("Change password"):
            try:
                ended = store.accounts.change_password(user, current, new, keep_session=identity.session_token())
            except (AccountError, WeakPassword) as exc:
                st.error(esc(str(exc)))
            else:
                others = f"{ended} other session{'s' if ended != 1 else ''}"
                st.success(
                    "Your password has been changed." + (f" {others} signed out; you stay signed in here." if ended else "")
                )

SSO_FLASH = "peersim.sso_flash"  # what unlinking did, shown on the next run
if sso.enabled():
    st.subheader("Single sign-on")
    flash = st.session_state.pop(SSO_FLASH, None)
    if flash:
        (st.error if flash[0] == "error" else st.success)(flash[1])
    provider = esc(sso.label())
    if own.single_sign_on and own.has_password:
        st.write(f"Your account is linked to {provider}: you can sign in with it or with your email and password.")

        def unlink() -> None:
            try:
                store.accounts.unlink_single_sign_on(user)
            except AccountError as exc:
                st.session_state[SSO_FLASH] = ("error", esc(str(exc)))
            else:
                st.session_state[SSO_FLASH] = ("success", f"Your account is no longer linked to {provider}.")

        st.button("Unlink single sign-on", key="sso_unlink", on_click=unlink)
    elif own.single_sign_on:
        st.write(f"You sign in with {provider}. Your account has no password, so it stays linked.")
    else:
        st.write(
            f"Link {provider} to your account, so that you can sign in with it as well as with your email and "
            "password. PeerSim takes you there to sign in, then back."
        )
        # A same-tab link to the single sign-on start; fixed text, no user input in this HTML.
        st.markdown('<a href="/auth/sso?link=1" target="_self">Link single sign-on</a>', unsafe_allow_html=True)

st.subheader("Delete your account")
st.write(
    "This deletes your account and all your practice records from PeerSim for good. It cannot be undone. "
    "You may want to download your data first."
)
with st.form("delete_account"):
    confirm = st.text_input('To confirm, type "delete my account"', key="delete_confirm")
    # The destructive action is never the highlighted one.
    if st.form_submit_button("Delete my account and records", type="secondary", icon=":material/delete:"):
        if confirm.strip().lower() != "delete my account":
            st.error('Nothing was deleted. To delete, type "delete my account" exactly.')
        else:
            try:
                store.accounts.delete(user, user.id)
            except AccountError as exc:
                st.error(esc(str(exc)))
            else:
                # This browser's session ended with the account: Home, run again, shows the signed-out pages
                # (no name in the sidebar, no pages of a signed-in user) and says what happened.
                st.session_state[state.FLASH] = (
                    "Your account and records have been deleted. Thank you for practicing with PeerSim."
                )
                st.switch_page("pages/home.py")
