"""CSV files people open in a spreadsheet: every CSV PeerSim writes goes through :func:`write_csv`.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (``=HYPERLINK(...)`` sends
the sheet's other cells to any address; ``=cmd|...`` asked older Excel to start a program), and a leading tab or
carriage return can hide such a start. Names, cohort names and scenario ids are typed by people, so, following
OWASP's CSV-injection guidance (https://owasp.org/www-community/attacks/CSV_Injection):

* a **text** cell that starts with one of those characters gets a single quote in front (``'=HYPERLINK(...)``), so
  the spreadsheet shows it as text; the quote is visible, and a program reading the file can drop it;
* every text cell is wrapped in double quotes (and its own double quotes doubled), so a comma, semicolon or line
  break inside it never starts a new cell;
* **numbers stay numbers.** An ``int``/``float`` value (points of ``-1``, a score) is data PeerSim computed, not
  text anyone typed: it is written bare, unquoted and unprefixed, so spreadsheets and ``pandas.read_csv`` read it
  as a number. Only values that are ``str`` (or anything else, shown as text) are neutralised; a name that merely
  looks like a number (``-2+3``) is text and is prefixed. Pass numbers as numbers and text as text.

The file starts with a UTF-8 byte-order mark, so Excel reads names such as "Nguyễn" correctly (without it, Excel
guesses a legacy code page); ``pandas.read_csv(..., encoding="utf-8-sig")`` and ``csv`` on a file opened with
``encoding="utf-8-sig"`` drop the mark. Rows end with CRLF, as RFC 4180 asks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

BOM = "\ufeff"
"""The UTF-8 byte-order mark every CSV starts with (``st.download_button`` encodes ``str`` data as UTF-8)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""A text cell starting with any of these is prefixed with a single quote: OWASP's ``= + - @``, tab and carriage
return, and also line feed, NUL (OWASP ASVS 1.2.10) and the full-width ``＝ ＋ － ＠`` that some spreadsheets
turn into their ASCII forms."""


def safe_cell(value: object) -> object:
    """One cell as it should be written: numbers unchanged, missing values empty, dates in ISO 8601, and text
    that a spreadsheet could read as a formula prefixed with a single quote."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python, but to a reader it is the word
        return str(value).lower()
    if isinstance(value, (int, float, Decimal)):
        return value
    text = value.isoformat() if isinstance(value, (datetime, date)) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A whole CSV file: the byte-order mark, the header, then ``rows``, every cell through :func:`safe_cell`;
    text cells quoted, numbers bare."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()
