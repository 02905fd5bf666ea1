"""Property tests: any bytes, any YAML, any mangled scenario yields a clean problem list or a valid scenario.

Issue 7 raises the example counts; here they stay small enough for every test run.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import LoadedScenario, ScenarioError, YamlError, load_scenario, read_yaml
from scoring import default_rubric

MINI = (Path(__file__).resolve().parent / "fixtures" / "good" / "mini.yaml").read_text(encoding="utf-8")
RUBRIC = default_rubric()
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
data = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30
)


def outcome(content: str | bytes) -> str:
    try:
        loaded = load_scenario(content, RUBRIC, source="fuzz.yaml")
    except ScenarioError as exc:
        assert exc.problems, "an error always carries at least one problem"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.column >= 1
            assert problem.message
        return "problems"
    assert isinstance(loaded, LoadedScenario)
    return "scenario"


@FAST
@given(st.binary(max_size=400))
def test_random_bytes(raw):
    outcome(raw)


@FAST
@given(data)
def test_random_yaml_data(value):
    outcome(yaml.safe_dump(value, allow_unicode=True))


@FAST
@given(st.lists(st.integers(min_value=0, max_value=MINI.count("\n")), max_size=6), st.text(max_size=10))
def test_mangled_scenarios(dropped, inserted):
    lines = MINI.split("\n")
    for index in sorted(set(dropped), reverse=True):
        if index < len(lines):
            lines[index] = inserted
    outcome("\n".join(lines))


@FAST
@given(st.text(max_size=300))
def test_random_text_through_the_gateway(text):
    try:
        read_yaml(text)
    except YamlError as exc:
        assert exc.problems
