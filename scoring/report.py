"""The progress report a trainee can download as PDF (fpdf2), with charts as images (plotly + kaleido).

Text is set in DejaVu Sans, a Unicode font (fpdf2's built-in fonts are Latin-1 only, so a name such as
"Nguyễn" needs it). The font is found in PEERSIM_REPORT_FONT_DIR or Debian's fonts-dejavu-core location.
Chart images need kaleido and a Chromium (Debian's chromium); without them the report keeps its tables.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from scoring.readiness import Readiness

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class ReportError(RuntimeError):
    """The report cannot be made on this server (for example, no Unicode font)."""


@dataclass(frozen=True)
class ExamLine:
    when: datetime
    items: int
    percent: int
    pass_mark: int


@dataclass(frozen=True)
class ReportData:
    name: str
    generated_at: datetime
    scores: pd.DataFrame  # scoring.patterns.score_over_time
    domains: pd.DataFrame  # scoring.patterns.domain_profile
    pitfalls: pd.DataFrame  # scoring.patterns.top_pitfalls
    exams: Sequence[ExamLine]
    readiness: Readiness
    charts: Sequence[tuple[str, go.Figure]] = field(default_factory=tuple)
    """(title, chart) pairs: each chart is printed under its title."""
    headline: str = ""
    """The trend in words (scoring.patterns.progress_sentence), printed under the name."""
    practice_next: Sequence[tuple[str, Sequence[str]]] = field(default_factory=tuple)
    """(pitfall title, titles of scenarios that practice it) for the most frequent pitfalls."""


def font_dir() -> Path:
    configured = os.environ.get("PEERSIM_REPORT_FONT_DIR")
    for folder in ([Path(configured)] if configured else []) + list(FONT_DIRS):
        if (folder / "DejaVuSans.ttf").exists() and (folder / "DejaVuSans-Bold.ttf").exists():
            return folder
    raise ReportError("No Unicode font for the PDF report: install Debian's fonts-dejavu-core or set PEERSIM_REPORT_FONT_DIR.")


def chart_png(figure: go.Figure, width: int = 900, height: int = 420) -> bytes | None:
    """A chart as PNG, or None when kaleido or a Chromium is not available on this server."""
    try:
        return bytes(figure.to_image(format="png", width=width, height=height, scale=1))
    except Exception:  # kaleido missing, or no browser for it: the report keeps its tables
        return None


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 6, f"PeerSim progress report · page {self.page_no()}", align="C")


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=10)


def _table(pdf: FPDF, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
    if not rows:
        pdf.cell(0, 6, "Nothing yet.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with pdf.table(col_widths=tuple(widths), text_align="LEFT", line_height=6, first_row_as_headings=True) as table:
        for row in [header, *rows]:
            cells = table.row()
            for value in row:
                cells.cell(str(value))


def build_pdf(data: ReportData) -> bytes:
    fonts = font_dir()
    pdf = _Report(format="A4")
    pdf.set_title(f"PeerSim progress report: {data.name}")
    pdf.set_author("PeerSim")
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, "PeerSim progress report", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=11)
    pdf.cell(0, 7, f"{data.name} · {data.generated_at:%d %B %Y}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if data.headline:
        pdf.ln(2)
        pdf.multi_cell(0, 6, data.headline, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    _heading(pdf, "Recent scores")
    recent = data.scores.tail(10)
    _table(
        pdf,
        ["Finished", "Scenario", "Mode", "Score"],
        [(f"{r.finished_at:%d %b %Y}", r.title, r.mode, f"{r.score}%") for r in recent.itertuples()],
        (30, 90, 30, 20),
    )

    _heading(pdf, "Domain profile (share of possibilities)")
    _table(
        pdf,
        ["Domain", "Period", "Possibilities", "Pitfalls", "Share"],
        [(r.domain_title, r.period, r.possibilities, r.pitfalls, f"{r.share}%") for r in data.domains.itertuples()],
        (70, 25, 30, 25, 20),
    )

    _heading(pdf, "Most frequent pitfalls")
    _table(
        pdf,
        ["Pitfall", "Domain", "Times"],
        [(r.title, r.domain_title, r.times) for r in data.pitfalls.itertuples()],
        (80, 70, 20),
    )

    if data.practice_next:
        _heading(pdf, "Practice next")
        pdf.set_font("DejaVu", size=10)
        for pitfall, scenarios in data.practice_next:
            pdf.multi_cell(0, 6, f"{pitfall}: {', '.join(scenarios)}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    _heading(pdf, "Mock exams")
    _table(
        pdf,
        ["Date", "Questions", "Score", "Pass mark", "Result"],
        [
            (
                f"{e.when:%d %b %Y}",
                e.items,
                f"{e.percent}%",
                f"{e.pass_mark}%",
                "passed" if e.percent >= e.pass_mark else "not yet",
            )
            for e in data.exams
        ],
        (35, 30, 25, 30, 50),
    )

    _heading(pdf, "Readiness estimate")
    estimates = [*data.readiness.exam_domains, *data.readiness.domains]
    _table(
        pdf,
        ["Area", "Estimate", "Based on"],
        [(e.title, "too few to say" if e.percent is None else f"{e.percent}%", f"{e.basis} item(s)") for e in estimates],
        (100, 40, 30),
    )

    for title, figure in data.charts:
        png = chart_png(figure)
        if png is None:
            continue
        # A chart starts a page only when it would not fit on this one (no half-empty pages), under its title.
        if pdf.get_y() + CHART_HEIGHT_MM + 14 > pdf.page_break_trigger:
            pdf.add_page()
        _heading(pdf, title)
        pdf.image(io.BytesIO(png), w=CHART_WIDTH_MM)
        pdf.ln(2)
    return bytes(pdf.output())


CHART_WIDTH_MM = 180
CHART_HEIGHT_MM = CHART_WIDTH_MM * 420 / 900
"""A chart's image is 900 x 420 pixels, printed 180 mm wide."""
