"""One WebSocket endpoint, two protocols, chosen by the subprotocols the client offers.

`graphql-transport-ws` (graphql-ws, Apollo, GraphiQL) and AppSync's real-time protocol
(`graphql-ws`, as gql's `AppSyncWebsocketsTransport` and older Amplify clients speak it on the
GraphQL endpoint itself) share `/graphql`. The answer only ever names a subprotocol the client
offered; a client that offers neither is refused before the upgrade (HTTP 403), so it never
receives a protocol it cannot speak.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from resolvers.realtime.handshake import GRAPHQL_WS, split_subprotocols

GRAPHQL_TRANSPORT_WS = "graphql-transport-ws"

RealtimeHandler = Callable[[WebSocket], Awaitable[None]]


def chosen_protocol(offered: Sequence[str]) -> str | None:
    """The protocol to speak: graphql-transport-ws when offered, else AppSync's `graphql-ws`, else none."""
    names = split_subprotocols(offered)
    if GRAPHQL_TRANSPORT_WS in names:
        return GRAPHQL_TRANSPORT_WS
    if GRAPHQL_WS in names:
        return GRAPHQL_WS
    return None


class SubprotocolDispatch:
    """An ASGI WebSocket app handing each connection to the handler of the protocol it offered."""

    def __init__(self, transport_ws: ASGIApp, realtime: Callable[[], RealtimeHandler]) -> None:
        """`realtime` returns the AppSync real-time handler (looked up per connection: it may be replaced)."""
        self.transport_ws = transport_ws
        self.realtime = realtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        protocol = chosen_protocol(list(scope.get("subprotocols") or []))
        if protocol == GRAPHQL_TRANSPORT_WS:
            await self.transport_ws(scope, receive, send)
        elif protocol == GRAPHQL_WS:
            await self.realtime()(WebSocket(scope, receive, send))
        else:
            await send({"type": "websocket.close", "code": 1002,
                        "reason": "offer the graphql-transport-ws or graphql-ws subprotocol"})


__all__ = ["GRAPHQL_TRANSPORT_WS", "SubprotocolDispatch", "chosen_protocol"]
