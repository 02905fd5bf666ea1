"""The charts' layout, which decides whether they read on a 390 px phone: the legend flat under the plot (never at the
top right, under Plotly's mode bar), margins that fit, long labels wrapped with the whole label in the hover, text
beside a bar with room for it, counts readable on every heatmap cell, and the pages drawing every chart without the
mode bar. The browser test of the same (bounding boxes on a phone) is tests/browser/test_phone_charts.py."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import pytest

from scoring import charts, default_rubric, patterns
from scoring.charts import LEGEND, MARGIN, TEXT_COLOUR, wrap_label
from tests.helpers import app_for, play, session_for
from tests.test_patterns import ATTEMPTS, HITS

RUBRIC = default_rubric()
WEEKS = [date(2026, 11, 2), date(2026, 11, 9)]


def one_week(counts: dict[str, int]) -> pd.DataFrame:
    """A pitfall table of one week (one column), as patterns.pitfalls_by_week makes it."""
    return pd.DataFrame({date(2026, 11, 2): counts}).rename_axis("pitfall")


def choices_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kind": ["strongest", "pitfall"],
            "label": [
                "You keep coming back to it, and you're not sure yet.",
                "With your hours, maybe wait a year. Here's what you should do instead.",
            ],
            "first_attempts": [4, 2],
            "first_share": [66.7, 33.3],
            "all_attempts": [12, 3],
            "all_share": [80.0, 20.0],
        }
    )


def class_profile() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "domain": ["readiness", "relationship"],
            "domain_title": ["Readiness and timing", "Relationship and boundaries"],
            "possibilities": [12, 1],
            "pitfalls": [1, 0],
            "count": [13, 1],
            "share": [92, 100],
        }
    )


FIGURES = {
    "score": lambda: charts.score_chart(patterns.score_over_time(ATTEMPTS)),
    "pitfall heatmap": lambda: charts.pitfall_heatmap(patterns.pitfalls_by_week(HITS, RUBRIC)),
    "balance": lambda: charts.balance_chart(patterns.balance_by_week(HITS, RUBRIC)),
    "domains": lambda: charts.domain_chart(patterns.domain_profile(HITS, RUBRIC)),
    "class heatmap": lambda: charts.class_pitfall_heatmap(patterns.pitfalls_by_week(HITS, RUBRIC)),
    "class domains": lambda: charts.class_domain_chart(class_profile()),
    "choices": lambda: charts.choice_chart(choices_frame(), "Choices at open"),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_every_legend_lies_flat_under_the_plot_and_nothing_zooms(name):
    layout = FIGURES[name]().layout
    legend = layout.legend
    # Horizontal, at the bottom left of the whole figure (which reserves room for it under the x axis): far from
    # the top right, where Plotly's mode bar sits.
    assert (legend.orientation, legend.x, legend.xanchor, legend.y, legend.yanchor, legend.yref) == (
        "h",
        0,
        "left",
        0,
        "bottom",
        "container",
    )
    assert legend.font.size == 13 and legend.font.color == TEXT_COLOUR
    assert (layout.margin.l, layout.margin.t, layout.margin.b) == (8, 16, 8)
    assert layout.dragmode is False  # a finger scrolling the page never drags the chart
    assert layout.xaxis.fixedrange and layout.yaxis.fixedrange
    assert layout.xaxis.automargin and layout.yaxis.automargin  # the tick labels widen the margins they need
    assert layout.xaxis.tickfont.size == layout.yaxis.tickfont.size == 13
    assert layout.xaxis.title.font.color == layout.yaxis.title.font.color == TEXT_COLOUR


def test_the_shared_layout_values():
    assert LEGEND == {
        "orientation": "h",
        "x": 0,
        "xanchor": "left",
        "y": 0,
        "yanchor": "bottom",
        "yref": "container",
        "font": {"size": 13, "color": "#0b0d12"},
    }
    assert MARGIN == {"l": 8, "r": 8, "t": 16, "b": 8}


@pytest.mark.parametrize(
    ("text", "wrapped"),
    [
        ("Goal setting", "Goal setting"),
        ("Holding back a peer who is ready", "Holding back a<br>peer who is ready"),
        ("Relationship and boundaries", "Relationship and<br>boundaries"),
        ("Support from you, the work from them", "Support from you,<br>the work from them"),
        ("<b>Rosa</b> & me, and a & b", "&lt;b&gt;Rosa&lt;/b&gt; &amp; me,<br>and a &amp; b"),  # escaped per line: inert
        ("", ""),
    ],
)
def test_labels_wrap_at_spaces_and_stay_inert(text, wrapped):
    assert wrap_label(text) == wrapped


def test_a_label_longer_than_its_lines_ends_with_an_ellipsis():
    label = "Mixed (helpful in part, with a pitfall): I hear you. You should start with the math test."
    assert (
        wrap_label(label, 22, lines=4)
        == "Mixed (helpful in<br>part, with a pitfall):<br>I hear you. You should<br>start with the math t…"
    )


def unwrapped(ticktext: str) -> str:
    return ticktext.replace("<br>", " ")


def test_every_domain_is_named_in_full_in_the_hover_and_the_ticks():
    fig = charts.domain_chart(patterns.domain_profile(HITS, RUBRIC))
    titles = ["Readiness and timing", "Self-determination", "Goal setting", "Relationship and boundaries"]
    # The hover shows the data value (%{y}): the whole title.
    assert all(t.hovertemplate.startswith("%{y}: ") for t in fig.data)
    assert sorted({y for t in fig.data for y in t.y}) == sorted(titles)
    axis = fig.layout.yaxis
    assert list(axis.tickvals) == titles
    assert list(axis.ticktext) == [
        "Readiness and<br>timing",
        "Self-determination",
        "Goal setting",
        "Relationship and<br>boundaries",
    ]
    assert [unwrapped(t) for t in axis.ticktext] == titles  # every word of every title on the axis
    assert (list(fig.layout.xaxis.range), list(fig.layout.xaxis.tickvals)) == ([0, 100], [0, 25, 50, 75, 100])


def test_the_class_domain_chart_names_every_domain_in_full():
    fig = charts.class_domain_chart(class_profile())
    assert [unwrapped(t) for t in fig.layout.yaxis.ticktext] == ["Readiness and timing", "Relationship and boundaries"]
    assert list(fig.data[0].y) == ["Readiness and timing", "Relationship and boundaries"]
    assert fig.data[0].hovertemplate == "%{y}<br>Possibilities shown: %{x}<extra></extra>"
    assert list(fig.data[0].text) == ["12 possibilities", "1 possibility"]
    assert list(fig.data[1].text) == ["1 pitfall", "0 pitfalls"]


@pytest.mark.parametrize(
    ("name", "longest"),
    [("domains", "100% of 1"), ("class domains", "12 possibilities"), ("choices", "4 (66.7%)")],
)
def test_text_beside_a_bar_has_a_right_margin_wide_enough_for_it(name, longest):
    fig = FIGURES[name]()
    texts = [str(text) for trace in fig.data for text in trace.text]
    assert max(texts, key=len) == longest
    assert fig.layout.margin.r == math.ceil(12 + 7.5 * len(longest))  # 12 px and 7.5 px a character
    assert all(t.textposition == "outside" and t.cliponaxis is False for t in fig.data)


def test_the_choice_chart_keeps_each_response_whole_for_the_hover():
    fig = charts.choice_chart(choices_frame(), "Choices at open")
    full = [
        "Strongest: You keep coming back to it, and you're not sure yet.",
        "Pitfall: With your hours, maybe wait a year. Here's what you should do instead.",
    ]
    assert list(fig.data[0].y) == full
    assert fig.data[0].hovertemplate.startswith("%{y}<br>")
    assert list(fig.layout.yaxis.ticktext) == [
        "Strongest: You keep<br>coming back to it, and<br>you're not sure yet.",
        "Pitfall: With your<br>hours, maybe wait a<br>year. Here's what you<br>should do instead.",
    ]


def test_week_columns_are_labelled_by_date_under_week_of():
    for fig in (
        charts.pitfall_heatmap(patterns.pitfalls_by_week(HITS, RUBRIC)),
        charts.balance_chart(patterns.balance_by_week(HITS, RUBRIC)),
    ):
        axis = fig.layout.xaxis
        assert (axis.title.text, list(axis.tickvals), list(axis.ticktext)) == (
            "Week of",
            ["Week of 02 Nov", "Week of 09 Nov"],
            ["02 Nov", "09 Nov"],
        )


def test_the_heatmap_wraps_pitfall_names_and_hovers_them_whole():
    fig = charts.pitfall_heatmap(one_week({"Holding back a peer who is ready": 1, "Taking the reins": 1}))
    heat = fig.data[0]
    assert list(heat.y) == ["Holding back a peer who is ready", "Taking the reins"]
    assert list(fig.layout.yaxis.ticktext) == ["Holding back a<br>peer who is ready", "Taking the reins"]
    assert heat.hovertemplate == "%{y}<br>%{x}: %{z} time(s)<extra></extra>"


def luminance(colour: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return (int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16))


def cell_colour(scale: list[list[object]], fraction: float) -> tuple[float, float, float]:
    """The colour Plotly paints for ``fraction`` of the scale: linear between its stops, in RGB."""
    (low, low_colour), (high, high_colour) = scale[0], scale[-1]
    t = (fraction - float(low)) / (float(high) - float(low))  # type: ignore[arg-type]
    a, b = rgb(str(low_colour)), rgb(str(high_colour))
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t)


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(
    "table",
    [
        one_week({"Taking the reins": 1, "Judging the goal": 1}),  # one week, every count 1: the deepest colour
        one_week({"Taking the reins": 3, "Judging the goal": 1, "Running on empty": 0}),
        patterns.pitfalls_by_week(HITS, RUBRIC),
    ],
    ids=["one week of 1s", "one week of 3, 1 and 0", "two weeks"],
)
def test_every_count_reads_on_its_cell(table):
    heat = charts.pitfall_heatmap(table).data[0]
    assert heat.textfont.color == TEXT_COLOUR  # one dark colour, never Plotly's white on the deep cells
    assert (heat.zmin, heat.zmax) == (0, max(1, int(table.to_numpy().max())))
    text = rgb(TEXT_COLOUR)
    for row in heat.z:
        for count in row:
            assert contrast(cell_colour(list(heat.colorscale), count / heat.zmax), text) >= 4.5, count
    assert heat.texttemplate == "%{text}" and heat.text == heat.z  # every cell states its count


def test_the_score_chart_writes_scores_only_while_they_fit():
    def scores(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "title": ["A short check-in"] * n,
                "mode": ["coached"] * n,
                "score": [50] * n,
                "finished_at": pd.to_datetime(["2026-11-03"] * n, utc=True),
            }
        )

    six, seven, twenty = charts.score_chart(scores(6)), charts.score_chart(scores(7)), charts.score_chart(scores(20))
    assert six.data[0].mode == "lines+markers+text"
    assert seven.data[0].mode == twenty.data[0].mode == "lines+markers"  # in the hover and the table instead
    assert (six.layout.xaxis.tick0, six.layout.xaxis.dtick, twenty.layout.xaxis.dtick) == (1, 1, 3)  # at most 8 numbers
    assert list(six.layout.yaxis.tickvals) == [0, 25, 50, 75, 100]


def test_a_figure_can_be_exported_as_json():
    """Pages hand the figure to st.plotly_chart, which serialises it: the layout must validate."""
    for build in FIGURES.values():
        figure = build()
        assert isinstance(figure, go.Figure)
        json.loads(figure.to_json())


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_the_progress_page_draws_every_chart_without_the_mode_bar(isolated_data, mini, rubric):
    from records import Store

    token = session_for(isolated_data, "Ana")
    store = Store.open(isolated_data)
    ana = store.accounts.user_for_session(token)
    assert ana is not None
    play(store, ana, mini, rubric, [("open", "mixed"), ("ready", "pen")])
    store.close()
    at = app_for(token)
    at.switch_page("pages/progress.py").run()
    assert not at.exception
    drawn = at.get("plotly_chart")
    for chart in drawn:
        assert json.loads(chart.proto.config) == {"displayModeBar": False, "scrollZoom": False, "displaylogo": False}
    titles = [json.loads(chart.proto.spec)["layout"]["meta"]["title"] for chart in drawn]
    expected = [
        "Score per attempt",
        "Pitfalls per week",
        "Possibilities versus pitfalls",
        "Domain profile: earlier versus recent",
    ]
    assert [t for t in titles if t in expected] == expected
