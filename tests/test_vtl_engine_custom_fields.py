"""Custom root fields under `serve --engine vtl`: a static rule is checked, a field without rules is refused,
as the guarded server does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Note @model @auth(rules: [{allow: private}]) { id: ID! body: String }
type Query {
  report: String @auth(rules: [{allow: groups, groups: ["Admins"]}])
  unguarded: String
}
"""


@pytest.mark.parametrize("query", ["{ report }", "{ unguarded }", '{ getNote(id: "n1") { id body } }'])
@pytest.mark.parametrize("groups", [["Admins"], []])
def test_custom_fields_answer_as_the_guards(tmp_path: Path, query: str, groups: list[str]) -> None:
    (tmp_path / "schema.graphql").write_text(SCHEMA)
    state = LocalState.open(tmp_path)
    project, diagnostics = load_project(tmp_path / "schema.graphql", auth_modes=[Provider.USER_POOLS],
                                        environment=state.environment())
    assert project is not None, [d.render() for d in diagnostics]
    token = mint_token(state, user="ann", groups=groups)
    answers = []
    for engine in ("python", "vtl"):
        store = Store(":memory:", store_layouts(project.matrix, project.schema))
        store.reset([{"__typename": "Note", "id": "n1", "body": "hi"}])
        app = create_app(project, store, Authenticator(state, state.environment(), ["userPools"]), state=state,
                         engine=engine)
        response = TestClient(app).post("/graphql", content=json.dumps({"query": query}).encode(),
                                        headers={"content-type": "application/json", "authorization": token})
        body = response.json()
        answers.append((body.get("data"), [(e.get("errorType"), e.get("message")) for e in body.get("errors") or []]))
    assert answers[1] == answers[0]
