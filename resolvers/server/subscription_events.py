"""A subscription event as AppSync delivers it: the data cut to the subscriber's selection, no `errors`.

AppSync sends subscribers the mutation's result, in which every field-protected value is already
null (the field resolvers null them for results that come from a mutation; see
`shared/spec/auth-semantics.md` §2.4, "Mutation and subscription redaction"). A subscriber never
gets an `errors` entry for a field it may not read: gql and Apollo end a subscription on the first
event that carries one. Here each subscriber's event runs through its own field checks, so a
denied field is null (the check raised, and GraphQL put null in its place); the errors are dropped
from the event, and any that is not a denial is logged as a server fault. An event whose root
field came out null carries nothing the subscriber may see and is not delivered, and neither is an
event over AppSync's 240 KB subscription payload quota (`resolvers.limits`), which AppSync drops.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from graphql import ExecutionResult, GraphQLError

from resolvers.guards import UNAUTHORIZED
from resolvers.limits import SUBSCRIPTION_PAYLOAD_BYTES, event_too_large
from resolvers.server.errors import AppSyncError

logger = logging.getLogger("gqlauth.subscriptions")


def _is_denial(error: GraphQLError) -> bool:
    original: BaseException | None = error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if isinstance(original, AppSyncError):
        return original.error_type in (UNAUTHORIZED, "UnauthorizedException")
    return False


def event_payload(result: ExecutionResult | Mapping[str, Any]) -> dict[str, Any] | None:
    """`{"data": ...}` for one subscriber's event, or None when there is nothing to deliver."""
    if isinstance(result, Mapping):
        data, errors = result.get("data"), []
    else:
        data, errors = result.data, list(result.errors or [])
    for error in errors:
        if not _is_denial(error):
            logger.error("subscription event field failed: %s", error.message, exc_info=error.original_error)
    if not isinstance(data, Mapping) or not data or all(value is None for value in data.values()):
        return None
    payload = {"data": dict(data)}
    size = event_too_large(payload)
    if size is not None:
        logger.warning("subscription event of %d bytes not delivered: AppSync drops events over its "
                       "subscription payload quota of %d bytes", size, SUBSCRIPTION_PAYLOAD_BYTES)
        return None
    return payload


__all__ = ["event_payload"]
