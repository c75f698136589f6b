"""Parsing AppSync real-time messages and the handshake's credentials (subprotocol and legacy query)."""

from __future__ import annotations

import base64
import json

import pytest

from resolvers.realtime import protocol
from resolvers.realtime.handshake import (
    HandshakeError,
    offers_graphql_ws,
    read_connection_auth,
    split_subprotocols,
)
from resolvers.realtime.protocol import ConnectionInit, ProtocolError, Start, Stop

HEADERS = {"host": "127.0.0.1:8000", "x-amz-date": "20261126T041102Z", "x-api-key": "da2-abc+/="}


def _b64url(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_client_messages_parse_into_their_models() -> None:
    assert isinstance(protocol.parse_client_message('{"type":"connection_init"}'), ConnectionInit)
    start = protocol.parse_client_message(json.dumps({
        "id": "abc", "type": "start",
        "payload": {"data": '{"query":"subscription { onCreatePost { id } }","variables":{}}',
                    "extensions": {"authorization": {"x-api-key": "k", "host": "h"}}},
    }))
    assert isinstance(start, Start)
    assert start.payload.extensions.authorization == {"x-api-key": "k", "host": "h"}
    request = protocol.parse_subscription_request(start)
    assert request.query == "subscription { onCreatePost { id } }" and request.variables == {}
    assert isinstance(protocol.parse_client_message('{"id":"abc","type":"stop"}'), Stop)


@pytest.mark.parametrize(("text", "error_type", "message_id"), [
    ("not json", "MessageProcessingError", None),
    ("[1, 2]", "MessageProcessingError", None),
    ('{"type":"subscribe","id":"x"}', "UnsupportedOperation", "x"),
    ('{"type":"start","id":"x","payload":{}}', "BadRequestException", "x"),
    ('{"type":"start","id":"x","payload":{"data":42}}', "BadRequestException", "x"),
    ('{"type":"stop"}', "BadRequestException", None),
])
def test_malformed_messages_become_protocol_errors(text: str, error_type: str, message_id: str | None) -> None:
    with pytest.raises(ProtocolError) as caught:
        protocol.parse_client_message(text)
    assert caught.value.error.error_type == error_type
    assert caught.value.message_id == message_id


def test_a_start_whose_data_is_not_a_request_is_refused_with_its_id() -> None:
    start = Start.model_validate({"id": "s1", "type": "start", "payload": {"data": '{"variables":{}}'}})
    with pytest.raises(ProtocolError) as caught:
        protocol.parse_subscription_request(start)
    assert caught.value.message_id == "s1"


def test_oversized_message_is_refused() -> None:
    with pytest.raises(ProtocolError, match="limited"):
        protocol.parse_client_message("x" * (protocol.MAX_MESSAGE_BYTES + 1))


def test_server_frames_have_appsync_shapes() -> None:
    assert json.loads(protocol.connection_ack(3000)) == {"type": "connection_ack",
                                                         "payload": {"connectionTimeoutMs": 3000}}
    assert json.loads(protocol.KEEP_ALIVE) == {"type": "ka"}
    assert json.loads(protocol.start_ack("a")) == {"id": "a", "type": "start_ack"}
    assert json.loads(protocol.data("a", {"data": {"onCreatePost": {"id": "1"}}})) == {
        "id": "a", "type": "data", "payload": {"data": {"onCreatePost": {"id": "1"}}}}
    assert json.loads(protocol.complete("a")) == {"id": "a", "type": "complete"}
    assert json.loads(protocol.error("a", [protocol.unauthorized()])) == {
        "id": "a", "type": "error",
        "payload": {"errors": [{"errorType": "UnauthorizedException", "message": "Permission denied",
                                "errorCode": 401}]}}
    refused = json.loads(protocol.connection_error([protocol.ErrorItem(errorType="UnauthorizedException",
                                                                       message="bad", errorCode=401)]))
    assert refused["type"] == "connection_error" and refused["payload"]["errors"][0]["errorCode"] == 401


def test_a_rule_refusal_still_reads_as_permission_denied() -> None:
    item = protocol.unauthorized("Not Authorized to access onCreatePost on type Subscription")
    assert item.message.startswith("Permission denied") and "onCreatePost" in item.message


def test_subprotocol_lists_are_split_on_commas_with_or_without_spaces() -> None:
    assert split_subprotocols(["graphql-ws,header-abc", "x, y"]) == ["graphql-ws", "header-abc", "x", "y"]
    assert offers_graphql_ws(["header-abc", " graphql-ws"])
    assert not offers_graphql_ws(["graphql-transport-ws"])


def test_header_subprotocol_carries_the_connect_headers() -> None:
    auth = read_connection_auth(["graphql-ws", "header-" + _b64url(HEADERS)], b"")
    assert auth.source == "subprotocol" and auth.headers == HEADERS


def test_legacy_query_parameter_keeps_plus_signs() -> None:
    encoded = base64.b64encode(json.dumps(HEADERS).encode()).decode()
    value = json.dumps({"a": ">>>?"})  # base64 of this contains '+' or '/'
    tricky = base64.b64encode(value.encode()).decode()
    assert "+" in tricky or "/" in tricky
    auth = read_connection_auth(["graphql-ws"], f"header={encoded}&payload=e30=".encode())
    assert auth.source == "query" and auth.headers == HEADERS
    assert read_connection_auth(["graphql-ws"], f"header={tricky}&payload=e30=").headers == {"a": ">>>?"}
    # a client that URL-encoded the value, or a proxy that turned '+' into a space
    assert read_connection_auth(["graphql-ws"], f"header={tricky.replace('+', '%2B')}").headers == {"a": ">>>?"}
    assert read_connection_auth(["graphql-ws"], f"header={tricky.replace('+', ' ')}").headers == {"a": ">>>?"}


def test_subprotocol_wins_over_query_parameter() -> None:
    other = base64.b64encode(json.dumps({"x-api-key": "other"}).encode()).decode()
    auth = read_connection_auth(["graphql-ws", "header-" + _b64url(HEADERS)], f"header={other}")
    assert auth.headers["x-api-key"] == HEADERS["x-api-key"]


@pytest.mark.parametrize(("protocols", "query"), [
    (["graphql-ws"], b""),
    (["graphql-ws", "header-!!!"], b""),
    (["graphql-ws", "header-" + _b64url([1, 2])], b""),
    (["graphql-ws", "header-" + "A" * 20000], b""),
    (["graphql-ws"], b"header=bm90IGpzb24="),
])
def test_missing_or_unreadable_connect_headers_are_handshake_errors(protocols: list[str], query: bytes) -> None:
    with pytest.raises(HandshakeError):
        read_connection_auth(protocols, query)
