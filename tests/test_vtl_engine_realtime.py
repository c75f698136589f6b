"""Amplify's real-time protocol against `serve --engine vtl`: events decided by the templates reach the
subscriber shaped to the selection, with protected fields null; refused subscriptions are refused."""

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
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

BLOG = Path(__file__).parent.parent / "samples" / "blog" / "schema.graphql"
HOST = "testserver"
ON_CREATE = "subscription { onCreatePost { id title owner internalNotes } }"
CREATE = "mutation Create($input: CreatePostInput!) { createPost(input: $input) { id } }"


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[TestClient, LocalState]]:
    state = LocalState.open(tmp_path)
    project, diagnostics = load_project(BLOG, auth_modes=[Provider.USER_POOLS, Provider.API_KEY, Provider.IAM],
                                        environment=state.environment())
    assert project is not None, diagnostics
    authenticator = Authenticator(state, state.environment(), ["userPools", "apiKey", "iam"])
    app = create_app(project, Store(":memory:", store_layouts(project.matrix, project.schema)), authenticator,
                     state=state, engine="vtl")
    mount_realtime(app)
    with TestClient(app, base_url=f"https://{HOST}") as client:
        yield client, state


def _receive(socket: Any) -> dict[str, Any]:
    while True:
        message = json.loads(socket.receive_text())
        if message["type"] != "ka":
            return message


def _open(client: TestClient, auth: dict[str, str], query: str) -> tuple[Any, Any]:
    ws = client.websocket_connect("/graphql/realtime", subprotocols=["graphql-ws", header_subprotocol(auth)])
    socket = ws.__enter__()
    socket.send_text('{"type":"connection_init"}')
    assert _receive(socket)["type"] == "connection_ack"
    socket.send_text(start_message("s1", subscription_data(query), auth))
    return ws, socket


def test_events_through_the_templates(setup: tuple[TestClient, LocalState]) -> None:
    client, state = setup
    alice = mint_token(state, user="alice", use="access")
    bob = mint_token(state, user="bob", groups=["Editors"], use="id")
    ws, socket = _open(client, token_headers(alice, HOST), ON_CREATE)
    try:
        assert _receive(socket) == {"id": "s1", "type": "start_ack"}
        for token, values in ((bob, {"title": "bob's", "internalNotes": "bob only"}), (alice, {"title": "alice's"})):
            response = client.post("/graphql", json={"query": CREATE, "variables": {"input": values}},
                                   headers={"authorization": token})
            assert response.status_code == 200 and "errors" not in response.json(), response.text
        first, second = _receive(socket), _receive(socket)
    finally:
        ws.__exit__(None, None, None)
    bobs, alices = first["payload"]["data"]["onCreatePost"], second["payload"]["data"]["onCreatePost"]
    assert bobs["title"] == "bob's" and bobs["owner"] == "bob" and bobs["internalNotes"] is None
    assert alices["title"] == "alice's" and alices["owner"] == "alice"


def test_refused_subscription(setup: tuple[TestClient, LocalState]) -> None:
    client, state = setup
    ws, socket = _open(client, api_key_headers(state.dev_api_key().key, HOST), "subscription { onCreateComment { id } }")
    try:
        refused = _receive(socket)
    finally:
        ws.__exit__(None, None, None)
    assert refused["type"] == "error"
    assert refused["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
