"""`serve --quiet` means what `check --quiet` means for serve's startup diagnostics and reload messages: errors
only (with the summary counting warnings per code when there are errors); the banner and the request log stay."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from serve_support import ServerProcess, free_port

from resolvers.commands.serve import serve
from transformer.report import EXIT_INPUT_ERRORS

WARNED = """
type Post @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {
  id: ID!
  title: String
}
"""
BROKEN = WARNED + """
type Note @model @auth(rules: [{allow: private, identityClaim: "email"}]) { id: ID! }
type Broken @model @auth(rules: [{allow: groups}]) { id: ID! }
"""
IGNORED = "warning: @auth: 'identityClaim' has no effect"
GROUPS_MISSING = "error: @auth directive with 'groups' should have a defined groups list"
ADDED = WARNED + "type Tag @model @auth(rules: [{allow: public}]) { id: ID! name: String }\n"
WARNING = "warning: owners may reassign ownership of Post"


def _project(root: Path, sdl: str) -> Path:
    project = root / "project"
    project.mkdir()
    (project / "schema.graphql").write_text(sdl)
    return project


def _start_with_errors(project: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(serve, [str(project), "--auth-modes", "userPools,apiKey", "--no-frontend-config",
                                        *extra])
    return result.exit_code, result.output


def test_startup_errors_with_and_without_quiet(tmp_path: Path) -> None:
    project = _project(tmp_path, BROKEN)
    code, loud = _start_with_errors(project)
    assert code == EXIT_INPUT_ERRORS and IGNORED in loud and GROUPS_MISSING in loud
    code, quiet = _start_with_errors(project, "--quiet")
    assert code == EXIT_INPUT_ERRORS and IGNORED not in quiet
    assert [line for line in quiet.splitlines() if line.strip()] == [
        next(line for line in loud.splitlines() if GROUPS_MISSING in line), "1 error, 1 warning (1 auth.argument-ignored)"]


def _until(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _write(path: Path, text: str) -> None:
    """A new text with a later mtime than the last (the reloader compares stamps)."""
    before = path.stat().st_mtime_ns
    path.write_text(text)
    while path.stat().st_mtime_ns == before:
        time.sleep(0.05)
        path.write_text(text)


@pytest.mark.timeout(120)
def test_startup_warnings_are_shown_without_quiet(tmp_path: Path) -> None:
    server = ServerProcess(_project(tmp_path, WARNED), free_port(), ("--db", ":memory:", "--no-frontend-config"))
    server.start()
    try:
        assert WARNING in server.output() and "gqlauth: serving" in server.output()
    finally:
        server.stop()


@pytest.mark.timeout(120)
def test_quiet_startup_and_reload_print_errors_only(tmp_path: Path) -> None:
    project = _project(tmp_path, WARNED)
    server = ServerProcess(project, free_port(), ("--db", ":memory:", "--no-frontend-config", "--quiet"))
    server.start()
    try:
        started = server.output()
        assert WARNING not in started and "warning" not in started
        assert "gqlauth: serving" in started and "API key:" in started
        schema = project / "schema.graphql"
        _write(schema, BROKEN)
        _until(lambda: "still serving the last good API" in server.output(), "the reload error")
        broken = server.output()
        assert GROUPS_MISSING in broken and "1 error(s); still serving the last good API" in broken
        assert "changed; checking" not in broken and "warning" not in broken
        _write(schema, ADDED)
        list_tags = {"query": "{ listTags { items { id } } }"}

        def served() -> bool:
            key = next(line.split()[2] for line in server.output().splitlines() if "API key:" in line)
            body = httpx.post(server.url, json=list_tags, headers={"x-api-key": key}, timeout=5).json()
            return "errors" not in body

        _until(served, "the reloaded API")
        assert "reloaded" not in server.output() and "+ model Tag" not in server.output()
        request_logged = server.output().splitlines()[-1]
        assert "Query.listTags" in request_logged
    finally:
        server.stop()
