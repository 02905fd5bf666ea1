"""Playing a scenario: ties the scorer and the store together for the Practice page.

Each choice is scored, then committed at once (with the attempt's end, when it reaches an ending), so a
refresh, a crash or a restart loses nothing the trainee clicked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from records import Attempt, Decision, Finish, User
from scenarios import LoadedScenario
from scoring.scorer import Feedback, Summary, feedback, summarize
from ui import services, state


@dataclass
class Play:
    """This browser session's attempt: which one, when the current node was shown, any feedback on screen."""

    attempt_id: int
    shown_at: float
    pending: tuple[str, str] | None = None


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


def view(user: User, play: Play) -> View:
    store = services.store()
    attempt = store.attempt(user, play.attempt_id)
    return View(attempt, services.scenario_for(attempt.content_hash), store.decisions(user, attempt.id))


def path_of(decisions: list[Decision]) -> list[tuple[str, str]]:
    return [(d.node_id, d.choice_id) for d in decisions]


def choose(user: User, play: Play, current_view: View, choice_id: str) -> Feedback:
    """Score a choice and commit it; in coached mode keep its feedback on screen until the trainee continues."""
    scenario = current_view.loaded.scenario
    rubric = services.rubric()
    node_id = current_view.node_id
    result = feedback(scenario, node_id, choice_id, rubric)
    finish = None
    if result.next_id in scenario.endings:
        summary = summarize(scenario, [*path_of(current_view.decisions), (node_id, choice_id)], rubric)
        finish = Finish(result.next_id, summary.points, summary.score)
    services.store().record_decision(
        user,
        current_view.attempt.id,
        step=len(current_view.decisions) + 1,
        node_id=node_id,
        choice_id=choice_id,
        criteria=scenario.choice(node_id, choice_id).criteria,
        points=result.points,
        next_node=result.next_id,
        time_taken_ms=int((time.time() - play.shown_at) * 1000),
        finish=finish,
    )
    if result.pitfalls:  # a pitfall comes back later in spaced review
        from ui import reviews

        reviews.add_pitfall(user, current_view.loaded, node_id, choice_id)
    play.pending = (node_id, choice_id) if current_view.attempt.mode == "coached" else None
    play.shown_at = time.time()
    return result


def summary_of(current_view: View) -> Summary:
    return summarize(current_view.loaded.scenario, path_of(current_view.decisions), services.rubric())


def feedback_for(current_view: View, node_id: str, choice_id: str) -> Feedback:
    return feedback(current_view.loaded.scenario, node_id, choice_id, services.rubric())
