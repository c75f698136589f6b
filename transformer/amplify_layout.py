"""Where an Amplify Gen 1 project keeps its API schema, as the Amplify CLI lays it out.

`amplify/backend/api/<api>/schema.graphql`, or the same schema split over
`amplify/backend/api/<api>/schema/*.graphql` (the CLI reads the single file when both exist). A project
may hold several APIs: the caller names one (`--api NAME`); with several and none named, the error lists
them instead of silently taking the first. Every "not found" says where it looked.
"""

from __future__ import annotations

from pathlib import Path

from transformer.diagnostics import UnreadableInput

SCHEMA_FILE_NAME = "schema.graphql"
SCHEMA_DIR_NAME = "schema"
API_FOLDER = Path("amplify") / "backend" / "api"


class ProjectLayoutError(UnreadableInput):
    """The project does not say which schema to use (a usage problem: CLI exit 2)."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(path, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def schema_files(folder: Path) -> list[Path]:
    """The `.graphql` files of a split schema folder, in a stable order (sub-folders included)."""
    return sorted(p for p in folder.rglob("*.graphql") if p.is_file())


def is_split_schema_folder(path: Path) -> bool:
    """A folder that itself holds `.graphql` files (and is not a project with its own `schema.graphql`)."""
    return (
        path.is_dir()
        and not (path / SCHEMA_FILE_NAME).is_file()
        and not (path / "amplify").is_dir()
        and any(p.is_file() for p in path.glob("*.graphql"))
    )


def api_schema(api_dir: Path) -> Path | None:
    """An API folder's schema: its `schema.graphql`, else its `schema/` folder of `.graphql` files."""
    single = api_dir / SCHEMA_FILE_NAME
    if single.is_file():
        return single
    split = api_dir / SCHEMA_DIR_NAME
    if split.is_dir() and schema_files(split):
        return split
    return None


def _api_root(directory: Path) -> Path | None:
    """`amplify/backend/api` for a project folder, or for `amplify/` or `amplify/backend` themselves."""
    directory = directory.resolve()
    for candidate in (directory / API_FOLDER, directory / "backend" / "api", directory / "api"):
        if candidate.is_dir() and candidate.parent.name == "backend" and candidate.parent.parent.name == "amplify":
            return candidate
    return None


def list_apis(directory: Path) -> dict[str, Path]:
    """The APIs of the Amplify project at `directory` that have a schema: name -> schema path."""
    root = _api_root(directory)
    if root is None:
        return {}
    found: dict[str, Path] = {}
    for api_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        schema = api_schema(api_dir)
        if schema is not None:
            found[api_dir.name] = schema
    return found


def resolve_schema_path(path: Path, api: str | None = None) -> Path:
    """The schema a command's SCHEMA argument means: a file, a split-schema folder, or a project's API.

    A project folder means its own `schema.graphql`, else the schema of its Amplify API (the one named by
    `api` when it has several). Raises `ProjectLayoutError` when that is ambiguous or nothing is found.
    """
    if not path.is_dir():
        if api is not None:
            raise ProjectLayoutError(path, f"--api {api}: {path} is a schema file, not an Amplify project folder")
        return path
    if api is None:
        if (path / SCHEMA_FILE_NAME).is_file():
            return path / SCHEMA_FILE_NAME
        if path.parent.name == "api" and (own := api_schema(path)) is not None:
            return own
        if is_split_schema_folder(path):
            return path
    apis = list_apis(path)
    if api is not None:
        if api in apis:
            return apis[api]
        known = ", ".join(apis) or "none"
        raise ProjectLayoutError(
            path, f"--api {api}: no such API with a schema in {path / API_FOLDER} (APIs found: {known})"
        )
    if len(apis) == 1:
        return next(iter(apis.values()))
    if len(apis) > 1:
        names = ", ".join(apis)
        raise ProjectLayoutError(
            path, f"{path} holds several Amplify APIs ({names}): choose one with --api NAME"
        )
    raise ProjectLayoutError(
        path,
        f"no schema found in {path}: looked for {path / SCHEMA_FILE_NAME}, .graphql files in {path}, and "
        f"{path / API_FOLDER}/<api>/{SCHEMA_FILE_NAME} or {SCHEMA_DIR_NAME}/*.graphql",
    )


def amplify_backend(start: Path) -> Path | None:
    """The `amplify/backend` folder of the Amplify project that holds `start` (or that `start` is)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if directory.name == "backend" and directory.parent.name == "amplify":
            return directory
        candidate = directory / "amplify" / "backend"
        if candidate.is_dir():
            return candidate
    return None


def api_file(schema_path: Path, name: str) -> Path | None:
    """The file `name` (`cli-inputs.json`, `override.ts`) of the Amplify API that holds `schema_path`: of the API
    folder the schema sits in, else of the project's only API. Never another API's: None when the schema's API
    has no such file, or when the project has several APIs and the schema sits in none of them."""
    resolved = schema_path.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    for directory in (start, *start.parents):
        if directory.parent.name == "api" and directory.parent.parent.name == "backend":
            candidate = directory / name
            return candidate if candidate.is_file() else None
        api_root = directory / API_FOLDER
        if (directory / "amplify" / "backend").is_dir():
            apis = sorted(p for p in api_root.iterdir() if p.is_dir()) if api_root.is_dir() else []
            only = apis[0] / name if len(apis) == 1 else None
            return only if only is not None and only.is_file() else None
    return None


def api_folder(schema_path: Path) -> Path | None:
    """The folder of the Amplify API that holds `schema_path` (`amplify/backend/api/<api>`), by `api_file`'s rule;
    None outside an Amplify project (a build folder's `stacks/` are gqlauth's, not the project's)."""
    resolved = schema_path.resolve()
    start = resolved if resolved.is_dir() else resolved.parent
    for directory in (start, *start.parents):
        if directory.parent.name == "api" and directory.parent.parent.name == "backend":
            return directory
        api_root = directory / API_FOLDER
        if (directory / "amplify" / "backend").is_dir():
            apis = sorted(p for p in api_root.iterdir() if p.is_dir()) if api_root.is_dir() else []
            return apis[0] if len(apis) == 1 else None
    return None


def documented_group_file(backend: Path) -> Path:
    """Where the Amplify CLI writes the group file, and where its documentation says it is."""
    return backend / "auth" / "userPoolGroups" / "user-pool-group-precedence.json"


def project_folder(schema_path: Path) -> Path:
    """The folder a schema's project settings sit in: the schema file's folder, or a split folder's API folder."""
    resolved = schema_path.resolve()
    return resolved.parent if not resolved.is_dir() or resolved.name == SCHEMA_DIR_NAME else resolved


__all__ = [
    "ProjectLayoutError",
    "amplify_backend",
    "api_folder",
    "documented_group_file",
    "api_schema",
    "is_split_schema_folder",
    "list_apis",
    "project_folder",
    "resolve_schema_path",
    "schema_files",
]
