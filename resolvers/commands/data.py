"""`gqlauth data load FILE.json [--replace]` and `gqlauth data dump`: seed and export the local store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from resolvers.commands.serve import OpenedProject, load_records_file, open_project, open_store
from resolvers.record_check import RecordChecker, describe
from transformer.commands.options import auth_modes_option, group_file_option
from transformer.diagnostics import read_text
from transformer.report import EXIT_INPUT_ERRORS, guarded, stderr_console

project_option = click.option(
    "--project", "target", type=click.Path(path_type=Path, exists=True), default=None,
    help="Project directory or schema (default: found from the current directory).",
)
db_option = click.option("--db", default=None, help="SQLite file (default: .gqlauth/data.sqlite3; .gqlauth/<api>/data.sqlite3 when the project has several APIs).")
api_option = click.option("--api", default=None, metavar="NAME",
                          help="The Amplify API whose store to use, when the project holds several.")


@click.group("data")
def data() -> None:
    """Seed and export the local store of `gqlauth serve`."""


@data.command("load")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--replace", is_flag=True, help="Empty the store first (in the same transaction).")
@project_option
@api_option
@db_option
@group_file_option
@auth_modes_option
@guarded
def load(file: Path, replace: bool, target: Path | None, api: str | None, db: str | None, group_file: Path | None,
         auth_modes: str | None) -> None:
    """Load FILE (a JSON list or map of records, each with __typename), all or nothing."""
    opened = open_project(target, group_file, auth_modes, show_warnings=False, api=api)
    check_records_file(opened, file)
    with open_store(opened, db) as store:
        counts = load_records_file(store, file, replace=replace)
    summary = ", ".join(f"{count} {model}" for model, count in sorted(counts.items())) or "no records"
    stderr_console().print(f"loaded {summary}{' (store replaced)' if replace else ''}", markup=False)


def check_records_file(opened: OpenedProject, file: Path) -> None:
    """Exit 1 with every problem (JSON path, what is wrong) when a record does not fit the schema."""
    try:
        document = json.loads(read_text(file))
    except json.JSONDecodeError:
        return
    checker = RecordChecker(opened.project.schema, opened.project.matrix)
    problems = checker.problems(document)
    if problems:
        stderr_console().print(f"{file}: error: {len(problems)} record problem(s), nothing was loaded:\n"
                               f"{describe(problems)}", markup=False)
        raise SystemExit(EXIT_INPUT_ERRORS)


@data.command("dump")
@project_option
@api_option
@db_option
@group_file_option
@auth_modes_option
@guarded
def dump(target: Path | None, api: str | None, db: str | None, group_file: Path | None, auth_modes: str | None) -> None:
    """Print every stored record as a JSON list (the format `data load` reads)."""
    opened = open_project(target, group_file, auth_modes, show_warnings=False, api=api)
    with open_store(opened, db) as store:
        records = store.dump()
    click.echo(json.dumps(records, indent=2, ensure_ascii=False))
