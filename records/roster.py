"""Reading an instructor's list of trainees (a CSV file of names and email addresses) into checked rows.

Pure: bytes in, rows out, no database. Why here, in records/ as a row-level helper, and not in ui/ or scoring/:
the invitations repository (records.invitations) must check every row itself, whatever page or script hands it a
file, as records checks every other input; and an address must be cleaned exactly as accounts clean theirs
(records.identity.clean_email), or "Ana@Example.org " in a list would miss the account of ana@example.org and
make a second one. scoring/ is the rubric's, and knows nothing of people or addresses. Whether a row's person is
already a member or already invited needs the database: records.invitations asks that.

What a spreadsheet writes is accepted as it comes:

* UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" has one), and UTF-16 with its mark (Excel's
  "Unicode Text"); a file in a legacy code page is refused with how to save it as UTF-8, since guessing would
  garble names such as "Nguyễn";
* commas, semicolons (Excel where a comma is the decimal mark) or tabs between cells, told apart by the header;
* a header row naming the columns in any case and spelling: "Name", "Full name", "Trainee name", ... and
  "Email", "E-mail", "Email address", ...; or "First name" and "Last name" columns, joined; other columns are
  ignored;
* blank lines and rows of empty cells (spreadsheets leave them at the end) are skipped.

Every other row is reported by its line in the file (the line a spreadsheet or text editor shows; a row whose
quote mark is never closed is reported at the line it starts on) with each of its problems.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

from records.errors import AccountError, CohortError
from records.identity import EMAIL_MAX, clean_email

MAX_BYTES = 200 * 1024
"""A list of MAX_ROWS people with long names and addresses fits in a tenth of this."""
MAX_ROWS = 500
NAME_MAX = 80
"""As accounts' names (records.accounts.clean_name): an invited name becomes the account's name."""

DELIMITERS = (",", ";", "\t")
NAME_HEADERS = (
    "name",
    "full name",
    "fullname",
    "trainee",
    "trainee name",
    "student",
    "student name",
    "participant",
    "participant name",
    "display name",
    "preferred name",
)
FIRST_HEADERS = ("first name", "firstname", "first", "given name", "forename")
LAST_HEADERS = ("last name", "lastname", "last", "surname", "family name")
EMAIL_HEADERS = ("email", "e mail", "email address", "e mail address", "emailaddress", "mail", "email id")

NOT_UTF8 = (
    "This file is not saved as UTF-8, so names with accents could come out wrong. In Excel, choose File, Save As, "
    "and the type \u201cCSV UTF-8 (Comma delimited)\u201d; in Google Sheets, File, Download, Comma-separated values. "
    "Then upload that file."
)
EMPTY = "The file is empty. Please upload a CSV file with a first line naming the columns (name,email) and one trainee a line."
NO_HEADER = (
    "The first line of the file should name the columns: one called name (or first name and last name) and one "
    "called email. This file's first line is: {line}"
)
HEADER_IS_A_PERSON = (
    "The first line of the file looks like a trainee, not the names of the columns. Please add a first line that "
    "says name,email above the trainees."
)
NO_ROWS = "The file has the column names but no trainees below them."
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NOT_IN_EMAIL = set(' ,;:<>()[]\\"')  # an apostrophe stays: mary.o'brien@example.org is an address


@dataclass(frozen=True)
class RosterRow:
    """One person of the list: the line they are on, the name cleaned as accounts' are, the email address cleaned
    as accounts' are (or as typed, trimmed, when it is not an address), and what is wrong with the row."""

    line: int
    name: str
    email: str
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{-(-count // 1024)} KB"
    return f"{count / (1024 * 1024):.1f} MB"


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a byte-order mark dropped) or UTF-16 with its mark; else CohortError(NOT_UTF8)."""
    if len(data) > MAX_BYTES:
        raise CohortError(
            f"That file is {_size(len(data))}; a list of trainees can be at most {_size(MAX_BYTES)}. "
            "Please check it is the right file, or split the list into smaller files."
        )
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CohortError(NOT_UTF8) from None


def _header_key(cell: str) -> str:
    cleaned = re.sub(r"[-_.*:/]+", " ", cell.replace("\ufeff", "").casefold())
    return " ".join(cleaned.split())


@dataclass(frozen=True)
class _Columns:
    delimiter: str
    email: int
    name: int | None
    first: int | None
    last: int | None


def _find(keys: list[str], wanted: tuple[str, ...]) -> int | None:
    return next((i for i, key in enumerate(keys) if key in wanted), None)


def _columns(first_line: str) -> _Columns:
    """Which delimiter and which columns: the first delimiter whose reading of the header names an email column
    and a name (or a first and a last name) column."""
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first_line], delimiter=delimiter), [])
        keys = [_header_key(cell) for cell in cells]
        email, name = _find(keys, EMAIL_HEADERS), _find(keys, NAME_HEADERS)
        first, last = _find(keys, FIRST_HEADERS), _find(keys, LAST_HEADERS)
        if email is not None and (name is not None or (first is not None and last is not None)):
            return _Columns(delimiter, email, name, first, last)
    if "@" in first_line:
        raise CohortError(HEADER_IS_A_PERSON)
    shown = first_line.strip()
    raise CohortError(NO_HEADER.format(line=shown[:120] + ("..." if len(shown) > 120 else "")))


def name_problem(name: str) -> str | None:
    """What is wrong with a cleaned name, as a phrase ("the name is missing"), or None: the rules of
    records.accounts.clean_name, so an invited name always makes a valid account name."""
    if not name:
        return "the name is missing"
    if len(name) > NAME_MAX:
        return f"the name is {len(name)} characters long; please keep it to {NAME_MAX}"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        return "the name contains control characters"
    return None


def clean_name(name: str) -> str:
    """A name as typed, trimmed and with runs of spaces folded (as records.accounts.clean_name folds them)."""
    return " ".join(name.split())


def email_problem(email: str) -> str | None:
    """What is wrong with an address as typed, as a phrase, or None. Stricter than sign-up's check
    (records.identity.clean_email): a list typed into a spreadsheet brings typos a person at a sign-up form
    would see, like a comma for a dot or two addresses in one cell."""
    shown = email.strip()
    if not shown:
        return "the email address is missing"
    quoted = shown if len(shown) <= 80 else shown[:80] + "..."
    if len(shown) > EMAIL_MAX:
        return f"the email address is longer than {EMAIL_MAX} characters"
    if _NOT_IN_EMAIL & set(shown) or any(ord(ch) < 32 for ch in shown) or not _EMAIL_SHAPE.fullmatch(shown):
        return f"\u201c{quoted}\u201d is not an email address like name@example.org"
    local, _, domain = shown.rpartition("@")
    if domain.startswith(".") or domain.endswith(".") or ".." in domain or local.startswith(".") or local.endswith("."):
        return f"\u201c{quoted}\u201d is not an email address like name@example.org"
    return None


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _row(line: int, cells: list[str], columns: _Columns, spans_lines: bool) -> RosterRow:
    if columns.name is not None:
        raw_name = _cell(cells, columns.name)
    else:
        raw_name = f"{_cell(cells, columns.first)} {_cell(cells, columns.last)}"
    raw_email = _cell(cells, columns.email)
    if spans_lines and any("\n" in cell or "\r" in cell for cell in cells):
        problem = "a quote mark on this line is never closed, so the lines after it were read as part of this row"
        shown = (raw_email.splitlines() or [""])[0].strip()[:EMAIL_MAX]  # up to where the quote swallowed the rest
        return RosterRow(line, clean_name(raw_name.splitlines()[0] if raw_name.strip() else "")[:NAME_MAX], shown, (problem,))
    name = clean_name(raw_name)
    problems = [p for p in (name_problem(name), email_problem(raw_email)) if p is not None]
    if problems:
        return RosterRow(line, name, raw_email.strip(), tuple(problems))
    try:
        email = clean_email(raw_email)
    except AccountError as exc:  # pragma: no cover - email_problem refuses everything clean_email refuses
        return RosterRow(line, name, raw_email.strip(), (str(exc),))
    return RosterRow(line, name, email)


def read_roster(data: bytes) -> list[RosterRow]:
    """Every person of the file, in order, each with its line and problems; a duplicate address is a problem of
    every row after the first that has it. Raises CohortError when the file as a whole cannot be used: too big,
    not UTF-8, empty, no header naming the columns, no trainees, more than MAX_ROWS."""
    text = decode(data)
    lines = list(io.StringIO(text, newline=""))  # split as the csv reader splits: at \r\n, \n or \r
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise CohortError(EMPTY)
    columns = _columns(lines[start])
    reader = csv.reader(io.StringIO("".join(lines[start + 1 :]), newline=""), delimiter=columns.delimiter)
    header_line = start + 1
    rows: list[RosterRow] = []
    seen: dict[str, int] = {}
    before = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise CohortError(
                f"Line {header_line + before + 1} cannot be read as part of a CSV file. Please check its quote marks, "
                "or save the list from a spreadsheet again."
            ) from None
        line = header_line + before + 1
        spans_lines = reader.line_num - before > 1
        before = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a row of empty cells
        row = _row(line, cells, columns, spans_lines)
        if row.ok:
            first = seen.setdefault(row.email, line)
            if first != line:
                row = RosterRow(line, row.name, row.email, (f"{row.email} is also on line {first}",))
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise CohortError(
                f"That file has more than {MAX_ROWS} trainees; please invite at most {MAX_ROWS} at a time "
                "(split the list into smaller files)."
            )
    if not rows:
        raise CohortError(NO_ROWS)
    return rows
