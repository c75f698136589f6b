"""Subscriptions for the real-time endpoint, run by the server's own subscription path.

`ServerCore.subscribe` is what the graphql-transport-ws endpoint runs: the same schema, the same
guard (`decide_subscribe` when subscribing, `event_visible` per event), the same event bus, and
GraphQL execution that shapes each event to the subscription's selection set and applies field
rules. This module only translates its results into the real-time protocol's terms, and mounts the
endpoint on the server's app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from starlette.applications import Starlette

from resolvers.guards import UNAUTHORIZED
from resolvers.identity import Identity
from resolvers.realtime.endpoint import RealtimeEndpoint, RealtimeSettings, SubscriptionRefused
from resolvers.realtime.protocol import ErrorItem, SubscriptionRequest, unauthorized
from resolvers.server.app import ServerCore
from resolvers.server.subscription_events import event_payload

_AUTH_ERROR_TYPES = frozenset({UNAUTHORIZED, "UnauthorizedException"})


class ServerSubscriptionSource:
    """A `SubscriptionSource` over `ServerCore.subscribe`."""

    def __init__(self, core: ServerCore) -> None:
        self.core = core

    async def open(self, identity: Identity, request: SubscriptionRequest) -> AsyncIterator[dict[str, Any]]:
        data: dict[str, Any] = {"query": request.query, "variables": request.variables or {}}
        if request.operation_name:
            data["operationName"] = request.operation_name
        success, result = await self.core.subscribe(data, identity)
        if not success:
            raise SubscriptionRefused(refusal_errors(result))
        return self._payloads(result)

    async def _payloads(self, results: Any) -> AsyncIterator[dict[str, Any]]:
        try:
            async for result in results:
                payload = event_payload(result)
                if payload is not None:
                    yield payload
        finally:
            close = getattr(results, "aclose", None)
            if close is not None:
                await close()


def refusal_errors(errors: Any) -> list[ErrorItem]:
    """The `error` frame for a subscription the server would not start.

    A refusal by the rules reads `Permission denied: Not Authorized to access ...`, which the Amplify
    library reports as `Unauthorized`; anything else (a bad query, a bad filter) keeps its type.
    """
    items: list[ErrorItem] = []
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, Mapping):
            continue
        error_type = error.get("errorType") or "BadRequestException"
        message = str(error.get("message") or "The subscription could not be started")
        if error_type in _AUTH_ERROR_TYPES:
            items.append(unauthorized(message))
        else:
            items.append(ErrorItem(errorType=str(error_type), message=message, errorCode=400))
    if any(item.error_type == "UnauthorizedException" for item in items):
        items.sort(key=lambda item: item.error_type != "UnauthorizedException")
    return items or [ErrorItem(errorType="BadRequestException", message="The subscription could not be started",
                               errorCode=400)]


def realtime_endpoint(core: ServerCore, *, endpoint_path: str = "/graphql",
                      settings: RealtimeSettings | None = None) -> RealtimeEndpoint:
    """The real-time protocol over `core`'s subscriptions, for `endpoint_path` (IAM signs that path)."""
    credentials = core.state.find_credentials if core.state is not None else None
    return RealtimeEndpoint(core.authenticator, ServerSubscriptionSource(core), endpoint_path=endpoint_path,
                            settings=settings, credentials=credentials)


def mount_realtime(app: Starlette, *, endpoint_path: str = "/graphql",
                   settings: RealtimeSettings | None = None) -> RealtimeEndpoint:
    """Add `<endpoint_path>/realtime` to an app made by `resolvers.server.app.create_app`.

    The same endpoint answers a `graphql-ws` client on `<endpoint_path>` itself (`app.state.realtime`).
    """
    endpoint = realtime_endpoint(app.state.core, endpoint_path=endpoint_path, settings=settings)
    app.state.realtime = endpoint
    app.router.routes.insert(0, endpoint.route())
    return endpoint
