"""The real-time endpoint over a stand-in subscription source: handshake auth per mode, per-start auth,
start_ack/data/stop/complete, keep-alive, reconnect with a known id, and every refusal."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

import pytest
from realtime_support import (
    api_key_headers,
    header_subprotocol,
    iam_headers,
    start_message,
    subscription_data,
    token_headers,
)
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from resolvers.authenticate import Authenticator
from resolvers.identity import Identity
from resolvers.issuer import issue_credentials, mint_token, subject_for
from resolvers.local_state import IamCredentialRecord, LocalState
from resolvers.realtime import RealtimeEndpoint, RealtimeSettings, SubscriptionRefused, SubscriptionRequest
from resolvers.realtime.protocol import unauthorized
from resolvers.server.pubsub import Subscriptions
from transformer.group_roles import authenticated_role_iam_arn

HOST = "testserver"
ENDPOINT = f"https://{HOST}/graphql"
QUERY = "subscription OnCreatePost {\n  onCreatePost {\n    id\n    title\n  }\n}\n"
DATA = subscription_data(QUERY)


class OwnerOnlySource:
    """Delivers `onCreatePost` events whose owner is the subscriber; refuses queries naming `forbidden`."""

    def __init__(self) -> None:
        self.bus = Subscriptions()
        self.seen: list[tuple[Identity, SubscriptionRequest]] = []

    async def open(self, identity: Identity, request: SubscriptionRequest) -> AsyncIterator[dict[str, Any]]:
        self.seen.append((identity, request))
        if "forbidden" in request.query:
            raise SubscriptionRefused([unauthorized("Not Authorized to access forbidden on type Subscription")])
        owner = identity.username

        def accept(record: Any) -> bool:
            return owner is None or record.get("owner") == owner

        events = self.bus.subscribe("createPost", accept)

        async def payloads() -> AsyncIterator[dict[str, Any]]:
            try:
                async for record in events:
                    yield {"data": {"onCreatePost": {"id": record["id"], "title": record["title"]}}}
            finally:
                events.close()

        return payloads()


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def api_key(state: LocalState) -> str:
    return state.dev_api_key().key


@pytest.fixture(scope="module")
def credentials(state: LocalState) -> IamCredentialRecord:
    env = state.environment()
    return issue_credentials(state, env, role_arn=authenticated_role_iam_arn(env), authenticated=True,
                             user_sub=subject_for("carol"))


@pytest.fixture
def source() -> OwnerOnlySource:
    return OwnerOnlySource()


@pytest.fixture
def client(state: LocalState, source: OwnerOnlySource) -> Iterator[TestClient]:
    authenticator = Authenticator(state, state.environment(), ["userPools", "apiKey", "iam"])
    endpoint = RealtimeEndpoint(authenticator, source, credentials=state.find_credentials, settings=RealtimeSettings(
        connection_timeout_ms=3000, keepalive_interval_s=0.2, init_timeout_s=2))
    with TestClient(Starlette(routes=[endpoint.route()]), base_url=f"https://{HOST}") as test_client:
        yield test_client


def _connect(client: TestClient, headers: dict[str, str]) -> Any:
    return client.websocket_connect("/graphql/realtime", subprotocols=["graphql-ws", header_subprotocol(headers)])


def _receive(ws: Any, skip_ka: bool = True) -> dict[str, Any]:
    while True:
        message = json.loads(ws.receive_text())
        if not (skip_ka and message["type"] == "ka"):
            return message


def _handshake(ws: Any) -> dict[str, Any]:
    ws.send_text('{"type":"connection_init"}')
    return _receive(ws)


def test_api_key_handshake_is_acknowledged_with_the_timeout_and_keep_alives(client: TestClient, api_key: str) -> None:
    with _connect(client, api_key_headers(api_key, HOST)) as ws:
        assert ws.accepted_subprotocol == "graphql-ws"
        assert _handshake(ws) == {"type": "connection_ack", "payload": {"connectionTimeoutMs": 3000}}
        started = time.monotonic()
        kinds = [json.loads(ws.receive_text())["type"] for _ in range(3)]
        assert kinds == ["ka", "ka", "ka"]
        assert time.monotonic() - started < 3.0, "keep-alives must come well inside connectionTimeoutMs"


def test_subscription_lifecycle_start_ack_data_stop_complete(client: TestClient, source: OwnerOnlySource,
                                                             state: LocalState) -> None:
    token = mint_token(state, user="alice", use="access")
    with _connect(client, token_headers(token, HOST)) as ws:
        assert _handshake(ws)["type"] == "connection_ack"
        ws.send_text(start_message("sub-1", DATA, token_headers(token, HOST)))
        assert _receive(ws) == {"id": "sub-1", "type": "start_ack"}
        source.bus.publish("createPost", {"id": "p0", "title": "bob's", "owner": "bob"})
        source.bus.publish("createPost", {"id": "p1", "title": "hello", "owner": "alice"})
        assert _receive(ws) == {"id": "sub-1", "type": "data",
                                "payload": {"data": {"onCreatePost": {"id": "p1", "title": "hello"}}}}
        ws.send_text('{"id":"sub-1","type":"stop"}')
        assert _receive(ws) == {"id": "sub-1", "type": "complete"}
    identity, request = source.seen[0]
    assert identity.username == "alice" and request.query == QUERY


def test_a_start_is_authorised_on_its_own_credentials(client: TestClient, source: OwnerOnlySource,
                                                      state: LocalState, api_key: str) -> None:
    bob = mint_token(state, user="bob", use="id")
    with _connect(client, api_key_headers(api_key, HOST)) as ws:
        _handshake(ws)
        ws.send_text(start_message("s", DATA, token_headers(bob, HOST)))
        assert _receive(ws)["type"] == "start_ack"
    assert source.seen[0][0].username == "bob"


def test_iam_connect_and_start_are_verified_over_connect_and_the_exact_data(
        client: TestClient, credentials: IamCredentialRecord, source: OwnerOnlySource) -> None:
    with _connect(client, iam_headers(credentials, ENDPOINT + "/connect", "{}", HOST)) as ws:
        assert _handshake(ws)["type"] == "connection_ack"
        ws.send_text(start_message("good", DATA, iam_headers(credentials, ENDPOINT, DATA, HOST)))
        assert _receive(ws) == {"id": "good", "type": "start_ack"}
        tampered = DATA.replace("title", "content")
        ws.send_text(start_message("bad", tampered, iam_headers(credentials, ENDPOINT, DATA, HOST)))
        refused = _receive(ws)
    assert refused["id"] == "bad" and refused["type"] == "error"
    assert refused["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
    assert "Permission denied" in refused["payload"]["errors"][0]["message"]
    assert source.seen[0][0].auth_type == "iam"


def test_legacy_header_query_parameter_is_accepted(client: TestClient, api_key: str) -> None:
    import base64
    encoded = base64.b64encode(json.dumps(api_key_headers(api_key, HOST)).encode()).decode()
    with client.websocket_connect(f"/graphql/realtime?header={encoded}&payload=e30=",
                                  subprotocols=["graphql-ws"]) as ws:
        assert _handshake(ws)["type"] == "connection_ack"


def _refused_handshake(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    with _connect(client, headers) as ws:
        assert ws.accepted_subprotocol == "graphql-ws"
        return _handshake(ws)


def _bad_credentials(state: LocalState, credentials: IamCredentialRecord) -> dict[str, dict[str, str]]:
    forged = mint_token(state, user="alice", use="access")
    header, payload, signature = forged.split(".")
    forged = ".".join([header, payload, signature[:-6] + ("AAAAAA" if signature[-6:] != "AAAAAA" else "BBBBBB")])
    expired = mint_token(state, user="alice", use="access", expires_in=timedelta(seconds=1),
                         now=mint_time_in_past())
    bad_signature = iam_headers(credentials, ENDPOINT + "/connect", "{}", HOST)
    bad_signature["authorization"] = bad_signature["authorization"][:-4] + "0000"
    return {
        "wrong api key": api_key_headers("da2-notarealkey", HOST),
        "forged token": token_headers(forged, HOST),
        "expired token": token_headers(expired, HOST),
        "bad sigv4 signature": bad_signature,
    }


def mint_time_in_past() -> Any:
    from resolvers.local_state import now_utc
    return now_utc() - timedelta(hours=2)


@pytest.mark.parametrize("case", ["wrong api key", "forged token", "expired token", "bad sigv4 signature"])
def test_refused_handshake_is_connection_error_401(client: TestClient, state: LocalState,
                                                   credentials: IamCredentialRecord, case: str) -> None:
    message = _refused_handshake(client, _bad_credentials(state, credentials)[case])
    assert message["type"] == "connection_error"
    error = message["payload"]["errors"][0]
    assert error["errorType"] == "UnauthorizedException" and error["errorCode"] == 401


@pytest.mark.parametrize("case", ["wrong api key", "forged token", "expired token", "bad sigv4 signature"])
def test_refused_start_is_an_unauthorized_error_frame(client: TestClient, state: LocalState, api_key: str,
                                                      credentials: IamCredentialRecord, source: OwnerOnlySource,
                                                      case: str) -> None:
    bad = _bad_credentials(state, credentials)[case]
    if case == "bad sigv4 signature":
        bad = iam_headers(credentials, ENDPOINT, DATA, HOST)
        bad["authorization"] = bad["authorization"][:-4] + "0000"
    with _connect(client, api_key_headers(api_key, HOST)) as ws:
        _handshake(ws)
        ws.send_text(start_message("s1", DATA, bad))
        message = _receive(ws)
    assert message == {"id": "s1", "type": "error", "payload": {"errors": [
        {"errorType": "UnauthorizedException", "message": "Permission denied", "errorCode": 401}]}}
    assert source.seen == []


def test_missing_connect_headers_are_refused(client: TestClient) -> None:
    with client.websocket_connect("/graphql/realtime", subprotocols=["graphql-ws"]) as ws:
        message = _handshake(ws)
    assert message["type"] == "connection_error" and message["payload"]["errors"][0]["errorCode"] == 401


def test_a_client_without_graphql_ws_is_turned_away(client: TestClient, api_key: str) -> None:
    with pytest.raises(WebSocketDisconnect), client.websocket_connect(
            "/graphql/realtime", subprotocols=["graphql-transport-ws", header_subprotocol(
                api_key_headers(api_key, HOST))]) as ws:
        ws.receive_text()


def test_subscription_refused_by_the_rules_is_an_error_frame(client: TestClient, api_key: str) -> None:
    data = subscription_data("subscription { forbidden { id } }")
    with _connect(client, api_key_headers(api_key, HOST)) as ws:
        _handshake(ws)
        ws.send_text(start_message("f", data, api_key_headers(api_key, HOST)))
        message = _receive(ws)
    assert message["type"] == "error" and message["id"] == "f"
    assert message["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
    assert message["payload"]["errors"][0]["message"].startswith("Permission denied")


def test_reconnect_may_resend_a_known_id_but_one_connection_may_not_run_it_twice(
        client: TestClient, api_key: str, source: OwnerOnlySource) -> None:
    headers = api_key_headers(api_key, HOST)
    with _connect(client, headers) as ws:
        _handshake(ws)
        ws.send_text(start_message("same", DATA, headers))
        assert _receive(ws)["type"] == "start_ack"
        ws.send_text(start_message("same", DATA, headers))
        duplicate = _receive(ws)
    assert duplicate["type"] == "error" and duplicate["payload"]["errors"][0]["errorType"] == "DuplicatedOperationError"
    with _connect(client, headers) as ws:
        _handshake(ws)
        ws.send_text(start_message("same", DATA, headers))
        assert _receive(ws)["type"] == "start_ack"
        source.bus.publish("createPost", {"id": "p9", "title": "again", "owner": None})
        assert _receive(ws)["payload"]["data"]["onCreatePost"]["id"] == "p9"


def test_malformed_messages_get_error_frames_and_the_connection_survives(client: TestClient, api_key: str) -> None:
    headers = api_key_headers(api_key, HOST)
    with _connect(client, headers) as ws:
        _handshake(ws)
        ws.send_text("{not json")
        assert _receive(ws)["payload"]["errors"][0]["errorType"] == "MessageProcessingError"
        ws.send_text(start_message("q", "not a request", headers))
        bad = _receive(ws)
        assert bad["id"] == "q" and bad["payload"]["errors"][0]["errorType"] == "BadRequestException"
        ws.send_text(start_message("ok", DATA, headers))
        assert _receive(ws)["type"] == "start_ack"


def test_data_before_connection_init_is_refused(client: TestClient, api_key: str) -> None:
    headers = api_key_headers(api_key, HOST)
    with _connect(client, headers) as ws:
        ws.send_text(start_message("early", DATA, headers))
        message = _receive(ws)
    assert message["type"] == "connection_error"


def test_a_subscription_ends_when_its_token_expires(client: TestClient, source: OwnerOnlySource,
                                                    state: LocalState) -> None:
    short = mint_token(state, user="alice", use="access", expires_in=timedelta(seconds=1))
    with _connect(client, token_headers(short, HOST)) as ws:
        _handshake(ws)
        ws.send_text(start_message("brief", DATA, token_headers(short, HOST)))
        assert _receive(ws)["type"] == "start_ack"
        ended = _receive(ws)
        source.bus.publish("createPost", {"id": "late", "title": "after expiry", "owner": "alice"})
    assert ended["type"] == "error" and ended["id"] == "brief"
    assert ended["payload"]["errors"][0]["errorType"] == "UnauthorizedException"
    assert "Token expired" in ended["payload"]["errors"][0]["message"]
    assert source.bus.count() == 0


def test_a_binary_frame_is_read_as_text(client: TestClient, api_key: str) -> None:
    headers = api_key_headers(api_key, HOST)
    with _connect(client, headers) as ws:
        ws.send_bytes(b'{"type":"connection_init"}')
        assert _receive(ws)["type"] == "connection_ack"
        ws.send_bytes(b"\xff\xfe")
        assert _receive(ws)["payload"]["errors"][0]["errorType"] == "MessageProcessingError"


def test_an_iam_subscription_ends_when_its_credentials_expire(client: TestClient, state: LocalState,
                                                              api_key: str) -> None:
    env = state.environment()
    brief = issue_credentials(state, env, role_arn=authenticated_role_iam_arn(env), authenticated=True,
                              user_sub=subject_for("erin"), expires_in=timedelta(seconds=1))
    with _connect(client, api_key_headers(api_key, HOST)) as ws:
        _handshake(ws)
        ws.send_text(start_message("iam", DATA, iam_headers(brief, ENDPOINT, DATA, HOST)))
        assert _receive(ws)["type"] == "start_ack"
        ended = _receive(ws)
    assert ended["id"] == "iam" and ended["type"] == "error"
    assert "Token expired" in ended["payload"]["errors"][0]["message"]
