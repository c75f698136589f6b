"""Lambda-authorized requests under `serve --engine vtl`: the authorizer's verdict and `deniedFields`
apply as with the guards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.guards import configure_custom_authorizer, current_custom_authorizer
from resolvers.guards.custom import CustomAuthorizer
from resolvers.identity import Identity
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Post @model @auth(rules: [{allow: custom}, {allow: owner}]) {
  id: ID!
  title: String
  secret: String @auth(rules: [{allow: custom}])
  draft: String
}
"""
QUERIES = ['{ getPost(id: "p1") { id title secret draft owner } }', "{ listPosts { items { id draft } } }",
           'mutation { createPost(input: {id: "p9", title: "t"}) { id title } }']


def decide(identity: Identity, operation: str) -> dict[str, Any]:
    token = str((identity.resolver_context or {}).get("mode", ""))
    if token.startswith("deny"):
        return {"isAuthorized": False}
    if token.startswith("partial"):
        return {"isAuthorized": True, "deniedFields": ["Post.secret", "Post.draft", "Mutation.createPost"]}
    return {"isAuthorized": True}


@pytest.fixture
def authorizer() -> Iterator[None]:
    previous = current_custom_authorizer()
    configure_custom_authorizer(CustomAuthorizer(decide, "tests:decide"))
    yield
    configure_custom_authorizer(previous)


@pytest.mark.usefixtures("authorizer")
@pytest.mark.parametrize("token", ["allow-1", "partial-1", "deny-1"])
@pytest.mark.parametrize("query", QUERIES)
def test_lambda_callers_get_the_same_answers(tmp_path: Path, token: str, query: str) -> None:
    (tmp_path / "schema.graphql").write_text(SCHEMA)
    state = LocalState.open(tmp_path)
    project, diagnostics = load_project(tmp_path / "schema.graphql", auth_modes=[Provider.USER_POOLS, Provider.FUNCTION],
                                        environment=state.environment())
    assert project is not None, [d.render() for d in diagnostics]
    answers = []
    for engine in ("python", "vtl"):
        store = Store(":memory:", store_layouts(project.matrix, project.schema))
        store.reset([{"__typename": "Post", "id": "p1", "title": "a", "secret": "s", "draft": "d", "owner": "x"}])
        authenticator = Authenticator(state, state.environment(), ["userPools", "lambda"],
                                      lambda_authorizer=lambda token: {"mode": token})
        app = create_app(project, store, authenticator, state=state, engine=engine)
        response = TestClient(app).post("/graphql", content=json.dumps({"query": query}).encode(),
                                        headers={"content-type": "application/json", "authorization": token})
        body = response.json()
        answers.append((response.status_code, body.get("data"),
                        sorted((str(e.get("path")), e.get("errorType"), e.get("message")) for e in body.get("errors") or [])))
    assert answers[1] == answers[0]
