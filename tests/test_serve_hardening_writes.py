"""A write either succeeds or reports that it did not happen: when the result of a mutation cannot be
produced for its caller (a non-null field would come out null), nothing is stored and no event is sent."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_support import Served, serve_schema

TICKETS = """
type Ticket @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) {
  id: ID!
  title: String!
  code: String! @auth(rules: [{allow: owner}])
}
"""

CREATE = "mutation C($input: CreateTicketInput!) { createTicket(input: $input) { id title %s } }"
UPDATE = "mutation U($input: UpdateTicketInput!) { updateTicket(input: $input) { id title %s } }"
DELETE = "mutation D($input: DeleteTicketInput!) { deleteTicket(input: $input) { id %s } }"


@pytest.fixture()
def served(tmp_path: Path) -> Served:
    return serve_schema(tmp_path, TICKETS)


def _published(served: Served) -> list[object]:
    events: list[object] = []
    core = served.app.state.core
    original = core.bus.publish

    def record(topic: str, event: object) -> None:
        events.append((topic, event))
        original(topic, event)

    core.bus.publish = record
    return events


@pytest.mark.parametrize("selection", ["code", "...on Ticket { code }", "...F", ])
def test_create_whose_result_would_null_a_required_field_stores_nothing(served: Served, selection: str) -> None:
    events = _published(served)
    query = CREATE % selection + (" fragment F on Ticket { code }" if selection == "...F" else "")
    _status, body = served.call(query, {"input": {"id": "t1", "title": "a", "code": "x"}}, token=served.token("alice"))
    assert body["data"]["createTicket"] is None
    (error,) = body["errors"]
    assert error["errorType"] == "MutationNotCommitted"
    assert "not saved" in error["message"] and "Ticket.code" in error["message"]
    assert served.store.get("Ticket", {"id": "t1"}) is None
    assert events == []


def test_same_create_without_the_field_succeeds_once(served: Served) -> None:
    token = served.token("alice")
    _status, body = served.call(CREATE % "", {"input": {"id": "t1", "title": "a", "code": "x"}}, token=token)
    assert body["data"]["createTicket"] == {"id": "t1", "title": "a"}, body
    assert served.store.get("Ticket", {"id": "t1"})["code"] == "x"


def test_update_and_delete_roll_back_too(served: Served) -> None:
    token = served.token("alice")
    served.call(CREATE % "", {"input": {"id": "t1", "title": "a", "code": "x"}}, token=token)
    _status, body = served.call(UPDATE % "code", {"input": {"id": "t1", "title": "b"}}, token=token)
    assert body["errors"][0]["errorType"] == "MutationNotCommitted"
    assert served.store.get("Ticket", {"id": "t1"})["title"] == "a"
    _status, body = served.call(DELETE % "code", {"input": {"id": "t1"}}, token=token)
    assert body["errors"][0]["errorType"] == "MutationNotCommitted"
    assert served.store.get("Ticket", {"id": "t1"}) is not None
    _status, body = served.call(DELETE % "", {"input": {"id": "t1"}}, token=token)
    assert body["data"]["deleteTicket"] == {"id": "t1"}
    assert served.store.get("Ticket", {"id": "t1"}) is None
