"""The scenario studio's Twine import and export (scenarios.twine): the upload of a Twine story, its import report,
and the "Export to Twine (Twee 3)" download."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import streamlit as st

from records import User
from records.authored import Authored
from scenarios.studio import Inspection
from scenarios.twine import TwineError, export_twee, import_story
from scenarios.uploads import decode_text
from ui import state, studio
from ui.render import esc

TYPES = ["twee", "tw", "html", "htm"]
"""File types the studio's upload reads as Twine stories (beside .yaml and .yml)."""
MAX_TWINE = 5 * 1024 * 1024
"""A published story carries its story format (Harlowe is about half a megabyte), so it may be larger than YAML."""
REPORTS = "peersim.studio_twine_reports"
"""Session state: draft id -> the report of the Twine import that made it (shown while that draft is open)."""


def is_twine(name: str) -> bool:
    return name.lower().rsplit(".", 1)[-1] in TYPES


def decode(data: bytes) -> str:
    """An uploaded Twine file as text; a ValueError with a message for authors when it cannot be."""
    return decode_text(
        data,
        max_bytes=MAX_TWINE,
        limit="Twine stories can be at most 5 MiB",
        binary="binary data, not a Twine story",
        outcome="Nothing was imported.",
    )


def import_upload(user: User, name: str, data: bytes, open_item: Callable[[str], Any]) -> None:
    """Import an uploaded Twine story as a new draft named by its title, keep its report for the draft, and open
    it (``open_item`` reruns the page). A file that is not a usable Twine story gets a message; nothing is saved."""
    try:
        imported = import_story(decode(data))
    except (TwineError, ValueError) as exc:
        st.error(f"{esc(name)}: {esc(str(exc))}", icon=":material/error:")
        return
    if len(imported.yaml.encode("utf-8")) > studio.MAX_UPLOAD:
        st.error(f"{esc(name)}: This story makes a draft larger than 1 MiB, more than a scenario can hold. Nothing was imported.")
        return
    try:
        created = studio.create(user, imported.yaml, f"{name.rsplit('.', 1)[0]}.yaml")
    except studio.Unreadable as exc:  # not expected: the import writes YAML the gateway reads
        st.error(f"{esc(name)}: {esc(str(exc))}", icon=":material/error:")
        return
    st.session_state.setdefault(REPORTS, {})[created.id] = imported.report
    st.session_state[state.FLASH] = (
        f"Imported the Twine story “{esc(imported.title)}” as a new draft. "
        "The import report below lists what it still needs before it can be published."
    )
    open_item(f"a:{created.id}")


def report_markdown(report: str) -> str:
    """The plain-text report as Markdown, every word as written: headings bold, its lists as lists."""
    out = []
    for line in report.splitlines():
        if line.startswith("  - "):
            out.append("    - " + esc(line[4:]))
        elif line.startswith("- "):
            out.append("- " + esc(line[2:]))
        elif line.endswith(":"):
            out.append(f"**{esc(line)}**")
        else:
            out.append(esc(line))
    return "\n".join(out)


def show_report(item: Authored) -> None:
    """The import report of a draft made from a Twine story in this session, if this is one."""
    report = st.session_state.get(REPORTS, {}).get(item.id)
    if report:
        with st.expander("Twine import report", expanded=True, icon=":material/assignment:"):
            st.markdown(report_markdown(report))


def story_ifid(item: Authored) -> str:
    """The Twine IFID of a draft: a UUID (version 5) made from the draft's number, the same at every export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://peersim.invalid/studio/draft/{item.id}")).upper()


def export_button(inspection: Inspection, item: Authored) -> None:
    """The "Export to Twine (Twee 3)" download: the draft as it is in the editor, once it fits the format."""
    scenario = inspection.scenario
    st.download_button(
        "Export to Twine (Twee 3)",
        # One IFID per draft (Twine's identity of a story), so exporting it again names the same story.
        export_twee(scenario, story_ifid(item)).encode("utf-8") if scenario is not None else b"",
        file_name=f"{scenario.id if scenario is not None else 'draft'}.twee",
        mime="text/plain",
        key=f"studio_twine_export_{item.id}",
        on_click="ignore",  # a download changes nothing on the page: no rerun
        icon=":material/account_tree:",
        disabled=scenario is None,
        help="A Twee 3 file for Twine (Harlowe 3.3): a passage for each decision point and ending, responses as "
        "links. Import it back here and nothing is lost."
        if scenario is not None
        else "Export opens once the YAML fits the scenario format. Fix the problems listed first.",
    )
