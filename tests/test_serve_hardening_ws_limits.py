"""AppSync's bounds over the WebSocket paths: queries and mutations sent over graphql-transport-ws
meet the depth, resolver-count and response-size limits with the HTTP answers; a `start` of the
real-time protocol meets the depth limit; every transport refuses a request over the request size
bound with the same error item; and a subscription event over AppSync's 240 KB subscription payload
quota is not delivered, on either protocol."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from realtime_support import api_key_headers, header_subprotocol, start_message, subscription_data
from serve_support import CREATE_POST, Served, serve_blog
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from resolvers.limits import (
    LIMIT_ERROR_TYPE,
    MAX_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    REQUEST_TOO_LARGE_TYPE,
    SUBSCRIPTION_PAYLOAD_BYTES,
    ApiLimits,
)

HOST = "127.0.0.1:20002"
ON_CREATE = "subscription S { onCreatePost { id content } }"


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return serve_blog(tmp_path_factory.mktemp("ws-limits"))


@pytest.fixture
def limited(blog: Served, request: pytest.FixtureRequest) -> Iterator[Served]:
    """The blog with the `ApiLimits` the test is parametrized with (indirect), restored afterwards."""
    def apply(limits: ApiLimits) -> None:
        core = blog.app.state.core
        core.limits = limits
        core.documents.limits = limits
        core.documents._validated.clear()

    apply(request.param)
    yield blog
    apply(ApiLimits())


def _posts(count: int, size: int) -> list[dict[str, Any]]:
    return [{"__typename": "Post", "id": f"p{i:05d}", "title": "t", "owner": "alice", "content": "x" * size}
            for i in range(count)]


def _transport_ws(client: TestClient, api_key: str) -> Any:
    ws = client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"])
    socket = ws.__enter__()
    socket.send_json({"type": "connection_init", "payload": {"x-api-key": api_key}})
    assert socket.receive_json()["type"] == "connection_ack"
    return ws, socket


def _ws_request(blog: Served, payload: dict[str, Any]) -> dict[str, Any]:
    """One operation over graphql-transport-ws: its first frame (`next` or `error`)."""
    with TestClient(blog.app, base_url=f"http://{HOST}") as client:
        ws, socket = _transport_ws(client, blog.api_key)
        try:
            socket.send_json({"id": "1", "type": "subscribe", "payload": payload})
            return dict(socket.receive_json())
        finally:
            ws.__exit__(None, None, None)


def _errors(frame: dict[str, Any]) -> list[dict[str, Any]]:
    if frame["type"] == "error":
        return list(frame["payload"])
    assert frame["type"] == "next", frame
    assert frame["payload"].get("data") is None, frame
    return list(frame["payload"]["errors"])


@pytest.mark.parametrize("limited", [ApiLimits(query_depth_limit=2)], indirect=True)
def test_transport_ws_query_depth_limit(limited: Served) -> None:
    (error,) = _errors(_ws_request(limited, {"query": "{ listPosts { items { id } } }"}))
    assert error["errorType"] == LIMIT_ERROR_TYPE and "depth limit of 2" in error["message"]
    allowed = _ws_request(limited, {"query": '{ getPost(id: "x") { id } }'})
    assert allowed == {"id": "1", "type": "next", "payload": {"data": {"getPost": None}}}


@pytest.mark.parametrize("limited", [ApiLimits(resolver_count_limit=3)], indirect=True)
def test_transport_ws_resolver_count_limit(limited: Served) -> None:
    limited.store.reset(_posts(1, 10))
    five = " ".join(f'g{i}: getPost(id: "p00000") {{ id }}' for i in range(5))
    (error,) = _errors(_ws_request(limited, {"query": "{ " + five + " }"}))
    assert error["errorType"] == LIMIT_ERROR_TYPE and "Resolver count limit of 3" in error["message"]
    three = " ".join(f'g{i}: getPost(id: "p00000") {{ id }}' for i in range(3))
    frame = _ws_request(limited, {"query": "{ " + three + " }"})
    assert frame["payload"] == {"data": {f"g{i}": {"id": "p00000"} for i in range(3)}}


def test_transport_ws_abusive_aliases_stop_at_the_response_size_limit(blog: Served) -> None:
    blog.store.reset(_posts(1000, 200))
    calls = 0
    original = blog.store.query

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    blog.store.query = counted  # type: ignore[method-assign]
    try:
        aliases = " ".join(f"a{i}: listPosts(limit: 1000) {{ items {{ id title content }} }}" for i in range(1000))
        frame = _ws_request(blog, {"query": "{ " + aliases + " }"})
    finally:
        blog.store.query = original  # type: ignore[method-assign]
    assert len(json.dumps(frame)) <= MAX_RESPONSE_BYTES
    assert [e["errorType"] for e in _errors(frame)] == [LIMIT_ERROR_TYPE]
    assert calls < 40, calls


def test_transport_ws_mutation_runs_as_over_http(blog: Served) -> None:
    post_id = str(uuid.uuid4())
    frame = _ws_request(blog, {"query": CREATE_POST, "variables": {"input": {"id": post_id, "title": "t"}}})
    (error,) = frame["payload"]["errors"]
    assert error["errorType"] == "Unauthorized" and frame["payload"]["data"] == {"createPost": None}
    assert blog.store.get("Post", {"id": post_id}) is None


def test_every_transport_refuses_a_request_over_the_size_bound(blog: Served) -> None:
    padding = "x" * (MAX_REQUEST_BYTES + 1)
    body = json.dumps({"query": '{ getPost(id: "x") { id } }', "variables": {"pad": padding}}).encode()
    response = blog.client.post("/graphql", content=body,
                                headers={"content-type": "application/json", "x-api-key": blog.api_key})
    assert response.status_code == 413
    (http_error,) = response.json()["errors"]
    assert http_error["errorType"] == REQUEST_TOO_LARGE_TYPE and str(MAX_REQUEST_BYTES) in http_error["message"]

    frame = _ws_request(blog, {"query": '{ getPost(id: "x") { id } }', "variables": {"pad": padding}})
    assert frame["type"] == "error"
    assert [e["errorType"] for e in frame["payload"]] == [REQUEST_TOO_LARGE_TYPE]

    headers = api_key_headers(blog.api_key, HOST)
    with TestClient(blog.app, base_url=f"http://{HOST}") as client, client.websocket_connect(
            "/graphql", subprotocols=["graphql-ws", header_subprotocol(headers)]) as ws:
        ws.send_text(json.dumps({"type": "connection_init"}))
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_text(start_message("s1", subscription_data(ON_CREATE, {"pad": padding}), headers))
        message = _next_frame(ws)
        assert message["type"] == "error"
        (error,) = message["payload"]["errors"]
        assert error["errorType"] == REQUEST_TOO_LARGE_TYPE and str(MAX_REQUEST_BYTES) in error["message"]


def _next_frame(ws: Any) -> dict[str, Any]:
    while (message := ws.receive_json())["type"] == "ka":
        pass
    return dict(message)


@pytest.mark.parametrize("limited", [ApiLimits(query_depth_limit=1)], indirect=True)
def test_subscriptions_meet_the_depth_limit_on_both_protocols(limited: Served) -> None:
    headers = api_key_headers(limited.api_key, HOST)
    with TestClient(limited.app, base_url=f"http://{HOST}") as client, client.websocket_connect(
            "/graphql", subprotocols=["graphql-ws", header_subprotocol(headers)]) as ws:
        ws.send_text(json.dumps({"type": "connection_init"}))
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_text(start_message("s1", subscription_data(ON_CREATE), headers))
        message = _next_frame(ws)
        assert message["type"] == "error" and message["id"] == "s1"
        (error,) = message["payload"]["errors"]
        assert error["errorType"] == LIMIT_ERROR_TYPE and "depth limit of 1" in error["message"]
    frame = _ws_request(limited, {"query": ON_CREATE})
    assert frame["type"] == "error"
    assert [e["errorType"] for e in frame["payload"]] == [LIMIT_ERROR_TYPE]


def _create(blog: Served, client: TestClient, content: str) -> str:
    post_id = str(uuid.uuid4())
    response = client.post("/graphql", headers={"authorization": blog.token("adm", ["Admins"])},
                           json={"query": CREATE_POST, "variables": {"input": {"id": post_id, "title": "t",
                                                                               "content": content}}})
    assert response.status_code == 200 and "errors" not in response.json(), response.text[:300]
    return post_id


def test_an_event_over_the_subscription_payload_quota_is_not_delivered(blog: Served) -> None:
    too_big = "y" * (SUBSCRIPTION_PAYLOAD_BYTES + 1)
    headers = api_key_headers(blog.api_key, HOST)
    with TestClient(blog.app, base_url=f"http://{HOST}") as client:
        ws, transport = _transport_ws(client, blog.api_key)
        try:
            transport.send_json({"id": "1", "type": "subscribe", "payload": {"query": ON_CREATE}})
            with client.websocket_connect("/graphql",
                                          subprotocols=["graphql-ws", header_subprotocol(headers)]) as realtime:
                realtime.send_text(json.dumps({"type": "connection_init"}))
                assert realtime.receive_json()["type"] == "connection_ack"
                realtime.send_text(start_message("s1", subscription_data(ON_CREATE), headers))
                assert _next_frame(realtime) == {"id": "s1", "type": "start_ack"}
                time.sleep(0.2)
                _create(blog, client, too_big)
                small = _create(blog, client, "small")
                assert _next_frame(realtime)["payload"] == {"data": {"onCreatePost": {"id": small, "content": "small"}}}
            assert transport.receive_json()["payload"] == {"data": {"onCreatePost": {"id": small,
                                                                                     "content": "small"}}}
        finally:
            ws.__exit__(None, None, None)


def test_a_100000_deep_websocket_message_is_refused_not_a_crash(blog: Served) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    headers = api_key_headers(blog.api_key, HOST)
    with TestClient(blog.app, base_url=f"http://{HOST}") as client:
        with client.websocket_connect("/graphql", subprotocols=["graphql-ws", header_subprotocol(headers)]) as ws:
            ws.send_text(json.dumps({"type": "connection_init"}))
            assert ws.receive_json()["type"] == "connection_ack"
            ws.send_text(deep)
            (error,) = _next_frame(ws)["payload"]["errors"]
            assert error["errorType"] == "MessageProcessingError" and error["errorCode"] == 400
            ws.send_text(start_message("s1", '{"query": ' + deep + "}", headers))
            message = _next_frame(ws)
            assert message["type"] == "error" and message["id"] == "s1"
            ws.send_text(start_message("s2", subscription_data(ON_CREATE), headers))
            assert _next_frame(ws) == {"id": "s2", "type": "start_ack"}
        ws_context, transport = _transport_ws(client, blog.api_key)
        try:
            transport.send_text('{"id": "1", "type": "subscribe", "payload": {"query": "{ x }", "variables": '
                                '{"a": ' + deep + "}}}")
            with pytest.raises(WebSocketDisconnect) as closed:
                transport.receive_json()
            assert closed.value.code == 4400
        finally:
            ws_context.__exit__(None, None, None)
