"""The scenario studio's glue: checking drafts with the rubric, saving them, and play-testing without a record."""

from __future__ import annotations

from typing import Any

import streamlit as st

from records import User
from records.authored import Authored, AuthoringError
from scenarios import Problem
from scenarios.studio import Inspection, inspect
from scenarios.uploads import decode_text
from scoring.scorer import Feedback, Summary, feedback, summarize
from scoring.shuffle import new_seed
from ui import services, state

MAX_UPLOAD = 1024 * 1024
PROBLEMS_SHOWN = 50
"""At most this many problems are drawn (a hostile 777 KB file had thousands and took 24 s to draw)."""


class Unreadable(AuthoringError):
    """Text the YAML gateway cannot read at all: nothing was saved. Drafts that read but have problems are saved
    (authors work on them); this has no data to work on. ``inspection`` lists why."""

    def __init__(self, message: str, inspection: Inspection) -> None:
        super().__init__(message)
        self.inspection = inspection


def first_problems(inspection: Inspection) -> tuple[list[Problem], int]:
    """The problems to draw (errors first, then warnings; at most PROBLEMS_SHOWN) and how many more there are."""
    ordered = [*inspection.errors, *inspection.warnings]
    return ordered[:PROBLEMS_SHOWN], max(0, len(ordered) - PROBLEMS_SHOWN)


def more_problems(hidden: int) -> str:
    """The line under a shortened problem list."""
    return f"And {hidden} more problem{'s' if hidden != 1 else ''} not shown here. Fix these first; the rest appear as the list gets shorter."


@st.cache_resource(max_entries=16, show_spinner=False)
def check(text: str, source: str) -> Inspection:
    """The draft checked (scenarios.studio.inspect). Kept for the next runs: the page checks the open draft on
    every rerun, and a hostile megabyte with thousands of problems takes seconds to check. An Inspection is
    immutable and depends only on the text, its file name and the rubric, so every session may share it."""
    return inspect(text, services.rubric(), source=source)


def source_name(authored: Authored) -> str:
    return f"{authored.scenario_id or 'draft'}.yaml"


def _fields(inspection: Inspection, label: str) -> dict[str, Any]:
    """The stored name is the scenario's title when the text has one, else ``label``."""
    scenario = inspection.scenario
    return {
        "name": inspection.title or label,
        "scenario_id": scenario.id if scenario is not None else None,
        "checked_hash": inspection.loaded.content_hash if inspection.loaded is not None else None,
    }


def _problem_count(inspection: Inspection) -> str:
    count = len(inspection.errors)
    return f"{count} problem{'s' if count != 1 else ''}"


def create(user: User, text: str, source: str = "draft.yaml") -> Authored:
    """Save text as a new draft, problems and all, so an author can work on it; named by its title, or by the
    file name ``source`` when it has none. Text the YAML gateway cannot read at all is refused (Unreadable)."""
    inspection = check(text, source)
    name = source or "draft.yaml"
    if not inspection.readable:
        raise Unreadable(
            f"Not saved: {name} cannot be read as YAML, so there is no draft to keep. "
            f"Fix the {_problem_count(inspection)} listed below and upload it again.",
            inspection,
        )
    return services.store().authored.create(user, text, **_fields(inspection, name))


def save(user: User, authored: Authored, text: str, base_revision: int | None = None) -> Authored:
    """Save the draft's new text, problems and all; it keeps its name when the text has no title. Text the YAML
    gateway cannot read at all is refused (Unreadable) and the saved draft stays as it was. ``base_revision``: the
    version the editor opened; a save after someone else's is refused (records.authored.StaleDraft)."""
    inspection = check(text, source_name(authored))
    if not inspection.readable:
        raise Unreadable(
            f"Not saved: the YAML cannot be read at all ({_problem_count(inspection)}, listed under Checks). "
            "Your text is still in the box: fix the problems and save again, or download it to keep a copy.",
            inspection,
        )
    return services.store().authored.save(
        user, authored.id, text, base_revision=base_revision, **_fields(inspection, authored.name)
    )


def restore(user: User, authored: Authored, number: int) -> Authored:
    """Bring back version ``number`` of the draft as a new version, checked as a save would be (named by its title,
    or by the name it had then)."""
    authoring = services.store().authored
    old = next((r for r in authoring.history(user, authored.id) if r.number == number), None)
    if old is None:
        raise AuthoringError("There is no such version of this draft.")
    text = authoring.revision_source(user, authored.id, number)
    inspection = check(text, source_name(authored))
    return authoring.restore(user, authored.id, number, **_fields(inspection, old.name))


def decode_upload(data: bytes) -> str:
    """An uploaded file as text; a ValueError with a message for authors when it cannot be."""
    return decode_text(
        data,
        max_bytes=MAX_UPLOAD,
        limit="scenarios can be at most 1 MiB",
        binary="binary data (NUL bytes), not YAML text",
        outcome="Nothing was saved.",
    )


# ----------------------------------------------------------------- play-test
def _paths() -> dict[str, list[tuple[str, str]]]:
    paths = st.session_state.setdefault(state.STUDIO_PLAYTEST, {})
    assert isinstance(paths, dict)
    return paths


def playtest_path(content_hash: str) -> list[tuple[str, str]]:
    return _paths().setdefault(content_hash, [])


def playtest_choose(content_hash: str, node_id: str, choice_id: str) -> None:
    playtest_path(content_hash).append((node_id, choice_id))


def playtest_restart(content_hash: str) -> None:
    _paths()[content_hash] = []
    _seeds().pop(content_hash, None)


def _seeds() -> dict[str, str]:
    seeds = st.session_state.setdefault(state.STUDIO_PLAYTEST_SEEDS, {})
    assert isinstance(seeds, dict)
    return seeds


def playtest_seed(content_hash: str) -> str:
    """The order this play-test shows responses in: new for each play-test, kept for this browser session (as a
    trainee's attempt keeps its order), so the author sees what trainees will: shuffled responses."""
    return _seeds().setdefault(content_hash, new_seed())


def playtest_feedback(inspection: Inspection, node_id: str, choice_id: str) -> Feedback:
    assert inspection.loaded is not None
    return feedback(inspection.loaded.scenario, node_id, choice_id, services.rubric())


def playtest_summary(inspection: Inspection, path: list[tuple[str, str]]) -> Summary:
    assert inspection.loaded is not None
    return summarize(inspection.loaded.scenario, path, services.rubric())
