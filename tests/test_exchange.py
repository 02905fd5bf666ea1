"""Question-bank exchange (scenarios.exchange, issue 17): the bank to GIFT and Moodle XML, and GIFT back.

* The whole shipped bank goes bank -> GIFT -> import -> the gateway and comes back the same questions.
* An independent GIFT parser, gift-pegjs (pinned in tests/gift, installed there with ``npm ci`` in .ci/run), reads
  the exported bank: every stem, option, right answer and piece of feedback is the bank's. The tests that need it
  skip when Node.js or the package is missing on a developer's machine, and fail in CI.
* The Moodle XML is read with a real XML parser: its shape is the one Moodle's importer reads, its content the bank's.
* A GIFT file with mistakes gets exact messages by line, and every question that can be imported is.
* The Class dashboard's Export tab has the downloads, and the import report after an upload.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from scenarios.__main__ import main
from scenarios.exchange import (
    ImportResult,
    Note,
    category_path,
    decode_gift,
    from_gift,
    general_feedback,
    gift_escape,
    ordered,
    to_gift,
    to_html,
    to_moodle_xml,
)
from scenarios.gateway import read_yaml
from scenarios.loader import BANK_DIR, Report, check_paths
from scenarios.questions import EXAM_DOMAINS, Question
from scenarios.rubric import Rubric
from tests.helpers import EXAM_BANK, make_user
from tests.shown import shown, shown_rows
from tests.test_dashboard import choose, dashboard
from ui import bank_import

GIFT_DIR = Path(__file__).resolve().parent / "gift"
PARSER = GIFT_DIR / "parse.js"
GIFT_PEGJS = GIFT_DIR / "node_modules" / "gift-pegjs" / "package.json"


@pytest.fixture(scope="module")
def bank(rubric: Rubric) -> list[Question]:
    report = check_paths([BANK_DIR], rubric)
    assert report.ok, report.errors
    return [q for loaded in report.banks for q in loaded.bank.questions]


def tricky() -> Question:
    """A question whose every text holds what GIFT, HTML or YAML could misread."""
    return Question.model_validate(
        {
            "id": "odd-001",
            "exam_domain": "recovery-wellness",
            "domain": "wellness",
            "criteria": ["po.many-pathways"],
            "style": "knowledge",
            "stem": "Odd: ~tilde =equals #hash {brace} back\\slash \\n <b>bold</b> & -> // #### end\nsecond line",
            "options": [
                {"text": "[plain] starts with a bracket: {x}", "why": "[moodle] why=1"},
                {"text": "=looks right", "why": "#looks like feedback"},
                {"text": "~looks wrong", "why": "::title?::"},
                {"text": "$CATEGORY: no", "why": "// not a comment"},
            ],
            "key": 3,
        }
    )


def load_bank_text(text: str, folder: Path, rubric: Rubric) -> Report:
    """Bank YAML checked the way `python -m scenarios check` checks a bank file."""
    path = folder / "imported.yaml"
    path.write_text(text, encoding="utf-8")
    return check_paths([path], rubric)


def gift_pegjs(text: str, folder: Path) -> list[dict]:
    """The questions gift-pegjs reads from a GIFT text."""
    node = shutil.which("node")
    if node is None or not GIFT_PEGJS.exists():
        reason = (
            "Node.js is not installed" if node is None else "gift-pegjs is not installed: run `npm ci` in tests/gift"
        ) + ", so the export cannot be read by an independent GIFT parser"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI must run these tests)")
        pytest.skip(reason)
    path = folder / "bank.gift"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([node, str(PARSER), str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    parsed: list[dict] = json.loads(done.stdout)
    return parsed


# ============================================================================================== export: GIFT
def test_gift_escapes_its_special_characters_and_line_breaks():
    assert gift_escape("a~b=c#d{e}f:g\\h\ni [j] $k") == "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni [j] $k"


def test_a_question_in_gift(rubric):
    question = Question.model_validate(
        {
            "id": "adv-900",
            "exam_domain": "advocacy",
            "domain": "self-determination",
            "criteria": ["po.honor-self-determination", "pf.dictating"],
            "style": "scenario",
            "stem": 'A peer says: "I\'ll pick my own job." What helps?',
            "options": [
                {"text": "Tell her which job.", "why": "This decides for her."},
                {"text": "Ask what she wants from a job.", "why": "Correct. It keeps the choice hers."},
                {"text": "Say jobs are hard to find & rare.", "why": "Discouraging."},
                {"text": "Change the subject.", "why": "It ignores her."},
            ],
            "key": 2,
        }
    )
    assert to_gift([question]) == (
        "// PeerSim question bank: 1 multiple-choice question(s), each with feedback for every option.\n"
        "// In Moodle: Question bank > Import > GIFT format. Each question's PeerSim id is its ID number, and its\n"
        "// exam domain, curriculum domain, criteria and style are its tags.\n"
        "\n"
        "$CATEGORY: $course$/top/PeerSim question bank/Advocacy\n"
        "\n"
        "// [id:adv-900] [tag:exam-domain:advocacy] [tag:domain:self-determination] "
        "[tag:criterion:po.honor-self-determination] [tag:criterion:pf.dictating] [tag:style:scenario]\n"
        '::adv-900 · self-determination::[html]A peer says\\: "I\'ll pick my own job." What helps? {\n'
        "\t~Tell her which job.#This decides for her.\n"
        "\t=Ask what she wants from a job.#Correct. It keeps the choice hers.\n"
        "\t~Say jobs are hard to find &amp; rare.#Discouraging.\n"
        "\t~Change the subject.#It ignores her.\n"
        "\t####<p>The best answer\\: Ask what she wants from a job.</p><p>Correct. It keeps the choice hers.</p>\n"
        "}\n"
    )


def test_categories_name_the_exam_domains_and_a_slash_is_doubled_as_moodle_reads_it(bank):
    assert [category_path(d) for d in EXAM_DOMAINS] == [
        "$course$/top/PeerSim question bank/Advocacy",
        "$course$/top/PeerSim question bank/Mentoring and Education",
        "$course$/top/PeerSim question bank/Recovery//Wellness Support",
        "$course$/top/PeerSim question bank/Ethical Responsibility",
    ]
    lines = to_gift(bank).splitlines()
    assert [line for line in lines if line.startswith("$CATEGORY:")] == [f"$CATEGORY: {category_path(d)}" for d in EXAM_DOMAINS]


def test_the_whole_bank_round_trips_through_gift(bank, rubric, tmp_path):
    result = from_gift(to_gift(bank), rubric)
    assert (
        result.summary
        == "Imported 303 of 303 questions from the GIFT file: 303 ready for the bank, 0 still need something before passing its checks."
    )
    assert all(q.status == "ready" and q.notes == () for q in result.questions)
    report = load_bank_text(result.yaml, tmp_path, rubric)
    assert report.problems == []
    back = [q for loaded in report.banks for q in loaded.bank.questions]
    assert back == ordered(bank)  # ids, domains, criteria, style, stem, options, feedback and key, all equal
    assert len(back) == len(bank) == 303


def test_text_gift_html_or_yaml_could_misread_survives_the_round_trip(rubric, tmp_path):
    question = tricky()
    text = to_gift([question])
    assert "::odd-001 · wellness::[html]Odd\\: \\~tilde \\=equals \\#hash \\{brace\\} back\\\\slash \\\\n " in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; -&gt; // \\#\\#\\#\\# end<br>second line {" in text
    assert "\t~[html][plain] starts with a bracket\\: \\{x\\}#[html][moodle] why\\=1\n" in text
    result = from_gift(text, rubric)
    assert [q.status for q in result.questions] == ["ready"]
    report = load_bank_text(result.yaml, tmp_path, rubric)
    assert report.problems == []
    assert report.banks[0].bank.questions == [question]


def test_gift_pegjs_reads_every_question_of_the_bank_as_the_bank_has_it(bank, tmp_path):
    parsed = gift_pegjs(to_gift(bank), tmp_path)
    categories = [p["title"] for p in parsed if p["type"] == "Category"]
    assert categories == [category_path(d) for d in EXAM_DOMAINS]
    questions = [p for p in parsed if p["type"] != "Category"]
    assert [p["type"] for p in questions] == ["MC"] * len(bank)
    by_id = {q.id: q for q in bank}
    assert [p["id"] for p in questions] == [q.id for q in ordered(bank)]
    for read in questions:
        question = by_id[read["id"]]
        assert read["title"] == f"{question.id} · {question.domain}"
        assert read["tags"] == [
            f"exam-domain:{question.exam_domain}",
            f"domain:{question.domain}",
            *(f"criterion:{c}" for c in question.criteria),
            f"style:{question.style}",
        ]
        assert read["stem"] == {"format": "html", "text": to_html(question.stem)}
        assert html.unescape(read["stem"]["text"]) == question.stem
        assert [(c["text"]["text"], c["feedback"]["text"]) for c in read["choices"]] == [
            (to_html(o.text), to_html(o.why)) for o in question.options
        ]
        assert [c["isCorrect"] for c in read["choices"]] == [n == question.key for n in range(1, 5)]
        assert {c["text"]["format"] for c in read["choices"]} == {"html"}
        assert read["globalFeedback"] == {"format": "html", "text": general_feedback(question)}


def test_gift_pegjs_reads_text_that_could_be_misread_as_written(tmp_path):
    question = tricky()
    (read,) = [p for p in gift_pegjs(to_gift([question]), tmp_path) if p["type"] == "MC"]
    assert html.unescape(read["stem"]["text"].replace("<br>", "\n")) == question.stem
    assert [(html.unescape(c["text"]["text"]), html.unescape(c["feedback"]["text"])) for c in read["choices"]] == [
        (o.text, o.why) for o in question.options
    ]
    assert [c["isCorrect"] for c in read["choices"]] == [False, False, True, False]


# ======================================================================================= export: Moodle XML
MULTICHOICE = [
    "name",
    "questiontext",
    "generalfeedback",
    "defaultgrade",
    "penalty",
    "hidden",
    "idnumber",
    "single",
    "shuffleanswers",
    "answernumbering",
    "showstandardinstruction",
    "correctfeedback",
    "partiallycorrectfeedback",
    "incorrectfeedback",
    "answer",
    "answer",
    "answer",
    "answer",
    "tags",
]


def text_of(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, path
    return found.text or ""


def test_moodle_xml_has_the_shape_moodle_reads_and_the_banks_content(bank):
    source = to_moodle_xml(bank)
    assert source.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n')
    quiz = ET.fromstring(source.encode("utf-8"))
    assert quiz.tag == "quiz"
    kinds = [q.get("type") for q in quiz]
    assert kinds.count("category") == 4 and kinds.count("multichoice") == len(bank) == 303
    categories = [text_of(q, "category/text") for q in quiz if q.get("type") == "category"]
    assert categories == [category_path(d) for d in EXAM_DOMAINS]
    items = [q for q in quiz if q.get("type") == "multichoice"]
    by_id = {q.id: q for q in bank}
    assert [text_of(item, "idnumber") for item in items] == [q.id for q in ordered(bank)]
    for item in items:
        question = by_id[text_of(item, "idnumber")]
        assert [child.tag for child in item] == MULTICHOICE
        assert text_of(item, "name/text") == f"{question.id} · {question.domain}"
        assert item.find("questiontext").get("format") == "html"  # type: ignore[union-attr]
        assert text_of(item, "questiontext/text") == to_html(question.stem)
        assert html.unescape(text_of(item, "questiontext/text")) == question.stem
        assert text_of(item, "generalfeedback/text") == general_feedback(question)
        assert [text_of(item, t) for t in ("single", "shuffleanswers", "defaultgrade", "penalty")] == [
            "true",
            "true",
            "1.0000000",
            "0.3333333",
        ]
        answers = item.findall("answer")
        assert [a.get("fraction") for a in answers] == ["100" if n == question.key else "0" for n in range(1, 5)]
        assert {a.get("format") for a in answers} == {"html"}
        assert [(text_of(a, "text"), text_of(a, "feedback/text")) for a in answers] == [
            (to_html(o.text), to_html(o.why)) for o in question.options
        ]
        assert [t.text for t in item.findall("tags/tag/text")] == [
            f"exam-domain:{question.exam_domain}",
            f"domain:{question.domain}",
            *(f"criterion:{c}" for c in question.criteria),
            f"style:{question.style}",
        ]


def test_moodle_xml_escapes_text_as_xml_and_html():
    source = to_moodle_xml([tricky()])
    assert (
        "<text>Odd: ~tilde =equals #hash {brace} back\\slash \\n &amp;lt;b&amp;gt;bold&amp;lt;/b&amp;gt; &amp;amp; -&amp;gt;"
        in source
    )
    assert "<![CDATA[" not in source and "<b>" not in source
    item = ET.fromstring(source.encode("utf-8")).find("question[@type='multichoice']")
    assert item is not None
    assert html.unescape(text_of(item, "questiontext/text").replace("<br>", "\n")) == tricky().stem
    assert [html.unescape(text_of(a, "feedback/text")) for a in item.findall("answer")] == [o.why for o in tricky().options]


# ============================================================================================ import: GIFT
MALFORMED = """\
// A valid question first.
::Q1 Grant:: Who is buried in Grant's tomb? {
  =No one#Right\\: it is a tomb, not a grave.
  ~Grant#He is entombed, not buried.
  ~Jefferson#He is buried at Monticello.
  ~Lincoln#He is in Springfield.
}

::Unclosed:: What is missing here? {
  =A closing brace#Yes.
  ~Nothing#No.

::No right:: Which is right? {~a#x ~b#y ~c#z ~d#w}

::Two right:: Pick one. {
  =first#f1
  =second#f2
  ~third#f3
  ~fourth#f4
}

::Essay:: Describe a time you listened well. {}

// [id:saf-900] [tag:exam-domain:recovery-wellness] [tag:domain:safety] [tag:criterion:po.safety-check] [tag:style:scenario]
::saf-900::A peer says she has not slept in days. What now? {=Ask how she is doing#Right. ~Wait#No. ~Leave#No. ~Joke#No.}
"""

EXAM_DOMAIN_HELP = (
    "add exam_domain: advocacy, mentoring-education, recovery-wellness or ethical-responsibility (a $CATEGORY named "
    "after the exam domain, or a [tag:exam-domain:…] comment, sets it)"
)
DOMAIN_HELP = (
    "add domain: the curriculum domain it tests: readiness, self-determination, person-centered, goals, plan-care, "
    "wellness, relationship, self-care, safety or ethics"
)
CRITERIA_HELP = "add criteria: 1 to 3 rubric criterion ids it tests, like po.many-pathways"
STYLE_HELP = (
    "add style: scenario, knowledge or not (scenario: a peer's situation; knowledge: a fact or principle; not: a "
    "'which is NOT' item)"
)


def fields_to_add(line: int) -> list[Note]:
    return [
        Note(line, "to do", EXAM_DOMAIN_HELP, "exam_domain"),
        Note(line, "to do", DOMAIN_HELP, "domain"),
        Note(line, "to do", CRITERIA_HELP, "criteria"),
        Note(line, "to do", STYLE_HELP, "style"),
    ]


def test_a_malformed_gift_file_gets_exact_messages_by_line_and_loses_nothing_valid(rubric, tmp_path):
    result = from_gift(MALFORMED, rubric)
    assert [(q.line, q.id, q.status) for q in result.questions] == [
        (2, "q1-grant", "needs work"),
        (9, None, "not imported"),
        (13, "no-right", "needs work"),
        (15, "two-right", "needs work"),
        (22, None, "not imported"),
        (25, "saf-900", "ready"),
    ]
    notes = {q.line: list(q.notes) for q in result.questions}
    assert notes[2] == fields_to_add(2)
    assert notes[9] == [Note(9, "not imported", "the { that opens the answers has no closing }: add } after the last answer")]
    no_right = "no answer is marked right: put = before the right answer (the others keep ~), or set key: in the YAML"
    assert notes[13] == [*fields_to_add(13), Note(13, "to do", no_right, "key")]
    two_right = (
        "the answers on lines 16 and 17 are both marked right (=), but a bank question has one right answer: keep = on "
        "the right one and put ~ before the others, or set key: in the YAML"
    )
    assert notes[15] == [*fields_to_add(15), Note(17, "to do", two_right, "key")]
    assert notes[22] == [
        Note(22, "not imported", "an essay question: the bank holds only multiple-choice questions with one right answer")
    ]
    assert notes[25] == []
    assert result.summary == (
        "Imported 4 of 6 questions from the GIFT file: 1 ready for the bank, 3 still need something before passing "
        "its checks; 2 not imported."
    )
    assert result.report().splitlines()[2:4] == [
        "line 2: q1-grant: imported, with more to do before it passes the bank's checks. Imported: the question's "
        "text, 4 options, right answer: option 1, feedback for 4 of 4, id q1-grant (from its title).",
        f"  line 2: to do: {EXAM_DOMAIN_HELP}",
    ]
    assert "line 9: not imported: the { that opens the answers has no closing }: add } after the last answer" in (
        result.report().splitlines()
    )

    # Nothing valid is lost: the four questions that could be read are in the YAML, as written.
    doc = read_yaml(result.yaml)
    assert [q["id"] for q in doc.data["questions"]] == ["q1-grant", "no-right", "two-right", "saf-900"]
    first, no_key, two_keys, ready = doc.data["questions"]
    assert (ready["criteria"], ready["key"]) == (["po.safety-check"], 1)
    assert first == {
        "id": "q1-grant",
        "stem": "Who is buried in Grant's tomb?",
        "options": [
            {"text": "No one", "why": "Right: it is a tomb, not a grave."},
            {"text": "Grant", "why": "He is entombed, not buried."},
            {"text": "Jefferson", "why": "He is buried at Monticello."},
            {"text": "Lincoln", "why": "He is in Springfield."},
        ],
        "key": 1,
    }
    assert "key" not in no_key and "key" not in two_keys
    assert [o["text"] for o in two_keys["options"]] == ["first", "second", "third", "fourth"]
    # The gateway and the bank's checks accept the ready one as it is, and name the gaps of the others.
    report = load_bank_text(result.yaml, tmp_path, rubric)
    assert sorted({p.message for p in report.errors}) == [
        "questions[0]: missing required field 'criteria'",
        "questions[0]: missing required field 'domain'",
        "questions[0]: missing required field 'exam_domain'",
        "questions[0]: missing required field 'style'",
        "questions[1]: missing required field 'criteria'",
        "questions[1]: missing required field 'domain'",
        "questions[1]: missing required field 'exam_domain'",
        "questions[1]: missing required field 'key'",
        "questions[1]: missing required field 'style'",
        "questions[2]: missing required field 'criteria'",
        "questions[2]: missing required field 'domain'",
        "questions[2]: missing required field 'exam_domain'",
        "questions[2]: missing required field 'key'",
        "questions[2]: missing required field 'style'",
    ]
    ready_only = result.yaml[result.yaml.index("  - id: saf-900") :]
    alone = load_bank_text("questions:\n" + ready_only, tmp_path, rubric)
    assert alone.problems == []
    assert alone.banks[0].bank.questions[0].options[0].text == "Ask how she is doing"


def test_the_yaml_says_what_each_question_still_needs_and_is_in_the_banks_layout(rubric):
    yaml = from_gift(MALFORMED, rubric).yaml
    assert yaml.startswith(
        "# yaml-language-server: $schema=../question-bank.schema.json\n"
        "questions:\n"
        "  # GIFT line 2: still to do: exam_domain, domain, criteria, style (see the import report)\n"
        "  - id: q1-grant\n"
        "    stem: >-\n"
        "      Who is buried in Grant's tomb?\n"
        "    options:\n"
        '      - text: "No one"\n'
        '        why: "Right: it is a tomb, not a grave."\n'
    )
    assert "  # GIFT line 15: still to do: exam_domain, domain, criteria, style, key (see the import report)\n" in yaml
    assert yaml.endswith(
        "\n"
        "  - id: saf-900\n"
        "    exam_domain: recovery-wellness\n"
        "    domain: safety\n"
        "    criteria: [po.safety-check]\n"
        "    style: scenario\n"
        "    stem: >-\n"
        "      A peer says she has not slept in days. What now?\n"
        "    options:\n"
        '      - text: "Ask how she is doing"\n'
        '        why: "Right."\n'
        '      - text: "Wait"\n'
        '        why: "No."\n'
        '      - text: "Leave"\n'
        '        why: "No."\n'
        '      - text: "Joke"\n'
        '        why: "No."\n'
        "    key: 1\n"
    )


@pytest.mark.parametrize(
    ("gift", "line", "message"),
    [
        ("What is pi? {#3.14:0.01}", 1, "a numerical question"),
        ("Match them. {=cat -> meow =dog -> woof =cow -> moo}", 1, "a matching question"),
        ("The sky is blue. {T}", 1, "a true/false question"),
        ("Who wrote it? {=Ann =Anne}", 1, "a short-answer question"),
        ("Just some text to read.", 1, "a description (text with no answers)"),
        ("// a comment\n::Essay::\nTell us more. {\n####Thanks.\n}", 2, "an essay question"),
        ("Pick two. {\n~%50%one\n~%50%two\n~%-100%three\n}", 2, "a multiple-answer question (answers weighted %50%)"),
    ],
)
def test_questions_the_bank_cannot_hold_are_reported_by_line_and_not_imported(rubric, gift, line, message):
    result = from_gift(gift, rubric)
    assert result.yaml == ""
    (question,) = result.questions
    assert question.status == "not imported"
    assert question.notes == (
        Note(line, "not imported", f"{message}: the bank holds only multiple-choice questions with one right answer"),
    )


@pytest.mark.parametrize(
    ("gift", "line", "message"),
    [
        ("::Unclosed title What? {=a ~b ~c ~d}", 1, "the title that opens with :: has no closing ::"),
        ("What? =a ~b ~c ~d}", 1, "this } closes answers that were never opened: add { before the first answer"),
        (
            "What? {=a ~b ~c ~d}\nAnd? {=e ~f ~g ~h}",
            2,
            "a second set of answers in { }, but a question has one: put a blank line between two questions",
        ),
        (
            "What?\n{ stray\n=a ~b ~c ~d}",
            2,
            "the text “stray” comes before the first answer, but each answer must start with = (right) or ~ (wrong)",
        ),
    ],
)
def test_gift_syntax_mistakes_get_exact_messages_and_the_next_question_still_imports(rubric, gift, line, message):
    good = "::Fine:: Fine? {=a#1 ~b#2 ~c#3 ~d#4}"
    result = from_gift(f"{gift}\n\n{good}\n", rubric)
    assert result.questions[0].notes == (Note(line, "not imported", message),)
    assert [(q.id, q.status) for q in result.questions] == [(None, "not imported"), ("fine", "needs work")]
    assert read_yaml(result.yaml).data["questions"][0]["options"][3] == {"text": "d", "why": "4"}


def test_what_the_bank_has_no_place_for_is_named_as_left_out(rubric):
    gift = (
        "// [id:x-1] [tag:exam-domain:advocacy] [tag:domain:ethics] [tag:criterion:pf.dictating] [tag:style:not]\n"
        "// [tag:week-3]\n"
        "Which is NOT helpful? {\n"
        "  =Deciding for them#Correct. It takes the choice away.\n"
        "  ~%-25%Asking#It invites their view.\n"
        "  ~Listening#It helps.\n"
        "  ~Waiting#It gives room.\n"
        "  ####See chapter 3.\n"
        "}"
    )
    (question,) = from_gift(gift, rubric).questions
    assert question.status == "ready"
    assert question.notes == (
        Note(3, "left out", "the tag(s) week-3 (the bank has no place for them)"),
        Note(5, "left out", "the weight %-25% (the bank scores every wrong answer 0)"),
        Note(8, "left out", "the general feedback (####): the bank keeps feedback for each option instead"),
    )


def test_each_gap_is_named_at_its_line(rubric):
    gift = (
        "$CATEGORY: $course$/top/Somewhere/Ethical Responsibility\n"
        "\n"
        "// [id:Not An Id] [tag:domain:nowhere] [tag:criterion:po.no-such-thing] [tag:style:scenario]\n"
        "A peer asks you to keep a secret. {\n"
        "  =Explain the limits of confidentiality#Correct.\n"
        "  ~Promise to keep it\n"
        "  ~Refuse to listen#It shuts them out.\n"
        "}\n"
        "\n"
        "::twin:: One? {=a#1 ~b#2 ~c#3 ~d#4}\n"
        "\n"
        "::twin:: Two? {=a#1 ~b#2 ~c#3 ~d#4}\n"
    )
    result = from_gift(gift, rubric)
    first, _, twin = result.questions
    assert first.notes == (
        Note(4, "to do", "id: 'Not An Id' should be lower-case letters, digits and dashes (like 'first-visit')", "id"),
        Note(
            4,
            "to do",
            "domain: 'nowhere' is not one of 'readiness', 'self-determination', 'person-centered', 'goals', "
            "'plan-care', 'wellness', 'relationship', 'self-care', 'safety' or 'ethics'",
            "domain",
        ),
        Note(4, "to do", "criteria[0]: unknown criterion 'po.no-such-thing'", "criteria[0]"),
        Note(4, "to do", "the bank needs exactly four options; this question has 3", "options"),
        Note(6, "to do", "option 2 has no feedback: add # and why it is right or wrong after it", "options[1].why"),
    )
    assert first.imported.endswith(
        "exam domain ethical-responsibility, domain nowhere, style scenario, criteria po.no-such-thing"
    )
    assert twin.notes[0] == Note(12, "to do", "another id: 'twin' is already the id of the question on line 10", "id")
    assert twin.notes[1:] == tuple(fields_to_add(12)[1:])  # the category named the exam domain


def test_moodle_style_gift_with_html_markdown_a_missing_word_and_windows_line_ends(rubric):
    gift = (
        "\ufeff// question: 12  name: From Moodle\r\n"
        "::From Moodle::[html]<p>Which is <b>person-centered</b>?</p>{\r\n"
        "\t=<p>Asking &amp; listening</p>#<p>Yes\\: it follows them.</p>\r\n"
        "\t~Telling#No.\r\n"
        "\t~Deciding#No.\r\n"
        "\t~Waiting#No.\r\n"
        "}\r\n"
        "\r\n"
        "::Blank::[markdown]Peer support is {=mutual#Yes ~one-way#No ~paid#No ~clinical#No} by design.\r\n"
        "\r\n"
        "::Breaks::Line one\\nline two? {=a#1 ~b#2 ~c#3 ~d#4}\r\n"
    )
    data = read_yaml(from_gift(gift, rubric).yaml).data["questions"]
    assert data[0]["stem"] == "Which is person-centered?"
    assert data[0]["options"][0] == {"text": "Asking & listening", "why": "Yes: it follows them."}
    assert data[1]["stem"] == "Peer support is _____ by design."
    assert data[1]["key"] == 1
    assert data[2]["stem"] == "Line one\nline two?"
    assert [d["id"] for d in data] == ["from-moodle", "blank", "breaks"]


def test_an_empty_file_or_one_of_comments_imports_nothing_and_says_so(rubric):
    for text in ("", "\n\n", "// only a comment\n// and another\n"):
        result = from_gift(text, rubric)
        assert result == ImportResult("", ())
        assert result.summary == "The file holds no GIFT questions. Nothing was imported."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * (1024 * 1024 + 1), "That file is 1.0 MiB; a GIFT file can be at most 1 MiB. Nothing was imported."),
        (b"::t:: q {=a}\x00", "That file holds binary data, not GIFT text. Nothing was imported."),
        (
            b"::t:: q {=a ~b}\n\xff\xfe",
            "That file is not UTF-8 text (line 2 cannot be read). Save it as UTF-8 and upload it again. Nothing was imported.",
        ),
    ],
)
def test_a_file_that_is_not_gift_text_is_refused_with_a_message(data, message):
    from scenarios.exchange import GiftError

    with pytest.raises(GiftError) as refused:
        decode_gift(data)
    assert str(refused.value) == message


# ===================================================================================================== the CLI
def test_the_cli_exports_the_bank_in_both_formats(tmp_path, capsys, bank):
    out = tmp_path / "bank.gift.txt"
    assert main(["export-bank", "--format", "gift", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == to_gift(bank)
    assert capsys.readouterr().err == f"wrote 303 question(s) as gift to {out}\n"
    assert main(["export-bank", "--format", "moodle-xml"]) == 0
    assert capsys.readouterr().out == to_moodle_xml(bank)


def test_the_cli_imports_gift_with_its_report_and_exit_code(tmp_path, capsys, rubric, bank):
    broken = tmp_path / "broken.gift"
    broken.write_text(MALFORMED, encoding="utf-8")
    assert main(["import-gift", str(broken)]) == 1  # not every question is ready
    captured = capsys.readouterr()
    assert captured.out == from_gift(MALFORMED, rubric).yaml
    assert captured.err == from_gift(MALFORMED, rubric).report()
    whole = tmp_path / "bank.gift"
    whole.write_text(to_gift(bank), encoding="utf-8")
    yaml_out = tmp_path / "bank.yaml"
    assert main(["import-gift", str(whole), "--out", str(yaml_out)]) == 0
    assert capsys.readouterr().err.endswith(f"wrote the imported questions to {yaml_out}\n")
    assert load_bank_text(yaml_out.read_text(encoding="utf-8"), tmp_path, rubric).problems == []
    assert main(["import-gift", str(tmp_path / "missing.gift")]) == 1
    assert capsys.readouterr().err == f"{tmp_path / 'missing.gift'}: cannot read the file: No such file or directory\n"


# ============================================================================================ the dashboard
@pytest.mark.apptest
@pytest.mark.usefixtures("exam_bank")
def test_the_export_tab_offers_the_bank_and_reports_an_imported_gift_file(store, rubric):
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    at = choose(dashboard(store.accounts.start_session(instructor)), "dashboard_cohort", cohort.id)
    export = at.tabs[6]
    assert [b.label for b in export.get("download_button")] == [
        "Download the cohort's attempts and decisions (CSV)",
        "Download the question bank for Moodle (GIFT)",
        "Download the question bank for Moodle (Moodle XML)",
    ]
    assert [b.proto.disabled for b in export.get("download_button")[1:]] == [False, False]
    small = [q for loaded in check_paths([EXAM_BANK], rubric).banks for q in loaded.bank.questions]
    assert bank_import.gift_file() == to_gift(small).encode("utf-8")  # what the buttons serve, made on a click
    assert bank_import.moodle_xml_file() == to_moodle_xml(small).encode("utf-8")
    assert [s.value for s in export.subheader] == ["Export", "Question bank for your LMS"]

    uploader = at.get("file_uploader")[0]
    assert uploader.proto.label == "A GIFT file"
    uploader.set_value([("class questions.gift", MALFORMED.encode("utf-8"), "text/plain")])  # type: ignore[attr-defined]
    at.run()
    assert not at.exception
    assert [shown(w.value) for w in at.warning] == [
        "Imported 4 of 6 questions from the GIFT file: 1 ready for the bank, 3 still need something before passing "
        "its checks; 2 not imported."
    ]
    rows = shown_rows(at.table[-1].value)
    assert rows[0] == {
        "line": 2,
        "question": "q1-grant",
        "result": "imported, more to do",
        "details": "Imported: the question's text, 4 options, right answer: option 1, feedback for 4 of 4, id q1-grant "
        "(from its title).",
    }
    assert rows[1] == {"line": 2, "question": "q1-grant", "result": "to do", "details": EXAM_DOMAIN_HELP}
    assert {
        "line": 9,
        "question": "–",
        "result": "not imported",
        "details": "the { that opens the answers has no closing }: add } after the last answer",
    } in rows
    assert {
        "line": 17,
        "question": "two-right",
        "result": "to do",
        "details": (
            "the answers on lines 16 and 17 are both marked right (=), but a bank question has one right answer: keep = on "
            "the right one and put ~ before the others, or set key: in the YAML"
        ),
    } in rows
    assert rows[-1]["question"] == "saf-900" and rows[-1]["result"] == "ready for the bank"
    assert at.get("download_button")[-1].proto.label == "Download the imported questions (bank YAML)"


@pytest.mark.apptest
@pytest.mark.usefixtures("exam_bank")
def test_an_upload_that_is_not_text_is_refused_on_the_page(store):
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    at = choose(dashboard(store.accounts.start_session(instructor)), "dashboard_cohort", cohort.id)
    at.get("file_uploader")[0].set_value([("photo.gift", b"\x89PNG\x00\x01", "text/plain")])  # type: ignore[attr-defined]
    at.run()
    assert [shown(e.value) for e in at.error] == ["photo.gift: That file holds binary data, not GIFT text. Nothing was imported."]
    assert [b.label for b in at.get("download_button")][-1] == "Download the question bank for Moodle (Moodle XML)"


@pytest.mark.apptest
@pytest.mark.usefixtures("fixture_library")
def test_with_no_bank_the_downloads_are_off_and_say_why(store, tmp_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("PEERSIM_BANK_DIR", str(tmp_path))  # an empty folder: no bank files
    st.cache_resource.clear()
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    at = choose(dashboard(store.accounts.start_session(instructor)), "dashboard_cohort", cohort.id)
    buttons = at.tabs[6].get("download_button")[1:]
    assert [(b.proto.disabled, b.proto.help) for b in buttons] == [
        (True, "The question bank has no questions that pass its checks, so there is nothing to export.")
    ] * 2


def test_the_small_test_bank_exports_and_imports_too(rubric, tmp_path):
    report = check_paths([EXAM_BANK], rubric)
    questions = [q for loaded in report.banks for q in loaded.bank.questions]
    back = load_bank_text(from_gift(to_gift(questions), rubric).yaml, tmp_path, rubric)
    assert back.banks[0].bank.questions == ordered(questions)
