"""Question-bank exchange: the mock-exam bank to GIFT and Moodle XML for a learning platform, and GIFT back.

Export. Every bank item is a multiple-choice question with one right answer: in GIFT ``{=right#why ~wrong#why}``,
in Moodle XML a ``multichoice`` question with ``<single>true</single>``, fractions 100 and 0 and the rationale of
each option as that answer's feedback. The general feedback names the best answer and says why. Questions are
grouped in one category per exam domain (``$course$/top/PeerSim question bank/Advocacy``). What an LMS has no field
for rides along where Moodle keeps it: the id as the question's ID number (GIFT ``// [id:adv-001]``) and the exam
domain, curriculum domain, criteria and style as tags (``[tag:criterion:po.many-pathways]``). Texts are HTML
(``[html]`` in GIFT, ``format="html"`` in XML), escaped, so no PeerSim text can be read as markup.

Import. :func:`from_gift` reads a GIFT file the way Moodle's importer does (blocks split by blank lines, ``//``
comments, ``$CATEGORY:``, ``::title::``, escapes ``\\~ \\= \\# \\{ \\} \\: \\\\ \\n``) and turns each multiple-choice
question into a bank item, written with the studio's YAML round trip (:mod:`scenarios.roundtrip`) in the bank's
layout. Each item goes through the bank's model and checks (those every bank file meets when the gateway reads
it), and the report says, by GIFT line, what was imported and what each question still needs before it passes
them (a domain, criteria...). Questions GIFT can hold but the bank cannot (essay, numerical, matching, true/false,
short answer, answers weighted for partial credit) are reported by line and left out of the YAML; a question with
a syntax error is reported and the rest still import. bank -> GIFT -> import -> gateway gives the same questions
(tests/test_exchange.py, over the whole shipped bank).

Pure: text in, text out.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal, get_args

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

from scenarios import roundtrip
from scenarios.checks import _hint
from scenarios.gateway import YamlDocument, YamlError
from scenarios.loader import load_rubric
from scenarios.model import CriterionId, DomainId
from scenarios.questions import EXAM_DOMAINS, Question, QuestionBank, Style, check_bank
from scenarios.rubric import Rubric
from scenarios.twine import slug
from scenarios.uploads import decode_text
from scenarios.validate import dotted, to_model

ROOT_CATEGORY = "$course$/top/PeerSim question bank"
"""Where the questions go in Moodle: a category in the course's question bank, one child per exam domain."""
MAX_GIFT_BYTES = 1_048_576
"""Largest GIFT file imported (1 MiB, the limit of a bank file): the whole shipped bank is about 400 KB."""
SCHEMA_LINE = "yaml-language-server: $schema=../question-bank.schema.json"
TAGS = ("exam-domain", "domain", "criterion", "style")
"""The tag prefixes that carry the bank's fields in Moodle (``[tag:domain:safety]``)."""


# ==================================================================================================== export
def ordered(items: Iterable[Question]) -> list[Question]:
    """The questions by exam domain (in the exam's order), each domain's in bank order: one category each."""
    order = list(EXAM_DOMAINS)
    return sorted(items, key=lambda q: order.index(q.exam_domain))


def category_path(exam_domain: str) -> str:
    """The Moodle category path of an exam domain. Moodle splits a path at '/', so a '/' in a name is '//'."""
    return f"{ROOT_CATEGORY}/{EXAM_DOMAINS[exam_domain].replace('/', '//')}"


def question_name(question: Question) -> str:
    """The question's name in the LMS: its id and curriculum domain (the stem is long; names list in the bank)."""
    return f"{question.id} · {question.domain}"


def tags(question: Question) -> list[str]:
    """The bank's fields that an LMS keeps as tags."""
    return [
        f"exam-domain:{question.exam_domain}",
        f"domain:{question.domain}",
        *(f"criterion:{c}" for c in question.criteria),
        f"style:{question.style}",
    ]


def general_feedback(question: Question) -> str:
    """Shown to everyone after answering: the best answer and why (as HTML)."""
    right = question.options[question.key - 1]
    return f"<p>The best answer: {to_html(right.text)}</p><p>{to_html(right.why)}</p>"


def to_html(text: str) -> str:
    """Plain text as HTML that shows exactly that text: & < > escaped, line breaks as <br>."""
    return html.escape(text.replace("\r\n", "\n").replace("\r", "\n"), quote=False).replace("\n", "<br>")


def gift_escape(text: str) -> str:
    """Text with GIFT's special characters escaped (``~ = # { } :`` and the backslash), line breaks as ``\\n``."""
    out = []
    for char in text:
        if char in "\\~=#{}:":
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        else:
            out.append(char)
    return "".join(out)


def _gift_html(markup: str, *, marked: bool = False) -> str:
    """HTML in a GIFT text. An answer or feedback inherits the question's [html]; one that starts with '[' would be
    read as a format marker, so it gets its own."""
    escaped = gift_escape(markup)
    return f"[html]{escaped}" if marked or escaped.startswith("[") else escaped


def to_gift(items: Iterable[Question]) -> str:
    """The questions as a GIFT file for Moodle (Question bank > Import > GIFT format), one category per exam domain."""
    questions = ordered(items)
    lines = [
        f"// PeerSim question bank: {len(questions)} multiple-choice question(s), each with feedback for every option.",
        "// In Moodle: Question bank > Import > GIFT format. Each question's PeerSim id is its ID number, and its",
        "// exam domain, curriculum domain, criteria and style are its tags.",
        "",
    ]
    current = None
    for question in questions:
        if question.exam_domain != current:
            current = question.exam_domain
            lines += [f"$CATEGORY: {category_path(current)}", ""]
        lines.append(" ".join([f"// [id:{question.id}]", *(f"[tag:{t}]" for t in tags(question))]))
        lines.append(f"::{gift_escape(question_name(question))}::{_gift_html(to_html(question.stem), marked=True)} {{")
        for number, option in enumerate(question.options, start=1):
            mark = "=" if number == question.key else "~"
            lines.append(f"\t{mark}{_gift_html(to_html(option.text))}#{_gift_html(to_html(option.why))}")
        lines.append(f"\t####{_gift_html(general_feedback(question))}")
        lines += ["}", ""]
    return "\n".join(lines)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    """``<tag attributes><text>text</text></tag>``, Moodle's shape for every text field."""
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = text
    return element


def _value(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def to_moodle_xml(items: Iterable[Question]) -> str:
    """The questions as Moodle XML (Question bank > Import > Moodle XML format), one category per exam domain."""
    quiz = ET.Element("quiz")
    current = None
    for question in ordered(items):
        if question.exam_domain != current:
            current = question.exam_domain
            category = ET.SubElement(quiz, "question", {"type": "category"})
            _text(category, "category", category_path(current))
            _text(
                category,
                "info",
                to_html(f"PeerSim mock-exam questions in the exam domain {EXAM_DOMAINS[current]}."),
                format="html",
            )
            _value(category, "idnumber", "")
        item = ET.SubElement(quiz, "question", {"type": "multichoice"})
        _text(item, "name", question_name(question))
        _text(item, "questiontext", to_html(question.stem), format="html")
        _text(item, "generalfeedback", general_feedback(question), format="html")
        for tag, value in (
            ("defaultgrade", "1.0000000"),
            ("penalty", "0.3333333"),
            ("hidden", "0"),
            ("idnumber", question.id),
            ("single", "true"),
            ("shuffleanswers", "true"),
            ("answernumbering", "abc"),
            ("showstandardinstruction", "0"),
        ):
            _value(item, tag, value)
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(item, tag, "", format="html")
        for number, option in enumerate(question.options, start=1):
            answer = _text(item, "answer", to_html(option.text), fraction="100" if number == question.key else "0", format="html")
            _text(answer, "feedback", to_html(option.why), format="html")
        labels = ET.SubElement(item, "tags")
        for tag in tags(question):
            _text(labels, "tag", tag)
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode", short_empty_elements=False) + "\n"


# ==================================================================================================== import
class GiftError(ValueError):
    """A file that cannot be read as GIFT text at all (too large, binary, not UTF-8); its message is for people."""


def decode_gift(data: bytes) -> str:
    """An uploaded GIFT file as text, or a GiftError that says why not."""
    return decode_text(
        data,
        max_bytes=MAX_GIFT_BYTES,
        limit="a GIFT file can be at most 1 MiB",
        binary="binary data, not GIFT text",
        outcome="Nothing was imported.",
        where="line",
        error=GiftError,
    )


Kind = Literal["to do", "left out", "not imported"]
Status = Literal["ready", "needs work", "not imported"]


@dataclass(frozen=True)
class Note:
    """One thing the report says about a question, at a line of the GIFT file."""

    line: int
    kind: Kind
    message: str
    field: str = ""
    """The bank field a "to do" note is about (``domain``, ``options[2].why``, ``key``...)."""


@dataclass(frozen=True)
class QuestionReport:
    """What became of one question of the GIFT file (``line`` is where its text starts)."""

    line: int
    id: str | None
    imported: str
    notes: tuple[Note, ...]

    @property
    def status(self) -> Status:
        if self.id is None:
            return "not imported"
        return "needs work" if any(n.kind == "to do" for n in self.notes) else "ready"


@dataclass(frozen=True)
class ImportResult:
    """The bank-format YAML of every question that could be imported (empty when none could), and the report."""

    yaml: str
    questions: tuple[QuestionReport, ...]

    def count(self, status: Status) -> int:
        return sum(q.status == status for q in self.questions)

    @property
    def summary(self) -> str:
        if not self.questions:
            return "The file holds no GIFT questions. Nothing was imported."
        imported = len(self.questions) - self.count("not imported")
        parts = [f"Imported {imported} of {_plural(len(self.questions), 'question')} from the GIFT file"]
        if imported:
            needs = self.count("needs work")
            parts.append(
                f": {self.count('ready')} ready for the bank, {needs} still {'needs' if needs == 1 else 'need'} "
                "something before passing its checks"
            )
        skipped = self.count("not imported")
        return "".join(parts) + (f"; {skipped} not imported." if skipped else ".")

    def report(self) -> str:
        """The report as plain text: a line per question, then an indented line per thing to add or left out."""
        out = [self.summary, ""]
        for question in self.questions:
            if question.id is None:
                out += [f"line {n.line}: not imported: {n.message}" for n in question.notes]
                continue
            verdict = (
                "ready for the bank"
                if question.status == "ready"
                else "imported, with more to do before it passes the bank's checks"
            )
            out.append(f"line {question.line}: {question.id}: {verdict}. Imported: {question.imported}.")
            out += [f"  line {n.line}: {n.kind}: {n.message}" for n in question.notes]
        return "\n".join(out) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# --------------------------------------------------------------------------- reading GIFT text
@dataclass(frozen=True)
class _Char:
    char: str
    escaped: bool
    line: int


_ESCAPES = {"\\": "\\", ":": ":", "#": "#", "=": "=", "{": "{", "}": "}", "~": "~", "n": "\n"}


def _chars(lines: Sequence[tuple[int, str]]) -> list[_Char]:
    """The text of a question's lines, lines joined by a newline, escapes decoded and marked (so an escaped '='
    never starts an answer)."""
    out: list[_Char] = []
    for index, (number, line) in enumerate(lines):
        if index:
            out.append(_Char("\n", False, number))
        position = 0
        while position < len(line):
            char = line[position]
            if char == "\\" and position + 1 < len(line) and line[position + 1] in _ESCAPES:
                out.append(_Char(_ESCAPES[line[position + 1]], True, number))
                position += 2
                continue
            out.append(_Char(char, char == "\\", number))  # a lone backslash is text, as in Moodle
            position += 1
    return out


def _plain_view(chars: Sequence[_Char]) -> str:
    """The characters with every escaped one masked, so a search finds only the unescaped ones."""
    return "".join("\x01" if c.escaped else c.char for c in chars)


def _find(chars: Sequence[_Char], target: str, start: int = 0) -> int:
    """Index of the first unescaped occurrence of ``target`` at or after ``start``, or -1."""
    return _plain_view(chars).find(target, start)


def _rfind(chars: Sequence[_Char], target: str) -> int:
    return _plain_view(chars).rfind(target)


def _string(chars: Sequence[_Char]) -> str:
    return "".join(c.char for c in chars)


def _strip(chars: Sequence[_Char]) -> list[_Char]:
    """Without unescaped whitespace at either end."""
    items = list(chars)
    while items and items[0].char.isspace() and not items[0].escaped:
        items.pop(0)
    while items and items[-1].char.isspace() and not items[-1].escaped:
        items.pop()
    return items


class _PlainText(HTMLParser):
    """The text a browser shows for a piece of HTML: tags gone, entities read, <br> a line break, paragraphs apart."""

    BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\x00br\x00")
        elif tag in self.BLOCKS:
            self.parts.append("\x00p\x00")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\x00p\x00")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(chars: Sequence[_Char], default: str) -> tuple[str, str]:
    """A GIFT text as plain text, and its format. ``[html]`` and Moodle's default format are HTML (tags dropped,
    entities read); ``[plain]`` and ``[markdown]`` are kept as written. Line breaks in the file are spaces; an
    escaped ``\\n`` (or ``<br>``) is a line break."""
    items = _strip(chars)
    fmt = default
    raw = _string(items)
    match = re.match(r"\[(html|moodle|plain|markdown)\]", raw)
    if match:
        fmt = match.group(1)
        items = _strip(items[match.end() :])
    text = "".join("\x00br\x00" if c.char == "\n" and c.escaped else c.char for c in items)
    if fmt in ("html", "moodle"):
        parser = _PlainText()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s*(\x00p\x00\s*)+", "\x00p\x00", text)
    text = re.sub(r"\s*\x00br\x00\s*", "\x00br\x00", text)
    text = text.replace("\x00p\x00", "\n\n").replace("\x00br\x00", "\n")
    return text.strip(), fmt


@dataclass
class _Answer:
    line: int
    right: bool
    weight: float | None
    text: str
    why: str


@dataclass
class _Parsed:
    """One question read from the GIFT file, before it is checked."""

    line: int
    data: dict[str, Any]
    option_lines: list[int]
    key_line: int
    notes: list[Note] = field(default_factory=list)
    key_problem: str | None = None
    id_from: str = ""


class _Skip(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


NOT_BANK = "the bank holds only multiple-choice questions with one right answer"


def _kind_of(answers: list[_Char]) -> str | None:
    """Moodle's question type for an answer section, or None for multiple choice."""
    text = _string(_strip(answers))
    if not text:
        return "an essay question"
    if answers and _strip(answers)[0].char == "#" and not _strip(answers)[0].escaped:
        return "a numerical question"
    if _find(answers, "~") >= 0:
        return None
    if _find(answers, "=") >= 0 and _find(answers, "->") >= 0:
        return "a matching question"
    hash_at = _find(answers, "#")
    verdict = _string(_strip(answers[:hash_at] if hash_at >= 0 else answers))
    if verdict in ("T", "TRUE", "F", "FALSE"):
        return "a true/false question"
    return "a short-answer question"


def _answers(chars: list[_Char], fmt: str) -> list[_Answer]:
    """The answers of a multiple-choice section: each starts at an unescaped '=' (right) or '~' (wrong)."""
    starts = [i for i, c in enumerate(chars) if not c.escaped and c.char in "=~"]
    before = _strip(chars[: starts[0]])
    if before:
        raise _Skip(
            before[0].line,
            f"the text “{_string(before)}” comes before the first answer, but each answer must start with = (right) or ~ (wrong)",
        )
    found = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(chars)
        body = chars[start + 1 : end]
        weight = None
        raw = _string(body).lstrip()
        match = re.match(r"%(-?\d+(?:\.\d+)?)%", raw)
        if match:
            weight = float(match.group(1))
            skipped = len(_string(body)) - len(raw) + match.end()
            body = body[skipped:]
        hash_at = _find(body, "#")
        text, _ = _plain(body[:hash_at] if hash_at >= 0 else body, fmt)
        why, _ = _plain(body[hash_at + 1 :], fmt) if hash_at >= 0 else ("", fmt)
        right = chars[start].char == "=" or weight == 100
        found.append(_Answer(chars[start].line, right, weight, text, why))
    return found


_TAG = re.compile(r"\[tag:([^\x00-\x1F\x7F]+?)]")
_ID = re.compile(r"\[id:([^\x00-\x1F\x7F]+?)]")


def _exam_domain_of(category: str) -> str | None:
    """The exam domain a $CATEGORY names in its last part (``.../Advocacy``), if any."""
    parts = [p.replace("//", "/").strip() for p in re.split(r"(?<!/)/(?!/)", category.strip())]
    last = parts[-1].casefold() if parts else ""
    for key, name in EXAM_DOMAINS.items():
        if last in (name.casefold(), key):
            return key
    return None


def _parse_question(lines: list[tuple[int, str]], comments: list[str], exam_domain: str | None) -> _Parsed:
    """One question block (comment lines apart) as bank data, or _Skip saying why it cannot be one."""
    chars = _chars(lines)
    start = lines[0][0]
    title = ""
    if _find(chars, "::") == 0:
        end = _find(chars, "::", 2)
        if end < 0:
            raise _Skip(start, "the title that opens with :: has no closing ::")
        title = _string(chars[2:end]).strip()
        chars = chars[end + 2 :]
    opening, closing = _find(chars, "{"), _find(chars, "}")
    if opening < 0 and closing < 0:
        raise _Skip(start, f"a description (text with no answers): {NOT_BANK}")
    if closing < 0:
        raise _Skip(
            chars[opening].line,
            "the { that opens the answers has no closing }: add } after the last answer",
        )
    if opening < 0 or closing < opening:
        raise _Skip(
            chars[closing].line,
            "this } closes answers that were never opened: add { before the first answer",
        )
    brace_line = chars[opening].line
    after = chars[closing + 1 :]
    extra = min((i for i in (_find(after, "{"), _find(after, "}")) if i >= 0), default=-1)
    if extra >= 0:
        raise _Skip(
            after[extra].line,
            "a second set of answers in { }, but a question has one: put a blank line between two questions",
        )
    inner = chars[opening + 1 : closing]
    gf_at = _rfind(inner, "####")
    general = inner[gf_at + 4 :] if gf_at >= 0 else []
    answers_part = inner[:gf_at] if gf_at >= 0 else inner
    kind = _kind_of(answers_part)
    if kind is not None:
        raise _Skip(start, f"{kind}: {NOT_BANK}")
    before, trailing = _strip(chars[:opening]), _strip(after)
    stem_chars = before + ([_Char(" _____ ", False, brace_line), *trailing] if trailing else [])
    stem, fmt = _plain(stem_chars, "moodle")
    answers = _answers(answers_part, fmt)
    partial = [a for a in answers if a.weight is not None and 0 < a.weight < 100]
    if partial:
        raise _Skip(
            partial[0].line,
            f"a multiple-answer question (answers weighted %{partial[0].weight:g}%): {NOT_BANK}",
        )
    parsed = _Parsed(start, {}, [a.line for a in answers], brace_line)
    _fields(parsed, comments, title, exam_domain)
    if stem:
        parsed.data["stem"] = stem
    parsed.data["options"] = [{k: v for k, v in (("text", a.text), ("why", a.why)) if v} for a in answers]
    right = [a for a in answers if a.right]
    if len(right) == 1:
        parsed.data["key"] = answers.index(right[0]) + 1
    elif not right:
        parsed.key_problem = (
            "no answer is marked right: put = before the right answer (the others keep ~), or set key: in the YAML"
        )
    else:
        lines_of = ", ".join(str(a.line) for a in right[:-1]) + f" and {right[-1].line}"
        parsed.key_line = right[1].line
        parsed.key_problem = (
            f"the answers on lines {lines_of} are {'both' if len(right) == 2 else 'all'} marked right (=), but a bank "
            "question has one right answer: "
            "keep = on the right one and put ~ before the others, or set key: in the YAML"
        )
    for answer in answers:
        if answer.weight is not None and answer.weight < 0:
            parsed.notes.append(
                Note(answer.line, "left out", f"the weight %{answer.weight:g}% (the bank scores every wrong answer 0)")
            )
    if general:
        said, _ = _plain(general, fmt)
        if len(right) != 1 or _flat(said) != _flat(_derived_general(parsed.data, answers.index(right[0]))):
            parsed.notes.append(
                Note(
                    general[0].line,
                    "left out",
                    "the general feedback (####): the bank keeps feedback for each option instead",
                )
            )
    return parsed


def _flat(text: str) -> str:
    return " ".join(text.split())


def _derived_general(data: dict[str, Any], key_index: int) -> str:
    """The plain text of the general feedback that :func:`to_gift` writes for these options."""
    option = data["options"][key_index]
    return f"The best answer: {option.get('text', '')} {option.get('why', '')}"


def _fields(parsed: _Parsed, comments: list[str], title: str, exam_domain: str | None) -> None:
    """The bank's own fields from the question's comment lines ([id:...], [tag:...]), its title and category."""
    data = parsed.data
    text = "\n".join(comments)
    found_id = _ID.search(text)
    if found_id:
        data["id"], parsed.id_from = found_id.group(1).strip(), "its [id:…] comment"
    elif title:
        first = title.split()[0]
        data["id"] = first if re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", first) else slug(title, "question")
        parsed.id_from = "its title"
    else:
        data["id"], parsed.id_from = f"gift-line-{parsed.line}", "its line number"
    if exam_domain:
        data["exam_domain"] = exam_domain
    unknown: list[str] = []
    criteria: list[str] = []
    for tag in (t.strip() for t in _TAG.findall(text)):
        prefix, _, value = tag.partition(":")
        if prefix == "criterion" and value:
            criteria.append(value)
        elif prefix in TAGS and value:
            data[prefix.replace("-", "_")] = value
        else:
            unknown.append(tag)
    if criteria:
        data["criteria"] = criteria
    if unknown:
        parsed.notes.append(Note(parsed.line, "left out", f"the tag(s) {', '.join(unknown)} (the bank has no place for them)"))


# --------------------------------------------------------------------------- writing bank YAML
_FOLD = 100
"""Where the bank folds long text (``>-``): lines of about 100 characters."""


def _scalar(text: str, indent: int, key: str, *, fold: bool = False) -> Any:
    """Text as the bank writes it: double-quoted when ``key: "text"`` fits a line (and a stem always folded), else
    folded (``>-``) at about 100 characters. Text a fold cannot keep exactly (line breaks, runs of spaces, tabs)
    stays double-quoted."""
    short = len(text) + indent + len(key) + 4 <= 120
    if (short and not fold) or "\n" in text or "  " in text or not text.isprintable():
        return DoubleQuotedScalarString(text)
    folded = FoldedScalarString(text)
    positions: list[int] = []
    start = 0
    while len(text) - start > _FOLD:
        cut = text.rfind(" ", start, start + _FOLD + 1)
        if cut <= start:
            cut = text.find(" ", start + _FOLD)
            if cut < 0:
                break
        positions.append(cut)
        start = cut + 1
    folded.fold_pos = positions  # type: ignore[attr-defined]
    return folded


def _item(data: dict[str, Any]) -> CommentedMap:
    """One question in the bank's field order and layout (criteria as a flow list, stems folded)."""
    item = CommentedMap()
    for key in ("id", "exam_domain", "domain"):
        if key in data:
            item[key] = data[key]
    if "criteria" in data:
        criteria = CommentedSeq(data["criteria"])
        criteria.fa.set_flow_style()
        item["criteria"] = criteria
    if "style" in data:
        item["style"] = data["style"]
    if "stem" in data:
        item["stem"] = _scalar(data["stem"], 4, "stem", fold=True)
    options = CommentedSeq()
    for option in data.get("options", []):
        entry = CommentedMap()
        for key in ("text", "why"):
            if key in option:
                entry[key] = _scalar(option[key], 8, key)
        options.append(entry)
    item["options"] = options
    if "key" in data:
        item["key"] = data["key"]
    return item


def _dump(items: Sequence[CommentedMap], comments: Sequence[str | None] = ()) -> str:
    questions = CommentedSeq(items)
    for index in range(len(items)):
        comment = comments[index] if index < len(comments) else None
        before = ("\n" if index else "") + (comment or "")
        if before:  # a blank line between questions, as in the bank, and the question's comment if any
            questions.yaml_set_comment_before_after_key(index, before=before, indent=2)
    top = CommentedMap()
    top["questions"] = questions
    top.yaml_set_start_comment(SCHEMA_LINE)
    return roundtrip.dump(roundtrip.Draft(top))


# --------------------------------------------------------------------------- checking
_OPTION = re.compile(r"questions\[0\]\.options\[(\d+)\]")


def _field_help() -> dict[str, str]:
    return {
        "id": "add id: a short id unique across the bank, like adv-031",
        "exam_domain": f"add exam_domain: {_or(list(EXAM_DOMAINS))} (a $CATEGORY named after the exam domain, or a "
        "[tag:exam-domain:…] comment, sets it)",
        "domain": f"add domain: the curriculum domain it tests: {_or(list(get_args(DomainId)))}",
        "criteria": "add criteria: 1 to 3 rubric criterion ids it tests, like po.many-pathways",
        "style": f"add style: {_or(list(get_args(Style)))} (scenario: a peer's situation; knowledge: a fact or "
        "principle; not: a 'which is NOT' item)",
        "stem": "add the question's text (stem)",
        "key": "add key: the number (1 to 4) of the right option",
    }


def _or(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1]


CRITERION = get_args(CriterionId)[1].pattern
"""The pattern of a criterion id (``po.something``), from the format itself."""
FIELD_ORDER = ("id", "exam_domain", "domain", "criteria", "style", "stem", "options", "key")


def _check(parsed: _Parsed, rubric: Rubric) -> list[Note]:
    """What the bank's model and checks (those the gateway's readers apply to every bank file) say about this one
    question, by GIFT line, in plain words, in the bank's field order."""
    doc = YamlDocument("<imported question>", "", {"questions": [parsed.data]})
    try:
        bank = to_model(doc, QuestionBank, what="question bank")
        messages = [f"{dotted(f.path)}: {f.message}" for f in check_bank(bank, rubric)]
    except YamlError as exc:
        # The bank's own checks run on a question that fits the format; name unknown criteria already, so the
        # list of what to do is whole after the format's own gaps are filled.
        messages = [p.message for p in exc.problems]
        for position, criterion in enumerate(parsed.data.get("criteria", [])):
            if isinstance(criterion, str) and re.match(CRITERION, criterion) and criterion not in rubric:
                hint = _hint(criterion, sorted(rubric.by_id))
                messages.append(f"questions[0].criteria[{position}]: unknown criterion '{criterion}'{hint}")
    count = len(parsed.data["options"])
    if count != 4:  # said once, in GIFT's terms, whatever else is wrong with the options
        messages = [m for m in messages if not m.startswith("questions[0].options: ")]
        messages.append(f"questions[0].options: the bank needs exactly four options; this question has {count}")
    help_for = _field_help()
    notes = []
    for message in messages:
        label, _, said = message.partition(": ")
        where = label.removeprefix("questions[0]").removeprefix(".")
        option = _OPTION.match(message)
        index = int(option.group(1)) if option else None
        line = parsed.option_lines[index] if index is not None and index < len(parsed.option_lines) else parsed.line
        missing = re.fullmatch(r"missing required field '(\w+)'", said)
        name = missing.group(1) if missing else None
        if name is not None:
            where = f"{where}.{name}" if where else name
        if name == "key" and parsed.key_problem:
            note = Note(parsed.key_line, "to do", parsed.key_problem, "key")
        elif name == "why" and index is not None:
            note = Note(line, "to do", f"option {index + 1} has no feedback: add # and why it is right or wrong after it", where)
        elif name == "text" and index is not None:
            note = Note(line, "to do", f"option {index + 1} has no text", where)
        elif name in help_for and index is None:
            note = Note(line, "to do", help_for[name], where)
        elif where == "options":
            note = Note(parsed.key_line, "to do", said, where)
        else:
            shown = _OPTION.sub(lambda m: f"option {int(m.group(1)) + 1}", message)
            note = Note(line, "to do", shown.replace("questions[0].", "").replace("questions[0]", "the question"), where)
        notes.append(note)
    return notes


def _order(note: Note) -> tuple[int, int, int]:
    """Notes by line; on a line, what to do before what was left out, in the bank's field order."""
    top = note.field.split(".")[0].split("[")[0]
    return note.line, note.kind != "to do", FIELD_ORDER.index(top) if top in FIELD_ORDER else len(FIELD_ORDER)


def _summary(parsed: _Parsed) -> str:
    """What was imported, in words."""
    data = parsed.data
    options = data["options"]
    parts = ["the question's text"] if "stem" in data else []
    parts.append(_plural(len(options), "option"))
    if "key" in data:
        parts.append(f"right answer: option {data['key']}")
    with_why = sum("why" in o for o in options)
    parts.append(f"feedback for {with_why} of {len(options)}")
    parts.append(f"id {data['id']} (from {parsed.id_from})")
    for key, label in (("exam_domain", "exam domain"), ("domain", "domain"), ("style", "style")):
        if key in data:
            parts.append(f"{label} {data[key]}")
    if "criteria" in data:
        parts.append("criteria " + ", ".join(data["criteria"]))
    return ", ".join(parts)


# --------------------------------------------------------------------------- the import
def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """The file's questions as Moodle splits them: runs of lines between blank lines, with their line numbers."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line.strip():
            current.append((number, line.strip()))
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def from_gift(text: str, rubric: Rubric | None = None) -> ImportResult:
    """Import a GIFT file into the bank format: the YAML of every question that could be imported and a report,
    by GIFT line, of what was imported, what each question still needs to pass the bank's checks, what was left
    out and which questions could not be imported and why."""
    if rubric is None:
        rubric = load_rubric()
    text = text.removeprefix("\ufeff")
    exam_domain: str | None = None
    reports: list[QuestionReport | _Parsed] = []
    for block in _blocks(text):
        comments = [line for _, line in block if line.startswith("//")]
        lines = [(n, line) for n, line in block if not line.startswith("//")]
        if not lines:
            continue
        if lines[0][1].startswith("$CATEGORY:"):
            exam_domain = _exam_domain_of(lines[0][1].removeprefix("$CATEGORY:"))
            continue
        try:
            reports.append(_parse_question(lines, comments, exam_domain))
        except _Skip as skip:
            reports.append(QuestionReport(lines[0][0], None, "", (Note(skip.line, "not imported", skip.message),)))
    first_line: dict[str, int] = {}
    done: list[QuestionReport] = []
    items: list[CommentedMap] = []
    comments_for: list[str | None] = []
    for entry in reports:
        if isinstance(entry, QuestionReport):
            done.append(entry)
            continue
        notes = [*entry.notes, *_check(entry, rubric)]
        question_id = entry.data["id"]
        if question_id in first_line:
            notes.append(
                Note(
                    entry.line,
                    "to do",
                    f"another id: '{question_id}' is already the id of the question on line {first_line[question_id]}",
                    "id",
                )
            )
        first_line.setdefault(question_id, entry.line)
        notes.sort(key=_order)
        report = QuestionReport(entry.line, question_id, _summary(entry), tuple(notes))
        done.append(report)
        items.append(_item(entry.data))
        missing = [n.field for n in notes if n.kind == "to do"]
        comments_for.append(
            f"GIFT line {entry.line}: still to do: {', '.join(missing)} (see the import report)" if missing else None
        )
    yaml_text = _dump(items, comments_for) if items else ""
    return ImportResult(yaml_text, tuple(done))
