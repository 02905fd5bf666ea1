"""``python -m scenarios``: check scenario files and print the JSON Schema of the format.

A thin CLI over the domain package: it only turns results into messages and exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scenarios.loader import DEFAULT_RUBRIC, LIBRARY_DIR, ScenarioError, check_paths, load_rubric
from scenarios.schema import scenario_schema


def _check(args: argparse.Namespace) -> int:
    try:
        rubric = load_rubric(args.rubric)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem)
        print("the rubric has problems; fix it before checking scenarios", file=sys.stderr)
        return 1
    paths = args.paths or [LIBRARY_DIR]
    report = check_paths(paths, rubric)
    for problem in report.problems:
        print(problem)
    if report.files == 0:
        print("no scenario files found (looked for .yaml and .yml)", file=sys.stderr)
        return 1
    if not report.ok:
        print(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in {report.files} file(s)", file=sys.stderr)
        return 1
    decisions = sum(len(s.scenario.nodes) for s in report.loaded)
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    print(f"ok: {len(report.loaded)} scenario(s), {decisions} decision points, no errors{warned}")
    return 0


def _schema(args: argparse.Namespace) -> int:
    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scenarios", description="Check PeerSim scenario files.")
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("check", help="check scenario files or folders (default: the shipped library)")
    check.add_argument("paths", nargs="*", type=Path, help="files or folders to check")
    check.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    check.set_defaults(run=_check)

    schema = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    schema.set_defaults(run=_schema)

    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
