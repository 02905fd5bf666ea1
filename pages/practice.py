"""Practice: choose a scenario, read the content note, and talk with the peer by choosing responses."""

from __future__ import annotations

import functools

import streamlit as st

from records import Attempt, StaleDecision, User
from scenarios import STAGE_LABELS, LoadedScenario
from ui import assignments, identity, lti_open, outage, play, services, state
from ui.render import SCORE_HELP, VERDICTS, esc, peer_says, you_say
from ui.render import feedback as show_feedback

DIFFICULTY = {1: "Introductory", 2: "Intermediate", 3: "Advanced"}
MODE_HELP = {
    "coached": "Coached: feedback after each choice",
    "debrief": "Debrief: all the feedback at the end, like a real conversation",
}

user = identity.require_user()
if outage.just_reconnected() and play.current() is None and state.CHOSEN_SCENARIO not in st.session_state:
    # The server restarted under an open conversation: this new session knows nothing of what the page showed, so
    # the conversation is put back where it was saved (the notice above asks for the last choice again).
    lost = [a for a in services.store().active_attempts(user) if a.mode != "live"]
    if lost:
        play.resume(lost[0])
library = services.library()


@functools.cache  # once a run, and only by the parts that list or open scenarios: a choice needs none of it
def playable() -> dict[str, LoadedScenario]:
    """The library plus the studio scenarios published to this trainee's cohorts."""
    return services.playable(user)


rubric = services.rubric()
domain_titles = {d.id: d.title for d in rubric.domains}


# Buttons act in on_click callbacks, which run before the page does: one run per click, where acting in the page
# and calling st.rerun() ran the whole app twice (bench/load.py: p95 672 ms to 152 ms for 150 trainees).
START_MODE = "start_mode"


def open_scenario(scenario_id: str | None) -> None:
    """Leave any conversation on screen and show this scenario's start (None: the library)."""
    play.stop()
    if scenario_id is None:
        st.session_state.pop(state.CHOSEN_SCENARIO, None)
    else:
        st.session_state[state.CHOSEN_SCENARIO] = scenario_id


def start(user: User, loaded: LoadedScenario) -> None:
    play.begin(user, loaded, st.session_state.get(START_MODE, "coached"))


def next_point(current: play.Play) -> None:
    current.pending = None


def respond(user: User, current: play.Play, view: play.View, choice_id: str) -> None:
    try:
        play.choose(user, current, view, choice_id)
    except StaleDecision as exc:
        st.session_state[state.FLASH] = f"{esc(str(exc))} The conversation has been brought up to date."


def pause(title: str) -> None:
    play.stop()
    st.session_state[state.FLASH] = f"Paused “{esc(title)}”. Resume it from Home or the library."


LEAVING = "practice_leaving"
"""The attempt whose Leave button was pressed and awaits confirmation (one tap must not end a conversation)."""


def ask_to_leave(attempt_id: int | None) -> None:
    if attempt_id is None:
        st.session_state.pop(LEAVING, None)
    else:
        st.session_state[LEAVING] = attempt_id


def leave(user: User, attempt_id: int, title: str) -> None:
    st.session_state.pop(LEAVING, None)
    services.store().leave_attempt(user, attempt_id)
    play.stop()
    st.session_state[state.FLASH] = f"You left “{esc(title)}”. Your choices so far are in Review."


SORTS = {
    "suggested": "Not played yet first",
    "title": "Title (A to Z)",
    "shortest": "Shortest first",
    "lowest": "Lowest best score first",
}


def show_library(user: User) -> None:
    st.title("Scenario library")
    active = services.store().active_attempts(user)
    if active:
        attempt = active[0]
        title = services.scenario_for(attempt.content_hash).scenario.title
        with st.container(border=True):
            stop = "" if title.rstrip().endswith((".", "?", "!")) else "."  # "evenings?", never "evenings?."
            st.markdown(f"You have an unfinished conversation: **{esc(title)}**{stop}")
            st.button("Resume it", key="resume_latest", icon=":material/play_arrow:", on_click=play.resume, args=(attempt,))
    assignments.show_mine(user, where="library")
    played = practice_history(user)
    query = st.text_input(
        "Search the library",
        key="library_search",
        placeholder="A title, a peer's name, a topic such as naloxone or housing",
        icon=":material/search:",
    )
    order = st.selectbox("Sort by", list(SORTS), format_func=SORTS.__getitem__, key="library_sort")
    with st.expander("Filter the library", expanded=False, icon=":material/filter_list:"):
        domains = st.multiselect(
            "Domains", list(domain_titles), format_func=domain_titles.__getitem__, key="filter_domains", placeholder="Any domain"
        )
        levels = st.multiselect(
            "Difficulty", [1, 2, 3], format_func=DIFFICULTY.__getitem__, key="filter_difficulty", placeholder="Any"
        )
        longest = max((s.scenario.minutes for s in playable().values()), default=15)
        minutes = st.slider("Length in minutes", 1, max(longest, 2), (1, max(longest, 2)), key="filter_minutes")
    shown = [
        s
        for s in playable().values()
        if (not domains or set(domains) & set(s.scenario.domains))
        and (not levels or s.scenario.difficulty in levels)
        and minutes[0] <= s.scenario.minutes <= minutes[1]
        and matches(s, query)
    ]
    shown = sort_library(shown, order, played)
    st.caption(f"Showing {len(shown)} of {len(playable())} scenarios.")
    if not shown:
        st.info("No scenario matches this search and these filters. Try other words, or widen the filters.")
    for loaded in shown:
        card(loaded, played.get(loaded.id))
    if library.problems:
        st.caption(f"{len(library.problems)} problem(s) kept some library files from loading; run `python -m scenarios check`.")


def practice_history(user: User) -> dict[str, tuple[int, int | None, bool]]:
    """Per scenario this trainee practiced (live classes aside): (finished attempts, best score, one unfinished)."""
    out: dict[str, tuple[int, int | None, bool]] = {}
    for attempt in services.store().attempts_of(user, user.id):
        if attempt.mode in ("live", "branch"):  # a class's path, or a replay of one moment: not a try of its own
            continue
        done, best, open_ = out.get(attempt.scenario_id, (0, None, False))
        if attempt.status == "finished" and attempt.score is not None:
            done += 1
            best = attempt.score if best is None else max(best, attempt.score)
        open_ = open_ or attempt.status == "active"
        out[attempt.scenario_id] = (done, best, open_)
    return out


def matches(loaded: LoadedScenario, query: str) -> bool:
    """Every word of the search appears in the title, summary, peer, content note or domain names (any case)."""
    words = query.casefold().split()
    if not words:
        return True
    scenario = loaded.scenario
    haystack = " ".join(
        [
            scenario.title,
            scenario.summary,
            scenario.peer.name,
            scenario.peer.about,
            scenario.content_note or "",
            *(domain_titles[d] for d in scenario.domains),
        ]
    ).casefold()
    return all(word in haystack for word in words)


def sort_library(
    shown: list[LoadedScenario], order: str, played: dict[str, tuple[int, int | None, bool]]
) -> list[LoadedScenario]:
    by_title = sorted(shown, key=lambda s: s.scenario.title.casefold())
    if order == "title":
        return by_title
    if order == "shortest":
        return sorted(by_title, key=lambda s: s.scenario.minutes)
    if order == "lowest":  # never played counts as the lowest: a place to start
        return sorted(by_title, key=lambda s: -1 if played.get(s.id, (0, None, False))[1] is None else played[s.id][1])
    return sorted(by_title, key=lambda s: (played.get(s.id, (0, None, False))[0] > 0, s.scenario.difficulty))


def badge(history: tuple[int, int | None, bool] | None) -> str:
    if history is None or (history[0] == 0 and not history[2]):
        return "Not played yet"
    done, best, unfinished = history
    parts = []
    if done:
        parts.append(f"Finished {'once' if done == 1 else f'{done} times'} · best {best}%")
    if unfinished:
        parts.append("Unfinished: resume it from the top of this page")
    return " · ".join(parts)


def card(loaded: LoadedScenario, history: tuple[int, int | None, bool] | None = None) -> None:
    scenario = loaded.scenario
    with st.container(border=True):
        st.markdown(f"#### {esc(scenario.title)}")
        st.caption(f":material/bookmark: {badge(history)}")
        st.markdown(esc(scenario.summary))
        tags = " · ".join(domain_titles[d] for d in scenario.domains)
        if scenario.id not in library.scenarios:
            tags = f"From your instructor · {tags}"
        st.caption(f"{tags} · {DIFFICULTY[scenario.difficulty]} · about {scenario.minutes} min · {len(scenario.nodes)} decisions")
        if scenario.content_note:
            st.markdown(f":material/info: **Content note:** {esc(scenario.content_note)}")
        st.button(f"Choose “{esc(scenario.title)}”", key=f"choose_{scenario.id}", on_click=open_scenario, args=(scenario.id,))


def show_start(user: User, loaded: LoadedScenario) -> None:
    scenario = loaded.scenario
    st.title(esc(scenario.title))
    st.markdown(esc(scenario.summary))
    pronouns = f" ({esc(scenario.peer.pronouns)})" if scenario.peer.pronouns else ""
    st.markdown(f"**You will be talking with {esc(scenario.peer.name)}**{pronouns}: {esc(scenario.peer.about)}")
    if scenario.content_note:
        st.warning(f"**Content note:** {esc(scenario.content_note)}", icon=":material/info:")
    st.caption("You can pause or leave at any point. Pausing keeps your place; you can resume from Home.")
    st.radio("How would you like feedback?", list(MODE_HELP), format_func=MODE_HELP.__getitem__, key=START_MODE)
    cols = st.columns(2)
    cols[0].button(
        "Start the conversation", key="start", type="primary", icon=":material/play_arrow:", on_click=start, args=(user, loaded)
    )
    cols[1].button("Back to the library", key="back", on_click=open_scenario, args=(None,))


MODE_CAPTION = {"coached": "Coached mode", "debrief": "Debrief mode", play.BRANCH: "Practice branch"}


def try_again(user: User, attempt: Attempt, node_id: str, title: str) -> None:
    """'Try another response here' or 'Try this moment again': a practice branch from that point."""
    problem = play.try_again(user, attempt, node_id, title)
    if problem is not None:
        st.session_state[state.FLASH] = esc(problem)


def go_back(attempt: Attempt) -> None:
    """Leave a practice branch for the conversation it came from, where it was paused."""
    play.resume(attempt)
    st.session_state[state.FLASH] = "Back to the conversation you paused, where you left it."


def where_it_stays(attempt: Attempt) -> str:
    """What happens to ``attempt`` when a practice branch starts from it (it always stays as it is)."""
    if attempt.status == "active":
        return "this conversation stays as it is, paused, so you can come back to it"
    return "this conversation stays as it is, in Review"


def show_branch_note(view: play.View) -> None:
    """The line that says a practice branch is kept apart, and what became of the conversation it came from."""
    line = f"**{esc(play.branch_line(view.loaded.scenario, view.attempt))}:** this run is kept apart from your first tries."
    came_from = view.came_from
    if came_from is not None and came_from.status == "active":
        line += (
            "  \nThe conversation you came from is paused where you left it: go back to it when this branch ends, "
            "or from Home or the library."
        )
    elif came_from is not None:
        line += "  \nThe conversation you came from is kept as it was, in Review."
    st.info(line, icon=":material/alt_route:")


def show_conversation(user: User, current: play.Play, view: play.View) -> None:
    scenario = view.loaded.scenario
    st.title(esc(scenario.title))
    if view.is_branch:
        show_branch_note(view)
    mode = MODE_CAPTION.get(view.attempt.mode, "Practice")
    if view.finished:
        st.caption(f"{mode} · {len(view.decisions)} decision{'s' if len(view.decisions) != 1 else ''} made")
    elif view.is_branch:
        st.caption(f"{mode} · decision {len(view.decisions) + (0 if current.pending else 1)} · feedback after each choice")
    else:
        number = len(view.decisions) + (0 if current.pending else 1)
        st.caption(f"{mode} · decision {number} of about {len(scenario.nodes)}")
    for decision in view.decisions:
        node = scenario.nodes[decision.node_id]
        peer_says(scenario.peer.name, node.peer, node.scene)
        you_say(scenario.choice(decision.node_id, decision.choice_id).say)
    if current.pending is not None:
        node_id, choice_id = current.pending
        result = play.feedback_for(view, node_id, choice_id)
        with st.container(border=True):
            st.markdown("##### Feedback on your response")
            stage = STAGE_LABELS[scenario.nodes[node_id].readiness].lower()
            st.caption(f"Where {esc(scenario.peer.name)} was at this point: {stage}.")
            show_feedback(result)
        label = "See how it ended" if view.finished else "Continue the conversation"
        if result.verdict == "strongest":
            st.button(
                label, key="continue", type="primary", icon=":material/arrow_forward:", on_click=next_point, args=(current,)
            )
            return
        cols = st.columns(2)
        cols[0].button(
            label, key="continue", type="primary", icon=":material/arrow_forward:", on_click=next_point, args=(current,)
        )
        cols[1].button(
            "Try another response here",
            key="branch_here",
            icon=":material/alt_route:",
            help="Practice this moment again in a practice branch, kept apart from your first tries",
            on_click=try_again,
            args=(user, view.attempt, node_id, scenario.title),
        )
        st.caption(f"Trying another response starts a practice branch at this moment; {where_it_stays(view.attempt)}.")
        return
    if view.finished:
        show_summary(user, current, view)
        return
    node = scenario.nodes[view.node_id]
    peer_says(scenario.peer.name, node.peer, node.scene)
    st.markdown("**How do you respond?**")
    for choice in play.shown_order(view.attempt.shuffle_seed, view.node_id, node):
        st.button(
            esc(choice.say),
            key=f"choice_{view.node_id}_{choice.id}",
            width="stretch",
            on_click=respond,
            args=(user, current, view, choice.id),
        )
    st.divider()
    cols = st.columns(2)
    cols[0].button(
        "Pause",
        key="pause",
        icon=":material/pause:",
        help="Keep your place and come back later",
        on_click=pause,
        args=(scenario.title,),
    )
    if st.session_state.get(LEAVING) == view.attempt.id:
        with st.container(border=True):
            st.markdown("**Leave this conversation?** It ends here; your choices so far stay in Review.")
            confirm = st.columns(2)
            confirm[0].button("Yes, leave it", key="leave_confirm", on_click=leave, args=(user, view.attempt.id, scenario.title))
            confirm[1].button("Keep talking", key="leave_cancel", type="primary", on_click=ask_to_leave, args=(None,))
    else:
        cols[1].button(
            "Leave this conversation",
            key="leave",
            icon=":material/close:",
            help="End it here; your choices so far stay in Review",
            on_click=ask_to_leave,
            args=(view.attempt.id,),
        )


def show_summary(user: User, current: play.Play, view: play.View) -> None:
    current.summarized = True
    scenario = view.loaded.scenario
    summary = play.summary_of(view)
    ending = scenario.endings[summary.ending_id] if summary.ending_id else None
    if ending is not None:
        peer_says(scenario.peer.name, ending.peer)
    st.header("How it went")
    cols = st.columns(3)
    cols[0].metric("Score", f"{summary.score}%", help=SCORE_HELP)
    cols[1].metric(
        "Among the strongest",
        f"{summary.among_strongest} of {summary.decisions}",
        help="Your decisions that chose a response among the strongest at that point.",
    )
    cols[2].metric("Pitfalls", summary.pitfall_count, help="Your decisions that fell into a pitfall, fully or in part.")
    if view.is_branch:
        st.caption(
            "This score covers only the decisions of this practice branch. Your progress, readiness and your "
            "instructor's dashboard count first tries only."
        )
    if ending is not None:
        if ending.title:
            st.markdown(f"**Ending:** {esc(ending.title)}")
        st.info(f"**To reflect on:** {esc(ending.debrief)}", icon=":material/psychology:")

    st.subheader(
        "Your path from this moment beside the strongest path" if view.is_branch else "Your path beside the strongest path"
    )
    left, right = st.columns(2)
    with left:
        st.markdown("**Your path**")
        for number, step in enumerate(summary.assessment.steps, start=1):
            said = esc(scenario.choice(step.node_id, step.choice_id).say)
            verdict = VERDICTS[step.quality][1].lower() if step.counted else "a point you had already decided: not counted"
            st.markdown(f"{number}. {said} ({verdict})")
    with right:
        st.markdown("**Strongest path**")
        for number, path_step in enumerate(summary.strongest.steps, start=1):
            st.markdown(f"{number}. {esc(scenario.choice(path_step.node_id, path_step.choice_id).say)}")

    st.subheader("Feedback on each choice")
    for number, (made, scored) in enumerate(zip(summary.steps, summary.assessment.steps, strict=True), start=1):
        with st.expander(
            f"{number}. {esc(scenario.choice(made.node_id, made.choice_id).say)}", expanded=view.attempt.mode == "debrief"
        ):
            show_feedback(play.feedback_for(view, made.node_id, made.choice_id))
            if scored.counted:
                st.button(
                    "Try this moment again",
                    key=f"again_{number}_{made.node_id}",
                    type="tertiary",
                    icon=":material/alt_route:",
                    help="Practice this moment again in a practice branch, kept apart from your first tries",
                    on_click=try_again,
                    args=(user, view.attempt, made.node_id, scenario.title),
                )

    if summary.pitfalls:
        st.subheader("Practice these next")
        for criterion_id in summary.pitfalls:
            title = rubric.criterion(criterion_id).title
            others = [s for s in library.by_criterion.get(criterion_id, []) if s != scenario.id and s in playable()]
            if not others:
                continue
            st.markdown(f"**{esc(title)}** comes up in:")
            for other in others[:3]:
                st.button(
                    esc(playable()[other].scenario.title),
                    key=f"practice_{criterion_id}_{other}",
                    icon=":material/replay:",
                    on_click=open_scenario,
                    args=(other,),
                )
    came_from = view.came_from
    if came_from is not None and came_from.status == "active":
        st.button(
            "Go back to the conversation you paused",
            key="go_back",
            type="primary",
            icon=":material/undo:",
            on_click=go_back,
            args=(came_from,),
        )
    ends = st.columns(2)
    ends[0].button(
        "Back to the library",
        key="done",
        type="secondary" if came_from is not None and came_from.status == "active" else "primary",
        on_click=open_scenario,
        args=(None,),
    )
    ends[1].button("Play this scenario again", key="again", icon=":material/replay:", on_click=open_scenario, args=(scenario.id,))


if lti_open.PARAM in st.query_params:  # /practice?scenario=<id>, where a launch from an LMS sends a trainee
    lti_open.scenario_from_link(playable())
flash = st.session_state.pop(state.FLASH, None)
if flash:
    st.info(flash)

current = play.current()
if current is not None:
    show_conversation(user, current, play.view(user, current))
else:
    chosen = st.session_state.get(state.CHOSEN_SCENARIO)
    if chosen is not None and chosen in playable():
        show_start(user, playable()[chosen])
    else:
        show_library(user)
