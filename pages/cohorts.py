"""Cohorts (instructors and admins): create classes, share join codes, invite trainees from a list (ui/roster.py),
see and remove members, see their progress.

Names people typed (cohorts, trainees, scenario titles) are escaped wherever Streamlit reads Markdown: text,
messages, button and download labels. Select-box options and st.dataframe cells are drawn as plain text (checked
in a browser: no Markdown, no images), so there they are passed as typed; escaping would show backslashes.
"""

from __future__ import annotations

import streamlit as st

from records import CohortError
from scoring import charts
from ui import identity, progress_data, roster, services
from ui.render import esc, show_chart

FLASH = "peersim.cohorts_flash"
"""A message from a button's callback, shown once at the top of the next run: (kind, Markdown, already escaped)."""
REMOVING = "peersim.cohorts_removing"
"""(cohort id, user id) of a member whose removal waits for the instructor's confirmation."""

user = identity.require_user("instructor", "admin")  # the page re-checks the role itself
store = services.store()


# ---------------------------------------------------------------- callbacks
def _flash(kind: str, markdown: str) -> None:
    st.session_state[FLASH] = (kind, markdown)


def _new_code(cohort_id: int) -> None:
    store.cohorts.new_join_code(user, cohort_id)


def _archive(cohort_id: int, archived: bool) -> None:
    store.cohorts.archive(user, cohort_id, archived)


def _ask_to_remove(cohort_id: int) -> None:
    picked = st.session_state.get("remove_pick")
    if picked is None:
        _flash("info", "Please choose the member to remove.")
    else:
        st.session_state[REMOVING] = (cohort_id, int(picked))


def _cancel_removal() -> None:
    st.session_state.pop(REMOVING, None)


def _remove(cohort_id: int, user_id: int, cohort_name: str) -> None:
    st.session_state.pop(REMOVING, None)
    try:
        removed = store.cohorts.remove_member(user, cohort_id, user_id)
    except CohortError as exc:
        _flash("error", esc(str(exc)))
        return
    for key in ("remove_pick", "trainee_pick"):  # they are no longer among the options
        if st.session_state.get(key) == user_id:
            del st.session_state[key]
    _flash(
        "success",
        f"{esc(removed.name)} is no longer in {esc(cohort_name)}. Their practice records stay in their own account.",
    )


# --------------------------------------------------------------------- page
st.title("Cohorts")
flash = st.session_state.pop(FLASH, None)
if flash is not None:
    kind, message = flash
    {"success": st.success, "error": st.error}.get(kind, st.info)(message)

with st.form("new_cohort", clear_on_submit=True):
    name = st.text_input("New cohort name", max_chars=120, placeholder="Spring 2027, Tuesday evenings", key="cohort_name")
    if st.form_submit_button("Create cohort"):
        try:
            created = store.cohorts.create(user, name)
        except CohortError as exc:
            st.error(esc(str(exc)))
        else:
            st.success(f"Created {esc(created.name)}. Trainees join with the code {created.join_code}.")

cohorts = store.cohorts.mine(user)
if not cohorts:
    st.info("Create a cohort for each class. Trainees join it with its code when they sign up or on their Account page.")
    st.stop()

labels = {  # select-box options are plain text
    c.id: f"{c.name} ({c.members} trainee{'s' if c.members != 1 else ''})" + (" · archived" if c.archived else "")
    for c in cohorts
}
# Open on a class in session: the newest open cohort with members (the newest cohort may still be empty).
first = next((i for i, c in enumerate(cohorts) if not c.archived and c.members), 0)
chosen_id = st.selectbox("Cohort", list(labels), format_func=labels.__getitem__, index=first, key="cohort_pick")
cohort = next(c for c in cohorts if c.id == chosen_id)
st.markdown(f"Join code: **`{cohort.join_code}`** · instructor: {esc(cohort.owner_name)}")
cols = st.columns(2)
cols[0].button("Make a new join code", key="new_code", help="The old code stops working", on_click=_new_code, args=(cohort.id,))
cols[1].button(
    "Unarchive" if cohort.archived else "Archive (no new members)",
    key="archive",
    on_click=_archive,
    args=(cohort.id, not cohort.archived),
)

members = store.cohorts.members(user, cohort.id)
st.subheader("Members")
if members:
    st.dataframe(  # grid cells are plain text
        [{"name": m.user.name, "email": m.user.email or "", "joined": f"{m.joined_at:%d %b %Y}"} for m in members],
        hide_index=True,
        key="members_table",
    )
else:
    st.caption("No one has joined yet.")

roster.section(user, cohort)
if not members:
    st.stop()

names = {m.user.id: m.user.name for m in members}
with st.expander("Remove a member"):
    st.caption(
        "Removing someone ends their place in this cohort and its live classes, and your view of their practice. "
        "Their own practice records stay theirs. They can join again while they know the join code, so make a new "
        "code if they should not."
    )
    who = {m.user.id: f"{m.user.name} ({m.user.email})" if m.user.email else m.user.name for m in members}
    st.selectbox("Member to remove", list(who), format_func=who.__getitem__, index=None, key="remove_pick", placeholder="Choose")
    st.button("Remove from this cohort…", key="remove_ask", on_click=_ask_to_remove, args=(cohort.id,))
pending = st.session_state.get(REMOVING)
if pending is not None and pending[0] == cohort.id and pending[1] in names:
    leaving = names[pending[1]]
    with st.container(border=True):
        st.warning(
            f"Remove **{esc(leaving)}** from **{esc(cohort.name)}**? You will no longer see their practice, and they "
            "leave this cohort's live classes. Their own practice records stay theirs.",
            icon=":material/person_remove:",
        )
        cols = st.columns(2)
        cols[0].button(
            f"Yes, remove {esc(leaving)}",
            key="remove_confirm",
            type="primary",
            on_click=_remove,
            args=(cohort.id, pending[1], cohort.name),
        )
        cols[1].button("Cancel", key="remove_cancel", on_click=_cancel_removal)

st.subheader("A trainee's progress")
st.caption("Opening a trainee's records is noted in the audit log, as their privacy requires.")
trainee_id = st.selectbox(
    "Trainee", list(names), format_func=names.__getitem__, index=None, key="trainee_pick", placeholder="Choose"
)
if trainee_id is not None:
    data = progress_data.load(user, trainee_id)
    st.markdown(esc(progress_data.headline(data, names[trainee_id])))
    if not data.scores.empty:
        show_chart(charts.score_chart(data.scores), key="trainee_scores", alt="Score per attempt")
        table = data.scores.assign(finished=data.scores["finished_at"].dt.strftime("%Y-%m-%d %H:%M"))
        st.dataframe(table[["finished", "title", "mode", "score"]], hide_index=True, key="trainee_scores_table")
    if not data.top.empty:
        st.markdown("**Most frequent pitfalls**")
        st.dataframe(data.top[["title", "domain_title", "times"]], hide_index=True, key="trainee_pitfalls")
    st.download_button(
        f"Download {esc(names[trainee_id])}'s records (CSV)",
        lambda: store.export(user, trainee_id).decisions_csv(),  # made (and logged) only when clicked
        file_name=f"peersim-trainee-{trainee_id}.csv",
        mime="text/csv",
        key="trainee_csv",
    )
