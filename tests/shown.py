"""Test helpers: what a reader sees of Markdown that `ui.render.esc` wrote.

AppTest hands tests the Markdown source of an element (``at.markdown[0].value``, a table's cells); a browser
shows that source rendered. For text that went through `esc`, :func:`shown` gives the rendered text: backslash
escapes dropped, the invisible word joiners removed, hard line breaks as line breaks and leading no-break spaces
as spaces. So a test can assert the exact text people see (``shown(at.title[0].value) == title``) and, with
:func:`raw_markdown`, that no Markdown was left for Streamlit to interpret.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ui.render import WORD_JOINER

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_LEADING_NBSP = re.compile(r"^\u00a0+", re.MULTILINE)


def shown(markdown: str) -> str:
    """The text a reader sees when Streamlit renders ``markdown`` that `esc` produced."""
    text = markdown.replace("  \n", "\n").replace(WORD_JOINER, "")
    text = _LEADING_NBSP.sub(lambda m: " " * len(m.group(0)), text)
    return _ESCAPE.sub(r"\1", text)


def shown_rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of an `st.table` (AppTest's ``at.table[i].value``) as a reader sees them: headers and text cells
    through :func:`shown`, numbers as they are."""
    return [{shown(str(k)): shown(v) if isinstance(v, str) else v for k, v in row.items()} for row in frame.to_dict("records")]


# Markdown left unescaped: an image, a link, emphasis, a :color[...] directive, $math$, or an HTML tag.
_LIVE = re.compile(
    r"(?<!\\)!(?<!\\)\[|(?<!\\)\]\((?!\))|(?<!\\)\*\*|(?<!\\):[a-z-]+(?<!\\)\[|(?<!\\)\$[^$\s][^$]*(?<!\\)\$|(?<!\\)<[a-z/]"
)


def raw_markdown(markdown: str) -> list[str]:
    """The Markdown constructs in ``markdown`` that a renderer would still interpret (empty when all escaped)."""
    return [m.group(0) for m in _LIVE.finditer(markdown)]
