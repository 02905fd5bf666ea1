"""Playing a scenario on the Practice page: which attempt this browser session plays and when its current point
was shown. Each choice goes to records (records.practice.Practice.record_choice), which scores it, commits it at
once with the attempt's end and any spaced-review card, so a refresh, a crash or a restart loses nothing.

A practice branch ("try again from this point", :func:`branch`) is an attempt of its own that starts at a decision
point of an earlier attempt; it gives feedback after each choice, like coached mode, and is kept apart from first
tries (records.practice explains where)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from records import Attempt, Decision, NotFound, User, UserError
from records.decisions import BRANCH as BRANCH  # the mode of a practice branch, for the pages
from records.practice import as_played
from scenarios import Choice, LoadedScenario, Node, Scenario
from scoring.scorer import Feedback, Summary, feedback, summarize
from scoring.shuffle import choice_order
from ui import services, state
from ui.render import esc


@dataclass
class Play:
    """This browser session's attempt: which one, when the current node was shown, any feedback on screen."""

    attempt_id: int
    shown_at: float
    pending: tuple[str, str] | None = None
    summarized: bool = False
    """The end summary has been shown: leaving the Practice page closes it, so coming back opens the library."""


FEEDBACK_AFTER_EACH = ("coached", BRANCH)
"""Modes that show the feedback on each choice before the conversation goes on (a practice branch is coached)."""


@dataclass(frozen=True)
class View:
    attempt: Attempt
    loaded: LoadedScenario
    decisions: list[Decision]
    came_from: Attempt | None = None
    """A practice branch: the attempt it branched from (None for a first try, or when it is not known)."""

    @property
    def finished(self) -> bool:
        return self.attempt.status == "finished"

    @property
    def node_id(self) -> str:
        return self.attempt.current_node

    @property
    def is_branch(self) -> bool:
        return self.attempt.mode == BRANCH


class VersionGone(Exception):
    """The scenario version an attempt was played on can no longer be opened (its stored text no longer loads)."""


def current() -> Play | None:
    play = st.session_state.get(state.PLAY)
    return play if isinstance(play, Play) else None


def begin(user: User, loaded: LoadedScenario, mode: str) -> Play:
    attempt = services.store().start_attempt(
        user,
        scenario_id=loaded.id,
        content_hash=loaded.content_hash,
        source=loaded.text,
        start=loaded.scenario.start,
        mode=mode,
    )
    play = Play(attempt.id, time.time())
    st.session_state[state.PLAY] = play
    st.session_state.pop(state.CHOSEN_SCENARIO, None)
    return play


def resume(attempt: Attempt) -> Play:
    play = Play(attempt.id, time.time())
    st.session_state[state.PLAY] = play
    st.session_state.pop(state.CHOSEN_SCENARIO, None)
    return play


def stop() -> None:
    st.session_state.pop(state.PLAY, None)


def left_practice() -> None:
    """Another page is open: a conversation whose summary was shown is done with, so Practice opens the library next
    time (an unfinished one stays, to continue)."""
    play = current()
    if play is not None and play.summarized:
        stop()


def view(user: User, play: Play) -> View:
    attempt, decisions, came_from = services.store().playing(user, play.attempt_id)
    return View(attempt, services.scenario_for(attempt.content_hash), decisions, came_from)


def version_of(attempt: Attempt) -> LoadedScenario:
    """The exact scenario version ``attempt`` was played on; VersionGone when it no longer loads."""
    try:
        return services.scenario_for(attempt.content_hash)
    except (RuntimeError, NotFound) as exc:
        raise VersionGone(attempt.scenario_id) from exc


def branch(user: User, attempt: Attempt, node_id: str) -> Play:
    """Start a practice branch at ``node_id`` of ``attempt`` (records checks who may, and which points) and play it
    in this browser session. ``attempt`` itself stays as it is: an unfinished one is paused, to go back to.
    VersionGone when its scenario version no longer loads; records' UserError when the branch is refused."""
    started = services.store().practice.start_branch(user, attempt.id, node_id, loaded=version_of(attempt))
    play = Play(started.id, time.time())
    st.session_state[state.PLAY] = play
    st.session_state.pop(state.CHOSEN_SCENARIO, None)
    return play


def try_again(user: User, attempt: Attempt, node_id: str, title: str) -> str | None:
    """ "Try this moment again": start a practice branch at ``node_id`` of ``attempt`` for the Practice page to show.
    When the attempt's scenario version no longer loads, Practice shows the current version's start instead, with
    a kind note saying why (or the library, when the scenario has left it). Returns None when Practice has
    something to show, or the message (plain text) of a refusal."""
    try:
        branch(user, attempt, node_id)
    except VersionGone:
        stop()
        note = f"The version of “{title}” you played can no longer be opened, so that moment cannot be tried again as it was."
        if attempt.scenario_id in services.playable(user):
            st.session_state[state.CHOSEN_SCENARIO] = attempt.scenario_id
            note += " Here is the current version, to play from the start."
        else:
            st.session_state.pop(state.CHOSEN_SCENARIO, None)
            note += " The scenario is no longer in the library; here is the library to choose another."
        st.session_state[state.FLASH] = esc(note)  # the page shows a flash as Markdown
    except UserError as exc:
        return str(exc)
    return None


def moment(scenario: Scenario, node_id: str) -> str:
    """A decision point in words, for people: the peer's message there, quoted from its start (about a sentence),
    e.g. Sam's message “I keep thinking about finishing my GED…”."""
    words = scenario.nodes[node_id].peer.split()
    taken: list[str] = []
    for word in words:
        taken.append(word)
        if len(taken) >= 8 or (len(taken) >= 4 and word.endswith((".", "!", "?", "…"))):
            break
    quote = " ".join(taken)
    if len(taken) < len(words):
        quote = quote.rstrip(".,;:!?…-–—") + "…"
    return f"{scenario.peer.name}'s message “{quote}”"


def branch_line(scenario: Scenario, attempt: Attempt) -> str:
    """The label of a practice branch (plain text: escape it for Markdown)."""
    node_id = attempt.branch_node
    if node_id is None or node_id not in scenario.nodes:  # not a branch, or a point the version lacks: no quote
        return "Practice branch"
    return f"Practice branch from {moment(scenario, node_id)}"


def shown_order(seed: str | None, node_id: str, node: Node) -> list[Choice]:
    """A point's responses in the order this attempt (or live class) shows them: shuffled by its stored seed, so
    the same on every reload, resume and restart, and in Review; file order for attempts from before."""
    by_id = {choice.id: choice for choice in node.choices}
    return [by_id[choice_id] for choice_id in choice_order(seed, node_id, list(by_id))]


def path_of(decisions: list[Decision]) -> list[tuple[str, str]]:
    return [(d.node_id, d.choice_id) for d in decisions]


def choose(user: User, play: Play, current_view: View, choice_id: str) -> Feedback:
    """Commit a choice (records scores it and stores what it computes); in coached mode keep its feedback on screen
    until the trainee continues."""
    node_id = current_view.node_id
    services.store().practice.record_choice(
        user,
        current_view.attempt.id,
        step=len(current_view.decisions) + 1,
        node_id=node_id,
        choice_id=choice_id,
        time_taken_ms=int((time.time() - play.shown_at) * 1000),
        loaded=current_view.loaded,
        rubric=services.rubric(),
    )
    play.pending = (node_id, choice_id) if current_view.attempt.mode in FEEDBACK_AFTER_EACH else None
    play.shown_at = time.time()
    return feedback_for(current_view, node_id, choice_id)


def summary_of(current_view: View) -> Summary:
    """The attempt's summary; a practice branch's covers its own decisions, from its branch point, beside the
    strongest path from there."""
    scenario = as_played(current_view.loaded.scenario, current_view.attempt)
    return summarize(scenario, path_of(current_view.decisions), services.rubric())


def feedback_for(current_view: View, node_id: str, choice_id: str) -> Feedback:
    return feedback(current_view.loaded.scenario, node_id, choice_id, services.rubric())
