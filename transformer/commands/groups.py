"""`gqlauth groups list|add|remove|order`: edit user-pool-group-precedence.json as Amplify's walkthrough does.

Every edit keeps unknown keys and `customPolicies`, writes Amplify's formatting, and replaces the file
atomically (a temporary file in the same directory, then `os.replace`), so a crash never leaves a
half-written group file behind.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
from rich.table import Table

from transformer.amplify_layout import ProjectLayoutError, amplify_backend, documented_group_file, resolve_schema_path
from transformer.diagnostics import Diagnostic, error, has_errors
from transformer.iam_policy import lint_group_file
from transformer.parse import load_schema
from transformer.precedence import (
    GROUP_FILE_NAME,
    GroupFile,
    dump_group_file,
    find_group_file,
    load_group_file,
    parse_group_file,
)
from transformer.report import EXIT_INPUT_ERRORS, fail_usage, guarded, print_diagnostics, stderr_console

_GROUP_FILE_HELP = (
    "The Cognito group file. Default: beside --schema or in the current directory, or where Amplify keeps it."
)


def _group_file_option(function: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--group-file",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=_GROUP_FILE_HELP,
    )(function)


def _schema_option(function: click.decorators.FC) -> click.decorators.FC:
    with_api = click.option(
        "--api",
        default=None,
        metavar="NAME",
        help="The Amplify API whose schema to use, when the project has several.",
    )(function)
    return click.option(
        "--schema",
        type=click.Path(path_type=Path, exists=True),
        default=None,
        help="The schema whose rules may name groups. Default: schema.graphql here or in the Amplify project.",
    )(with_api)


def _schema_path(schema: Path | None, api: str | None) -> Path | None:
    if schema is None and api is not None:
        schema = Path.cwd()
    return resolve_schema_path(schema, api) if schema is not None else None


def locate_group_file(group_file: Path | None, schema: Path | None) -> Path | None:
    """The file to read or edit: --group-file, else the one the schema's project uses, else the one here."""
    if group_file is not None:
        return group_file
    if schema is not None:
        found = find_group_file(schema)
        if found is not None:
            return found
    return find_group_file(Path.cwd())


def new_group_file_path(schema: Path | None) -> Path:
    """Where a first group file goes: Amplify's documented place in an Amplify project, else beside the schema."""
    start = schema if schema is not None else Path.cwd()
    backend = amplify_backend(start if start.is_dir() else start.parent)
    if backend is not None:
        return documented_group_file(backend)
    home = (schema if schema.is_dir() else schema.parent) if schema is not None else Path.cwd()
    return home / GROUP_FILE_NAME


def _load_for_edit(path: Path | None, *, create: bool, schema: Path | None = None) -> tuple[Path, GroupFile]:
    """The current file; a new empty one (in Amplify's place, else beside the schema or here) when allowed.

    Exits 1 on invalid content, 2 when there is no file to edit.
    """
    if path is None:
        if not create:
            fail_usage(f"no {GROUP_FILE_NAME} found here or in an Amplify project; pass --group-file FILE")
        path = new_group_file_path(schema)
    if not path.exists() and create:
        return path, GroupFile([])
    group_file, diagnostics = load_group_file(path)
    if group_file is None:
        print_diagnostics(diagnostics)
        stderr_console().print(f"{path}: not changed: fix the errors above first", markup=False)
        sys.exit(EXIT_INPUT_ERRORS)
    return path, group_file


def write_group_file_atomically(path: Path, group_file: GroupFile) -> None:
    text = dump_group_file(group_file)
    parsed, diagnostics = parse_group_file(text, str(path))
    if parsed is None:  # never write a file we could not read back
        raise AssertionError("; ".join(d.render() for d in diagnostics))
    directory = path.resolve().parent
    directory.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        fail_usage(f"{path}: cannot write: {exc.strerror or exc}")
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _report(diagnostics: list[Diagnostic]) -> None:
    if diagnostics:
        print_diagnostics(diagnostics)
    if has_errors(diagnostics):
        sys.exit(EXIT_INPUT_ERRORS)


@click.group()
def groups() -> None:
    """List and edit the Cognito groups and their precedence (user-pool-group-precedence.json)."""


@groups.command(name="list")
@_group_file_option
@_schema_option
@click.option("--json", "as_json", is_flag=True, help="Print the groups as JSON on stdout.")
@guarded
def list_groups(group_file: Path | None, schema: Path | None, api: str | None, as_json: bool) -> None:
    """Show the groups, lowest precedence (the winning role) first."""
    path = locate_group_file(group_file, _schema_path(schema, api))
    if path is None:
        fail_usage(f"no {GROUP_FILE_NAME} found here or in an Amplify project; pass --group-file FILE")
        return
    loaded, diagnostics = load_group_file(path)
    if loaded is not None:
        diagnostics += lint_group_file(loaded, str(path))
    print_diagnostics(diagnostics)
    if loaded is None:
        sys.exit(EXIT_INPUT_ERRORS)
    ordered = loaded.by_precedence()
    if as_json:
        rows = [
            {
                "groupName": g.groupName,
                "precedence": g.precedence,
                "customPolicies": [p.PolicyName for p in g.policies()],
            }
            for g in ordered
        ]
        click.echo(json.dumps({"file": str(path), "groups": rows}, indent=2))
        return
    table = Table(title=str(path))
    table.add_column("precedence", justify="right")
    table.add_column("group")
    table.add_column("custom policies")
    for group in ordered:
        table.add_row(str(group.precedence), group.groupName, ", ".join(p.PolicyName for p in group.policies()) or "-")
    stderr_console().print(table)


@groups.command()
@click.argument("name")
@click.option("--precedence", type=click.IntRange(0, 2**31 - 1), default=None, help="Default: the largest plus one.")
@_group_file_option
@_schema_option
@guarded
def add(name: str, precedence: int | None, group_file: Path | None, schema: Path | None, api: str | None) -> None:
    """Add group NAME (created with the file if there is none yet)."""
    schema_path = _schema_path(schema, api)
    path, current = _load_for_edit(locate_group_file(group_file, schema_path), create=True, schema=schema_path)
    if current.get(name) is not None:
        _report([error("group-exists", f'group "{name}" already exists', file=str(path))])
    if precedence is None:
        precedence = max((g.precedence for g in current), default=0) + 1
    entries = [*(g.to_json() for g in current), {"groupName": name, "precedence": precedence}]
    candidate, diagnostics = parse_group_file(json.dumps(entries), str(path))
    about_new = [d for d in diagnostics if (d.json_path or "").startswith(f"[{len(current)}]")]
    if candidate is None:
        _report(about_new or diagnostics)
        return
    write_group_file_atomically(path, current.with_groups(candidate.root))
    print_diagnostics(about_new)
    stderr_console().print(f"{path}: added {name} with precedence {precedence}", markup=False)


def rules_naming(schema_path: Path, group: str) -> tuple[list[str], list[Diagnostic]]:
    """Where the schema's rules name GROUP (`file:line:col`), or diagnostics when it cannot be read."""
    schema, diagnostics = load_schema(schema_path)
    if schema is None or has_errors(diagnostics):
        return [], [d for d in diagnostics if d.severity.value == "error"]
    places = []
    for rule in schema.rules_naming_group(group):
        where = rule.location
        places.append(f"{where.file}:{where.line}:{where.column}" if where else schema_path.name)
    return places, []


@groups.command()
@click.argument("name")
@click.option("--force", is_flag=True, help="Remove even though schema rules still name the group.")
@_group_file_option
@_schema_option
@guarded
def remove(name: str, force: bool, group_file: Path | None, schema: Path | None, api: str | None) -> None:
    """Remove group NAME, unless a rule in the schema still grants it access."""
    chosen = _schema_path(schema, api)
    path, current = _load_for_edit(locate_group_file(group_file, chosen), create=False)
    if current.get(name) is None:
        _report(
            [
                error(
                    "group-unknown",
                    f'no group "{name}" in this file (groups: {", ".join(current.names()) or "none"})',
                    file=str(path),
                )
            ]
        )
    if not force:
        schema_path = chosen or _default_schema(path)
        if schema_path is None or not schema_path.exists():
            _report(
                [
                    error(
                        "group-remove-unchecked",
                        f'cannot check whether a schema rule names "{name}": no schema '
                        "found; pass --schema FILE (or --force)",
                        file=str(path),
                    )
                ]
            )
            return
        places, problems = rules_naming(schema_path, name)
        if problems:
            _report(
                [
                    *problems,
                    error(
                        "group-remove-unchecked",
                        f'{schema_path} has errors, so "{name}" cannot be checked; fix them or use --force',
                        file=str(path),
                    ),
                ]
            )
        if places:
            _report(
                [
                    error(
                        "group-in-use",
                        f'"{name}" is still named by {len(places)} rule(s) at {", ".join(places)}; '
                        "change those rules first or use --force",
                        file=str(path),
                    )
                ]
            )
    write_group_file_atomically(path, current.with_groups([g for g in current if g.groupName != name]))
    stderr_console().print(f"{path}: removed {name}", markup=False)


def _default_schema(group_file_path: Path) -> Path | None:
    """schema.graphql in the current directory, or the Amplify project that holds the group file."""
    try:
        return resolve_schema_path(Path.cwd())
    except ProjectLayoutError:
        pass
    for directory in group_file_path.resolve().parents:
        if directory.name == "amplify":
            return resolve_schema_path(directory.parent)
    return None


@groups.command()
@click.argument("names", nargs=-1, required=True)
@_group_file_option
@_schema_option
@guarded
def order(names: tuple[str, ...], group_file: Path | None, schema: Path | None, api: str | None) -> None:
    """Renumber precedence 1..n in the order NAMES are given (groups not named follow in their order)."""
    path, current = _load_for_edit(locate_group_file(group_file, _schema_path(schema, api)), create=False)
    if len(set(names)) != len(names):
        fail_usage("a group is named more than once")
    unknown = [n for n in names if current.get(n) is None]
    if unknown:
        _report(
            [
                error(
                    "group-unknown",
                    f"unknown group(s): {', '.join(unknown)} (groups: {', '.join(current.names())})",
                    file=str(path),
                )
            ]
        )
    ranked = [current.get(n) for n in names] + [g for g in current.by_precedence() if g.groupName not in names]
    precedence_of = {group.groupName: rank for rank, group in enumerate(ranked, start=1) if group is not None}
    updated = [group.with_precedence(precedence_of[group.groupName]) for group in current]
    write_group_file_atomically(path, current.with_groups(updated))
    summary = ", ".join(f"{g.groupName}={precedence_of[g.groupName]}" for g in ranked if g is not None)
    stderr_console().print(f"{path}: precedence {summary}", markup=False)
