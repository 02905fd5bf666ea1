"""Rendering shared by pages: conversation bubbles, feedback, problems. All dynamic text is escaped."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scenarios import Problem
from scoring.scorer import Feedback

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:])")

VERDICTS = {
    "strongest": (":material/check_circle:", "Strong response"),
    "helpful": (":material/thumb_up:", "Helpful response"),
    "mixed": (":material/balance:", "Mixed: helpful in part"),
    "pitfall": (":material/lightbulb:", "A pitfall to learn from"),
}

KIND_LABEL = {"possibility": "Possibility", "pitfall": "Pitfall"}
KIND_ICON = {"possibility": ":material/add_circle:", "pitfall": ":material/remove_circle:"}


def esc(text: str) -> str:
    """Text shown exactly as written: Markdown and HTML characters are escaped, never interpreted."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("\n", "  \n")


def peer_says(name: str, text: str, scene: str | None = None) -> None:
    with st.chat_message("assistant", avatar=":material/person:"):
        if scene:
            st.caption(esc(scene))
        st.markdown(f"**{esc(name)}:** {esc(text)}")


def you_say(text: str) -> None:
    with st.chat_message("user", avatar=":material/record_voice_over:"):
        st.markdown(f"**You:** {esc(text)}")


def feedback(result: Feedback, *, stronger_label: str = "A stronger response") -> None:
    icon, label = VERDICTS[result.verdict]
    box = st.success if result.verdict == "strongest" else st.info if result.verdict == "helpful" else st.warning
    points = f"{result.points:+d} point{'s' if abs(result.points) != 1 else ''}"
    box(f"**{label}** ({points}; the strongest response here scores {result.best_points:+d})", icon=icon)
    for hit in result.hits:
        st.markdown(
            f"{KIND_ICON[hit.kind]} **{KIND_LABEL[hit.kind]}: {esc(hit.title)}** · {esc(hit.domain_title)}  \n{esc(hit.description)}"
        )
    st.markdown(f"**Why:** {esc(result.why)}")
    if result.stronger is not None and result.stronger.id != result.choice_id:
        st.markdown(f"**{stronger_label}:** “{esc(result.stronger.say)}”  \n{esc(result.stronger.why)}")


def problems(items: Iterable[Problem]) -> None:
    lines = [f"- `{p.line}:{p.column}` {'warning: ' if p.severity == 'warning' else ''}{esc(p.message)}" for p in items]
    if lines:
        st.markdown("\n".join(lines))


def chart_section(
    title: str,
    *,
    empty: bool,
    empty_text: str,
    figure: Callable[[], go.Figure],
    table: Callable[[], pd.DataFrame],
    key: str,
    caption: str | None = None,
) -> None:
    """A chart under its heading with the same data as a table (its text alternative), or a kind line when
    there is nothing to draw yet. ``figure`` and ``table`` are built only when there is data. ``caption`` is
    Markdown: escape any text people typed in it."""
    st.subheader(title)
    if empty:
        st.caption(empty_text)
        return
    if caption:
        st.caption(caption)
    st.plotly_chart(figure(), key=f"chart_{key}")
    with st.expander(f"{title} as a table"):
        st.table(table(), hide_index=True)  # real HTML table: screen readers read it (st.dataframe is a canvas)
