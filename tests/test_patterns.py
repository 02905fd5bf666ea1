"""Pattern analytics on a hand-made history, with every figure worked out by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from scoring import charts, patterns

# Three attempts over two weeks. Mon 2 Nov 2026 and Mon 9 Nov 2026 start the two weeks.
HITS = pd.DataFrame(
    [
        # attempt 1 (week of 2 Nov): one mixed decision, one strong one
        (1, 11, "mini", "2026-11-03T10:00:00Z", "po.reflective-listening"),
        (1, 11, "mini", "2026-11-03T10:00:00Z", "pf.dictating"),
        (1, 12, "mini", "2026-11-03T10:01:00Z", "po.hand-the-pen"),
        # attempt 2 (week of 2 Nov, Sunday): two pitfalls
        (2, 21, "dana-apartment", "2026-11-08T20:00:00Z", "pf.ahead-of-readiness"),
        (2, 22, "dana-apartment", "2026-11-08T20:02:00Z", "pf.dictating"),
        # attempt 3 (week of 9 Nov): possibilities, one pitfall
        (3, 31, "mini", "2026-11-10T09:00:00Z", "po.reflective-listening"),
        (3, 32, "mini", "2026-11-10T09:01:00Z", "po.hand-the-pen"),
        (3, 32, "mini", "2026-11-10T09:01:00Z", "po.break-down-goals"),
        (3, 33, "mini", "2026-11-10T09:02:00Z", "pf.judging-goal"),
    ],
    columns=patterns.HIT_COLUMNS,
)
ATTEMPTS = pd.DataFrame(
    [
        (1, "mini", "A short check-in", "coached", "finished", "2026-11-03T09:59:00Z", "2026-11-03T10:01:00Z", 67),
        (2, "dana-apartment", "Someday", "debrief", "left", "2026-11-08T19:59:00Z", None, None),
        (3, "mini", "A short check-in", "debrief", "finished", "2026-11-10T08:59:00Z", "2026-11-10T09:02:00Z", 83),
    ],
    columns=patterns.ATTEMPT_COLUMNS,
)


def test_score_over_time_keeps_finished_attempts_in_order():
    scores = patterns.score_over_time(ATTEMPTS)
    assert scores["attempt_id"].tolist() == [1, 3]
    assert scores["score"].tolist() == [67, 83]


def test_pitfalls_by_week(rubric):
    table = patterns.pitfalls_by_week(HITS, rubric)
    assert list(table.columns) == [date(2026, 11, 2), date(2026, 11, 9)]
    assert table.to_dict("index") == {
        "Taking the reins": {date(2026, 11, 2): 2, date(2026, 11, 9): 0},
        "Getting ahead of the peer": {date(2026, 11, 2): 1, date(2026, 11, 9): 0},
        "Judging the goal": {date(2026, 11, 2): 0, date(2026, 11, 9): 1},
    }


def test_weeks_without_pitfalls_show_as_zeros(rubric):
    """A trainee who stopped falling into pitfalls sees it: every week from the first practice to the last is a
    column, the quiet ones with 0 (a week of only possibilities, and a week with no practice at all between)."""
    later = pd.DataFrame(
        [
            (4, 41, "mini", "2026-11-17T09:00:00Z", "po.reflective-listening"),  # week of 16 Nov: no pitfall
            (5, 51, "mini", "2026-12-01T09:00:00Z", "po.hand-the-pen"),  # week of 30 Nov (23 Nov: no practice)
        ],
        columns=patterns.HIT_COLUMNS,
    )
    table = patterns.pitfalls_by_week(pd.concat([HITS, later], ignore_index=True), rubric)
    weeks = [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert list(table.columns) == weeks
    assert table.loc["Taking the reins"].tolist() == [2, 0, 0, 0, 0]
    assert table.loc["Judging the goal"].tolist() == [0, 1, 0, 0, 0]
    heat = charts.pitfall_heatmap(table).data[0]
    assert len(heat.x) == 5  # the heatmap draws the quiet weeks too


def test_balance_by_week(rubric):
    balance = patterns.balance_by_week(HITS, rubric)
    assert balance.to_dict("records") == [
        {"week": date(2026, 11, 2), "possibilities": 2, "pitfalls": 3},
        {"week": date(2026, 11, 9), "possibilities": 3, "pitfalls": 1},
    ]


def test_domain_profile_splits_attempts_into_earlier_and_recent(rubric):
    profile = patterns.domain_profile(HITS, rubric)
    # Attempts 1 (earlier) and 2, 3 (recent: the later half, rounded up).
    assert profile[["domain", "period", "possibilities", "pitfalls", "share"]].to_dict("records") == [
        {"domain": "readiness", "period": "Recent", "possibilities": 0, "pitfalls": 1, "share": 0},
        {"domain": "self-determination", "period": "Earlier", "possibilities": 1, "pitfalls": 1, "share": 50},
        {"domain": "self-determination", "period": "Recent", "possibilities": 1, "pitfalls": 2, "share": 33},
        {"domain": "goals", "period": "Recent", "possibilities": 1, "pitfalls": 0, "share": 100},
        {"domain": "relationship", "period": "Earlier", "possibilities": 1, "pitfalls": 0, "share": 100},
        {"domain": "relationship", "period": "Recent", "possibilities": 1, "pitfalls": 0, "share": 100},
    ]


def test_top_pitfalls_with_scenarios_to_practise(rubric):
    index = {"pf.dictating": ["dana-apartment", "mini"], "pf.judging-goal": ["mini"]}
    top = patterns.top_pitfalls(HITS, rubric, index, limit=2)
    assert top[["criterion_id", "times", "practice"]].to_dict("records") == [
        {"criterion_id": "pf.dictating", "times": 2, "practice": ["dana-apartment", "mini"]},
        {"criterion_id": "pf.judging-goal", "times": 1, "practice": ["mini"]},
    ]


def test_criterion_index_lists_scenarios_per_criterion(mini):
    index = patterns.criterion_index([mini.scenario])
    assert index["pf.dictating"] == ["mini"]
    assert "po.self-care" not in index


@pytest.mark.parametrize("empty", [pd.DataFrame(columns=patterns.HIT_COLUMNS)])
def test_empty_history_gives_empty_frames(rubric, empty):
    assert patterns.pitfalls_by_week(empty, rubric).empty
    assert patterns.balance_by_week(empty, rubric).empty
    assert patterns.domain_profile(empty, rubric).empty
    assert patterns.top_pitfalls(empty, rubric, {}).empty


def test_charts_carry_the_same_numbers_and_never_rely_on_colour_alone(rubric):
    balance = charts.balance_chart(patterns.balance_by_week(HITS, rubric))
    possibilities, pitfalls = balance.data
    assert list(possibilities.x) == ["Week of 02 Nov", "Week of 09 Nov"]
    assert (possibilities.name, list(possibilities.y)) == ("Possibilities shown", [2, 3])
    assert (pitfalls.name, list(pitfalls.y)) == ("Pitfalls hit", [3, 1])
    assert possibilities.marker.symbol != pitfalls.marker.symbol
    assert possibilities.line.dash != pitfalls.line.dash

    heat = charts.pitfall_heatmap(patterns.pitfalls_by_week(HITS, rubric)).data[0]
    assert heat.texttemplate == "%{text}"  # counts are written in the cells
    assert list(heat.x) == ["Week of 02 Nov", "Week of 09 Nov"]

    domains = charts.domain_chart(patterns.domain_profile(HITS, rubric))
    assert [t.name for t in domains.data] == ["Earlier attempts", "Recent attempts"]
    assert domains.data[0].marker.pattern.shape == "/"
    assert list(domains.data[1].text) == ["0% of 1", "33% of 3", "100% of 1", "100% of 1"]

    scores = charts.score_chart(patterns.score_over_time(ATTEMPTS)).data
    assert [t.name for t in scores] == ["A short check-in"]  # one line per scenario: both attempts are of mini
    assert (list(scores[0].x), list(scores[0].y), list(scores[0].text)) == ([1, 2], [67, 83], ["67%", "83%"])
    assert list(scores[0].customdata) == ["A short check-in (coached) · 03 Nov 2026", "A short check-in (debrief) · 10 Nov 2026"]


def test_the_score_chart_joins_only_attempts_of_the_same_scenario():
    scores = pd.DataFrame(
        {
            "title": ["A short check-in", "Someday", "A short check-in"],
            "mode": ["coached", "coached", "debrief"],
            "score": [100, 0, 44],
            "finished_at": pd.to_datetime(["2026-11-03", "2026-11-04", "2026-11-05"], utc=True),
        }
    )
    fig = charts.score_chart(scores)
    assert [(t.name, list(t.x), list(t.y)) for t in fig.data] == [
        ("A short check-in", [1, 3], [100, 44]),
        ("Someday", [2], [0]),
    ]
    assert fig.data[0].marker.symbol != fig.data[1].marker.symbol  # not by colour alone
    assert fig.layout.legend.orientation == "h" and fig.layout.showlegend


def test_text_people_typed_is_inert_in_chart_labels():
    """Plotly renders <a href>, <b> and <br> in labels and hovers: a scenario title or a response from the studio
    must show as the characters typed, never as a link."""
    import pandas as pd

    from scoring.charts import choice_chart, score_chart

    title = '<a href="http://127.0.0.2:9/">Rosa & me</a>'
    scores = pd.DataFrame(
        {"title": [title], "mode": ["coached"], "score": [80], "finished_at": [pd.Timestamp("2026-12-01", tz="UTC")]}
    )
    spec = score_chart(scores).to_plotly_json()
    assert spec["data"][0]["customdata"] == [
        '&lt;a href="http://127.0.0.2:9/"&gt;Rosa &amp; me&lt;/a&gt; (coached) · 01 Dec 2026'
    ]
    assert spec["data"][0]["name"] == '&lt;a href="http://127.0.0.2:9/"&gt;Rosa…'  # the legend: shortened, inert
    choices = pd.DataFrame(
        {
            "kind": ["pitfall"],
            "label": [title],
            "first_attempts": [1],
            "first_share": [100.0],
            "all_attempts": [1],
            "all_share": [100.0],
        }
    )
    labels = choice_chart(choices, "A point").to_plotly_json()["data"][0]["y"]
    assert list(labels) == ['Pitfall: &lt;a href="http://127.0.0.2:9/"&gt;Rosa &amp; me&lt;/a&gt;']


A, B = "A short check-in", "Someday"


@pytest.mark.parametrize(
    ("scores", "yours", "theirs"),
    [
        (
            [],
            "You have not finished a conversation yet; your choices so far are counted below.",
            "Eve has not finished a conversation yet; the choices they made so far are counted below.",
        ),
        (
            [(A, 40)],
            "You have finished one conversation, with a score of 40%.",
            "Eve has finished one conversation, with a score of 40%.",
        ),
        (
            [(A, 33), (A, 67)],
            "You have finished 2 conversations. On “A short check-in”, your latest score is 67%, up 34 points on your "
            "first try (33%).",
            "Eve has finished 2 conversations. On “A short check-in”, their latest score is 67%, up 34 points on their "
            "first try (33%).",
        ),
        (  # two different scenarios are never compared as if one were a retry
            [(A, 100), (B, 0)],
            "You have finished 2 conversations. Your latest, on “Someday”, scored 0%: a first try of that scenario.",
            "Eve has finished 2 conversations. Their latest, on “Someday”, scored 0%: a first try of that scenario.",
        ),
        (
            [(A, 80), (B, 50), (A, 80)],
            "You have finished 3 conversations. On “A short check-in”, your latest score is 80%, the same as your first try.",
            "Eve has finished 3 conversations. On “A short check-in”, their latest score is 80%, the same as their first try.",
        ),
        (  # from four on, the last three against the rest: (44 + 67 + 100) / 3 = 70 against (0 + 33) / 2 = 17
            [(A, 0), (B, 33), (B, 44), (A, 67), (A, 100)],
            "You have finished 5 conversations. On “A short check-in”, your latest score is 100%, up 100 points on your "
            "first try (0%). Your last three average 70%, against 17% before them.",
            "Eve has finished 5 conversations. On “A short check-in”, their latest score is 100%, up 100 points on "
            "their first try (0%). Their last three average 70%, against 17% before them.",
        ),
        (
            [(A, 90), (A, 70)],
            "You have finished 2 conversations. On “A short check-in”, your latest score is 70%, down 20 points on "
            "your first try (90%).",
            "Eve has finished 2 conversations. On “A short check-in”, their latest score is 70%, down 20 points on "
            "their first try (90%).",
        ),
    ],
)
def test_one_progress_sentence_to_the_trainee_or_about_them(scores, yours, theirs):
    assert patterns.progress_sentence(scores) == yours
    assert patterns.progress_sentence(scores, "Eve") == theirs


def test_a_trainees_hits_and_a_class_tally_give_the_same_pitfall_weeks(rubric):
    assert patterns.pitfalls_by_week(patterns.daily_hits(HITS), rubric).equals(patterns.pitfalls_by_week(HITS, rubric))
