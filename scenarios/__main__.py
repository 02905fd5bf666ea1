"""``python -m scenarios``: check scenario files and print the JSON Schema of the format.

A thin CLI over the domain package: it only turns results into messages and exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from scenarios.audit import THRESHOLDS_FILE, ThresholdError, exceeded, format_audit, load_thresholds, run_audit, thresholds_toml
from scenarios.coverage import MIN_CHOICES, MIN_MAIN, MIN_SCENARIOS, catalogue_markdown, coverage, format_coverage
from scenarios.exchange import GiftError, decode_gift, from_gift, to_gift, to_moodle_xml
from scenarios.loader import BANK_DIR, DEFAULT_RUBRIC, LIBRARY_DIR, Report, ScenarioError, check_paths, load_rubric
from scenarios.quality import TooLarge
from scenarios.questions import EXAM_DOMAINS, bank_coverage
from scenarios.rubric import Rubric
from scenarios.schema import scenario_schema


def _rubric(args: argparse.Namespace) -> Rubric | None:
    """The rubric named on the command line, or None after printing its problems."""
    try:
        return load_rubric(args.rubric)
    except ScenarioError as exc:
        for problem in exc.problems:
            print(problem)
        print("the rubric has problems; fix it before checking anything else", file=sys.stderr)
        return None


def _check(args: argparse.Namespace) -> int:
    rubric = _rubric(args)
    if rubric is None:
        return 1
    paths = args.paths or [p for p in (LIBRARY_DIR, BANK_DIR) if p.exists()]
    report = check_paths(paths, rubric, lint=args.lint)
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
    questions = sum(len(b.bank.questions) for b in report.banks)
    asked = f", {questions} question(s)" if report.banks else ""
    print(f"ok: {len(report.loaded)} scenario(s), {decisions} decision points{asked}, no errors{warned}")
    return 0


def _load_all(args: argparse.Namespace, default: Path = LIBRARY_DIR) -> tuple[Rubric, Report] | None:
    """Rubric and files for the commands that need them clean; prints problems and returns None otherwise."""
    rubric = _rubric(args)
    if rubric is None:
        return None
    report = check_paths(args.paths or [default], rubric)
    if not report.ok:
        for problem in report.errors:
            print(problem)
        print(f"{len(report.errors)} error(s): fix them first (python -m scenarios check)", file=sys.stderr)
        return None
    return rubric, report


def _coverage(args: argparse.Namespace) -> int:
    loaded = _load_all(args)
    if loaded is None:
        return 1
    rubric, report = loaded
    result = coverage(
        [s.scenario for s in report.loaded],
        rubric,
        min_choices=args.min_choices,
        min_scenarios=args.min_scenarios,
        min_main=args.min_main,
    )
    print(format_coverage(result))
    if not result.ok:
        short = [c.id for c in result.short_criteria] + [f"domain {d.id}" for d in result.short_domains]
        print(f"below the bar: {', '.join(short)}", file=sys.stderr)
        return 1
    print(f"ok: {len(report.loaded)} scenario(s) cover every criterion and domain")
    return 0


def _bank_coverage(args: argparse.Namespace) -> int:
    loaded = _load_all(args, BANK_DIR)
    if loaded is None:
        return 1
    rubric, report = loaded
    result = bank_coverage([b.bank for b in report.banks], rubric, min_total=args.min_total)
    print(f"questions: {result.total}")
    for title, counts in (
        ("exam domain", {EXAM_DOMAINS[k]: v for k, v in result.by_exam_domain.items()}),
        ("curriculum domain", result.by_domain),
        ("style", result.by_style),
        ("criterion", result.by_criterion),
    ):
        print(f"\n{title:34} {'items':>6}")
        for name, count in counts.items():
            print(f"{name:34} {count:>6}{'  MISSING' if count == 0 and title != 'style' else ''}")
    if result.missing:
        print(f"below the bar: {', '.join(result.missing)}", file=sys.stderr)
        return 1
    print(f"\nok: {result.total} question(s) cover every exam domain, curriculum domain and criterion")
    return 0


def _catalogue(args: argparse.Namespace) -> int:
    loaded = _load_all(args)
    if loaded is None:
        return 1
    rubric, report = loaded
    text = catalogue_markdown([s.scenario for s in report.loaded], rubric)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _audit(args: argparse.Namespace) -> int:
    rubric = _rubric(args)
    if rubric is None:
        return 1
    paths = args.paths or [p for p in (LIBRARY_DIR, BANK_DIR) if p.exists()]
    report = check_paths(paths, rubric)
    if not report.ok:
        for problem in report.errors:
            print(problem)
        print(f"{len(report.errors)} error(s): fix them first (python -m scenarios check)", file=sys.stderr)
        return 1
    if not report.loaded and not report.banks:
        print("no scenario or question-bank files found (looked for .yaml and .yml)", file=sys.stderr)
        return 1
    try:
        audit = run_audit([s.scenario for s in report.loaded], [b.bank for b in report.banks], rubric)
    except TooLarge as exc:
        print(f"cannot audit: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(format_audit(audit))
    if args.write_thresholds:
        Path(args.thresholds).write_text(thresholds_toml(audit), encoding="utf-8")
        print(f"\nwrote today's figures to {args.thresholds}")
    if not args.check:
        return 0
    try:
        thresholds = load_thresholds(Path(args.thresholds))
    except ThresholdError as exc:
        print(f"cannot read the audit thresholds: {exc}", file=sys.stderr)
        return 1
    over = exceeded(audit, thresholds)
    for message in over:
        print(f"above threshold: {message}", file=sys.stderr)
    if over:
        print(
            f"{len(over)} figure(s) above the thresholds in {args.thresholds}: a strategy that reads no meaning gets "
            "further than it did; even out what gives the strongest response away (see docs/writing-scenarios.md)",
            file=sys.stderr,
        )
        return 1
    print(f"\nok: every figure is within the thresholds in {args.thresholds}")
    return 0


def _export_bank(args: argparse.Namespace) -> int:
    loaded = _load_all(args, BANK_DIR)
    if loaded is None:
        return 1
    _, report = loaded
    questions = [q for b in report.banks for q in b.bank.questions]
    if not questions:
        print("no question-bank files found (looked for .yaml and .yml with a questions: list)", file=sys.stderr)
        return 1
    text = to_gift(questions) if args.format == "gift" else to_moodle_xml(questions)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(questions)} question(s) as {args.format} to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _import_gift(args: argparse.Namespace) -> int:
    rubric = _rubric(args)
    if rubric is None:
        return 1
    try:
        text = decode_gift(Path(args.file).read_bytes())
    except OSError as exc:
        print(f"{args.file}: cannot read the file: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except GiftError as exc:
        print(f"{args.file}: {exc}", file=sys.stderr)
        return 1
    result = from_gift(text, rubric)
    sys.stderr.write(result.report())
    if result.yaml:
        if args.out:
            Path(args.out).write_text(result.yaml, encoding="utf-8")
            print(f"wrote the imported questions to {args.out}", file=sys.stderr)
        else:
            sys.stdout.write(result.yaml)
    ready = result.questions and all(q.status == "ready" for q in result.questions)
    return 0 if ready else 1


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

    check = commands.add_parser(
        "check", help="check scenario and question-bank files or folders (default: the library and the bank)"
    )
    check.add_argument("paths", nargs="*", type=Path, help="files or folders to check")
    check.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    check.add_argument(
        "--lint",
        action="store_true",
        help="also warn about teaching problems: giveaways, feedback without a stronger response, hard peer lines, "
        "readiness jumps (see docs/writing-scenarios.md)",
    )
    check.set_defaults(run=_check)

    cover = commands.add_parser("coverage", help="criteria by scenario and choice count; exit 1 below the bar")
    cover.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped library)")
    cover.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    cover.add_argument("--min-choices", type=int, default=MIN_CHOICES, help=f"choices per criterion (default {MIN_CHOICES})")
    cover.add_argument(
        "--min-scenarios", type=int, default=MIN_SCENARIOS, help=f"scenarios per criterion (default {MIN_SCENARIOS})"
    )
    cover.add_argument("--min-main", type=int, default=MIN_MAIN, help=f"scenarios per main domain (default {MIN_MAIN})")
    cover.set_defaults(run=_coverage)

    bank = commands.add_parser("bank-coverage", help="question bank by exam domain, domain and criterion")
    bank.add_argument("paths", nargs="*", type=Path, help="bank files or folders (default: scenarios/bank)")
    bank.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    bank.add_argument("--min-total", type=int, default=150, help="questions needed in all (default 150)")
    bank.set_defaults(run=_bank_coverage)

    catalogue = commands.add_parser("catalogue", help="the library as a Markdown table")
    catalogue.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the shipped library)")
    catalogue.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    catalogue.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    catalogue.set_defaults(run=_catalogue)

    audit = commands.add_parser(
        "audit",
        help="test-wiseness audit: exact expected results of text-only strategies (longest, '?', ...) beside random",
    )
    audit.add_argument("paths", nargs="*", type=Path, help="files or folders (default: the library and the bank)")
    audit.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    audit.add_argument("--check", action="store_true", help="exit 1 when a figure is above its threshold")
    audit.add_argument(
        "--thresholds", type=Path, default=THRESHOLDS_FILE, help="thresholds file (default: scenarios/audit-thresholds.toml)"
    )
    audit.add_argument("--write-thresholds", action="store_true", help="write today's figures to the thresholds file")
    audit.set_defaults(run=_audit)

    export = commands.add_parser(
        "export-bank", help="the question bank as GIFT or Moodle XML, for Moodle's Question bank > Import"
    )
    export.add_argument("paths", nargs="*", type=Path, help="bank files or folders (default: scenarios/bank)")
    export.add_argument("--format", choices=["gift", "moodle-xml"], required=True, help="GIFT text or Moodle XML")
    export.add_argument("--out", "-o", type=Path, help="write to this file instead of standard output")
    export.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    export.set_defaults(run=_export_bank)

    gift = commands.add_parser(
        "import-gift",
        help="GIFT questions to the bank's YAML; the report (on standard error) says by line what each still needs; "
        "exit 1 unless every question is ready for the bank",
    )
    gift.add_argument("file", type=Path, help="the GIFT file")
    gift.add_argument("--out", "-o", type=Path, help="write the YAML to this file instead of standard output")
    gift.add_argument("--rubric", type=Path, default=DEFAULT_RUBRIC, help="rubric file (default: scoring/rubric.yaml)")
    gift.set_defaults(run=_import_gift)

    schema = commands.add_parser("schema", help="print the JSON Schema of the scenario format")
    schema.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")
    schema.set_defaults(run=_schema)

    args = parser.parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
