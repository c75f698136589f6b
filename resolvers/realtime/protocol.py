"""The messages of AppSync's real-time protocol (the `graphql-ws` subprotocol as AppSync speaks it).

Client → server: `connection_init`, `start` (whose `payload.data` is a JSON *string* and whose
`payload.extensions.authorization` carries the per-subscription credentials), `stop`.
Server → client: `connection_ack`, `ka`, `start_ack`, `data`, `error`, `complete`, `connection_error`.

Every message is one JSON object in a text frame. Parsing never raises anything but `ProtocolError`,
which carries the error to send back (and the message id when one could be read).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from resolvers.limits import MAX_REQUEST_BYTES, REQUEST_TOO_LARGE_TYPE, request_too_large

DEFAULT_CONNECTION_TIMEOUT_MS = 300_000
MAX_MESSAGE_BYTES = MAX_REQUEST_BYTES
"""A client message is a request: the same bound as an HTTP body (`resolvers.limits`)."""


class ErrorItem(BaseModel):
    """One entry of an `errors` list in `error` and `connection_error` frames."""

    model_config = ConfigDict(populate_by_name=True)

    error_type: str = Field(alias="errorType")
    message: str
    error_code: int | None = Field(default=None, alias="errorCode")

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(by_alias=True, exclude_none=True)


class ProtocolError(Exception):
    """A client message the server cannot act on; answered with an `error` frame."""

    def __init__(self, error: ErrorItem, message_id: str | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.message_id = message_id


# -- client messages ------------------------------------------------------------------------------


class _ClientMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ConnectionInit(_ClientMessage):
    type: Literal["connection_init"]
    payload: dict[str, Any] | None = None


class StartExtensions(_ClientMessage):
    authorization: dict[str, Any] = Field(default_factory=dict)


class StartPayload(_ClientMessage):
    data: str
    """`JSON.stringify({query, variables})`: IAM signs these exact characters."""
    extensions: StartExtensions = Field(default_factory=StartExtensions)


class Start(_ClientMessage):
    id: str = Field(min_length=1, max_length=256)
    type: Literal["start"]
    payload: StartPayload


class Stop(_ClientMessage):
    id: str = Field(min_length=1, max_length=256)
    type: Literal["stop"]


ClientMessage = Annotated[ConnectionInit | Start | Stop, Field(discriminator="type")]
_CLIENT_MESSAGE: TypeAdapter[ConnectionInit | Start | Stop] = TypeAdapter(ClientMessage)  # type: ignore[arg-type]  # an Annotated union


class SubscriptionRequest(BaseModel):
    """The GraphQL request inside a `start`'s `payload.data` string."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    query: str = Field(min_length=1)
    variables: dict[str, Any] | None = None
    operation_name: str | None = Field(default=None, alias="operationName")


def parse_client_message(text: str | bytes) -> ConnectionInit | Start | Stop:
    size = len(text.encode() if isinstance(text, str) else text)
    if size > MAX_MESSAGE_BYTES:
        raise ProtocolError(_error(REQUEST_TOO_LARGE_TYPE, request_too_large(size, MAX_MESSAGE_BYTES)["message"], 400))
    try:
        raw = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ProtocolError(_error("MessageProcessingError", "The message is not valid JSON", 400)) from None
    if not isinstance(raw, dict):
        raise ProtocolError(_error("MessageProcessingError", "A message must be a JSON object", 400))
    message_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    kind = raw.get("type")
    if kind not in ("connection_init", "start", "stop"):
        raise ProtocolError(
            _error("UnsupportedOperation", f"{kind if isinstance(kind, str) else 'This message'} "
                   "is not supported through the realtime channel", 400),
            message_id,
        )
    try:
        return _CLIENT_MESSAGE.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        raise ProtocolError(_error("BadRequestException", f"Invalid {kind} message: {where}: {first['msg']}", 400),
                            message_id) from None


def parse_subscription_request(start: Start) -> SubscriptionRequest:
    try:
        raw = json.loads(start.payload.data)
        return SubscriptionRequest.model_validate(raw)
    except (ValueError, RecursionError):
        raise ProtocolError(
            _error("BadRequestException", "payload.data must be a JSON object with a query string", 400), start.id
        ) from None


def _error(error_type: str, message: str, code: int | None = None) -> ErrorItem:
    return ErrorItem(errorType=error_type, message=message, errorCode=code)


# -- server messages ------------------------------------------------------------------------------


def _dump(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def connection_ack(connection_timeout_ms: int = DEFAULT_CONNECTION_TIMEOUT_MS) -> str:
    return _dump({"type": "connection_ack", "payload": {"connectionTimeoutMs": connection_timeout_ms}})


KEEP_ALIVE = _dump({"type": "ka"})


def start_ack(message_id: str) -> str:
    return _dump({"id": message_id, "type": "start_ack"})


def data(message_id: str, payload: dict[str, Any]) -> str:
    """A subscription event; `payload` is `{"data": {...}}` plus any `errors`, passed to `observer.next`."""
    return _dump({"id": message_id, "type": "data", "payload": payload})


def error(message_id: str | None, errors: list[ErrorItem]) -> str:
    message: dict[str, Any] = {"type": "error", "payload": {"errors": [item.to_json() for item in errors]}}
    if message_id is not None:
        message = {"id": message_id, **message}
    return _dump(message)


def complete(message_id: str) -> str:
    return _dump({"id": message_id, "type": "complete"})


def connection_error(errors: list[ErrorItem]) -> str:
    return _dump({"type": "connection_error", "payload": {"errors": [item.to_json() for item in errors]}})


def unauthorized(detail: str | None = None) -> ErrorItem:
    """A refused connection or subscription.

    The Amplify library turns an `error` frame into `Unauthorized` only when its message contains
    `Permission denied`; the rule that refused, if any, follows after a colon.
    """
    message = "Permission denied" if not detail else f"Permission denied: {detail}"
    return _error("UnauthorizedException", message, 401)
