"""Where a real-time connection's credentials come from, and checking them.

Amplify ≥ 6.6 sends the connect headers as a second WebSocket subprotocol next to `graphql-ws`:
`header-<base64url(JSON), no padding>`. Older clients send `?header=<base64(JSON)>&payload=e30=`
with standard base64 that is *not* URL-encoded, so `+` must stay `+` (Python's `parse_qs` would turn
it into a space). The subprotocol wins when both are present.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from resolvers.authenticate import Authenticator
from resolvers.identity import AuthenticationError, Identity

GRAPHQL_WS = "graphql-ws"
HEADER_PROTOCOL_PREFIX = "header-"
MAX_HEADER_BYTES = 16 * 1024


class HandshakeError(Exception):
    """The connection's credentials are missing or unreadable (answered with `connection_error` 401)."""


class ConnectionAuth(BaseModel):
    """The connect headers a client sent, and where it put them."""

    model_config = ConfigDict(frozen=True)

    headers: dict[str, str]
    source: str
    """`subprotocol` or `query`."""


def offers_graphql_ws(subprotocols: Sequence[str]) -> bool:
    return any(protocol.strip() == GRAPHQL_WS for protocol in subprotocols)


def split_subprotocols(header_values: Sequence[str]) -> list[str]:
    """`Sec-WebSocket-Protocol` values split on `,` (`ws` sends `a,b`, browsers `a, b`)."""
    return [token.strip() for value in header_values for token in value.split(",") if token.strip()]


def read_connection_auth(subprotocols: Sequence[str], raw_query: str | bytes) -> ConnectionAuth:
    """The connect headers from the `header-…` subprotocol, else from the legacy `header` parameter."""
    for protocol in subprotocols:
        protocol = protocol.strip()
        if protocol.startswith(HEADER_PROTOCOL_PREFIX):
            encoded = protocol[len(HEADER_PROTOCOL_PREFIX):]
            return ConnectionAuth(headers=_decode_headers(encoded, urlsafe=True), source="subprotocol")
    query = raw_query.decode("latin-1") if isinstance(raw_query, bytes) else raw_query
    legacy = _raw_query_parameter(query, "header")
    if legacy is not None:
        return ConnectionAuth(headers=_decode_headers(legacy, urlsafe=False), source="query")
    raise HandshakeError("No authorization in the connection request: expected a header-<base64url JSON> "
                         "subprotocol or a header query parameter")


def authenticate_connection(authenticator: Authenticator, auth: ConnectionAuth, endpoint_path: str, *,
                            source_ip: str | None = None) -> Identity:
    """The identity behind a connection; IAM signs `POST <endpoint>/connect` with body `{}`."""
    return authenticator.authenticate_connection(auth.headers, endpoint_path, source_ip=source_ip)


def authenticate_start(authenticator: Authenticator, authorization: Mapping[str, Any], data: str,
                       endpoint_path: str, *, source_ip: str | None = None) -> Identity:
    """The identity behind one `start`; IAM signs `POST <endpoint>` over the exact `data` string."""
    if not authorization:
        raise AuthenticationError("The start message has no extensions.authorization")
    return authenticator.authenticate_subscription(authorization, data, endpoint_path, source_ip=source_ip)


def _raw_query_parameter(query: str, name: str) -> str | None:
    for pair in query.split("&"):
        key, separator, value = pair.partition("=")
        if separator and unquote(key) == name:
            return unquote(value).replace(" ", "+")
    return None


def _decode_headers(encoded: str, *, urlsafe: bool) -> dict[str, str]:
    if len(encoded) > MAX_HEADER_BYTES:
        raise HandshakeError(f"The connection's authorization header is longer than {MAX_HEADER_BYTES} bytes")
    text = encoded.strip()
    padded = text + "=" * (-len(text) % 4)
    try:
        if urlsafe:
            raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        else:
            raw = base64.b64decode(padded.encode("ascii"), validate=True)
        value = json.loads(raw)
    except (binascii.Error, UnicodeError, ValueError):
        raise HandshakeError("The connection's authorization header is not base64-encoded JSON") from None
    if not isinstance(value, dict):
        raise HandshakeError("The connection's authorization header must be a JSON object")
    return {str(name): item for name, item in value.items() if isinstance(item, str)}
