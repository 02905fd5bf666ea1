"""Home: what PeerSim is, who it is for, and continuing where you left off."""

from __future__ import annotations

import streamlit as st

from records import User
from records.decisions import BRANCH
from ui import assignments, identity, play, services, spaced, state
from ui.render import SCORE_HELP, esc
from ui.signin import NOT_JOINED

st.title("PeerSim")
st.markdown(
    "Practice the conversations of peer support. You read what a peer says, choose how to respond, and see "
    "which choices open the **possibilities** of recovery and wellness planning and which fall into its "
    "**pitfalls**. Over time you can see your own patterns."
)
st.caption(
    "For people training to become certified peer specialists: in class, with an instructor, or on your own "
    "before the certification exam."
)


def welcome(user: User) -> None:
    st.subheader(f"Welcome, {esc(user.name)}")
    flash = st.session_state.pop(state.FLASH, None)
    if flash:
        st.success(flash)
    if st.query_params.get("signup") == NOT_JOINED:
        st.warning(
            "Your account is ready, but the join code you gave did not match an open cohort, so you have not joined "
            "one yet. Check the code with your instructor and enter it under **Account and privacy**.",
            icon=":material/group_off:",
        )
    assignments.show_mine(user, where="home")
    store = services.store()
    library = services.library()
    active = store.active_attempts(user)
    if active:
        st.markdown("#### Continue where you left off")
        for attempt in active[:5]:
            loaded = services.scenario_for(attempt.content_hash)
            done = len(store.decisions(user, attempt.id))
            cols = st.columns([3, 1])
            kind = play.branch_line(loaded.scenario, attempt) if attempt.mode == BRANCH else f"{attempt.mode} mode"
            cols[0].markdown(
                f"**{esc(loaded.scenario.title)}** · {esc(kind)} · {done} of about {len(loaded.scenario.nodes)} decisions made"
            )
            if cols[1].button("Resume", key=f"resume_{attempt.id}", icon=":material/play_arrow:"):
                play.resume(attempt)
                st.switch_page("pages/practice.py")
    else:
        st.markdown("#### Start practicing")
        count = len(library.scenarios)
        st.write(f"There {'is 1 scenario' if count == 1 else f'are {count} scenarios'} in the library.")
    st.page_link("pages/practice.py", label="Open the scenario library", icon=":material/forum:")
    due = spaced.counts(user).due
    if due:
        st.page_link("pages/spaced.py", label=f"{due} item(s) due for review today", icon=":material/event_repeat:")
    finished = [a for a in store.attempts_of(user, user.id, status="finished") if a.mode != BRANCH]  # first tries
    if finished:
        st.page_link("pages/progress.py", label=f"See your progress ({len(finished)} finished)", icon=":material/insights:")
    if user.role == "trainee" and not store.cohorts.mine(user):
        st.caption("In a class? Join your cohort with the code from your instructor on the Account page.")


user = identity.current_user()
if user is None:
    farewell = st.session_state.pop(state.FLASH, None)  # e.g. an account just deleted in this browser
    if farewell:
        st.success(farewell)
    st.info("Please sign in to practice. Your practice is saved to your account.")
    # Same-tab links to the sign-in pages; fixed text, no user input in this HTML.
    st.markdown(
        '<a href="/auth/signin" target="_self">Sign in</a> · <a href="/auth/signup" target="_self">Create an account</a>',
        unsafe_allow_html=True,
    )
else:
    welcome(user)

with st.expander("How scoring works"):
    st.markdown(
        "Every response you can choose is linked to criteria from the *pitfalls versus possibilities* rubric, and "
        "each is judged against the other responses at the same point: among the strongest, helpful, helpful in "
        "part (with a pitfall), or a pitfall. "
        + SCORE_HELP
        + " Responses appear in a different order each time you play, so their position tells you nothing. "
        "Feedback explains each choice and shows a stronger response where there is one. It is practice: every "
        "path teaches something."
    )
