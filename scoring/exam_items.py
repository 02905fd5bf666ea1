"""Item analysis of mock-exam questions for a cohort, and KR-20 reliability of its forms. Pure: takes the small
frames records/analytics.py returns and the question bank.

* **Seen**: the cohort's finished mock exams whose form held the question (each exam draws its own form).
* **Facility**: the share of those exams that answered it right (no answer counts as wrong, as in scoring).
* **Discrimination**: facility in the upper group minus facility in the lower group, where the exams that held the
  question are ranked by the exam's percent, highest first, ties to the earlier exam; the groups are the top and
  bottom ``k = max(1, round(0.27 n))`` (scoring.cohort.group_size), as for decision points.
* **Flags**, as for decision points (scoring.cohort.FLAG_ADVICE explains each): ``possible miskey`` when an
  option other than the key is the one the upper group chose most and at least 2 of them chose it;
  ``confusing`` when discrimination is below 0; ``very easy`` at 90% facility or more; ``hard`` below 30%;
  ``too few answers`` (and nothing else) when fewer than 5 exams held it.
* **KR-20** (Kuder-Richardson 20) estimates how consistently a form ranks trainees. Each mock exam draws its own
  form from the bank, so the classic formula is applied to forms of one length ``k``, with each question's
  facility ``p`` estimated over every exam of that length that held it:
  ``KR-20 = k / (k - 1) * (1 - mean over exams of sum(p q) / variance of the number right)`` (population
  variance). It needs at least :data:`MIN_FORMS` finished exams of the same length whose numbers right differ;
  otherwise the reason is given instead. Above about 0.7 is usually read as consistent enough for practice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from scenarios.questions import Question
from scoring.cohort import FLAG_ORDER, MIN_REACHED, group_size

MIN_FORMS = 10
"""Finished exams of one length needed before KR-20 is estimated."""

EXAM_FLAG_ADVICE = {
    "possible miskey": (
        "Exams that did well overall mostly chose an option other than the key. Read that option again: it may be "
        "as right as the key, or the key may be worded so that it sounds wrong. Check the item in the bank."
    ),
    "confusing": (
        "Exams that did less well answered it right more often than those that did well. The stem or the options "
        "may be ambiguous; consider rewording it."
    ),
    "very easy": "Nearly every exam answered it right. Fine for confidence; it tells you little about readiness.",
    "hard": (
        "Fewer than 3 in 10 exams answered it right. Worth teaching to, or checking that the key and the course material agree."
    ),
    "too few answers": "Fewer than 5 finished exams held this question, so its figures say little yet.",
}

ITEM_COLUMNS = ["question_id", "exam_domain", "seen", "right", "facility", "discrimination", "flags", "chosen"]


@dataclass(frozen=True)
class Reliability:
    kr20: float | None
    forms: int
    """Finished exams of the length used."""
    length: int | None
    """Questions per form (the most common length in the cohort)."""
    reason: str
    """Why there is no estimate (empty when there is one)."""

    def sentence(self) -> str:
        if self.kr20 is None:
            return self.reason
        return (
            f"KR-20 reliability of the class's {self.length}-question forms: {self.kr20:.2f} (from {self.forms} finished "
            "exams). Above about 0.70 is usually read as consistent enough for practice."
        )


@dataclass(frozen=True)
class ExamItems:
    """``items``: one row per question the cohort's exams held (ITEM_COLUMNS; ``chosen`` maps an option number,
    or 0 for no answer, to how many exams chose it); ``reliability``: KR-20 of the forms."""

    items: pd.DataFrame
    reliability: Reliability


def exam_item_analysis(bank: Mapping[str, Question], exams: pd.DataFrame, answers: pd.DataFrame) -> ExamItems:
    """``exams``: exam_id, percent (finished exams); ``answers``: exam_id, question_id, choice (one row per
    question on each form; choice None when unanswered). Questions no longer in the bank are left out."""
    percent_of = {int(e): int(p) for e, p in zip(exams["exam_id"], exams["percent"], strict=True)}
    held: dict[str, list[tuple[int, int]]] = {}  # question -> (exam, choice or 0)
    for exam_id, question_id, choice in zip(answers["exam_id"], answers["question_id"], answers["choice"], strict=True):
        if int(exam_id) in percent_of and question_id in bank:
            held.setdefault(str(question_id), []).append((int(exam_id), 0 if pd.isna(choice) else int(choice)))
    rows = []
    for question_id in sorted(held):
        question = bank[question_id]
        taken = held[question_id]
        seen = len(taken)
        right = sum(choice == question.key for _, choice in taken)
        facility = Fraction(right, seen)
        ranked = sorted(taken, key=lambda t: (-percent_of[t[0]], t[0]))
        k = group_size(seen)
        upper, lower = ranked[:k], ranked[-k:]
        discrimination = Fraction(sum(c == question.key for _, c in upper) - sum(c == question.key for _, c in lower), k)
        flags: list[str] = []
        if seen < MIN_REACHED:
            flags.append("too few answers")
        else:
            upper_counts = Counter(c for _, c in upper if c)
            most = max(upper_counts.values(), default=0)
            if most >= 2 and any(c != question.key for c, times in upper_counts.items() if times == most):
                flags.append("possible miskey")
            if discrimination < 0:
                flags.append("confusing")
            if facility >= Fraction(9, 10):
                flags.append("very easy")
            if facility < Fraction(3, 10):
                flags.append("hard")
        flags.sort(key=FLAG_ORDER.index)
        chosen = Counter(c for _, c in taken)
        rows.append(
            (
                question_id,
                question.exam_domain,
                seen,
                right,
                float(facility),
                float(discrimination),
                flags,
                {n: chosen.get(n, 0) for n in (1, 2, 3, 4, 0)},
            )
        )
    return ExamItems(pd.DataFrame(rows, columns=ITEM_COLUMNS), kr20(bank, exams, answers))


def kr20(bank: Mapping[str, Question], exams: pd.DataFrame, answers: pd.DataFrame) -> Reliability:
    """KR-20 over the cohort's finished exams of the most common form length (see the module docstring)."""
    forms: dict[int, list[tuple[str, bool]]] = {}
    finished = {int(e) for e in exams["exam_id"]}
    for exam_id, question_id, choice in zip(answers["exam_id"], answers["question_id"], answers["choice"], strict=True):
        if int(exam_id) in finished and question_id in bank:
            correct = not pd.isna(choice) and int(choice) == bank[str(question_id)].key
            forms.setdefault(int(exam_id), []).append((str(question_id), correct))
    if not forms:
        return Reliability(None, 0, None, "No finished mock exams yet: KR-20 reliability needs at least 10.")
    lengths = Counter(len(items) for items in forms.values())
    length, count = max(lengths.items(), key=lambda kv: (kv[1], kv[0]))
    if count < MIN_FORMS or length < 2:
        return Reliability(
            None,
            count,
            length,
            f"Not enough finished mock exams for KR-20 reliability yet: it needs at least {MIN_FORMS} of the same "
            f"length; the class has {count} of {length} questions.",
        )
    same = {e: items for e, items in forms.items() if len(items) == length}
    seen: Counter[str] = Counter()
    answered_right: Counter[str] = Counter()
    for items in same.values():
        for question_id, correct in items:
            seen[question_id] += 1
            answered_right[question_id] += correct
    p = {q: Fraction(answered_right[q], seen[q]) for q in seen}
    totals = [sum(correct for _, correct in items) for items in same.values()]
    mean = Fraction(sum(totals), len(totals))
    variance = sum((Fraction(t) - mean) ** 2 for t in totals) / len(totals)
    if variance == 0:
        return Reliability(
            None, count, length, "Every finished exam had the same number right, so KR-20 cannot be estimated yet."
        )
    spread = sum((sum(p[q] * (1 - p[q]) for q, _ in items) for items in same.values()), Fraction(0)) / len(same)
    value = Fraction(length, length - 1) * (1 - spread / variance)
    return Reliability(float(value), count, length, "")


def item_table(analysis: ExamItems, bank: Mapping[str, Question]) -> pd.DataFrame:
    """The questions as a readable table, flagged ones first."""
    items = analysis.items
    if items.empty:
        return pd.DataFrame(
            columns=["question", "exam domain", "seen", "facility", "discrimination", "flags", "answers (options 1-4, none)"]
        )
    order = sorted(
        range(len(items)), key=lambda i: (not items["flags"].iloc[i] or items["flags"].iloc[i] == ["too few answers"], i)
    )
    out = items.iloc[order]
    return pd.DataFrame(
        {
            "question": [f"{q}: {bank[q].stem[:70]}{'…' if len(bank[q].stem) > 70 else ''}" for q in out["question_id"]],
            "exam domain": out["exam_domain"],
            "seen": out["seen"],
            "facility": [f"{round(100 * v)}%" for v in out["facility"]],
            "discrimination": [f"{v:+.2f}" if v else "0.00" for v in out["discrimination"]],
            "flags": ["; ".join(f) if f else "none" for f in out["flags"]],
            "answers (options 1-4, none)": [" / ".join(str(c[n]) for n in (1, 2, 3, 4, 0)) for c in out["chosen"]],
        }
    )
