"""The progress report's charts, drawn as vector graphics with fpdf2's own drawing (no browser, no image), and the
text alternative of each, said in words from the same data.

The data are the frames the Progress page draws (``scoring.patterns``: score_over_time, pitfalls_by_week,
balance_by_week, domain_profile), so the printed charts show what the page shows. The look follows
``scoring.charts``: the same Okabe-Ito colours, and colour is never the only cue (each scenario's line has its own
marker shape, pitfalls are dashed with crosses, earlier bars are hatched, every heatmap cell states its count).

A chart is measured before it is drawn (``Chart.height``), so the report can keep it on one page under its title;
``Chart.draw`` draws it from a top-left corner and never starts a page itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

FONT = "DejaVu"
"""The family the report registers for its text (DejaVu Sans); fallback fonts add the scripts it lacks."""

POSSIBILITY_COLOUR = "#0072B2"
PITFALL_COLOUR = "#D55E00"
EARLIER_COLOUR = "#999999"
SERIES_COLOURS = ("#009E73", "#0072B2", "#CC79A7", "#D55E00", "#56B4E9", "#E69F00", "#000000", "#999999")
TEXT_COLOUR = "#0b0d12"
AXIS_COLOUR = "#444444"
GRID_COLOUR = "#e5e5e5"
HATCH_COLOUR = "#444444"
"""The same colours as scoring.charts (tests/test_report_pdf.py checks they stay equal); this module does not import
it, since that would load plotly for a PDF."""

SCENARIO_SHAPES = ("circle", "square", "diamond", "triangle", "cross", "star", "x", "hexagon")
SCORE_TEXT_LIMIT = 6
"""Up to this many attempts each point has its score written above it, as on the Progress page."""
NAMED_SCENARIOS = 8
"""The score chart's text alternative names at most this many scenarios, then says how many more there are."""

TICK = 7.5  # pt: tick labels, legends, counts
LABEL_LINE = 3.4  # mm: one line of a category label at TICK
LABEL_WIDTH = 52.0  # mm: the column of category labels (pitfall and domain titles)
MAX_HEIGHT = 230.0  # mm: a chart never needs more than a page under its heading


@dataclass(frozen=True)
class Chart:
    title: str
    """Printed as the chart's heading."""
    alt: str
    """The text alternative: what the chart shows, in words from the same data."""
    width: float
    """mm."""
    height: float
    """mm, from the top of the drawing to the bottom of its legend."""
    draw: Callable[[float, float], None]
    """Draws the chart with its top-left corner at (x, y), in mm."""


# ------------------------------------------------------------------------------------------------ words
def day(moment: date | datetime | pd.Timestamp) -> str:
    """3 Nov 2026: the day without a leading zero, as said aloud."""
    return f"{moment.day} {moment:%b %Y}"


def times(count: int) -> str:
    """How often, in the Progress page's words: none, once, twice, 3 times."""
    return {0: "none", 1: "once", 2: "twice"}.get(count, f"{count} times")


def counted(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def score_alt(scores: pd.DataFrame) -> str:
    """The score chart in words: how many attempts, the first and latest scores with their days, the range, and each
    scenario's line (tries, first and latest score), in the order the chart's legend lists them."""
    values = [int(v) for v in scores["score"].tolist()]
    days = [day(moment) for moment in scores["finished_at"].tolist()]
    if len(values) == 1:
        return f"Score of your one finished attempt: {values[0]}% on {days[0]}, on “{scores['title'].iloc[0]}”."
    words = (
        f"Scores of your {len(values)} finished attempts, in order, from {values[0]}% on {days[0]} to {values[-1]}% "
        f"on {days[-1]}; lowest {min(values)}%, highest {max(values)}%."
    )
    lines = []
    for title, tries in _by_scenario(scores):
        if len(tries) == 1:
            lines.append(f"“{title}”, 1 try, {tries[0]}%")
        else:
            lines.append(f"“{title}”, {len(tries)} tries, from {tries[0]}% to {tries[-1]}%")
    more = len(lines) - NAMED_SCENARIOS
    if more > 0:
        lines = [*lines[:NAMED_SCENARIOS], f"and {counted(more, 'more scenario', 'more scenarios')}"]
    return f"{words} One line per scenario: {'; '.join(lines)}."


def pitfall_alt(table: pd.DataFrame) -> str:
    """The pitfall heatmap in words: each pitfall, most frequent first, with how often in all, in the first week
    and in the latest (a pitfall that stopped shows "none in the latest")."""
    weeks = [day(pd.Timestamp(week)) for week in table.columns.tolist()]
    counts = [
        (str(title), [int(v) for v in row]) for title, row in zip(table.index.tolist(), table.to_numpy().tolist(), strict=True)
    ]
    if len(weeks) == 1:
        return f"Pitfalls in the week of {weeks[0]}: {'; '.join(f'{title}, {times(row[0])}' for title, row in counts)}."
    lines = [
        f"{title}, {times(sum(row))} in all, {times(row[0])} in the first week and {times(row[-1])} in the latest"
        for title, row in counts
    ]
    return (
        f"Pitfalls per week over {len(weeks)} weeks, from the week of {weeks[0]} to the week of {weeks[-1]}: {'; '.join(lines)}."
    )


def balance_alt(balance: pd.DataFrame) -> str:
    """Possibilities shown against pitfalls hit, per week in words: the first and latest week of each, and totals."""
    weeks = [day(week) for week in balance["week"].tolist()]
    shown = [int(v) for v in balance["possibilities"].tolist()]
    hit = [int(v) for v in balance["pitfalls"].tolist()]
    if len(weeks) == 1:
        return (
            f"Possibilities shown and pitfalls hit in the week of {weeks[0]}: "
            f"{counted(shown[0], 'possibility', 'possibilities')} and {counted(hit[0], 'pitfall', 'pitfalls')}."
        )
    return (
        f"Possibilities shown and pitfalls hit in the {len(weeks)} weeks you practiced, from the week of {weeks[0]} to "
        f"the week of {weeks[-1]}: possibilities {shown[0]} in the first week and {shown[-1]} in the latest "
        f"({sum(shown)} in all); pitfalls {hit[0]} in the first week and {hit[-1]} in the latest ({sum(hit)} in all)."
    )


def domain_alt(profile: pd.DataFrame) -> str:
    """The domain profile in words: per domain, the share of possibilities in earlier and recent attempts, and how
    many criteria each share rests on."""
    both = set(profile["period"]) == {"Earlier", "Recent"}
    parts = []
    for title, rows in profile.groupby("domain_title", sort=False):
        shares = [
            f"{period.lower()} {share}% of {counted(int(count), 'criterion', 'criteria')}"
            for period, share, count in zip(rows["period"], rows["share"], rows["count"], strict=True)
        ]
        parts.append(f"{title}: {', '.join(shares)}")
    intro = "Share of possibilities among the criteria your choices touched, per domain"
    intro += ", earlier attempts beside recent ones: " if both else ": "
    return intro + "; ".join(parts) + "."


def _by_scenario(scores: pd.DataFrame) -> list[tuple[str, list[int]]]:
    """Each scenario's scores in order, scenarios in the order of their first attempt (the legend's order)."""
    order: dict[str, list[int]] = {}
    for title, score in zip(scores["title"], scores["score"], strict=True):
        order.setdefault(str(title), []).append(int(score))
    return list(order.items())


# ------------------------------------------------------------------------------------------- drawing helpers
def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _shade(colour: str, share: float) -> tuple[int, int, int]:
    """White (share 0) to ``colour`` (share 1): the heatmap's scale."""
    return tuple(round(255 + (c - 255) * share) for c in _rgb(colour))  # type: ignore[return-value]


def _text(pdf: FPDF, x: float, y: float, w: float, text: str, align: Align = Align.L, h: float = LABEL_LINE) -> None:
    """One line of chart text in a box (x, y, w, h): no border, no fill, the position left as it was."""
    pdf.set_xy(x, y)
    pdf.cell(w, h, text, align=align, new_x=XPos.RIGHT, new_y=YPos.TOP)


def _label_lines(pdf: FPDF, text: str, width: float, lines: int) -> list[str]:
    """A category label broken into at most ``lines`` lines that fit ``width`` (the last ends with "…")."""
    found = [str(line) for line in _measured(pdf.multi_cell(width, LABEL_LINE, text, dry_run=True, output="LINES"))] or [""]
    if len(found) <= lines:
        return found
    kept, last = found[: lines - 1], " ".join(found[lines - 1 :])
    while last and pdf.get_string_width(last + "…") > width:
        last = last[:-1].rstrip()
    return [*kept, last + "…"]


def _measured(lines: object) -> list[str]:
    """fpdf2's dry run with ``output="LINES"`` returns the lines (its return type covers every output it has)."""
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def _ticks(peak: int) -> list[int]:
    """Whole-number ticks from 0 past ``peak``, at most about six of them."""
    step = max(1, math.ceil(max(peak, 1) / 5))
    return list(range(0, step * (math.ceil(max(peak, 1) / step)) + 1, step))


def _every(labels: int, width: float, room: float) -> int:
    """Show every n-th of ``labels`` tick labels so that each has at least ``room`` mm of ``width``."""
    return max(1, math.ceil(labels * room / width)) if labels else 1


def marker(pdf: FPDF, shape: str, cx: float, cy: float, r: float) -> None:
    """A filled marker of ``shape`` centred on (cx, cy), about 2r wide, in the current fill and draw colour."""
    if shape == "circle":
        pdf.circle(cx, cy, r, style="F")
    elif shape == "square":
        pdf.rect(cx - r * 0.85, cy - r * 0.85, 1.7 * r, 1.7 * r, style="F")
    elif shape == "diamond":
        pdf.polygon([(cx, cy - r * 1.15), (cx + r * 1.15, cy), (cx, cy + r * 1.15), (cx - r * 1.15, cy)], style="F")
    elif shape == "triangle":
        pdf.polygon([(cx, cy - r * 1.2), (cx + r * 1.1, cy + r * 0.8), (cx - r * 1.1, cy + r * 0.8)], style="F")
    elif shape == "star":
        points = []
        for i in range(10):
            radius = r * 1.25 if i % 2 == 0 else r * 0.55
            angle = math.pi / 2 + i * math.pi / 5
            points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
        pdf.polygon(points, style="F")
    elif shape == "hexagon":
        pdf.polygon([(cx + r * math.cos(a * math.pi / 3), cy + r * math.sin(a * math.pi / 3)) for a in range(6)], style="F")
    else:  # "cross" (+) and "x": two strokes
        with pdf.local_context(line_width=r * 0.6):
            if shape == "cross":
                pdf.line(cx - r, cy, cx + r, cy)
                pdf.line(cx, cy - r, cx, cy + r)
            else:
                pdf.line(cx - r, cy - r, cx + r, cy + r)
                pdf.line(cx - r, cy + r, cx + r, cy - r)


@dataclass(frozen=True)
class _Key:
    """One legend entry: a line sample and/or a marker, or a bar swatch."""

    label: str
    colour: str
    shape: str | None = None
    dashed: bool = False
    line: bool = True
    hatched: bool = False


KEY_SAMPLE = 9.0  # mm: the sample drawn before a legend label
KEY_GAP = 5.0  # mm between legend entries


def _legend_rows(pdf: FPDF, keys: Sequence[_Key], width: float) -> list[list[tuple[_Key, float]]]:
    """Legend entries laid out in rows under the chart: (entry, its width) per row, never wider than ``width``."""
    rows: list[list[tuple[_Key, float]]] = [[]]
    used = 0.0
    for key in keys:
        size = min(width, KEY_SAMPLE + 1.5 + pdf.get_string_width(key.label) + 0.5)
        if rows[-1] and used + size > width:
            rows.append([])
            used = 0.0
        rows[-1].append((key, size))
        used += size + KEY_GAP
    return rows


def _draw_legend(pdf: FPDF, rows: list[list[tuple[_Key, float]]], x: float, y: float) -> None:
    for number, row in enumerate(rows):
        left, top = x, y + number * (LABEL_LINE + 1.2)
        middle = top + LABEL_LINE / 2
        for key, size in row:
            with pdf.local_context(draw_color=_rgb(key.colour), fill_color=_rgb(key.colour), line_width=0.5):
                if key.hatched or not key.line:
                    _bar(pdf, left + 1.5, top + 0.3, KEY_SAMPLE - 3, LABEL_LINE - 0.6, key.colour, key.hatched)
                else:
                    if key.dashed:
                        pdf.set_dash_pattern(dash=1.2, gap=0.8)
                    pdf.line(left, middle, left + KEY_SAMPLE, middle)
                    pdf.set_dash_pattern()
                if key.shape:
                    marker(pdf, key.shape, left + KEY_SAMPLE / 2, middle, 1.0)
            _text(pdf, left + KEY_SAMPLE + 1.5, top, size - KEY_SAMPLE - 1.5, key.label)
            left += size + KEY_GAP


def _bar(pdf: FPDF, x: float, y: float, w: float, h: float, colour: str, hatched: bool) -> None:
    """A filled bar; hatched ones have dark diagonal strokes as well as their colour (as Plotly's "/" pattern)."""
    if w <= 0:
        return
    with pdf.local_context(fill_color=_rgb(colour)):
        pdf.rect(x, y, w, h, style="F")
    if hatched:
        with pdf.rect_clip(x, y, w, h), pdf.local_context(draw_color=_rgb(HATCH_COLOUR), line_width=0.25):
            step = 1.6
            start = x - h
            while start < x + w:
                pdf.line(start, y + h, start + h, y)
                start += step


def _y_axis(
    pdf: FPDF, left: float, top: float, width: float, height: float, ticks: Sequence[int], top_value: float, suffix: str = ""
) -> None:
    """Horizontal grid lines with their values at the left, and the axis line."""
    for tick in ticks:
        y = top + height - height * tick / top_value
        with pdf.local_context(draw_color=_rgb(GRID_COLOUR), line_width=0.2):
            pdf.line(left, y, left + width, y)
        _text(pdf, left - 11, y - LABEL_LINE / 2, 10, f"{tick}{suffix}", align=Align.R)
    with pdf.local_context(draw_color=_rgb(AXIS_COLOUR), line_width=0.3):
        pdf.line(left, top, left, top + height)
        pdf.line(left, top + height, left + width, top + height)


# ------------------------------------------------------------------------------------------------ the charts
PLOT_HEIGHT = 58.0  # mm, the line charts' plot area
AXIS_ROOM = 12.0  # mm left of a line chart's plot: its tick values


def score_chart(pdf: FPDF, scores: pd.DataFrame, width: float) -> Chart:
    """Score per finished attempt, in order, one line per scenario (scoring.charts.score_chart's figure): a line
    joins only the tries of one scenario, each scenario with its own colour and marker shape, named in the legend."""
    pdf.set_font(FONT, size=TICK)
    series = _by_scenario(scores)
    keys = [
        _Key(
            _short(pdf, title, width - KEY_SAMPLE - 2),
            SERIES_COLOURS[i % len(SERIES_COLOURS)],
            SCENARIO_SHAPES[i % len(SCENARIO_SHAPES)],
        )
        for i, (title, _) in enumerate(series)
    ]
    legend = _legend_rows(pdf, keys, width)
    count = len(scores)
    height = 6 + PLOT_HEIGHT + 10 + len(legend) * (LABEL_LINE + 1.2)

    def draw(x: float, y: float) -> None:
        pdf.set_font(FONT, size=TICK)
        pdf.set_text_color(*_rgb(TEXT_COLOUR))
        left, top, plot_w = x + AXIS_ROOM, y + 6, width - AXIS_ROOM - 2
        _text(pdf, x, y, 40, "Score (%)")
        _y_axis(pdf, left, top, plot_w, PLOT_HEIGHT, (0, 25, 50, 75, 100), 110)

        def at(number: int, score: int) -> tuple[float, float]:
            return left + plot_w * (number - 0.5) / count, top + PLOT_HEIGHT - PLOT_HEIGHT * score / 110

        step = _every(count, plot_w, 8)
        for number in range(1, count + 1, step):
            _text(pdf, at(number, 0)[0] - 5, top + PLOT_HEIGHT + 0.8, 10, str(number), align=Align.C)
        _text(pdf, left, top + PLOT_HEIGHT + 5, plot_w, "Finished attempts, in order", align=Align.C)
        titles = [str(t) for t in scores["title"]]
        for index, (title, _) in enumerate(series):
            colour, shape = SERIES_COLOURS[index % len(SERIES_COLOURS)], SCENARIO_SHAPES[index % len(SCENARIO_SHAPES)]
            points = [at(n + 1, int(scores["score"].iloc[n])) for n, t in enumerate(titles) if t == title]
            with pdf.local_context(draw_color=_rgb(colour), fill_color=_rgb(colour), line_width=0.5):
                if len(points) > 1:
                    pdf.polyline(points)
                for px, py in points:
                    marker(pdf, shape, px, py, 1.1)
            if count <= SCORE_TEXT_LIMIT:
                for (px, py), n in zip(points, [n for n, t in enumerate(titles) if t == title], strict=True):
                    _text(pdf, px - 8, py - 5, 16, f"{int(scores['score'].iloc[n])}%", align=Align.C)
        _draw_legend(pdf, legend, x, top + PLOT_HEIGHT + 10)

    return Chart("Score per attempt", score_alt(scores), width, height, draw)


def pitfall_heatmap(pdf: FPDF, table: pd.DataFrame, width: float) -> Chart:
    """Pitfalls (rows, most frequent first) by week (columns), the count written in every cell as well as shown
    by its shade (scoring.charts.pitfall_heatmap's figure)."""
    pdf.set_font(FONT, size=TICK)
    row_h = min(2 * LABEL_LINE + 1.6, (MAX_HEIGHT - 10) / len(table.index))  # a long list still fits one page
    lines = 2 if row_h >= 2 * LABEL_LINE else 1
    labels = [_label_lines(pdf, str(title), LABEL_WIDTH - 2, lines) for title in table.index]
    weeks = list(table.columns)
    height = row_h * len(labels) + 10

    def draw(x: float, y: float) -> None:
        pdf.set_font(FONT, size=TICK)
        pdf.set_text_color(*_rgb(TEXT_COLOUR))
        left = x + LABEL_WIDTH
        cell_w = (width - LABEL_WIDTH) / len(weeks)
        values = table.to_numpy()
        peak = max(1, int(values.max()))
        for row, lines in enumerate(labels):
            top = y + row * row_h
            first = top + (row_h - LABEL_LINE * len(lines)) / 2
            for number, line in enumerate(lines):
                _text(pdf, x, first + number * LABEL_LINE, LABEL_WIDTH - 2, line, align=Align.R)
            for column in range(len(weeks)):
                count = int(values[row][column])
                with pdf.local_context(fill_color=_shade(PITFALL_COLOUR, count / peak)):
                    pdf.rect(left + column * cell_w + 0.3, top + 0.3, cell_w - 0.6, row_h - 0.6, style="F")
                _text(pdf, left + column * cell_w, top + (row_h - LABEL_LINE) / 2, cell_w, str(count), align=Align.C)
        bottom = y + row_h * len(labels)
        step = _every(len(weeks), width - LABEL_WIDTH, 12)
        for column in range(0, len(weeks), step):
            centre = left + (column + 0.5) * cell_w
            _text(pdf, centre - 8, bottom + 0.8, 16, f"{weeks[column]:%d %b}", align=Align.C)
        _text(pdf, left, bottom + 5, width - LABEL_WIDTH, "Week of", align=Align.C)

    return Chart("Pitfalls per week", pitfall_alt(table), width, height, draw)


def balance_chart(pdf: FPDF, balance: pd.DataFrame, width: float) -> Chart:
    """Possibilities shown (solid, circles) and pitfalls hit (dashed, crosses) per week
    (scoring.charts.balance_chart's figure)."""
    pdf.set_font(FONT, size=TICK)
    keys = [
        _Key("Possibilities shown", POSSIBILITY_COLOUR, "circle"),
        _Key("Pitfalls hit", PITFALL_COLOUR, "x", dashed=True),
    ]
    legend = _legend_rows(pdf, keys, width)
    weeks = list(balance["week"])
    peak = int(max(balance["possibilities"].max(), balance["pitfalls"].max()))
    ticks = _ticks(peak)
    height = 6 + PLOT_HEIGHT + 10 + len(legend) * (LABEL_LINE + 1.2)

    def draw(x: float, y: float) -> None:
        pdf.set_font(FONT, size=TICK)
        pdf.set_text_color(*_rgb(TEXT_COLOUR))
        left, top, plot_w = x + AXIS_ROOM, y + 6, width - AXIS_ROOM - 2
        _text(pdf, x, y, 40, "How many")
        _y_axis(pdf, left, top, plot_w, PLOT_HEIGHT, ticks, ticks[-1])

        def at(column: int, value: int) -> tuple[float, float]:
            return left + plot_w * (column + 0.5) / len(weeks), top + PLOT_HEIGHT - PLOT_HEIGHT * value / ticks[-1]

        step = _every(len(weeks), plot_w, 12)
        for column in range(0, len(weeks), step):
            _text(pdf, at(column, 0)[0] - 8, top + PLOT_HEIGHT + 0.8, 16, f"{weeks[column]:%d %b}", align=Align.C)
        _text(pdf, left, top + PLOT_HEIGHT + 5, plot_w, "Week of", align=Align.C)
        for key, column_name in zip(keys, ("possibilities", "pitfalls"), strict=True):
            points = [at(i, int(v)) for i, v in enumerate(balance[column_name])]
            with pdf.local_context(draw_color=_rgb(key.colour), fill_color=_rgb(key.colour), line_width=0.5):
                if len(points) > 1:
                    if key.dashed:
                        pdf.set_dash_pattern(dash=1.6, gap=1.0)
                    pdf.polyline(points)
                    pdf.set_dash_pattern()
                for px, py in points:
                    marker(pdf, str(key.shape), px, py, 1.1)
        _draw_legend(pdf, legend, x, top + PLOT_HEIGHT + 10)

    return Chart("Possibilities versus pitfalls", balance_alt(balance), width, height, draw)


BAR = 4.2  # mm, one bar's thickness
BAR_ROOM = 24.0  # mm right of the longest bar: its text ("100% of 12")


def domain_chart(pdf: FPDF, profile: pd.DataFrame, width: float) -> Chart:
    """Per domain, the share of possibilities among the criteria hit, earlier attempts (grey, hatched) beside
    recent ones (blue), the share and its count written beside each bar (scoring.charts.domain_chart's figure)."""
    pdf.set_font(FONT, size=TICK)
    styles = {"Earlier": (EARLIER_COLOUR, True), "Recent": (POSSIBILITY_COLOUR, False)}
    groups = [(str(title), rows) for title, rows in profile.groupby("domain_title", sort=False)]
    labels = [_label_lines(pdf, title, LABEL_WIDTH - 2, 3) for title, _ in groups]
    sizes = [max(len(rows) * (BAR + 0.8), len(lines) * LABEL_LINE) + 3 for (_, rows), lines in zip(groups, labels, strict=True)]
    periods = [p for p in ("Earlier", "Recent") if p in set(profile["period"])]
    keys = [_Key(f"{p} attempts", styles[p][0], line=False, hatched=styles[p][1]) for p in periods]
    legend = _legend_rows(pdf, keys, width)
    height = sum(sizes) + 10 + len(legend) * (LABEL_LINE + 1.2)

    def draw(x: float, y: float) -> None:
        pdf.set_font(FONT, size=TICK)
        pdf.set_text_color(*_rgb(TEXT_COLOUR))
        left = x + LABEL_WIDTH
        plot_w = width - LABEL_WIDTH - BAR_ROOM
        bottom = y + sum(sizes)
        for tick in (0, 25, 50, 75, 100):
            tx = left + plot_w * tick / 100
            with pdf.local_context(draw_color=_rgb(GRID_COLOUR), line_width=0.2):
                pdf.line(tx, y, tx, bottom)
            _text(pdf, tx - 6, bottom + 0.8, 12, str(tick), align=Align.C)
        with pdf.local_context(draw_color=_rgb(AXIS_COLOUR), line_width=0.3):
            pdf.line(left, y, left, bottom)
        _text(pdf, left, bottom + 5, plot_w, "Share of possibilities (%)", align=Align.C)
        top = y
        for (_, rows), lines, size in zip(groups, labels, sizes, strict=True):
            first = top + (size - LABEL_LINE * len(lines)) / 2
            for number, line in enumerate(lines):
                _text(pdf, x, first + number * LABEL_LINE, LABEL_WIDTH - 2, line, align=Align.R)
            bars = top + (size - len(rows) * (BAR + 0.8)) / 2
            for period, share, count in zip(rows["period"], rows["share"], rows["count"], strict=True):
                colour, hatched = styles[str(period)]
                length = plot_w * int(share) / 100
                _bar(pdf, left, bars, length, BAR, colour, hatched)
                _text(pdf, left + length + 1, bars + (BAR - LABEL_LINE) / 2, BAR_ROOM, f"{share}% of {count}")
                bars += BAR + 0.8
            top += size
        _draw_legend(pdf, legend, x, bottom + 10)

    return Chart("Domain profile: earlier versus recent", domain_alt(profile), width, height, draw)


def _short(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut to ``width`` mm with "…" (a legend entry never wider than the chart)."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text.rstrip() + "…"


def report_charts(
    pdf: FPDF,
    *,
    scores: pd.DataFrame,
    pitfall_weeks: pd.DataFrame,
    balance: pd.DataFrame,
    domains: pd.DataFrame,
    width: float,
) -> list[Chart]:
    """The Progress page's charts that have data, in the page's order."""
    charts: list[Chart] = []
    builders: Iterable[tuple[pd.DataFrame, Callable[[FPDF, Any, float], Chart]]] = (
        (scores, score_chart),
        (pitfall_weeks, pitfall_heatmap),
        (balance, balance_chart),
        (domains, domain_chart),
    )
    for frame, build in builders:
        if not frame.empty:
            charts.append(build(pdf, frame, width))
    return charts
