"""Review: any past attempt as a transcript, with the feedback on every choice. Practice branches ("try this moment
again") are listed under the conversation they came from, and each decision point of a finished or left practice
conversation can be tried again from here."""

from __future__ import annotations

import streamlit as st

from records import Attempt, Decision
from scenarios import STAGE_LABELS, Node
from ui import identity, live, play, services, state
from ui.render import esc, peer_says, you_say
from ui.render import feedback as show_feedback

STATUS = {"finished": "finished", "active": "unfinished", "left": "left early"}
PICK = "review_pick"

user = identity.require_user()
store = services.store()
st.title("Review")
# A live class still running is left out: its answers' feedback is for the instructor to reveal (ui/live.py).
attempts = store.practice.transcripts_of(user, user.id)
if not attempts:
    st.info("Your conversations will be listed here, with the feedback on every choice, once you have played one.")
    st.page_link("pages/practice.py", label="Open the scenario library", icon=":material/forum:")
    st.stop()

by_id = {a.id: a for a in attempts}


def root_of(attempt: Attempt) -> Attempt:
    """The first try a practice branch came from (through branches of branches), or the attempt itself."""
    seen = {attempt.id}
    while attempt.branch_of is not None and attempt.branch_of in by_id and attempt.branch_of not in seen:
        attempt = by_id[attempt.branch_of]
        seen.add(attempt.id)
    return attempt


# First tries newest first, each followed by the practice branches that came from it, in the order they were played.
branches_of: dict[int, list[Attempt]] = {}
for listed in sorted(attempts, key=lambda a: (a.started_at, a.id)):
    root = root_of(listed)
    if root.id != listed.id:
        branches_of.setdefault(root.id, []).append(listed)
ids = [i for a in attempts if root_of(a).id == a.id for i in (a.id, *(b.id for b in branches_of.get(a.id, [])))]


def branch_name(attempt: Attempt) -> str:
    """'Practice branch from Sam's message “...”' (plain text)."""
    return play.branch_line(services.scenario_for(attempt.content_hash).scenario, attempt)


def label(attempt_id: int) -> str:
    attempt = by_id[attempt_id]
    score = f" · {attempt.score}%" if attempt.score is not None else ""
    when = f"{attempt.started_at:%d %b %Y %H:%M}"
    status = STATUS.get(attempt.status, attempt.status)
    if root_of(attempt).id != attempt.id:
        return f"↳ {branch_name(attempt)} · {when} · {status}{score}"
    title = services.scenario_for(attempt.content_hash).scenario.title
    return f"{when} · {title} · {status}{score}"


def open_in_review(attempt_id: int) -> None:
    st.session_state[PICK] = attempt_id


preferred = st.session_state.pop(state.REVIEW_ATTEMPT, None)
chosen = st.selectbox("Conversation", ids, index=ids.index(preferred) if preferred in ids else 0, format_func=label, key=PICK)
attempt = by_id[chosen]
loaded = services.scenario_for(attempt.content_hash)
scenario = loaded.scenario
view = play.View(attempt, loaded, store.decisions(user, attempt.id))
now = services.playable(user).get(scenario.id)
current_hash = now.content_hash if now is not None else attempt.content_hash  # a retired scenario: nothing newer
is_branch = attempt.mode == play.BRANCH
# A finished or left practice conversation (a practice branch too): each decision point it met can be tried again.
may_try_again = attempt.mode in (*play.FEEDBACK_AFTER_EACH, "debrief") and attempt.status in ("finished", "left")

st.caption(
    f"{esc(scenario.title)} · {'practice branch' if is_branch else f'{attempt.mode} mode'}"
    + (" · played on an earlier version of this scenario" if attempt.content_hash != current_hash else "")
    + (f" · score {attempt.score}%" if attempt.score is not None else "")
    + (
        f" · {attempt.strongest} among the strongest · {attempt.pitfalls} pitfall{'s' if attempt.pitfalls != 1 else ''}"
        if attempt.strongest is not None and attempt.pitfalls is not None
        else ""
    )
)
if is_branch:
    st.info(
        f"**{esc(branch_name(attempt))}:** this run is kept apart from your first tries. Its score covers only its own "
        "decisions.",
        icon=":material/alt_route:",
    )
    if attempt.branch_of in by_id:
        st.button(
            "Open the conversation it came from",
            key="review_came_from",
            type="tertiary",
            icon=":material/undo:",
            on_click=open_in_review,
            args=(attempt.branch_of,),
        )
elif branches_of.get(attempt.id):
    tried = branches_of[attempt.id]
    st.markdown(
        f"**You tried {'one moment' if len(tried) == 1 else f'{len(tried)} moments'} of this conversation again** "
        "in practice branches, kept apart from your first tries:"
    )
    for branch in tried:
        score = f" · {branch.score}%" if branch.score is not None else f" · {STATUS.get(branch.status, branch.status)}"
        st.button(
            esc(f"{branch_name(branch)}{score}"),
            key=f"review_branch_{branch.id}",
            type="tertiary",
            icon=":material/alt_route:",
            on_click=open_in_review,
            args=(branch.id,),
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
    if may_try_again and decision.counted:
        try_again(decision)


def try_again(decision: Decision) -> None:
    """'Try this moment again' beside a decision point: a practice branch from it, played on the Practice page."""
    if not st.button(
        "Try this moment again",
        key=f"review_again_{attempt.id}_{decision.step}",
        type="tertiary",
        icon=":material/alt_route:",
        help=esc(
            f"Practice {play.moment(scenario, decision.node_id)} again in a practice branch, kept apart from your "
            "first tries. This conversation stays as it is."
        ),
    ):
        return
    problem = play.try_again(user, attempt, decision.node_id, scenario.title)
    if problem is None:
        st.switch_page("pages/practice.py")
    st.warning(esc(problem), icon=":material/info:")


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
        st.caption(live.review_line(outcome, esc(followed)))
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
