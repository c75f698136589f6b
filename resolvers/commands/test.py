"""`gqlauth test`: run declarative access suites against the guards.

Each failing case is printed with what differed and the decision's explanation; the last line is
`N passed, N failed`. Exit codes: 0 all passed, 1 a case failed or a suite is invalid, 2 unreadable
file or unknown engine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from resolvers.suite import ENGINES, SuiteReport, run_suite
from transformer.report import fail_usage, guarded, stdout_console


def _print_report(console: Console, report: SuiteReport) -> None:
    for result in report.results:
        if result.passed:
            continue
        console.print(Text.assemble(("FAIL", "bold red"), f" {report.suite} :: {result.id}"))
        if result.description:
            console.print(f"  {result.description}", markup=False)
        for mismatch in result.mismatches:
            console.print(f"  - {mismatch}", markup=False)
        if result.explanation:
            console.print("  explanation:", markup=False)
            for line in result.explanation:
                console.print(f"    {line}", markup=False)
    console.print(f"{report.path}: {report.passed} passed, {report.failed} failed", markup=False)


@click.command(name="test")
@click.argument("suites", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--engine", default="python", show_default=True, help=f"Decision engine ({', '.join(ENGINES)}).")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON on stdout.")
@guarded
def test(suites: tuple[Path, ...], engine: str, as_json: bool) -> None:
    """Run access test SUITES (conformance format) and report every failing case."""
    if engine not in ENGINES:
        fail_usage(f"unknown engine {engine!r} (available: {', '.join(ENGINES)})")
    reports = [run_suite(path, engine=engine) for path in suites]
    passed = sum(r.passed for r in reports)
    failed = sum(r.failed for r in reports)
    if as_json:
        click.echo(json.dumps({"reports": [r.model_dump() for r in reports], "passed": passed, "failed": failed},
                              indent=2))
    else:
        console = stdout_console()
        for report in reports:
            _print_report(console, report)
        console.print(f"{passed} passed, {failed} failed", markup=False)
    sys.exit(1 if failed else 0)
