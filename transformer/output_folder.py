"""Which folder `transform` may replace: only one it made itself, or one that does not exist or is empty.

A build folder is replaced as a whole, so pointing `-o` at the wrong place must never cost the user a
file. Every build folder carries a marker file (`.gqlauth-build`); an existing folder without it is
replaced only when it is empty. Whatever the marker says, a folder that holds the project's inputs
(the schema, the group file, the settings), one of their ancestors (the project root, the Amplify
project, the home folder), or the working directory and its ancestors, is never replaced.
The check runs before anything is created, so a refused transform touches nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from transformer.amplify_layout import project_folder
from transformer.diagnostics import UsageProblem
from transformer.storage import find_storage_settings
from transformer.transform_settings import SETTINGS_FILE_NAME

if TYPE_CHECKING:
    from transformer.project import Project

MARKER_FILE = ".gqlauth-build"


class BuildMarker(BaseModel):
    """The content of `.gqlauth-build`: says the folder is a gqlauth build that the next transform replaces."""

    model_config = ConfigDict(extra="allow")

    generator: Literal["gqlauth"] = "gqlauth"
    note: str = "Written by `gqlauth transform`; this folder is replaced by the next transform."


class UnsafeOutputFolder(UsageProblem):
    """The build folder is not one `transform` may replace (CLI exit 2, nothing touched)."""

    def __init__(self, folder: Path, reason: str) -> None:
        super().__init__(f"refusing to write the build to {folder}: {reason}; nothing was changed")
        self.folder = folder
        self.reason = reason


def write_marker(folder: Path) -> Path:
    marker = folder / MARKER_FILE
    marker.write_text(BuildMarker().model_dump_json(indent=2) + "\n", encoding="utf-8")
    return marker


def is_gqlauth_build(folder: Path) -> bool:
    """Whether `folder` holds a readable marker that names gqlauth as its author."""
    marker = folder / MARKER_FILE
    if not marker.is_file():
        return False
    try:
        BuildMarker.model_validate(json.loads(marker.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError, ValueError, ValidationError):
        return False
    return True


def _is_same_or_ancestor(folder: Path, path: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def _describe(folder: Path, inputs: list[Path]) -> str | None:
    """Why `folder` can never be a build folder, or None when nothing forbids it."""
    if folder == Path(folder.anchor):
        return "it is the root of the file system"
    for path in inputs:
        if path == folder:
            return "it is an input of this project"
        if path.is_relative_to(folder):
            what = "holds" if path.parent == folder else "contains"
            return f"it {what} {path.relative_to(folder).as_posix()}, an input of this project"
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        return "the current directory no longer exists, so where it would go is unclear"
    if _is_same_or_ancestor(folder, cwd):
        return "it is the current directory" if folder == cwd else "it contains the current directory"
    home = Path(os.path.expanduser("~")).resolve()
    if folder == home:
        return "it is your home folder"
    return None


def project_inputs(project: Project) -> list[Path]:
    """Every file the project was read from that a build folder must not swallow."""
    schema = project.schema_path.resolve()
    found = [schema, project_folder(schema) / SETTINGS_FILE_NAME]
    if project.group_file_path is not None:
        found.append(project.group_file_path)
    storage = find_storage_settings(schema)
    if storage is not None:
        found.append(storage)
    found += [folder / "amplify" / "cli.json" for folder in schema.parents if (folder / "amplify" / "cli.json").is_file()]
    return found


def check_output_folder(out_dir: Path, inputs: Iterable[Path]) -> Path:
    """Raise `UnsafeOutputFolder` unless `out_dir` may be replaced by a build; returns the resolved folder.

    `inputs` are the files the project was read from (schema, group file, settings): none of them may be
    inside the build folder, so neither may the project folder that holds them.
    """
    folder = out_dir.resolve()
    reason = _describe(folder, [p.resolve() for p in inputs])
    if reason is not None:
        raise UnsafeOutputFolder(out_dir, reason)
    if folder.exists() and not folder.is_dir():
        raise UnsafeOutputFolder(out_dir, "it exists and is not a folder")
    if not folder.exists() or is_gqlauth_build(folder):
        return folder
    try:
        entries = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        raise UnsafeOutputFolder(out_dir, f"it cannot be listed ({exc.strerror or exc})") from exc
    if not entries:
        return folder
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    raise UnsafeOutputFolder(
        out_dir,
        f"it is not empty ({shown}) and was not made by gqlauth (no {MARKER_FILE} file in it). "
        "Choose a new or empty folder with -o, or delete this one yourself if it is an old build",
    )


__all__ = [
    "MARKER_FILE",
    "BuildMarker",
    "UnsafeOutputFolder",
    "check_output_folder",
    "is_gqlauth_build",
    "project_inputs",
    "write_marker",
]
