"""A class's figures for the cohort dashboard: completion tables, pitfalls per week, the domain profile, and
item analysis of each decision point. Pure: takes the small frames records/analytics.py returns.

Item analysis, as test-analysis tools do it for quiz questions, adapted to branching scenarios and retries:

* Only **first attempts** measure what a trainee knew before the scenario's feedback taught them: a trainee's
  first attempt of a scenario is the earliest they made a decision in, and at each decision point their first
  visit counts. Counts on *all* attempts are shown beside them.
* Not everyone reaches every decision point (paths branch), so each point is judged on the trainees who
  **reached** it in their first attempt.
* **Facility**: the share of those trainees who chose a strongest choice there (its author's quality label,
  scoring version 2; when several choices are labeled strongest, each of them counts).
* **Discrimination**: facility in the upper group minus facility in the lower group. Among the trainees who
  reached the point and have an overall score (the mean score of their finished attempts, any scenario), rank
  them by overall score, highest first, ties broken by the lower user id first; the upper group is the first
  ``k`` and the lower group the last ``k``, with ``k = max(1, round(0.27 n))`` rounded half up (the classic 27%
  groups). It runs from -1 to 1: positive when trainees who do well overall choose the strongest choice here
  more often than those who struggle.
* **Flags**: ``possible miskey`` when a choice the upper group picked most (any choice tied for most) is a
  pitfall choice (it names a pitfall and is not a strongest choice) and at least 2 of them picked it;
  ``confusing`` when discrimination is below 0; ``very easy`` when facility is at least 90%; ``hard`` when it
  is below 30%. When fewer than 5 trainees reached the point it gets ``too few answers`` and no other flag.
* **Versions**: attempts may have been played on older versions of a scenario. Labels, and which choice is
  strongest, come from the newest version the cohort played; a choice missing from it is labeled by its id and
  is never counted as strongest.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from scenarios import Rubric, Scenario
from scenarios.quality import node_qualities

MIN_REACHED = 5
GROUP_PERCENT = 27

FLAG_ADVICE = {
    "possible miskey": (
        "Trainees who do well overall mostly chose a response the rubric calls a pitfall. Read that response "
        "again: it may be stronger than its criteria say, or the strongest response may be worded so that it "
        "sounds wrong. Check its criteria and rationale in the scenario studio."
    ),
    "confusing": (
        "Trainees who struggle overall chose the strongest response more often than those who do well. The "
        "wording of the peer's line or of the responses may be ambiguous. Talk it through with the class, and "
        "consider rewording."
    ),
    "very easy": (
        "Nearly everyone chose the strongest response the first time. Fine for a warm-up; for practice that "
        "stretches people, make the other responses more tempting."
    ),
    "hard": (
        "Fewer than 3 in 10 chose the strongest response the first time. Worth discussing in class: what made the "
        "other responses appealing?"
    ),
    "too few answers": "Fewer than 5 trainees reached this point in a first attempt, so its figures say little yet.",
}
FLAG_ORDER = ("possible miskey", "confusing", "very easy", "hard", "too few answers")

KIND_LABELS = {
    "strongest": "Strongest",
    "helpful": "Helpful",
    "mixed": "Mixed (helpful in part, with a pitfall)",
    "pitfall": "Pitfall",
    "unknown": "Not in this version",
}

NODE_COLUMNS = [
    "node_id",
    "peer",
    "reached",
    "strongest_chosen",
    "facility",
    "group_size",
    "upper_facility",
    "lower_facility",
    "discrimination",
    "all_attempts",
    "flags",
]
CHOICE_COLUMNS = [
    "node_id",
    "choice_id",
    "label",
    "kind",
    "points",
    "strongest",
    "first_attempts",
    "first_share",
    "all_attempts",
    "all_share",
    "upper",
    "lower",
]


@dataclass(frozen=True)
class ItemAnalysis:
    """``nodes``: one row per decision point (NODE_COLUMNS; facility and discrimination as fractions, None when
    no one reached it); ``choices``: one row per choice (CHOICE_COLUMNS; shares in percent of the point's
    first-attempt trainees and of all its decisions)."""

    nodes: pd.DataFrame
    choices: pd.DataFrame

    def choices_at(self, node_id: str) -> pd.DataFrame:
        return self.choices[self.choices["node_id"] == node_id].reset_index(drop=True)


def group_size(n: int) -> int:
    """k = max(1, round(0.27 n)), rounded half up, in whole numbers so that no float decides a boundary."""
    return max(1, (GROUP_PERCENT * n + 50) // 100)


def _kind(scenario: Scenario, rubric: Rubric, node_id: str, choice_id: str) -> tuple[str, int | None]:
    """A choice's quality (scoring version 2: strongest, helpful, mixed, pitfall) and its version 1 points."""
    node = scenario.nodes.get(node_id)
    if node is None:
        return "unknown", None
    for choice, quality in zip(node.choices, node_qualities(node, rubric), strict=True):
        if choice.id == choice_id:
            return quality, rubric.points(choice.criteria)
    return "unknown", None


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def item_analysis(
    scenario: Scenario,
    rubric: Rubric,
    counts: pd.DataFrame,
    first_choices: pd.DataFrame,
    scores: pd.DataFrame,
) -> ItemAnalysis:
    """Item analysis of one scenario for one cohort (see the module docstring for every definition).

    ``scenario`` is the newest version the cohort played; ``counts`` (node_id, choice_id, first_attempts,
    all_attempts), ``first_choices`` (user_id, node_id, choice_id) and ``scores`` (user_id, score) come from
    records/analytics.py."""
    score_of = {int(u): float(s) for u, s in zip(scores["user_id"], scores["score"], strict=True)}
    firsts: dict[str, list[tuple[int, str]]] = {}
    for user_id, node_id, choice_id in zip(
        first_choices["user_id"], first_choices["node_id"], first_choices["choice_id"], strict=True
    ):
        firsts.setdefault(str(node_id), []).append((int(user_id), str(choice_id)))
    all_counts = {
        (str(n), str(c)): int(t) for n, c, t in zip(counts["node_id"], counts["choice_id"], counts["all_attempts"], strict=True)
    }
    seen_nodes = {n for n, _ in all_counts} | set(firsts)
    node_order = [n for n in scenario.nodes if n in seen_nodes] + sorted(seen_nodes - set(scenario.nodes))

    node_rows = []
    choice_rows = []
    for node_id in node_order:
        node = scenario.nodes.get(node_id)
        known = [c.id for c in node.choices] if node is not None else []
        chosen = firsts.get(node_id, [])
        first_by_choice = Counter(c for _, c in chosen)
        every = [c for (n, c) in all_counts if n == node_id]
        order = known + sorted((set(first_by_choice) | set(every)) - set(known))
        kinds = {c: _kind(scenario, rubric, node_id, c) for c in order}
        strongest = {c for c, (kind, _) in kinds.items() if kind == "strongest"}

        reached = len(chosen)
        hits = sum(1 for _, c in chosen if c in strongest)
        judged = reached > 0 and node is not None  # a point missing from the newest version has no strongest choice
        facility = Fraction(hits, reached) if judged else None
        ranked = sorted(((-score_of[u], u, c) for u, c in chosen if u in score_of)) if judged else []
        k = group_size(len(ranked)) if ranked else 0
        upper = [c for _, _, c in ranked[:k]]
        lower = [c for _, _, c in ranked[-k:]] if k else []
        upper_facility = Fraction(sum(c in strongest for c in upper), k) if k else None
        lower_facility = Fraction(sum(c in strongest for c in lower), k) if k else None
        discrimination = upper_facility - lower_facility if upper_facility is not None and lower_facility is not None else None

        flags: list[str] = []
        if reached < MIN_REACHED:
            flags.append("too few answers")
        elif judged:
            upper_counts = Counter(upper)
            most = max(upper_counts.values(), default=0)
            if most >= 2 and any(kinds[c][0] in ("pitfall", "mixed") for c, times in upper_counts.items() if times == most):
                flags.append("possible miskey")
            if discrimination is not None and discrimination < 0:
                flags.append("confusing")
            assert facility is not None
            if facility >= Fraction(9, 10):
                flags.append("very easy")
            if facility < Fraction(3, 10):
                flags.append("hard")
        flags.sort(key=FLAG_ORDER.index)

        total_all = sum(all_counts.get((node_id, c), 0) for c in order)
        node_rows.append(
            (
                node_id,
                node.peer if node is not None else "",
                reached,
                hits,
                None if facility is None else float(facility),
                k,
                None if upper_facility is None else float(upper_facility),
                None if lower_facility is None else float(lower_facility),
                None if discrimination is None else float(discrimination),
                total_all,
                flags,
            )
        )
        upper_counts = Counter(upper)
        lower_counts = Counter(lower)
        for choice_id in order:
            kind, points = kinds[choice_id]
            label = scenario.choice(node_id, choice_id).say if kind != "unknown" else choice_id
            first = first_by_choice.get(choice_id, 0)
            every_count = all_counts.get((node_id, choice_id), 0)
            choice_rows.append(
                (
                    node_id,
                    choice_id,
                    label,
                    kind,
                    points,
                    choice_id in strongest,
                    first,
                    _share(first, reached),
                    every_count,
                    _share(every_count, total_all),
                    upper_counts.get(choice_id, 0),
                    lower_counts.get(choice_id, 0),
                )
            )
    return ItemAnalysis(pd.DataFrame(node_rows, columns=NODE_COLUMNS), pd.DataFrame(choice_rows, columns=CHOICE_COLUMNS))


def whole(value: float) -> int:
    """A mean score as a whole number, halves rounded up (58.5 -> 59), as people round."""
    return math.floor(value + 0.5)


def percent(value: float | None) -> str:
    """A fraction as a whole percentage for tables and captions; "–" when there is none."""
    return "–" if value is None or pd.isna(value) else f"{round(100 * value)}%"


def signed(value: float | None) -> str:
    """Discrimination for people: +0.50, -0.25, 0.00; "–" when there is none."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:+.2f}" if value else "0.00"


def node_table(analysis: ItemAnalysis) -> pd.DataFrame:
    """The decision points as a readable table (a text alternative to the choice charts)."""
    nodes = analysis.nodes
    return pd.DataFrame(
        {
            "decision point": nodes["node_id"],
            "reached (first attempts)": nodes["reached"],
            "facility": [percent(v) for v in nodes["facility"]],
            "discrimination": [signed(v) for v in nodes["discrimination"]],
            "upper / lower group": [f"{k} / {k}" if k else "–" for k in nodes["group_size"]],
            "all attempts": nodes["all_attempts"],
            "flags": ["; ".join(f) if f else "none" for f in nodes["flags"]],
        }
    )


def choice_table(choices: pd.DataFrame) -> pd.DataFrame:
    """One decision point's choices as a readable table: the same numbers as its chart."""
    return pd.DataFrame(
        {
            "response": choices["label"],
            "kind": [KIND_LABELS[k] for k in choices["kind"]],
            "first attempts": [
                f"{n} ({'–' if s is None or pd.isna(s) else f'{s:g}%'})"
                for n, s in zip(choices["first_attempts"], choices["first_share"], strict=True)
            ],
            "all attempts": [
                f"{n} ({'–' if s is None or pd.isna(s) else f'{s:g}%'})"
                for n, s in zip(choices["all_attempts"], choices["all_share"], strict=True)
            ],
            "upper group": choices["upper"],
            "lower group": choices["lower"],
        }
    )


# ------------------------------------------------------------------------------------ class-wide figures
def class_domain_profile(hits: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per curriculum domain (rubric order): possibilities shown and pitfalls hit by the class, and the share of
    possibilities among them (``share``, whole percent; ``count`` says what it rests on). Domains the class never
    touched are left out."""
    columns = ["domain", "domain_title", "possibilities", "pitfalls", "count", "share"]
    kinds = {c.id: (c.domain, c.kind) for c in rubric.criteria}
    tally: dict[str, list[int]] = {}
    for criterion_id, times in zip(hits["criterion_id"], hits["hits"], strict=True):
        if criterion_id not in kinds:
            continue
        domain_id, kind = kinds[criterion_id]
        tally.setdefault(domain_id, [0, 0])[0 if kind == "possibility" else 1] += int(times)
    rows = []
    for domain in rubric.domains:
        if domain.id in tally:
            possibilities, pitfalls = tally[domain.id]
            count = possibilities + pitfalls
            rows.append((domain.id, domain.title, possibilities, pitfalls, count, round(100 * possibilities / count)))
    return pd.DataFrame(rows, columns=columns)


@dataclass(frozen=True)
class Headline:
    members: int
    active: int  # members who have started at least one attempt
    started: int
    finished: int
    mean_score: float | None  # mean over every finished attempt of the class

    def sentence(self) -> str:
        if not self.members:
            return "No one has joined this cohort yet."
        if not self.started:
            return (
                f"{self.members} trainee{'s' if self.members != 1 else ''} in this cohort; no one has started a conversation yet."
            )
        mean = f", with a mean score of {whole(self.mean_score)}%" if self.mean_score is not None else ""
        return (
            f"{self.active} of {self.members} trainee{'s' if self.members != 1 else ''} "
            f"{'has' if self.active == 1 else 'have'} practiced: {self.started} conversation"
            f"{'s' if self.started != 1 else ''} started, {self.finished} finished{mean}."
        )


def headline(trainees: pd.DataFrame) -> Headline:
    """The cohort in numbers, from the per-trainee frame (records/analytics.py)."""
    finished = int(trainees["finished"].sum()) if not trainees.empty else 0
    scored = trainees[trainees["finished"] > 0]
    total = float((scored["mean_score"] * scored["finished"]).sum()) if not scored.empty else 0.0
    return Headline(
        members=len(trainees),
        active=int((trainees["started"] > 0).sum()) if not trainees.empty else 0,
        started=int(trainees["started"].sum()) if not trainees.empty else 0,
        finished=finished,
        mean_score=total / finished if finished else None,
    )


def _score_text(value: float | None) -> str:
    return "–" if value is None or pd.isna(value) else f"{whole(float(value))}%"


def trainee_table(trainees: pd.DataFrame) -> pd.DataFrame:
    """Completion and scores per trainee, for people to read."""
    return pd.DataFrame(
        {
            "trainee": trainees["name"],
            "started": trainees["started"].astype(int),
            "finished": trainees["finished"].astype(int),
            "mean score": [_score_text(v) for v in trainees["mean_score"]],
            "best score": [_score_text(v) for v in trainees["best_score"]],
            "last active": ["not yet" if v is None or pd.isna(v) else f"{v:%d %b %Y}" for v in trainees["last_active"]],
        }
    )


def scenario_table(scenarios: pd.DataFrame, titles: dict[str, str], members: int) -> pd.DataFrame:
    """Completion and scores per scenario, most tried first; ``titles`` by scenario id (the id when missing)."""
    ordered = scenarios.assign(title=[titles.get(s, s) for s in scenarios["scenario_id"]]).sort_values(
        ["tried", "title"], ascending=[False, True], kind="stable"
    )
    return pd.DataFrame(
        {
            "scenario": ordered["title"],
            "tried": [f"{n} of {members}" for n in ordered["tried"]],
            "finished": [f"{n} of {members}" for n in ordered["finished"]],
            "mean score": [_score_text(v) for v in ordered["mean_score"]],
        }
    ).reset_index(drop=True)


# ------------------------------------------------------------------------------ the label against first tries
LEVEL_NAMES = {1: "introductory", 2: "intermediate", 3: "advanced"}
LEVEL_BANDS = {
    1: (Fraction(60, 100), Fraction(1)),
    2: (Fraction(35, 100), Fraction(80, 100)),
    3: (Fraction(0), Fraction(65, 100)),
}
"""The share of first-try decisions that find a strongest response, as each difficulty label leads a class to
expect it: most of a class finds them in an introductory scenario, few find them all in an advanced one. Random
choice finds about a quarter (the library's audit). A starting point for an instructor's judgement, not a rule."""


@dataclass(frozen=True)
class LevelCheck:
    level: int
    found: Fraction | None  # the share of first-try decisions that chose a strongest response
    decisions: int  # first-try decisions judged
    trainees: int  # trainees who made one
    verdict: str  # "agrees", "harder", "easier" or "too few"

    def sentence(self) -> str:
        name = LEVEL_NAMES[self.level]
        low, high = LEVEL_BANDS[self.level]
        if self.verdict == "too few" or self.found is None:
            return (
                f"Labelled {name}. Whether the label fits this class shows once {MIN_REACHED} trainees have tried it "
                f"({self.trainees} so far)."
            )
        found = f"In their first tries, {self.trainees} trainees chose a strongest response at {percent(float(self.found))} of {self.decisions} decisions"
        expected = (
            f"at least {percent(float(low))}"
            if high == 1
            else (f"at most {percent(float(high))}" if low == 0 else f"{percent(float(low))} to {percent(float(high))}")
        )
        verdicts = {
            "agrees": f"about what an {name} scenario should be ({expected}).",
            "harder": f"harder for this class than its {name} label says ({expected} expected). Check it before assigning it to beginners, or prepare them for it.",
            "easier": f"easier for this class than its {name} label says ({expected} expected). It may suit earlier practice.",
        }
        return f"Labelled {name}. {found}: {verdicts[self.verdict]}"


def level_check(level: int, analysis: ItemAnalysis) -> LevelCheck:
    """How a class's first tries of a scenario compare with its difficulty label (LEVEL_BANDS)."""
    nodes = analysis.nodes
    judged = nodes[nodes["facility"].notna()] if not nodes.empty else nodes
    decisions = int(judged["reached"].sum()) if not judged.empty else 0
    found_count = (
        sum(Fraction(f) * int(r) for f, r in zip(judged["facility"], judged["reached"], strict=True)) if decisions else 0
    )
    trainees = int(nodes["reached"].max()) if not nodes.empty else 0
    if trainees < MIN_REACHED or decisions == 0:
        return LevelCheck(level, None, decisions, trainees, "too few")
    found = Fraction(found_count) / decisions
    low, high = LEVEL_BANDS[level]
    verdict = "harder" if found < low else ("easier" if found > high else "agrees")
    return LevelCheck(level, found, decisions, trainees, verdict)
