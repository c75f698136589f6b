"""`gqlauth matrix`: the permission table a person reads (text, Markdown, HTML or JSON) on stdout."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transformer.commands.options import (
    auth_modes_option,
    group_file_option,
    parse_auth_modes,
    quiet_option,
    schema_argument,
)
from transformer.diagnostics import has_errors
from transformer.emit_permissions import FORMATS, render_table
from transformer.project import load_project
from transformer.report import (
    EXIT_INPUT_ERRORS,
    EXIT_OK,
    guarded,
    print_diagnostics,
    stderr_console,
    summary_line,
    terminal_width,
)


@click.command()
@schema_argument
@group_file_option
@auth_modes_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@quiet_option
@guarded
def matrix(schema: Path, group_file: Path | None, auth_modes: str | None, fmt: str, quiet: bool) -> None:
    """Print who may do what on every model of SCHEMA, per role and operation, with field limits."""
    modes = parse_auth_modes(auth_modes)
    project, diagnostics = load_project(schema, group_file_path=group_file, auth_modes=modes)
    print_diagnostics(diagnostics, quiet=quiet)
    if project is None or has_errors(diagnostics):
        stderr_console().print(summary_line(diagnostics))
        sys.exit(EXIT_INPUT_ERRORS)
    click.echo(render_table(project.matrix, project.group_file, fmt, width=terminal_width()), nl=False)
    sys.exit(EXIT_OK)
