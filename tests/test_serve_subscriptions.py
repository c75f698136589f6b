"""Subscriptions over graphql-transport-ws: credentials in `connection_init`, the subscribe-time
decision, per-event filtering, and protected fields null in payloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from serve_support import CREATE_POST, NOTES_SCHEMA, Served, serve_blog, serve_schema
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

ON_CREATE = "subscription S { onCreatePost { id title owner internalNotes } }"


@pytest.fixture()
def served(tmp_path: Path) -> Served:
    return serve_blog(tmp_path)


def _connect(client: TestClient, payload: dict[str, Any]) -> Any:
    ws = client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
    session = ws.__enter__()
    session.send_json({"type": "connection_init", "payload": payload})
    return ws, session


def _subscribe(session: Any, query: str, variables: dict[str, Any] | None = None, op_id: str = "1") -> None:
    session.send_json({"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}})


def test_owner_subscriber_gets_only_own_events_with_protected_fields_null(tmp_path: Path) -> None:
    served = serve_schema(tmp_path, NOTES_SCHEMA)
    alice, bob = served.token("alice"), served.token("bob")
    create = "mutation C($input: CreateNoteInput!) { createNote(input: $input) { id } }"
    with TestClient(served.app) as client:
        served.client = client
        ws, session = _connect(client, {"Authorization": alice})
        try:
            assert session.receive_json()["type"] == "connection_ack"
            _subscribe(session, "subscription { onCreateNote { id title owner secret } }")
            assert served.call(create, {"input": {"id": "b1", "title": "bob's", "secret": "b"}}, token=bob)[0] == 200
            served.call(create, {"input": {"id": "a1", "title": "mine", "secret": "alice-secret"}}, token=alice)
            message = session.receive_json()
            assert message["type"] == "next"
            note = message["payload"]["data"]["onCreateNote"]
            assert note == {"id": "a1", "title": "mine", "owner": "alice", "secret": None}
            assert "alice-secret" not in str(message)
        finally:
            ws.__exit__(None, None, None)


def test_private_reader_sees_every_event_but_no_protected_values(served: Served) -> None:
    bob = served.token("bob")
    editor = served.token("ed", ["Editors"])
    with TestClient(served.app) as client:
        served.client = client
        ws, session = _connect(client, {"headers": {"Authorization": editor}})
        try:
            assert session.receive_json()["type"] == "connection_ack"
            _subscribe(session, ON_CREATE)
            served.call(CREATE_POST, {"input": {"id": "x1", "title": "t", "internalNotes": "classified"}},
                        token=served.token("admin", ["Admins"]))
            message = session.receive_json()
            assert message["payload"]["data"]["onCreatePost"]["id"] == "x1"
            assert message["payload"]["data"]["onCreatePost"]["internalNotes"] is None
            assert "classified" not in str(message)
        finally:
            ws.__exit__(None, None, None)
        del bob


def test_bad_credentials_close_the_connection(served: Served) -> None:
    with TestClient(served.app) as client:
        ws, session = _connect(client, {"Authorization": "not-a-token"})
        try:
            with pytest.raises(WebSocketDisconnect) as closed:
                session.receive_json()
            assert closed.value.code == 4403
        finally:
            ws.__exit__(None, None, None)


def test_denied_subscription_gets_an_error(served: Served) -> None:
    with TestClient(served.app) as client:
        ws, session = _connect(client, {"x-api-key": served.api_key})
        try:
            assert session.receive_json()["type"] == "connection_ack"
            _subscribe(session, "subscription { onCreateComment { id } }")
            message = session.receive_json()
            assert message["type"] == "error"
            assert message["payload"][0]["errorType"] == "Unauthorized"
        finally:
            ws.__exit__(None, None, None)


def test_client_filter_applies_per_event(served: Served) -> None:
    admin = served.token("admin", ["Admins"])
    with TestClient(served.app) as client:
        served.client = client
        ws, session = _connect(client, {"Authorization": admin})
        try:
            assert session.receive_json()["type"] == "connection_ack"
            _subscribe(session, "subscription S($f: ModelSubscriptionPostFilterInput) { onCreatePost(filter: $f) { id } }",
                       {"f": {"title": {"beginsWith": "keep"}}})
            served.call(CREATE_POST, {"input": {"id": "d1", "title": "drop me"}}, token=admin)
            served.call(CREATE_POST, {"input": {"id": "k1", "title": "keep me"}}, token=admin)
            assert session.receive_json()["payload"]["data"]["onCreatePost"]["id"] == "k1"
        finally:
            ws.__exit__(None, None, None)


def test_closing_the_socket_ends_the_subscription(served: Served) -> None:
    import time

    bus = served.app.state.core.bus
    with TestClient(served.app) as client:
        ws, session = _connect(client, {"Authorization": served.token("alice")})
        assert session.receive_json()["type"] == "connection_ack"
        _subscribe(session, ON_CREATE)
        deadline = time.monotonic() + 5
        while bus.count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bus.count("createPost") == 1
        ws.__exit__(None, None, None)
        deadline = time.monotonic() + 5
        while bus.count() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert bus.count() == 0


def test_update_and_delete_events_reach_subscribers_redacted(served: Served) -> None:
    admin = served.token("ann", ["Admins"])
    with TestClient(served.app) as client:
        served.client = client
        ws, session = _connect(client, {"Authorization": admin})
        try:
            assert session.receive_json()["type"] == "connection_ack"
            _subscribe(session, "subscription { onUpdatePost { id title internalNotes } }", op_id="u")
            _subscribe(session, "subscription { onDeletePost { id internalNotes } }", op_id="d")
            served.call(CREATE_POST, {"input": {"id": "p1", "title": "t", "internalNotes": "n"}}, token=admin)
            served.call("mutation { updatePost(input: {id: \"p1\", title: \"u\"}) { id } }", token=admin)
            served.call("mutation { deletePost(input: {id: \"p1\"}) { id } }", token=admin)
            first, second = session.receive_json(), session.receive_json()
            assert first["id"] == "u" and first["payload"]["data"]["onUpdatePost"] == \
                {"id": "p1", "title": "u", "internalNotes": None}
            assert second["id"] == "d" and second["payload"]["data"]["onDeletePost"] == {"id": "p1", "internalNotes": None}
        finally:
            ws.__exit__(None, None, None)


def test_owner_argument_must_be_the_callers_own(tmp_path: Path) -> None:
    served = serve_schema(tmp_path, NOTES_SCHEMA)
    alice = served.token("alice")
    create = "mutation C($input: CreateNoteInput!) { createNote(input: $input) { id } }"
    with TestClient(served.app) as client:
        served.client = client
        ws, session = _connect(client, {"Authorization": alice})
        try:
            assert session.receive_json()["type"] == "connection_ack"
            _subscribe(session, "subscription { onCreateNote(owner: \"bob\") { id } }", op_id="bob")
            refused = session.receive_json()
            assert refused["id"] == "bob" and refused["type"] == "error"
            assert refused["payload"][0]["errorType"] == "Unauthorized"
            _subscribe(session, "subscription { onCreateNote(owner: \"alice\") { id owner } }", op_id="mine")
            served.call(create, {"input": {"id": "n1"}}, token=served.token("bob"))
            served.call(create, {"input": {"id": "n2"}}, token=alice)
            event = session.receive_json()
            assert event["id"] == "mine" and event["payload"]["data"]["onCreateNote"] == {"id": "n2", "owner": "alice"}
        finally:
            ws.__exit__(None, None, None)
