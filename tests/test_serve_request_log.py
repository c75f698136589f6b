"""`serve`'s request log (one line per operation: who, what, allowed or denied and by which rule), the
explorer's explanation of a denial (every rule tried and why it did not grant) and its store reset."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from serve_support import CREATE_POST, blog_project, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.server.app import EXPLAIN_HEADER, create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store

UPDATE = "mutation U($input: UpdatePostInput!) { updatePost(input: $input) { id title } }"
LIST = "query { listPosts { items { id } } }"


class Logged:
    def __init__(self, tmp_path: Path) -> None:
        directory, project = blog_project(tmp_path)
        shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
        self.state = LocalState.open(directory)
        authenticator = Authenticator(self.state, self.state.environment(),
                                      [m.value for m in project.matrix.auth_modes])
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        self.lines: list[str] = []
        app = create_app(project, self.store, authenticator, state=self.state, request_log=self.lines.append,
                         explain=True)
        self.client = TestClient(app, base_url="http://127.0.0.1:20002")

    def call(self, query: str, variables: dict[str, Any] | None = None, **headers: str) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        return dict(response.json())

    def token(self, user: str, groups: list[str] | None = None) -> str:
        return mint_token(self.state, user=user, groups=groups or [])


@pytest.fixture(scope="module")
def logged(tmp_path_factory: pytest.TempPathFactory) -> Logged:
    return Logged(tmp_path_factory.mktemp("log"))


def test_an_allowed_write_names_the_caller_and_the_granting_rule(logged: Logged) -> None:
    logged.lines.clear()
    logged.call(CREATE_POST, {"input": {"id": "p1", "title": "a"}}, authorization=logged.token("alice"))
    assert logged.lines == ["alice (userPools)  Mutation.createPost ALLOWED by userPools:owner:owner:sub::username"]


def test_a_denial_names_every_rule_tried_and_why(logged: Logged) -> None:
    logged.call(CREATE_POST, {"input": {"id": "p2", "title": "a"}}, authorization=logged.token("alice"))
    logged.lines.clear()
    logged.call(UPDATE, {"input": {"id": "p2", "title": "mine"}}, authorization=logged.token("bob", ["Viewers"]))
    (line,) = logged.lines
    assert line.startswith("bob (userPools, groups Viewers)  Mutation.updatePost DENIED (tried ")
    assert "staticGroup:Admins" in line and "owner" in line


def test_the_api_key_and_a_refused_credential_are_logged(logged: Logged) -> None:
    logged.lines.clear()
    logged.call(LIST, **{"x-api-key": logged.state.dev_api_key().key})
    logged.call(LIST, **{"x-api-key": "da2-wrong"})
    assert logged.lines[0].startswith("apiKey  Query.listPosts ALLOWED by apiKey:public")
    assert logged.lines[1].startswith("(no identity)  /graphql 401 UnauthorizedException")


def test_the_explorer_gets_the_reasons_beside_the_error_and_other_clients_do_not(logged: Logged) -> None:
    logged.call(CREATE_POST, {"input": {"id": "p3", "title": "a"}}, authorization=logged.token("alice"))
    bob = logged.token("bob")
    plain = logged.call(UPDATE, {"input": {"id": "p3", "title": "x"}}, authorization=bob)
    assert "extensions" not in plain and plain["errors"][0]["errorType"] == "Unauthorized"
    explained = logged.call(UPDATE, {"input": {"id": "p3", "title": "x"}}, authorization=bob,
                            **{EXPLAIN_HEADER: "1"})
    assert explained["errors"] == plain["errors"]
    (decision,) = explained["extensions"]["gqlauth"]["decisions"]
    assert decision["operation"] == "Mutation.updatePost" and decision["allowed"] is False
    owner = next(r for r in decision["reasons"] if ":owner:" in r["role"])
    assert owner["granted"] is False and "alice" in owner["detail"]
    assert explained["extensions"]["gqlauth"]["identity"] == "bob (userPools)"


def test_the_reset_button_empties_the_store_for_local_callers_only(logged: Logged) -> None:
    logged.call(CREATE_POST, {"input": {"id": "p4", "title": "a"}}, authorization=logged.token("alice"))
    assert logged.client.post("/dev/reset", headers={"origin": "https://evil.example"}).status_code == 403
    assert logged.store.dump()
    assert logged.client.post("/dev/reset").json() == {"reset": True}
    assert logged.store.dump() == []


def test_a_subscription_started_over_a_websocket_is_logged_when_decided(logged: Logged) -> None:
    logged.lines.clear()
    with logged.client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": logged.token("carol")}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": "subscription { onCreatePost { id } }"}})
        deadline = time.monotonic() + 5
        while not logged.lines and time.monotonic() < deadline:
            time.sleep(0.02)
    assert logged.lines[0].startswith("carol (userPools)  Subscription.onCreatePost ALLOWED")
