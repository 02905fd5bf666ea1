"""Spaced review: missed exam questions and pitfall choices come back when FSRS says they are due."""

from __future__ import annotations

import streamlit as st

from scoring.review import RATING_HELP
from ui import identity, spaced, state
from ui.render import esc, peer_says, you_say

user = identity.require_user()
st.title("Spaced review")
counts = spaced.counts(user)
st.caption(
    f"{counts.due} due now · {counts.learned} learned · {counts.lapsed} forgotten once and relearning · "
    f"{counts.total} in your queue"
)
st.markdown(
    "Questions you missed in mock exams and pitfalls you chose in conversations come back here, spaced out so "
    "each returns just before you would forget it (FSRS)."
)

due = spaced.due(user)
if not due:
    st.success("Nothing is due right now. Well done; come back later.")
    st.stop()

item = due[0]
shown = st.session_state.get(state.REVIEW_SHOWN) == item.id
with st.container(border=True):
    if item.kind == "question":
        question = spaced.question_for(item)
        if question is None:
            st.warning("This question is no longer in the bank.")
        else:
            st.markdown(f"**Exam question.** {esc(question.stem)}")
            for n, option in enumerate(question.options, start=1):
                right = shown and n == question.key
                st.markdown(f"**{'ABCD'[n - 1]}.** {esc(option.text)}" + (" (correct answer)" if right else ""))
            if shown:
                st.info(f"**Why:** {esc(question.options[question.key - 1].why)}", icon=":material/lightbulb:")
    else:
        card = spaced.pitfall_for(item)
        if card is None:
            st.warning("This scenario version is no longer available.")
        else:
            node = card.loaded.scenario.nodes[card.node_id]
            st.markdown(f"**From “{esc(card.loaded.scenario.title)}”.** What would be a stronger response?")
            peer_says(card.loaded.scenario.peer.name, node.peer, node.scene)
            you_say(card.chosen.say)
            if shown:
                st.markdown(f"**Why it fell short:** {esc(card.chosen.why)}")
                if card.stronger is not None:
                    st.info(
                        f"**A stronger response:** “{esc(card.stronger.say)}”  \n{esc(card.stronger.why)}",
                        icon=":material/lightbulb:",
                    )

if not shown:
    if st.button("Show the answer", key="review_show", type="primary"):
        st.session_state[state.REVIEW_SHOWN] = item.id
        st.rerun()
else:
    st.markdown("**How well did you remember it?**")
    cols = st.columns(4)
    for col, (rating, help_text) in zip(cols, RATING_HELP.items(), strict=True):
        if col.button(rating.title(), key=f"rate_{rating}", help=help_text):
            spaced.record(user, item, rating)  # type: ignore[arg-type]
            st.session_state.pop(state.REVIEW_SHOWN, None)
            st.rerun()
