"""`transform`: write every build output for a project, all or nothing.

Emitters are callables `(project, out_dir) -> None` that write their files under `out_dir`. They run
in the order of `EMITTERS` against a temporary folder beside the target, which replaces the target
only when every emitter succeeded; on any error the target is left untouched.

To add an emitter, append it to `EMITTERS`: either the callable itself, or a `"module:function"`
string (imported when the transform runs, so the emitter's module need not import this one).
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from transformer.diagnostics import InputError, has_errors
from transformer.emit_auth_stack import emit_auth_stack
from transformer.emit_schema import emit_output_schema
from transformer.gc_pause import paused_gc
from transformer.output_folder import check_output_folder, project_inputs, write_marker
from transformer.rules import LOCATIONS_RELATIVE_TO
from transformer.storage import find_storage_settings, load_storage_settings

if TYPE_CHECKING:
    from transformer.project import Project

Emitter = Callable[["Project", Path], None]

SCHEMA_FILE = "schema.graphql"
MATRIX_FILE = "access-matrix.json"
AUTH_STACK_FILE = "auth-stack.json"


def emit_schema_file(project: Project, out_dir: Path) -> None:
    (out_dir / SCHEMA_FILE).write_text(
        emit_output_schema(project.schema, project.matrix, admin_roles=bool(project.environment.admin_roles)),
        encoding="utf-8",
    )


def emit_matrix_file(project: Project, out_dir: Path) -> None:
    """`access-matrix.json`, serialized straight from the model (no intermediate dicts: a large API's matrix is big),
    with rule locations relative to the schema's folder."""
    context = {LOCATIONS_RELATIVE_TO: project.schema_path.resolve().parent}
    (out_dir / MATRIX_FILE).write_text(project.matrix.model_dump_json(indent=2, context=context) + "\n", encoding="utf-8")


def emit_auth_stack_file(project: Project, out_dir: Path) -> None:
    """`auth-stack.json` (groups, group roles, storage grants) when there is a group file."""
    if project.group_file is None:
        return
    storage = None
    storage_path = find_storage_settings(project.schema_path)
    if storage_path is not None:
        storage, diagnostics = load_storage_settings(storage_path, project.group_file)
        if has_errors(diagnostics):
            raise InputError(diagnostics)
    template = emit_auth_stack(project.group_file, project.environment, storage)
    (out_dir / AUTH_STACK_FILE).write_text(json.dumps(template, indent=2) + "\n", encoding="utf-8")


EMITTERS: list[Emitter | str] = [
    emit_schema_file,
    emit_matrix_file,
    "transformer.emit_stack:emit_stack_file",
    emit_auth_stack_file,
]
"""Every build output, in order. Append yours (a callable or "module:function")."""


def resolve_emitter(entry: Emitter | str) -> Emitter:
    if not isinstance(entry, str):
        return entry
    module_name, _, function_name = entry.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    return function  # type: ignore[no-any-return]


def _emitter_label(entry: Emitter | str) -> str:
    name = entry.partition(":")[2] if isinstance(entry, str) else getattr(entry, "__name__", "output")
    return name.removeprefix("emit_").replace("_", " ")


def transform(
    project: Project,
    out_dir: Path,
    emitters: list[Emitter | str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Run every emitter into a fresh folder and put it in place of `out_dir`; returns the files written.

    `progress`, if given, is told each stage as it begins (e.g. "writing stack file").
    Raises whatever an emitter raises (e.g. `InputError`), leaving `out_dir` as it was, and
    `UnsafeOutputFolder` before touching anything when `out_dir` is not a folder a build may replace.
    """
    target = check_output_folder(out_dir, project_inputs(project))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        with paused_gc():
            for entry in EMITTERS if emitters is None else emitters:
                if progress is not None:
                    progress(f"writing {_emitter_label(entry)}")
                resolve_emitter(entry)(project, staging)
        if progress is not None:
            progress("replacing the build folder")
        written = sorted(p.relative_to(staging) for p in staging.rglob("*") if p.is_file())
        write_marker(staging)
        _replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / p for p in written]


def _replace(staging: Path, target: Path) -> None:
    """Swap the staged folder in; the old folder is removed only after the new one is in place."""
    if not target.exists():
        staging.rename(target)
        return
    backup = target.with_name(f".{target.name}.old-{staging.name}")
    target.rename(backup)
    try:
        staging.rename(target)
    except OSError:
        backup.rename(target)
        raise
    if backup.is_dir():
        shutil.rmtree(backup, ignore_errors=True)
    else:
        backup.unlink(missing_ok=True)


__all__ = [
    "EMITTERS",
    "Emitter",
    "emit_auth_stack_file",
    "emit_matrix_file",
    "emit_schema_file",
    "resolve_emitter",
    "transform",
]
