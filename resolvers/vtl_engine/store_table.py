"""The DynamoDB data source over the local store (SQLite): what `gqlauth serve --engine vtl` executes against.

Each model's table is the store's table for that model, so records written by `--engine python`,
`gqlauth data` or a seed file are the ones the templates read. Conditions are evaluated by the
data source on the stored item (writes are serialised there); the store only reads and writes whole
items.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.store import ConditionFailed, RecordError, Store
from resolvers.vtl_engine.dynamodb import TableSpec
from resolvers.vtl_engine.expressions import ExpressionError

SCAN_PAGE = 1000


class StoreTable:
    """One model's items in the local store, seen as a DynamoDB table."""

    def __init__(self, store: Store, model: str, spec: TableSpec) -> None:
        self.store = store
        self.model = model
        self.spec = spec

    def _store_key(self, key: Mapping[str, Any]) -> dict[str, Any]:
        """A composite sort attribute (`a#b` = "x#y") becomes the fields the store keys by."""
        plain = dict(key)
        sort = self.spec.sort_key
        if sort and "#" in sort and isinstance(plain.get(sort), str):
            plain.update(zip(sort.split("#"), plain.pop(sort).split("#", sort.count("#")), strict=False))
        return plain

    def get(self, key: Mapping[str, Any]) -> dict[str, Any] | None:
        try:
            return self.store.get(self.model, self._store_key(key))
        except RecordError as exc:
            raise ExpressionError(str(exc)) from exc

    def put(self, item: Mapping[str, Any]) -> None:
        record = dict(item)
        try:
            if self.store.get(self.model, record) is None:
                self.store.insert(self.model, record)
            else:
                self.store.replace(self.model, record)
        except (RecordError, ConditionFailed) as exc:
            raise ExpressionError(str(exc)) from exc

    def delete(self, key: Mapping[str, Any]) -> None:
        try:
            plain = self._store_key(key)
            if self.store.get(self.model, plain) is not None:
                self.store.delete(self.model, plain)
        except (RecordError, ConditionFailed) as exc:
            raise ExpressionError(str(exc)) from exc

    def scan(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self.store.query(self.model, limit=SCAN_PAGE, next_token=token, scope="vtl-scan")
            items.extend(page.items)
            token = page.next_token
            if token is None:
                return items
