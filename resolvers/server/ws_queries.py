"""Queries, mutations and request size over graphql-transport-ws, bounded as over HTTP.

Ariadne runs a query or mutation that arrives in a `subscribe` message through its HTTP handler's
`execute_graphql_query`; this handler sends it to `ServerCore.execute` instead, the path every HTTP
request takes: the caller's identity from the connection, the request's budget (resolver count,
response size, execution time; the depth limit is checked when the document is validated), the
worker pool, and the same `LimitExceededException` answer. A `subscribe` message larger than a
request may be is refused with the HTTP body's error item.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ariadne.asgi.handlers import GraphQLHTTPHandler
from ariadne.types import GraphQLResult
from graphql import DocumentNode

from resolvers.limits import MAX_REQUEST_BYTES, bounded_result, request_too_large

if TYPE_CHECKING:
    from resolvers.server.app import ServerCore

IDENTITY_SCOPE_KEY = "gqlauth.identity"


class BudgetedWebSocketQueries(GraphQLHTTPHandler):
    """The `http_handler` of the graphql-transport-ws app: its queries and mutations run as HTTP ones do."""

    def __init__(self, core: ServerCore) -> None:
        super().__init__()
        self.core = core

    async def execute_graphql_query(self, request: Any, data: Any, *, context_value: Any = None,
                                    query_document: DocumentNode | None = None) -> GraphQLResult:
        identity = request.scope.get(IDENTITY_SCOPE_KEY)
        success, result = await self.core.execute(data, identity, request)
        return success, bounded_result(result, self.core.limits)


def oversized_subscribe(data: Any) -> dict[str, Any] | None:
    """The error item for a `subscribe` payload over the request size bound, else None."""
    try:
        size = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError, RecursionError):
        return None
    return request_too_large(size) if size > MAX_REQUEST_BYTES else None


__all__ = ["IDENTITY_SCOPE_KEY", "BudgetedWebSocketQueries", "oversized_subscribe"]
