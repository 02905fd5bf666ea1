"""Editing a scenario's YAML without losing anything: the studio's form edits the text through here.

This module never decides whether a scenario is valid: the one gateway (``scenarios.gateway.read_yaml``) and the
checks still read every text the form writes, as they read every text typed in the YAML view. What it adds is a
round trip that keeps what a person wrote: comments, key order, quoting, flow lists (``[a, b]``) and blank lines.
It uses ruamel.yaml's round-trip mode; loading and dumping an unchanged text gives the same bytes for every
scenario in the shipped library (``tests/test_roundtrip.py``), and an edit changes only the lines it touches.

A form field is named by its path in the data, as the checks name it: ``("title",)``, ``("peer", "name")``,
``("nodes", "opening", "readiness")``, ``("nodes", "opening", "choices", 0, "say")``, ``("endings", "done",
"debrief")``. Pure: text in, text out.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable, Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

Path = tuple[str | int, ...]

# Where a field that is not in the text yet goes: after the last field before it in this order.
ORDER: dict[str, tuple[str, ...]] = {
    "scenario": (
        "id",
        "title",
        "summary",
        "domains",
        "difficulty",
        "minutes",
        "content_note",
        "peer",
        "start",
        "nodes",
        "endings",
    ),
    "peer": ("name", "pronouns", "about"),
    "node": ("scene", "peer", "readiness", "choices"),
    "choice": ("id", "say", "criteria", "quality", "why", "better", "next", "loop"),
    "ending": ("title", "peer", "debrief"),
}
OPTIONAL = {
    "scenario": {"content_note"},
    "peer": {"pronouns"},
    "node": {"scene"},
    "choice": {"better", "loop"},
    "ending": {"title"},
}
"""Fields that are left out of the text when they are empty (the format has no empty text)."""
SECTIONS = ("nodes", "endings")
LISTS = {"domains", "criteria"}


class Draft:
    """A scenario text loaded for editing. ``data`` is ruamel.yaml's commented structure: edit it with the
    functions below, then :func:`dump` it."""

    def __init__(self, data: CommentedMap) -> None:
        self.data = data


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line: a library line is up to 400 characters
    yaml.indent(mapping=2, sequence=4, offset=2)  # the library's layout: "choices:\n      - id: ..."
    return yaml


class NotAScenarioMapping(ValueError):
    """The text reads, but its top level is not a mapping of fields, so there is nothing a form can show."""


def load(text: str) -> Draft:
    """The text as an editable structure. Read the text with the gateway first: this is for texts it can read."""
    data = _yaml().load(text)
    if not isinstance(data, CommentedMap):
        raise NotAScenarioMapping("The YAML has to be a set of fields (title:, peer:, nodes: ...) for the form to show it.")
    return Draft(data)


def dump(draft: Draft) -> str:
    buffer = io.StringIO()
    _yaml().dump(draft.data, buffer)
    return buffer.getvalue()


def round_trip(text: str) -> str:
    """Load and dump unchanged: the same text (tests hold the library to it)."""
    return dump(load(text))


# --------------------------------------------------------------------- reading
def get(draft: Draft, path: Path, default: Any = None) -> Any:
    """The value at ``path`` (plain Python values for text, numbers and lists), or ``default``."""
    node: Any = draft.data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    if isinstance(node, ScalarString):
        return str(node)
    if isinstance(node, CommentedSeq):
        return [str(x) if isinstance(x, ScalarString) else x for x in node]
    return node


def ids(draft: Draft, section: str) -> list[str]:
    """The keys of ``nodes`` or ``endings``, in file order."""
    found = draft.data.get(section)
    return [str(k) for k in found] if isinstance(found, CommentedMap) else []


def choice_ids(draft: Draft, node_id: str) -> list[str]:
    return [str(c.get("id", "")) if isinstance(c, CommentedMap) else "" for c in _choices(draft, node_id)]


# --------------------------------------------------------------------- setting
def _kind(path: Path) -> str:
    if len(path) == 1:
        return "scenario"
    if path[0] == "peer":
        return "peer"
    if path[0] == "endings":
        return "ending"
    if path[0] == "nodes" and len(path) == 3:
        return "node"
    return "choice"


def _parent(draft: Draft, path: Path) -> CommentedMap:
    node: Any = draft.data
    for part in path[:-1]:
        if isinstance(node, CommentedMap) and isinstance(part, str) and part not in node:
            node[part] = CommentedMap()
        node = node[part]
    if not isinstance(node, CommentedMap):
        raise KeyError(path)
    return node


def _insert_at(mapping: CommentedMap, kind: str, key: str) -> int:
    order = ORDER[kind]
    if key not in order:
        return len(mapping)
    before = set(order[: order.index(key)])
    position = 0
    for index, existing in enumerate(mapping):
        if existing in before:
            position = index + 1
    return position


def _styled(old: Any, value: str) -> Any:
    """New text in the quoting style of the text it replaces (a double-quoted line stays double-quoted); the
    quotes of an empty text ('') were only there for the emptiness, so text that replaces it is written plain."""
    if isinstance(old, ScalarString) and str(old) and value and "\n" not in value:
        return type(old)(value)
    return value


def set_field(draft: Draft, path: Path, value: Any) -> None:
    """Set one field. Text is stripped; empty optional text removes the field; a list keeps its flow style
    (``[a, b]``) and its place; a new field goes where the format's order puts it. Other lines stay as they were."""
    parent = _parent(draft, path)
    key = path[-1]
    assert isinstance(key, str)
    if isinstance(value, str):
        value = value.strip()
    if key in OPTIONAL[_kind(path)] and value in ("", None, False):
        parent.pop(key, None)
        return
    if key in LISTS:
        values = list(value)
        old = parent.get(key)
        if isinstance(old, CommentedSeq):
            del old[:]
            old.extend(values)
            return
        value = CommentedSeq(values)
        value.fa.set_flow_style()
    elif isinstance(value, str):
        value = _styled(parent.get(key), value)
    if key in parent:
        if isinstance(parent[key], ScalarString) and not isinstance(value, ScalarString):
            # ruamel keeps an old text's quoting on assignment; replace the entry (and keep its comment) instead
            position, comment = list(parent).index(key), parent.ca.items.get(key)
            del parent[key]
            parent.insert(position, key, value)
            if comment is not None:
                parent.ca.items[key] = comment
        else:
            parent[key] = value
    else:
        parent.insert(_insert_at(parent, _kind(path), key), key, value)


# ------------------------------------------------------------ points and endings
def _section(draft: Draft, section: str) -> CommentedMap:
    found = draft.data.get(section)
    if not isinstance(found, CommentedMap):
        found = CommentedMap()
        draft.data.insert(_insert_at(draft.data, "scenario", section), section, found)
    return found


def _free(taken: Iterable[str], stem: str) -> str:
    used = set(taken)
    number = 1
    while f"{stem}-{number}" in used:
        number += 1
    return f"{stem}-{number}"


def _all_ids(draft: Draft) -> list[str]:
    return ids(draft, "nodes") + ids(draft, "endings")


def _new_choice(draft: Draft, taken: Iterable[str]) -> CommentedMap:
    criteria = CommentedSeq()
    criteria.fa.set_flow_style()
    endings = ids(draft, "endings")
    choice = CommentedMap()
    choice["id"] = _free(taken, "response")
    choice["say"] = ""
    choice["criteria"] = criteria
    choice["quality"] = "helpful"
    choice["why"] = ""
    choice["next"] = endings[0] if endings else ""
    return choice


def add_node(draft: Draft) -> str:
    """A new decision point at the end of ``nodes`` with two empty responses; its id."""
    nodes = _section(draft, "nodes")
    new_id = _free(_all_ids(draft), "point")
    node = CommentedMap()
    node["peer"] = ""
    node["readiness"] = "contemplating"
    first = _new_choice(draft, [])
    node["choices"] = CommentedSeq([first, _new_choice(draft, [str(first["id"])])])
    nodes[new_id] = node
    if not draft.data.get("start"):
        set_field(draft, ("start",), new_id)
    return new_id


def add_ending(draft: Draft) -> str:
    endings = _section(draft, "endings")
    new_id = _free(_all_ids(draft), "ending")
    ending = CommentedMap()
    ending["peer"] = ""
    ending["debrief"] = ""
    endings[new_id] = ending
    return new_id


def duplicate(draft: Draft, section: str, item_id: str) -> str:
    """A copy of a point or an ending right after it, under a new id; its id."""
    items = _section(draft, section)
    new_id = _free(_all_ids(draft), f"{item_id}-copy")
    items.insert(list(items).index(item_id) + 1, new_id, copy.deepcopy(items[item_id]))
    return new_id


def delete(draft: Draft, section: str, item_id: str) -> None:
    """Remove a point or an ending. Responses that led to it keep pointing there, so the checks list each one."""
    del _section(draft, section)[item_id]


def move(draft: Draft, section: str, item_id: str, step: int) -> None:
    """Move a point or an ending ``step`` places up (negative) or down within its section."""
    items = _section(draft, section)
    order = list(items)
    old = order.index(item_id)
    new = max(0, min(len(order) - 1, old + step))
    if new == old:
        return
    order.insert(new, order.pop(old))
    for key in order:
        items.move_to_end(key)


# --------------------------------------------------------------------- responses
def _choices(draft: Draft, node_id: str) -> CommentedSeq:
    node = _section(draft, "nodes")[node_id]
    choices = node.get("choices")
    if not isinstance(choices, CommentedSeq):
        choices = CommentedSeq()
        node["choices"] = choices
    return choices


def add_choice(draft: Draft, node_id: str) -> int:
    """A new empty response at the end of a point; its index."""
    choices = _choices(draft, node_id)
    choices.append(_new_choice(draft, choice_ids(draft, node_id)))
    return len(choices) - 1


def duplicate_choice(draft: Draft, node_id: str, index: int) -> int:
    choices = _choices(draft, node_id)
    copied = copy.deepcopy(choices[index])
    copied["id"] = _free(choice_ids(draft, node_id), str(choices[index].get("id", "response")))
    choices.insert(index + 1, copied)
    return index + 1


def delete_choice(draft: Draft, node_id: str, index: int) -> None:
    """Remove a response. Responses at the point that named it as their stronger alternative lose that
    pointer (the checks then ask for another), rather than pointing at nothing."""
    choices = _choices(draft, node_id)
    gone = choices[index].get("id")
    del choices[index]
    for choice in choices:
        if isinstance(choice, CommentedMap) and gone is not None and choice.get("better") == gone:
            del choice["better"]


def move_choice(draft: Draft, node_id: str, index: int, step: int) -> None:
    choices = _choices(draft, node_id)
    new = max(0, min(len(choices) - 1, index + step))
    if new != index:
        choices.insert(new, choices.pop(index))


# ------------------------------------------------------------------ where fields are
def _walk(node: Any, path: Path) -> Iterator[tuple[int, Path]]:
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            line, _ = node.lc.key(key)
            yield line + 1, (*path, str(key))
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, CommentedSeq) and not node.fa.flow_style():
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))


def field_lines(draft: Draft) -> dict[int, Path]:
    """Each 1-based line of the loaded text that starts a field, and that field's path (the innermost one)."""
    found: dict[int, Path] = {}
    for line, path in _walk(draft.data, ()):
        found[line] = path
    return found


def field_at(draft: Draft, line: int) -> Path | None:
    """The field a problem at ``line`` belongs to: the field that starts on that line, else the one above it
    (a problem inside a multi-line value). None above the first field."""
    lines = field_lines(draft)
    for candidate in range(line, 0, -1):
        if candidate in lines:
            return lines[candidate]
    return None


def blank(scenario_id: str = "new-scenario") -> str:
    """The text of an empty draft for the form: every required field present but empty, one decision point with
    two responses and one ending. It reads, and the checks list what is still to fill in."""
    draft = Draft(CommentedMap())
    for key, value in (
        ("id", scenario_id),
        ("title", ""),
        ("summary", ""),
        ("domains", []),
        ("difficulty", 1),
        ("minutes", 5),
    ):
        set_field(draft, (key,), value)
    set_field(draft, ("peer", "name"), "")
    set_field(draft, ("peer", "about"), "")
    add_ending(draft)
    add_node(draft)
    draft.data.move_to_end("endings")
    return dump(draft)
