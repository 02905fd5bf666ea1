"""Property tests of the YAML gateway, the scenario checks and the question-bank loader.

Whatever arrives (random bytes, random text, random YAML, a valid scenario or bank mangled as text or as data,
deep nesting, huge scalars), the answer is either a valid scenario (or bank) or a clean ScenarioError/YamlError
whose every problem is located in the input; never another exception, and never a hang (each input runs under
an alarm far above what any input needs, so a runaway input fails the test instead of stalling the suite).
"""

from __future__ import annotations

import copy
import os
import re
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from scenarios import LoadedScenario, Problem, ScenarioError, YamlError, check_paths, load_scenario, read_yaml
from scenarios.gateway import MAX_BYTES, MAX_DEPTH
from scenarios.loader import LoadedBank, load_bank_file
from scoring import default_rubric
from scoring.scorer import strongest_path, weakest_path
from tests.helpers import FIXTURES

MINI = (FIXTURES / "good" / "mini.yaml").read_text(encoding="utf-8")
MINI_DATA = read_yaml(MINI).data
BANK = (FIXTURES / "exam-bank" / "bank.yaml").read_text(encoding="utf-8")
BANK_DATA = read_yaml(BANK).data
RUBRIC = default_rubric()
SOURCE = "fuzz.yaml"
HANG_SECONDS = 20  # a guard against hangs, not a speed check: every input here takes milliseconds


FULL = os.environ.get("PEERSIM_FUZZ") == "full"
"""CI sets PEERSIM_FUZZ=full and runs every count below; a developer's run takes a tenth of each (at least 25),
which finds the same classes of problem in a fraction of the time."""


def examples(n: int) -> settings:
    count = n if FULL else max(25, n // 10)
    return settings(max_examples=count, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def tally(answer: str) -> str:
    """Count each kind of answer in Hypothesis's statistics (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(answer)
    return answer


@contextmanager
def no_hang() -> Iterator[None]:
    def stop(_signum: int, _frame: object) -> None:
        raise AssertionError(f"one input ran for over {HANG_SECONDS} s: the gateway must stay bounded")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def lines_in(content: str | bytes) -> int:
    """Lines in the input, counting every break YAML 1.1 counts (\\r, \\x85, \\u2028...; splitlines counts a few more)."""
    text = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else content
    return len(text.splitlines()) + 1


def located(problems: list[Problem], content: str | bytes, source: str = SOURCE) -> None:
    """Every problem names the source and a line and column inside the input, with a message."""
    assert problems, "an error always carries at least one problem"
    for problem in problems:
        assert problem.source == source
        assert 1 <= problem.line <= lines_in(content) + 1, (problem, lines_in(content))
        assert problem.column >= 1
        assert problem.message.strip() and problem.severity in ("error", "warning")
        assert str(problem).startswith(f"{source}:{problem.line}:{problem.column}: ")
    assert any(p.severity == "error" for p in problems)


def outcome(content: str | bytes) -> str:
    """Load ``content`` as a scenario: 'scenario' or 'problems', after checking the answer is a clean one."""
    try:
        with no_hang():
            loaded = load_scenario(content, RUBRIC, source=SOURCE)
    except ScenarioError as exc:
        located(exc.problems, content)
        return tally("problems")
    assert isinstance(loaded, LoadedScenario)
    assert re.fullmatch(r"[0-9a-f]{64}", loaded.content_hash)
    assert all(w.severity == "warning" for w in loaded.warnings)
    scenario = loaded.scenario
    assert scenario.start in scenario.nodes
    # A scenario that passed its checks can always be scored: it has a strongest and a weakest path.
    strongest, weakest = strongest_path(scenario, RUBRIC), weakest_path(scenario, RUBRIC)
    assert strongest.ending_id in scenario.endings and weakest.ending_id in scenario.endings
    assert strongest.points >= weakest.points
    return tally("scenario")


def dump(value: Any, *, flow: bool | None = False) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=flow)


# ------------------------------------------------------------------------------------------ strategies
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(["", "~", "no", "yes", "0x1F", "1e3"]),
)
any_data = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(), inner, max_size=4),
    max_leaves=30,
)
# Words that mean something in a scenario or a bank, so mutations stay near-valid and reach the deeper checks
# (unknown targets, loops, unreachable nodes, wrong 'better' pointers, readiness, keys out of range...).
MEANINGFUL = st.sampled_from(
    [
        "open", "ready", "good", "pull", "reflect", "plan", "mixed", "pen", "explore", "judge", "nowhere",
        "po.reflective-listening", "pf.dictating", "pf.ahead-of-readiness", "po.not-a-criterion",
        "contemplating", "preparing", "not-ready", "acting", "readiness", "goals", "advocacy", "ethical-responsibility",
        0, 1, 2, 3, 4, 5, -1, 61, 4001 * "a", [], {}, None, True,
    ]
)  # fmt: skip
values = st.one_of(MEANINGFUL, scalars, any_data)
# The characters YAML's syntax is made of, so random text exercises the parser rather than plain scalars.
yaml_text = st.text(alphabet=st.sampled_from([*"-:[]{},&*!|>'\"#%@`?~ \n\t\\abc01.", "\u00e9", "\ufeff", "\x85"]), max_size=200)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


@st.composite
def mutated(draw: st.DrawFn, original: Any) -> Any:
    """``original`` with one to four random edits: a value replaced, a key or item removed, a key added or renamed."""
    data = copy.deepcopy(original)
    paths = [p for p in _paths(original) if p]
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths))
        parent: Any = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            last = path[-1]
            parent[last]  # the path may be gone after an earlier edit
        except (KeyError, IndexError, TypeError):
            continue
        if not isinstance(parent, (dict, list)):
            continue  # an earlier edit put a scalar here
        action = draw(st.sampled_from(["replace", "remove", "add", "rename"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "remove":
            del parent[last]
        elif isinstance(parent, dict):
            key = draw(st.text(max_size=10) | MEANINGFUL.filter(lambda v: isinstance(v, str)))
            if action == "rename":
                parent[key] = parent.pop(last)
            else:
                parent[key] = draw(values)
        else:
            parent.insert(last, draw(values))
    return data


# ---------------------------------------------------------------------------------------- the gateway
@examples(1500)
@given(st.binary(max_size=600))
def test_random_bytes_are_a_scenario_or_located_problems(raw):
    outcome(raw)


@examples(700)
@given(st.binary(max_size=200))
def test_random_bytes_after_a_valid_start(raw):
    outcome(MINI.encode("utf-8")[: len(MINI) // 2] + raw)


@examples(1200)
@given(yaml_text | st.text(max_size=300))
def test_random_text_through_the_gateway(text):
    try:
        with no_hang():
            document = read_yaml(text, SOURCE)
    except YamlError as exc:
        located(exc.problems, text)
        return
    # Read text is plain data with a location for its root.
    assert () in document.values
    assert not isinstance(document.data, (set, tuple, bytes))
    outcome(text)


@examples(800)
@given(any_data, st.sampled_from([False, True, None]))
def test_random_yaml_documents(value, flow):
    outcome(dump(value, flow=flow))


# ----------------------------------------------------------------------------- a valid scenario, mangled
@examples(1200)
@given(mutated(MINI_DATA), st.sampled_from([False, True]))
def test_mangled_scenario_data(data, flow):
    outcome(dump(data, flow=flow))


@examples(800)
@given(st.lists(st.tuples(st.integers(0, len(MINI)), st.integers(0, 12), yaml_text.map(lambda t: t[:8])), min_size=1, max_size=4))
def test_mangled_scenario_text(edits):
    """Characters cut out of the scenario's text and others put in their place, at random positions."""
    text = MINI
    for start, length, inserted in edits:
        text = text[:start] + inserted + text[start + length :]
    outcome(text)


@examples(400)
@given(st.lists(st.integers(min_value=0, max_value=MINI.count("\n")), max_size=6), st.text(max_size=10))
def test_mangled_scenario_lines(dropped, inserted):
    lines = MINI.split("\n")
    for index in sorted(set(dropped), reverse=True):
        lines[index] = inserted
    outcome("\n".join(lines))


def test_the_unmangled_fixtures_load():
    """The baselines of the mutations are valid, so the tests above start from a scenario and a bank that load."""
    assert outcome(MINI) == "scenario"
    assert outcome(dump(MINI_DATA)) == "scenario"
    assert len(load_bank_file(FIXTURES / "exam-bank" / "bank.yaml", RUBRIC).bank.questions) == 8


# ------------------------------------------------------------------------------- deep nesting, huge scalars
@pytest.mark.parametrize("depth", [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 1_000, 400_000])
@pytest.mark.parametrize("style", ["flow-list", "flow-map", "block-map", "block-list"])
def test_deep_nesting_is_refused_past_the_limit(depth, style):
    # Deep, but within the 1 MiB size limit, so that the nesting limit is what answers.
    if style == "flow-list":
        text = "[" * depth + "]" * depth
    elif style == "flow-map":
        depth = min(depth, 200_000)
        text = "{a: " * depth + "1" + "}" * depth
    elif style == "block-map":
        depth = min(depth, 900)  # two more spaces of indentation per level
        text = "".join(f"{'  ' * level}k:\n" for level in range(depth)) + "  " * depth + "end\n"
    else:
        depth = min(depth, 900)
        text = "".join(f"{'  ' * level}-\n" for level in range(depth)) + "  " * depth + "end\n"
    assert len(text) <= MAX_BYTES
    with no_hang():
        try:
            read_yaml(text, SOURCE)
        except YamlError as exc:
            located(exc.problems, text)
            deep = [p for p in exc.problems if p.message == f"the data is nested more than {MAX_DEPTH} levels deep"]
            assert (len(deep) == 1) == (depth > MAX_DEPTH), exc.problems
        else:
            assert depth <= MAX_DEPTH
    assert outcome(text) == "problems"  # never a scenario, but always a clean answer


SIZES = [0, 3_999, 4_000, 4_001, 100_000, MAX_BYTES - 2_000, MAX_BYTES - 600, MAX_BYTES - 1, MAX_BYTES + 1, MAX_BYTES + 50_000]


@examples(60)
@given(
    st.sampled_from(SIZES) | st.integers(0, MAX_BYTES + 50_000),
    st.sampled_from(["title", "summary", "say", "key", "comment"]),
    st.sampled_from(["a", "é", "'", "\\n"]),
)
def test_huge_scalars(size, where, unit):
    """A scalar of up to a megabyte and more, in a field, a key or a comment: the size limit or the field limit."""
    blob = unit * (size // len(unit.encode("utf-8")))
    if where == "title":
        text = MINI.replace("title: A short check-in", f'title: "{blob}"' if unit == "\\n" else f"title: {blob!r}")
    elif where == "summary":
        text = MINI.replace("summary: Sam is thinking about going back to school.", f"summary: >\n  {blob}")
    elif where == "say":
        text = MINI.replace('say: "Let\'s sign you up for classes this week."', f"say: {blob!r}")
    elif where == "key":
        text = MINI.replace("difficulty: 1", f"difficulty: 1\n{blob!r}: 1")
    else:
        text = MINI + f"# {blob}\n"
    result = outcome(text)
    if len(text.encode("utf-8")) > MAX_BYTES:
        with pytest.raises(YamlError, match=r"the file is too large \([\d,]+ bytes; the limit is 1,048,576 bytes\)"):
            read_yaml(text, SOURCE)
    if where == "comment" and len(text.encode("utf-8")) <= MAX_BYTES:
        assert result == "scenario"


@pytest.mark.parametrize("size", [4000, 4001])
def test_a_field_at_and_past_its_length_limit(size):
    text = MINI.replace("title: A short check-in", f"title: {'x' * size}")
    if size <= 4000:
        assert outcome(text) == "scenario"
    else:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(text, RUBRIC, source=SOURCE)
        assert [str(p) for p in caught.value.problems] == [f"{SOURCE}:3:8: title: String should have at most 4000 characters"]


# ------------------------------------------------------------------------------------ the question bank
@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="peersim-fuzz-") as name:
        yield Path(name)


def bank_outcome(folder: Path, content: str | bytes) -> str:
    path = folder / "bank.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    try:
        with no_hang():
            loaded = load_bank_file(path, RUBRIC)
    except ScenarioError as exc:
        located(exc.problems, content, source=str(path))
        return tally("problems")
    assert isinstance(loaded, LoadedBank)
    for question in loaded.bank.questions:
        assert 1 <= question.key <= len(question.options)
    return tally("bank")


@examples(1000)
@given(data=mutated(BANK_DATA), flow=st.sampled_from([False, True]))
def test_mangled_question_banks(folder, data, flow):
    bank_outcome(folder, dump(data, flow=flow))


@examples(400)
@given(raw=st.binary(max_size=300) | yaml_text.map(str.encode))
def test_random_input_to_the_bank_loader(folder, raw):
    bank_outcome(folder, raw)


@examples(400)
@given(data=st.one_of(mutated(MINI_DATA), mutated(BANK_DATA), any_data))
def test_checking_a_folder_never_raises(folder, data):
    """check_paths tells scenarios from banks by their keys; whatever a file holds, it reports, never raises."""
    path = folder / "checked" / "file.yaml"
    path.parent.mkdir(exist_ok=True)
    text = dump(data)
    path.write_text(text, encoding="utf-8")
    with no_hang():
        report = check_paths([path.parent], RUBRIC)
    assert report.files == 1
    assert len(report.loaded) + len(report.banks) <= 1
    if report.errors:
        located(report.problems, text, source=str(path))
    else:
        assert len(report.loaded) + len(report.banks) == 1
