"""Plotly figures built from the pattern frames; pages only display them.

Built with ``plotly.graph_objects`` (about 1 ms a figure, against about 20 ms for plotly.express).
Pitfall and possibility are never told apart by colour alone: they differ in marker shape, line dash and bar
pattern too, and every trace is named in the legend. Colours are from the Okabe-Ito colour-blind-safe set.
"""

from __future__ import annotations

import html

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


def plain(text: str) -> str:
    """Text that people typed (a scenario's title, a response, a name), safe in a Plotly label or hover: Plotly
    renders a little HTML there (<a href>, <b>, <br>, <span style>), so the markup characters become entities,
    which it shows as the characters themselves."""
    return html.escape(text, quote=False)


def _layout(fig: go.Figure, title: str, *, height: int = 360) -> go.Figure:
    """Shared look. The title is kept as metadata (pages show their own heading above the chart)."""
    fig.update_layout(
        meta={"title": title},
        font=FONT,
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False, linecolor="#444", automargin=True)
    fig.update_yaxes(gridcolor="#e5e5e5", linecolor="#444", automargin=True)
    return fig


SCENARIO_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "star", "x", "hexagon")
"""Each scenario's markers have their own shape as well as their own colour, so nothing depends on colour alone."""


def score_chart(scores: pd.DataFrame) -> go.Figure:
    """Score per finished attempt, in order (the x axis counts attempts: "1", "2", ...), one trace per scenario:
    a line joins only the attempts of the same scenario, so a retry shows its change and two different scenarios
    are never drawn as one trend. The legend names each scenario (under the chart, where it fits a phone)."""
    fig = go.Figure()
    numbers = list(range(1, len(scores) + 1))
    order = list(dict.fromkeys(str(t) for t in scores["title"]))
    for index, title in enumerate(order):
        rows = [i for i, t in enumerate(scores["title"]) if str(t) == title]
        fig.add_trace(
            go.Scatter(
                x=[numbers[i] for i in rows],
                y=[int(scores["score"].iloc[i]) for i in rows],
                mode="lines+markers+text",
                name=plain(shorten_title(title)),
                line={"color": SERIES_COLOURS[index % len(SERIES_COLOURS)], "width": 2},
                marker={"size": 10, "symbol": SCENARIO_SYMBOLS[index % len(SCENARIO_SYMBOLS)]},
                text=[f"{int(scores['score'].iloc[i])}%" for i in rows],
                textposition="top center",
                customdata=[
                    f"{plain(title)} ({scores['mode'].iloc[i]}) · {scores['finished_at'].iloc[i]:%d %b %Y}" for i in rows
                ],
                hovertemplate="Attempt %{x}: %{customdata}<br>Score %{y}%<extra></extra>",
            )
        )
    fig.update_yaxes(title="Score (%)", range=[0, 110])
    fig.update_xaxes(title="Finished attempts, in order", tickmode="array", tickvals=numbers, range=[0.5, len(numbers) + 0.5])
    fig = _layout(fig, "Score per attempt")
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0}, showlegend=True)
    return fig


def shorten_title(title: str, width: int = 36) -> str:
    """A scenario title short enough for a legend on a phone."""
    return title if len(title) <= width else title[: width - 1].rstrip() + "…"


def pitfall_heatmap(table: pd.DataFrame) -> go.Figure:
    """Pitfalls (rows) by week (columns); the count is written in every cell, not only shown by shade."""
    weeks = [f"Week of {w:%d %b}" for w in table.columns]
    fig = go.Figure(
        go.Heatmap(
            z=table.to_numpy().tolist(),
            x=weeks,
            y=[plain(str(row)) for row in table.index],
            colorscale=[[0, "#ffffff"], [1, PITFALL_COLOUR]],
            zmin=0,
            text=table.to_numpy().tolist(),
            texttemplate="%{text}",
            hovertemplate="%{y}<br>%{x}: %{z} time(s)<extra></extra>",
            showscale=False,  # every cell states its count
            xgap=2,
            ygap=2,
        )
    )
    fig.update_yaxes(autorange="reversed", gridcolor="white")
    return _layout(fig, "Pitfalls per week", height=max(260, 70 + 36 * len(table.index)))


def balance_chart(balance: pd.DataFrame) -> go.Figure:
    """Possibilities shown versus pitfalls hit, per week."""
    weeks = [f"Week of {w:%d %b}" for w in balance["week"]]
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
    fig.update_xaxes(type="category")
    fig.update_yaxes(title="How many", rangemode="tozero", dtick=1 if _peak(balance) <= 10 else None)
    return _layout(fig, "Possibilities versus pitfalls")


def _peak(balance: pd.DataFrame) -> int:
    if balance.empty:
        return 0
    return int(max(balance["possibilities"].max(), balance["pitfalls"].max()))


def domain_chart(profile: pd.DataFrame) -> go.Figure:
    """Per domain, the share of possibilities among the criteria hit: earlier attempts beside recent ones."""
    fig = go.Figure()
    styles = {"Earlier": (EARLIER_COLOUR, "/"), "Recent": (POSSIBILITY_COLOUR, "")}
    for period in ("Earlier", "Recent"):
        rows = profile[profile["period"] == period]
        if rows.empty:
            continue
        colour, pattern = styles[period]
        fig.add_trace(
            go.Bar(
                y=rows["domain_title"].tolist(),
                x=rows["share"].tolist(),
                name=f"{period} attempts",
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=[f"{s}% of {c}" for s, c in zip(rows["share"], rows["count"], strict=True)],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x}% possibilities<extra>" + period + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Share of possibilities (%)", range=[0, 125], tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_yaxes(autorange="reversed")
    domains = profile["domain_title"].nunique() if not profile.empty else 1
    return _layout(fig, "Domain profile: earlier versus recent", height=max(280, 90 + 52 * domains))


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
    for column, name, colour, pattern, word in (
        ("possibilities", "Possibilities shown", POSSIBILITY_COLOUR, "", "possibilities"),
        ("pitfalls", "Pitfalls hit", PITFALL_COLOUR, "x", "pitfalls"),
    ):
        fig.add_trace(
            go.Bar(
                y=profile["domain_title"].tolist(),
                x=profile[column].tolist(),
                name=name,
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=[f"{n} {word}" for n in profile[column]],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}: %{x} " + word + "<extra></extra>",
            )
        )
    peak = int(max(profile["possibilities"].max(), profile["pitfalls"].max())) if not profile.empty else 1
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Times in the class's choices", range=[0, peak * 1.35 + 1])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "The class's domain profile", height=max(280, 90 + 60 * max(1, len(profile))))


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def choice_chart(choices: pd.DataFrame, title: str) -> go.Figure:
    """One decision point: the share of first-attempt trainees choosing each response, beside the share of all
    attempts' choices. Each response's label starts with its kind in words (Strongest, Pitfall, ...)."""
    labels = [f"{KIND_LABELS[k]}: {plain(_short(str(text)))}" for k, text in zip(choices["kind"], choices["label"], strict=True)]
    fig = go.Figure()
    for count, share, name, colour, pattern in (
        ("first_attempts", "first_share", "First attempts (trainees)", SCORE_COLOUR, ""),
        ("all_attempts", "all_share", "All attempts (choices)", EARLIER_COLOUR, "/"),
    ):
        shares = [0 if s is None or pd.isna(s) else s for s in choices[share]]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=shares,
                name=name,
                orientation="h",
                marker={"color": colour, "pattern": {"shape": pattern}},
                text=[f"{n} ({s:g}%)" for n, s in zip(choices[count], shares, strict=True)],
                textposition="outside",
                cliponaxis=False,
                hovertemplate="%{y}<br>%{x}%<extra>" + name + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(title="Share (%)", range=[0, 135], tickvals=[0, 20, 40, 60, 80, 100])
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, title, height=max(260, 90 + 70 * max(1, len(choices))))
