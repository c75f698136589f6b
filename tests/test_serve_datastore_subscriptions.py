"""Subscription events of a versioned API carry the sync fields; a delete's event is the tombstone.

From AWS's "Versioning DynamoDB data sources": clients include `_version`, `_lastChangedAt` and `_deleted` in the
selection sets of mutations (and so of the subscriptions on them) to learn of changes; a delete leaves a tombstone
with `_deleted: true` and the next `_version`, which is the mutation's result and therefore its event.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from datastore_serve_support import CREATE, DELETE, UPDATE, serve_datastore
from starlette.testclient import TestClient

from resolvers.issuer import mint_token

FIELDS = "id title _version _deleted _lastChangedAt"


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_events_carry_versions_and_a_delete_event_is_a_tombstone(tmp_path: Path, engine: str) -> None:
    server = serve_datastore(tmp_path / engine, "OPTIMISTIC_CONCURRENCY", engine)
    served = server.served
    alice = mint_token(served.state, user="alice", groups=[])
    with TestClient(served.app) as client:
        served.client = client
        ws = client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
        session = ws.__enter__()
        try:
            session.send_json({"type": "connection_init", "payload": {"Authorization": alice}})
            assert session.receive_json()["type"] == "connection_ack"
            for op_id, name in (("c", "onCreateNote"), ("u", "onUpdateNote"), ("d", "onDeleteNote")):
                session.send_json({"id": op_id, "type": "subscribe",
                                   "payload": {"query": f"subscription {{ {name} {{ {FIELDS} }} }}"}})
            server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
            server.data(UPDATE, {"i": {"id": "n1", "title": "b", "_version": 1}})
            server.data(DELETE, {"i": {"id": "n1", "_version": 2}})
            events: dict[str, Any] = {}
            for _ in range(3):
                message = session.receive_json()
                assert message["type"] == "next", message
                events[message["id"]] = next(iter(message["payload"]["data"].values()))
        finally:
            ws.__exit__(None, None, None)
    assert (events["c"]["_version"], events["c"]["_deleted"]) == (1, None)
    assert (events["u"]["_version"], events["u"]["title"]) == (2, "b")
    assert (events["d"]["_version"], events["d"]["_deleted"], events["d"]["title"]) == (3, True, "b")
    assert events["d"]["_lastChangedAt"] >= events["u"]["_lastChangedAt"] >= events["c"]["_lastChangedAt"]
