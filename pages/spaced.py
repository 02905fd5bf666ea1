"""Spaced review: missed exam questions and pitfall choices come back when FSRS says they are due, a few new
ones a day and reviews up to the trainee's daily limits (which they set here)."""

from __future__ import annotations

import streamlit as st

from scoring.review import RATING_HELP, interval_text
from scoring.shuffle import option_order
from ui import identity, spaced, state
from ui.play import shown_order
from ui.render import esc, peer_says, you_say
from ui.render import feedback as show_feedback

user = identity.require_user()
st.title("Spaced review")
queue = spaced.today(user)
st.markdown(f"**{spaced.headline(queue)}**")  # fixed words and numbers
st.caption(f"{queue.learned} learned · {queue.lapsed} forgotten once and relearning · {queue.total} in your queue")
note = spaced.waiting_note(queue)
if note and queue.items:  # with nothing to show, the message below says it
    st.caption(note)
st.markdown(
    "Questions you missed in mock exams and pitfalls you chose in conversations come back here, spaced out so "
    "each returns just before you would forget it (FSRS)."
)

saved = st.session_state.pop(spaced.LIMITS_SAVED, None)
with st.expander("Daily limits", icon=":material/tune:", expanded=saved is not None):
    st.caption(
        "New items start a few a day, oldest first; items you are learning always come back when due. "
        f"A new day starts at midnight UTC, in {spaced.new_day_in()}."
    )
    with st.form("spaced_limits", border=False):
        cols = st.columns(2)
        cols[0].number_input(
            "New items a day",
            value=queue.limits.new,
            step=1,
            key=spaced.LIMIT_NEW,
            help="Items you have not studied yet, started each day: a whole number from 0 to 200 (0 pauses them).",
        )
        cols[1].number_input(
            "Reviews a day",
            value=queue.limits.reviews,
            step=1,
            key=spaced.LIMIT_REVIEWS,
            help="Items you studied before, coming back to review: a whole number from 1 to 500.",
        )
        st.form_submit_button("Save limits", on_click=spaced.save_limits, args=(user,))
    if saved is not None:
        ok, message = saved
        (st.success if ok else st.error)(message)

last = st.session_state.get(state.REVIEW_UNDO)
if last is not None:
    before, rating_done, interval = last
    cols = st.columns([3, 1])
    cols[0].caption(f"Rated {rating_done.title()}: it comes back in {interval}.")
    if cols[1].button("Undo", key="review_undo", icon=":material/undo:", help="Put it back as it was, and rate again"):
        spaced.undo(user, before)
        st.session_state.pop(state.REVIEW_UNDO, None)
        st.session_state[state.REVIEW_SHOWN] = before.id
        st.rerun()

if not queue.items:
    st.success(spaced.rest_message(queue) or "Nothing is due right now. Well done; come back later.")
    st.stop()

# The item whose answer is showing stays (after an undo it comes back to be rated again); otherwise the next one.
item = next((i for i in queue.items if i.id == st.session_state.get(state.REVIEW_SHOWN)), queue.items[0])
shown = st.session_state.get(state.REVIEW_SHOWN) == item.id
picked_key = f"review_pick_{item.id}_{item.reviews}"  # a fresh choice at every review of the item
seed = f"review-{item.id}-{item.reviews}"  # a new order at every review: its place gives nothing away


def reveal() -> None:
    st.session_state[state.REVIEW_SHOWN] = item.id


with st.container(border=True):
    label, icon, color = spaced.STAGE_BADGES[spaced.stage(item)]
    st.badge(label, icon=icon, color=color)  # type: ignore[arg-type]
    if item.kind == "question":
        question = spaced.question_for(item)
        if question is None:
            st.warning("This question is no longer in the bank.")
        else:
            st.markdown(f"**Exam question.** {esc(question.stem)}")
            order = option_order(seed, question.id, len(question.options))
            if not shown:
                st.radio(
                    "Your answer",
                    order,
                    index=None,
                    format_func=lambda n: f"{'ABCD'[order.index(n)]}. {esc(question.options[n - 1].text)}",
                    key=picked_key,
                )
            else:
                picked = st.session_state.get(picked_key)
                for letter, n in zip("ABCD", order, strict=False):
                    tags = [t for t, on in (("correct answer", n == question.key), ("your answer", n == picked)) if on]
                    st.markdown(f"**{letter}.** {esc(question.options[n - 1].text)}" + (f" ({', '.join(tags)})" if tags else ""))
                if picked is not None:
                    verdict = "You chose the correct answer." if picked == question.key else "Not this time."
                    st.markdown(f"**{verdict}**")
                st.info(f"**Why:** {esc(question.options[question.key - 1].why)}", icon=":material/lightbulb:")
    else:
        card = spaced.pitfall_for(item)
        if card is None:
            st.warning("This scenario version is no longer available.")
        else:
            node = card.loaded.scenario.nodes[card.node_id]
            st.markdown(f"**From “{esc(card.loaded.scenario.title)}”.** What would you say this time?")
            peer_says(card.loaded.scenario.peer.name, node.peer, node.scene)
            choices = shown_order(seed, card.node_id, node)
            if not shown:
                st.radio(
                    "Your response",
                    [c.id for c in choices],
                    index=None,
                    format_func=lambda choice_id: esc(card.loaded.scenario.choice(card.node_id, choice_id).say),
                    key=picked_key,
                )
            else:
                picked_id = st.session_state.get(picked_key)
                if picked_id is not None:
                    you_say(card.loaded.scenario.choice(card.node_id, picked_id).say)
                    show_feedback(spaced.feedback_for(card, picked_id))
                st.markdown(f"**The first time you said:** “{esc(card.chosen.say)}”  \n{esc(card.chosen.why)}")
                if card.stronger is not None and card.stronger.id != picked_id:
                    st.info(
                        f"**A stronger response:** “{esc(card.stronger.say)}”  \n{esc(card.stronger.why)}",
                        icon=":material/lightbulb:",
                    )

if not shown:
    cols = st.columns(2)
    cols[0].button(
        "Check my answer",
        key="review_check",
        type="primary",
        on_click=reveal,
        disabled=st.session_state.get(picked_key) is None,
        help="Choose first, then check: remembering before you look is what makes it stick.",
    )
    cols[1].button("Show the answer", key="review_show", on_click=reveal)
else:
    st.markdown("**How well did you remember it?** Each button says when the item comes back.")
    intervals = spaced.next_intervals(item)
    cols = st.columns(4)
    for col, (rating, help_text) in zip(cols, RATING_HELP.items(), strict=True):
        if col.button(f"{rating.title()} · {interval_text(intervals[rating])}", key=f"rate_{rating}", help=help_text):
            spaced.record(user, item, rating)  # type: ignore[arg-type]
            st.session_state[state.REVIEW_UNDO] = (item, rating, interval_text(intervals[rating]))
            st.session_state.pop(state.REVIEW_SHOWN, None)
            st.rerun()
