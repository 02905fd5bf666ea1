"""Live class: the instructor runs a scenario with a cohort node by node; trainees answer from their own devices.

Everything shown comes from the database on every run (records/live.py), so a reload, another tab or another
server shows the same class. The live parts are fragments that rerun on their own (``st.fragment(run_every=...)``):
the host's screen every ``HOST_REFRESH`` seconds, a trainee's every ``TRAINEE_REFRESH``. Buttons act through
callbacks, which run before the fragment redraws, so the screen always shows the state after the click. When a
session ends, the fragment asks for a full rerun so the page shows the ending and the start or join form again.

The host may switch on projector mode: a wide page in large type, with the join code and the controls (Reveal,
Move the class on, End) in a bar that stays at the top of the screen, the full text of every response, and, only
after the reveal, how the class answered. On a tie, or when no one answered, the host picks the response the
class follows: "Move the class on" waits for that pick (records.live refuses a move without it).
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from records import LiveError, User, clock
from records.live import LiveSession, Seat, StepOutcome, Tally
from scenarios import STAGE_LABELS, LoadedScenario
from scoring.live import NO_ANSWERS, discussion_prompts, distribution, distribution_chart, letter, tie_sentence, top_choices
from scoring.scorer import feedback
from ui import services, state
from ui.play import shown_order
from ui.render import SCORE_HELP, esc, peer_says, show_chart, you_say
from ui.render import feedback as show_feedback

HOST_REFRESH = 2
"""Seconds between automatic refreshes of the instructor's screen."""
TRAINEE_REFRESH = 3
"""Seconds between automatic refreshes of a trainee's screen."""
RECENT = timedelta(hours=3)
"""How long after it ended a live class is still shown (its ending, debrief and score) on the page."""

FLASH = "peersim.live_flash"
"""A message from a button's callback (a refused answer, a class that moved on) and the class step it is about:
(message, (session id, step)), shown until the class moves on or the next click; (message, None), shown once."""
DISMISSED = "peersim.live_dismissed"
"""Ids of ended live classes this browser session has closed."""
REVIEW_GUARD = "peersim.live_review_added"
"""(session, step) pairs whose pitfall answer has been put in spaced review already in this browser session."""
PROJECTOR = "live_projector_on"
"""The host's projector-mode toggle."""
PROJECTOR_KEPT = "peersim.live_projector"
"""Projector mode as the host last set it, kept when the toggle is not on the page (after a class, for the next)."""

PROJECTOR_CSS = """<style>
.st-key-live_projector [data-testid=stMarkdownContainer] p,
.st-key-live_projector [data-testid=stMarkdownContainer] li,
.st-key-live_projector [data-testid=stWidgetLabel] p,
.st-key-live_projector [data-testid=stAlertContentWarning] p {font-size: 1.6rem; line-height: 1.4}
.st-key-live_projector [data-testid=stChatMessage] [data-testid=stMarkdownContainer] p {font-size: 2rem}
.st-key-live_projector [data-testid=stCaptionContainer],
.st-key-live_projector [data-testid=stCaptionContainer] p {font-size: 1.35rem}
.st-key-live_projector h3 {font-size: 2.3rem}
.st-key-live_projector h4 {font-size: 1.9rem}
.st-key-live_projector h5 {font-size: 1.7rem}
.st-key-live_projector [data-testid=stMetricValue] {font-size: 2.6rem}
.st-key-live_projector [data-testid=stProgress] [role=progressbar] > div > div {height: 1.1rem}
.st-key-live_projector button p {font-size: 1.35rem}
[data-testid=stLayoutWrapper]:has(> .st-key-live_controls) {position: sticky; top: 3.75rem; z-index: 990;
  background: #fff}
[data-testid=stHeader] {background: #fff}
[data-testid=stElementContainer]:has(script) {display: none}
.st-key-live_controls {padding: .25rem 0 .75rem; border-bottom: 3px solid #1f4e79}
.st-key-live_controls [data-testid=stMarkdownContainer] p,
.st-key-live_controls [data-testid=stWidgetLabel] p {font-size: 1.35rem}
.st-key-live_controls button p {font-size: 1.15rem; white-space: nowrap}
.st-key-live_controls code {font-size: 2.4rem; letter-spacing: .1em; white-space: nowrap; color: #0b0d12;
  background: #eef2f7}
</style>"""
"""Projector mode's large type and its control bar that stays at the top when the page scrolls: fixed CSS, no
user input."""
TOP_OF_STEP = """<script>
(() => {{
  const step = "{session}-{step}";
  if (window.__peersimLiveStep === step) return;
  window.__peersimLiveStep = step;
  document.querySelector("[data-testid=stMain]")?.scrollTo({{top: 0}});
}})();
</script>"""
"""On the projector, a new point of the conversation starts at the top of the page (the host may have scrolled
down to the feedback of the last one): once per step, whatever the refreshes. Fixed script; only two numbers."""


# ---------------------------------------------------------------- callbacks
def _flash(message: str, about: tuple[int, int] | None = None) -> None:
    """A message for the next run. ``about`` (a class's session id and step): the message stays on that step's
    screen through its automatic refreshes, until the class moves on or the next click; without it, shown once."""
    st.session_state[FLASH] = (message, about)


def _show_flash(where: tuple[int, int] | None = None) -> None:
    """The waiting message, on the screen of ``where`` (a class's session id and step; None: no class)."""
    flash = st.session_state.get(FLASH)
    if not flash:
        return
    message, about = flash
    if about is None or about != where:
        del st.session_state[FLASH]
    if about is None or about == where:
        st.info(esc(message), icon=":material/info:")


def _start(user: User) -> None:
    cohort_id = st.session_state.get("live_cohort")
    scenario_id = st.session_state.get("live_scenario")
    playable = services.playable(user)
    if cohort_id is None or scenario_id not in playable:
        _flash("Please choose a cohort and a scenario.")
        return
    try:
        services.store().live.start(user, int(cohort_id), playable[scenario_id])
    except LiveError as exc:
        _flash(str(exc))


def _join(user: User) -> None:
    try:
        seat = services.store().live.join(user, str(st.session_state.get("live_code", "")))
    except LiveError as exc:
        _flash(str(exc))
    else:
        st.session_state["live_code"] = ""
        if seat.new_member:  # stays on the first screen of the class, through its refreshes, until the first click
            _flash(
                f"You joined the cohort {seat.session.cohort_name} with this code. Its instructor can now see your "
                "practice in PeerSim; you can leave the cohort on your Account page.",
                (seat.session.id, seat.session.step),
            )


def _answer(user: User, session_id: int, step: int, content_hash: str, choice_id: str) -> None:
    st.session_state.pop(FLASH, None)
    try:
        services.store().live.answer(
            user,
            session_id,
            step=step,
            choice_id=choice_id,
            loaded=services.scenario_for(content_hash),
            rubric=services.rubric(),
        )
    except LiveError as exc:
        _flash(str(exc), (session_id, step))


def _reveal(user: User, session_id: int, step: int) -> None:
    services.store().live.reveal(user, session_id, step=step)


def _advance(user: User, session_id: int, step: int, content_hash: str) -> None:
    st.session_state.pop(FLASH, None)
    picked = st.session_state.get(f"live_follow_{session_id}_{step}")
    try:
        services.store().live.advance(
            user,
            session_id,
            step=step,
            follow=None if picked in (None, "") else str(picked),
            loaded=services.scenario_for(content_hash),
            rubric=services.rubric(),
        )
    except LiveError as exc:
        _flash(str(exc), (session_id, step))


def _end(user: User, session_id: int) -> None:
    services.store().live.end(user, session_id)


def _keep_projector() -> None:
    st.session_state[PROJECTOR_KEPT] = bool(st.session_state.get(PROJECTOR))


def _dismiss(session_id: int) -> None:
    st.session_state.setdefault(DISMISSED, set()).add(session_id)


# ----------------------------------------------------------------- pieces
def _heading(loaded: LoadedScenario, session: LiveSession) -> None:
    scenario = loaded.scenario
    st.subheader(esc(scenario.title))
    stage = STAGE_LABELS[scenario.nodes[session.node_id].readiness].lower() if session.node_id in scenario.nodes else ""
    st.caption(
        f"Cohort {esc(session.cohort_name)} · led by {esc(session.host_name)} · decision point {session.step}"
        + (f" · where {esc(scenario.peer.name)} is: {stage}" if stage and session.phase == "revealed" else "")
    )
    if session.step == 1:
        pronouns = f" ({esc(scenario.peer.pronouns)})" if scenario.peer.pronouns else ""
        st.markdown(f"**You are talking with {esc(scenario.peer.name)}**{pronouns}: {esc(scenario.peer.about)}")
        if scenario.content_note:
            st.warning(f"**Content note:** {esc(scenario.content_note)}", icon=":material/info:")


def _feedback_for_each(loaded: LoadedScenario, session: LiveSession, mine: str | None) -> None:
    """The feedback on every response at this point, in the class's order, the trainee's own marked in words."""
    scenario = loaded.scenario
    rubric = services.rubric()
    node_id = session.node_id
    st.markdown("##### Feedback on each response")
    for index, choice in enumerate(shown_order(session.shuffle_seed, node_id, scenario.nodes[node_id])):
        with st.container(border=True):
            marker = " (your response)" if choice.id == mine else ""
            st.markdown(f"**{letter(index)}\\. {esc(choice.say)}**{marker}")
            show_feedback(feedback(scenario, node_id, choice.id, rubric))


def _prompts(loaded: LoadedScenario, node_id: str, counts: dict[str, int]) -> None:
    st.markdown("##### To discuss")
    prompts = discussion_prompts(loaded.scenario, node_id, counts, services.rubric())
    st.markdown("\n".join(f"- {esc(p)}" for p in prompts))


def _distribution(loaded: LoadedScenario, tally: Tally) -> None:
    session = tally.session
    node = loaded.scenario.nodes[session.node_id]
    frame = distribution(
        loaded.scenario,
        session.node_id,
        tally.counts,
        services.rubric(),
        revealed=session.phase == "revealed",
        shown=[c.id for c in shown_order(session.shuffle_seed, session.node_id, node)],
    )
    st.markdown("##### How the class answered")
    show_chart(distribution_chart(frame), key=f"live_chart_{session.id}_{session.step}", alt="How the class answered")
    st.caption("The same as a table:")
    shown = frame.drop(columns=["choice_id"]).rename(
        columns={"choice": "Choice", "response": "Response", "trainees": "Trainees", "share": "Share (%)", "kind": "Kind"}
    )
    st.dataframe(shown, hide_index=True, key=f"live_table_{session.id}_{session.step}")


# --------------------------------------------------------------- the host
def start_form(user: User) -> None:
    st.subheader("Start a live class")
    st.caption(
        "Run a scenario with your class: everyone sees the same point of the conversation on their own device, "
        "answers, and then sees the feedback together."
    )
    open_cohorts = [c for c in services.store().cohorts.mine(user) if not c.archived]
    if not open_cohorts:
        st.info("Create a cohort on the Cohorts page first; its members can then join your live classes.")
        return
    playable = services.playable(user)
    names = {c.id: c.name for c in open_cohorts}
    titles = {scenario_id: loaded.scenario.title for scenario_id, loaded in playable.items()}
    with st.form("live_start"):
        st.selectbox("Cohort", list(names), format_func=names.__getitem__, key="live_cohort")
        st.selectbox("Scenario", list(titles), format_func=titles.__getitem__, key="live_scenario")
        st.form_submit_button("Start the live class", type="primary", key="live_start_submit", on_click=_start, args=(user,))


def _move_on(user: User, loaded: LoadedScenario, tally: Tally, *, compact: bool) -> None:
    """Which response the class follows, and the button that moves it on. With a majority the response chosen most
    is picked and the host may pick another; on a tie the host picks one of the tied responses, and with no answers
    any response: the button waits for that pick. ``compact``: projector mode's bar, by letter (the full text of
    every response is on the screen below the bar), in one row."""
    session = tally.session
    node = loaded.scenario.nodes[session.node_id]
    shown = shown_order(session.shuffle_seed, session.node_id, node)
    ids = [choice.id for choice in shown]
    letters = {choice.id: letter(i) for i, choice in enumerate(shown)}
    labels = {c.id: letters[c.id] if compact else esc(f"{letters[c.id]}. {c.say}") for c in shown}
    top = top_choices(node, tally.counts, ids)
    key = f"live_follow_{session.id}_{session.step}"
    if len(top) == 1:
        options: list[str] = ["", *ids]
        most = f"{letters[top[0]]} ({tally.counts[top[0]]} of {tally.answered})"
        labels[""] = f"Chosen most: {most}" if compact else f"The response chosen most: {most}"
        index: int | None = 0
        label = "Follow the conversation along"
    else:
        options = top if top else ids
        if top and compact:
            labels = {c: f"{labels[c]} ({tally.counts[c]} chose it)" for c in options}
        index = None
        label = "Pick the response the class follows"
        said = tie_sentence(node, tally.counts, ids) or NO_ANSWERS  # fixed words: no text anyone typed
        if compact:
            st.markdown(f":material/call_split: **{said}**")
        else:
            st.warning(said, icon=":material/call_split:")
    st.radio(
        label,
        options,
        index=index,
        format_func=labels.__getitem__,
        key=key,
        horizontal=compact,
        label_visibility="collapsed" if compact and index is None else "visible",  # the sentence above says it
    )
    st.button(
        "Move the class on",
        key=f"live_advance_{session.id}_{session.step}",
        type="primary",
        icon=":material/arrow_forward:",
        disabled=index is None and st.session_state.get(key) is None,
        on_click=_advance,
        args=(user, session.id, session.step, session.content_hash),
    )


def _reveal_button(user: User, session: LiveSession) -> None:
    st.button(
        "Reveal the feedback",
        key=f"live_reveal_{session.id}_{session.step}",
        type="primary",
        icon=":material/visibility:",
        on_click=_reveal,
        args=(user, session.id, session.step),
    )


@st.fragment(run_every=HOST_REFRESH)
def host_view(user: User, session_id: int) -> None:
    store = services.store()
    tally = store.live.tally(user, session_id)
    session = tally.session
    if session.ended:
        st.rerun()  # ended (here or in another tab): the page shows the ending and the start form
    loaded = services.scenario_for(session.content_hash)
    if st.session_state.get(PROJECTOR_KEPT):
        _projector(user, loaded, tally)
        return
    scenario = loaded.scenario
    _show_flash((session.id, session.step))
    st.markdown(f"### Join code: `{session.code}`")
    st.caption("Trainees open **Live class** on their own device and enter this code.")
    _heading(loaded, session)
    _class_followed(user, loaded, session)
    cols = st.columns(3)
    cols[0].metric("Joined", tally.joined)
    cols[1].metric("Answered", tally.answered)
    cols[2].metric("Waiting for", max(0, tally.joined - tally.answered))
    node = scenario.nodes[session.node_id]
    peer_says(scenario.peer.name, node.peer, node.scene)
    _distribution(loaded, tally)
    if session.phase == "asking":
        st.caption("The chart updates as answers come in. It shows no feedback until you reveal it.")
        _reveal_button(user, session)
    else:
        _feedback_for_each(loaded, session, None)
        _prompts(loaded, session.node_id, tally.counts)
        st.markdown("##### Move the class on")
        _move_on(user, loaded, tally, compact=False)
    with st.expander("End the live class early"):
        st.caption("Everyone's answers so far stay in their records; the conversation is not scored.")
        st.button("End it for everyone", key=f"live_end_{session.id}", on_click=_end, args=(user, session.id))


def _projector(user: User, loaded: LoadedScenario, tally: Tally) -> None:
    """The host's screen for a projector: large type, the controls in a bar at the top, every response in full.
    Before the reveal nothing hints at an answer: no counts per response, no kinds, only how many have answered."""
    session = tally.session
    scenario = loaded.scenario
    node = scenario.nodes[session.node_id]
    shown = shown_order(session.shuffle_seed, session.node_id, node)
    revealed = session.phase == "revealed"
    st.html(PROJECTOR_CSS)
    st.html(TOP_OF_STEP.format(session=int(session.id), step=int(session.step)), unsafe_allow_javascript=True)
    with st.container(key="live_projector"):
        with st.container(key="live_controls"):
            code, controls = st.columns([1.3, 3], vertical_alignment="top", gap="medium")
            with code:
                st.markdown(f"Join on **Live class** with the code  \n`{session.code}`")
                with st.popover("End the class", icon=":material/stop_circle:"):
                    st.caption("Everyone's answers so far stay in their records; the conversation is not scored.")
                    st.button("End it for everyone", key=f"live_end_{session.id}", on_click=_end, args=(user, session.id))
            with controls:
                if revealed:
                    _move_on(user, loaded, tally, compact=True)
                else:
                    st.markdown(f"**{tally.answered} of {tally.joined}** have answered.")
                    _reveal_button(user, session)
        _show_flash((session.id, session.step))
        _heading(loaded, session)
        _class_followed(user, loaded, session)
        peer_says(scenario.peer.name, node.peer, node.scene)
        if not revealed:
            st.markdown("#### How would you respond?")
            for index, choice in enumerate(shown):
                with st.container(border=True):
                    st.markdown(f"**{letter(index)}\\.** {esc(choice.say)}")
            st.caption("How the class answered shows here once you reveal the feedback.")
            return
        rubric = services.rubric()
        frame = distribution(scenario, session.node_id, tally.counts, rubric, revealed=True, shown=[c.id for c in shown])
        st.markdown(f"#### How the class answered ({tally.answered} of {tally.joined})")
        for row, choice in zip(frame.to_dict("records"), shown, strict=True):
            result = feedback(scenario, session.node_id, choice.id, rubric)
            with st.container(border=True):
                st.markdown(f"**{row['choice']}\\.** {esc(choice.say)}")
                share = int(row["share"])
                st.progress(share, text=f"{int(row['trainees'])} chose it · {share}% · **{row['kind']}**")
                named = [f"{'Pitfall' if h.kind == 'pitfall' else 'Possibility'}: {h.title}" for h in result.hits]
                st.markdown(esc(f"{'; '.join(named)}. " if named else "") + f"**Why:** {esc(result.why)}")
        _prompts(loaded, session.node_id, tally.counts)


# ------------------------------------------------------------ the trainees
def join_form(user: User, *, explain: bool = False) -> None:
    st.subheader("Join a live class")
    if explain:
        st.caption(
            "Your instructor starts a live class and shows you its code: type it here and you are in. If you are not "
            "in the class's cohort yet, the code adds you to it, so its instructor can see your practice. Your answers "
            "are saved as your decisions."
        )
    with st.form("live_join"):
        st.text_input("Live class code", max_chars=12, placeholder="K7M2QX", key="live_code")
        st.form_submit_button("Join", type="primary", key="live_join_submit", on_click=_join, args=(user,))


@st.fragment(run_every=TRAINEE_REFRESH)
def trainee_view(user: User, session_id: int) -> None:
    store = services.store()
    try:
        seat = store.live.seat(user, session_id)
    except LiveError as exc:  # left the cohort, or removed from it, mid-class
        _flash(str(exc))
        st.rerun()
    if seat is None or seat.session.ended:
        st.rerun()  # the class ended: the page shows its ending
    session = seat.session
    loaded = services.scenario_for(session.content_hash)
    scenario = loaded.scenario
    _show_flash((session.id, session.step))
    _heading(loaded, session)
    _last_step(user, loaded, seat)
    node = scenario.nodes[session.node_id]
    peer_says(scenario.peer.name, node.peer, node.scene)
    mine = seat.answer
    if mine is not None:
        you_say(scenario.choice(session.node_id, mine).say)
    if session.phase == "asking":
        if mine is None:
            st.markdown("**How do you respond?** Your first choice is your answer.")
            for index, choice in enumerate(shown_order(session.shuffle_seed, session.node_id, node)):
                st.button(
                    f"{letter(index)}\\. {esc(choice.say)}",
                    key=f"live_choice_{session.id}_{session.step}_{choice.id}",
                    width="stretch",
                    on_click=_answer,
                    args=(user, session.id, session.step, session.content_hash, choice.id),
                )
        else:
            st.caption(f"Your answer is in. Waiting for {esc(session.host_name)} to reveal the feedback.")
        return
    if mine is None:
        st.caption("You did not answer at this point. Here is the feedback on each response.")
    else:
        _add_to_review(user, loaded, seat)
    _feedback_for_each(loaded, session, mine)
    _prompts(loaded, session.node_id, {})
    st.caption(f"Waiting for {esc(session.host_name)} to move the class on.")


def _last_step(user: User, loaded: LoadedScenario, seat: Seat) -> None:
    """Before each new point, what the class said at the last one: the response it followed and how many chose it,
    beside the trainee's own answer, so the peer's next line never seems to answer someone else."""
    path = services.store().live.path(user, seat.session.id)
    if not path:
        return
    last = path[-1]
    scenario = loaded.scenario
    followed = scenario.choice(last.node_id, last.choice_id).say
    mine = next((d for d in services.store().decisions(user, seat.attempt_id) if d.step == last.step), None)
    lines = [_followed_line(last, esc(followed), esc(seat.session.host_name))]
    if mine is None:
        lines.append("You did not answer there.")
    elif mine.choice_id == last.choice_id:
        lines.append("That was your answer too.")
    else:
        lines.append(f"**Your answer was:** “{esc(scenario.choice(mine.node_id, mine.choice_id).say)}”")
    st.info("  \n".join(lines), icon=":material/groups:")


def _class_followed(user: User, loaded: LoadedScenario, session: LiveSession) -> None:
    """On the host's screen (and the projector), what the class followed at the last point, before the peer's
    next line."""
    path = services.store().live.path(user, session.id)
    if path:
        last = path[-1]
        followed = loaded.scenario.choice(last.node_id, last.choice_id).say
        st.info(_followed_line(last, esc(followed), esc(session.host_name)), icon=":material/groups:")


def _followed_line(last: StepOutcome, followed: str, host: str) -> str:
    """What the class followed at the last point, and how it was chosen (Markdown; ``followed`` and ``host``
    escaped already)."""
    chose = f"({last.chosen_by} of {last.answered} chose it)."
    if last.picked == "tie":
        return f"**It was a tie at the last point, so {host} picked the response the class followed:** “{followed}” {chose}"
    if last.picked == "host":
        return f"**At the last point {host} picked the response the class followed:** “{followed}” {chose}"
    if last.picked == "none":
        return f"**No one answered at the last point, so {host} picked the response the class followed:** “{followed}”."
    return f"**At the last point the class followed:** “{followed}” {chose}"


def review_line(outcome: StepOutcome, followed: str) -> str:
    """Review of a live attempt: what the class followed at a step and how it was chosen (``followed`` escaped)."""
    chose = f"({outcome.chosen_by} of {outcome.answered} chose it)"
    if outcome.picked == "none":
        return f"No one answered here, so the host picked what the class followed: “{followed}”."
    if outcome.picked == "tie":
        return f"A tie here, so the host picked what the class followed: “{followed}” {chose}."
    if outcome.picked == "host":
        return f"The host picked what the class followed: “{followed}” {chose}."
    return f"The class followed: “{followed}” {chose}."


def _add_to_review(user: User, loaded: LoadedScenario, seat: Seat) -> None:
    """A pitfall answer comes back in spaced review, as in practice (added once the feedback is out)."""
    done = st.session_state.setdefault(REVIEW_GUARD, set())
    key = (seat.session.id, seat.session.step)
    if key in done or seat.answer is None:
        return
    services.store().live.queue_pitfall(user, seat.session.id, step=seat.session.step, loaded=loaded, rubric=services.rubric())
    done.add(key)


# ------------------------------------------------------------ after the end
def ended_view(user: User, session: LiveSession) -> None:
    store = services.store()
    loaded = services.scenario_for(session.content_hash)
    scenario = loaded.scenario
    projector = session.host_id == user.id and st.session_state.get(PROJECTOR_KEPT)
    if projector:  # the ending and its question for the class, in large type on the shared screen
        st.html(PROJECTOR_CSS)
    with st.container(border=True, key="live_projector" if projector else None):
        st.subheader(f"{esc(scenario.title)}: the live class has ended")
        ending = scenario.endings.get(session.ending_id) if session.ending_id else None
        if ending is None:
            who = "You" if session.host_id == user.id else esc(session.host_name)
            st.markdown(f"{who} ended the class before the conversation reached an ending.")
        else:
            peer_says(scenario.peer.name, ending.peer)
            if ending.title:
                st.markdown(f"**Ending:** {esc(ending.title)}")
            st.info(f"**To reflect on:** {esc(ending.debrief)}", icon=":material/psychology:")
        try:
            seat = store.live.seat(user, session.id)
        except LiveError as exc:  # left the cohort since: the class is closed to them
            st.caption(esc(str(exc)))
            seat = None
        if seat is not None:
            attempt = store.attempt(user, seat.attempt_id)
            answered = sum(d.counted for d in store.decisions(user, attempt.id))
            counts = (
                f"you answered at {answered} of the class's {session.step} decision point"
                f"{'s' if session.step != 1 else ''}: {attempt.strongest} among the strongest, {attempt.pitfalls} "
                f"pitfall{'s' if attempt.pitfalls != 1 else ''}"
                if attempt.strongest is not None and attempt.pitfalls is not None
                else ""
            )
            if attempt.score is not None:
                st.markdown(f"Your score: **{attempt.score}%** from your own answers ({counts}).", help=SCORE_HELP)
            elif counts:
                st.markdown(f"Not scored: a class that ends early is not scored ({counts}).")
            else:
                st.markdown("You did not answer in this class, so there is nothing to score.")
            if attempt.points is not None and st.button("Review your answers", key=f"live_review_{session.id}"):
                st.session_state[state.REVIEW_ATTEMPT] = attempt.id
                st.switch_page("pages/review.py")
        elif session.host_id == user.id:
            joined = store.live.tally(user, session.id).joined
            st.caption(
                f"{joined} trainee{'s' if joined != 1 else ''} took part. Each one's answers are recorded as their "
                "decisions, in their Review and Progress."
            )
        st.button("Close", key=f"live_close_{session.id}", on_click=_dismiss, args=(session.id,))


# ------------------------------------------------------------------ the page
def page(user: User) -> None:
    store = services.store()
    if user.role in ("instructor", "admin"):
        hosted = store.live.hosting(user)
        if hosted is not None:
            projector = st.toggle(
                "Projector mode",
                value=bool(st.session_state.get(PROJECTOR_KEPT)),
                key=PROJECTOR,
                on_change=_keep_projector,
                help="Large type for a shared screen, with the controls at the top. Nothing shows how the class "
                "answered until you reveal the feedback.",
            )
            if projector:
                st.set_page_config(layout="wide")
            host_view(user, hosted.id)
            return
    try:
        seat = store.live.seat(user)
    except LiveError as exc:  # their class is still running, but they are no longer in its cohort
        seat = None
        _flash(str(exc))
    if seat is not None:
        trainee_view(user, seat.session.id)
        return
    _show_flash()
    recent = store.live.recent(user, clock.now() - RECENT)
    if recent is not None and recent.id not in st.session_state.get(DISMISSED, set()):
        ended_view(user, recent)
    if user.role in ("instructor", "admin"):
        start_form(user)
        with st.expander("Join a live class as a participant"):
            join_form(user)
    else:
        join_form(user, explain=True)
