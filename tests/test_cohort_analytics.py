"""The cohort dashboard's figures: item analysis on a hand-computed class, the same class built through the real
Store and aggregated in SQL, who may read it (and the audit log), the CSV export, and the per-process tallies
staying right as the class keeps practicing.

THE CLASS (the 'mini' fixture: decision point ``open`` has reflect (strongest), plan (pitfall, ends the
conversation), mixed (helpful in part, with a pitfall); ``ready`` has pen (strongest), explore (pitfall), judge
(pitfall). Attempt scores (scoring version 2, tests/test_scorer.py): reflect+pen 100, mixed+pen 44, reflect+explore
33, reflect+judge 33, plan 0, mixed+judge 8.)

Eight trainees, user ids 1..8 in this order. First attempts in the week of Mon 1 Mar 2027, retries in the week
of Mon 8 Mar 2027:

    trainee  first attempt       retries                                   overall score (mean of finished)
    Ana 1    reflect, explore 33  reflect+pen 100, 100, 100                 (33+100+100+100)/4 = 83.25
    Ben 2    reflect, explore 33  reflect+pen 100                           (33+100)/2 = 66.5
    Cal 3    mixed, pen 44        reflect+pen 100; reflect+judge 33, 33     (44+100+33+33)/4 = 52.5
    Dee 4    reflect, pen 100     plan 0                                    (100+0)/2 = 50
    Eve 5    reflect, judge 33    mixed+pen 44                              (33+44)/2 = 38.5
    Fay 6    mixed, pen 44        mixed+judge 8                             (44+8)/2 = 26
    Gus 7    plan 0               -                                         0
    Hal 8    plan 0               reflect, then left (unfinished)           0

Ranked by overall score, highest first, ties by lower user id first: Ana, Ben, Cal, Dee, Eve, Fay, Gus, Hal
(Gus and Hal tie at 0: Gus first).

``open`` on first attempts: all 8 reached it. reflect: Ana, Ben, Dee, Eve (4); mixed: Cal, Fay (2); plan: Gus,
Hal (2). Facility = 4/8 = 0.5. n = 8, k = max(1, round(0.27 x 8 = 2.16)) = 2: upper group Ana, Ben (both
reflect: 2/2 = 1.0), lower group Gus, Hal (both plan: 0/2 = 0.0). Discrimination = 1.0 - 0.0 = +1.0.
(Were Ben and Cal to tie, the tie would go to Ben; had it gone to Cal, the upper facility would be 0.5.) Upper
group's most chosen: reflect (not a pitfall). Flags: none.

``ready`` on first attempts: reached by the 6 who did not choose plan. pen: Cal, Dee, Fay (3); explore: Ana, Ben
(2); judge: Eve (1). Facility = 3/6 = 0.5. n = 6, k = round(1.62) = 2: upper Ana, Ben (explore, explore: 0/2 = 0.0),
lower Eve, Fay (judge, pen: 1/2 = 0.5). Discrimination = 0.0 - 0.5 = -0.5. Upper group's most chosen: explore,
a pitfall, by 2 of them. Flags: possible miskey, confusing.

All attempts (19 attempts with decisions): ``open`` reflect 12 (Ana 4, Ben 2, Cal 3, Dee 1, Eve 1, Hal 1),
mixed 4 (Cal, Eve, Fay 2), plan 3 (Dee, Gus, Hal): 19. ``ready`` pen 9 (Ana 3, Ben, Cal 2, Dee, Eve, Fay),
explore 2 (Ana, Ben), judge 4 (Cal 2, Eve, Fay): 15.

Per scenario: 8 tried, 8 finished, 18 finished attempts scoring 333+133+210+100+77+52+0+0 = 905, mean 50.28.

Pitfalls hit: week of 1 Mar: Getting ahead of the peer 2 (Gus, Hal), Taking the reins 3 (Cal, Fay mixed; Eve
judge), Holding back a peer who is ready 2 (Ana, Ben), Judging the goal 1 (Eve). Week of 8 Mar: Getting ahead 1
(Dee), Taking the reins 5 (Eve, Fay mixed; Fay, Cal twice judge), Judging the goal 3 (Fay, Cal twice).

Domain profile: readiness: possibilities 12 (exploring is real support), pitfalls 3 + 2 = 5, share 12/17 = 71%;
self-determination: 9 (handing them the pen) against 8 + 4 = 12, 9/21 = 43%; goals: 9 against 0, 100%;
relationship: 12 + 4 = 16 listening and reflecting, 100%.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from records import AccessDenied, Store, User
from scenarios import LoadedScenario, Rubric
from scoring import charts, patterns
from scoring import cohort as cohort_figures
from tests.helpers import PASSWORD, make_user, play

WEEK1 = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
WEEK2 = datetime(2027, 3, 8, 10, 0, tzinfo=UTC)

RP = [("open", "reflect"), ("ready", "pen")]
RE = [("open", "reflect"), ("ready", "explore")]
RJ = [("open", "reflect"), ("ready", "judge")]
MP = [("open", "mixed"), ("ready", "pen")]
MJ = [("open", "mixed"), ("ready", "judge")]
PLAN = [("open", "plan")]
NAMES = ["Ana", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal"]
FIRST = {"Ana": RE, "Ben": RE, "Cal": MP, "Dee": RP, "Eve": RJ, "Fay": MP, "Gus": PLAN, "Hal": PLAN}
RETRIES = {"Ana": [RP, RP, RP], "Ben": [RP], "Cal": [RP, RJ, RJ], "Dee": [PLAN], "Eve": [MP], "Fay": [MJ], "Gus": [], "Hal": []}
SCORES = {"Ana": 83.25, "Ben": 66.5, "Cal": 52.5, "Dee": 50.0, "Eve": 38.5, "Fay": 26.0, "Gus": 0.0, "Hal": 0.0}

EXPECTED_NODES = [
    {
        "node_id": "open",
        "reached": 8,
        "strongest_chosen": 4,
        "facility": 0.5,
        "group_size": 2,
        "upper_facility": 1.0,
        "lower_facility": 0.0,
        "discrimination": 1.0,
        "all_attempts": 19,
        "flags": [],
    },
    {
        "node_id": "ready",
        "reached": 6,
        "strongest_chosen": 3,
        "facility": 0.5,
        "group_size": 2,
        "upper_facility": 0.0,
        "lower_facility": 0.5,
        "discrimination": -0.5,
        "all_attempts": 15,
        "flags": ["possible miskey", "confusing"],
    },
]
# node, choice, kind, points, strongest, first, first %, all, all %, upper, lower
EXPECTED_CHOICES = [
    ("open", "reflect", "strongest", 2, True, 4, 50.0, 12, 63.2, 2, 0),
    ("open", "plan", "pitfall", -1, False, 2, 25.0, 3, 15.8, 0, 2),
    ("open", "mixed", "mixed", 0, False, 2, 25.0, 4, 21.1, 0, 0),
    ("ready", "pen", "strongest", 2, True, 3, 50.0, 9, 60.0, 0, 1),
    ("ready", "explore", "pitfall", -1, False, 2, 33.3, 2, 13.3, 2, 0),
    ("ready", "judge", "pitfall", -2, False, 1, 16.7, 4, 26.7, 0, 1),
]


@pytest.fixture
def clock_start() -> datetime:
    """at_time starts in the first week of the class."""
    return WEEK1


def hand_frames() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The class above as the frames records/analytics.py returns (user ids 1..8)."""
    counts = pd.DataFrame(
        [
            ("open", "mixed", 2, 4),
            ("open", "plan", 2, 3),
            ("open", "reflect", 4, 12),
            ("ready", "explore", 2, 2),
            ("ready", "judge", 1, 4),
            ("ready", "pen", 3, 9),
        ],
        columns=["node_id", "choice_id", "first_attempts", "all_attempts"],
    )
    first = pd.DataFrame(
        [(i, node, choice) for i, name in enumerate(NAMES, start=1) for node, choice in FIRST[name]],
        columns=["user_id", "node_id", "choice_id"],
    )
    scores = pd.DataFrame([(i, SCORES[name]) for i, name in enumerate(NAMES, start=1)], columns=["user_id", "score"])
    return counts, first, scores


def check_analysis(analysis: cohort_figures.ItemAnalysis) -> None:
    assert analysis.nodes.drop(columns=["peer"]).to_dict("records") == EXPECTED_NODES
    got = [
        (
            r.node_id,
            r.choice_id,
            r.kind,
            r.points,
            r.strongest,
            r.first_attempts,
            r.first_share,
            r.all_attempts,
            r.all_share,
            r.upper,
            r.lower,
        )
        for r in analysis.choices.itertuples()
    ]
    assert got == EXPECTED_CHOICES


# ------------------------------------------------------------------------------------------- pure figures
def test_item_analysis_matches_the_hand_computation(mini, rubric):
    counts, first, scores = hand_frames()
    analysis = cohort_figures.item_analysis(mini.scenario, rubric, counts, first, scores)
    check_analysis(analysis)
    assert analysis.nodes["peer"].tolist() == [mini.scenario.nodes["open"].peer, mini.scenario.nodes["ready"].peer]
    assert analysis.choices_at("ready")["label"].tolist() == [
        "What would a first small step look like to you?",
        "Let's keep talking about how school felt back then.",
        "With your hours, maybe wait a year. Here's what you should do instead.",
    ]


def test_ties_in_overall_score_go_to_the_lower_user_id(mini, rubric):
    """Let Ben (id 2) and Cal (id 3) tie: the tie goes to Ben, and nothing changes. Give Cal Ben's place by breaking
    the tie the other way (swap their ids): the upper group at 'open' is then Ana and Cal (reflect, mixed): upper
    facility 0.5, discrimination 0.5."""
    counts, first, scores = hand_frames()
    scores.loc[scores["user_id"] == 3, "score"] = SCORES["Ben"]
    tied = cohort_figures.item_analysis(mini.scenario, rubric, counts, first, scores).nodes
    assert tied.loc[0, ["upper_facility", "discrimination"]].tolist() == [1.0, 1.0]
    swap = {2: 3, 3: 2}
    first = first.assign(user_id=first["user_id"].map(lambda u: swap.get(u, u)))
    scores = scores.assign(user_id=scores["user_id"].map(lambda u: swap.get(u, u)))
    nodes = cohort_figures.item_analysis(mini.scenario, rubric, counts, first, scores).nodes
    assert nodes.loc[0, ["upper_facility", "discrimination"]].tolist() == [0.5, 0.5]


@pytest.mark.parametrize(
    ("n", "k"), [(1, 1), (2, 1), (4, 1), (5, 1), (6, 2), (8, 2), (10, 3), (50, 14), (100, 27), (150, 41), (500, 135)]
)
def test_group_size_is_27_percent_rounded_half_up(n, k):
    assert cohort_figures.group_size(n) == k


def _one_point(choices: list[str], scores: list[float]) -> pd.DataFrame:
    """Item analysis of 'open' when trainee i (id i+1) chose choices[i] with overall score scores[i]."""
    from scenarios import load_scenario_file
    from scoring import default_rubric
    from scoring.cohort import item_analysis
    from tests.helpers import FIXTURES

    rubric = default_rubric()
    loaded = load_scenario_file(FIXTURES / "good" / "mini.yaml", rubric)
    first = pd.DataFrame([(i + 1, "open", c) for i, c in enumerate(choices)], columns=["user_id", "node_id", "choice_id"])
    counted = first.groupby("choice_id").size()
    counts = pd.DataFrame(
        [("open", c, int(n), int(n)) for c, n in counted.items()],
        columns=["node_id", "choice_id", "first_attempts", "all_attempts"],
    )
    score_frame = pd.DataFrame([(i + 1, s) for i, s in enumerate(scores)], columns=["user_id", "score"])
    return item_analysis(loaded.scenario, rubric, counts, first, score_frame).nodes


def test_very_easy_at_nine_in_ten_and_hard_below_three_in_ten():
    ten = [90, 80, 70, 60, 50, 40, 30, 20, 10, 5]
    easy = _one_point(["reflect"] * 9 + ["plan"], ten)
    assert easy.loc[0, "facility"] == 0.9
    assert easy.loc[0, "flags"] == ["very easy"]
    # 3 of 10 is not hard; the strong trainees chose the pitfall, so it is a possible miskey and confusing.
    three = _one_point(["plan"] * 7 + ["reflect"] * 3, ten)
    assert (three.loc[0, "facility"], three.loc[0, "discrimination"]) == (0.3, -1.0)
    assert three.loc[0, "flags"] == ["possible miskey", "confusing"]
    # 2 of 10 is hard. k = 3: the upper group chose reflect, reflect, mixed (2/3), the lower mixed x 3 (0/3).
    two = _one_point(["reflect", "reflect"] + ["mixed"] * 8, ten)
    assert (two.loc[0, "facility"], two.loc[0, "discrimination"]) == (0.2, 2 / 3)
    assert two.loc[0, "flags"] == ["hard"]
    # The upper group's most chosen is mixed (a possibility and a pitfall), by 2 of the 3: a possible miskey.
    mixed = _one_point(["mixed", "mixed", "reflect"] + ["reflect"] * 7, ten)
    assert (mixed.loc[0, "facility"], mixed.loc[0, "discrimination"]) == (0.8, -2 / 3)
    assert mixed.loc[0, "flags"] == ["possible miskey", "confusing"]


def test_a_miskey_needs_two_of_the_upper_group():
    # n = 10, k = 3: the upper group chose plan, reflect, mixed: plan ties for most chosen with 1 only.
    nodes = _one_point(
        ["plan", "reflect", "mixed", "reflect", "reflect", "reflect", "reflect", "plan", "plan", "plan"], list(range(100, 0, -10))
    )
    assert nodes.loc[0, "flags"] == []


def test_fewer_than_five_reached_is_too_few_and_nothing_else():
    nodes = _one_point(["plan", "plan", "plan", "plan"], [90, 80, 70, 60])
    assert nodes.loc[0, ["reached", "facility", "discrimination"]].tolist() == [4, 0.0, 0.0]
    assert nodes.loc[0, "flags"] == ["too few answers"]


def test_choices_missing_from_the_newest_version_are_labeled_by_id(mini, rubric):
    first = pd.DataFrame(
        [(u, "open", "old-choice") for u in range(1, 6)] + [(6, "gone", "x")], columns=["user_id", "node_id", "choice_id"]
    )
    counts = pd.DataFrame(
        [("open", "old-choice", 5, 7), ("open", "reflect", 0, 2), ("gone", "x", 1, 1)],
        columns=["node_id", "choice_id", "first_attempts", "all_attempts"],
    )
    scores = pd.DataFrame([(u, 50.0) for u in range(1, 7)], columns=["user_id", "score"])
    analysis = cohort_figures.item_analysis(mini.scenario, rubric, counts, first, scores)
    assert analysis.nodes[["node_id", "reached", "flags"]].to_dict("records") == [
        {"node_id": "open", "reached": 5, "flags": ["hard"]},
        {"node_id": "gone", "reached": 1, "flags": ["too few answers"]},
    ]
    assert analysis.nodes.loc[0, "facility"] == 0.0
    assert pd.isna(analysis.nodes.loc[1, "facility"])  # no strongest choice is known there
    old = analysis.choices[analysis.choices["choice_id"] == "old-choice"].iloc[0]
    assert (old["label"], old["kind"], old["strongest"], old["all_attempts"]) == ("old-choice", "unknown", False, 7)
    assert cohort_figures.choice_table(analysis.choices_at("gone"))["kind"].tolist() == ["Not in this version"]


def test_class_figures_from_hits(rubric):
    hits = pd.DataFrame(
        [
            ("pf.ahead-of-readiness", date(2027, 3, 1), 2),
            ("pf.dictating", date(2027, 3, 1), 3),
            ("pf.stuck-in-exploration", date(2027, 3, 1), 2),
            ("pf.judging-goal", date(2027, 3, 1), 1),
            ("pf.ahead-of-readiness", date(2027, 3, 8), 1),
            ("pf.dictating", date(2027, 3, 8), 5),
            ("pf.judging-goal", date(2027, 3, 8), 3),
            ("po.exploration-is-valid", date(2027, 3, 1), 12),
            ("po.hand-the-pen", date(2027, 3, 8), 9),
            ("po.break-down-goals", date(2027, 3, 8), 9),
            ("po.reflective-listening", date(2027, 3, 3), 16),
        ],
        columns=["criterion_id", "day", "hits"],
    )
    check_class_figures(hits, rubric)


def check_class_figures(hits: pd.DataFrame, rubric: Rubric) -> None:
    weeks = patterns.pitfalls_by_week(hits, rubric)
    assert list(weeks.columns) == [date(2027, 3, 1), date(2027, 3, 8)]
    assert weeks.to_dict("index") == {
        "Taking the reins": {date(2027, 3, 1): 3, date(2027, 3, 8): 5},
        "Getting ahead of the peer": {date(2027, 3, 1): 2, date(2027, 3, 8): 1},
        "Judging the goal": {date(2027, 3, 1): 1, date(2027, 3, 8): 3},
        "Holding back a peer who is ready": {date(2027, 3, 1): 2, date(2027, 3, 8): 0},
    }
    assert list(weeks.index) == [
        "Taking the reins",
        "Judging the goal",
        "Getting ahead of the peer",
        "Holding back a peer who is ready",
    ]
    profile = cohort_figures.class_domain_profile(hits, rubric)
    assert profile.drop(columns=["domain_title"]).to_dict("records") == [
        {"domain": "readiness", "possibilities": 12, "pitfalls": 5, "count": 17, "share": 71},
        {"domain": "self-determination", "possibilities": 9, "pitfalls": 12, "count": 21, "share": 43},
        {"domain": "goals", "possibilities": 9, "pitfalls": 0, "count": 9, "share": 100},
        {"domain": "relationship", "possibilities": 16, "pitfalls": 0, "count": 16, "share": 100},
    ]
    heatmap = charts.class_pitfall_heatmap(weeks)
    assert list(heatmap.data[0].y) == list(weeks.index)
    assert list(heatmap.data[0].x) == ["Week of 01 Mar", "Week of 08 Mar"]
    domains = charts.class_domain_chart(profile)
    assert [t.name for t in domains.data] == ["Possibilities shown", "Pitfalls hit"]
    assert list(domains.data[1].text) == ["5 pitfalls", "12 pitfalls", "0 pitfalls", "0 pitfalls"]
    assert domains.data[1].marker.pattern.shape == "x"  # not by colour alone


def test_choice_chart_names_each_kind_in_words(mini, rubric):
    counts, first, scores = hand_frames()
    analysis = cohort_figures.item_analysis(mini.scenario, rubric, counts, first, scores)
    fig = charts.choice_chart(analysis.choices_at("open"), "open")
    assert list(fig.data[0].y) == [
        "Strongest: You keep coming back to it, and you're not sure yet.",
        "Pitfall: Let's sign you up for classes this week.",
        "Mixed (helpful in part, with a pitfall): I hear you. You should start with the math test.",
    ]
    assert list(fig.data[0].text) == ["4 (50%)", "2 (25%)", "2 (25%)"]
    assert list(fig.data[1].text) == ["12 (63.2%)", "3 (15.8%)", "4 (21.1%)"]
    table = cohort_figures.node_table(analysis)
    assert table.to_dict("records") == [
        {
            "decision point": "open",
            "reached (first attempts)": 8,
            "facility": "50%",
            "discrimination": "+1.00",
            "upper / lower group": "2 / 2",
            "all attempts": 19,
            "flags": "none",
        },
        {
            "decision point": "ready",
            "reached (first attempts)": 6,
            "facility": "50%",
            "discrimination": "-0.50",
            "upper / lower group": "2 / 2",
            "all attempts": 15,
            "flags": "possible miskey; confusing",
        },
    ]


# --------------------------------------------------------------------------------- the class in the Store


def build_class(store: Store, mini: LoadedScenario, rubric: Rubric, move) -> tuple[User, int, dict[str, User]]:  # type: ignore[no-untyped-def]
    """The class of the module docstring, with its instructor: (instructor, cohort id, trainees by name)."""
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring 2027")
    trainees = {name: make_user(store, name) for name in NAMES}
    for trainee in trainees.values():
        store.cohorts.join(trainee, cohort.join_code)
    move(WEEK1)
    for name in NAMES:
        play(store, trainees[name], mini, rubric, FIRST[name])
    move(WEEK2)
    for name in NAMES:
        for path in RETRIES[name]:
            play(store, trainees[name], mini, rubric, path)
    play(store, trainees["Hal"], mini, rubric, [("open", "reflect")])  # left at 'ready', unfinished
    return instructor, cohort.id, trainees


@pytest.fixture
def the_class(store, mini, rubric, at_time):
    return build_class(store, mini, rubric, at_time)


def test_sql_aggregates_of_the_class_match_the_hand_computation(store, mini, rubric, the_class):
    instructor, cohort_id, trainees = the_class
    figures = store.analytics.figures(instructor, cohort_id)
    table = figures.trainees
    assert table["name"].tolist() == NAMES
    assert table["started"].tolist() == [4, 2, 4, 2, 2, 2, 1, 2]
    assert table["finished"].tolist() == [4, 2, 4, 2, 2, 2, 1, 1]
    assert table["mean_score"].tolist() == [SCORES[n] for n in NAMES]
    assert table["best_score"].tolist() == [100, 100, 100, 100, 44, 44, 0, 0]
    assert [t.date() for t in table["last_active"]] == [date(2027, 3, 8)] * 6 + [date(2027, 3, 1), date(2027, 3, 8)]
    assert figures.scenarios.drop(columns=["mean_score"]).to_dict("records") == [
        {"scenario_id": "mini", "content_hash": mini.content_hash, "tried": 8, "finished": 8}
    ]
    assert figures.scenarios.loc[0, "mean_score"] == pytest.approx(905 / 18)
    assert figures.attempts == 19
    check_class_figures(figures.hits, rubric)

    data = store.analytics.item_data(instructor, cohort_id, "mini")
    assert data.versions["content_hash"].tolist() == [mini.content_hash]
    ids = {trainees[n].id: i for i, n in enumerate(NAMES, start=1)}
    counts, first, scores = hand_frames()
    assert data.counts.to_dict("records") == counts.to_dict("records")
    assert sorted((ids[u], n, c) for u, n, c in data.first_choices.itertuples(index=False)) == sorted(
        first.itertuples(index=False, name=None)
    )
    assert sorted((ids[u], s) for u, s in data.scores.itertuples(index=False)) == sorted(
        scores.itertuples(index=False, name=None)
    )
    # Ranking needs the real user ids (Ben's is lower than Cal's, as in the hand computation).
    check_analysis(cohort_figures.item_analysis(mini.scenario, rubric, data.counts, data.first_choices, data.scores))


def test_a_first_attempt_without_decisions_does_not_count(store, mini, rubric, at_time):
    """Starting a conversation and leaving before the first choice: the next attempt is the first attempt."""
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    store.start_attempt(ana, scenario_id=mini.id, content_hash=mini.content_hash, source=mini.text, start="open", mode="coached")
    play(store, ana, mini, rubric, RJ)
    play(store, ana, mini, rubric, RP)
    data = store.analytics.item_data(instructor, cohort.id, "mini")
    assert data.first_choices[["node_id", "choice_id"]].values.tolist() == [["open", "reflect"], ["ready", "judge"]]
    assert data.counts.to_dict("records") == [
        {"node_id": "open", "choice_id": "reflect", "first_attempts": 1, "all_attempts": 2},
        {"node_id": "ready", "choice_id": "judge", "first_attempts": 1, "all_attempts": 1},
        {"node_id": "ready", "choice_id": "pen", "first_attempts": 0, "all_attempts": 1},
    ]
    figures = store.analytics.figures(instructor, cohort.id)
    assert figures.trainees[["started", "finished", "mean_score", "best_score"]].values.tolist() == [[3, 2, (33 + 100) / 2, 100]]


def test_members_who_have_not_played_are_listed(store):
    instructor = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(instructor, "Spring")
    store.cohorts.join(make_user(store, "Zoe"), cohort.join_code)
    figures = store.analytics.figures(instructor, cohort.id)
    assert figures.trainees[["name", "started", "finished", "last_active"]].to_dict("records") == [
        {"name": "Zoe", "started": 0, "finished": 0, "last_active": None}
    ]
    assert pd.isna(figures.trainees.loc[0, "mean_score"])
    assert figures.scenarios.empty and figures.hits.empty and figures.attempts == 0
    assert (
        cohort_figures.headline(figures.trainees).sentence() == "1 trainee in this cohort; no one has started a conversation yet."
    )


# ------------------------------------------------------------------------------------------------- access
def audit_lines(store: Store) -> list[tuple[str, str, str]]:
    admin = next(a.user for a in store.accounts.list(make_admin(store)) if a.user.role == "admin")
    return [(e.actor_name, e.action, e.detail) for e in reversed(store.audit.entries(admin))]


def make_admin(store: Store) -> User:
    from tests.helpers import root_admin

    return root_admin(store)


def test_only_the_cohorts_instructor_or_an_admin_may_read_it(store, mini, rubric, at_time):
    owner = make_user(store, "Ida Instructor", "instructor")
    other = make_user(store, "Olu Instructor", "instructor")
    admin = make_user(store, "Ada Admin", "admin")
    cohort = store.cohorts.create(owner, "Spring")
    ana = make_user(store, "Ana")
    store.cohorts.join(ana, cohort.join_code)
    play(store, ana, mini, rubric, RP)
    before = audit_lines(store)
    for refused in (ana, other):
        for read in (
            lambda who: store.analytics.figures(who, cohort.id),
            lambda who: store.analytics.item_data(who, cohort.id, "mini"),
            lambda who: store.analytics.export_csv(who, cohort.id),
        ):
            with pytest.raises(AccessDenied):
                read(refused)
    assert audit_lines(store) == before  # a refused read is not a read
    store.analytics.figures(owner, cohort.id)
    store.analytics.item_data(admin, cohort.id, "mini")
    store.analytics.export_csv(admin, cohort.id)
    assert audit_lines(store)[len(before) :] == [
        ("Ida Instructor", "view cohort dashboard", f"cohort {cohort.id}: Spring"),
        ("Ada Admin", "view item analysis", f"cohort {cohort.id}: Spring; scenario mini"),
        ("Ada Admin", "export cohort", f"cohort {cohort.id}: Spring"),
    ]


def test_refusal_messages(store):
    owner = make_user(store, "Ida Instructor", "instructor")
    other = make_user(store, "Olu Instructor", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    with pytest.raises(AccessDenied, match=r"^This needs the instructor or admin role\.$"):
        store.analytics.figures(make_user(store, "Ana"), cohort.id)
    with pytest.raises(AccessDenied, match=r"^Only the cohort's instructor \(or an admin\) can do that\.$"):
        store.analytics.figures(other, cohort.id)


# ------------------------------------------------------------------------------------------------- export
def test_export_csv_has_one_row_per_decision_with_the_trainee(store, mini, rubric, at_time):
    owner = make_user(store, "Ida Instructor", "instructor")
    cohort = store.cohorts.create(owner, "Spring")
    ben, outsider = make_user(store, "Ben"), make_user(store, "Out Sider")
    ana = store.accounts.register('Ana "Annie" Ruiz, RN', "ana@example.org", PASSWORD)
    for trainee in (ben, ana):
        store.cohorts.join(trainee, cohort.join_code)
    at_time(WEEK1)
    first = play(store, ana, mini, rubric, MJ)
    at_time(WEEK2)
    second = play(store, ana, mini, rubric, [("open", "reflect")])
    third = play(store, ben, mini, rubric, PLAN)
    play(store, outsider, mini, rubric, RP)  # not a member: not exported
    text = store.analytics.export_csv(owner, cohort.id)
    # records.csv_safety: a byte-order mark, text cells quoted, numbers bare (tests/test_csv_safety.py).
    assert text.startswith("\ufeff")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[0] == (
        '"trainee_id","trainee_name","attempt_id","scenario_id","scenario_version","mode","status","started_at",'
        '"finished_at","score","scoring_version","step","node_id","choice_id","criteria","quality","counted","points",'
        '"time_taken_ms","decided_at","branch_of","branch_node"'
    )
    h = mini.content_hash
    w1, w2 = "2027-03-01T10:00:00+00:00", "2027-03-08T10:00:00+00:00"
    ana_name = '"Ana ""Annie"" Ruiz, RN"'  # CSV quoting: the comma and the quotes survive
    c = '"coached"'
    assert lines[1:] == [
        f'{ana.id},{ana_name},{first},"mini","{h}",{c},"finished","{w1}","{w1}",8,2,1,"open","mixed",'
        f'"pf.dictating;po.reflective-listening","mixed",1,0,1000,"{w1}","",""',
        f'{ana.id},{ana_name},{first},"mini","{h}",{c},"finished","{w1}","{w1}",8,2,2,"ready","judge",'
        f'"pf.dictating;pf.judging-goal","pitfall",1,-2,1000,"{w1}","",""',
        f'{ana.id},{ana_name},{second},"mini","{h}",{c},"active","{w2}","","",2,1,"open","reflect",'
        f'"po.exploration-is-valid;po.reflective-listening","strongest",1,2,1000,"{w2}","",""',
        f'{ben.id},"Ben",{third},"mini","{h}",{c},"finished","{w2}","{w2}",0,2,1,"open","plan","pf.ahead-of-readiness",'
        f'"pitfall",1,-1,1000,"{w2}","",""',
        "",
    ]
    assert list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))[1][1] == 'Ana "Annie" Ruiz, RN'


# ------------------------------------------------------------------------- the tallies kept between reads
def fresh_figures(store: Store, instructor: User, cohort_id: int) -> tuple[object, ...]:
    """The cohort's figures computed from scratch (by a new repository on the same database)."""
    from records.analytics import CohortRecords

    return as_values(
        CohortRecords(store.engine).figures(instructor, cohort_id),
        CohortRecords(store.engine).item_data(instructor, cohort_id, "mini"),
    )


def as_values(figures, data) -> tuple[object, ...]:  # type: ignore[no-untyped-def]
    return (
        figures.trainees.drop(columns=["last_active"]).fillna(-1).to_dict("records"),
        figures.scenarios.to_dict("records"),
        figures.hits.to_dict("records"),
        data.counts.to_dict("records"),
        sorted(data.first_choices.itertuples(index=False, name=None)),
    )


def test_later_practice_is_added_to_the_kept_tallies(store, mini, rubric, the_class):
    instructor, cohort_id, trainees = the_class
    before = store.analytics.figures(instructor, cohort_id)
    assert store.analytics.item_data(instructor, cohort_id, "mini").counts["all_attempts"].sum() == 34
    play(store, trainees["Gus"], mini, rubric, RP)
    play(store, trainees["Hal"], mini, rubric, MJ)
    after = store.analytics.figures(instructor, cohort_id)
    data = store.analytics.item_data(instructor, cohort_id, "mini")
    assert after.attempts == before.attempts + 2
    assert after.trainees.set_index("name").loc[["Gus", "Hal"], "mean_score"].tolist() == [(0 + 100) / 2, (0 + 8) / 2]
    assert as_values(after, data) == fresh_figures(store, instructor, cohort_id)
    assert data.counts.set_index(["node_id", "choice_id"]).loc[("ready", "pen"), "all_attempts"] == 10


def test_item_analysis_opened_after_later_practice_counts_everything(store, mini, rubric, the_class):
    """The first read counts criteria only; choices are counted in full when a scenario's analysis is opened."""
    instructor, cohort_id, trainees = the_class
    store.analytics.figures(instructor, cohort_id)
    play(store, trainees["Gus"], mini, rubric, RP)
    store.analytics.figures(instructor, cohort_id)
    play(store, trainees["Ana"], mini, rubric, PLAN)
    data = store.analytics.item_data(instructor, cohort_id, "mini")
    assert data.counts.to_dict("records") == [
        {"node_id": "open", "choice_id": "mixed", "first_attempts": 2, "all_attempts": 4},
        {"node_id": "open", "choice_id": "plan", "first_attempts": 2, "all_attempts": 4},
        {"node_id": "open", "choice_id": "reflect", "first_attempts": 4, "all_attempts": 13},
        {"node_id": "ready", "choice_id": "explore", "first_attempts": 2, "all_attempts": 2},
        {"node_id": "ready", "choice_id": "judge", "first_attempts": 1, "all_attempts": 4},
        {"node_id": "ready", "choice_id": "pen", "first_attempts": 3, "all_attempts": 10},
    ]


def test_a_trainee_who_leaves_the_cohort_leaves_its_figures(store, mini, rubric, the_class):
    instructor, cohort_id, trainees = the_class
    store.analytics.figures(instructor, cohort_id)
    store.cohorts.remove_member(instructor, cohort_id, trainees["Ana"].id)
    after = store.analytics.figures(instructor, cohort_id)
    assert after.trainees["name"].tolist() == NAMES[1:]
    assert after.attempts == 15
    data = store.analytics.item_data(instructor, cohort_id, "mini")
    assert as_values(after, data) == fresh_figures(store, instructor, cohort_id)


def test_a_deleted_account_and_reused_ids_leave_the_figures_right(store, mini, rubric, the_class):
    """SQLite gives a new row the highest id plus one, so deleting the newest decisions and recording new ones
    reuses their ids; the kept tallies must notice (PostgreSQL never reuses ids; the count check catches it)."""
    instructor, cohort_id, trainees = the_class
    outsider = make_user(store, "Out Sider")
    play(store, outsider, mini, rubric, RP)
    store.analytics.figures(instructor, cohort_id)  # folds the outsider's ids as the newest
    store.accounts.delete(outsider, outsider.id)
    play(store, trainees["Gus"], mini, rubric, RP)  # may reuse the outsider's ids
    after = store.analytics.figures(instructor, cohort_id)
    data = store.analytics.item_data(instructor, cohort_id, "mini")
    assert data.counts.set_index(["node_id", "choice_id"]).loc[("ready", "pen"), "all_attempts"] == 10
    assert as_values(after, data) == fresh_figures(store, instructor, cohort_id)


def test_the_difficulty_label_against_first_tries() -> None:
    """scoring.cohort.level_check: the share of first-try decisions that found a strongest response, against the
    band each label expects (introductory at least 60%, intermediate 35-80%, advanced at most 65%)."""
    from fractions import Fraction

    import pandas as pd

    from scoring.cohort import ItemAnalysis, level_check

    def analysis(*points: tuple[int, Fraction | None]) -> ItemAnalysis:
        return ItemAnalysis(pd.DataFrame({"reached": [r for r, _ in points], "facility": [f for _, f in points]}), pd.DataFrame())

    # 6 trainees: 6 of 6, then 3 of 4 -> 9 of 10 found: easy for advanced, right for introductory
    easy = analysis((6, Fraction(1)), (4, Fraction(3, 4)))
    assert (level_check(1, easy).found, level_check(1, easy).verdict) == (Fraction(9, 10), "agrees")
    assert level_check(2, easy).verdict == "easier"
    assert level_check(3, easy).sentence() == (
        "Labelled advanced. In their first tries, 6 trainees chose a strongest response at 90% of 10 decisions: "
        "easier for this class than its advanced label says (at most 65% expected). It may suit earlier practice."
    )
    hard = analysis((5, Fraction(1, 5)), (5, Fraction(2, 5)))  # 3 of 10
    assert [level_check(level, hard).verdict for level in (1, 2, 3)] == ["harder", "harder", "agrees"]
    assert level_check(2, analysis((5, Fraction(1, 2)), (4, Fraction(1, 2)))).sentence() == (
        "Labelled intermediate. In their first tries, 5 trainees chose a strongest response at 50% of 9 decisions: "
        "about what an intermediate scenario should be (35% to 80%)."
    )
    few = level_check(2, analysis((4, Fraction(1)), (2, None)))
    assert (few.verdict, few.sentence()) == (
        "too few",
        "Labelled intermediate. Whether the label fits this class shows once 5 trainees have tried it (4 so far).",
    )
