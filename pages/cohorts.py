"""Cohorts (instructors and admins): create classes, share join codes, see members and their progress."""

from __future__ import annotations

import streamlit as st

from records import CohortError
from scoring import charts
from ui import identity, progress_data, services
from ui.render import esc

user = identity.require_user("instructor", "admin")  # the page re-checks the role itself
store = services.store()
st.title("Cohorts")

with st.form("new_cohort", clear_on_submit=True):
    name = st.text_input("New cohort name", max_chars=120, placeholder="Spring 2027, Tuesday evenings", key="cohort_name")
    if st.form_submit_button("Create cohort"):
        try:
            created = store.cohorts.create(user, name)
        except CohortError as exc:
            st.error(str(exc))
        else:
            st.success(f"Created {esc(created.name)}. Trainees join with the code {created.join_code}.")

cohorts = store.cohorts.mine(user)
if not cohorts:
    st.info("Create a cohort for each class. Trainees join it with its code when they sign up or on their Account page.")
    st.stop()

labels = {
    c.id: f"{c.name} ({c.members} trainee{'s' if c.members != 1 else ''})" + (" · archived" if c.archived else "")
    for c in cohorts
}
chosen_id = st.selectbox("Cohort", list(labels), format_func=labels.__getitem__, key="cohort_pick")
cohort = next(c for c in cohorts if c.id == chosen_id)
st.markdown(f"Join code: **`{cohort.join_code}`** · instructor: {esc(cohort.owner_name)}")
cols = st.columns(2)
if cols[0].button("Make a new join code", key="new_code", help="The old code stops working"):
    store.cohorts.new_join_code(user, cohort.id)
    st.rerun()
if cols[1].button("Unarchive" if cohort.archived else "Archive (no new members)", key="archive"):
    store.cohorts.archive(user, cohort.id, not cohort.archived)
    st.rerun()

members = store.cohorts.members(user, cohort.id)
st.subheader("Members")
if not members:
    st.caption("No one has joined yet.")
    st.stop()
st.dataframe(
    [{"name": m.user.name, "email": m.user.email or "", "joined": f"{m.joined_at:%d %b %Y}"} for m in members],
    hide_index=True,
    key="members_table",
)

st.subheader("A trainee's progress")
st.caption("Opening a trainee's records is noted in the audit log, as their privacy requires.")
names = {m.user.id: m.user.name for m in members}
trainee_id = st.selectbox(
    "Trainee", list(names), format_func=names.__getitem__, index=None, key="trainee_pick", placeholder="Choose"
)
if trainee_id is not None:
    data = progress_data.load(user, trainee_id)
    st.markdown(esc(progress_data.headline(data)))
    if not data.scores.empty:
        st.plotly_chart(charts.score_chart(data.scores), key="trainee_scores")
        table = data.scores.assign(finished=data.scores["finished_at"].dt.strftime("%Y-%m-%d %H:%M"))
        st.dataframe(table[["finished", "title", "mode", "score"]], hide_index=True, key="trainee_scores_table")
    if not data.top.empty:
        st.markdown("**Most frequent pitfalls**")
        st.dataframe(data.top[["title", "domain_title", "times"]], hide_index=True, key="trainee_pitfalls")
    st.download_button(
        f"Download {names[trainee_id]}'s records (CSV)",
        lambda: store.export(user, trainee_id).decisions_csv(),  # made (and logged) only when clicked
        file_name=f"peersim-trainee-{trainee_id}.csv",
        mime="text/csv",
        key="trainee_csv",
    )
