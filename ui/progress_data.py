"""The data behind the Progress page: records frames run through scoring.patterns.

Practice branches ("try this moment again") are kept apart from first tries: the scores, the headline's trend, the
pitfall heatmap, the balance, the domain profile, the top pitfalls and readiness leave them out (records' hits frame
has none); the headline says how many there were, so they are labelled rather than hidden."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from records import User, clock
from records.decisions import BRANCH
from scoring import patterns
from scoring.readiness import Readiness, readiness
from scoring.report import ExamLine, ReportData, build_pdf
from ui import services, state


@dataclass(frozen=True)
class ProgressData:
    scores: pd.DataFrame
    hits: pd.DataFrame
    pitfall_weeks: pd.DataFrame
    balance: pd.DataFrame
    domains: pd.DataFrame
    top: pd.DataFrame
    readiness: Readiness
    exams: tuple[ExamLine, ...]
    branches: int = 0
    """Finished practice branches: counted apart, in none of the figures above."""


def _titles(attempts: pd.DataFrame) -> pd.DataFrame:
    titles = []
    for scenario_id, content_hash in zip(attempts["scenario_id"], attempts["content_hash"], strict=True):
        try:
            titles.append(services.scenario_for(content_hash).scenario.title)
        except Exception:  # a version that no longer loads still shows by id
            titles.append(scenario_id)
    return attempts.assign(title=titles)


def load(actor: User, subject_id: int | None = None) -> ProgressData:
    """The actor's own progress, or (for an instructor or admin) a trainee's; records checks and logs access."""
    store = services.store()
    rubric = services.rubric()
    who = actor.id if subject_id is None else subject_id
    everything = store.attempts_frame(actor, who)
    branch = everything["mode"] == BRANCH
    attempts = _titles(everything[~branch].reset_index(drop=True))  # first tries only: branches are counted apart
    hits = store.hits_frame(actor, who)  # first tries only (records.practice)
    bank = services.bank()
    finished = [e for e in store.exams.history(actor, who) if not e.open]
    exam_items = [(bank[q], e.answers.get(q) == bank[q].key) for e in finished for q in e.items if q in bank]
    return ProgressData(
        scores=patterns.score_over_time(attempts),
        hits=hits,
        pitfall_weeks=patterns.pitfalls_by_week(hits, rubric),
        balance=patterns.balance_by_week(hits, rubric),
        domains=patterns.domain_profile(hits, rubric),
        top=patterns.top_pitfalls(hits, rubric, services.library().by_criterion),
        readiness=readiness(exam_items, hits, rubric),
        exams=tuple(ExamLine(e.started_at, len(e.items), e.percent or 0, e.pass_mark) for e in finished),
        branches=int((branch & (everything["status"] == "finished")).sum()),
    )


def report_pdf(name: str, data: ProgressData) -> bytes:
    """The downloadable progress report (made only when the trainee asks for it): the same frames as the page's
    charts, which scoring.report draws itself."""
    titles = {loaded.id: loaded.scenario.title for loaded in services.library().scenarios.values()}
    practice_next = tuple(
        (str(row.title), tuple(titles.get(s, s) for s in list(row.practice)[:3]))
        for row in data.top.itertuples()
        if len(row.practice)
    )
    return build_pdf(
        ReportData(
            name=name,
            generated_at=clock.now(),
            scores=data.scores,
            domains=data.domains,
            pitfalls=data.top,
            exams=data.exams,
            readiness=data.readiness,
            pitfall_weeks=data.pitfall_weeks,
            balance=data.balance,
            headline=headline(data),
            practice_next=practice_next,
        )
    )


def headline(data: ProgressData, name: str | None = None) -> str:
    """Plain sentences about the trend (scoring.patterns.progress_sentence), for everyone and for screen readers
    before the charts: to the trainee, or (with ``name``) about them for their instructor; then how many practice
    branches were finished, which no figure counts."""
    sentence = patterns.progress_sentence(
        [(str(title), int(score)) for title, score in zip(data.scores["title"], data.scores["score"], strict=True)], name
    )
    return f"{sentence} {branches_note(data.branches, name)}" if data.branches else sentence


def branches_note(count: int, name: str | None = None) -> str:
    """The sentence that labels practice branches, which no figure counts."""
    who = "You" if name is None else name
    times = "one moment" if count == 1 else f"{count} moments"
    return f"{who} also tried {times} again in practice branches; they are kept apart from these figures."


def choose(scenario_id: str) -> None:
    st.session_state.pop(state.PLAY, None)
    st.session_state[state.CHOSEN_SCENARIO] = scenario_id
