"""The test-wiseness audit (scenarios/audit.py, ``python -m scenarios audit``) on fixtures worked out by hand.

tests/fixtures/audit/tiny.yaml. Point ``open``: a strongest "What matters most to you about school?" (-> more),
b pitfall "You should just sign up for school today." (-> done), c helpful "That sounds hard." (-> more). Point
``more``: d strongest "Where would you like to start?", e mixed "Let's write your whole plan tonight, step by
step, together." Attempt scores (credit / (decisions + pitfalls)): a,d = 1; a,e = (1 + 1/3) / 3 = 4/9; b = 0;
c,d = (2/3 + 1) / 2 = 5/6; c,e = (2/3 + 1/3) / 3 = 1/3.

* random: (1/2 (1 + 4/9) + 0 + 1/2 (5/6 + 1/3)) / 3 = 47/108; decisions 5/3 on average, strongest 2/3
  (share 2/5), pitfall-free 1 (share 3/5).
* first: a, d = 1. last: c, e = 1/3. longest: b (41 characters against 39 and 17) = 0. shortest: c, then d = 5/6.
* ends with "?": a, d = 1. question word first: a ("what"), d ("where") = 1.
* you/your: a and b tie (one each), then d and e tie: 1/2 (1/2 (1 + 4/9)) + 1/2 0 = 13/36.
* echo: a and b share "school" with the peer, c nothing; then d shares "start": 1/2 1 + 1/2 0 = 1/2.
* no telling words: a or c (b says "should"), then d (e says "let's"): 1/2 1 + 1/2 5/6 = 11/12.

tests/fixtures/audit/loop.yaml: one point, x strongest to the ending, y (longer, a pitfall) loops back to it.
Random: 1/2 (x first: 1) + 1/2 (y, whatever follows: a pitfall only, 0) = 1/2. Always the longest (or the last)
picks y for ever: stuck with probability 1, scored as it stands, 0.

tests/fixtures/audit/bank.yaml: item 1 (key 1, "Ask what the job would mean to her."), item 2 (key 3, "Explore
what the peer wants from recovery, in their own words."). Longest: item 1 picks option 2, item 2 the key: 1/2.
Shortest: "Wait." and "Pick a goal.": 0. Asking verb: only the keys: 1. Stem words: item 1 options 1 and 2 share
"job"; item 2 options 1 ("plan") and 3 ("recovery"): 1/2 each, 1/2. You: no option says you: 1/4.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from scenarios import check_paths
from scenarios.__main__ import main
from scenarios.audit import (
    THRESHOLDS_FILE,
    ThresholdError,
    exceeded,
    giveaways,
    load_thresholds,
    run_audit,
    scenario_rows,
    thresholds_toml,
)
from scoring import default_rubric

RUBRIC = default_rubric()
AUDIT = Path(__file__).resolve().parent / "fixtures" / "audit"


@pytest.fixture(scope="module")
def audit():
    report = check_paths([AUDIT], RUBRIC)
    assert report.ok
    return run_audit([s.scenario for s in report.loaded], [b.bank for b in report.banks], RUBRIC)


def by_id(audit, scenario_id):
    return next(s for s in audit.scenarios if s.id == scenario_id).results


TINY_SCORES = {
    "random": Fraction(47, 108),
    "first": Fraction(1),
    "last": Fraction(1, 3),
    "longest": Fraction(0),
    "shortest": Fraction(5, 6),
    "question": Fraction(1),
    "you": Fraction(13, 36),
    "echo": Fraction(1, 2),
    "asks": Fraction(1),
    "no-telling": Fraction(11, 12),
}


@pytest.mark.parametrize(("strategy", "expected"), sorted(TINY_SCORES.items()))
def test_tiny_expected_scores_by_hand(audit, strategy, expected):
    assert by_id(audit, "tiny")[strategy].score == expected


def test_tiny_shares_by_hand(audit):
    random = by_id(audit, "tiny")["random"]
    assert (random.decisions, random.strongest, random.pitfall_free) == (Fraction(5, 3), Fraction(2, 3), Fraction(1))
    assert (random.strongest_share, random.pitfall_free_share) == (Fraction(2, 5), Fraction(3, 5))
    you = by_id(audit, "tiny")["you"]
    assert (you.decisions, you.strongest_share, you.pitfall_free_share) == (Fraction(3, 2), Fraction(1, 2), Fraction(1, 2))
    longest = by_id(audit, "tiny")["longest"]
    assert (longest.decisions, longest.strongest_share, longest.pitfall_free_share) == (1, 0, 0)


def test_a_strategy_that_circles_a_loop_for_ever_is_scored_as_it_stands(audit):
    results = by_id(audit, "loop")
    assert (results["random"].score, results["random"].stuck, results["random"].decisions) == (Fraction(1, 2), 0, 1)
    assert (results["longest"].score, results["longest"].stuck) == (0, 1)
    assert (results["you"].score, results["you"].stuck) == (1, 0)  # "Okay, I hear you."


def test_bank_by_hand(audit):
    assert audit.bank is not None and audit.bank.questions == 2
    assert audit.bank.results == {
        "random": Fraction(1, 4),
        "longest": Fraction(1, 2),
        "shortest": Fraction(0),
        "asking-verb": Fraction(1),
        "stem-words": Fraction(1, 2),
        "you": Fraction(1, 4),
    }


def test_library_figures_average_scores_and_pool_shares(audit):
    random = audit.library("random")
    assert random.score == (Fraction(47, 108) + Fraction(1, 2)) / 2
    assert random.strongest_share == (Fraction(2, 3) + Fraction(1, 2)) / (Fraction(5, 3) + 1)
    spread, low, high = audit.random_spread()
    assert (spread, low.id, high.id) == (Fraction(1, 2) - Fraction(47, 108), "tiny", "loop")


def write(tmp_path, text):
    path = tmp_path / "thresholds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_thresholds_name_every_figure_above_them(audit, tmp_path):
    thresholds = load_thresholds(
        write(
            tmp_path,
            "[library]\nrandom_spread = 5\n[library.score]\nlongest = 0\nquestion = 90\n"
            "[library.strongest_share]\nfirst = 99.9\n[scenario]\nmax_score = 99\n[bank.score]\nasking-verb = 60\n",
        )
    )
    assert exceeded(audit, thresholds) == [
        "library: 'always the first (file order)' picks a strongest response at 100.0% of decisions, above the "
        "threshold of 99.9% ([library.strongest_share] first)",
        # File order is not judged in one scenario: trainees see the responses shuffled.
        "loop: 'the shortest' expects a score of 100.0%, above the threshold of 99% for any text strategy in one "
        "scenario ([scenario] max_score)",
        "loop: 'most you/your words' expects a score of 100.0%, above the threshold of 99% for any text strategy in "
        "one scenario ([scenario] max_score)",
        "loop: 'no telling words (should, must, let's ...)' expects a score of 100.0%, above the threshold of 99% for "
        "any text strategy in one scenario ([scenario] max_score)",
        "tiny: 'ends with \"?\"' expects a score of 100.0%, above the threshold of 99% for any text strategy in one "
        "scenario ([scenario] max_score)",
        "tiny: 'starts with a question word' expects a score of 100.0%, above the threshold of 99% for any text "
        "strategy in one scenario ([scenario] max_score)",
        "library: uniform random play's expected score spreads 6.5 points across scenarios (tiny 43.5% to loop "
        "50.0%), above the threshold of 5 ([library] random_spread)",
        "question bank: 'has an asking or exploring verb' answers 100.0% correctly, above the threshold of 60% "
        "([bank.score] asking-verb)",
    ]


def test_no_text_strategy_may_beat_random_by_more_than_above_random(audit, tmp_path):
    # Pooled over both fixture scenarios, uniform random picks a strongest response at 7/16 = 43.75% of decisions
    # and a pitfall-free one at 9/16 = 56.25%. "The shortest" and "no telling words" pick a pitfall-free response
    # every time (43.75 points above random); "ends with ?", "starts with a question word" and "no telling words"
    # a strongest one at 5/6 (39.6 points above): only the first two pass a limit of 40. Order strategies are not
    # judged (responses are shuffled for trainees).
    thresholds = load_thresholds(write(tmp_path, "[library]\nabove_random = 40\n"))
    assert exceeded(audit, thresholds) == [
        "library: 'the shortest' picks a pitfall-free response at 100.0% of decisions, 43.8 points above uniform "
        "random's 56.2% (the limit is 40: [library] above_random)",
        "library: 'no telling words (should, must, let's ...)' picks a pitfall-free response at 100.0% of decisions, "
        "43.8 points above uniform random's 56.2% (the limit is 40: [library] above_random)",
    ]
    assert exceeded(audit, load_thresholds(write(tmp_path, "[library]\nabove_random = 43.75\n"))) == []


def test_thresholds_written_from_an_audit_are_met_by_it(audit, tmp_path):
    assert exceeded(audit, load_thresholds(write(tmp_path, thresholds_toml(audit)))) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[library.score]\nlongst = 50\n", "[library.score] longst: not a strategy"),
        ("[library.score]\nlongest = 'fifty'\n", "[library.score] longest: expected a number of percent, found 'fifty'"),
        ("[library]\nrandom_spread = true\n", "[library] random_spread: expected a number, found True"),
        ("[library\n", "Expected ']'"),
    ],
)
def test_a_thresholds_file_that_cannot_be_used_says_why(tmp_path, text, message):
    with pytest.raises(ThresholdError) as caught:
        load_thresholds(write(tmp_path, text))
    assert message in str(caught.value)


def test_cli_check_fails_with_a_clear_message(tmp_path, capsys):
    path = write(tmp_path, "[bank.score]\nlongest = 40\n")
    assert main(["audit", "--check", "--thresholds", str(path), str(AUDIT)]) == 1
    out, err = capsys.readouterr()
    assert "Question bank: 2 questions" in out
    assert err.splitlines() == [
        "above threshold: question bank: 'the longest' answers 50.0% correctly, above the threshold of 40% "
        "([bank.score] longest)",
        f"1 figure(s) above the thresholds in {path}: a strategy that reads no meaning gets further than it did; "
        "even out what gives the strongest response away (see docs/writing-scenarios.md)",
    ]


def test_cli_audit_prints_every_scenario_and_passes_the_shipped_thresholds(capsys):
    assert main(["audit", "--check"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Scenarios: 44, 278 decision points (scoring version 2)" in out
    assert "Question bank: 303 questions" in out
    assert out.rstrip().endswith(f"ok: every figure is within the thresholds in {THRESHOLDS_FILE}")


def test_cli_audit_refuses_files_with_errors(capsys):
    bad = Path(__file__).resolve().parent / "fixtures" / "bad" / "quality.yaml"
    assert main(["audit", str(bad)]) == 1
    assert "error(s): fix them first" in capsys.readouterr().err


def _fake(scenario_id, random_score):
    from scenarios.audit import ScenarioAudit
    from scenarios.quality import Expectation

    one = Fraction(1)
    return ScenarioAudit(scenario_id, 1, {"random": Expectation(random_score, one, one, one, Fraction(0))})


def test_band_misses_say_by_how_much_each_scenario_misses_10_points_around_the_median():
    from scenarios.audit import Audit, band_misses, median_random

    audit = Audit([_fake("a", Fraction(17, 100)), _fake("b", Fraction(24, 100)), _fake("c", Fraction(25, 100))])
    audit.scenarios.append(_fake("d", Fraction(32, 100)))
    assert median_random(audit) == Fraction(49, 200)  # 24.5%
    assert [(item.id, miss) for item, miss in band_misses(audit)] == [
        ("a", Fraction(17, 100) - Fraction(39, 200)),  # 2.5 points below 19.5%
        ("d", Fraction(32, 100) - Fraction(59, 200)),  # 2.5 points above 29.5%
    ]


def test_a_scenario_built_to_explode_is_refused_not_hung(monkeypatch):
    from scenarios import Scenario
    from scenarios.quality import TooLarge, expected_play

    monkeypatch.setattr("scenarios.quality.MAX_STATES", 500)
    names = [f"n{i}" for i in range(20)]

    def choices(i):
        ahead = [*names[i + 1 :], "end", "end"]
        return [
            {
                "id": "a",
                "say": "A.",
                "criteria": ["po.reflective-listening"],
                "quality": "strongest",
                "why": "W.",
                "next": ahead[0],
            },
            {
                "id": "b",
                "say": "B.",
                "criteria": ["po.exploration-is-valid"],
                "quality": "helpful",
                "why": "W.",
                "next": ahead[1],
            },
        ]

    scenario = Scenario.model_validate(
        {
            "id": "wide",
            "title": "Wide",
            "summary": "Every point can skip the next.",
            "domains": ["readiness"],
            "difficulty": 1,
            "minutes": 5,
            "peer": {"name": "W", "about": "W."},
            "start": "n0",
            "nodes": {n: {"peer": "P.", "readiness": "preparing", "choices": choices(i)} for i, n in enumerate(names)},
            "endings": {"end": {"peer": "Bye.", "debrief": "D."}},
        }
    )
    with pytest.raises(TooLarge) as caught:
        expected_play(scenario, RUBRIC)
    assert str(caught.value) == (
        "'wide' has too many different ways through it to work out exactly (more than 500 partial attempts or 150 "
        "points in a row)"
    )


def test_an_author_is_told_in_words_what_gives_the_strongest_responses_away(audit):
    loop, tiny = (next(s for s in audit.scenarios if s.id == name) for name in ("loop", "tiny"))
    # In 'loop'' the strongest response is the shortest, has the most you/your words and no telling word; random
    # finds it half the time.
    assert giveaways(loop) == [
        f"Choosing '{title}' finds a strongest response 100.0% of the time, against 50.0% for a random pick: the form "
        "of your strongest responses gives them away."
        for title in ("the shortest", "most you/your words", "no telling words (should, must, let's ...)")
    ]
    # 'The shortest' is only 10 points above random at finding the strongest (50% against 40%), but it expects 83.3%.
    assert giveaways(tiny)[0] == (
        "Choosing 'the shortest' every time expects a score of 83.3% without reading a word: vary the form of your responses."
    )
    assert [row["strategy"] for row in scenario_rows(tiny)][:3] == ["uniform random", "the longest", "the shortest"]
    assert "always the first (file order)" not in [row["strategy"] for row in scenario_rows(tiny)]
