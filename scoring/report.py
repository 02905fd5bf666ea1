"""The progress report a trainee can download: a tagged PDF (PDF/UA) made with fpdf2, charts drawn in it as vectors.

Accessible: the document has a language, a title shown in the window, and a structure tree in reading order
(a heading, paragraphs, tables with header cells, a list, figures with a text alternative that says what each chart
shows); everything else on a page (the footer, table rules) is marked as an artifact. fpdf2 only tags images and
links itself, so the tree is built here (``_Tags``) and handed to fpdf2, which writes it into the file.

Text is set in DejaVu Sans, a Unicode font (fpdf2's built-in fonts are Latin-1 only, so a name such as "Nguyễn"
needs it), found in PEERSIM_REPORT_FONT_DIR or Debian's fonts-dejavu-core location. A character DejaVu lacks (a name
in Chinese, Japanese or Korean, an emoji, Devanagari) is set in the first fallback font that has it (Debian's
fonts-wqy-microhei, fonts-noto-color-emoji, fonts-noto-core), loaded only when a report needs it. Right-to-left
scripts and combining marks turn text shaping on (HarfBuzz, uharfbuzz), which orders and joins them.

Charts are drawn by scoring.report_charts with fpdf2's own drawing: no browser and no image on the server.
"""

from __future__ import annotations

import functools
import os
import types
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from fpdf import FPDF, ViewerPreferences
from fpdf.enums import XPos, YPos
from fpdf.syntax import PDFObject, PDFString

from scoring.readiness import Readiness
from scoring.report_charts import FONT, Chart, report_charts

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FALLBACK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),  # fonts-wqy-microhei: Chinese, Japanese, Korean
    Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"),  # fonts-noto-color-emoji
)
SCRIPT_FONTS = Path("/usr/share/fonts/truetype/noto")
"""fonts-noto-core: one Noto Sans face per script (Devanagari, Bengali, Thai, Ethiopic, ...), the last resort."""
LANGUAGE = "en-US"
TEXT_SIZE = 10
LINE = 6.0  # mm, a line of body text
CELL_PAD = 1.0  # mm above and below a table cell's text, and at its left
WORD_JOINER = 0x2060
COLUMN_HEADER = "<</O /Table /Scope /Column>>"
"""A header cell's attributes: it heads its column (PDF/UA asks header cells to say what they head)."""


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
    pitfall_weeks: pd.DataFrame = field(default_factory=pd.DataFrame)
    """scoring.patterns.pitfalls_by_week: the heatmap of pitfalls per week."""
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)
    """scoring.patterns.balance_by_week: possibilities shown against pitfalls hit, per week."""
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


def fallback_fonts() -> list[Path]:
    """Fonts for what DejaVu Sans lacks, in the order they are tried: CJK, emoji, then one Noto face per script.
    Fonts of the same names in PEERSIM_REPORT_FONT_DIR come first."""
    configured = [Path(os.environ["PEERSIM_REPORT_FONT_DIR"])] if os.environ.get("PEERSIM_REPORT_FONT_DIR") else []
    named = [folder / font.name for folder in configured for font in FALLBACK_FONTS] + list(FALLBACK_FONTS)
    scripts = [
        path for folder in [*configured, SCRIPT_FONTS] if folder.is_dir() for path in sorted(folder.glob("NotoSans*-Regular.ttf"))
    ]
    return [path for path in dict.fromkeys(named + scripts) if path.is_file()]


@functools.cache
def coverage(path: Path) -> frozenset[int]:
    """The code points a font file has glyphs for (its first face), read once per process."""
    font = TTFont(str(path), fontNumber=0, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def needs_shaping(char: str) -> bool:
    """Right-to-left letters (Arabic, Hebrew) and combining marks (Devanagari vowel signs, a decomposed accent) are
    only right once HarfBuzz orders and joins them. Variation selectors and joiners inside emoji are not."""
    if 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF or char in "\u200c\u200d":
        return False
    return unicodedata.bidirectional(char) in ("R", "AL", "AN") or unicodedata.category(char) in ("Mn", "Mc", "Me")


# ----------------------------------------------------------------------------------------- the structure tree
class _Marked:
    """A marked-content reference: one marked-content sequence (MCID) on one page, owned by a structure element."""

    def __init__(self, page: PDFObject, mcid: int) -> None:
        self.page, self.mcid = page, mcid

    def serialize(self, _security_handler: object = None, _obj_id: object = None) -> str:
        return f"<</Type /MCR /Pg {self.page.ref} /MCID {self.mcid}>>"


class _Elem(PDFObject):
    """A structure element (H1, P, Table, TH, Figure, ...): its role, parent, children in reading order, and for a
    figure its text alternative and bounding box."""

    def __init__(
        self, role: str, parent: PDFObject, *, alt: str | None = None, attributes: str | None = None, actual: str | None = None
    ) -> None:
        super().__init__()
        self.role, self.parent, self.alt, self.attributes, self.actual = role, parent, alt, attributes, actual
        self.kids: list[_Elem | _Marked] = []

    def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
        kids = " ".join(kid.ref if isinstance(kid, _Elem) else kid.serialize() for kid in self.kids)
        entries: dict[str, object] = {"/Type": "/StructElem", "/S": f"/{self.role}", "/P": self.parent.ref, "/K": f"[{kids}]"}
        if self.alt is not None:
            entries["/Alt"] = PDFString(self.alt).serialize()
        if self.actual is not None:
            entries["/ActualText"] = PDFString(self.actual).serialize()
        if self.attributes:
            entries["/A"] = self.attributes
        return entries


class _ParentTree(PDFObject):
    """The number tree from each page's StructParents key to the elements owning its MCIDs, in MCID order."""

    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[int, list[_Elem]] = {}

    def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
        nums = " ".join(f"{key} [{' '.join(e.ref for e in owners)}]" for key, owners in sorted(self.pages.items()))
        return {"/Nums": f"[{nums}]"}


class _Root(PDFObject):
    def __init__(self, parent_tree: _ParentTree) -> None:
        super().__init__()
        self.parent_tree = parent_tree
        self.document: _Elem | None = None

    def _build_obj_dict(self, security_handler: Any = None) -> dict[str, object]:
        assert self.document is not None
        return {
            "/Type": "/StructTreeRoot",
            "/K": f"[{self.document.ref}]",
            "/ParentTree": self.parent_tree.ref,
            "/ParentTreeNextKey": len(self.parent_tree.pages),
        }


class _Tags:
    """The document's structure tree. fpdf2 writes whatever its ``struct_builder`` yields (the root first) and marks
    the document as tagged (MarkInfo Marked true); this object takes that place."""

    def __init__(self) -> None:
        self.parent_tree = _ParentTree()
        self.root = _Root(self.parent_tree)
        self.document = _Elem("Document", self.root)
        self.root.document = self.document
        self.doc_struct_elem = types.SimpleNamespace(k=())  # fpdf2 sets /Pg on these: ours carry their own pages
        self._page_keys: dict[int, int] = {}

    def element(self, role: str, parent: _Elem | None = None, **details: str | None) -> _Elem:
        elem = _Elem(role, parent or self.document, **details)
        (parent or self.document).kids.append(elem)
        return elem

    def mark(self, elem: _Elem, page_number: int, page: Any) -> int:
        """A new MCID on the page for ``elem``: recorded in the element and the parent tree."""
        key = self._page_keys.setdefault(page_number, len(self._page_keys))
        page.struct_parents = key
        owners = self.parent_tree.pages.setdefault(key, [])
        owners.append(elem)
        elem.kids.append(_Marked(page, len(owners) - 1))
        return len(owners) - 1

    def empty(self) -> bool:
        return not self.document.kids

    def __iter__(self) -> Iterator[PDFObject]:
        yield self.root
        stack = [self.document]
        while stack:
            elem = stack.pop(0)
            yield elem
            stack[:0] = [kid for kid in elem.kids if isinstance(kid, _Elem)]
        yield self.parent_tree


# ----------------------------------------------------------------------------------------------- the document
class _Report(FPDF):
    def __init__(self, fonts: Path, title: str, generated_at: datetime) -> None:
        super().__init__(format="A4")
        self.tags = _Tags()
        self.struct_builder = self.tags  # type: ignore[assignment]  # the same interface, for a full tree
        self.set_title(title)
        self.set_author("PeerSim")
        self.set_lang(LANGUAGE)
        self.set_creation_date(generated_at)
        self.viewer_preferences = ViewerPreferences(display_doc_title=True)
        self.set_xmp_metadata(_xmp(title))
        self._set_min_pdf_version("1.7")  # PDF/UA-1 builds on PDF 1.7 (ISO 32000-1)
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False, margin=16)  # pages are broken here, between tagged pieces, never inside one
        self._main = coverage(fonts / "DejaVuSans.ttf")
        self._seen: set[str] = set()
        self._fallbacks: list[tuple[str, frozenset[int]]] = []
        self._lines: dict[tuple[str, float, str, str, float], list[str]] = {}

    def normalize_text(self, text: str) -> str:
        """Every text fpdf2 measures or draws passes here first: the fallback fonts and text shaping it needs are
        switched on before fpdf2 looks for glyphs."""
        new = set(text) - self._seen
        if new:
            self._seen |= new
            self._cover(new)
        return str(super().normalize_text(text))

    def _cover(self, chars: set[str]) -> None:
        missing = {c for c in chars if ord(c) not in self._main and not any(ord(c) in has for _, has in self._fallbacks)}
        if missing:
            for path in fallback_fonts():
                has = coverage(path)
                if any(ord(c) in has for c in missing):
                    name = f"fallback{len(self._fallbacks)}"
                    self.add_font(name, "", str(path))
                    self._fallbacks.append((name, has))
                    missing = {c for c in missing if ord(c) not in has}
                    if not missing:
                        break
            self.set_fallback_fonts([name for name, _ in self._fallbacks], exact_match=False)
        if not self.text_shaping and any(needs_shaping(c) for c in chars):
            self.set_text_shaping(True, direction="ltr")  # an English document: right-to-left runs inside it

    def cell(self, *args: Any, **kwargs: Any) -> bool:
        """fpdf2's cell, with the font set on the page first: when a line starts in a fallback font (a name in
        Devanagari), fpdf2 2.8.9 sets the main font inside a q/Q it then closes, and the next line would be drawn
        in whatever font the page had before."""
        if self.page and self.current_font is not None and not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return bool(super().cell(*args, **kwargs))

    def map_every_glyph(self) -> None:
        """Give every glyph drawn a Unicode value in its font's ToUnicode map (PDF/UA asks it of every character
        code). Shaping can draw one character as several glyphs (a Devanagari cluster); fpdf2 gives the text to the
        first and leaves the others unmapped, so they stand for a word joiner, which is invisible and joins."""
        for font in self.fonts.values():
            subset = getattr(font, "subset", None)  # TrueType fonts (all of this report's) have one
            for glyph, _ in subset.items() if subset is not None else ():
                if glyph is not None and not glyph.unicode:
                    glyph.unicode = (WORD_JOINER,)

    # ------------------------------------------------------------------------------------ marked content
    @contextmanager
    def marked(self, elem: _Elem) -> Iterator[None]:
        """What is drawn inside is ``elem``'s content (one marked-content sequence on this page)."""
        mcid = self.tags.mark(elem, self.page, self.pages[self.page])
        self._out(f"/{elem.role} <</MCID {mcid}>> BDC")
        yield
        self._out("EMC")

    @contextmanager
    def artifact(self, kind: str = "/Layout", subtype: str = "") -> Iterator[None]:
        """What is drawn inside is not content (a footer, table rules, a header row drawn again on a new page):
        assistive technology skips it."""
        self._out(f"/Artifact <</Type {kind}{f' /Subtype {subtype}' if subtype else ''}>> BDC")
        yield
        self._out("EMC")

    def footer(self) -> None:
        with self.artifact("/Pagination", "/Footer"):
            self.set_y(-12)
            self.set_font(FONT, size=8)
            self.set_text_color(90, 90, 90)
            self.cell(0, 6, f"PeerSim progress report · page {self.page_no()}", align="C")
            self.set_text_color(0, 0, 0)

    def room(self, height: float) -> bool:
        """Start a new page unless ``height`` mm still fit on this one; True when a page was started."""
        if self.get_y() + height <= self.page_break_trigger:
            return False
        self.add_page()
        return True

    # ----------------------------------------------------------------------------------------- blocks
    def lines(self, text: str, width: float, height: float) -> list[str]:
        """``text`` broken into lines that fit ``width`` mm in the current font (a table cell is measured twice:
        for its row's height, then to draw it; fpdf2's dry run is the slow part of a report, so both are kept)."""
        key = (text, width, self.font_family, self.font_style, self.font_size_pt)
        if key not in self._lines:
            plain = "\n" not in text and all(ord(c) in self._main for c in text)  # no fallback font to measure
            if plain and self.get_string_width(text) <= width - 2 * self.c_margin:
                self._lines[key] = [text]
            else:
                measured = self.multi_cell(width, height, text, dry_run=True, output="LINES")
                assert isinstance(measured, list)  # dry run with output="LINES" returns the lines
                self._lines[key] = [str(line) for line in measured]
        return self._lines[key]

    def text_block(self, elem: _Elem, text: str, *, height: float = LINE, indent: float = 0) -> None:
        """``text`` wrapped to the page width as ``elem``'s content: lines that go on over a page break are a second
        marked-content sequence of the same element."""
        width = self.epw - indent
        lines = self.lines(text, width, height)
        while lines:
            self.room(height)
            fit = max(1, int((self.page_break_trigger - self.get_y()) // height))
            here, lines = lines[:fit], lines[fit:]
            with self.marked(elem):
                for line in here:
                    self.set_x(self.l_margin + indent)
                    self.cell(width, height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading(self, level: int, text: str, *, keep: float = 20) -> None:
        """A heading (H1, H2), kept on one page with the first ``keep`` mm of what follows it."""
        size = {1: 18, 2: 13}[level]
        if level > 1:
            self.room(3 + 8 + keep)
            self.ln(3)
        self.set_font(FONT, "B", size)
        self.text_block(self.tags.element(f"H{level}"), text, height={1: 10, 2: 8}[level])
        self.set_font(FONT, size=TEXT_SIZE)

    def paragraph(self, text: str, *, size: float = TEXT_SIZE, height: float = LINE) -> None:
        self.set_font(FONT, size=size)
        self.text_block(self.tags.element("P"), text, height=height)
        self.set_font(FONT, size=TEXT_SIZE)

    def name_line(self, name: str, after: str) -> None:
        """The trainee's name, then ``after`` on the same line, as one paragraph. The name is set on its own, so
        a name in a right-to-left script stays whole and in its order, and the words after it stay after it."""
        self.set_font(FONT, size=11)
        width = self.get_string_width(name) + self.c_margin  # the second cell's own margin is the space
        # a character no font here can draw (a private-use one) is still read out: the paragraph's ActualText
        drawn = all(ord(c) in self._main or any(ord(c) in has for _, has in self._fallbacks) for c in name)
        paragraph = self.tags.element("P", actual=None if drawn else f"{name} {after}")
        if width + self.get_string_width(after) + 2 * self.c_margin > self.epw:
            self.text_block(paragraph, f"{name} {after}", height=7)
        else:
            self.room(7)
            with self.marked(paragraph):
                self.cell(width, 7, name)
                self.cell(self.epw - width, 7, after, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=TEXT_SIZE)

    def bullet_list(self, items: Sequence[str]) -> None:
        """A list (L > LI > Lbl + LBody): each item after a bullet, its lines indented under the text."""
        self.set_font(FONT, size=TEXT_SIZE)
        listing = self.tags.element("L")
        for text in items:
            item = self.tags.element("LI", listing)
            self.room(LINE)
            top = self.get_y()
            with self.marked(self.tags.element("Lbl", item)):
                self.cell(5, LINE, "•")
            self.set_y(top)
            self.text_block(self.tags.element("LBody", item), text, indent=5)

    def data_table(self, header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]) -> None:
        """A table (Table > TR > TH/TD, header cells scoped to their column), each row kept on one page; a table
        going on over a page break repeats its header row there as an artifact."""
        if not rows:
            self.paragraph("Nothing yet.")
            return
        table = self.tags.element("Table")
        self._row(table, header, widths, header=True)
        for row in rows:
            if self.room(self._row_height([str(v) for v in row], widths, "")):
                self._row(None, header, widths, header=True)
            self._row(table, [str(v) for v in row], widths, header=False)
        self.ln(1)

    def _row_height(self, cells: Sequence[str], widths: Sequence[float], style: str) -> float:
        self.set_font(FONT, style, TEXT_SIZE)
        return max(len(self.lines(c, w - 2 * CELL_PAD, LINE)) for c, w in zip(cells, widths, strict=True)) * LINE + 2 * CELL_PAD

    def _row(self, table: _Elem | None, cells: Sequence[str], widths: Sequence[float], *, header: bool) -> None:
        """One row: rules and shading as artifacts, each cell's text as a TH or TD (``table`` None: all artifact)."""
        style = "B" if header else ""
        height = self._row_height(cells, widths, style)
        self.room(height)
        top, total = self.get_y(), sum(widths)
        with self.artifact():
            if header:
                with self.local_context(fill_color=(238, 238, 238)):
                    self.rect(self.l_margin, top, total, height, style="F")
            with self.local_context(draw_color=(150, 150, 150), line_width=0.2):
                self.line(self.l_margin, top + height, self.l_margin + total, top + height)
        row = self.tags.element("TR", table) if table is not None else None
        left = self.l_margin
        self.set_font(FONT, style, TEXT_SIZE)
        for text, width in zip(cells, widths, strict=True):
            if row is not None:
                cell = self.tags.element("TH", row, attributes=COLUMN_HEADER) if header else self.tags.element("TD", row)
                context = self.marked(cell)
            else:
                context = self.artifact("/Pagination")
            with context:
                for number, line in enumerate(self.lines(text, width - 2 * CELL_PAD, LINE)):
                    self.set_xy(left + CELL_PAD, top + CELL_PAD + number * LINE)
                    self.cell(width - 2 * CELL_PAD, LINE, line)
            left += width
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_xy(self.l_margin, top + height)

    def figure(self, chart: Chart) -> None:
        """A chart under its heading (H2, then a Figure with its text alternative and bounding box), on one page."""
        self.room(3 + 8 + chart.height + 2)
        self.heading(2, chart.title, keep=chart.height)
        x, y = self.l_margin, self.get_y() + 1
        bbox = [x * self.k, (self.h - y - chart.height) * self.k, (x + chart.width) * self.k, (self.h - y) * self.k]
        box = " ".join(f"{v:.2f}" for v in bbox)
        elem = self.tags.element("Figure", alt=chart.alt, attributes=f"<</O /Layout /Placement /Block /BBox [{box}]>>")
        with self.marked(elem), self.local_context():
            chart.draw(x, y)
        self.set_text_color(0, 0, 0)
        self.set_font(FONT, size=TEXT_SIZE)
        self.set_xy(self.l_margin, y + chart.height + 2)


def _xmp(title: str) -> str:
    """XMP metadata: the title (dc:title, as in the Info dictionary) and the PDF/UA-1 identification."""
    clean = "".join(c for c in title if c in "\t\n\r" or ord(c) >= 0x20)
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
        '    xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        f'   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(clean)}</rdf:li></rdf:Alt></dc:title>\n'
        "   <dc:creator><rdf:Seq><rdf:li>PeerSim</rdf:li></rdf:Seq></dc:creator>\n"
        f"   <dc:language><rdf:Bag><rdf:li>{LANGUAGE}</rdf:li></rdf:Bag></dc:language>\n"
        "   <pdfuaid:part>1</pdfuaid:part>\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>"
    )


def build_pdf(data: ReportData, *, charts: bool = True) -> bytes:
    """The report as PDF bytes; ``charts`` False leaves the charts out (the tables and text stay)."""
    pdf = _Report(font_dir(), f"PeerSim progress report: {data.name}", data.generated_at)
    pdf.add_page()
    pdf.heading(1, "PeerSim progress report")
    pdf.name_line(data.name, f"· {data.generated_at:%d %B %Y}")
    if data.headline:
        pdf.ln(2)
        pdf.paragraph(data.headline)

    pdf.heading(2, "Recent scores")
    pdf.data_table(
        ["Finished", "Scenario", "Mode", "Score"],
        [(f"{r.finished_at:%d %b %Y}", r.title, r.mode, f"{r.score}%") for r in data.scores.tail(10).itertuples()],
        (30, 90, 30, 20),
    )
    pdf.heading(2, "Domain profile (share of possibilities)")
    pdf.data_table(
        ["Domain", "Period", "Possibilities", "Pitfalls", "Share"],
        [(r.domain_title, r.period, r.possibilities, r.pitfalls, f"{r.share}%") for r in data.domains.itertuples()],
        (70, 25, 30, 25, 20),
    )
    pdf.heading(2, "Most frequent pitfalls")
    pdf.data_table(
        ["Pitfall", "Domain", "Times"],
        [(r.title, r.domain_title, r.times) for r in data.pitfalls.itertuples()],
        (80, 70, 20),
    )
    if data.practice_next:
        pdf.heading(2, "Practice next")
        pdf.bullet_list([f"{pitfall}: {', '.join(scenarios)}" for pitfall, scenarios in data.practice_next])
    pdf.heading(2, "Mock exams")
    pdf.data_table(
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
    pdf.heading(2, "Readiness estimate")
    estimates = [*data.readiness.exam_domains, *data.readiness.domains]
    pdf.data_table(
        ["Area", "Estimate", "Based on"],
        [(e.title, "too few to say" if e.percent is None else f"{e.percent}%", f"{e.basis} item(s)") for e in estimates],
        (100, 40, 30),
    )
    if charts:
        for chart in report_charts(
            pdf,
            scores=data.scores,
            pitfall_weeks=data.pitfall_weeks,
            balance=data.balance,
            domains=data.domains,
            width=CHART_WIDTH,
        ):
            pdf.figure(chart)
    pdf.map_every_glyph()
    return bytes(pdf.output())


CHART_WIDTH = 180.0
"""mm: a chart is as wide as the tables."""
