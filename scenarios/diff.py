"""Readable differences between two versions of a scenario's text (the studio's History tab).

Pure: text in, text and counts out (difflib from the standard library); the page draws them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

CONTEXT = 3
"""Unchanged lines shown around each change."""


@dataclass(frozen=True)
class TextDiff:
    """What changed from ``old`` to ``new``: a unified diff (empty when they are the same) and line counts."""

    text: str
    added: int
    removed: int

    @property
    def same(self) -> bool:
        return not self.text

    def summary(self) -> str:
        """One plain sentence: how many lines were added and removed."""
        if self.same:
            return "The two versions are the same."
        parts = [f"{n} line{'s' if n != 1 else ''} {what}" for n, what in ((self.added, "added"), (self.removed, "removed"))]
        return f"{parts[0]} and {parts[1]}."


def diff_text(old: str, new: str, old_label: str, new_label: str, context: int = CONTEXT) -> TextDiff:
    """The unified diff from ``old`` to ``new`` (headed by the two labels), with the lines added and removed."""
    lines = list(
        difflib.unified_diff(old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, n=context, lineterm="")
    )
    added = sum(1 for line in lines[2:] if line.startswith("+"))
    removed = sum(1 for line in lines[2:] if line.startswith("-"))
    return TextDiff("\n".join(lines), added, removed)
