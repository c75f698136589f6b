"""AppSync's real-time (WebSocket) protocol for `gqlauth serve`, at `<endpoint path>/realtime`.

    RealtimeEndpoint(authenticator, source, endpoint_path="/graphql", settings=RealtimeSettings())
        .route() -> a Starlette WebSocketRoute at "/graphql/realtime"
    SubscriptionSource: `await source.open(identity, request)` -> async iterator of `{"data": ...}` payloads,
        or raises SubscriptionRefused(errors); the server's subscription path implements it.
"""

from resolvers.realtime.endpoint import (
    RealtimeEndpoint,
    RealtimeSettings,
    SubscriptionRefused,
    SubscriptionSource,
    realtime_path,
)
from resolvers.realtime.protocol import ErrorItem, SubscriptionRequest

__all__ = [
    "ErrorItem",
    "RealtimeEndpoint",
    "RealtimeSettings",
    "SubscriptionRefused",
    "SubscriptionRequest",
    "SubscriptionSource",
    "realtime_path",
]
