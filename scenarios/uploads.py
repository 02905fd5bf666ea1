"""Uploaded files as text: one check for every upload the studio and the dashboard take (a scenario, a Twine
story, a GIFT file), so each refuses a file that is too large, binary or not UTF-8 in the same plain words."""

from __future__ import annotations

from typing import Literal


def decode_text(
    data: bytes,
    *,
    max_bytes: int,
    limit: str,
    binary: str,
    outcome: str,
    where: Literal["byte", "line"] = "byte",
    error: type[ValueError] = ValueError,
) -> str:
    """``data`` as text (UTF-8, a byte-order mark dropped), or ``error`` with a message for people.

    ``limit`` says how large such a file may be ("scenarios can be at most 1 MiB"), ``binary`` what it is not
    ("binary data, not a Twine story"), ``outcome`` what happened ("Nothing was saved."); ``where`` names the first
    unreadable place by its byte or by its line."""
    if len(data) > max_bytes:
        raise error(f"That file is {len(data) / 1024 / 1024:.1f} MiB; {limit}. {outcome}")
    if b"\x00" in data:
        raise error(f"That file holds {binary}. {outcome}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        place = f"line {line}" if where == "line" else f"byte {exc.start + 1}"
        raise error(
            f"That file is not UTF-8 text ({place} cannot be read). Save it as UTF-8 and upload it again. {outcome}"
        ) from None
