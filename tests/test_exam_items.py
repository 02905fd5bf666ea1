"""Item analysis of mock-exam questions and KR-20 reliability (scoring/exam_items.py), worked by hand, and the
cohort's exam data read from the records (records.analytics.exam_data), with its access rule.

THE FORMS: ten finished exams of the same three questions q1, q2, q3 (key: option 1 each). Right (1) or not:

    exams 1-4   1 1 1   3 right (100%)
    exams 5-7   1 1 0   2 right (67%)
    exams 8-9   1 0 0   1 right (33%)
    exam 10     0 0 0   0 right (0%)

Facility p: q1 9/10, q2 7/10, q3 4/10; sum of p(1-p) = 0.09 + 0.21 + 0.24 = 0.54 on every form. Numbers right:
mean 2, population variance (4 x 1 + 3 x 0 + 2 x 1 + 1 x 4) / 10 = 1. KR-20 = 3/2 x (1 - 0.54 / 1) = 0.69.
Groups: n = 10, k = 3; upper exams 1-3, lower exams 8-10. q1: 3/3 - 2/3 = +0.33; q2 and q3: 1 - 0 = +1.
"""

from __future__ import annotations

import pandas as pd
import pytest

from records import AccessDenied
from scenarios.questions import Option, Question
from scoring.exam_items import MIN_FORMS, exam_item_analysis, item_table, kr20
from tests.helpers import make_user


def question(qid: str, key: int = 1) -> Question:
    return Question(
        id=qid,
        exam_domain="ethical-responsibility",
        domain="ethics",
        criteria=["po.role-clarity"],
        style="knowledge",
        stem=f"Stem of {qid}?",
        options=[Option(text=f"{qid} option {n}", why=f"Why {n}.") for n in range(1, 5)],
        key=key,
    )


BANK = {q: question(q) for q in ("q1", "q2", "q3")}
RIGHT = {1: (1, 1, 1), 2: (1, 1, 1), 3: (1, 1, 1), 4: (1, 1, 1), 5: (1, 1, 0), 6: (1, 1, 0), 7: (1, 1, 0), 8: (1, 0, 0), 9: (1, 0, 0), 10: (0, 0, 0)}  # fmt: skip


def frames(right: dict[int, tuple[int, ...]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    exams = pd.DataFrame([(e, round(100 * sum(r) / len(r))) for e, r in right.items()], columns=["exam_id", "percent"])
    answers = pd.DataFrame(
        [(e, f"q{i + 1}", 1 if ok else 2) for e, r in right.items() for i, ok in enumerate(r)],
        columns=["exam_id", "question_id", "choice"],
    )
    return exams, answers


def test_facility_discrimination_and_kr20_by_hand():
    exams, answers = frames(RIGHT)
    analysis = exam_item_analysis(BANK, exams, answers)
    rows = analysis.items.set_index("question_id")
    assert rows["seen"].tolist() == [10, 10, 10]
    assert rows["facility"].tolist() == [0.9, 0.7, 0.4]
    assert rows["discrimination"].tolist() == pytest.approx([1 / 3, 1.0, 1.0])
    assert rows["flags"].tolist() == [["very easy"], [], []]
    assert rows.loc["q3", "chosen"] == {1: 4, 2: 6, 3: 0, 4: 0, 0: 0}
    assert analysis.reliability.kr20 == pytest.approx(0.69)
    assert (analysis.reliability.forms, analysis.reliability.length) == (10, 3)
    assert analysis.reliability.sentence() == (
        "KR-20 reliability of the class's 3-question forms: 0.69 (from 10 finished exams). Above about 0.70 is usually "
        "read as consistent enough for practice."
    )
    table = item_table(analysis, BANK)
    assert table.iloc[0].to_dict() == {
        "question": "q1: Stem of q1?",
        "exam domain": "ethical-responsibility",
        "seen": 10,
        "facility": "90%",
        "discrimination": "+0.33",
        "flags": "very easy",
        "answers (options 1-4, none)": "9 / 1 / 0 / 0 / 0",
    }


def test_a_distractor_the_upper_group_prefers_is_a_possible_miskey_and_confusing():
    # Six exams of one question (key 1); the two best chose option 2, the two weakest the key.
    exams = pd.DataFrame([(1, 90), (2, 80), (3, 70), (4, 60), (5, 20), (6, 10)], columns=["exam_id", "percent"])
    answers = pd.DataFrame([(e, "q1", c) for e, c in zip(range(1, 7), [2, 2, 1, 1, 1, 1], strict=True)], columns=["exam_id", "question_id", "choice"])  # fmt: skip
    row = exam_item_analysis(BANK, exams, answers).items.iloc[0]
    assert (row["facility"], row["discrimination"]) == (pytest.approx(4 / 6), -1.0)
    assert row["flags"] == ["possible miskey", "confusing"]


def test_no_answer_counts_as_wrong_and_few_exams_say_so():
    exams = pd.DataFrame([(1, 0), (2, 100)], columns=["exam_id", "percent"])
    answers = pd.DataFrame([(1, "q1", None), (2, "q1", 1), (2, "gone", 3)], columns=["exam_id", "question_id", "choice"])
    analysis = exam_item_analysis(BANK, exams, answers)
    assert analysis.items[["question_id", "seen", "right", "flags"]].values.tolist() == [["q1", 2, 1, ["too few answers"]]]
    assert analysis.items.iloc[0]["chosen"] == {1: 1, 2: 0, 3: 0, 4: 0, 0: 1}
    assert analysis.reliability.sentence() == (
        f"Not enough finished mock exams for KR-20 reliability yet: it needs at least {MIN_FORMS} of the same length; "
        "the class has 2 of 1 questions."
    )


def test_kr20_says_why_when_it_cannot_be_estimated():
    empty = kr20(BANK, pd.DataFrame(columns=["exam_id", "percent"]), pd.DataFrame(columns=["exam_id", "question_id", "choice"]))
    assert empty.sentence() == "No finished mock exams yet: KR-20 reliability needs at least 10."
    nine = {e: r for e, r in RIGHT.items() if e < 10}
    assert kr20(BANK, *frames(nine)).kr20 is None
    same = {e: (1, 1, 0) for e in range(1, 11)}
    assert kr20(BANK, *frames(same)).sentence() == (
        "Every finished exam had the same number right, so KR-20 cannot be estimated yet."
    )


def test_the_cohort_exam_data_comes_from_the_records(store, exam_bank):
    from ui import services

    bank = services.bank()
    ida = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(ida, "Spring")
    tia, outsider = make_user(store, "Tia"), make_user(store, "Out Sider")
    store.cohorts.join(tia, cohort.join_code)
    items = sorted(bank)[:4]
    done = store.exams.start(tia, items, minutes=30, pass_mark=70)
    store.exams.answer(tia, done.id, items[0], bank[items[0]].key)
    store.exams.answer(tia, done.id, items[1], bank[items[1]].key % 4 + 1)  # a wrong option
    store.exams.close(tia, done.id, bank=bank, ended_by="submitted")
    store.exams.start(tia, items, minutes=30, pass_mark=70)  # still open: not counted
    other = store.exams.start(outsider, items, minutes=30, pass_mark=70)
    store.exams.close(outsider, other.id, bank=bank, ended_by="submitted")  # not a member: not counted

    data = store.analytics.exam_data(ida, cohort.id)
    assert data.exams.values.tolist() == [[done.id, tia.id, 25]]
    assert [[e, q, None if pd.isna(c) else c] for e, q, c in data.answers.values.tolist()] == [
        [done.id, items[0], bank[items[0]].key],
        [done.id, items[1], bank[items[1]].key % 4 + 1],
        [done.id, items[2], None],
        [done.id, items[3], None],
    ]
    with pytest.raises(AccessDenied):
        store.analytics.exam_data(tia, cohort.id)
