"""`gqlauth check`: every problem in a schema and its group file, at once."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transformer.commands.options import (
    auth_modes_option,
    conflict_resolution_option,
    group_file_option,
    parse_auth_modes,
    parse_conflict_resolution,
    quiet_option,
    schema_argument,
)
from transformer.diagnostics import has_errors
from transformer.project import load_project
from transformer.report import exit_code_for, guarded, print_diagnostics, shown_path, stderr_console, summary_line


@click.command()
@schema_argument
@group_file_option
@auth_modes_option
@conflict_resolution_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@quiet_option
@guarded
def check(schema: Path, group_file: Path | None, auth_modes: str | None, conflict_resolution: str | None, fmt: str,
          quiet: bool) -> None:
    """Validate SCHEMA's @auth rules and the Cognito group file; print every error and warning."""
    modes = parse_auth_modes(auth_modes)
    project, diagnostics = load_project(schema, group_file_path=group_file, auth_modes=modes,
                                        conflict_resolution=parse_conflict_resolution(conflict_resolution))
    print_diagnostics(diagnostics, fmt, quiet=quiet)
    if fmt == "text" and (not quiet or has_errors(diagnostics)):
        console = stderr_console()
        if project is not None and not quiet:
            group_text = shown_path(project.group_file_path) if project.group_file_path else "none found"
            modes_text = ", ".join(m.value for m in project.auth_modes)
            sync = project.conflict_resolution
            sync_text = (f"; conflict resolution on ({project.conflict_resolution_source})"
                         if sync is not None and sync.enabled else "")
            console.print(
                f"checked {project.schema_path}: {len(project.schema.models)} models; group file: {group_text}; "
                f"auth modes: {modes_text} ({project.auth_modes_source}){sync_text}",
                markup=False,
            )
        console.print(summary_line(diagnostics), markup=False)
    sys.exit(exit_code_for(diagnostics))
