"""The AppSync real-time WebSocket endpoint (`<endpoint path>/realtime`), as a Starlette route.

One connection: the handshake credentials are checked before `connection_ack` (a refusal is a
`connection_error` with `errorCode` 401); then each `start` is authorised on its own from
`extensions.authorization` (IAM: SigV4 over the exact `data` string) and handed to a
`SubscriptionSource`, the same subscription path the graphql-transport-ws endpoint uses. Events go
out as `data` frames; `ka` frames keep the client's timer well inside `connectionTimeoutMs`.
Subscription ids are per connection, so a client that reconnects may re-send a `start` with an id it
used before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from resolvers.authenticate import Authenticator
from resolvers.identity import AuthenticationError, AuthType, Identity
from resolvers.local_state import now_utc
from resolvers.realtime import protocol
from resolvers.realtime.handshake import (
    GRAPHQL_WS,
    ConnectionAuth,
    HandshakeError,
    authenticate_connection,
    authenticate_start,
    offers_graphql_ws,
    read_connection_auth,
)
from resolvers.realtime.protocol import ErrorItem, ProtocolError, Start, Stop, SubscriptionRequest
from resolvers.sigv4 import CredentialLookup, parse_authorization

logger = logging.getLogger("gqlauth.realtime")

REALTIME_SUFFIX = "/realtime"


class SubscriptionRefused(Exception):
    """A `start` that may not run: answered with an `error` frame carrying `errors`."""

    def __init__(self, errors: list[ErrorItem]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


class SubscriptionSource(Protocol):
    """Runs one subscription for one caller; shared with the graphql-transport-ws endpoint."""

    async def open(self, identity: Identity, request: SubscriptionRequest) -> AsyncIterator[dict[str, Any]]:
        """The event payloads (`{"data": {...}}`, shaped to the selection set) for this subscription.

        Raises `SubscriptionRefused` when the caller may not subscribe or the request is invalid.
        The iterator is closed (`aclose`) when the client stops or disconnects.
        """
        ...


class RealtimeSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    connection_timeout_ms: int = Field(default=protocol.DEFAULT_CONNECTION_TIMEOUT_MS, ge=1000)
    keepalive_interval_s: float | None = Field(default=None, gt=0)
    """Seconds between `ka` frames; default a fifth of the timeout, at most 60 s (AppSync: about a minute)."""
    init_timeout_s: float = Field(default=15.0, gt=0)
    """How long a connection may stay open without `connection_init`."""
    max_subscriptions: int = Field(default=200, ge=1)

    @property
    def keepalive_seconds(self) -> float:
        if self.keepalive_interval_s is not None:
            return self.keepalive_interval_s
        return min(60.0, self.connection_timeout_ms / 5000)


def realtime_path(endpoint_path: str) -> str:
    return endpoint_path.rstrip("/") + REALTIME_SUFFIX


class RealtimeEndpoint:
    """Serves AppSync's real-time protocol for one GraphQL endpoint path (e.g. `/graphql`)."""

    def __init__(self, authenticator: Authenticator, source: SubscriptionSource, *, endpoint_path: str = "/graphql",
                 settings: RealtimeSettings | None = None, credentials: CredentialLookup | None = None) -> None:
        """`credentials` finds IAM credentials by access key id, so that IAM subscriptions end when they expire."""
        self.credentials = credentials
        self.authenticator = authenticator
        self.source = source
        self.endpoint_path = "/" + endpoint_path.strip("/")
        self.settings = settings or RealtimeSettings()

    @property
    def path(self) -> str:
        return realtime_path(self.endpoint_path)

    def route(self) -> WebSocketRoute:
        return WebSocketRoute(self.path, self.handle, name="appsync-realtime")

    async def handle(self, websocket: WebSocket) -> None:
        subprotocols = list(websocket.scope.get("subprotocols") or [])
        if not offers_graphql_ws(subprotocols):
            await websocket.close(code=1002, reason="the graphql-ws subprotocol is required")
            return
        source_ip = websocket.client.host if websocket.client else None
        identity: Identity | None = None
        refusal: str | None = None
        try:
            auth: ConnectionAuth = read_connection_auth(subprotocols, websocket.scope.get("query_string", b""))
            identity = authenticate_connection(self.authenticator, auth, self.endpoint_path, source_ip=source_ip)
        except (HandshakeError, AuthenticationError) as exc:
            refusal = str(exc)
        await websocket.accept(subprotocol=GRAPHQL_WS)
        connection = _Connection(self, websocket, source_ip)
        try:
            if refusal is not None or identity is None:
                await connection.refuse(refusal or "Unauthorized")
            else:
                await connection.run()
        except (WebSocketDisconnect, OSError):
            pass
        finally:
            await connection.shutdown()


class _Connection:
    """The state of one socket: its send lock, keep-alive task and running subscriptions."""

    def __init__(self, endpoint: RealtimeEndpoint, websocket: WebSocket, source_ip: str | None) -> None:
        self.endpoint = endpoint
        self.settings = endpoint.settings
        self.websocket = websocket
        self.source_ip = source_ip
        self._send_lock = asyncio.Lock()
        self._keepalive: asyncio.Task[None] | None = None
        self._subscriptions: dict[str, asyncio.Task[None]] = {}

    async def send(self, text: str) -> None:
        async with self._send_lock:
            if self.websocket.application_state is WebSocketState.CONNECTED:
                await self.websocket.send_text(text)

    async def receive(self) -> str:
        """The next client message; a binary frame is read as UTF-8 text (the protocol only uses text)."""
        message = await self.websocket.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        text = message.get("text")
        if text is None:
            text = (message.get("bytes") or b"").decode("utf-8", errors="replace")
        return str(text)

    async def refuse(self, detail: str) -> None:
        """`connection_error` 401 in answer to `connection_init`; the client then closes (3001)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.receive(), self.settings.init_timeout_s)
        error = ErrorItem(errorType="UnauthorizedException", message=detail, errorCode=401)
        await self.send(protocol.connection_error([error]))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drain(), 2.0)

    async def _drain(self) -> None:
        while True:
            await self.receive()

    async def run(self) -> None:
        try:
            first = await asyncio.wait_for(self.receive(), self.settings.init_timeout_s)
        except TimeoutError:
            await self.websocket.close(code=1000, reason="connection_init not received")
            return
        if not self._is_init(first):
            error = ErrorItem(errorType="BadRequestException", message="Expected connection_init first",
                              errorCode=400)
            await self.send(protocol.connection_error([error]))
            await self.websocket.close(code=1002)
            return
        await self.send(protocol.connection_ack(self.settings.connection_timeout_ms))
        self._keepalive = asyncio.create_task(self._keep_alive())
        while True:
            text = await self.receive()
            try:
                message = protocol.parse_client_message(text)
            except ProtocolError as exc:
                await self.send(protocol.error(exc.message_id, [exc.error]))
                continue
            if isinstance(message, Start):
                await self._start(message)
            elif isinstance(message, Stop):
                await self._stop(message.id)

    @staticmethod
    def _is_init(text: str) -> bool:
        try:
            return isinstance(protocol.parse_client_message(text), protocol.ConnectionInit)
        except ProtocolError:
            return False

    async def _keep_alive(self) -> None:
        interval = self.settings.keepalive_seconds
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
            while True:
                await self.send(protocol.KEEP_ALIVE)
                await asyncio.sleep(interval)

    async def _start(self, start: Start) -> None:
        if start.id in self._subscriptions:
            await self.send(protocol.error(start.id, [ErrorItem(
                errorType="DuplicatedOperationError", message=f"Another subscription with id {start.id} is running",
                errorCode=400)]))
            return
        if len(self._subscriptions) >= self.settings.max_subscriptions:
            await self.send(protocol.error(start.id, [ErrorItem(
                errorType="MaxSubscriptionsReachedError",
                message=f"A connection may hold at most {self.settings.max_subscriptions} subscriptions",
                errorCode=400)]))
            return
        try:
            identity = authenticate_start(self.endpoint.authenticator, start.payload.extensions.authorization,
                                          start.payload.data, self.endpoint.endpoint_path, source_ip=self.source_ip)
        except AuthenticationError:
            await self.send(protocol.error(start.id, [protocol.unauthorized()]))
            return
        try:
            request = protocol.parse_subscription_request(start)
            events = await self.endpoint.source.open(identity, request)
        except ProtocolError as exc:
            await self.send(protocol.error(start.id, [exc.error]))
            return
        except SubscriptionRefused as exc:
            await self.send(protocol.error(start.id, exc.errors))
            return
        await self.send(protocol.start_ack(start.id))
        lifetime = _seconds_left(identity, start.payload.extensions.authorization, self.endpoint.credentials)
        task = asyncio.create_task(self._pump(start.id, events, lifetime))
        self._subscriptions[start.id] = task

    async def _pump(self, message_id: str, events: AsyncIterator[dict[str, Any]], lifetime: float | None) -> None:
        """Deliver events until the client stops, the source ends, or the subscriber's token expires."""
        try:
            async with asyncio.timeout(lifetime):
                async for payload in events:
                    if _deliverable(payload):
                        await self.send(protocol.data(message_id, payload))
        except TimeoutError:
            if self._subscriptions.pop(message_id, None) is not None:
                # "Token expired" makes the library reconnect with fresh credentials from its provider.
                await self.send(protocol.error(message_id, [ErrorItem(
                    errorType="UnauthorizedException", message="Token expired: subscribe again with a fresh token",
                    errorCode=401)]))
            return
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        finally:
            aclose = getattr(events, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
        if self._subscriptions.pop(message_id, None) is not None:
            # The source ended the stream (e.g. the subscriber fell too far behind): tell the client.
            await self.send(protocol.error(message_id, [ErrorItem(
                errorType="SubscriptionEnded", message="The server ended this subscription", errorCode=500)]))

    async def _stop(self, message_id: str) -> None:
        task = self._subscriptions.pop(message_id, None)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self.send(protocol.complete(message_id))

    async def shutdown(self) -> None:
        tasks = [*self._subscriptions.values(), *([self._keepalive] if self._keepalive else [])]
        self._subscriptions.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def _seconds_left(identity: Identity, authorization: Mapping[str, Any],
                  credentials: CredentialLookup | None) -> float | None:
    """How long a subscription may run: until its token's `exp` or its IAM credentials' expiry (None: no limit)."""
    if identity.auth_type is AuthType.IAM:
        header = next((value for name, value in authorization.items()
                       if isinstance(value, str) and name.lower() == "authorization"), "")
        try:
            record = credentials(parse_authorization(header).access_key_id) if credentials else None
        except AuthenticationError:
            record = None
        return max(0.0, (record.expires_at - now_utc()).total_seconds()) if record is not None else None
    expires = identity.claims.get("exp")
    if isinstance(expires, bool) or not isinstance(expires, int | float):
        return None
    return max(0.0, float(expires) - time.time())


def _deliverable(payload: Mapping[str, Any]) -> bool:
    """The library drops a `data` frame whose `payload.data` is falsy; AppSync never sends one."""
    return bool(payload.get("data"))
