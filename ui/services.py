"""Process-wide resources, created once per server process and shared by every session."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from records import Store, User
from scenarios import LIBRARY_DIR, LoadedScenario, Problem, Rubric, ScenarioError, load_library, load_scenario
from scenarios.loader import BANK_DIR, check_paths
from scenarios.questions import Question
from scoring import default_rubric
from scoring.patterns import criterion_index


@dataclass(frozen=True)
class Library:
    """The shipped scenarios that passed their checks, and the problems of any that did not."""

    scenarios: dict[str, LoadedScenario]
    problems: tuple[Problem, ...]
    by_criterion: dict[str, list[str]]

    def by_hash(self, content_hash: str) -> LoadedScenario | None:
        for loaded in self.scenarios.values():
            if loaded.content_hash == content_hash:
                return loaded
        return None


@st.cache_resource(show_spinner=False)
def store() -> Store:
    """The database (applies migrations on first use in this process)."""
    return Store.open(rubric=rubric())


@st.cache_resource(show_spinner=False)
def rubric() -> Rubric:
    return default_rubric()


def library_dir() -> Path:
    """``PEERSIM_LIBRARY_DIR`` if set (a program's own library), else the shipped scenarios/library/."""
    configured = os.environ.get("PEERSIM_LIBRARY_DIR")
    return Path(configured).expanduser() if configured else LIBRARY_DIR


@st.cache_resource(show_spinner=False)
def library() -> Library:
    report = load_library(library_dir(), rubric=rubric())
    loaded = {s.id: s for s in sorted(report.loaded, key=lambda s: s.scenario.title)}
    index = criterion_index(s.scenario for s in loaded.values())
    return Library(loaded, tuple(report.errors), index)


@st.cache_resource(show_spinner=False, max_entries=256)
def stored_version(content_hash: str) -> LoadedScenario:
    """A scenario version that is no longer in the library, read back from the records."""
    source = store().version_source(content_hash)
    return load_scenario(source, rubric(), source=f"stored version {content_hash[:12]}")


def scenario_for(content_hash: str) -> LoadedScenario:
    """The exact scenario version an attempt was played on."""
    found = library().by_hash(content_hash)
    if found is not None:
        return found
    try:
        return stored_version(content_hash)
    except ScenarioError as exc:  # pragma: no cover - a stored version always passed its checks once
        raise RuntimeError(f"stored scenario version {content_hash[:12]} no longer loads: {exc}") from exc


def bank_dir() -> Path:
    """``PEERSIM_BANK_DIR`` if set, else the shipped scenarios/bank/."""
    configured = os.environ.get("PEERSIM_BANK_DIR")
    return Path(configured).expanduser() if configured else BANK_DIR


@st.cache_resource(show_spinner=False)
def bank() -> dict[str, Question]:
    """Every question of the bank files that passed their checks, by id."""
    report = check_paths([bank_dir()], rubric())
    return {q.id: q for loaded in report.banks for q in loaded.bank.questions}


def playable(user: User) -> dict[str, LoadedScenario]:
    """What this user may play, by scenario id in title order: the library, plus the studio scenarios published
    to their cohorts (instructors: also their own). A studio scenario never shadows a library one."""
    found = dict(library().scenarios)
    for published in store().authored.playable(user):
        if published.scenario_id not in found:
            found[published.scenario_id] = scenario_for(published.content_hash)
    return dict(sorted(found.items(), key=lambda item: item[1].scenario.title))
