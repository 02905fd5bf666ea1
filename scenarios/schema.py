"""The JSON Schema of the scenario format, for editors' YAML language servers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenarios.model import Scenario
from scenarios.questions import QuestionBank

SCHEMA_FILE = Path(__file__).resolve().parent / "scenario.schema.json"
BANK_SCHEMA_FILE = Path(__file__).resolve().parent / "question-bank.schema.json"


def scenario_schema() -> dict[str, Any]:
    schema = Scenario.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
    }


def bank_schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **QuestionBank.model_json_schema()}
