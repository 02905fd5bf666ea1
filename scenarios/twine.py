"""Twine import and export: a Twine 2 story (Twee 3 text or published HTML) to a scenario draft, and back.

Pure: takes text, returns text and data. The specifications followed are the Interactive Fiction Technology
Foundation's twine-specs: ``twee-3-specification.md`` (``:: Name [tags] {metadata}``, the StoryTitle and StoryData
special passages) and ``twine-2-htmloutput-spec.md`` (``<tw-storydata>`` with ``<tw-passagedata>`` children).

Import: a passage with links becomes a decision point, a passage without links an ending; a link's text becomes a
response's ``say`` and its target the response's ``next``; the passage text without its links is what the peer
says. What Twine has no place for (criteria, quality, readiness, rationale, debrief, the scenario's details) is left
out of the draft, so the studio's checks name each gap, and :attr:`TwineImport.report` lists them in plain words.

Export: Twee 3 for the Harlowe 3.3 story format. Harlowe is the format a new story gets in Twine 2, its
``[[text->target]]`` links are the form Twine's editor draws as arrows, and PeerSim's text needs no macros, so
an instructor who opens the file in Twine sees the conversation as if they had sketched it there. PeerSim's own
fields ride along in each passage's metadata (``{"peersim": {...}}``), which a re-import reads back, so
scenario -> Twee -> scenario gives the same scenario.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from scenarios.model import Scenario

FORMAT = "Harlowe"
FORMAT_VERSION = "3.3.9"
PREFIX = "peersim-"
"""PeerSim's fields in a passage's Twee metadata are flat keys with this prefix (``peersim-readiness``,
``peersim-response-1-why``...), values text, numbers or true, and lists as space-separated text: Twee tools read
metadata naively (extwee takes the last ``{`` of a header as its start), so it holds no nested objects, and brackets
and braces inside text are written as JSON's ``\\u007b``-style escapes."""
_LISTS = {"domains", "criteria"}
_DETAILS = ("id", "summary", "domains", "difficulty", "minutes", "content_note")
_PEER = ("name", "about", "pronouns")
_CHOICE = ("id", "criteria", "quality", "why", "better", "loop")

NOT_TWINE = (
    "This file is not a Twine story. Upload a Twee file (.twee or .tw) or a story published from Twine (.html). "
    "Nothing was imported."
)
NO_PASSAGES = "This Twine story has no passages to import. Add a passage in Twine and upload it again. Nothing was imported."


class TwineError(ValueError):
    """A Twine file that cannot become a draft; the message is for authors and says nothing was imported."""


@dataclass(frozen=True)
class Passage:
    name: str
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    text: str = ""


@dataclass(frozen=True)
class Story:
    title: str
    start: str | None
    passages: tuple[Passage, ...]
    notes: tuple[str, ...] = ()
    """What reading the file left out (a script, a stylesheet, metadata that was not JSON)."""


@dataclass(frozen=True)
class Link:
    text: str
    target: str


@dataclass(frozen=True)
class TwineImport:
    title: str
    yaml: str
    report: str


# ------------------------------------------------------------------ reading Twee 3
def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _header(line: str) -> tuple[str, tuple[str, ...], dict[str, Any] | None, str]:
    """A Twee 3 passage header (without its ``::``): name, tags, metadata (None when not JSON), the metadata text."""
    rest = line
    name_chars: list[str] = []
    i = 0
    while i < len(rest):
        char = rest[i]
        if char == "\\" and i + 1 < len(rest):
            name_chars.append(rest[i + 1])
            i += 2
            continue
        if char in "[{":
            break
        name_chars.append(char)
        i += 1
    name = "".join(name_chars).strip()
    rest = rest[i:].strip()
    tags: tuple[str, ...] = ()
    if rest.startswith("["):
        end = rest.find("]")
        end = len(rest) if end == -1 else end
        tags = tuple(_unescape(t) for t in rest[1:end].split())
        rest = rest[end + 1 :].strip()
    metadata: dict[str, Any] | None = {}
    if rest.startswith("{"):
        try:
            loaded = json.loads(rest)
        except json.JSONDecodeError:
            loaded = None
        metadata = loaded if isinstance(loaded, dict) else None
    return name, tags, metadata, rest


def parse_twee(text: str) -> Story:
    """A story from Twee 3 text. Raises TwineError when the text has no passage headers."""
    passages: list[tuple[str, tuple[str, ...], dict[str, Any], list[str]]] = []
    notes: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line.startswith("::"):
            name, tags, metadata, raw = _header(line[2:])
            if metadata is None:
                notes.append(f"The details after the passage name “{name}” could not be read and were left out: {raw}")
                metadata = {}
            passages.append((name, tags, metadata, []))
        elif passages:
            passages[-1][3].append(line[1:] if line.startswith("\\::") else line)
    if not passages:
        raise TwineError(NOT_TWINE)
    title, start, story = "", None, []
    for name, tags, metadata, lines in passages:
        body = "\n".join(lines).strip()
        if name == "StoryTitle":
            title = body
        elif name == "StoryData":
            try:
                data = json.loads(body) if body else {}
            except json.JSONDecodeError:
                data = {}
                notes.append("The story's settings (StoryData) could not be read and were left out.")
            if isinstance(data, dict) and isinstance(data.get("start"), str):
                start = data["start"]
        else:
            story.append(Passage(name, tags, metadata, body))
    return Story(title, start, tuple(story), tuple(notes))


# ----------------------------------------------------------------- reading HTML
class _StoryHTML(HTMLParser):
    """Collects ``<tw-storydata>`` and its ``<tw-passagedata>`` children (text unescaped by the parser)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stories: list[dict[str, str | None]] = []
        self.passages: list[tuple[dict[str, str | None], list[str]]] = []
        self._in_passage = False
        self._in_story = False
        self._in_code: str | None = None
        self.code: set[str] = set()
        """Which of the story's own code the first story holds: "script" (JavaScript), "stylesheet" (CSS)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tw-storydata":
            self.stories.append(dict(attrs))
            self._in_story = len(self.stories) == 1
        elif tag == "tw-passagedata" and self._in_story:
            self.passages.append((dict(attrs), []))
            self._in_passage = True
        elif tag in ("script", "style") and self._in_story:
            self._in_code = dict(attrs).get("role")

    def handle_endtag(self, tag: str) -> None:
        if tag == "tw-passagedata":
            self._in_passage = False
        elif tag == "tw-storydata":
            self._in_story = False
        elif tag in ("script", "style"):
            self._in_code = None

    def handle_data(self, data: str) -> None:
        if self._in_passage:
            self.passages[-1][1].append(data)
        elif self._in_code in ("script", "stylesheet") and data.strip():
            self.code.add(self._in_code)


def parse_html(text: str) -> Story:
    """A story from Twine 2 published HTML (or an archive: its first story). Raises TwineError when there is none."""
    parser = _StoryHTML()
    parser.feed(text)
    parser.close()
    if not parser.stories:
        raise TwineError(NOT_TWINE)
    story = parser.stories[0]
    notes = []
    if len(parser.stories) > 1:
        notes.append(f"The file holds {len(parser.stories)} stories; only the first, “{story.get('name') or ''}”, was imported.")
    if "script" in parser.code:
        notes.append("The story's JavaScript: PeerSim runs no code.")
    if "stylesheet" in parser.code:
        notes.append("The story's stylesheet: PeerSim has its own look.")
    passages = []
    start = None
    for attrs, chunks in parser.passages:
        name = (attrs.get("name") or "").strip()
        tags = tuple((attrs.get("tags") or "").split())
        passages.append(Passage(name, tags, {}, "".join(chunks).strip()))
        if attrs.get("pid") is not None and attrs.get("pid") == story.get("startnode"):
            start = name
    return Story((story.get("name") or "").strip(), start, tuple(passages), tuple(notes))


def read_story(text: str) -> Story:
    """A story from either Twine form: published HTML when the text holds ``<tw-storydata``, else Twee 3."""
    if "<tw-storydata" in text.lower():
        return parse_html(text)
    return parse_twee(text)


# ------------------------------------------------------------------ passage text
_LINK = re.compile(r"\[\[(.+?)\]\]", re.DOTALL)


def parse_link(inner: str) -> Link:
    """One link's text and target, from what is between ``[[`` and ``]]``: ``text->target`` (the rightmost
    ``->``), ``target<-text`` (the leftmost ``<-``), ``text|target``, or ``target``. A setter (``][...``) is dropped."""
    inner = inner.split("][", 1)[0]
    if "->" in inner:
        text, target = inner.rsplit("->", 1)
    elif "<-" in inner:
        target, text = inner.split("<-", 1)
    elif "|" in inner:
        text, target = inner.rsplit("|", 1)
    else:
        text = target = inner
    return Link(text.strip(), target.strip())


def links(text: str) -> list[Link]:
    return [parse_link(m.group(1)) for m in _LINK.finditer(text)]


_MACRO_HARLOWE = re.compile(r"\([a-zA-Z][\w-]*:")
_MACRO_SUGARCUBE = re.compile(r"<<.*?>>", re.DOTALL)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_HOOK_NAME = re.compile(r"\|[a-zA-Z_]\w*>|<[a-zA-Z_]\w*\|")
_FORMATTING = re.compile(r"''|\*\*|//|~~|\^\^")


def _without_harlowe_macros(text: str) -> tuple[str, list[str]]:
    """Text with each ``(name: ...)`` removed (parentheses balanced), and the macro names."""
    names = []
    while match := _MACRO_HARLOWE.search(text):
        depth, end = 0, len(text)
        for i in range(match.start(), len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                end = i + 1
                break
        names.append(match.group(0)[1:])
        text = text[: match.start()] + text[end:]
    return text, names


def clean_text(text: str) -> tuple[str, list[str]]:
    """Passage text without links, macros, HTML tags and formatting marks, and what was dropped, in plain words."""
    dropped = []
    text = _LINK.sub("", text)
    text, harlowe = _without_harlowe_macros(text)
    sugarcube = [re.sub(r"^<<\s*/?\s*([\w-]*).*$", r"<<\1>>", m, flags=re.DOTALL) for m in _MACRO_SUGARCUBE.findall(text)]
    if harlowe or sugarcube:
        dropped.append("the macros " + ", ".join(dict.fromkeys([*(f"({n})" for n in harlowe), *sugarcube])))
    text = _MACRO_SUGARCUBE.sub("", text)
    if _HOOK_NAME.search(text) or (harlowe and ("[" in text or "]" in text)):
        text = _HOOK_NAME.sub("", text)
        text = text.replace("[", "").replace("]", "")
        dropped.append("hooks")
    if _HTML_TAG.search(text):
        text = _HTML_TAG.sub("", text)
        dropped.append("HTML tags")
    if _FORMATTING.search(text):
        text = _FORMATTING.sub("", text)
        dropped.append("text formatting")
    lines = [line.rstrip() for line in text.split("\n")]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return cleaned, dropped


# ---------------------------------------------------------------------- ids
def slug(text: str, fallback: str = "passage") -> str:
    """A PeerSim id from any name: lower-case letters, digits and dashes, at most 64 characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    made = re.sub(r"[^a-z0-9_]+", "-", ascii_text)
    made = re.sub(r"[-_]{2,}", "-", made).strip("-_")[:64].strip("-_")
    return made or fallback


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = base[: 64 - len(suffix)].rstrip("-_") + suffix
        n += 1
    taken.add(candidate)
    return candidate


def _choice_id(say: str) -> str:
    return slug(" ".join(say.split()[:4]), "response")


# ------------------------------------------------------------------ writing YAML
def _q(value: Any) -> str:
    """A YAML scalar: text as a double-quoted string (JSON's escapes are YAML's), numbers and booleans as is."""
    return json.dumps(value, ensure_ascii=False)


def _yaml_list(values: list[Any]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


# Each special passage of the story formats (not part of the conversation) and each tag that marks one.
_SPECIAL = {
    "StoryInit",
    "StoryCaption",
    "StoryMenu",
    "StoryBanner",
    "StorySubtitle",
    "StoryAuthor",
    "StoryInterface",
    "StoryShare",
    "PassageReady",
    "PassageDone",
    "PassageHeader",
    "PassageFooter",
}
_SPECIAL_TAGS = {
    "script",
    "stylesheet",
    "widget",
    "header",
    "footer",
    "startup",
    "debug-header",
    "debug-footer",
    "debug-startup",
    "Twine.private",
}


@dataclass
class _Draft:
    lines: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def import_story(text: str) -> TwineImport:
    """A scenario draft (YAML text) and an import report from a Twine story's text. Raises TwineError when the
    file is not a Twine story, has no passages, or has links to passages that do not exist."""
    story = read_story(text)
    draft = _Draft(dropped=list(story.notes))
    passages = []
    for passage in story.passages:
        special = passage.name in _SPECIAL or set(passage.tags) & _SPECIAL_TAGS
        if special:
            draft.dropped.append(f"The passage “{passage.name}”: it holds the story's code or layout, not conversation.")
        else:
            passages.append(passage)
    if not passages:
        raise TwineError(NO_PASSAGES)
    names = {p.name for p in passages}
    twice = [name for name in dict.fromkeys(p.name for p in passages) if [p.name for p in passages].count(name) > 1]
    if twice:
        raise TwineError(
            "Each passage needs its own name, and more than one passage is named "
            + _and([f"“{name}”" for name in twice])
            + ". Rename them in Twine and upload the story again. Nothing was imported."
        )
    broken = [f"“{p.name}” links to “{link.target}”" for p in passages for link in links(p.text) if link.target not in names]
    if broken:
        raise TwineError(
            "Some links lead to passages that do not exist, so nothing was imported: "
            + "; ".join(dict.fromkeys(broken))
            + ". Add those passages in Twine, or fix the links, and upload the story again."
        )
    start_name = story.start
    if start_name is not None and start_name not in names:
        raise TwineError(f"The story starts at “{start_name}”, but it has no passage with that name. Nothing was imported.")
    if start_name is None:
        start_name = "Start" if "Start" in names else passages[0].name
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for passage in passages:
        wanted = slug(passage.name)
        ids[passage.name] = _unique(wanted, taken)
        if ids[passage.name] != wanted:
            draft.renamed.append(
                f"The passage “{passage.name}” has the same short name as another passage, so it is now “{ids[passage.name]}”."
            )
    start_passage = next(p for p in passages if p.name == start_name)
    details = _details(start_passage.metadata)
    title = story.title or start_name
    lines = draft.lines
    lines.append("# yaml-language-server: $schema=../scenario.schema.json")
    lines.append(f"# Imported from the Twine story {_q(title)}. The import report lists what is still needed.")
    lines.append(f"id: {_q(details.get('id') or slug(title, 'twine-story'))}")
    lines.append(f"title: {_q(title)}")
    missing = []
    for key, words in (
        ("summary", "a summary"),
        ("domains", "domains"),
        ("difficulty", "difficulty"),
        ("minutes", "minutes"),
        ("content_note", None),
        ("peer", "who the peer is (name and background)"),
    ):
        value = details.get(key)
        if value is None:
            if words:
                missing.append(words)
            continue
        if key == "peer" and isinstance(value, dict):
            lines.append("peer:")
            lines.extend(f"  {k}: {_q(v)}" for k, v in value.items())
        elif isinstance(value, list):
            lines.append(f"{key}: {_yaml_list(value)}")
        else:
            lines.append(f"{key}: {_q(value)}")
    if missing:
        lines.append(f"# Still needed: {_and(missing)}.")
        draft.needs.append(f"- The scenario: {_and(missing)}.")
    lines.append(f"start: {_q(ids[start_name])}")
    counts = {"nodes": 0, "endings": 0, "responses": 0}
    node_lines: list[str] = []
    ending_lines: list[str] = []
    for passage in passages:
        found = links(passage.text)
        peer, dropped = clean_text(passage.text)
        if dropped:
            draft.dropped.append(f"The passage “{passage.name}”: {_and(dropped)}.")
        meta = _fields(passage.metadata)
        if found:
            _node(passage, found, peer, meta, ids, node_lines, draft)
            counts["nodes"] += 1
            counts["responses"] += len(found)
        else:
            _ending(passage, peer, meta, ids, ending_lines, draft)
            counts["endings"] += 1
    if node_lines:
        lines.append("nodes:")
        lines.extend(node_lines)
    else:
        lines.append("nodes: {}  # Still needed: a decision point (a passage with links).")
        draft.needs.append("- The scenario: at least one decision point (a passage with links to other passages).")
    if ending_lines:
        lines.append("endings:")
        lines.extend(ending_lines)
    else:
        lines.append("endings: {}  # Still needed: an ending (a passage with no links).")
        draft.needs.append("- The scenario: at least one ending (a passage with no links).")
    return TwineImport(title, "\n".join(lines) + "\n", _report(title, counts, draft))


def _plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _report(title: str, counts: dict[str, int], draft: _Draft) -> str:
    out = [
        f"Imported “{title}” from Twine: {_plural(counts['nodes'], 'decision point')}, "
        f"{_plural(counts['endings'], 'ending')} and {_plural(counts['responses'], 'response')}.",
        "",
    ]
    if draft.needs:
        out += ["Still needed before it can be published:", "", *draft.needs, ""]
    else:
        out += [
            "Every decision point, response and ending has what PeerSim needs. The checks beside the YAML have the last word.",
            "",
        ]
    if draft.renamed:
        out += ["Renamed:", "", *(f"- {line}" for line in draft.renamed), ""]
    if draft.dropped:
        out += ["Left out (PeerSim shows plain text only):", "", *(f"- {line}" for line in draft.dropped), ""]
    return "\n".join(out).rstrip() + "\n"


def _node(
    passage: Passage,
    found: list[Link],
    peer: str,
    meta: dict[str, Any],
    ids: dict[str, str],
    lines: list[str],
    draft: _Draft,
) -> None:
    node_id = ids[passage.name]
    lines.append(f"  {_q(node_id)}:")
    needs = []
    if isinstance(meta.get("scene"), str):
        lines.append(f"    scene: {_q(meta['scene'])}")
    if peer:
        lines.append(f"    peer: {_q(peer)}")
    else:
        lines.append("    # peer: Still needed: what the peer says here.")
        needs.append("what the peer says")
    if isinstance(meta.get("readiness"), str):
        lines.append(f"    readiness: {_q(meta['readiness'])}")
    else:
        lines.append("    # readiness: Still needed: not-ready, contemplating, preparing, acting or maintaining.")
        needs.append("the peer's readiness")
    if not 2 <= len(found) <= 5:
        needs.append(f"2 to 5 responses (it has {len(found)})")
    head = f"- Decision point “{passage.name}”"
    draft.needs.append(f"{head}: {_and(needs)}." if needs else f"{head}: each response below.")
    choice_meta = meta.get("choices")
    if not (isinstance(choice_meta, list) and len(choice_meta) == len(found)):
        choice_meta = [{}] * len(found)
    lines.append("    choices:")
    taken: set[str] = set()
    complete = True
    for link, extra in zip(found, choice_meta, strict=True):
        extra = extra if isinstance(extra, dict) else {}
        choice_id = extra.get("id") if isinstance(extra.get("id"), str) else None
        lines.append(f"      - id: {_q(_unique(choice_id or _choice_id(link.text), taken))}")
        lines.append(f"        say: {_q(link.text)}")
        missing = []
        for key, words in (("criteria", "criteria"), ("quality", "a quality"), ("why", "a rationale (why)")):
            value = extra.get(key)
            if value is None:
                missing.append(words)
            elif isinstance(value, list):
                lines.append(f"        {key}: {_yaml_list(value)}")
            else:
                lines.append(f"        {key}: {_q(value)}")
        if missing:
            lines.append(f"        # Still needed: {_and(missing)}.")
            draft.needs.append(f"  - Response “{link.text}”: {_and(missing)}.")
            complete = False
        if isinstance(extra.get("better"), str):
            lines.append(f"        better: {_q(extra['better'])}")
        lines.append(f"        next: {_q(ids[link.target])}")
        if extra.get("loop") is True:
            lines.append("        loop: true")
    if complete and not needs:
        draft.needs.pop()


def _ending(passage: Passage, peer: str, meta: dict[str, Any], ids: dict[str, str], lines: list[str], draft: _Draft) -> None:
    lines.append(f"  {_q(ids[passage.name])}:")
    needs = []
    if isinstance(meta.get("title"), str):
        lines.append(f"    title: {_q(meta['title'])}")
    if peer:
        lines.append(f"    peer: {_q(peer)}")
    else:
        lines.append("    # peer: Still needed: the peer's last words.")
        needs.append("the peer's last words")
    if isinstance(meta.get("debrief"), str):
        lines.append(f"    debrief: {_q(meta['debrief'])}")
    else:
        lines.append("    # debrief: Still needed: questions or notes for reflection.")
        needs.append("a debrief")
    if needs:
        draft.needs.append(f"- Ending “{passage.name}”: {_and(needs)}.")


# ------------------------------------------------------------------------ export
def _escape_name(name: str) -> str:
    return re.sub(r"([\\\[\]{}])", r"\\\1", name)


def _escape_body(text: str) -> str:
    return "\n".join("\\" + line if line.startswith("::") else line for line in text.split("\n"))


def _meta(fields: dict[str, Any]) -> str:
    """Twee metadata from PeerSim's fields: flat keys, lists as space-separated text, no brackets or braces but
    the outer pair (see PREFIX)."""
    flat = {}
    for key, value in fields.items():
        if value is None or value is False:
            continue
        flat[PREFIX + key.replace("_", "-")] = " ".join(value) if isinstance(value, list) else value
    inner = json.dumps(flat, ensure_ascii=False, separators=(",", ":"))[1:-1]
    for char, escaped in (("{", "\\u007b"), ("}", "\\u007d"), ("[", "\\u005b"), ("]", "\\u005d")):
        inner = inner.replace(char, escaped)
    return "{" + inner + "}"


def _fields(metadata: dict[str, Any]) -> dict[str, Any]:
    """PeerSim's fields from a passage's Twee metadata (see PREFIX): keys without the prefix, lists split, and
    the responses' fields gathered as ``choices`` (a list, in link order) when every response has some."""
    fields: dict[str, Any] = {}
    responses: dict[int, dict[str, Any]] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not key.startswith(PREFIX):
            continue
        name = key[len(PREFIX) :]
        response = re.fullmatch(r"response-(\d+)-([a-z]+)", name)
        target = responses.setdefault(int(response.group(1)), {}) if response else fields
        name = response.group(2) if response else name.replace("-", "_")
        target[name] = value.split() if name in _LISTS and isinstance(value, str) else value
    if responses and sorted(responses) == list(range(1, len(responses) + 1)):
        fields["choices"] = [responses[n] for n in sorted(responses)]
    return fields


def _details(metadata: dict[str, Any]) -> dict[str, Any]:
    """The scenario's own details from the start passage's metadata, with the peer's as one mapping."""
    fields = _fields(metadata)
    details = {key: fields[key] for key in _DETAILS if key in fields}
    peer = {key: fields[f"peer_{key}"] for key in _PEER if f"peer_{key}" in fields}
    if peer:
        details["peer"] = peer
    return details


def export_twee(scenario: Scenario, ifid: str | None = None) -> str:
    """The scenario as Twee 3 for Harlowe 3.3: one passage per decision point and ending, the peer's line as the
    text, each response a ``[[say->next]]`` link, and PeerSim's fields in each passage's metadata.
    ``ifid`` is a fresh upper-case UUID 4 unless given (tests pin it)."""
    data = {
        "ifid": ifid or str(uuid.uuid4()).upper(),
        "format": FORMAT,
        "format-version": FORMAT_VERSION,
        "start": scenario.start,
        "zoom": 1,
    }
    out = [":: StoryTitle", scenario.title, "", ":: StoryData", json.dumps(data, indent=2), ""]
    details = scenario.model_dump(mode="json", include=set(_DETAILS))
    details.update({f"peer_{key}": getattr(scenario.peer, key) for key in _PEER})
    for node_id, node in scenario.nodes.items():
        fields: dict[str, Any] = {"scene": node.scene, "readiness": node.readiness}
        for n, choice in enumerate(node.choices, 1):
            fields.update({f"response_{n}_{key}": getattr(choice, key) for key in _CHOICE})
        if node_id == scenario.start:
            fields.update(details)
        link_lines = [f"[[{c.say}->{c.next}]]" for c in node.choices]
        out += [f":: {_escape_name(node_id)} {_meta(fields)}", _escape_body(node.peer), "", *link_lines, ""]
    for ending_id, ending in scenario.endings.items():
        meta = _meta({"title": ending.title, "debrief": ending.debrief})
        out += [f":: {_escape_name(ending_id)} {meta}", _escape_body(ending.peer), ""]
    return "\n".join(out).rstrip() + "\n"
