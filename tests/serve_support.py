"""Helpers for the server tests: a served copy of the blog sample, tokens, and GraphQL calls."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from sample_copies import copy_sample
from starlette.applications import Starlette
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import Project, load_project
from transformer.rules import Provider

REPO = Path(__file__).resolve().parents[1]
BLOG = REPO / "samples" / "blog"

CREATE_POST = "mutation C($input: CreatePostInput!) { createPost(input: $input) { id title content owner internalNotes } }"
GET_POST = "query G($id: ID!) { getPost(id: $id) { id title content owner internalNotes } }"
LIST_POSTS = ("query L($filter: ModelPostFilterInput, $limit: Int, $nextToken: String) "
              "{ listPosts(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id title owner } nextToken } }")


@dataclass
class Served:
    project: Project
    state: LocalState
    store: Store
    authenticator: Authenticator
    app: Starlette
    client: TestClient

    def token(self, user: str, groups: list[str] | None = None) -> str:
        return mint_token(self.state, user=user, groups=groups or [])

    @property
    def api_key(self) -> str:
        return self.state.dev_api_key().key

    def call(self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
             api_key: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        sent = dict(headers or {})
        if token is not None:
            sent["authorization"] = token
        if api_key is not None:
            sent["x-api-key"] = api_key
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=sent)
        return response.status_code, response.json()


def blog_project(tmp_path: Path, modes: list[Provider] | None = None) -> tuple[Path, Project]:
    target = tmp_path / "blog"
    copy_sample(BLOG, target)
    project, diagnostics = load_project(target, auth_modes=modes or [Provider.USER_POOLS, Provider.API_KEY])
    assert project is not None, diagnostics
    return target, project


NOTES_SCHEMA = """
type Note @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  title: String
  secret: String @auth(rules: [{allow: owner}])
}
"""


def serve_schema(tmp_path: Path, sdl: str, modes: list[Provider] | None = None, *, db: str = ":memory:") -> Served:
    directory = tmp_path / "project"
    directory.mkdir()
    (directory / "schema.graphql").write_text(sdl)
    project, diagnostics = load_project(directory, auth_modes=modes or [Provider.USER_POOLS, Provider.API_KEY])
    assert project is not None, diagnostics
    return _serve(directory, project, db, guards=True)


def serve_blog(tmp_path: Path, *, db: str = ":memory:", guards: bool = True) -> Served:
    directory, project = blog_project(tmp_path)
    return _serve(directory, project, db, guards=guards)


@cache
def template_state() -> Path:
    """One generated issuer key and API key for the whole run (RSA key generation is slow)."""
    directory = Path(tempfile.mkdtemp(prefix="gqlauth-state-"))
    state = LocalState.open(directory)
    state.issuer_settings()
    state.environment()
    state.dev_api_key()
    return state.dir


def _serve(directory: Path, project: Project, db: str, *, guards: bool) -> Served:
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(directory)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(db, store_layouts(project.matrix, project.schema))
    app = create_app(project, store, authenticator, state=state, guards=guards)
    return Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gqlauth_command() -> list[str]:
    script = Path(sys.executable).parent / "gqlauth"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from resolvers.cli import main; main()"]


class ServerProcess:
    """`gqlauth serve` in a child process; its output goes to a log file (a full pipe would block it)."""

    def __init__(self, project: Path, port: int, extra: tuple[str, ...] = (), *,
                 auth_modes: str = "userPools,apiKey") -> None:
        self.project, self.port, self.extra, self.auth_modes = project, port, extra, auth_modes
        self.url = f"http://127.0.0.1:{port}/graphql"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = project.parent / f"serve-{port}.log"

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*gqlauth_command(), "serve", str(self.project), "--port", str(self.port),
                 "--auth-modes", self.auth_modes, *self.extra],
                stdout=log, stderr=log, cwd=self.project,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.output()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
