"""The scenario format: models, the one YAML gateway, checks and the CLI. Pure: no Streamlit, no database."""

from scenarios.checks import Finding, check_scenario
from scenarios.gateway import Location, Problem, YamlDocument, YamlError, read_yaml, read_yaml_file
from scenarios.lint import lint_scenario
from scenarios.loader import (
    DEFAULT_RUBRIC,
    LIBRARY_DIR,
    LoadedScenario,
    Report,
    ScenarioError,
    check_paths,
    load_library,
    load_rubric,
    load_scenario,
    load_scenario_file,
)
from scenarios.model import DOMAIN_IDS, STAGE_LABELS, STAGES, Choice, Ending, Node, Peer, Scenario
from scenarios.rubric import Criterion, Domain, Kind, Rubric

__all__ = [
    "DEFAULT_RUBRIC",
    "DOMAIN_IDS",
    "LIBRARY_DIR",
    "STAGES",
    "STAGE_LABELS",
    "Choice",
    "Criterion",
    "Domain",
    "Ending",
    "Finding",
    "Kind",
    "LoadedScenario",
    "Location",
    "Node",
    "Peer",
    "Problem",
    "Report",
    "Rubric",
    "Scenario",
    "ScenarioError",
    "YamlDocument",
    "YamlError",
    "check_paths",
    "check_scenario",
    "lint_scenario",
    "load_library",
    "load_rubric",
    "load_scenario",
    "load_scenario_file",
    "read_yaml",
    "read_yaml_file",
]
