"""Rendering shared by pages: conversation bubbles, feedback, problems. All dynamic text is escaped.

Text people typed (names, emails, cohort names, scenario titles, choices, feedback) goes through `esc` before any
Streamlit element that reads Markdown, and a table shown with `st.table` goes through `esc_frame`. See `esc`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from scoring.scorer import Feedback

# Every ASCII punctuation character that starts Markdown syntax in Streamlit (CommonMark, GFM, its :color[...]
# directives, $math$, HTML, &entities;): a backslash escape makes each one plain text. A "=" matters only at the
# start of a line (a setext heading underline); quotes, commas and the like never start anything.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<$:&])|(?<![^\n])([ \t]*)(=)")
# Streamlit rewrites some text *after* Markdown parsing, where a backslash no longer helps: `:smile:` emoji,
# `:material_x:` icons, the `:streamlit:` logo, `->`/`--`/`>=` arrows and dashes, and bare `http://` or `www.`
# addresses (made into links by GFM). An invisible U+2060 WORD JOINER inside each such sequence stops them.
WORD_JOINER = "\u2060"
_JOIN_AFTER = re.compile(r"(?<=:)(?=\S)|(?<=[-<>~])(?=[->=])|(?<=www)(?=\.)", re.IGNORECASE)
_LEADING_SPACE = re.compile(r"^[ \t]+", re.MULTILINE)

VERDICTS = {
    "strongest": (":material/check_circle:", "Strong response"),
    "helpful": (":material/thumb_up:", "Helpful response"),
    "mixed": (":material/balance:", "Mixed: helpful in part"),
    "pitfall": (":material/lightbulb:", "A pitfall to learn from"),
}

VERDICT_MEANS = {
    "strongest": "among the strongest responses at this point.",
    "helpful": "a sound response, and there is a stronger one here.",
    "mixed": "it helps in part and also falls into a pitfall.",
    "pitfall": "it falls into a pitfall. The feedback below shows a stronger way.",
}
"""What each quality means, in words (the score follows it: scoring.scorer)."""

SCORE_HELP = (
    "Each decision earns credit by the response you chose: among the strongest 1, helpful 2/3, helpful in part "
    "1/3, a pitfall 0. A response that falls into a pitfall also counts as one more decision, so every pitfall "
    "lowers the score. Only your first decision at each point counts. Choosing a strongest response at every "
    "point scores 100%, whatever route the conversation takes."
)

KIND_LABEL = {"possibility": "Possibility", "pitfall": "Pitfall"}
KIND_ICON = {"possibility": ":material/add_circle:", "pitfall": ":material/remove_circle:"}


def esc(text: object) -> str:
    """Text shown exactly as written, never interpreted: the one helper for user- or author-supplied text.

    Use it for every string people typed (names, emails, cohort names, scenario titles, summaries, choices,
    feedback, file names, error messages that quote them) that goes into a Streamlit element which reads
    Markdown. In Streamlit 1.67 that is: `st.markdown`, `st.write` of a string, `st.title`/`header`/`subheader`/
    `caption`, `st.success`/`info`/`warning`/`error`/`toast`, the label of every widget, button, download and link
    button, `st.page_link`, expander, tab, popover and `st.status`, `help=` tooltips, `st.radio` options (and
    `captions`), `st.metric` label, value and delta, `st.progress` text, and every header and cell of `st.table`
    (use `esc_frame` for a whole table). Images, links, emphasis, `:red[...]`, `$math$`, HTML and headings then
    show as the characters typed, so nobody's browser fetches anything a name points to.

    Do NOT use it where Streamlit shows plain text, or the backslashes would show: `st.dataframe` cells and
    headers (a canvas; only a `MarkdownColumn` would read Markdown), `st.selectbox`/`st.multiselect` options and
    `format_func`, `placeholder=`, `value=` of inputs, `st.text`, `st.code`, `st.json`, plotly figures, and file
    contents of `st.download_button` (see `records.csv_safety` for CSV files).

    Besides backslash escapes, an invisible U+2060 WORD JOINER (`WORD_JOINER`) is put inside `:word:`, `->`,
    `--`, `>=`, `://` and `www.`, which Streamlit would otherwise turn into emoji, icons, arrows or links after
    parsing; leading spaces become no-break spaces (no code blocks) and line breaks stay line breaks. Email
    addresses are left whole (GFM shows them as mailto links of the same text) so they copy correctly.
    `None` gives an empty string; other values are shown as `str(value)`."""
    if text is None:
        return ""
    plain = str(text).replace("\r\n", "\n").replace("\r", "\n")
    joined = _JOIN_AFTER.sub(WORD_JOINER, plain)
    escaped = _MARKDOWN_SPECIAL.sub(lambda m: "\\" + m.group(1) if m.group(1) else m.group(2) + "\\=", joined)
    escaped = _LEADING_SPACE.sub(lambda m: "\u00a0" * len(m.group(0).expandtabs(4)), escaped)
    return escaped.replace("\n", "  \n")


def esc_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for `st.table`, which renders every header and cell as Markdown: text cells, column
    names and a text index go through `esc`; numbers, dates and missing values stay as they are (so they keep
    their formatting). Not for `st.dataframe`, which shows cells as plain text."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(lambda v: esc(v) if isinstance(v, str) else v)
    out.columns = pd.Index([esc(c) if isinstance(c, str) else c for c in out.columns])
    if out.index.dtype == object:
        out.index = pd.Index([esc(i) if isinstance(i, str) else i for i in out.index], name=out.index.name)
    return out


def text_table(data: pd.DataFrame | Iterable[Mapping[str, object]], *, hide_index: bool | None = None) -> None:
    """`st.table` with every text header and cell shown as typed (`esc_frame`): use it instead of `st.table`."""
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(list(data))
    st.table(esc_frame(frame), hide_index=hide_index)


def peer_says(name: str, text: str, scene: str | None = None) -> None:
    # Named for the peer: screen readers announce "Chat message from Sam" (Streamlit's aria-label), never
    # "assistant". The trainee's own lines keep the name "user", which gives them their tinted background.
    with st.chat_message(name, avatar=":material/person:"):
        if scene:
            st.caption(esc(scene))
        st.markdown(f"**{esc(name)}:** {esc(text)}")


def you_say(text: str) -> None:
    with st.chat_message("user", avatar=":material/record_voice_over:"):
        st.markdown(f"**You:** {esc(text)}")


def feedback(result: Feedback, *, stronger_label: str = "A stronger response") -> None:
    icon, label = VERDICTS[result.verdict]
    box = st.success if result.verdict == "strongest" else st.info if result.verdict == "helpful" else st.warning
    box(f"**{label}:** {VERDICT_MEANS[result.verdict]}", icon=icon)
    for hit in result.hits:
        st.markdown(
            f"{KIND_ICON[hit.kind]} **{KIND_LABEL[hit.kind]}: {esc(hit.title)}** · {esc(hit.domain_title)}  \n{esc(hit.description)}"
        )
    st.markdown(f"**Why:** {esc(result.why)}")
    if result.stronger is not None and result.stronger.id != result.choice_id:
        st.markdown(f"**{stronger_label}:** “{esc(result.stronger.say)}”  \n{esc(result.stronger.why)}")


CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False, "displaylogo": False}
"""Plotly's options for every chart (st.plotly_chart ``config``): no mode bar, which on a phone sits over the top
of the chart and its legend, and stays shown after a tap; no zooming by scrolling, so the page scrolls. The
figures themselves do not zoom or pan (scoring.charts), and each has its data in a table beside it."""


def show_chart(figure: go.Figure, *, key: str, alt: str) -> None:
    """A Plotly figure at the width of the page, without the mode bar; ``alt`` names it for screen readers
    (fixed text: Streamlit sets it as the chart's accessible name)."""
    st.plotly_chart(figure, key=key, config=CHART_CONFIG, alt=alt, width="stretch")


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
    there is nothing to draw yet. ``figure`` and ``table`` are built only when there is data; the table's text is
    escaped here. ``caption`` is Markdown: escape any text people typed in it."""
    st.subheader(title)
    if empty:
        st.caption(empty_text)
        return
    if caption:
        st.caption(caption)
    show_chart(figure(), key=f"chart_{key}", alt=title)
    with st.expander(f"{title} as a table"):
        text_table(table(), hide_index=True)  # real HTML table: screen readers read it (st.dataframe is a canvas)
