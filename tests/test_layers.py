"""The dependency direction of DESIGN.md, checked on the imports themselves (ruff's TID251 checks it too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

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


# ------------------------------------------------------------------------------------ records/ as a stack
# Every module of records/ in one layer (docs/architecture.md has the same table; a test below keeps them equal).
RECORDS_LAYERS = {
    "foundation": {
        "access",
        "audit",
        "base",
        "clock",
        "csv_safety",
        "db",
        "errors",
        "migrations",
        "passwords",
        "tables",
        "throttle",
    },
    "rows": {
        "cards",
        "codes",
        "cohort_rows",
        "decisions",
        "export_rows",
        "identity",
        "lti_rows",
        "personal_data",
        "roster",
        "scored",
        "summaries",
        "versions",
        "xapi_rows",
    },
    "repositories": {
        "accounts",
        "assignments",
        "analytics",
        "authored",
        "cohorts",
        "exams",
        "export",
        "invitations",
        "live",
        "lti",
        "practice",
        "recovery",
        "rescore",
        "spaced",
        "xapi",
    },
    "facade": {"store"},
    "entry": {"__init__", "__main__"},
}
LAYER_OF = {module: layer for layer, modules in RECORDS_LAYERS.items() for module in modules}
MAY_IMPORT = {  # a layer -> the layers of records/ it may import
    "foundation": {"foundation"},
    "rows": {"foundation", "rows"},
    "repositories": {"foundation", "rows"},
    "facade": {"foundation", "rows", "repositories"},
    "entry": {"foundation", "rows", "repositories", "facade"},
}


def records_module(path: Path) -> str:
    """records/practice.py -> practice; records/migrations/env.py -> migrations."""
    return path.relative_to(ROOT / "records").parts[0].removesuffix(".py")


def records_imports(path: Path) -> set[str]:
    """The records/ modules a file imports (``from records import audit`` names records.audit; ``from records
    import Store`` names the package itself, ``__init__``), wherever the import statement is (lazy ones too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"records.{alias.name}" for alias in node.names] if node.module == "records" else [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] != "records":
                continue
            if len(parts) == 1 or not ((ROOT / "records" / f"{parts[1]}.py").exists() or (ROOT / "records" / parts[1]).is_dir()):
                found.add("__init__")
            else:
                found.add(parts[1])
    return found


def records_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "records").rglob("*.py")):
        module = records_module(path)
        graph.setdefault(module, set()).update(records_imports(path) - {module})
    return graph


def test_every_records_module_has_one_layer():
    assert set(records_graph()) == set(LAYER_OF)


def test_records_layers_import_only_downwards():
    """Foundation imports only foundation; row helpers the foundation and each other; a repository never imports
    another repository or the Store; nothing but the package's entry points imports the Store."""
    offenders = sorted(
        f"{module} ({LAYER_OF[module]}) imports {target} ({LAYER_OF.get(target, '?')})"
        for module, targets in records_graph().items()
        for target in targets
        if LAYER_OF.get(target) not in MAY_IMPORT[LAYER_OF[module]]
    )
    assert offenders == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path that starts and ends at the same module, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (cycle := visit(target)) is not None:
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)) is not None:
            return cycle
    return None


def test_records_has_no_import_cycle():
    graph = {module: targets - {"__init__"} for module, targets in records_graph().items() if module != "__init__"}
    assert find_cycle(graph) is None


def test_the_guard_sees_cycles_and_lazy_imports(tmp_path):
    assert find_cycle({"store": {"live"}, "live": {"store"}}) == ["live", "store", "live"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    lazy = tmp_path / "lazy.py"
    lazy.write_text("from records import audit, Store\n\ndef f():\n    from records.store import Store\n", encoding="utf-8")
    assert records_imports(lazy) == {"audit", "store", "__init__"}


# ------------------------------------------------------------------------ the documented layers
def markdown_table(path: Path, first_header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``| first_header |``, cells stripped of
    spaces and backticks."""
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip().strip("`") for cell in line.strip().strip("|").split("|")])
    return rows


def test_the_documented_package_layers_are_the_guarded_ones():
    rows = markdown_table(ROOT / "docs" / "architecture.md", "package")
    documented = {package: {name.strip() for name in banned.split(",")} for package, _what, banned in rows}
    assert documented == FORBIDDEN


def test_the_documented_records_stack_is_the_guarded_one():
    rows = markdown_table(ROOT / "docs" / "architecture.md", "records module")
    documented = {module: layer for module, layer, _what in rows}
    assert documented == LAYER_OF


# ------------------------------------------------------------------------ ruff's bans, layer by layer
@pytest.mark.parametrize(
    ("path", "module", "banned"),
    [
        ("scenarios/probe.py", "scoring", True),
        ("scoring/probe.py", "scenarios", False),
        ("scoring/probe.py", "records", True),
        ("scoring/probe.py", "streamlit", True),
        ("records/probe.py", "sqlalchemy", False),
        ("records/probe.py", "scoring", False),
        ("records/probe.py", "streamlit", True),
        ("records/probe.py", "records.store", True),
        ("records/__init__.py", "records.store", False),
        ("ui/probe.py", "streamlit", False),
        ("ui/probe.py", "records", False),
        ("ui/probe.py", "sqlalchemy", True),
        ("ui/probe.py", "records.tables", True),
        ("pages/probe.py", "ui", False),
        ("pages/probe.py", "sqlalchemy", True),
        ("pages/probe.py", "records.db", True),
        ("pages/probe.py", "yaml", True),
    ],
)
def test_ruff_bans_what_each_layer_may_not_import(path, module, banned):
    """Each layer's ruff.toml lifts only what that layer may use (ruff reads the closest configuration file)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "TID251", "--stdin-filename", path, "-"],
        input=f"import {module}\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert ("TID251" in result.stdout) is banned, result.stdout + result.stderr


def test_the_readme_layout_names_every_top_level_part():
    """The README's Layout block lists each code folder and entry script at the top level, and nothing that is
    not there (the layers themselves are checked against docs/architecture.md above)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    listed = {line.split()[0].rstrip("/") for line in block.splitlines() if line and not line.startswith(" ")}
    present = {
        p.name
        for p in ROOT.iterdir()
        if (p.is_dir() and not p.name.startswith(".") and p.name not in {"artifacts", "__pycache__"} and any(p.rglob("*.py")))
        or (p.suffix == ".py")
    } | {"docs"}
    assert listed == present
