"""`gqlauth transform`: write the output schema, the access matrix and every other build output."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from transformer.commands.deployment_options import deployment_environment, deployment_options
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
from transformer.emit import transform as run_transform
from transformer.progress import Progress
from transformer.project import load_project
from transformer.report import EXIT_INPUT_ERRORS, EXIT_OK, guarded, print_diagnostics, stderr_console, summary_line


@click.command()
@schema_argument
@group_file_option
@auth_modes_option
@conflict_resolution_option
@click.option(
    "-o",
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("build"),
    show_default=True,
    help="The build folder; replaced as a whole, and only when every output was produced. Only a folder "
    "transform made (it holds a .gqlauth-build marker), an empty or a new one is accepted.",
)
@deployment_options
@quiet_option
@guarded
def transform(schema: Path, group_file: Path | None, auth_modes: str | None, conflict_resolution: str | None,
              out_dir: Path, quiet: bool, identity_pool_id: str | None, auth_role_name: str | None,
              unauth_role_name: str | None, admin_roles: tuple[str, ...] | None) -> None:
    """Transform SCHEMA into the AppSync output schema, access matrix, resolvers and stacks."""
    modes = parse_auth_modes(auth_modes)
    environment = deployment_environment(identity_pool_id, auth_role_name, unauth_role_name, admin_roles)
    progress = Progress(enabled=not quiet)
    project, diagnostics = load_project(schema, group_file_path=group_file, auth_modes=modes, environment=environment,
                                        conflict_resolution=parse_conflict_resolution(conflict_resolution))
    print_diagnostics(diagnostics, quiet=quiet)
    console = stderr_console()
    if project is None or has_errors(diagnostics):
        console.print(f"{summary_line(diagnostics)}; nothing written")
        sys.exit(EXIT_INPUT_ERRORS)
    progress(f"checked {len(project.matrix.models)} models")
    written = run_transform(project, out_dir, progress=progress)
    progress.done()
    target = out_dir.resolve()
    names = ", ".join(str(p.relative_to(target)) for p in written if p.parent == target)
    folders = sorted({p.relative_to(target).parts[0] for p in written if p.parent != target})
    extra = f" and {', '.join(f + '/' for f in folders)}" if folders else ""
    modes_text = ", ".join(m.value for m in project.auth_modes)
    sync = project.conflict_resolution
    sync_text = f"; conflict resolution from {project.conflict_resolution_source}" if sync and sync.enabled else ""
    if not quiet:
        console.print(
            f"wrote {out_dir}/: {names}{extra} ({len(written)} files; auth modes: {modes_text}{sync_text}); "
            f"{summary_line(diagnostics)}"
        )
    sys.exit(EXIT_OK)
