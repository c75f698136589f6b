"""WebSockets on `/graphql`: the subprotocol answered is always one the client offered; `graphql-ws`
gets AppSync's real-time protocol there (gql's `AppSyncWebsocketsTransport`), `graphql-transport-ws`
keeps working; and subscription events carry no per-subscriber errors (a field the subscriber may
not read is null), as AppSync delivers them."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from realtime_support import api_key_headers, header_subprotocol, start_message, subscription_data
from serve_support import CREATE_POST, Served, serve_blog
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from resolvers.dual_listener import bind_socket
from resolvers.realtime.serving import prepare_app

ON_CREATE = "subscription S { onCreatePost { id title owner internalNotes } }"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return serve_blog(tmp_path_factory.mktemp("ws"))


def _create_as_admin(served: Served, client: httpx.Client | TestClient) -> str:
    post_id = str(uuid.uuid4())
    response = client.post("/graphql", headers={"authorization": served.token("adm", ["Admins"])},
                           json={"query": CREATE_POST,
                                 "variables": {"input": {"id": post_id, "title": "t", "internalNotes": "classified"}}})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    return post_id


def _next_frame(ws: Any) -> dict[str, Any]:
    """The next frame that is not a keep-alive."""
    while (message := ws.receive_json())["type"] == "ka":
        pass
    return dict(message)


def test_graphql_ws_on_the_endpoint_speaks_appsync_realtime(served: Served) -> None:
    headers = api_key_headers(served.api_key, "127.0.0.1:20002")
    with TestClient(served.app, base_url="http://127.0.0.1:20002") as client, client.websocket_connect(
            "/graphql", subprotocols=["graphql-ws", header_subprotocol(headers)]) as ws:
        assert ws.accepted_subprotocol == "graphql-ws"
        ws.send_text(json.dumps({"type": "connection_init"}))
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_text(start_message("s1", subscription_data(ON_CREATE), headers))
        assert _next_frame(ws) == {"id": "s1", "type": "start_ack"}
        post_id = _create_as_admin(served, client)
        message = _next_frame(ws)
        assert message["type"] == "data"
        assert message["payload"] == {"data": {"onCreatePost": {
            "id": post_id, "title": "t", "owner": "adm", "internalNotes": None}}}


def test_graphql_transport_ws_is_answered_with_itself(served: Served) -> None:
    with TestClient(served.app) as client, client.websocket_connect(
            "/graphql", subprotocols=["graphql-ws", "graphql-transport-ws"]) as ws:
        assert ws.accepted_subprotocol == "graphql-transport-ws"
        ws.send_json({"type": "connection_init", "payload": {"x-api-key": served.api_key}})
        assert ws.receive_json()["type"] == "connection_ack"


@pytest.mark.parametrize("offered", [[], ["graphql-sse"], ["header-e30"]])
def test_a_client_offering_no_known_protocol_is_refused_before_the_upgrade(served: Served,
                                                                            offered: list[str]) -> None:
    with TestClient(served.app) as client, pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect("/graphql", subprotocols=offered):
        pass
    assert refused.value.code == 1002


def test_transport_ws_event_for_a_protected_field_is_null_without_errors(served: Served) -> None:
    """Today's Apollo and gql end a subscription on the first event with errors: none is sent."""
    with TestClient(served.app) as client, client.websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"x-api-key": served.api_key}})
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": ON_CREATE}})
        time.sleep(0.2)
        first, second = _create_as_admin(served, client), _create_as_admin(served, client)
        for expected in (first, second):
            message = ws.receive_json()
            assert message["type"] == "next"
            assert message["payload"] == {"data": {"onCreatePost": {
                "id": expected, "title": "t", "owner": "adm", "internalNotes": None}}}
            assert "classified" not in json.dumps(message)


# -- the real gql client, against a real listening server ------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return serve_blog(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def listening(live: Served) -> Iterator[str]:
    """The served app (with `/graphql/realtime` mounted as `gqlauth serve` does) on an ephemeral port."""
    served = live
    prepare_app(served.app)
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(served.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


async def _first_event_through_gql(served: Served, host: str, auth: Any) -> dict[str, Any]:
    from gql import Client, gql
    from gql.transport.appsync_websockets import AppSyncWebsocketsTransport

    transport = AppSyncWebsocketsTransport(url=f"ws://{host}/graphql", auth=auth)
    async with Client(transport=transport) as session, httpx.AsyncClient(base_url=f"http://{host}") as http:
        events = session.subscribe(gql(ON_CREATE))
        first = asyncio.ensure_future(events.__anext__())
        created: list[str] = []
        while not first.done():  # the start_ack is not visible through gql: publish until one arrives
            post_id = str(uuid.uuid4())
            created.append(post_id)
            await http.post("/graphql", headers={"authorization": served.token("adm", ["Admins"])}, json={
                "query": CREATE_POST, "variables": {"input": {"id": post_id, "title": "t", "internalNotes": "x"}}})
            await asyncio.wait([first], timeout=0.3)
        result = first.result()
        await events.aclose()
    assert result["onCreatePost"]["id"] in created
    return dict(result)


@pytest.mark.timeout(60)
def test_gql_appsync_transport_subscribes_through_graphql_with_an_api_key(live: Served, listening: str) -> None:
    pytest.importorskip("gql")
    from gql.transport.appsync_auth import AppSyncApiKeyAuthentication

    event = asyncio.run(_first_event_through_gql(
        live, listening, AppSyncApiKeyAuthentication(host=listening, api_key=live.api_key)))
    assert event["onCreatePost"]["internalNotes"] is None and event["onCreatePost"]["owner"] == "adm"


@pytest.mark.timeout(60)
def test_gql_appsync_transport_subscribes_through_graphql_with_a_user_pool_token(live: Served,
                                                                                 listening: str) -> None:
    pytest.importorskip("gql")
    from gql.transport.appsync_auth import AppSyncJWTAuthentication

    event = asyncio.run(_first_event_through_gql(
        live, listening, AppSyncJWTAuthentication(host=listening, jwt=live.token("reader"))))
    assert event["onCreatePost"]["internalNotes"] is None


def test_a_refused_gql_connection_is_an_error_not_a_hang(live: Served, listening: str) -> None:
    pytest.importorskip("gql")
    from gql import Client, gql
    from gql.transport.appsync_auth import AppSyncApiKeyAuthentication
    from gql.transport.appsync_websockets import AppSyncWebsocketsTransport
    from gql.transport.exceptions import TransportError

    async def connect() -> None:
        transport = AppSyncWebsocketsTransport(
            url=f"ws://{listening}/graphql", auth=AppSyncApiKeyAuthentication(host=listening, api_key="da2-wrong"))
        async with Client(transport=transport) as session:
            async for _ in session.subscribe(gql(ON_CREATE)):
                break

    with pytest.raises(TransportError) as refused:
        asyncio.run(asyncio.wait_for(connect(), 20))
    assert not isinstance(refused.value, TimeoutError)
