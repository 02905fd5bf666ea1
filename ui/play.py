"""Playing a scenario on the Practice page: which attempt this browser session plays and when its current point
was shown. Each choice goes to records (records.practice.Practice.record_choice), which scores it, commits it at
once with the attempt's end and any spaced-review card, so a refresh, a crash or a restart loses nothing."""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from records import Attempt, Decision, User
from scenarios import Choice, LoadedScenario, Node
from scoring.scorer import Feedback, Summary, feedback, summarize
from scoring.shuffle import choice_order
from ui import services, state


@dataclass
class Play:
    """This browser session's attempt: which one, when the current node was shown, any feedback on screen."""

    attempt_id: int
    shown_at: float
    pending: tuple[str, str] | None = None
    summarized: bool = False
    """The end summary has been shown: leaving the Practice page closes it, so coming back opens the library."""


@dataclass(frozen=True)
class View:
    attempt: Attempt
    loaded: LoadedScenario
    decisions: list[Decision]

    @property
    def finished(self) -> bool:
        return self.attempt.status == "finished"

    @property
    def node_id(self) -> str:
        return self.attempt.current_node


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
    store = services.store()
    attempt = store.attempt(user, play.attempt_id)
    return View(attempt, services.scenario_for(attempt.content_hash), store.decisions(user, attempt.id))


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
    play.pending = (node_id, choice_id) if current_view.attempt.mode == "coached" else None
    play.shown_at = time.time()
    return feedback_for(current_view, node_id, choice_id)


def summary_of(current_view: View) -> Summary:
    return summarize(current_view.loaded.scenario, path_of(current_view.decisions), services.rubric())


def feedback_for(current_view: View, node_id: str, choice_id: str) -> Feedback:
    return feedback(current_view.loaded.scenario, node_id, choice_id, services.rubric())
