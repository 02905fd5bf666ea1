"""Content style across files: the bank's near-duplicate check (an error) and the lint's rules across files
(warnings: "Okay" openers, stock rationale openings, British spellings, NOT/EXCEPT items, double negatives, names
used twice), each on a small text written here, with its exact message and place; and the shipped bank, which must
hold no near-duplicate pair."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenarios import lint
from scenarios.__main__ import main
from scenarios.gateway import YamlDocument, read_yaml
from scenarios.lint import BRITISH, lint_collection
from scenarios.loader import BANK_DIR, check_paths, expand_paths, load_rubric
from scenarios.model import Scenario
from scenarios.questions import QuestionBank, check_near_duplicates
from scenarios.similarity import NEAR_DUPLICATE, features, near_duplicates, similarity
from scenarios.validate import to_model

RUBRIC = load_rubric()


def scenario_text(
    *,
    peer: str = "Lee",
    about: str = "52, a year into recovery.",
    first: str = "I miss the garden.",
    whys: tuple[str, ...] = (),
    summary: str = "Lee wants to get back to the garden.",
) -> str:
    """Five decision points in a row, two choices each (strongest first, then second, in turn), and one ending.

    Node n<i> says "<first>" at i = 0 and "Line <i>." after; its choices' whys are whys[2i] and whys[2i + 1] (the
    strongest choice's why first), or plain defaults.
    """
    defaults = [f"Reason {i} for this." for i in range(10)]
    why = list(whys) + defaults[len(whys) :]
    nodes = []
    for i in range(5):
        following = f"n{i + 1}" if i < 4 else "done"
        good = (
            f'      - id: good\n        say: "You miss it, and you wonder about it, {i}."\n'
            f"        criteria: [po.reflective-listening]\n        quality: strongest\n"
            f'        why: "{why[2 * i]}"\n        next: {following}\n'
        )
        bad = (
            f'      - id: bad\n        say: "Let me tell you about my own garden, {i}."\n'
            f"        criteria: [pf.centering-own-story]\n        quality: pitfall\n        better: good\n"
            f'        why: "{why[2 * i + 1]} The stronger response stays with him."\n        next: {following}\n'
        )
        choices = good + bad if i % 2 == 0 else bad + good
        line = first if i == 0 else f"Line {i}."
        nodes.append(f'  n{i}:\n    peer: "{line}"\n    readiness: contemplating\n    choices:\n{choices}')
    return (
        f'id: garden\ntitle: Back to the garden\nsummary: "{summary}"\ndomains: [relationship]\ndifficulty: 1\n'
        f'minutes: 4\npeer:\n  name: {peer}\n  about: "{about}"\nstart: n0\nnodes:\n'
        + "".join(nodes)
        + 'endings:\n  done:\n    peer: "Thanks."\n    debrief: "What helped?"\n'
    )


def item(
    qid: str,
    stem: str,
    options: tuple[str, str, str, str] = ("One a.", "Two b.", "Three c.", "Four d."),
    style: str = "knowledge",
) -> str:
    """One bank item (key 1); each option's why is "Why <n>."."""
    lines = [
        f"  - id: {qid}",
        "    exam_domain: advocacy",
        "    domain: self-determination",
        "    criteria: [po.honor-self-determination]",
        f"    style: {style}",
        f'    stem: "{stem}"',
        "    options:",
    ]
    for n, text in enumerate(options, start=1):
        lines += [f'      - text: "{text}"', f'        why: "Why {n}."']
    lines.append("    key: 1")
    return "\n".join(lines) + "\n"


def bank_text(*items: str) -> str:
    return "questions:\n" + "".join(items)


def scenario_doc(text: str, source: str = "lib.yaml") -> tuple[YamlDocument, Scenario]:
    doc = read_yaml(text, source)
    return doc, to_model(doc, Scenario, what="scenario")


def bank_doc(text: str, source: str = "bank.yaml") -> tuple[YamlDocument, QuestionBank]:
    doc = read_yaml(text, source)
    return doc, to_model(doc, QuestionBank, what="question bank")


def messages(problems: list) -> list[str]:
    return [str(p) for p in problems]


# The similarity measure -------------------------------------------------------------------------------------


def test_features_are_content_words_and_pairs_without_the_exams_boilerplate():
    bag = features("What is the most helpful response?", "Acknowledge the overwhelm, then one manageable step.")
    assert "overwhelm" in bag and "manageable" in bag and "acknowledge" in bag
    assert "manageable step" in bag and "the overwhelm" in bag  # pairs with one content word count
    assert not {"helpful", "response", "most", "step", "what"} & set(bag)  # boilerplate and stop words do not
    assert "what is" not in bag and "the most" not in bag  # nor pairs of them
    assert features("overwhelmed")["overwhelm"] == features("overwhelming")["overwhelm"] == 1


def test_similarity_is_one_for_the_same_item_and_zero_for_nothing_shared():
    assert similarity(
        "A peer's plan feels huge.", "Name it, then one step.", "A peer's plan feels huge.", "Name it, then one step."
    ) == pytest.approx(1.0)
    assert similarity("Grief after a loss.", "Stay with her.", "Naloxone kits.", "Carry one.") == 0.0


def test_near_duplicates_finds_the_pairs_at_or_above_the_threshold():
    items = [
        (
            "A peer says their recovery plan feels overwhelming. What does training recommend?",
            "Acknowledge that feeling overwhelmed is human, then return to one manageable step.",
        ),
        (
            "When a peer says their plan feels overwhelming, which approach does training recommend?",
            "Acknowledge overwhelm as a normal human feeling, then return to one manageable next step.",
        ),
        ("Why is the risk of overdose higher after time in jail?", "Tolerance drops during a break."),
    ]
    pairs = near_duplicates(items)
    assert [(p.first, p.second) for p in pairs] == [(0, 1)]
    assert pairs[0].score >= NEAR_DUPLICATE
    assert near_duplicates(items, threshold=pairs[0].score + 0.01) == []


# The near-duplicate check in `python -m scenarios check` -----------------------------------------------------

OVERWHELM_A = item(
    "a-001",
    "A peer says their recovery plan feels overwhelming. What does training recommend?",
    (
        "Acknowledge that feeling overwhelmed is human, then return to one manageable step.",
        "Remind them of the whole.",
        "Pause the plan.",
        "Reassure them.",
    ),
)
OVERWHELM_B = item(
    "b-001",
    "When a peer says their plan feels overwhelming, which approach does training recommend?",
    (
        "Acknowledge overwhelm as a normal human feeling, then return to one manageable next step.",
        "Push past it.",
        "Set the plan aside.",
        "Take over some steps.",
    ),
)
NALOXONE = item(
    "b-002",
    "Why is the risk of overdose higher after time in jail?",
    ("Tolerance drops during a break.", "Naloxone works less well.", "People take more.", "Withdrawal."),
)


def test_near_duplicate_items_in_two_files_are_an_error_naming_both_places(tmp_path: Path, capsys):
    (tmp_path / "a.yaml").write_text(bank_text(OVERWHELM_A), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(bank_text(NALOXONE, OVERWHELM_B), encoding="utf-8")
    score = similarity(
        "A peer says their recovery plan feels overwhelming. What does training recommend?",
        "Acknowledge that feeling overwhelmed is human, then return to one manageable step.",
        "When a peer says their plan feels overwhelming, which approach does training recommend?",
        "Acknowledge overwhelm as a normal human feeling, then return to one manageable next step.",
    )
    assert main(["check", str(tmp_path)]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{tmp_path / 'b.yaml'}:18:9: 'b-001' is a near-duplicate of 'a-001' ({tmp_path / 'a.yaml'}:2): their stems "
        f"and keys are {score:.2f} alike (the limit is 0.37), so on one exam form either gives the other away; "
        "rewrite one to test something different, or remove it"
    ]
    assert err == "1 error(s), 0 warning(s) in 2 file(s)\n"


def test_one_item_given_twice_under_one_id_is_left_to_the_id_check(tmp_path: Path, capsys):
    (tmp_path / "a.yaml").write_text(bank_text(OVERWHELM_A), encoding="utf-8")
    (tmp_path / "b.yaml").write_text(bank_text(OVERWHELM_A), encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"{tmp_path / 'b.yaml'}:2:9: question id 'a-001' is already used in {tmp_path / 'a.yaml'}"
    ]


def test_items_that_share_a_topic_but_not_an_answer_pass(tmp_path: Path):
    (tmp_path / "a.yaml").write_text(bank_text(OVERWHELM_A, NALOXONE), encoding="utf-8")
    assert check_paths([tmp_path], RUBRIC).problems == []


def test_the_shipped_bank_has_no_near_duplicate_pair():
    banks = [bank_doc(path.read_text(encoding="utf-8"), str(path)) for path in expand_paths([BANK_DIR])]
    assert len(banks) >= 6
    assert messages(check_near_duplicates(banks)) == []


# Rule 7: peer lines opening with "Okay" ------------------------------------------------------------------------


def test_okay_openers_over_the_share_are_each_named(monkeypatch):
    monkeypatch.setattr(lint, "MIN_LINES_FOR_SHARE", 6)
    docs = [scenario_doc(scenario_text(first="Okay, so I miss the garden."))]
    assert messages(lint_collection(docs)) == [
        "lib.yaml:13:11: warning: 1 of 6 (16.7%) peer lines start with 'Okay', and the limit is under 5%: a stock "
        "opener makes every peer sound alike; open this line the way this person would"
    ]
    assert lint_collection([scenario_doc(scenario_text(first="Ok. I miss it."))]) != []
    assert lint_collection([scenario_doc(scenario_text(first="Okra is what I grew."))]) == []


def test_okay_openers_are_not_judged_among_a_few_lines():
    assert lint.MIN_LINES_FOR_SHARE == 100
    assert lint_collection([scenario_doc(scenario_text(first="Okay, so I miss the garden."))]) == []


# Rule 8: stock rationale openings ------------------------------------------------------------------------------


def test_a_rationale_opening_over_ten_percent_is_named_once_at_its_first_use(monkeypatch):
    monkeypatch.setattr(lint, "MIN_LINES_FOR_SHARE", 10)
    whys = ("The stronger response here.", "Pulls away.", "The Stronger Response again.")
    assert messages(lint_collection([scenario_doc(scenario_text(whys=whys))])) == [
        "lib.yaml:20:14: warning: 2 of 10 (20.0%) rationales of the library's choices open with 'the stronger "
        "response' (here first, in 1 file), and the limit is 10%: a stock opening reads as a formula; start with "
        "the substance, in words that fit this response"
    ]
    # one use in ten is 10%, which the rule allows
    assert lint_collection([scenario_doc(scenario_text(whys=whys[:2]))]) == []


# Rule 9: British spellings --------------------------------------------------------------------------------------


def test_british_spellings_are_named_with_their_us_form_at_their_place():
    text = scenario_text(summary="Practise staying with Lee's behaviour and his judgement.", whys=("It is person-centred.",))
    assert messages(lint_collection([scenario_doc(text)])) == [
        "lib.yaml:3:10: warning: British spelling 'Practise': PeerSim is written in US English ('practice')",
        "lib.yaml:3:10: warning: British spelling 'behaviour': PeerSim is written in US English ('behavior')",
        "lib.yaml:3:10: warning: British spelling 'judgement': PeerSim is written in US English ('judgment')",
        "lib.yaml:20:14: warning: British spelling 'centred': PeerSim is written in US English ('centered')",
    ]
    bank = bank_doc(bank_text(item("t-001", "Which honours her choice?", ("Counselling her.", "B.", "C.", "D."))))
    assert messages(lint_collection([], [bank])) == [
        "bank.yaml:7:11: warning: British spelling 'honours': PeerSim is written in US English ('honors')",
        "bank.yaml:9:15: warning: British spelling 'Counselling': PeerSim is written in US English ('counseling')",
    ]


def test_the_british_list_maps_forms_to_us_forms():
    assert BRITISH["organising"] == "organizing"
    assert BRITISH["counsellor"] == "counselor"
    assert BRITISH["centres"] == "centers"
    assert "practice" not in BRITISH and "advise" not in BRITISH and "emphasis" not in BRITISH


# Rule 10: NOT and EXCEPT items ----------------------------------------------------------------------------------


def test_negative_items_over_five_percent_are_named_once(monkeypatch):
    monkeypatch.setattr(lint, "MIN_ITEMS_FOR_SHARE", 3)
    text = bank_text(
        item("t-001", "Which honors her choice?"),
        item("t-002", "All of these help EXCEPT which one?"),
        item("t-003", "Which is NOT a way to help?", style="not"),
    )
    assert messages(lint_collection([], [bank_doc(text)])) == [
        "bank.yaml:23:11: warning: 2 of 3 (66.7%) bank items are phrased with NOT or EXCEPT (here first), and the "
        "limit is 5% (0 of 3): a negative stem tests careful reading more than knowledge; ask some of them the "
        "positive way"
    ]


# Rule 11: double negatives --------------------------------------------------------------------------------------


def test_double_negatives_in_not_items_and_in_plain_text():
    text = bank_text(
        item("t-001", "Which is NOT a way to help?", ("Never leaving a peer alone.", "B.", "C.", "D."), style="not"),
        item("t-002", "It is not unusual to feel this. What helps?"),
        item("t-003", "Which helps?", ("She can't go without a ride.", "B.", "C.", "D.")),
    )
    assert messages(lint_collection([], [bank_doc(text)])) == [
        "bank.yaml:9:15: warning: double negative: the stem asks which is NOT, and this option says 'never'; a "
        "trainee has to undo two negatives to judge it, so say it the positive way",
        "bank.yaml:23:11: warning: double negative ('not unusual'): say it the positive way",
        "bank.yaml:41:15: warning: double negative ('can't go without'): say it the positive way",
    ]


# Rule 12: names used twice --------------------------------------------------------------------------------------


def test_a_stem_naming_a_library_peer_or_person_or_an_earlier_bank_person_is_named_with_both_places():
    library = [scenario_doc(scenario_text(peer="Rosa", about="71, widowed; Harold was her husband."))]
    text = bank_text(
        item("t-001", "Rosa, 71, wants to stay home. What helps?"),
        item("t-002", "Harold, 67, a veteran, asks for a plan. What helps?"),
        item("t-003", "Tenzin, 45, sets the pen down. What helps?"),
        item("t-004", "The mother of Tenzin, a 22-year-old peer, calls you. What helps?"),
        item("t-005", "Ama, 19, wants to pause her studies. What helps?"),
    )
    tail = ": a trainee may take them for one person; choose a name used nowhere else in the library or the bank"
    assert messages(lint_collection(library, [bank_doc(text)])) == [
        f"bank.yaml:7:11: warning: 't-001' names 'Rosa', the name of the peer in lib.yaml:8{tail}",
        f"bank.yaml:23:11: warning: 't-002' names 'Harold', the name of a person in lib.yaml:9{tail}",
        f"bank.yaml:55:11: warning: 't-004' names 'Tenzin', the name of the person in 't-003' (bank.yaml:39){tail}",
    ]


# Wiring: `check --lint` runs the rules across files -------------------------------------------------------------


def test_check_lint_runs_the_rules_across_files_and_plain_check_does_not(tmp_path: Path, capsys):
    (tmp_path / "garden.yaml").write_text(scenario_text(peer="Rosa"), encoding="utf-8")
    (tmp_path / "bank.yaml").write_text(bank_text(item("t-001", "Rosa, 71, wants to stay home. What helps?")), encoding="utf-8")
    assert main(["check", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "ok: 1 scenario(s), 5 decision points, 1 question(s), no errors\n"
    assert main(["check", "--lint", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'bank.yaml'}:7:11: warning: 't-001' names 'Rosa', the name of the peer in "
        f"{tmp_path / 'garden.yaml'}:8: a trainee may take them for one person; choose a name used nowhere else in "
        "the library or the bank",
        "ok: 1 scenario(s), 5 decision points, 1 question(s), no errors, 1 warning(s)",
    ]


# Peer voices: each peer sounds like themselves ------------------------------------------------------------------


def test_peers_have_voices_of_their_own():
    """Peers speak in registers of their own (issue 14): a software tester, a retired cafeteria manager or a college
    student in longer, more exact sentences, others short and plain. Each scenario's peer lines are joined and
    graded with the lint's Flesch-Kincaid measure; the spread is pinned at what the library reaches."""
    from scenarios import LIBRARY_DIR, load_library

    report = load_library(LIBRARY_DIR, RUBRIC)
    assert report.problems == []
    grades: dict[str, float] = {}
    for loaded in report.loaded:
        scenario = loaded.scenario
        lines = [node.peer for node in scenario.nodes.values()] + [end.peer for end in scenario.endings.values()]
        grades[loaded.id] = lint.reading_grade(" ".join(lines))[0]
    higher = sorted(name for name, grade in grades.items() if grade >= 4)
    plain = sorted(name for name, grade in grades.items() if grade <= 2.5)
    assert len(higher) >= 11, higher
    assert len(plain) >= 10, plain
    assert {"priya-not-another-form", "odessa-who-hears-what", "eli-his-own-faith"} <= set(higher)
    assert max(grades.values()) - min(grades.values()) >= 4
