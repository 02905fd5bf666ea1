"""Patterns over time, computed from decisions (not attempt totals), with pandas.

Inputs are the frames ``records`` returns:

* attempts: ``attempt_id, scenario_id, title, mode, status, started_at, finished_at, score``
* hits (one row per criterion of each decision): ``attempt_id, decision_id, scenario_id, decided_at, criterion_id``

Every function returns a plain data frame that a chart draws and a page can also show as a table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd

from scenarios import Rubric, Scenario

ATTEMPT_COLUMNS = ["attempt_id", "scenario_id", "title", "mode", "status", "started_at", "finished_at", "score"]
HIT_COLUMNS = ["attempt_id", "decision_id", "scenario_id", "decided_at", "criterion_id"]


def rubric_frame(rubric: Rubric) -> pd.DataFrame:
    domain_titles = {d.id: d.title for d in rubric.domains}
    return pd.DataFrame(
        [
            {
                "criterion_id": c.id,
                "kind": c.kind,
                "title": c.title,
                "domain": c.domain,
                "domain_title": domain_titles[c.domain],
            }
            for c in rubric.criteria
        ]
    )


def _with_rubric(hits: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    frame = hits.merge(rubric_frame(rubric), on="criterion_id", how="inner")
    frame["decided_at"] = pd.to_datetime(frame["decided_at"], utc=True)
    return frame


def week_start(moments: pd.Series) -> pd.Series:
    """The Monday (UTC date) of each moment's week."""
    stamps = pd.to_datetime(moments, utc=True)
    days = stamps.dt.tz_localize(None).dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def score_over_time(attempts: pd.DataFrame) -> pd.DataFrame:
    """Finished attempts in order: when, which scenario, the score (0-100)."""
    done = attempts[attempts["status"] == "finished"].copy()
    done = done.dropna(subset=["finished_at", "score"])
    done["finished_at"] = pd.to_datetime(done["finished_at"], utc=True)
    done = done.sort_values(["finished_at", "attempt_id"])
    out = done[["attempt_id", "finished_at", "scenario_id", "title", "mode", "score"]].reset_index(drop=True)
    out["score"] = out["score"].astype(int)
    return out


BY_SCENARIO_COLUMNS = ["scenario", "tries", "first try", "latest", "best", "change"]


def by_scenario(scores: pd.DataFrame) -> pd.DataFrame:
    """Per scenario finished (score_over_time's rows): how many tries, the first and latest score, the best, and the
    change from the first try to the latest in words ("up 22 points", "the same", "one try so far"). Scenarios
    most recently finished first, so the one just played leads."""
    if scores.empty:
        return pd.DataFrame(columns=BY_SCENARIO_COLUMNS)
    rows = []
    for _scenario_id, tries in scores.groupby("scenario_id", sort=False):
        ordered = tries.sort_values(["finished_at", "attempt_id"])
        first, latest = int(ordered["score"].iloc[0]), int(ordered["score"].iloc[-1])
        change = latest - first
        if len(ordered) == 1:
            words = "one try so far"
        elif change > 0:
            words = f"up {change} points"
        elif change < 0:
            words = f"down {-change} points"
        else:
            words = "the same"
        rows.append(
            (
                ordered["finished_at"].iloc[-1],
                str(ordered["title"].iloc[-1]),
                len(ordered),
                first,
                latest,
                int(ordered["score"].max()),
                words,
            )
        )
    rows.sort(key=lambda row: row[0], reverse=True)
    return pd.DataFrame([(t, n, f"{a}%", f"{b}%", f"{m}%", w) for _, t, n, a, b, m, w in rows], columns=BY_SCENARIO_COLUMNS)


def daily_hits(hits: pd.DataFrame) -> pd.DataFrame:
    """Criteria hit (one row per decision and criterion, HIT_COLUMNS) as counts per criterion and UTC day: the shape
    records.analytics gives for a whole class (``criterion_id``, ``day``, ``hits``)."""
    if hits.empty:
        return pd.DataFrame(columns=["criterion_id", "day", "hits"])
    days = pd.to_datetime(hits["decided_at"], utc=True).dt.tz_localize(None).dt.normalize()
    counted = hits.assign(day=days).groupby(["criterion_id", "day"]).size().rename("hits").reset_index()
    return counted


def pitfalls_by_week(hits: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Pitfall titles (rows, most frequent first) by week start (columns, Mondays): how often each pitfall came up.
    Every week from the first practice to the last is a column, weeks with no pitfall included (0): a trainee who
    stopped falling into a pitfall sees the zeros, which is the progress.

    ``hits``: one trainee's (HIT_COLUMNS, records.practice) or a class's counts per criterion and day
    (``criterion_id``, ``day``, ``hits``: records.analytics); both are counted by the same rule."""
    if "hits" not in hits.columns:
        hits = daily_hits(hits)
    titles = {c.id: c.title for c in rubric.criteria if c.kind == "pitfall"}
    frame = hits[hits["criterion_id"].isin(list(titles))]
    if frame.empty:
        return pd.DataFrame()
    every = week_start(pd.Series(pd.to_datetime(hits["day"]), index=hits.index))
    weeks = pd.date_range(every.min(), every.max(), freq="7D")
    frame = frame.assign(
        title=frame["criterion_id"].map(titles), week=week_start(pd.Series(pd.to_datetime(frame["day"]), index=frame.index))
    )
    table = frame.pivot_table(index="title", columns="week", values="hits", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=weeks, fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    table.columns = [pd.Timestamp(c).date() for c in table.columns]
    table.index.name = "pitfall"
    return table.astype(int)


def balance_by_week(hits: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per week: how many possibilities were shown and how many pitfalls were hit."""
    frame = _with_rubric(hits, rubric)
    if frame.empty:
        return pd.DataFrame(columns=["week", "possibilities", "pitfalls"])
    frame = frame.assign(week=week_start(frame["decided_at"]))
    counts = frame.groupby(["week", "kind"]).size().unstack(fill_value=0)
    for kind in ("possibility", "pitfall"):
        if kind not in counts.columns:
            counts[kind] = 0
    out = counts.rename(columns={"possibility": "possibilities", "pitfall": "pitfalls"})[["possibilities", "pitfalls"]]
    out = out.reset_index()
    out["week"] = out["week"].dt.date
    out.columns.name = None
    return out


def domain_profile(hits: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Per domain, the share of criteria hit that were possibilities, in earlier versus recent attempts.

    Attempts are split in half by when they started (the later half, rounded up, is "recent"); with one
    attempt there is only "recent". A share of 100% means only possibilities; ``count`` says what it rests on.
    """
    frame = _with_rubric(hits, rubric)
    columns = ["domain", "domain_title", "period", "possibilities", "pitfalls", "count", "share"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    first_moment = frame.groupby("attempt_id")["decided_at"].min().sort_values(kind="stable")
    order = list(first_moment.index)
    earlier = set(order[: len(order) // 2])
    frame = frame.assign(period=["Earlier" if a in earlier else "Recent" for a in frame["attempt_id"]])
    grouped = frame.groupby(["domain", "domain_title", "period", "kind"]).size().unstack(fill_value=0)
    for kind in ("possibility", "pitfall"):
        if kind not in grouped.columns:
            grouped[kind] = 0
    grouped = grouped.rename(columns={"possibility": "possibilities", "pitfall": "pitfalls"}).reset_index()
    grouped["count"] = grouped["possibilities"] + grouped["pitfalls"]
    grouped["share"] = (100 * grouped["possibilities"] / grouped["count"]).round(0).astype(int)
    domain_order = {d.id: i for i, d in enumerate(rubric.domains)}
    grouped = grouped.sort_values(
        ["domain", "period"], key=lambda s: s.map(domain_order) if s.name == "domain" else s, kind="stable"
    )
    grouped.columns.name = None
    return grouped[columns].reset_index(drop=True)


def criterion_index(scenarios: Iterable[Scenario]) -> dict[str, list[str]]:
    """For each criterion, the ids of the scenarios that have a choice exercising it."""
    index: dict[str, set[str]] = {}
    for scenario in scenarios:
        for node in scenario.nodes.values():
            for choice in node.choices:
                for criterion in choice.criteria:
                    index.setdefault(criterion, set()).add(scenario.id)
    return {criterion: sorted(ids) for criterion, ids in sorted(index.items())}


def top_pitfalls(hits: pd.DataFrame, rubric: Rubric, index: dict[str, list[str]], limit: int = 5) -> pd.DataFrame:
    """The pitfalls hit most often (ties: most recent first), with scenarios that practice them."""
    frame = _with_rubric(hits, rubric)
    frame = frame[frame["kind"] == "pitfall"]
    columns = ["criterion_id", "title", "domain_title", "times", "last_seen", "practice"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    grouped = (
        frame.groupby(["criterion_id", "title", "domain_title"])
        .agg(times=("decision_id", "count"), last_seen=("decided_at", "max"))
        .reset_index()
        .sort_values(["times", "last_seen", "criterion_id"], ascending=[False, False, True], kind="stable")
        .head(limit)
    )
    grouped["practice"] = [index.get(c, []) for c in grouped["criterion_id"]]
    return grouped[columns].reset_index(drop=True)


def progress_sentence(attempts: Sequence[tuple[str, int]], name: str | None = None) -> str:
    """Plain sentences about finished conversations, given as (scenario title, score) in the order they finished: to
    the trainee themselves (``name`` None: Progress) or about them by name (an instructor's drill-down).

    Scores are compared only where they compare: the latest attempt with the first try of the same scenario, and
    (from four attempts on) the average of the last three with the average of those before. Two different
    scenarios are never set against each other as if one were a retry of the other."""
    you = name is None
    who, has = ("You", "have") if you else (name, "has")
    if not attempts:
        made = "your choices so far are" if you else "the choices they made so far are"
        return f"{who} {has} not finished a conversation yet; {made} counted below."
    if len(attempts) == 1:
        return f"{who} {has} finished one conversation, with a score of {attempts[0][1]}%."
    sentences = [f"{who} {has} finished {len(attempts)} conversations."]
    title, latest = attempts[-1]
    earlier = [score for t, score in attempts[:-1] if t == title]
    your = "your" if you else "their"
    if earlier:
        first = earlier[0]
        change = latest - first
        if change > 0:
            trend = f"up {change} points on {your} first try ({first}%)"
        elif change < 0:
            trend = f"down {-change} points on {your} first try ({first}%)"
        else:
            trend = f"the same as {your} first try"
        sentences.append(f"On “{title}”, {your} latest score is {latest}%, {trend}.")
    else:
        sentences.append(f"{your.capitalize()} latest, on “{title}”, scored {latest}%: a first try of that scenario.")
    if len(attempts) >= 4:
        recent = [score for _, score in attempts[-3:]]
        before = [score for _, score in attempts[:-3]]
        recent_mean, before_mean = (math.floor(sum(part) / len(part) + 0.5) for part in (recent, before))  # halves up
        sentences.append(f"{your.capitalize()} last three average {recent_mean}%, against {before_mean}% before them.")
    return " ".join(sentences)
