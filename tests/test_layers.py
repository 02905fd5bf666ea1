"""The dependency direction of DESIGN.md, checked on the imports themselves (ruff's TID251 checks it too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package -> top-level modules it must never import
FORBIDDEN = {
    "scenarios": {"streamlit", "sqlalchemy", "alembic", "records", "scoring", "ui", "pages", "psycopg"},
    "scoring": {"streamlit", "sqlalchemy", "alembic", "records", "ui", "pages", "psycopg", "yaml"},
    "records": {"streamlit", "ui", "pages", "yaml"},
    "ui": {"yaml", "sqlalchemy", "alembic"},
    "pages": {"yaml", "sqlalchemy", "alembic", "records.tables", "records.db"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downwards(package):
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for module in imported_modules(path):
            for banned in FORBIDDEN[package]:
                if module == banned or module.startswith(banned + "."):
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_only_the_gateway_imports_yaml():
    users = sorted(
        str(p.relative_to(ROOT))
        for folder in ("scenarios", "scoring", "records", "ui", "pages")
        for p in (ROOT / folder).rglob("*.py")
        if "yaml" in imported_modules(p)
    )
    assert users == ["scenarios/gateway.py"]
