"""A DynamoDB data source for the template engine: the requests AppSync sends, run on an in-memory table.

`DynamoDBDataSource.invoke(request)` takes a rendered request mapping template (GetItem, PutItem,
UpdateItem, DeleteItem, Query, Scan; version 2018-05-29) and returns `(result, error)` the way
AppSync hands them to the response template (`$ctx.result`, `$ctx.error`). As in DynamoDB, a
page's `limit` counts items read before the filter is applied.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from resolvers.index_keys import IndexKey, null_index_key, null_index_key_message
from resolvers.server.errors import DYNAMODB_ERROR
from resolvers.versioning import (
    CONFLICT_MESSAGE,
    CONFLICT_UNHANDLED,
    LAMBDA_UNHANDLED,
    LAST_CHANGED_AT,
    ConflictHandlerFailed,
    ConflictUnhandled,
    Versioning,
    created,
    delta_window_start,
    lambda_event,
    now_ms,
    resolve_delete,
    resolve_update,
)
from resolvers.vtl_engine.expressions import ExpressionError, apply_update, compile_condition

CONDITION_FAILED = "DynamoDB:ConditionalCheckFailedException"
BAD_REQUEST = "DynamoDB:ValidationException"


class DataSourceError(BaseModel):
    model_config = ConfigDict(frozen=True)

    message: str
    type: str


def from_attribute(value: Any) -> Any:
    """A typed attribute value (`{"S": "x"}`) as a plain value."""
    if not isinstance(value, Mapping) or len(value) != 1:
        raise ExpressionError(f"not a DynamoDB attribute value: {value!r}")
    (kind, inner), = value.items()
    if kind in ("S", "B", "BOOL"):
        return inner
    if kind == "N":
        number = Decimal(str(inner))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "NULL":
        return None
    if kind == "L":
        return [from_attribute(v) for v in inner]
    if kind == "M":
        return {k: from_attribute(v) for k, v in inner.items()}
    if kind in ("SS", "BS"):
        return list(inner)
    if kind == "NS":
        return [from_attribute({"N": v}) for v in inner]
    raise ExpressionError(f"unknown DynamoDB attribute type {kind!r}")


def plain_map(values: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: from_attribute(v) for k, v in (values or {}).items()}


class TableSpec(BaseModel):
    """A table's key: partition key, optional sort key, and its global secondary indexes."""

    model_config = ConfigDict(frozen=True)

    name: str
    partition_key: str
    sort_key: str | None = None
    indexes: dict[str, tuple[str, str | None]] = {}
    index_keys: tuple[IndexKey, ...] = ()
    """Every GSI key attribute with its declared type (`resolvers.index_keys.table_index_keys`)."""


class TableBackend(Protocol):
    """Where a table's items live: the in-memory `MemoryTable`, or the local store (`store_table.StoreTable`)."""

    spec: TableSpec

    def get(self, key: Mapping[str, Any]) -> dict[str, Any] | None: ...

    def put(self, item: Mapping[str, Any]) -> None: ...

    def delete(self, key: Mapping[str, Any]) -> None: ...

    def scan(self) -> list[dict[str, Any]]: ...


class MemoryTable:
    """Items of one table, keyed by their primary key, in insertion order."""

    def __init__(self, spec: TableSpec) -> None:
        self.spec = spec
        self.items: dict[tuple[Any, ...], dict[str, Any]] = {}

    def key_of(self, item: Mapping[str, Any]) -> tuple[Any, ...]:
        fields = [self.spec.partition_key] + ([self.spec.sort_key] if self.spec.sort_key else [])
        missing = [f for f in fields if item.get(f) is None]
        if missing:
            raise ExpressionError(f"the key is missing {', '.join(missing)}")
        return tuple(json.dumps(item[f], sort_keys=True) for f in fields)

    def load(self, items: Iterable[Mapping[str, Any]]) -> None:
        for item in items:
            self.put(item)

    def get(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        found = self.items.get(self.key_of(key))
        return dict(found) if found is not None else None

    def put(self, item: Mapping[str, Any]) -> None:
        self.items[self.key_of(item)] = dict(item)

    def delete(self, key: Mapping[str, Any]) -> None:
        self.items.pop(self.key_of(key), None)

    def scan(self) -> list[dict[str, Any]]:
        return [dict(item) for item in self.items.values()]


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode()


def _decode_token(token: str) -> int:
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise ExpressionError("invalid nextToken") from exc
    if not isinstance(offset, int) or offset < 0:
        raise ExpressionError("invalid nextToken")
    return offset


class DynamoDBDataSource:
    """Runs requests against one table; writes are serialised so a condition and its write are atomic here."""

    _write_lock = threading.Lock()

    def __init__(self, table: TableBackend, versioning: Versioning | None = None,
                 caller: Mapping[str, Any] | None = None) -> None:
        """`versioning`: the table is a versioned data source (conflict detection, tombstones, `Sync`);
        `caller`: the resolver's `arguments`, `identity`, `typeName` and `fieldName` (for a Lambda conflict
        handler's event)."""
        self.table = table
        self.versioning = versioning
        self.caller = caller or {}

    def invoke(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        operation = request.get("operation")
        handler = {
            "GetItem": self._get,
            "PutItem": self._put,
            "UpdateItem": self._update,
            "DeleteItem": self._delete,
            "Query": self._query,
            "Scan": self._scan,
            "Sync": self._sync,
        }.get(str(operation))
        if handler is None:
            return None, DataSourceError(message=f"unsupported operation {operation!r}", type=BAD_REQUEST)
        try:
            if operation in ("PutItem", "UpdateItem", "DeleteItem"):
                with self._write_lock:
                    return handler(request)
            return handler(request)
        except ExpressionError as exc:
            return None, DataSourceError(message=str(exc), type=BAD_REQUEST)
        except ConflictUnhandled as exc:
            return exc.server, DataSourceError(message=CONFLICT_MESSAGE, type=CONFLICT_UNHANDLED)
        except ConflictHandlerFailed as exc:
            return None, DataSourceError(message=str(exc), type=LAMBDA_UNHANDLED)

    def _existing(self, request: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any] | None]:
        key = plain_map(request.get("key"))
        return key, self.table.get(key)

    @staticmethod
    def _condition_holds(request: Mapping[str, Any], current: Mapping[str, Any] | None) -> bool:
        condition = request.get("condition")
        if not condition:
            return True
        predicate = compile_condition(
            condition["expression"], condition.get("expressionNames"), plain_map(condition.get("expressionValues"))
        )
        return predicate(current or {})

    def _get(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        _, current = self._existing(request)
        return (dict(current) if current else None), None

    def _null_index_key(self, written: Mapping[str, Any]) -> DataSourceError | None:
        """DynamoDB validates the item before it evaluates the condition: a NULL GSI key refuses the write."""
        key = null_index_key(self.table.spec.index_keys, written)
        return None if key is None else DataSourceError(message=null_index_key_message(key), type=DYNAMODB_ERROR)

    def _put(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        key = plain_map(request.get("key"))
        item = {**key, **plain_map(request.get("attributeValues"))}
        refused = self._null_index_key(item)
        if refused is not None:
            return None, refused
        if not self._condition_holds(request, self.table.get(key)):
            return None, _condition_failed()
        if self.versioning is not None:
            item = created(item)
        self.table.put(item)
        return dict(item), None

    def _update(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        key, current = self._existing(request)
        if not self._condition_holds(request, current):
            return None, _condition_failed()
        item = dict(current) if current else dict(key)
        update = request.get("update") or {}
        if update.get("expression"):
            apply_update(item, update["expression"], update.get("expressionNames"), plain_map(update.get("expressionValues")))
        before = current or {}
        refused = self._null_index_key({k: v for k, v in item.items() if k not in before or before[k] is not None})
        if refused is not None:
            return None, refused
        if self.versioning is not None and current is not None:
            names = (update.get("expressionNames") or {}).values()
            changes = {name: item.get(name) for name in names if name not in key}
            item = resolve_update(self.versioning, current, _caller_version(request), item, changes, key,
                                  self._event(current))
        self.table.put(item)
        return dict(item), None

    def _delete(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        key, current = self._existing(request)
        if not self._condition_holds(request, current):
            return None, _condition_failed()
        if self.versioning is not None and current is not None:
            written = resolve_delete(self.versioning, current, _caller_version(request), key, self._event(current))
            self.table.put(written)
            return dict(written), None
        self.table.delete(key)
        return (dict(current) if current else None), None

    def _event(self, existing: Mapping[str, Any]) -> Any:
        versioning = self.versioning
        assert versioning is not None

        def event(new_item: dict[str, Any] | None) -> dict[str, Any]:
            return lambda_event(versioning, new_item=new_item, existing=existing,
                                arguments=self.caller.get("arguments") or {},
                                resolver={"typeName": self.caller.get("typeName"),
                                          "fieldName": self.caller.get("fieldName")},
                                identity=self.caller.get("identity"))

        return event

    def _sync(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        """The versioned data source's Sync: the base table, or with a `lastSync` the delta-sync table still
        covers, only the items changed since then; `startedAt` is when this sync began."""
        if self.versioning is None:
            return None, DataSourceError(message="Sync needs a versioned data source", type=BAD_REQUEST)
        started = now_ms()
        candidates = self.table.scan()
        last_sync = request.get("lastSync")
        if isinstance(last_sync, int) and last_sync >= delta_window_start(self.versioning, started):
            candidates = [item for item in candidates if _changed_after(item, last_sync)]
        page, error = self._page({**request, "limit": request.get("limit") or DEFAULT_SYNC_LIMIT}, candidates)
        return ({**page, "startedAt": started} if page is not None else None), error

    def _page(self, request: Mapping[str, Any], candidates: list[dict[str, Any]]) -> tuple[Any, DataSourceError | None]:
        start = _decode_token(request["nextToken"]) if request.get("nextToken") else 0
        limit = request.get("limit")
        if limit is not None and (not isinstance(limit, int) or limit < 1):
            raise ExpressionError("limit must be a positive integer")
        end = len(candidates) if limit is None else min(len(candidates), start + limit)
        scanned = candidates[start:end]
        keep = lambda item: True  # noqa: E731
        filter_spec = request.get("filter")
        if filter_spec and filter_spec.get("expression"):
            keep = compile_condition(
                filter_spec["expression"], filter_spec.get("expressionNames"), plain_map(filter_spec.get("expressionValues"))
            )
        items = [dict(item) for item in scanned if keep(item)]
        next_token = _encode_token(end) if end < len(candidates) else None
        return {"items": items, "scannedCount": len(scanned), "nextToken": next_token}, None

    def _scan(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        return self._page(request, self.table.scan())

    def _query(self, request: Mapping[str, Any]) -> tuple[Any, DataSourceError | None]:
        query = request.get("query") or {}
        if not query.get("expression"):
            raise ExpressionError("Query needs a key condition expression")
        matches = compile_condition(query["expression"], query.get("expressionNames"), plain_map(query.get("expressionValues")))
        index = request.get("index")
        if index is not None:
            if index not in self.table.spec.indexes:
                raise ExpressionError(f"the table has no index {index!r}")
            partition, sort = self.table.spec.indexes[index]
        else:
            partition, sort = self.table.spec.partition_key, self.table.spec.sort_key
        found = [item for item in self.table.scan() if partition in item and (sort is None or sort in item) and matches(item)]
        if sort is not None:
            found.sort(key=lambda item: _sort_value(item[sort]))
            if request.get("scanIndexForward") is False:
                found.reverse()
        return self._page(request, found)


DEFAULT_SYNC_LIMIT = 100


def _caller_version(request: Mapping[str, Any]) -> int:
    value = request.get("_version")
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _changed_after(item: Mapping[str, Any], last_sync: int) -> bool:
    changed = item.get(LAST_CHANGED_AT)
    return isinstance(changed, int | float) and changed >= last_sync


def _sort_value(value: Any) -> tuple[int, Any]:
    """DynamoDB orders numbers numerically and strings by their bytes; mixed types never compare."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return (1, value if isinstance(value, str) else json.dumps(value, sort_keys=True))
    return (0, value)


def _condition_failed() -> DataSourceError:
    return DataSourceError(message="The conditional request failed", type=CONDITION_FAILED)
