"""The one YAML gateway: every YAML text PeerSim reads comes through here.

It parses with libyaml's event stream (PyYAML's C parser where available) and builds plain Python data
itself, so that it can

* refuse anything but plain data: explicit tags (``!!python/object``...), aliases (``*name``), complex keys;
* refuse duplicate keys (PyYAML silently keeps the last one);
* read scalars by the YAML 1.2 core rules, so ``no``/``yes``/``on`` stay text (YAML 1.1 made them booleans);
* remember where every key and value stood, so later checks can report ``path:line:col: message``;
* keep going after a problem where the text allows it, so a file's problems are all reported at once;
* stay bounded on hostile input: a size limit, a nesting limit, no alias expansion, binary bytes refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

try:  # pragma: no cover - which branch runs depends on how PyYAML was built
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1_048_576
"""Largest YAML file accepted (1 MiB): a long scenario is about 40 KB."""

MAX_DEPTH = 32
"""Deepest nesting of mappings and lists accepted; the scenario format needs six levels."""

Severity = Literal["error", "warning"]
PathKey = str | int
DataPath = tuple[PathKey, ...]


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a source text."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in one source, at one place."""

    source: str
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.source}:{self.line}:{self.column}: {prefix}{self.message}"


class YamlError(Exception):
    """Raised when a YAML text cannot be turned into data; carries every problem found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class YamlDocument:
    """Plain data read from YAML, with the location of every key and value in the source."""

    source: str
    text: str
    data: Any
    values: dict[DataPath, Location] = field(default_factory=dict)
    keys: dict[DataPath, Location] = field(default_factory=dict)

    def locate(self, path: DataPath, *, key: bool = False) -> Location:
        """Where ``path`` stands; for a path that does not exist, where its nearest parent stands."""
        probe = tuple(path)
        while True:
            if key and probe in self.keys:
                return self.keys[probe]
            if probe in self.values:
                return self.values[probe]
            if not probe:
                return Location(1, 1)
            probe = probe[:-1]
            key = False

    def problem(self, path: DataPath, message: str, *, key: bool = False, severity: Severity = "error") -> Problem:
        where = self.locate(path, key=key)
        return Problem(self.source, where.line, where.column, message, severity)


# YAML 1.2 core schema, without the YAML 1.1 surprises (yes/no/on/off, sexagesimals, dates).
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}


def resolve_plain(text: str) -> Any:
    """The value of an unquoted scalar under the YAML 1.2 core schema."""
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lower()
    if lowered in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[lowered]
    return text


def _location(mark: Any) -> Location:
    return Location(mark.line + 1, mark.column + 1)


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a value"


def _decode(raw: bytes, source: str) -> str:
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        line = raw.count(b"\n", 0, offset) + 1
        column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
        raise YamlError([Problem(source, line, column, "this looks like a binary file, not YAML text (it contains a NUL byte)")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            [
                Problem(
                    source,
                    line,
                    column,
                    f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read); save it as UTF-8",
                )
            ]
        ) from None


def _position_of(text: str, index: int) -> Location:
    line = text.count("\n", 0, index) + 1
    return Location(line, index - (text.rfind("\n", 0, index) + 1) + 1)


class _Builder:
    """Turns libyaml events into plain data, collecting problems instead of stopping at the first."""

    def __init__(self, source: str, text: str, max_depth: int) -> None:
        self.doc = YamlDocument(source=source, text=text, data=None)
        self.problems: list[Problem] = []
        self.max_depth = max_depth
        self.aliases_reported: set[str] = set()

    def add(self, where: Location, message: str) -> None:
        self.problems.append(Problem(self.doc.source, where.line, where.column, message))

    def build(self, events: Iterable[Any]) -> None:
        # Each frame: [container, path, pending_key (for mappings), key_location]
        stack: list[list[Any]] = []
        documents = 0
        for event in events:
            kind = type(event).__name__
            if kind in ("StreamStartEvent", "StreamEndEvent", "DocumentEndEvent"):
                continue
            if kind == "DocumentStartEvent":
                documents += 1
                if documents > 1:
                    self.add(_location(event.start_mark), "a file holds one YAML document; remove the second '---'")
                    return
                continue
            if kind in ("MappingEndEvent", "SequenceEndEvent"):
                stack.pop()
                continue
            where = _location(event.start_mark)
            if kind == "AliasEvent":
                if event.anchor not in self.aliases_reported:
                    self.aliases_reported.add(event.anchor)
                    self.add(where, f"aliases (*{event.anchor}) are not allowed; write the value out in full")
                value: Any = None
                self._place(stack, value, where, is_scalar=True, raw_key=None)
                continue
            tag = getattr(event, "tag", None)
            if tag is not None and tag != "!":
                shown = "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
                self.add(where, f"YAML tags such as '{shown}' are not allowed; use plain text, numbers, lists and mappings")
            if kind == "ScalarEvent":
                plain = event.style in (None, "") and tag is None
                value = resolve_plain(event.value) if plain else event.value
                self._place(stack, value, where, is_scalar=True, raw_key=event.value)
                continue
            # A collection starts.
            if len(stack) >= self.max_depth:
                self.add(where, f"the data is nested more than {self.max_depth} levels deep")
                raise _Stop
            container: Any = {} if kind == "MappingStartEvent" else []
            path = self._place(stack, container, where, is_scalar=False, raw_key=None)
            if path is None:  # used as a mapping key: already reported; read it into a throwaway
                path = ("<key>",)
            stack.append([container, path, None, None])
        if documents == 0:
            self.add(Location(1, 1), "the file is empty")

    def _place(
        self, stack: list[list[Any]], value: Any, where: Location, *, is_scalar: bool, raw_key: str | None
    ) -> DataPath | None:
        if not stack:
            self.doc.data = value
            self.doc.values[()] = where
            return ()
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            child = (*path, len(container))
            container.append(value)
            self.doc.values[child] = where
            return child
        # A mapping: either this is a key, or the value for the pending key.
        if frame[2] is None:
            if not is_scalar:
                self.add(where, "mapping keys must be plain text, not a list or mapping")
                frame[2] = ("<bad key>",)
                frame[3] = where
                return None
            key = "" if raw_key is None else str(raw_key)
            if key in container:
                first = self.doc.keys[(*path, key)]
                self.add(where, f"duplicate key '{key}' (first defined at line {first.line}); each key may appear once")
                frame[2] = ("<duplicate>", key)
            else:
                frame[2] = key
            frame[3] = where
            return None
        key_or_marker = frame[2]
        key_where = frame[3]
        frame[2] = None
        frame[3] = None
        if isinstance(key_or_marker, tuple):
            # The key was bad or a duplicate: keep the first value, read this one only to continue.
            return (*path, "<ignored>")
        child = (*path, key_or_marker)
        container[key_or_marker] = value
        self.doc.keys[child] = key_where
        self.doc.values[child] = where
        return child


class _Stop(Exception):
    pass


def read_yaml(
    content: str | bytes, source: str = "<text>", *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH
) -> YamlDocument:
    """Read one YAML document of plain data, or raise :class:`YamlError` listing every problem found."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    if len(raw) > max_bytes:
        raise YamlError([Problem(source, 1, 1, f"the file is too large ({len(raw):,} bytes; the limit is {max_bytes:,} bytes)")])
    text = content if isinstance(content, str) else _decode(raw, source)
    if isinstance(content, str) and "\x00" in text:
        where = _position_of(text, text.index("\x00"))
        raise YamlError(
            [Problem(source, where.line, where.column, "this looks like a binary file, not YAML text (it contains a NUL byte)")]
        )
    builder = _Builder(source, text, max_depth)
    try:
        builder.build(yaml.parse(text, Loader=_Loader))
    except _Stop:
        pass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = _location(mark) if mark is not None else Location(1, 1)
        message = exc.problem or "the YAML could not be read"
        if exc.context:
            message = f"{message} ({exc.context})"
        builder.problems.append(Problem(source, where.line, where.column, f"YAML syntax: {message}"))
    except yaml.reader.ReaderError as exc:
        where = _position_of(text, exc.position)
        builder.problems.append(
            Problem(source, where.line, where.column, f"YAML syntax: {exc.reason} (found U+{exc.character:04X})")
        )
    except yaml.YAMLError as exc:
        builder.problems.append(Problem(source, 1, 1, f"YAML syntax: {exc}"))
    if builder.problems:
        raise YamlError(sorted(builder.problems, key=lambda p: (p.line, p.column)))
    return builder.doc


def read_yaml_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> YamlDocument:
    """Read a YAML file through the gateway; the file's own path names it in every problem."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise YamlError([Problem(source, 1, 1, f"the file is too large ({size:,} bytes; the limit is {max_bytes:,} bytes)")])
        raw = path.read_bytes()
    except OSError as exc:
        raise YamlError([Problem(source, 1, 1, f"cannot read the file: {exc.strerror or exc}")]) from None
    return read_yaml(raw, source, max_bytes=max_bytes)


def describe_type(value: Any) -> str:
    """A plain-language name for the type of a value read from YAML."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return _describe(value)
