"""The PDF progress report as a person with a screen reader, a copy-paste or a name in any script meets it: tagged
for PDF/UA (checked with pikepdf, structure and content streams both), charts drawn without a browser and each
described in words from its data, and names that read back intact."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pikepdf
import pytest
from pypdf import PdfReader

from scoring import report, report_charts
from scoring.patterns import (
    ATTEMPT_COLUMNS,
    HIT_COLUMNS,
    balance_by_week,
    domain_profile,
    pitfalls_by_week,
    score_over_time,
    top_pitfalls,
)
from scoring.readiness import readiness
from scoring.report import ExamLine, ReportData, ReportError, build_pdf

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = {"s1": "Her call to make", "s2": "Someday, my own place"}
ATTEMPTS = [  # (attempt, scenario, finished on, score, criteria hit)
    (1, "s1", "2026-11-03", 40, ["pf.dictating", "pf.dictating", "po.hand-the-pen"]),
    (2, "s2", "2026-11-10", 60, ["pf.dictating", "pf.judging-goal", "po.honor-self-determination"]),
    (3, "s1", "2026-11-17", 70, ["po.hand-the-pen", "po.hand-the-pen", "pf.judging-goal"]),
    (4, "s1", "2026-12-01", 85, ["po.hand-the-pen", "po.ask-share-ask"]),
]
"""Four attempts over five weeks (none in the week of 23 Nov): the data behind every exact text below."""

SCORE_ALT = (
    "Scores of your 4 finished attempts, in order, from 40% on 3 Nov 2026 to 85% on 1 Dec 2026; lowest 40%, "
    "highest 85%. One line per scenario: “Her call to make”, 3 tries, from 40% to 85%; “Someday, my own place”, "
    "1 try, 60%."
)
PITFALL_ALT = (
    "Pitfalls per week over 5 weeks, from the week of 2 Nov 2026 to the week of 30 Nov 2026: Taking the reins, "
    "3 times in all, twice in the first week and none in the latest; Judging the goal, twice in all, none in the "
    "first week and none in the latest."
)
BALANCE_ALT = (
    "Possibilities shown and pitfalls hit in the 4 weeks you practiced, from the week of 2 Nov 2026 to the week of "
    "30 Nov 2026: possibilities 1 in the first week and 2 in the latest (6 in all); pitfalls 2 in the first week and "
    "0 in the latest (5 in all)."
)
DOMAIN_ALT = (
    "Share of possibilities among the criteria your choices touched, per domain, earlier attempts beside recent "
    "ones: Self-determination: earlier 33% of 6 criteria, recent 75% of 4 criteria; Person-centered planning: "
    "recent 100% of 1 criterion."
)
HEADINGS = [
    ("H1", "PeerSim progress report"),
    ("H2", "Recent scores"),
    ("H2", "Domain profile (share of possibilities)"),
    ("H2", "Most frequent pitfalls"),
    ("H2", "Practice next"),
    ("H2", "Mock exams"),
    ("H2", "Readiness estimate"),
    ("H2", "Score per attempt"),
    ("H2", "Pitfalls per week"),
    ("H2", "Possibilities versus pitfalls"),
    ("H2", "Domain profile: earlier versus recent"),
]
PAINTING = {"Tj", "TJ", "'", '"', "Do", "sh", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "BI", "EI"}
"""Content-stream operators that put something on the page: each must be inside a tagged sequence or an artifact."""


def frames(attempt_rows=ATTEMPTS):
    attempts = pd.DataFrame(
        [
            (a, s, SCENARIOS.get(s, s), "coached", "finished", f"{day}T09:00Z", f"{day}T09:20Z", score)
            for a, s, day, score, _ in attempt_rows
        ],
        columns=ATTEMPT_COLUMNS,
    )
    hits = pd.DataFrame(
        [
            (a, a * 10 + n, s, f"{day}T09:{n + 1:02d}Z", criterion)
            for a, s, day, _, criteria in attempt_rows
            for n, criterion in enumerate(criteria)
        ],
        columns=HIT_COLUMNS,
    )
    return attempts, hits


def report_data(rubric, name="Ana Lima", attempt_rows=ATTEMPTS, **changes) -> ReportData:
    attempts, hits = frames(attempt_rows)
    values = {
        "name": name,
        "generated_at": datetime(2026, 12, 2, tzinfo=UTC),
        "scores": score_over_time(attempts),
        "domains": domain_profile(hits, rubric),
        "pitfalls": top_pitfalls(hits, rubric, {}),
        "exams": [ExamLine(datetime(2026, 11, 21, tzinfo=UTC), 50, 72, 70)],
        "readiness": readiness([], hits, rubric),
        "pitfall_weeks": pitfalls_by_week(hits, rubric),
        "balance": balance_by_week(hits, rubric),
        "headline": "You have finished 4 conversations.",
        "practice_next": [("Taking the reins", ["Her call to make", "Someday, my own place"])],
    }
    return ReportData(**{**values, **changes})


@pytest.fixture(scope="module")
def tagged(rubric) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(build_pdf(report_data(rubric))))


def elements(pdf: pikepdf.Pdf):
    """Every structure element under the root, in reading order (depth first), with its parent."""
    found = []

    def walk(elem, parent):
        found.append((elem, parent))
        for kid in elem.get("/K", []):
            if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") != "/MCR":
                walk(kid, elem)

    for top in pdf.Root.StructTreeRoot.K:
        walk(top, pdf.Root.StructTreeRoot)
    return found


def role(elem) -> str:
    return str(elem.S)[1:]


def text_of(elem) -> str:
    """The text drawn in an element's own marked-content sequences and its children's, decoded through each
    font's ToUnicode map: lines (text objects) are joined by a space."""
    parts = []
    for kid in elem.get("/K", []):
        if kid.get("/Type") == "/MCR":
            parts.append(marked_texts(kid.Pg)[int(kid.MCID)])
        else:
            parts.append(text_of(kid))
    return " ".join(p for p in parts if p)


def to_unicode(font) -> tuple[int, dict[bytes, str]]:
    """A font's code length (1 or 2 bytes) and its code -> text map, from fpdf2's ToUnicode CMap (bfchar entries)."""
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    size = 1 if "<00> <FF>" in cmap else 2
    pairs = re.findall(r"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", cmap.split("endcodespacerange", 1)[1])
    return size, {bytes.fromhex(code): bytes.fromhex(text).decode("utf-16-be") for code, text in pairs}


_READ: dict[bytes, dict[int, str]] = {}


def marked_texts(page) -> dict[int, str]:
    """MCID -> the text drawn inside that marked-content sequence on ``page`` (read once per page and fonts)."""
    key = hashlib.sha256(
        b"".join([page.Contents.read_bytes(), *(f.ToUnicode.read_bytes() for f in page.Resources.Font.values())])
    ).digest()
    if key not in _READ:
        _READ[key] = read_marked(page)
    return _READ[key]


def read_marked(page) -> dict[int, str]:
    fonts = {str(name): to_unicode(font) for name, font in page.Resources.Font.items()}
    found: dict[int, list[str]] = {}
    open_ids: list[int | None] = []
    font = None
    line: list[str] = []
    for operands, operator in pikepdf.parse_content_stream(pikepdf.Page(page)):
        op = str(operator)
        if op in ("BDC", "BMC"):
            mcid = operands[1].get("/MCID") if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) else None
            open_ids.append(int(mcid) if mcid is not None else (open_ids[-1] if open_ids else None))
        elif op == "EMC":
            open_ids.pop()
        elif op == "Tf":
            font = fonts[str(operands[0])]
        elif op == "BT":
            line = []
        elif op in ("Tj", "TJ") and font is not None:
            size, codes = font
            for string in [operands[0]] if op == "Tj" else [o for o in operands[0] if isinstance(o, pikepdf.String)]:
                raw = bytes(string)
                line.extend(codes.get(raw[i : i + size], "\ufffd") for i in range(0, len(raw), size))
        elif op == "ET" and open_ids and open_ids[-1] is not None and line:
            found.setdefault(open_ids[-1], []).append("".join(line))
    return {mcid: " ".join(lines) for mcid, lines in found.items()}


def page_text(data: bytes) -> str:
    """The text pypdf extracts, without the word joiners that stand for the extra glyphs of a shaped cluster."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\u2060", "")


# ------------------------------------------------------------------------------------------ words for the charts
def test_each_chart_is_said_in_words_from_its_data(rubric):
    data = report_data(rubric)
    assert report_charts.score_alt(data.scores) == SCORE_ALT
    assert report_charts.pitfall_alt(data.pitfall_weeks) == PITFALL_ALT
    assert report_charts.balance_alt(data.balance) == BALANCE_ALT
    assert report_charts.domain_alt(data.domains) == DOMAIN_ALT


def test_one_attempt_and_one_week_are_said_as_such(rubric):
    data = report_data(rubric, attempt_rows=ATTEMPTS[:1])
    assert report_charts.score_alt(data.scores) == (
        "Score of your one finished attempt: 40% on 3 Nov 2026, on “Her call to make”."
    )
    assert report_charts.pitfall_alt(data.pitfall_weeks) == "Pitfalls in the week of 2 Nov 2026: Taking the reins, twice."
    assert report_charts.balance_alt(data.balance) == (
        "Possibilities shown and pitfalls hit in the week of 2 Nov 2026: 1 possibility and 2 pitfalls."
    )
    assert report_charts.domain_alt(data.domains) == (
        "Share of possibilities among the criteria your choices touched, per domain: Self-determination: recent 33% "
        "of 3 criteria."
    )


def test_a_score_chart_with_many_scenarios_names_eight_and_counts_the_rest(rubric):
    rows = [(n, f"x{n}", f"2026-11-{n + 1:02d}", 50 + n, ["po.hand-the-pen"]) for n in range(1, 11)]
    text = report_charts.score_alt(report_data(rubric, attempt_rows=rows).scores)
    assert text.endswith("“x8”, 1 try, 58%; and 2 more scenarios.")
    assert "“x9”" not in text


def test_the_printed_charts_use_the_progress_pages_colours():
    from scoring import charts  # plotly: imported here only, so the browser-free test below can import this module

    assert report_charts.SERIES_COLOURS == charts.SERIES_COLOURS
    assert (report_charts.POSSIBILITY_COLOUR, report_charts.PITFALL_COLOUR, report_charts.EARLIER_COLOUR) == (
        charts.POSSIBILITY_COLOUR,
        charts.PITFALL_COLOUR,
        charts.EARLIER_COLOUR,
    )
    assert report_charts.TEXT_COLOUR == charts.TEXT_COLOUR
    assert report_charts.SCORE_TEXT_LIMIT == charts.SCORE_TEXT_LIMIT


# ----------------------------------------------------------------------------------------------- PDF/UA structure
def test_the_document_says_its_language_title_and_that_it_is_tagged(tagged):
    root = tagged.Root
    assert tagged.pdf_version == "1.7"  # PDF/UA-1 builds on PDF 1.7
    assert root.Lang == "en-US"
    assert root.MarkInfo.Marked is True
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert str(tagged.docinfo.Title) == "PeerSim progress report: Ana Lima"
    with tagged.open_metadata() as meta:
        assert meta["dc:title"] == "PeerSim progress report: Ana Lima"
        assert meta["pdfuaid:part"] == "1"
    tree = root.StructTreeRoot
    assert tree.Type == "/StructTreeRoot"
    assert [role(e) for e in tree.K] == ["Document"]
    assert int(tree.ParentTreeNextKey) == len(tagged.pages)


def test_headings_come_in_reading_order(tagged):
    assert [(role(e), text_of(e)) for e, _ in elements(tagged) if role(e).startswith("H")] == HEADINGS


def test_the_structure_reads_in_the_order_things_are_drawn(tagged):
    """Depth first, the tree visits each page's marked-content sequences in the order the page draws them."""
    seen: dict[tuple[int, int], list[int]] = {}
    for elem, _ in elements(tagged):
        for kid in elem.get("/K", []):
            if kid.get("/Type") == "/MCR":
                seen.setdefault(kid.Pg.objgen, []).append(int(kid.MCID))
    assert len(seen) == len(tagged.pages)
    assert all(ids == list(range(len(ids))) for ids in seen.values())


def test_the_text_of_each_element_is_what_it_says(tagged):
    found = [(role(e), text_of(e)) for e, _ in elements(tagged) if role(e) in ("P", "TH", "LBody", "Lbl")]
    assert found[:3] == [
        ("P", "Ana Lima · 02 December 2026"),
        ("P", "You have finished 4 conversations."),
        ("TH", "Finished"),
    ]
    assert ("LBody", "Taking the reins: Her call to make, Someday, my own place") in found
    (recent,) = [e for e, _ in elements(tagged) if role(e) == "Table"][:1]
    assert [[text_of(c) for c in row.K] for row in recent.K] == [
        ["Finished", "Scenario", "Mode", "Score"],
        ["03 Nov 2026", "Her call to make", "coached", "40%"],
        ["10 Nov 2026", "Someday, my own place", "coached", "60%"],
        ["17 Nov 2026", "Her call to make", "coached", "70%"],
        ["01 Dec 2026", "Her call to make", "coached", "85%"],
    ]


def test_heading_texts_read_back_in_order(rubric):
    text = page_text(build_pdf(report_data(rubric)))
    positions = [text.index(title) for _, title in HEADINGS]
    assert positions == sorted(positions)


def test_every_figure_has_its_words_and_a_bounding_box(tagged):
    figures = [e for e, _ in elements(tagged) if role(e) == "Figure"]
    assert [str(f.Alt) for f in figures] == [SCORE_ALT, PITFALL_ALT, BALANCE_ALT, DOMAIN_ALT]
    for figure in figures:
        assert figure.A.O == "/Layout"
        left, bottom, right, top = (float(v) for v in figure.A.BBox)
        assert 0 < left < right <= 595.3 and 0 < bottom < top <= 841.9


def test_tables_have_rows_of_header_and_data_cells(tagged):
    tables = [e for e, _ in elements(tagged) if role(e) == "Table"]
    assert len(tables) == 5  # recent scores, domains, pitfalls, exams, readiness
    for table in tables:
        rows = list(table.K)
        assert {role(r) for r in rows} == {"TR"}
        header, *body = rows
        assert {role(c) for c in header.K} == {"TH"}
        assert all(c.A.Scope == "/Column" and c.A.O == "/Table" for c in header.K)
        assert body and all({role(c) for c in row.K} == {"TD"} and len(row.K) == len(header.K) for row in body)


def test_practice_next_is_a_list(tagged):
    (listing,) = [e for e, _ in elements(tagged) if role(e) == "L"]
    (item,) = list(listing.K)
    assert role(item) == "LI"
    assert [role(k) for k in item.K] == ["Lbl", "LBody"]


def test_every_element_names_its_parent_and_the_parent_tree_finds_every_mark(tagged):
    for elem, parent in elements(tagged):
        assert elem.P.objgen == parent.objgen
    nums = list(tagged.Root.StructTreeRoot.ParentTree.Nums)
    owners = {int(nums[i]): list(nums[i + 1]) for i in range(0, len(nums), 2)}
    for page in tagged.pages:
        key = int(page.obj.StructParents)
        marks = [
            (str(operands[0])[1:], int(operands[1].MCID))
            for operands, operator in pikepdf.parse_content_stream(page)
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]
        ]
        assert [mcid for _, mcid in marks] == list(range(len(marks)))  # numbered 0, 1, 2... on each page
        assert len(owners[key]) == len(marks)
        for (tag, mcid), owner in zip(marks, owners[key], strict=True):
            assert role(owner) == tag
            refs = [k for k in owner.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/MCR"]
            assert any(int(k.MCID) == mcid and k.Pg.objgen == page.obj.objgen for k in refs)


def test_nothing_on_a_page_is_left_untagged(tagged):
    for number, page in enumerate(tagged.pages, start=1):
        depth, artifact_text = 0, []
        kinds: list[str] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                depth += 1
                kinds.append(str(operands[0]))
            elif op == "EMC":
                depth -= 1
                kinds.pop()
            elif op in PAINTING:
                assert depth > 0, f"page {number}: {op} outside any tagged sequence or artifact"
                if kinds and kinds[-1] == "/Artifact" and op == "Tj":
                    artifact_text.append(op)
        assert depth == 0
        assert artifact_text  # the footer ("PeerSim progress report · page N") is an artifact


def test_fonts_are_embedded(tagged):
    for page in tagged.pages:
        for font in page.Resources.Font.values():
            if font.Subtype == "/Type3":  # colour emoji: glyphs drawn by the font's own procedures
                assert font.CharProcs and font.ToUnicode
                continue
            assert font.Subtype == "/Type0"
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            assert font.ToUnicode


def test_the_file_passes_qpdfs_syntax_check(rubric):
    with pikepdf.open(io.BytesIO(build_pdf(report_data(rubric, name="山田 🌱 Zoë")))) as pdf:
        assert pdf.check_pdf_syntax() == []


def test_a_table_over_a_page_break_repeats_its_header_as_an_artifact(rubric):
    rows = [(n, "s1", f"2026-10-{n:02d}", 40 + n, ["po.hand-the-pen", "pf.dictating"]) for n in range(1, 28)]
    readiness_rows = 14  # four exam domains and ten curriculum domains
    pdf = pikepdf.open(io.BytesIO(build_pdf(report_data(rubric, attempt_rows=rows), charts=False)))
    (table,) = [e for e, _ in elements(pdf) if role(e) == "Table" and len(e.K) == readiness_rows + 1]
    pages = {k.Pg.objgen for row in table.K for cell in row.K for k in cell.K}
    assert len(pages) == 2  # the readiness table goes on onto a second page
    second = next(p for p in pdf.pages if p.obj.objgen == max(pages, key=lambda g: g[0]))
    first_texts = []
    depth, artifact = 0, False
    for operands, operator in pikepdf.parse_content_stream(second):
        op = str(operator)
        if op == "BDC":
            depth += 1
            artifact = str(operands[0]) == "/Artifact"
        elif op == "EMC":
            depth -= 1
        elif op == "Tj":
            first_texts.append(artifact)
            if len(first_texts) == 3:
                break
    assert first_texts == [True, True, True]  # Area, Estimate, Based on: drawn again, read once
    assert sum(1 for row in table.K for cell in row.K if role(cell) == "TH") == 3


# ------------------------------------------------------------------------------------------------------- names
@pytest.fixture(scope="module")
def script_fonts():
    """The fallback fonts names need (Debian's fonts-wqy-microhei, fonts-noto-color-emoji, fonts-noto-core)."""
    names = {path.name for path in report.fallback_fonts()}
    missing = {"wqy-microhei.ttc", "NotoColorEmoji.ttf", "NotoSansDevanagari-Regular.ttf"} - names
    if missing:
        pytest.fail(
            f"Missing fonts {sorted(missing)}: install Debian's fonts-wqy-microhei fonts-noto-color-emoji fonts-noto-core"
        )


@pytest.mark.parametrize(
    "name",
    [
        "Zoë 山田太郎 김민준 🌱 Nguyễn-O'Brien",
        "さくら 🌸 José Müller",
        "محمد علي",  # Arabic: shaped and kept in reading order
        "שרה כהן",  # Hebrew
        "अनन्या शर्मा",  # Devanagari: Noto Sans Devanagari, shaped
    ],
)
def test_a_name_in_any_script_reads_back_intact(rubric, script_fonts, name):
    data = build_pdf(report_data(rubric, name=name))
    text = page_text(data)
    assert f"{name} · 02 December 2026" in text
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert str(pdf.docinfo.Title) == f"PeerSim progress report: {name}"
        fonts = {str(f.BaseFont) for page in pdf.pages for f in page.Resources.Font.values() if "/BaseFont" in f}
    if any("\u4e00" <= c <= "\u9fff" for c in name):
        assert any("WenQuanYi" in f for f in fonts), fonts
    if "अ" in name:
        assert any("NotoSansDevanagari" in f for f in fonts), fonts


def test_a_character_no_font_has_is_still_read_out(rubric, script_fonts):
    """A private-use character has no glyph in any font here: the name's paragraph carries the whole line as its
    ActualText, which assistive technology reads instead of the drawn glyphs. Names that draw have none."""
    with pikepdf.open(io.BytesIO(build_pdf(report_data(rubric, name="Ana \ue000 Lima")))) as pdf:
        name = next(e for e, _ in elements(pdf) if role(e) == "P")
        assert str(name.ActualText) == "Ana \ue000 Lima · 02 December 2026"
    with pikepdf.open(io.BytesIO(build_pdf(report_data(rubric, name="山田 🌱")))) as pdf:
        assert all("/ActualText" not in e for e, _ in elements(pdf))


def test_every_character_code_drawn_has_its_unicode_value(rubric, script_fonts):
    """PDF/UA (ISO 14289-1, 7.21.7): every code drawn maps to Unicode, above zero, never U+FEFF or U+FFFE; a shaped
    Devanagari cluster drawn as several glyphs included."""
    data = build_pdf(report_data(rubric, name="अनन्या शर्मा 山田 🌱 محمد"))
    with pikepdf.open(io.BytesIO(data)) as pdf:
        drawn = 0
        for page in pdf.pages:
            fonts = {str(name): to_unicode(font) for name, font in page.Resources.Font.items()}
            size, codes = 2, {}
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) == "Tf":
                    size, codes = fonts[str(operands[0])]
                elif str(operator) in ("Tj", "TJ"):
                    strings = (
                        [operands[0]] if str(operator) == "Tj" else [o for o in operands[0] if isinstance(o, pikepdf.String)]
                    )
                    for raw in (bytes(s) for s in strings):
                        for i in range(0, len(raw), size):
                            value = codes[raw[i : i + size]]
                            assert value and all(ord(c) > 0 and c not in "\ufeff\ufffe" for c in value)
                            drawn += 1
        assert drawn > 500


def test_a_scenario_title_in_cjk_and_emoji_reads_back_in_the_table_and_legend(rubric, script_fonts):
    titled = {**SCENARIOS, "s2": "山田さんの一歩 🌱"}
    attempts, _ = frames()
    attempts["title"] = [titled[s] for s in attempts["scenario_id"]]
    data = report_data(rubric, scores=score_over_time(attempts))
    text = page_text(build_pdf(data))
    assert "10 Nov 2026 山田さんの一歩 🌱 coached 60%" in text
    assert text.count("山田さんの一歩 🌱") == 2  # the table row and the score chart's legend


def test_latin_text_needs_no_fallback_font_and_no_shaping(rubric):
    with pikepdf.open(io.BytesIO(build_pdf(report_data(rubric, name="Zoë Nguyễn-O'Brien")))) as pdf:
        fonts = {str(f.BaseFont) for page in pdf.pages for f in page.Resources.Font.values()}
    assert fonts == {"/MPDFAA+DejaVuSansBook", "/MPDFAA+DejaVuSansBold"}


# --------------------------------------------------------------------------------------------- without a browser
def test_charts_are_drawn_with_no_browser_and_no_plotly(rubric, tmp_path):
    """In a fresh interpreter whose PATH has no program at all (so no chromium) and where kaleido cannot be
    imported, the report still has its four figures, drawn as vector paths, and never imports plotly."""
    script = tmp_path / "make.py"
    script.write_text(
        "import io, json, sys\n"
        "sys.modules['kaleido'] = None  # importing it would fail\n"
        "from scoring import default_rubric\n"
        "from tests.test_report_pdf import report_data\n"
        "from scoring.report import build_pdf\n"
        "import pikepdf\n"
        "pdf = pikepdf.open(io.BytesIO(build_pdf(report_data(default_rubric()))))\n"
        "paths = 0\n"
        "for page in pdf.pages:\n"
        "    depth = 0\n"
        "    for operands, op in pikepdf.parse_content_stream(page):\n"
        "        op = str(op)\n"
        "        if op == 'BDC' and str(operands[0]) == '/Figure': depth = 1\n"
        "        elif op == 'BDC' and depth: depth += 1\n"
        "        elif op == 'EMC' and depth: depth -= 1\n"
        "        elif depth and op in ('f', 'S', 'B'): paths += 1\n"
        "loaded = sorted(m for m, v in sys.modules.items() if v is not None and m.split('.')[0] in ('plotly', 'kaleido', 'matplotlib'))\n"
        "print(json.dumps({'paths': paths, 'images': sum(len(p.images) for p in pdf.pages), 'loaded': loaded}))\n"
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["loaded"] == []
    assert result["images"] == 0  # vector drawing: not a picture of a chart
    assert result["paths"] > 40  # axes, grid lines, lines, markers, heatmap cells and bars


def test_tables_only_leaves_the_figures_out_and_keeps_the_rest(rubric):
    data = report_data(rubric)
    with pikepdf.open(io.BytesIO(build_pdf(data, charts=False))) as pdf:
        roles = [role(e) for e, _ in elements(pdf)]
        assert "Figure" not in roles
        assert roles.count("Table") == 5
    text = page_text(build_pdf(data, charts=False))
    assert "Readiness estimate" in text and "Score per attempt" not in text


def test_no_charts_when_there_is_no_data(rubric):
    data = report_data(rubric, attempt_rows=[])
    with pikepdf.open(io.BytesIO(build_pdf(data))) as pdf:
        assert [role(e) for e, _ in elements(pdf)].count("Figure") == 0
    assert page_text(build_pdf(data)).count("Nothing yet.") == 3  # scores, domains, pitfalls


def test_a_server_without_a_unicode_font_is_told_what_to_install(rubric, monkeypatch, tmp_path):
    monkeypatch.setenv("PEERSIM_REPORT_FONT_DIR", str(tmp_path))
    monkeypatch.setattr(report, "FONT_DIRS", (tmp_path / "none",))
    with pytest.raises(ReportError) as raised:
        build_pdf(report_data(rubric))
    assert str(raised.value) == (
        "No Unicode font for the PDF report: install Debian's fonts-dejavu-core or set PEERSIM_REPORT_FONT_DIR."
    )


def test_a_long_headline_goes_on_over_a_page_break_as_one_paragraph(rubric):
    headline = " ".join(["You have finished many conversations and this sentence keeps going."] * 90)
    with pikepdf.open(io.BytesIO(build_pdf(report_data(rubric, headline=headline), charts=False))) as pdf:
        paragraphs = [e for e, _ in elements(pdf) if role(e) == "P"]
        long = paragraphs[1]
        pages = [k.Pg.objgen for k in long.K]
        assert len(pages) == 2 and pages[0] != pages[1]


def test_report_dates_are_the_days_of_the_data(rubric):
    later = [(a, s, (datetime.fromisoformat(d) + timedelta(days=1)).date().isoformat(), sc, c) for a, s, d, sc, c in ATTEMPTS]
    assert "from 40% on 4 Nov 2026 to 85% on 2 Dec 2026" in report_charts.score_alt(
        report_data(rubric, attempt_rows=later).scores
    )


def test_a_long_pitfall_heatmap_still_fits_one_page(rubric):
    weeks = [datetime(2026, 6, 1).date() + timedelta(weeks=n) for n in range(26)]
    table = pd.DataFrame([[n % 3] * 26 for n in range(40)], index=[f"Pitfall number {n}" for n in range(40)], columns=weeks)
    pdf = report._Report(report.font_dir(), "t", datetime(2026, 12, 2, tzinfo=UTC))
    pdf.add_page()
    chart = report_charts.pitfall_heatmap(pdf, table, report.CHART_WIDTH)
    assert chart.height <= report_charts.MAX_HEIGHT
    data = report_data(rubric)
    many = build_pdf(ReportData(**{**data.__dict__, "pitfall_weeks": table}))
    with pikepdf.open(io.BytesIO(many)) as tagged_pdf:
        (heatmap,) = [e for e, _ in elements(tagged_pdf) if role(e) == "Figure" and "Pitfall number 0" in str(e.Alt)]
        assert len({k.Pg.objgen for k in heatmap.K}) == 1


def test_the_progress_pages_download_carries_the_pages_four_charts(rubric):
    """ui.progress_data.report_pdf hands the report the frames behind the Progress page's charts."""
    from ui import progress_data

    data = report_data(rubric)
    _, hits = frames()
    progress = progress_data.ProgressData(
        scores=data.scores,
        hits=hits,
        pitfall_weeks=data.pitfall_weeks,
        balance=data.balance,
        domains=data.domains,
        top=data.pitfalls,
        readiness=data.readiness,
        exams=tuple(data.exams),
    )
    with pikepdf.open(io.BytesIO(progress_data.report_pdf("Tia", progress))) as pdf:
        alts = [str(e.Alt) for e, _ in elements(pdf) if role(e) == "Figure"]
    assert alts == [SCORE_ALT, PITFALL_ALT, BALANCE_ALT, DOMAIN_ALT]
