"""The scenario studio's glue: checking drafts with the rubric, saving them, and play-testing without a record."""

from __future__ import annotations

from typing import Any

import streamlit as st

from records import User
from records.authored import Authored
from scenarios.studio import Inspection, inspect
from scoring.scorer import Feedback, Summary, feedback, summarize
from ui import services, state

MAX_UPLOAD = 1024 * 1024


def check(text: str, source: str) -> Inspection:
    return inspect(text, services.rubric(), source=source)


def source_name(authored: Authored) -> str:
    return f"{authored.scenario_id or 'draft'}.yaml"


def _fields(inspection: Inspection) -> dict[str, Any]:
    scenario = inspection.scenario
    return {
        "name": scenario.title if scenario is not None else "Untitled draft",
        "scenario_id": scenario.id if scenario is not None else None,
        "checked_hash": inspection.loaded.content_hash if inspection.loaded is not None else None,
    }


def create(user: User, text: str, source: str = "draft.yaml") -> Authored:
    """Save text as a new draft, whatever its problems: an author never loses what they wrote or uploaded."""
    return services.store().authored.create(user, text, **_fields(check(text, source)))


def save(user: User, authored: Authored, text: str) -> Authored:
    return services.store().authored.save(user, authored.id, text, **_fields(check(text, source_name(authored))))


def decode_upload(data: bytes) -> str:
    """An uploaded file as text; a ValueError with a message for authors when it cannot be."""
    if len(data) > MAX_UPLOAD:
        raise ValueError(f"That file is {len(data) / 1024 / 1024:.1f} MiB; scenarios can be at most 1 MiB. Nothing was saved.")
    if b"\x00" in data:
        raise ValueError("That file holds binary data (NUL bytes), not YAML text. Nothing was saved.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"That file is not UTF-8 text (byte {exc.start + 1} cannot be read). Save it as UTF-8 and upload it again. "
            "Nothing was saved."
        ) from None


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


def playtest_feedback(inspection: Inspection, node_id: str, choice_id: str) -> Feedback:
    assert inspection.loaded is not None
    return feedback(inspection.loaded.scenario, node_id, choice_id, services.rubric())


def playtest_summary(inspection: Inspection, path: list[tuple[str, str]]) -> Summary:
    assert inspection.loaded is not None
    return summarize(inspection.loaded.scenario, path, services.rubric())
