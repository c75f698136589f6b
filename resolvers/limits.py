"""Bounded work per request, with AppSync's own bounds.

* query depth: AppSync's `queryDepthLimit` (1-75; 0, the default, means no limit). Checked on the
  document before anything runs (fragments expanded, `__typename` and introspection not counted).
* resolvers per request: AppSync's `resolverCountLimit` (1-10,000; 0, the default, means 10,000).
  Every generated root operation, relational field and field-level check is one resolver, as each is
  a resolver in the stack Amplify deploys.
* response size: AppSync refuses a response over 5 MB. The budget counts the selected values of every
  record a resolver returns, so an abusive request stops as soon as it is over, long before it has
  built the response; the HTTP layer checks the exact size of what it would send.
* execution time: AppSync stops a request after 30 seconds.
* list pages: Amplify passes `limit` (default 100) to DynamoDB unchanged, and DynamoDB stops a Query
  or Scan page after 1 MB of items; the store does the same and hands back a `nextToken`.
* subscription events: AppSync's quota "Subscription payload size" is 240 kilobytes
  (https://docs.aws.amazon.com/general/latest/gr/appsync.html, the Service Quotas code `appsync`);
  AppSync drops a larger event without telling the subscriber (it counts it in the
  `InboundMessageError` metric), and so does `serve`, logging why.
* request size: AppSync's published quotas (the same page) name no bound on a request's size, only
  the 240 KB subscription payload, the 1 MB schema and the 5 MB evaluated template. `serve` bounds
  every request at 5 MB, whatever the transport: an HTTP body (413), a graphql-transport-ws
  `subscribe` message (an `error` frame) and a real-time protocol message (an `error` frame), each
  answered with the same error item, `{"errorType": "BadRequestException", "message": ...}`.

Queries and mutations sent over graphql-transport-ws run through the same path as HTTP ones
(`ServerCore.execute`), so every bound above applies to them with the same answers.

Once a request is over a bound every later resolver of it fails at once, so the rest of an abusive
request costs almost nothing and other callers are not held up. The two API settings are read where
an Amplify project sets them, the API's `override.ts`
(`resources.graphqlApi.queryDepthLimit = N`, `resources.graphqlApi.resolverCountLimit = N`).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from starlette.responses import Response

from resolvers.server.errors import AppSyncError
from resolvers.store import PAGE_BYTES

MAX_RESPONSE_BYTES = 5 * 1024 * 1024
MAX_REQUEST_BYTES = 5 * 1024 * 1024
SUBSCRIPTION_PAYLOAD_BYTES = 240 * 1024
REQUEST_TOO_LARGE_TYPE = "BadRequestException"
MAX_RESOLVER_COUNT = 10_000
MAX_QUERY_DEPTH = 75
EXECUTION_TIMEOUT_SECONDS = 30.0
DYNAMODB_PAGE_BYTES = PAGE_BYTES

LIMIT_ERROR_TYPE = "LimitExceededException"
BUDGET_KEY = "gqlauth.budget"


@dataclass(frozen=True)
class ApiLimits:
    """An API's bounds (AppSync's defaults unless the project sets them)."""

    query_depth_limit: int = 0
    resolver_count_limit: int = 0
    max_response_bytes: int = MAX_RESPONSE_BYTES
    timeout_seconds: float = EXECUTION_TIMEOUT_SECONDS

    @property
    def resolvers(self) -> int:
        return self.resolver_count_limit or MAX_RESOLVER_COUNT


class LimitExceeded(AppSyncError):
    def __init__(self, message: str) -> None:
        super().__init__(message, LIMIT_ERROR_TYPE)


@dataclass
class RequestBudget:
    """What one request may still spend; shared by all its resolvers through the GraphQL context."""

    limits: ApiLimits
    clock: Callable[[], float] = time.monotonic
    resolvers: int = 0
    response_bytes: int = 0
    started: float = field(default=0.0)
    exceeded: LimitExceeded | None = None

    def __post_init__(self) -> None:
        self.started = self.clock()

    def _fail(self, message: str) -> LimitExceeded:
        if self.exceeded is None:
            self.exceeded = LimitExceeded(message)
        return self.exceeded

    def check(self) -> None:
        if self.exceeded is not None:
            raise self.exceeded
        if self.clock() - self.started > self.limits.timeout_seconds:
            raise self._fail(f"Execution timed out after {self.limits.timeout_seconds:g} seconds")

    def spend_resolver(self) -> None:
        self.check()
        self.resolvers += 1
        if self.resolvers > self.limits.resolvers:
            raise self._fail(f"Resolver count limit of {self.limits.resolvers} exceeded")

    def spend_bytes(self, count: int) -> None:
        self.response_bytes += count
        if self.response_bytes > self.limits.max_response_bytes:
            raise self._fail(f"Response payload size exceeded the maximum of {self.limits.max_response_bytes} bytes")


def budget_of(context: Any) -> RequestBudget | None:
    found = context.get(BUDGET_KEY) if isinstance(context, Mapping) else None
    return found if isinstance(found, RequestBudget) else None


def record_bytes(records: Iterable[Any], names: frozenset[str]) -> int:
    """About what the selected fields of `records` add to a JSON response."""
    total = 0
    for record in records:
        if not isinstance(record, Mapping):
            continue
        total += 2
        for name in names:
            if name in record:
                total += len(name) + 4 + len(json.dumps(record[name], ensure_ascii=False, default=str))
    return total


def selected_names(field_nodes: Iterable[FieldNode], fragments: Mapping[str, FragmentDefinitionNode]) -> frozenset[str]:
    """Every field name selected anywhere under these nodes (fragments expanded)."""
    names: set[str] = set()
    seen_fragments: set[str] = set()
    pending: list[SelectionSetNode] = [n.selection_set for n in field_nodes if n.selection_set is not None]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                names.add(selection.name.value)
                if selection.selection_set is not None:
                    pending.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen_fragments:
                seen_fragments.add(selection.name.value)
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    pending.append(fragment.selection_set)
    return frozenset(names)


def query_depth(document: DocumentNode, operation_name: str | None = None) -> int:
    """The deepest field nesting of the operation that runs (a root field is depth 1)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
    deepest = 0
    for operation in operations[:1] if operation_name is None and len(operations) == 1 else operations:
        pending: list[tuple[SelectionSetNode, int, frozenset[str]]] = [(operation.selection_set, 1, frozenset())]
        while pending:
            selection_set, depth, via = pending.pop()
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    if selection.name.value.startswith("__"):
                        continue
                    deepest = max(deepest, depth)
                    if selection.selection_set is not None:
                        pending.append((selection.selection_set, depth + 1, via))
                elif isinstance(selection, InlineFragmentNode):
                    pending.append((selection.selection_set, depth, via))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = fragments.get(name)
                    if fragment is not None and name not in via:
                        pending.append((fragment.selection_set, depth, via | {name}))
    return deepest


def depth_error(document: DocumentNode, operation_name: str | None, limits: ApiLimits) -> str | None:
    if limits.query_depth_limit <= 0:
        return None
    depth = query_depth(document, operation_name)
    if depth > limits.query_depth_limit:
        return f"Query depth limit of {limits.query_depth_limit} exceeded (the query is {depth} levels deep)"
    return None


def limit_exceeded_result(error: LimitExceeded) -> dict[str, Any]:
    """The whole answer to a request that went over a bound: no partial data, one error."""
    return {"data": None, "errors": [{"errorType": LIMIT_ERROR_TYPE, "message": error.message, "path": None,
                                      "locations": [], "data": None, "errorInfo": None}]}


def request_too_large(size: int, limit: int = MAX_REQUEST_BYTES) -> dict[str, Any]:
    """The error item for a request over the size bound (HTTP body, WebSocket message alike)."""
    return {"errorType": REQUEST_TOO_LARGE_TYPE,
            "message": f"The request is {size} bytes; requests are limited to {limit} bytes"}


def _response_too_large(limits: ApiLimits) -> dict[str, Any]:
    message = f"Response payload size exceeded the maximum of {limits.max_response_bytes} bytes"
    return limit_exceeded_result(LimitExceeded(message))


def _encoded(result: Mapping[str, Any]) -> bytes:
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def bounded_result(result: Mapping[str, Any], limits: ApiLimits) -> dict[str, Any]:
    """`result`, or AppSync's error when its JSON would be over the response size limit."""
    if len(_encoded(result)) > limits.max_response_bytes:
        return _response_too_large(limits)
    return dict(result)


def bounded_response(result: Mapping[str, Any], limits: ApiLimits) -> Response:
    """The HTTP answer for an executed request: AppSync's error instead of a body over the size limit."""
    body = _encoded(result)
    if len(body) > limits.max_response_bytes:
        body = _encoded(_response_too_large(limits))
    return Response(body, status_code=200, media_type="application/json")


def event_too_large(payload: Mapping[str, Any], limit: int = SUBSCRIPTION_PAYLOAD_BYTES) -> int | None:
    """The size of a subscription event's JSON when it is over AppSync's subscription payload quota."""
    size = len(_encoded(payload))
    return size if size > limit else None


_SETTING = re.compile(r"\.\s*(queryDepthLimit|resolverCountLimit)\s*=\s*(\d+)")


def project_limits(schema_path: Path) -> tuple[ApiLimits, str | None]:
    """The API's depth and resolver-count settings from its `override.ts`, with where they were read."""
    from transformer.amplify_layout import api_file

    override = api_file(schema_path, "override.ts")
    for candidate in [override] if override is not None else []:
        try:
            text = candidate.read_text(encoding="utf-8")
        except OSError:
            continue
        found = {name: int(value) for name, value in _SETTING.findall(text)}
        if found:
            depth = min(found.get("queryDepthLimit", 0), MAX_QUERY_DEPTH)
            count = min(found.get("resolverCountLimit", 0), MAX_RESOLVER_COUNT)
            return ApiLimits(query_depth_limit=depth, resolver_count_limit=count), str(candidate)
    return ApiLimits(), None


__all__ = [
    "BUDGET_KEY",
    "DYNAMODB_PAGE_BYTES",
    "LIMIT_ERROR_TYPE",
    "MAX_REQUEST_BYTES",
    "MAX_RESPONSE_BYTES",
    "REQUEST_TOO_LARGE_TYPE",
    "SUBSCRIPTION_PAYLOAD_BYTES",
    "ApiLimits",
    "LimitExceeded",
    "RequestBudget",
    "bounded_response",
    "bounded_result",
    "budget_of",
    "depth_error",
    "event_too_large",
    "limit_exceeded_result",
    "project_limits",
    "query_depth",
    "record_bytes",
    "request_too_large",
    "selected_names",
]
