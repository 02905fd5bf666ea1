"""Load scenarios and rubrics from files or text: gateway -> model -> checks, with located problems.

One validator, several callers: the CLI, the Streamlit pages (via ``ui``), and the tests that check the
shipped library all go through :func:`load_scenario` / :func:`check_paths`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

from scenarios.checks import check_scenario
from scenarios.gateway import Problem, YamlDocument, YamlError, read_yaml, read_yaml_file
from scenarios.lint import lint_collection, lint_scenario
from scenarios.model import Scenario
from scenarios.questions import QuestionBank, check_bank, check_near_duplicates
from scenarios.rubric import Rubric
from scenarios.validate import to_model

LIBRARY_DIR = Path(__file__).resolve().parent / "library"
BANK_DIR = Path(__file__).resolve().parent / "bank"
DEFAULT_RUBRIC = Path(__file__).resolve().parent.parent / "scoring" / "rubric.yaml"
SUFFIXES = (".yaml", ".yml")


class ScenarioError(YamlError):
    """A scenario (or rubric) that cannot be used, with every problem found in it."""


@dataclass(frozen=True)
class LoadedScenario:
    """A checked scenario with its source text, version, and any warnings."""

    scenario: Scenario
    source: str
    text: str
    content_hash: str
    warnings: tuple[Problem, ...] = ()

    @property
    def id(self) -> str:
        return self.scenario.id


def load_rubric(path: str | Path = DEFAULT_RUBRIC) -> Rubric:
    """Read and validate a rubric file through the gateway."""
    try:
        doc = read_yaml_file(path)
        return to_model(doc, Rubric, what="rubric")
    except YamlError as exc:
        raise ScenarioError(exc.problems) from None


def _from_document(doc: YamlDocument, rubric: Rubric, *, lint: bool = False) -> LoadedScenario:
    scenario = to_model(doc, Scenario, what="scenario")
    findings = check_scenario(scenario, rubric)
    problems = [doc.problem(f.path, f.message, key=f.at_key, severity=f.severity) for f in findings]
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise ScenarioError(sorted(problems, key=lambda p: (p.line, p.column)))
    if lint:
        problems += [doc.problem(f.path, f.message, key=f.at_key, severity=f.severity) for f in lint_scenario(scenario, rubric)]
    warnings = tuple(sorted(problems, key=lambda p: (p.line, p.column)))
    return LoadedScenario(scenario, doc.source, doc.text, scenario.content_hash(), warnings)


@dataclass(frozen=True)
class LoadedBank:
    """A checked question-bank file."""

    bank: QuestionBank
    source: str


def _is_bank(doc: YamlDocument) -> bool:
    return isinstance(doc.data, dict) and "questions" in doc.data and "nodes" not in doc.data


def _bank_from_document(doc: YamlDocument, rubric: Rubric) -> LoadedBank:
    bank = to_model(doc, QuestionBank, what="question bank")
    problems = [doc.problem(f.path, f.message, key=f.at_key, severity=f.severity) for f in check_bank(bank, rubric)]
    if any(p.severity == "error" for p in problems):
        raise ScenarioError(sorted(problems, key=lambda p: (p.line, p.column)))
    return LoadedBank(bank, doc.source)


T = TypeVar("T")


def _load(read: Callable[[], YamlDocument], build: Callable[[YamlDocument, Rubric], T], rubric: Rubric) -> T:
    """Read through the gateway and build; every failure is a ScenarioError listing all its problems."""
    try:
        return build(read(), rubric)
    except ScenarioError:
        raise
    except YamlError as exc:
        raise ScenarioError(exc.problems) from None


def load_bank_file(path: str | Path, rubric: Rubric) -> LoadedBank:
    return _load(lambda: read_yaml_file(path), _bank_from_document, rubric)


def load_scenario(content: str | bytes, rubric: Rubric, source: str = "<scenario>", *, lint: bool = False) -> LoadedScenario:
    """Load a scenario from text (an upload, an editor buffer, a stored version).

    With ``lint=True`` the teaching lint (:mod:`scenarios.lint`) adds its warnings to ``warnings``; it runs only
    on a scenario without errors (errors raise :class:`ScenarioError` as always).
    """
    return _load(lambda: read_yaml(content, source), partial(_from_document, lint=lint), rubric)


def load_scenario_file(path: str | Path, rubric: Rubric, *, lint: bool = False) -> LoadedScenario:
    return _load(lambda: read_yaml_file(path), partial(_from_document, lint=lint), rubric)


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given; folders as every .yaml/.yml file below them, sorted."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in SUFFIXES and p.is_file()))
        else:
            found.append(path)
    return found


@dataclass
class Report:
    """The outcome of checking many files."""

    loaded: list[LoadedScenario] = field(default_factory=list)
    banks: list[LoadedBank] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def check_paths(paths: Iterable[str | Path], rubric: Rubric, *, lint: bool = False) -> Report:
    """Load every scenario and question-bank file under ``paths``; collect every problem, ids used twice too.

    With ``lint=True`` each scenario without errors is also linted, and the lint's warnings join ``problems``,
    followed by those of the rules across files (:func:`scenarios.lint.lint_collection`). Near-duplicate bank
    items (:func:`scenarios.questions.check_near_duplicates`) are errors, checked across every bank file given.
    """
    report = Report()
    first_file: dict[str, LoadedScenario] = {}
    first_question: dict[str, str] = {}
    scenario_docs: list[tuple[YamlDocument, Scenario]] = []
    bank_docs: list[tuple[YamlDocument, QuestionBank]] = []
    for path in expand_paths(paths):
        report.files += 1
        if not path.exists():
            report.problems.append(Problem(str(path), 1, 1, "no such file or folder"))
            continue
        try:
            doc = read_yaml_file(path)
            if _is_bank(doc):
                bank = _bank_from_document(doc, rubric)
                for index, question in enumerate(bank.bank.questions):
                    if question.id in first_question:
                        report.problems.append(
                            doc.problem(
                                ("questions", index, "id"),
                                f"question id '{question.id}' is already used in {first_question[question.id]}",
                            )
                        )
                    first_question.setdefault(question.id, bank.source)
                report.banks.append(bank)
                bank_docs.append((doc, bank.bank))
                continue
            loaded = _from_document(doc, rubric, lint=lint)
        except YamlError as exc:
            report.problems.extend(exc.problems)
            continue
        report.problems.extend(loaded.warnings)
        if path.stem != loaded.id:
            report.problems.append(
                Problem(loaded.source, _line_of_id(loaded.text), 1, f"name the file '{loaded.id}.yaml' after its id", "warning")
            )
        if loaded.id in first_file:
            doc_line = _line_of_id(loaded.text)
            report.problems.append(
                Problem(
                    loaded.source, doc_line, 1, f"scenario id '{loaded.id}' is already used by {first_file[loaded.id].source}"
                )
            )
            continue
        first_file[loaded.id] = loaded
        report.loaded.append(loaded)
        scenario_docs.append((doc, loaded.scenario))
    report.problems.extend(check_near_duplicates(bank_docs))
    if lint:
        report.problems.extend(lint_collection(scenario_docs, bank_docs))
    return report


def _line_of_id(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("id:"):
            return number
    return 1


def load_library(folder: str | Path = LIBRARY_DIR, rubric: Rubric | None = None) -> Report:
    """The shipped (or a given) library, checked; callers show ``report.problems`` to authors."""
    return check_paths([folder], rubric if rubric is not None else load_rubric())
