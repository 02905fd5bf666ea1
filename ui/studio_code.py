"""The studio's YAML view: a code editor (streamlit-code-editor, an Ace editor) or a plain text box.

The code editor highlights YAML, numbers its lines and marks each problem of the checks in the gutter (hover a
mark for its words). Ace's own YAML checker is switched off (``useWorker``): the marks are exactly the studio's
problems, from the one gateway, not a second opinion in other words. The plain text box stays one click away: it
is what screen readers and phone keyboards handle best, and what the page's AppTests drive (a custom component is
a browser thing; AppTest cannot type into it).

Both write the same text to ``st.session_state[text_key]``, which the form, the checks and saving read.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from code_editor import code_editor

from records.authored import Authored
from scenarios.gateway import Problem
from scenarios.studio import Inspection

CODE, PLAIN = "Code editor", "Plain text box"
CHOICE_KEY = "studio_yaml_editor"  # one choice for every draft, kept for the session
EDITOR_HELP = (
    "The code editor colors the YAML, numbers its lines and marks each problem beside its line (point at a mark "
    "to read it). Your changes are checked when you click outside the editor or press Ctrl+Enter. "
    "The plain text box works best with a screen reader."
)
MONOSPACE = 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace'  # fonts already on the author's device
KEYBOARD_NOTE = "In the code editor, Tab indents. Press Esc, then Tab, to move on to the next part of the page."


def annotations(problems: list[Problem]) -> list[dict[str, Any]]:
    """Ace's gutter marks (rows and columns from 0) for problems (lines and columns from 1): one mark a problem."""
    return [
        {
            "row": max(0, problem.line - 1),
            "column": max(0, problem.column - 1),
            "type": "error" if problem.severity == "error" else "warning",
            "text": problem.message,
        }
        for problem in problems
    ]


def _code_editor(item: Authored, text_key: str, inspection: Inspection, max_chars: int) -> str:
    seen_key = f"studio_code_seen_{item.id}"
    response = code_editor(
        st.session_state[text_key],
        lang="yaml",
        height=[20, 36],  # lines: grows with the text, then scrolls
        response_mode="blur",  # and Ctrl+Enter ("submit"), always on
        allow_reset=True,  # a change from the form, Undo or Restore replaces the editor's text
        options={"wrap": True, "showLineNumbers": True, "tabSize": 2, "useSoftTabs": True},
        props={
            "annotations": annotations([*inspection.errors, *inspection.warnings]),
            "setOptions": {"useWorker": False, "enableKeyboardAccessibility": True, "fontFamily": MONOSPACE, "wrap": True},
            "fontSize": 15,
            # Ace's Chrome theme, not the component's own, which loads a font from Google's servers: an author's
            # address must not leave for a third party because they opened the studio.
            "theme": "chrome",
        },
        key=f"studio_code_{item.id}",
    )
    event = response.get("id") or ""
    if event and event != st.session_state.get(seen_key):
        st.session_state[seen_key] = event
        new_text = str(response.get("text", ""))
        if new_text != st.session_state[text_key]:
            if len(new_text) > max_chars:
                st.error(
                    f"That text is longer than a scenario may be ({max_chars:,} characters): your last change was "
                    "not taken. Shorten it, or split the scenario in two."
                )
            else:
                st.session_state[text_key] = new_text
                st.rerun()  # checked, with its marks, before anything else is drawn
    return str(st.session_state[text_key])


def edit(item: Authored, text_key: str, inspection: Inspection, max_chars: int) -> str:
    """Draw the YAML view for a draft whose text the page keeps in ``st.session_state[text_key]``; return it.

    ``inspection`` is the check of that text (the marks in the gutter)."""
    st.session_state.setdefault(CHOICE_KEY, CODE)  # not default=: tests set this state (a default and a set state would warn)
    choice = st.segmented_control("Edit the YAML in", [CODE, PLAIN], key=CHOICE_KEY, help=EDITOR_HELP)
    if choice == PLAIN:
        return str(
            st.text_area(
                "Scenario YAML",
                key=text_key,
                height=560,
                max_chars=max_chars,
                help="Checked each time you click outside the box or press Ctrl+Enter. Save to keep your changes.",
            )
        )
    st.caption(KEYBOARD_NOTE)
    return _code_editor(item, text_key, inspection, max_chars)
