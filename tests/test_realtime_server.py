"""The real-time endpoint mounted on the server's app for the blog sample: the same guards and per-event
filters as the graphql-transport-ws endpoint, events shaped to the selection set, protected fields hidden."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from realtime_support import api_key_headers, header_subprotocol, start_message, subscription_data, token_headers
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.realtime.server_source import mount_realtime
from resolvers.server.app import create_app
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

BLOG = Path(__file__).resolve().parents[1] / "samples" / "blog" / "schema.graphql"
HOST = "testserver"
ON_CREATE = "subscription OnCreatePost {\n  onCreatePost {\n    id\n    title\n    owner\n    internalNotes\n  }\n}\n"
CREATE = "mutation Create($input: CreatePostInput!) { createPost(input: $input) { id } }"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("blog"))


@pytest.fixture(params=["python", "vtl"])
def client(state: LocalState, request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The server with either engine (guards, or the emitted templates): the real-time path is the same."""
    project, diagnostics = load_project(BLOG, auth_modes=[Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    assert project is not None, diagnostics
    authenticator = Authenticator(state, state.environment(), ["userPools", "apiKey", "iam"])
    app = create_app(project, Store.for_matrix(project.matrix), authenticator, state=state, engine=request.param)
    mount_realtime(app)
    with TestClient(app, base_url=f"https://{HOST}") as test_client:
        yield test_client


def _post(client: TestClient, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/graphql", json={"query": query, "variables": variables}, headers={"authorization": token})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return dict(response.json())


def _subscribe(client: TestClient, auth: dict[str, str], query: str = ON_CREATE) -> Any:
    ws = client.websocket_connect("/graphql/realtime", subprotocols=["graphql-ws", header_subprotocol(auth)])
    socket = ws.__enter__()
    socket.send_text('{"type":"connection_init"}')
    assert _receive(socket)["type"] == "connection_ack"
    socket.send_text(start_message("s1", subscription_data(query), auth))
    return ws, socket


def _receive(socket: Any) -> dict[str, Any]:
    while True:
        message = json.loads(socket.receive_text())
        if message["type"] != "ka":
            return message


def test_owner_gets_her_events_and_not_another_users_protected_fields(client: TestClient, state: LocalState) -> None:
    alice = mint_token(state, user="alice", use="access")
    bob = mint_token(state, user="bob", groups=["Editors"], use="id")
    ws, socket = _subscribe(client, token_headers(alice, HOST))
    try:
        assert _receive(socket) == {"id": "s1", "type": "start_ack"}
        _post(client, bob, CREATE, {"input": {"title": "bob's", "internalNotes": "bob only"}})
        _post(client, alice, CREATE, {"input": {"title": "alice's"}})
        first, second = _receive(socket), _receive(socket)
        socket.send_text('{"id":"s1","type":"stop"}')
        assert _receive(socket) == {"id": "s1", "type": "complete"}
        assert client.app.state.core.bus.count() == 0, "stop ends the subscription on the event bus"
    finally:
        ws.__exit__(None, None, None)
    assert first["type"] == second["type"] == "data"
    bobs, alices = first["payload"]["data"]["onCreatePost"], second["payload"]["data"]["onCreatePost"]
    assert set(bobs) == {"id", "title", "owner", "internalNotes"}, "shaped to the selection set"
    assert bobs["title"] == "bob's" and bobs["owner"] == "bob"
    assert bobs["internalNotes"] is None
    assert alices["title"] == "alice's" and alices["owner"] == "alice"


def test_api_key_subscription_refused_by_the_rules_is_permission_denied(client: TestClient, state: LocalState) -> None:
    key = state.dev_api_key().key
    query = "subscription { onCreateComment { id content } }"
    ws, socket = _subscribe(client, api_key_headers(key, HOST), query)
    try:
        refused = _receive(socket)
    finally:
        ws.__exit__(None, None, None)
    assert refused["type"] == "error" and refused["id"] == "s1"
    error = refused["payload"]["errors"][0]
    assert error["errorType"] == "UnauthorizedException" and error["errorCode"] == 401
    assert error["message"].startswith("Permission denied") and "onCreateComment" in error["message"]


def test_an_invalid_subscription_document_is_a_bad_request_not_a_refusal(client: TestClient, state: LocalState) -> None:
    alice = mint_token(state, user="alice", use="access")
    ws, socket = _subscribe(client, token_headers(alice, HOST), "subscription { onCreatePost { nope } }")
    try:
        refused = _receive(socket)
    finally:
        ws.__exit__(None, None, None)
    assert refused["type"] == "error"
    assert refused["payload"]["errors"][0]["errorType"] != "UnauthorizedException"
    assert refused["payload"]["errors"][0]["errorCode"] == 400


def test_a_mutation_sent_as_a_start_does_not_run(client: TestClient, state: LocalState) -> None:
    alice = mint_token(state, user="alice", use="access")
    ws, socket = _subscribe(client, token_headers(alice, HOST), 'mutation { createPost(input: {title: "sneaky"}) { id } }')
    try:
        refused = _receive(socket)
    finally:
        ws.__exit__(None, None, None)
    assert refused["type"] == "error" and refused["payload"]["errors"][0]["errorCode"] == 400
    listed = _post(client, alice, "{ listPosts { items { title } } }", {})
    assert "sneaky" not in {item["title"] for item in listed["data"]["listPosts"]["items"]}
