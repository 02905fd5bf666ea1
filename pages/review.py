"""Review: any past attempt as a transcript, with the feedback on every choice."""

from __future__ import annotations

import streamlit as st

from records import Decision
from scenarios import STAGE_LABELS, Node
from ui import identity, play, services, state
from ui.render import esc, peer_says, you_say
from ui.render import feedback as show_feedback

STATUS = {"finished": "finished", "active": "unfinished", "left": "left early"}

user = identity.require_user()
store = services.store()
st.title("Review")
# A live class still running is left out: its answers' feedback is for the instructor to reveal (ui/live.py).
attempts = store.practice.transcripts_of(user, user.id)
if not attempts:
    st.info("Your conversations will be listed here, with the feedback on every choice, once you have played one.")
    st.page_link("pages/practice.py", label="Open the scenario library", icon=":material/forum:")
    st.stop()


def label(attempt_id: int) -> str:
    attempt = next(a for a in attempts if a.id == attempt_id)
    title = services.scenario_for(attempt.content_hash).scenario.title
    score = f" · {attempt.score}%" if attempt.score is not None else ""
    return f"{attempt.started_at:%d %b %Y %H:%M} · {title} · {STATUS.get(attempt.status, attempt.status)}{score}"


ids = [a.id for a in attempts]
preferred = st.session_state.pop(state.REVIEW_ATTEMPT, None)
chosen = st.selectbox(
    "Conversation", ids, index=ids.index(preferred) if preferred in ids else 0, format_func=label, key="review_pick"
)
attempt = next(a for a in attempts if a.id == chosen)
loaded = services.scenario_for(attempt.content_hash)
scenario = loaded.scenario
view = play.View(attempt, loaded, store.decisions(user, attempt.id))
now = services.playable(user).get(scenario.id)
current_hash = now.content_hash if now is not None else attempt.content_hash  # a retired scenario: nothing newer

st.caption(
    f"{esc(scenario.title)} · {attempt.mode} mode"
    + (" · played on an earlier version of this scenario" if attempt.content_hash != current_hash else "")
    + (f" · score {attempt.score}%" if attempt.score is not None else "")
    + (
        f" · {attempt.strongest} among the strongest · {attempt.pitfalls} pitfall{'s' if attempt.pitfalls != 1 else ''}"
        if attempt.strongest is not None and attempt.pitfalls is not None
        else ""
    )
)


def show_decision(decision: Decision, node: Node) -> None:
    you_say(scenario.choice(decision.node_id, decision.choice_id).say)
    with st.expander(f"Feedback on decision {decision.step}", expanded=False):
        st.caption(
            f"Where {esc(scenario.peer.name)} was: {STAGE_LABELS[node.readiness].lower()} · you took {decision.time_taken_ms / 1000:.0f} s"
        )
        shown = play.shown_order(attempt.shuffle_seed, decision.node_id, node)
        st.markdown(
            "**The responses you saw, in the order you saw them:**\n"
            + "\n".join(
                f"{number}. {esc(choice.say)}" + (" **(your choice)**" if choice.id == decision.choice_id else "")
                for number, choice in enumerate(shown, start=1)
            )
        )
        if not decision.counted:
            st.caption("You had already decided at this point in this conversation, so this decision was not counted.")
        show_feedback(play.feedback_for(view, decision.node_id, decision.choice_id))


class_path = store.live.path_of_attempt(user, attempt.id) if attempt.mode == "live" else []
if class_path:
    # A live class: the class's path, with this trainee's own answer beside each step it reached.
    by_step = {d.step: d for d in view.decisions}
    for outcome in class_path:
        node = scenario.nodes[outcome.node_id]
        peer_says(scenario.peer.name, node.peer, node.scene)
        mine = by_step.get(outcome.step)
        if mine is None:
            st.caption("You did not answer at this point.")
        else:
            show_decision(mine, node)
        followed = scenario.choice(outcome.node_id, outcome.choice_id).say
        st.caption(f"The class followed: “{esc(followed)}” ({outcome.chosen_by} of {outcome.answered} chose it).")
    moved_on = {outcome.step for outcome in class_path}
    for decision in [d for d in view.decisions if d.step not in moved_on]:  # where the class ended, early
        node = scenario.nodes[decision.node_id]
        peer_says(scenario.peer.name, node.peer, node.scene)
        show_decision(decision, node)
else:
    for decision in view.decisions:
        node = scenario.nodes[decision.node_id]
        peer_says(scenario.peer.name, node.peer, node.scene)
        show_decision(decision, node)
if attempt.ending_id and attempt.ending_id in scenario.endings:
    ending = scenario.endings[attempt.ending_id]
    peer_says(scenario.peer.name, ending.peer)
    st.info(f"**To reflect on:** {esc(ending.debrief)}", icon=":material/psychology:")
elif attempt.status == "active" and st.button("Resume this conversation", key="review_resume", icon=":material/play_arrow:"):
    play.resume(attempt)
    st.switch_page("pages/practice.py")
