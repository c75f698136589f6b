"""`serve` reloads the API in place when the schema, the group file or the settings change: data,
keys and tokens survive, the change is printed, and a broken edit keeps the last good API serving."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from serve_support import BLOG, CREATE_POST, GET_POST, ServerProcess, free_port

from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.reload import ApiReloader, LiveApp, project_changes, watched_files
from transformer.project import Project, load_project
from transformer.rules import Provider

TAG_MODEL = """
type Tag @model @auth(rules: [{allow: public}]) {
  id: ID!
  name: String
}
"""
MODES = [Provider.USER_POOLS, Provider.API_KEY]


def _load(directory: Path) -> tuple[Project | None, list[Any]]:
    return load_project(directory, auth_modes=MODES)


@pytest.fixture()
def blog(tmp_path: Path) -> Path:
    target = tmp_path / "blog"
    shutil.copytree(BLOG, target, ignore=shutil.ignore_patterns(".gqlauth"))
    return target


def test_changes_name_models_operations_and_rules(blog: Path) -> None:
    old, _ = _load(blog)
    schema = blog / "schema.graphql"
    text = schema.read_text().replace("{allow: public, operations: [read]}", "{allow: public, operations: [get]}")
    schema.write_text(text + TAG_MODEL)
    new, _ = _load(blog)
    assert old is not None and new is not None
    lines = project_changes(old, new).lines()
    assert "+ model Tag" in lines
    assert "+ Query.listTags" in lines and "+ Mutation.createTag" in lines
    assert "~ rules of Post" in lines
    assert "~ rules of Comment" not in lines
    assert project_changes(new, old).lines()[:1] == ["- model Tag"]
    assert project_changes(old, old).empty


def test_the_group_file_and_settings_are_watched(blog: Path) -> None:
    project, _ = _load(blog)
    assert project is not None
    (blog / "gqlauth.json").write_text("{}")
    names = {path.name for path in watched_files([blog], project)}
    assert {"schema.graphql", "user-pool-group-precedence.json", "gqlauth.json"} <= names


def _reloader(blog: Path) -> tuple[ApiReloader, LiveApp, list[str]]:
    project, _ = _load(blog)
    assert project is not None
    said: list[str] = []
    live = LiveApp(_app_for(project))
    reloader = ApiReloader(live, project, lambda: _load(blog), _app_for, report=said.append,
                           report_diagnostics=lambda errors: said.extend(str(e.message) for e in errors),
                           roots=[blog])
    return reloader, live, said


def _app_for(project: Project) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("not called")
    app.project = project  # type: ignore[attr-defined]
    return app


def _touch(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    while path.stat().st_mtime_ns == before:  # coarse file-system clocks
        time.sleep(0.01)
        path.write_text(text)


def test_a_change_is_read_once_the_files_settle_and_swaps_the_app(blog: Path) -> None:
    reloader, live, said = _reloader(blog)
    first = live.current
    schema = blog / "schema.graphql"
    _touch(schema, schema.read_text() + TAG_MODEL)
    assert reloader.poll() is False  # changed during this poll: wait for it to settle
    assert reloader.poll() is True
    assert live.current is not first and "Tag" in live.current.project.matrix.models
    assert "  + model Tag" in said
    assert live.generation == 1 and live.errors == []


def test_an_invalid_edit_keeps_the_last_good_api_and_shows_the_errors(blog: Path) -> None:
    reloader, live, said = _reloader(blog)
    first = live.current
    _touch(blog / "schema.graphql", "type Broken @model @auth(rules: [{allow: groups, groups: [\"Nobody\"]}]) {\n")
    reloader.poll()
    assert reloader.poll() is False
    assert live.current is first
    assert reloader.errors and any("still serving the last good API" in line for line in said)
    assert live.errors and live.errors[0].startswith(str(blog / "schema.graphql") + ":")
    assert live.generation == 0


def test_a_group_file_edit_reloads(blog: Path) -> None:
    reloader, _live, said = _reloader(blog)
    group_file = blog / "user-pool-group-precedence.json"
    _touch(group_file, group_file.read_text().replace("Editors", "Writers"))
    reloader.poll()
    reloader.poll()
    assert any(line.startswith("gqlauth: user-pool-group-precedence.json changed") for line in said)


# -- a running `gqlauth serve` ------------------------------------------------------------------


def _until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture()
def server(blog: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(blog, free_port(), ("--db", ":memory:"))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.mark.timeout(120)
def test_editing_the_schema_under_a_running_server_swaps_the_api_and_keeps_data_and_tokens(
        blog: Path, server: ServerProcess) -> None:
    state = LocalState.open(blog)
    alice = mint_token(state, user="alice", groups=[])
    api_key = {"x-api-key": state.dev_api_key().key}

    def post(query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        response = httpx.post(server.url, json={"query": query, "variables": variables or {}}, headers=headers,
                              timeout=10)
        return dict(response.json())

    created = post(CREATE_POST, {"input": {"id": "p1", "title": "kept"}}, authorization=alice)
    assert "errors" not in created, created
    list_tags = "query { listTags { items { id name } } }"
    assert post(list_tags, **api_key)["errors"][0]["errorType"] == "ValidationError"

    schema = blog / "schema.graphql"
    good = schema.read_text() + TAG_MODEL
    _touch(schema, good)
    _until(lambda: "errors" not in post(list_tags, **api_key), "the reloaded API to serve listTags")
    assert "+ model Tag" in server.output() and "+ Query.listTags" in server.output()
    assert post(GET_POST, {"id": "p1"}, authorization=alice)["data"]["getPost"]["title"] == "kept"
    assert "errors" not in post("mutation { createTag(input: {id: \"t1\", name: \"x\"}) { id } }", **api_key)

    _touch(schema, good + "\ntype Oops @model {\n  id: ID!\n")
    _until(lambda: "still serving the last good API" in server.output(), "the invalid edit to be reported")
    assert "schema.graphql:" in server.output()
    status = httpx.get(server.url.replace("/graphql", "/dev/reload"), timeout=10).json()
    assert status["generation"] == 1 and "schema.graphql:" in status["errors"][0]
    assert post(list_tags, **api_key)["data"]["listTags"]["items"] == [{"id": "t1", "name": "x"}]
