"""`serve`'s live reload: watch the project's inputs, re-check them, swap the API in place.

The inputs are the schema (a file or a split `schema/` folder), the group file, `gqlauth.json`,
`amplify/cli.json` and the API's settings (`cli-inputs.json`, `transform.conf.json`,
`parameters.json`, `backend-config.json`). They are polled by modification time and size (no
dependency, every platform); a change is only acted on once the files have stopped changing for one
poll, so an editor's save-in-two-steps is read once, whole.

A good project replaces the served API: the new app shares the store (and so the data), the local
state (keys, tokens, credentials) and the event bus with the old one, and requests already running
finish on the old one. A project with errors changes nothing: the errors are printed and the last
good API keeps serving.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from transformer.diagnostics import Diagnostic, Severity
from transformer.project import Project

logger = logging.getLogger("gqlauth.reload")

WATCHED_PATTERNS = (
    "schema.graphql",
    "schema/*.graphql",
    "schema/**/*.graphql",
    "gqlauth.json",
    "user-pool-group-precedence.json",
    "amplify/cli.json",
    "amplify/backend/backend-config.json",
    "amplify/backend/auth/*/userPoolGroups/user-pool-group-precedence.json",
    "amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json",
    "amplify/backend/api/*/schema.graphql",
    "amplify/backend/api/*/schema/**/*.graphql",
    "amplify/backend/api/*/cli-inputs.json",
    "amplify/backend/api/*/transform.conf.json",
    "amplify/backend/api/*/parameters.json",
    "amplify/backend/api/*/gqlauth.json",
    "amplify/backend/api/*/stacks/*.json",
    "amplify/backend/api/*/resolvers/*.vtl",
)

Stamp = tuple[int, int]


def watched_files(roots: Iterable[Path], project: Project | None = None) -> set[Path]:
    """The files whose change means the API may change (existing ones; new ones appear on the next poll)."""
    found: set[Path] = set()
    for root in roots:
        for pattern in WATCHED_PATTERNS:
            found.update(path for path in root.glob(pattern) if path.is_file())
    if project is not None:
        schema = project.schema_path
        found.update(schema.glob("*.graphql") if schema.is_dir() else [schema])
        if project.group_file_path is not None:
            found.add(project.group_file_path)
    return {path.resolve() for path in found}


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


@dataclass
class FileWatcher:
    """Which of a set of files changed (or appeared, or disappeared) since the last look."""

    list_files: Callable[[], set[Path]]
    _stamps: dict[Path, Stamp | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._stamps = self.snapshot()

    def snapshot(self) -> dict[Path, Stamp | None]:
        files = self.list_files() | set(self._stamps)
        return {path: _stamp(path) for path in files}

    def changes(self) -> list[Path]:
        """The files that differ from the last call (and remember the new state)."""
        current = self.snapshot()
        changed = sorted(path for path in current if current[path] != self._stamps.get(path))
        self._stamps = {path: stamp for path, stamp in current.items() if stamp is not None}
        return changed


@dataclass(frozen=True)
class ProjectChanges:
    """What a reload changed, as a person reads it."""

    models_added: tuple[str, ...] = ()
    models_removed: tuple[str, ...] = ()
    operations_added: tuple[str, ...] = ()
    operations_removed: tuple[str, ...] = ()
    rules_changed: tuple[str, ...] = ()
    fields_changed: tuple[str, ...] = ()
    auth_modes: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    groups: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    @property
    def empty(self) -> bool:
        return self.lines() == []

    def lines(self) -> list[str]:
        out: list[str] = []
        out += [f"+ model {name}" for name in self.models_added]
        out += [f"- model {name}" for name in self.models_removed]
        out += [f"+ {key}" for key in self.operations_added]
        out += [f"- {key}" for key in self.operations_removed]
        out += [f"~ rules of {name}" for name in self.rules_changed]
        out += [f"~ fields of {name}" for name in self.fields_changed]
        if self.auth_modes is not None:
            out.append(f"~ auth modes: {', '.join(self.auth_modes[0])} -> {', '.join(self.auth_modes[1])}")
        if self.groups is not None:
            out.append(f"~ groups: {', '.join(self.groups[0]) or 'none'} -> {', '.join(self.groups[1]) or 'none'}")
        return out


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(items))


def _groups(project: Project) -> tuple[str, ...]:
    return tuple(project.group_file.names()) if project.group_file is not None else ()


def project_changes(old: Project, new: Project) -> ProjectChanges:
    """Models and operations added or removed, models whose rules or fields changed, modes and groups."""
    old_models, new_models = old.matrix.models, new.matrix.models
    kept = sorted(set(old_models) & set(new_models))
    rules_changed = [name for name in kept
                     if (old_models[name].roles, old_models[name].grants, old_models[name].has_auth)
                     != (new_models[name].roles, new_models[name].grants, new_models[name].has_auth)]
    fields_changed = [name for name in kept
                      if [(f.name, f.type) for f in old_models[name].fields]
                      != [(f.name, f.type) for f in new_models[name].fields]]
    old_modes = tuple(mode.value for mode in old.matrix.auth_modes)
    new_modes = tuple(mode.value for mode in new.matrix.auth_modes)
    return ProjectChanges(
        models_added=_names(set(new_models) - set(old_models)),
        models_removed=_names(set(old_models) - set(new_models)),
        operations_added=_names(set(new.matrix.operations) - set(old.matrix.operations)),
        operations_removed=_names(set(old.matrix.operations) - set(new.matrix.operations)),
        rules_changed=tuple(rules_changed),
        fields_changed=tuple(fields_changed),
        auth_modes=(old_modes, new_modes) if old_modes != new_modes else None,
        groups=(_groups(old), _groups(new)) if _groups(old) != _groups(new) else None,
    )


RELOAD_STATUS_PATH = "/dev/reload"


class LiveApp:
    """An ASGI app that forwards to the current API; `swap` replaces it for the requests that follow.

    `GET /dev/reload` (local callers) tells the explorer how many times the API was swapped (so it
    fetches the schema again) and the errors that keep the last good API serving.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.current = app
        self.generation = 0
        self.errors: list[str] = []

    def swap(self, app: ASGIApp) -> None:
        self.current = app
        self.generation += 1
        self.errors = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == RELOAD_STATUS_PATH and scope["method"] == "GET":
            await self._status(scope, receive, send)
            return
        await self.current(scope, receive, send)

    async def _status(self, scope: Scope, receive: Receive, send: Send) -> None:
        from resolvers.server.app import is_local_caller

        request = Request(scope, receive)
        if not is_local_caller(request):
            response = JSONResponse({"errors": [{"errorType": "Forbidden", "message": "Only available to local "
                                                 "callers"}]}, status_code=403)
        else:
            response = JSONResponse({"generation": self.generation, "errors": self.errors})
        await response(scope, receive, send)


Loader = Callable[[], tuple[Project | None, list[Diagnostic]]]
Builder = Callable[[Project], ASGIApp]


class ApiReloader:
    """Re-checks the project when its files change and swaps `live` to the new API when it is valid."""

    def __init__(self, live: LiveApp, project: Project, load: Loader, build: Builder,
                 report: Callable[[str], None], report_diagnostics: Callable[[list[Diagnostic]], None],
                 roots: Sequence[Path]) -> None:
        self.live = live
        self.project = project
        self.load = load
        self.build = build
        self.report = report
        self.report_diagnostics = report_diagnostics
        self.roots = list(roots)
        self.errors: list[Diagnostic] = []
        """The errors of the last attempt (empty once a good project is served again)."""
        self.watcher = FileWatcher(lambda: watched_files(self.roots, self.project))
        self._pending: list[Path] = []
        self.on_reload: list[Callable[[Project], None]] = []
        """Called with the new project after each swap."""

    def poll(self) -> bool:
        """One look at the files; reloads once they have settled. True when a new API was swapped in."""
        changed = self.watcher.changes()
        if changed:
            self._pending.extend(path for path in changed if path not in self._pending)
            return False
        if not self._pending:
            return False
        pending, self._pending = self._pending, []
        return self.reload(pending)

    def reload(self, changed: Sequence[Path] = ()) -> bool:
        names = ", ".join(path.name for path in changed) or "the project"
        self.report(f"gqlauth: {names} changed; checking")
        try:
            project, diagnostics = self.load()
        except Exception as exc:  # noqa: BLE001 - an unreadable file must not stop the server
            self.errors = []
            self.live.errors = [f"cannot read the project: {exc}"]
            self.report(f"gqlauth: cannot read the project: {exc}; still serving the last good API")
            return False
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        if project is None or errors:
            self.errors = errors
            self.live.errors = [error.render() for error in errors]
            self.report_diagnostics(errors)
            self.report(f"gqlauth: {len(errors)} error(s); still serving the last good API")
            return False
        try:
            app = self.build(project)
        except Exception as exc:  # noqa: BLE001 - a project that checks but cannot be served keeps the old API
            logger.exception("building the reloaded API failed")
            self.live.errors = [f"cannot serve the new project: {exc}"]
            self.report(f"gqlauth: cannot serve the new project: {exc}; still serving the last good API")
            return False
        changes = project_changes(self.project, project)
        self.project, self.errors = project, []
        self.live.swap(app)
        self.report("gqlauth: reloaded" + ("" if changes.lines() else " (no change to the API)"))
        for line in changes.lines():
            self.report(f"  {line}")
        for callback in self.on_reload:
            callback(project)
        return True

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        while not stop.wait(interval):
            try:
                self.poll()
            except Exception:  # noqa: BLE001 - the watcher must outlive any one bad reload
                logger.exception("reload failed")

    def start(self, interval: float = 0.5) -> threading.Event:
        """Poll in a daemon thread until the returned event is set."""
        stop = threading.Event()
        threading.Thread(target=self.run, args=(stop, interval), name="gqlauth-reload", daemon=True).start()
        return stop


__all__ = ["ApiReloader", "FileWatcher", "LiveApp", "ProjectChanges", "project_changes", "watched_files"]
