"""`serve` calls an `@http` URL with `${env}` and `${aws_region}` filled in as Amplify's deployment fills them:
the Amplify environment checked out (`amplify/.config/local-env-info.json`, else `NONE`) and `serve`'s region;
the origin is found in `gqlauth.json` written either way. Through the guards and through the templates."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from serve_support import Served, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.server.handlers import amplify_env_name
from resolvers.store import Store
from transformer.environment import AuthEnvironment
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Query {
  items(id: ID!, q: String): AWSJSON @http(url: "https://api-${env}.example.com/${aws_region}/items/:id", headers: [{key: "x-env", value: "env-${env}"}]) @auth(rules: [{allow: private}])
  other: AWSJSON @http(url: "https://other-${env}.example.com/${env}/x") @auth(rules: [{allow: private}])
}
"""
REGION = "eu-west-1"


class _Upstream(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        payload = json.dumps({"path": self.path, "xEnv": self.headers.get("x-env")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _amplify_project(root: Path, upstream: str) -> Path:
    """An Amplify project on environment `dev`; `items`' origin is mapped as written, `other`'s as substituted."""
    api = root / "amplify" / "backend" / "api" / "shop"
    api.mkdir(parents=True)
    (root / "amplify" / ".config").mkdir()
    (root / "amplify" / ".config" / "local-env-info.json").write_text(json.dumps({"envName": "dev", "projectPath": str(root)}))
    (api / "schema.graphql").write_text(SCHEMA)
    (api / "gqlauth.json").write_text(json.dumps({"http": {"https://api-${env}.example.com": upstream,
                                                           "https://other-dev.example.com/": upstream}}))
    return api


def _served(directory: Path, engine: str) -> Served:
    project, diagnostics = load_project(directory, auth_modes=[Provider.USER_POOLS])
    assert project is not None, diagnostics
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(directory)
    state.save_environment(state.environment().model_copy(update={"region": REGION}))
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    app = create_app(project, store, authenticator, state=state, engine=engine)
    return Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))


@pytest.fixture(scope="module", params=["python", "vtl"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, upstream: str) -> Served:
    return _served(_amplify_project(tmp_path_factory.mktemp(f"env-{request.param}"), upstream), request.param)


def _answer(served: Served, query: str) -> dict[str, Any]:
    status, body = served.call(query, token=served.token("alice"))
    assert status == 200 and "errors" not in body, body
    value = next(iter(body["data"].values()))
    return json.loads(value) if isinstance(value, str) else value


def test_path_and_headers_get_the_environment_and_region(served: Served) -> None:
    answer = _answer(served, '{ items(params: {id: "7"}, query: {q: "a"}) }')
    assert answer == {"path": f"/{REGION}/items/7?q=a", "xEnv": "env-dev"}


def test_the_origin_may_be_configured_as_substituted(served: Served) -> None:
    assert _answer(served, "{ other }")["path"] == "/dev/x"


def test_without_an_amplify_environment_env_is_none(tmp_path: Path, upstream: str) -> None:
    (tmp_path / "schema.graphql").write_text(SCHEMA)
    (tmp_path / "gqlauth.json").write_text(json.dumps({"http": {"https://api-NONE.example.com": upstream}}))
    assert amplify_env_name(tmp_path / "schema.graphql") == "NONE"
    answer = _answer(_served(tmp_path, "python"), '{ items(params: {id: "7"}) }')
    assert answer == {"path": f"/{REGION}/items/7", "xEnv": "env-NONE"}
    assert AuthEnvironment().region != REGION


def test_an_unreadable_environment_file_reads_as_none(tmp_path: Path) -> None:
    api = tmp_path / "amplify" / "backend" / "api" / "shop"
    api.mkdir(parents=True)
    (tmp_path / "amplify" / ".config").mkdir()
    (tmp_path / "amplify" / ".config" / "local-env-info.json").write_text("{not json")
    assert amplify_env_name(api / "schema.graphql") == "NONE"
