"""A write either succeeds or reports that it did not happen: when the result of a mutation cannot be
produced for its caller (a non-null field would come out null), nothing is stored and no event is sent.

The case that reaches the server: a Lambda authorizer's `deniedFields` names a required field, so
every mutation result that selects it would null the whole mutation field after the write."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from serve_support import template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.lambda_authorizer import LambdaAuthorizer
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.store import Store, store_layouts
from transformer.project import load_project
from transformer.rules import Provider

TICKETS = """
type Ticket @model @auth(rules: [{allow: custom}]) {
  id: ID!
  title: String!
  code: String!
}
"""

CREATE = "mutation C($input: CreateTicketInput!) { createTicket(input: $input) { id title %s } }"
UPDATE = "mutation U($input: UpdateTicketInput!) { updateTicket(input: $input) { id title %s } }"
DELETE = "mutation D($input: DeleteTicketInput!) { deleteTicket(input: $input) { id %s } }"


def _authorize(event: dict[str, Any]) -> dict[str, Any]:
    return {"isAuthorized": True, "deniedFields": ["Ticket.code"] if event["authorizationToken"] == "limited" else []}


class Served:
    def __init__(self, directory: Path, engine: str) -> None:
        (directory / "schema.graphql").write_text(TICKETS)
        shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
        state = LocalState.open(directory)
        project, diagnostics = load_project(directory, auth_modes=[Provider.FUNCTION], environment=state.environment())
        assert project is not None, diagnostics
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        authenticator = Authenticator(state, state.environment(), ["function"],
                                      lambda_authorizer=LambdaAuthorizer(_authorize, "test"))
        self.app = create_app(project, self.store, authenticator, state=state, engine=engine)
        self.client = TestClient(self.app)
        self.events: list[object] = []
        bus = self.app.state.core.bus
        original = bus.publish

        def publish(topic: str, event: object) -> None:
            self.events.append((topic, event))
            original(topic, event)

        bus.publish = publish

    def call(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        response = self.client.post("/graphql", json={"query": query, "variables": variables},
                                    headers={"authorization": token})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(params=["python", "vtl"])
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Served:
    """The guarded server and `serve --engine vtl` (the emitted templates) alike."""
    return Served(tmp_path, request.param)


@pytest.mark.parametrize("selection", ["code", "...on Ticket { code }", "...F"])
def test_create_whose_result_would_null_a_required_field_stores_nothing(served: Served, selection: str) -> None:
    query = CREATE % selection + (" fragment F on Ticket { code }" if selection == "...F" else "")
    body = served.call(query, {"input": {"id": "t1", "title": "a", "code": "x"}}, "limited")
    assert body["data"]["createTicket"] is None
    (error,) = body["errors"]
    assert error["errorType"] == "MutationNotCommitted"
    assert "not saved" in error["message"] and "Ticket.code" in error["message"]
    assert served.store.get("Ticket", {"id": "t1"}) is None
    assert served.events == []


def test_same_create_without_the_field_succeeds_once(served: Served) -> None:
    body = served.call(CREATE % "", {"input": {"id": "t1", "title": "a", "code": "x"}}, "limited")
    assert body["data"]["createTicket"] == {"id": "t1", "title": "a"}, body
    assert served.store.get("Ticket", {"id": "t1"})["code"] == "x"
    assert len(served.events) == 1


def test_update_and_delete_roll_back_too(served: Served) -> None:
    served.call(CREATE % "", {"input": {"id": "t1", "title": "a", "code": "x"}}, "limited")
    body = served.call(UPDATE % "code", {"input": {"id": "t1", "title": "b"}}, "limited")
    assert body["errors"][0]["errorType"] == "MutationNotCommitted"
    assert served.store.get("Ticket", {"id": "t1"})["title"] == "a"
    body = served.call(DELETE % "code", {"input": {"id": "t1"}}, "limited")
    assert body["errors"][0]["errorType"] == "MutationNotCommitted"
    assert served.store.get("Ticket", {"id": "t1"}) is not None
    body = served.call(DELETE % "code", {"input": {"id": "t1"}}, "full")
    assert body["data"]["deleteTicket"] == {"id": "t1", "code": "x"}, body
    assert served.store.get("Ticket", {"id": "t1"}) is None
