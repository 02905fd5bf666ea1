"""Plotly figures built from the pattern frames; pages only display them.

Built with ``plotly.graph_objects`` (about 1 ms a figure, against about 20 ms for plotly.express).
Pitfall and possibility are never told apart by colour alone: they differ in marker shape, line dash and bar
pattern too, and every trace is named in the legend. Colours are from the Okabe-Ito colour-blind-safe set.

Every figure fits a 390 px phone as well as a laptop: the legend lies flat under the plot (never at the top
right, where Plotly's mode bar would cover it; the pages turn the mode bar off as well, ``ui.render.show_chart``),
long category labels wrap onto short lines at spaces (the whole label stays in the data, so the hover shows it),
week columns are labelled by their date under an axis title "Week of", text written beside a bar gets a right
margin wide enough for it, and the axes do not zoom or pan (a finger scrolling the page must not drag the chart).
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from scoring.cohort import KIND_LABELS

POSSIBILITY_COLOUR = "#0072B2"  # blue
PITFALL_COLOUR = "#D55E00"  # vermillion
EARLIER_COLOUR = "#999999"
SCORE_COLOUR = "#009E73"  # bluish green
SERIES_COLOURS = ("#009E73", "#0072B2", "#CC79A7", "#D55E00", "#56B4E9", "#E69F00", "#000000", "#999999")
"""Okabe-Ito colours for one line per scenario (with a marker shape each: colour is never the only cue)."""
FONT = {"family": "Source Sans Pro, Arial, sans-serif", "size": 14}
TEXT_COLOUR = "#0b0d12"
"""The app's text colour (.streamlit/config.toml): tick labels, legends and the counts written in heatmap cells."""
TICK_FONT = {"size": 13, "color": TEXT_COLOUR}
LEGEND = {"orientation": "h", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom", "yref": "container", "font": TICK_FONT}
"""Flat, under the plot, at the bottom left of the figure: Plotly keeps room for it below the x axis (a legend
placed by the figure's own height, ``yref="container"``, reserves its margin), and nothing else is drawn there."""
MARGIN = {"l": 8, "r": 8, "t": 16, "b": 8}
"""Small fixed margins: the axes' own labels widen them as needed (``automargin``)."""
LABEL_WIDTH = 18
"""Characters per line of a category label: about 125 px at 13 px, leaving a phone most of its width to plot."""
CHAR_PX = 7.5
"""About the widest average width of a character at 13 px in the app's font, for the room text beside a bar needs."""


def plain(text: str) -> str:
    """Text that people typed (a scenario's title, a response, a name), safe in a Plotly label or hover: Plotly
    renders a little HTML there (<a href>, <b>, <br>, <span style>), so the markup characters become entities,
    which it shows as the characters themselves."""
    return html.escape(text, quote=False)


def wrap_label(text: str, width: int = LABEL_WIDTH, lines: int = 3) -> str:
    """A category label for an axis: broken at spaces into lines of about ``width`` characters (Plotly's ``<br>``),
    at most ``lines`` of them (the last ends with "…" when the label is longer). The text is escaped line by line
    (``plain``), so nothing in it is read as markup. The whole label stays the data value, which the hover shows."""
    parts = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    if len(parts) > lines:
        parts = [*parts[: lines - 1], shorten_title(" ".join(parts[lines - 1 :]), width)]
    return "<br>".join(plain(part) for part in parts)


def week_ticks(weeks: Iterable[Any]) -> tuple[list[str], list[str]]:
    """The week columns' values ("Week of 02 Nov", as in the tables and the hover) and their short tick labels
    ("02 Nov"), shown under the axis title "Week of"."""
    days = list(weeks)
    return [f"Week of {w:%d %b}" for w in days], [f"{w:%d %b}" for w in days]


def _category_ticks(values: Sequence[str], labels: Sequence[str]) -> dict[str, object]:
    """Axis settings that show ``labels`` for the category ``values`` (the values stay what the hover shows)."""
    return {"tickmode": "array", "tickvals": list(values), "ticktext": list(labels)}


def _text_room(texts: Iterable[object]) -> int:
    """The right margin (px) that text written outside the longest bar needs."""
    longest = max((len(str(t)) for t in texts), default=0)
    return math.ceil(12 + CHAR_PX * longest)


def _layout(fig: go.Figure, title: str, *, height: int = 360) -> go.Figure:
    """Shared look. The title is kept as metadata (pages show their own heading above the chart)."""
    fig.update_layout(
        meta={"title": title},
        font=FONT,
        height=height,
        margin=MARGIN,
        legend=LEGEND,
        plot_bgcolor="white",
        paper_bgcolor="white",
        dragmode=False,
        hoverlabel={"font": TICK_FONT, "bgcolor": "white", "align": "left"},
    )
    axis = {
        "linecolor": "#444",
        "automargin": True,
        "fixedrange": True,
        "tickfont": TICK_FONT,
        "title_font": {"size": 14, "color": TEXT_COLOUR},
    }
    fig.update_xaxes(showgrid=False, **axis)
    fig.update_yaxes(gridcolor="#e5e5e5", **axis)
    return fig


SCENARIO_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star", "x", "hexagon")
"""Each scenario's markers have their own shape as well as their own colour, so nothing depends on colour alone."""


SCORE_TEXT_LIMIT = 6
"""Up to this many finished attempts, each point has its score written above it; beyond, the writing would
overlap on a phone, and the score is in the hover and the table."""


def score_chart(scores: pd.DataFrame) -> go.Figure:
    """Score per finished attempt, in order (the x axis counts attempts: "1", "2", ...), one trace per scenario:
    a line joins only the attempts of the same scenario, so a retry shows its change and two different scenarios
    are never drawn as one trend. The legend names each scenario (under the chart, where it fits a phone)."""
    fig = go.Figure()
    numbers = list(range(1, len(scores) + 1))
    order = list(dict.fromkeys(str(t) for t in scores["title"]))
    written = len(numbers) <= SCORE_TEXT_LIMIT
    for index, title in enumerate(order):
        rows = [i for i, t in enumerate(scores["title"]) if str(t) == title]
        fig.add_trace(
            go.Scatter(
                x=[numbers[i] for i in rows],
                y=[int(scores["score"].iloc[i]) for i in rows],
                mode="lines+markers+text" if written else "lines+markers",
                name=plain(shorten_title(title)),
                line={"color": SERIES_COLOURS[index % len(SERIES_COLOURS)], "width": 2},
                marker={"size": 10, "symbol": SCENARIO_SYMBOLS[index % len(SCENARIO_SYMBOLS)]},
                text=[f"{int(scores['score'].iloc[i])}%" for i in rows],
                textposition="top center",
                textfont=TICK_FONT,
                customdata=[
                    f"{plain(title)} ({scores['mode'].iloc[i]}) · {scores['finished_at'].iloc[i]:%d %b %Y}" for i in rows
                ],
                hovertemplate="Attempt %{x}: %{customdata}<br>Score %{y}%<extra></extra>",
            )
        )
    fig.update_yaxes(title="Score (%)", range=[0, 110], tickvals=[0, 25, 50, 75, 100])
    step = max(1, math.ceil(len(numbers) / 8))  # at most about eight numbers under the axis: they fit a phone
    fig.update_xaxes(title="Finished attempts, in order", tickmode="linear", tick0=1, dtick=step, range=[0.5, len(numbers) + 0.5])
    fig = _layout(fig, "Score per attempt", height=380)
    fig.update_layout(showlegend=True)
    return fig


def shorten_title(title: str, width: int = 36) -> str:
    """A scenario title short enough for a legend on a phone."""
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


HEAT_SCALE = [[0, "#ffffff"], [1, PITFALL_COLOUR]]
"""White (none) to vermillion (the most in the table). The counts are written in the app's near-black text on
every cell: it reads at 5:1 or more from the palest to the deepest cell (Plotly's own choice was white on the deep
cells, about 3.9:1, and the only colour when every count is the same)."""


def pitfall_heatmap(table: pd.DataFrame) -> go.Figure:
    """Pitfalls (rows) by week (columns); the count is written in every cell, not only shown by shade."""
    weeks, ticks = week_ticks(table.columns)
    rows = [plain(str(row)) for row in table.index]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy().tolist(),
            x=weeks,
            y=rows,
            colorscale=HEAT_SCALE,
            zmin=0,
            zmax=max(1, int(table.to_numpy().max())) if table.size else 1,
            text=table.to_numpy().tolist(),
            texttemplate="%{text}",
            textfont={"size": 14, "color": TEXT_COLOUR},
            hovertemplate="%{y}<br>%{x}: %{z} time(s)<extra></extra>",
            showscale=False,  # every cell states its count
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", gridcolor="white", **_category_ticks(rows, [wrap_label(str(r)) for r in table.index]))
    fig.update_xaxes(title="Week of", side="bottom", **_category_ticks(weeks, ticks))
    return _layout(fig, "Pitfalls per week", height=max(280, 110 + 40 * len(table.index)))


def balance_chart(balance: pd.DataFrame) -> go.Figure:
    """Possibilities shown versus pitfalls hit, per week."""
    weeks, ticks = week_ticks(balance["week"])
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=weeks,
            y=balance["possibilities"].tolist(),
            name="Possibilities shown",
            mode="lines+markers",
            line={"color": POSSIBILITY_COLOUR, "width": 2, "dash": "solid"},
            marker={"symbol": "circle", "size": 10},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=weeks,
            y=balance["pitfalls"].tolist(),
            name="Pitfalls hit",
            mode="lines+markers",
            line={"color": PITFALL_COLOUR, "width": 2, "dash": "dash"},
            marker={"symbol": "x", "size": 10},
        )
    )
    fig.update_xaxes(type="category", title="Week of", **_category_ticks(weeks, ticks))
    fig.update_yaxes(title="How many", rangemode="tozero", dtick=1 if _peak(balance) <= 10 else None)
    return _layout(fig, "Possibilities versus pitfalls", height=380)


def _peak(balance: pd.DataFrame) -> int:
    if balance.empty:
        return 0
    return int(max(balance["possibilities"].max(), balance["pitfalls"].max()))


def domain_chart(profile: pd.DataFrame) -> go.Figure:
    """Per domain, the share of possibilities among the criteria hit: earlier attempts beside recent ones."""
    fig = go.Figure()
    styles = {"Earlier": (EARLIER_COLOUR, "/"), "Recent": (POSSIBILITY_COLOUR, "")}
    written: list[str] = []
    for period in ("Earlier", "Recent"):
        rows = profile[profile["period"] == period]
        if rows.empty:
            continue
        colour, pattern = styles[period]
        text = [f"{s}% of {c}" for s, c in zip(rows["share"], rows["count"], strict=True)]
        written += text
        fig.add_trace(
            go.Bar(
                y=rows["domain_title"].tolist(),
                x=rows["share"].tolist(),
                name=f"{period} attempts",
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=text,
                textposition="outside",
                textfont=TICK_FONT,
                cliponaxis=False,
                hovertemplate="%{y}: %{x}% possibilities<extra>" + period + "</extra>",
            )
        )
    titles = list(dict.fromkeys(str(t) for t in profile["domain_title"])) if not profile.empty else []
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Share of possibilities (%)", range=[0, 100], tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(autorange="reversed", **_category_ticks(titles, [wrap_label(t) for t in titles]))
    fig = _layout(fig, "Domain profile: earlier versus recent", height=max(300, 130 + 56 * max(1, len(titles))))
    fig.update_layout(margin={**MARGIN, "r": _text_room(written)})
    return fig


# ---------------------------------------------------------------------------------- the class dashboard
def class_pitfall_heatmap(table: pd.DataFrame) -> go.Figure:
    """The class's pitfalls (rows: criterion titles) by week: how often anyone in the cohort hit each."""
    fig = pitfall_heatmap(table)
    fig.update_traces(hovertemplate="%{y}<br>%{x}: %{z} time(s) in the class<extra></extra>")
    fig.update_layout(meta={"title": "The class's pitfalls per week"})
    return fig


def class_domain_chart(profile: pd.DataFrame) -> go.Figure:
    """Per curriculum domain, possibilities shown beside pitfalls hit by the class. The two differ in colour,
    bar pattern and the words written on every bar."""
    fig = go.Figure()
    written: list[str] = []
    for column, name, colour, pattern, word, one in (
        ("possibilities", "Possibilities shown", POSSIBILITY_COLOUR, "", "possibilities", "possibility"),
        ("pitfalls", "Pitfalls hit", PITFALL_COLOUR, "x", "pitfalls", "pitfall"),
    ):
        text = [f"{n} {one if n == 1 else word}" for n in profile[column]]
        written += text
        fig.add_trace(
            go.Bar(
                y=profile["domain_title"].tolist(),
                x=profile[column].tolist(),
                name=name,
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=text,
                textposition="outside",
                textfont=TICK_FONT,
                cliponaxis=False,
                hovertemplate="%{y}<br>" + name + ": %{x}<extra></extra>",
            )
        )
    peak = int(max(profile["possibilities"].max(), profile["pitfalls"].max())) if not profile.empty else 1
    titles = [str(t) for t in profile["domain_title"]]
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Times in the class's choices", range=[0, max(1, peak)])
    fig.update_yaxes(autorange="reversed", **_category_ticks(titles, [wrap_label(t) for t in titles]))
    fig = _layout(fig, "The class's domain profile", height=max(300, 130 + 60 * max(1, len(profile))))
    fig.update_layout(margin={**MARGIN, "r": _text_room(written)})
    return fig


def choice_chart(choices: pd.DataFrame, title: str) -> go.Figure:
    """One decision point: the share of first-attempt trainees choosing each response, beside the share of all
    attempts' choices. Each response's label starts with its kind in words (Strongest, Pitfall, ...); the axis
    shows it on up to four short lines, the hover in full."""
    raw = [f"{KIND_LABELS[k]}: {text}" for k, text in zip(choices["kind"], choices["label"], strict=True)]
    labels = [plain(label) for label in raw]
    fig = go.Figure()
    written: list[str] = []
    for count, share, name, colour, pattern in (
        ("first_attempts", "first_share", "First attempts (trainees)", SCORE_COLOUR, ""),
        ("all_attempts", "all_share", "All attempts (choices)", EARLIER_COLOUR, "/"),
    ):
        shares = [0 if s is None or pd.isna(s) else s for s in choices[share]]
        text = [f"{n} ({s:g}%)" for n, s in zip(choices[count], shares, strict=True)]
        written += text
        fig.add_trace(
            go.Bar(
                y=labels,
                x=shares,
                name=name,
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=text,
                textposition="outside",
                textfont=TICK_FONT,
                cliponaxis=False,
                hovertemplate="%{y}<br>%{x}%<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Share (%)", range=[0, 100], tickvals=[0, 25, 50, 75, 100])
    fig.update_yaxes(autorange="reversed", **_category_ticks(labels, [wrap_label(r, 22, lines=4) for r in raw]))
    fig = _layout(fig, title, height=max(280, 130 + 84 * max(1, len(choices))))
    fig.update_layout(margin={**MARGIN, "r": _text_room(written)})
    return fig
