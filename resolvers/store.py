"""The local data store: SQLite, one table per `@model`, one JSON document per record.

* A table holds `pk` (the primary key values as a JSON array, the row's identity and its order) and
  `data` (the record exactly as stored). Adding a field to the schema needs no migration; the store
  only refuses to *load* fields the schema does not have.
* Expression indexes on the fields that filters and key conditions use most (index keys, owner and
  group fields) let SQLite find a page without scanning the table.
* WAL mode; `synchronous=NORMAL` survives a killed process (the test kills the server with SIGKILL),
  `durability="full"` also survives a power cut.
* One connection, used under a lock: writes are serialised, and `transaction()` makes a read, a
  guard decision and the write that depends on them one atomic step.
* Pages are keyset-paginated (`WHERE (order) > (last seen) ... LIMIT n+1`), so a page costs what the
  page costs, and it holds up to `limit` records that passed every filter, with an opaque
  `nextToken` only when more exist.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from resolvers.filters import GRAPHQL_NAME, TRUE, FilterCompiler, Sql

if TYPE_CHECKING:
    from transformer.matrix import AccessMatrix, ModelAccess
    from transformer.schema_model import ParsedSchema

logger = logging.getLogger(__name__)

TTL_ATTRIBUTE = "_ttl"
"""When DynamoDB's TTL removes a versioned table's tombstone (epoch seconds)."""
STORE_FORMAT = 1
MEMORY = ":memory:"
TYPENAME = "__typename"


PAGE_BYTES = 1024 * 1024
"""DynamoDB ends a Query or Scan page after 1 MB of items, whatever the `limit`: so does `query`."""


class StoreError(Exception):
    """A request the store refuses (bad key, bad token); the message is safe to show to a client."""


class RecordError(StoreError):
    """A record that does not fit the schema (unknown type or field, missing key)."""


class ConditionFailed(StoreError):
    """A write whose condition (or implicit existence check) does not hold."""


class InvalidNextToken(StoreError):
    pass


@dataclass(frozen=True)
class ModelLayout:
    """What the store needs to know about one model."""

    name: str
    key_fields: tuple[str, ...]
    fields: frozenset[str]
    """The stored fields (relations are resolved, not stored)."""
    indexed_fields: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f'"model_{self.name}"'

    @classmethod
    def from_access(cls, access: ModelAccess) -> ModelLayout:
        stored = frozenset(f.name for f in access.fields if f.relation is None)
        indexed: list[str] = []
        for index in access.indexes:
            indexed.extend([index.partition_field, *index.sort_key_fields])
        indexed.extend(access.primary_key[1:])
        for role in access.roles.values():
            indexed.extend(name for name in (role.owner_field, role.groups_field) if name)
        unique = tuple(dict.fromkeys(n for n in indexed if n in stored and n not in access.primary_key[:1]))
        return cls(name=access.name, key_fields=tuple(access.primary_key), fields=stored, indexed_fields=unique)


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_token: str | None


@dataclass(frozen=True)
class Ordering:
    """The order of a query: sort-key fields (then the primary key), ascending or descending."""

    fields: tuple[str, ...] = ()
    descending: bool = False


@dataclass
class _Transaction:
    depth: int = 0
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def now_iso() -> str:
    """AppSync's `AWSDateTime` as Amplify writes it: UTC, milliseconds, `Z`."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _check_key_value(model: str, name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise RecordError(f"{model}: key field '{name}' must be a string or a number, got {_dumps(value)[:40]}")


class Store:
    def __init__(
        self,
        path: str | Path,
        layouts: Iterable[ModelLayout],
        *,
        durability: Literal["normal", "full"] = "normal",
    ) -> None:
        self.path = str(path)
        self.layouts: dict[str, ModelLayout] = {}
        for layout in layouts:
            if not GRAPHQL_NAME.match(layout.name):
                raise RecordError(f"'{layout.name}' is not a valid model name")
            self.layouts[layout.name] = layout
        self._compilers = {name: FilterCompiler(layout.fields) for name, layout in self.layouts.items()}
        self._lock = threading.RLock()
        self._tx = _Transaction()
        if self.path != MEMORY:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
            self._db.execute("PRAGMA busy_timeout = 10000")
            if self.path != MEMORY:
                self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute(f"PRAGMA synchronous = {'FULL' if durability == 'full' else 'NORMAL'}")
            self._create_tables()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from exc

    @classmethod
    def for_matrix(cls, matrix: AccessMatrix, path: str | Path = MEMORY, **options: Any) -> Store:
        """The store for the matrix's models (without the implicit relation key fields: see `for_project`)."""
        return cls(path, [ModelLayout.from_access(access) for access in matrix.models.values()], **options)

    @classmethod
    def for_project(cls, matrix: AccessMatrix, schema: ParsedSchema | None, path: str | Path = MEMORY,
                    **options: Any) -> Store:
        """The store for a project's models (`project.matrix`, `project.schema`)."""
        return cls(path, store_layouts(matrix, schema), **options)

    def add_layouts(self, layouts: Iterable[ModelLayout]) -> None:
        """Serve new or changed models (`serve` reloading a schema); stored records stay as they are."""
        with self._lock:
            for layout in layouts:
                if not GRAPHQL_NAME.match(layout.name):
                    raise RecordError(f"'{layout.name}' is not a valid model name")
                if self.layouts.get(layout.name) != layout:
                    self.layouts[layout.name] = layout
                    self._compilers[layout.name] = FilterCompiler(layout.fields)
            self._create_tables()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------

    def _create_tables(self) -> None:
        with self.transaction():
            self._db.execute("CREATE TABLE IF NOT EXISTS gqlauth_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            self._db.execute(
                "INSERT OR IGNORE INTO gqlauth_meta (key, value) VALUES ('format', ?)", (str(STORE_FORMAT),)
            )
            for layout in self.layouts.values():
                self._db.execute(f"CREATE TABLE IF NOT EXISTS {layout.table} (pk TEXT PRIMARY KEY, data TEXT NOT NULL)")
                for name in layout.indexed_fields:
                    index = f'"idx_{layout.name}_{name}"'
                    self._db.execute(
                        f"CREATE INDEX IF NOT EXISTS {index} ON {layout.table} (json_extract(data, '$.{name}'), pk)"
                    )

    def layout(self, model: str) -> ModelLayout:
        try:
            return self.layouts[model]
        except KeyError:
            known = ", ".join(sorted(self.layouts)) or "none"
            raise RecordError(f"unknown type '{model}' (models: {known})") from None

    def compiler(self, model: str) -> FilterCompiler:
        self.layout(model)
        return self._compilers[model]

    # -- transactions ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit (re-entrant: nested calls join the outer transaction)."""
        with self._lock:
            outermost = self._tx.depth == 0
            if outermost:
                self._db.execute("BEGIN IMMEDIATE")
            self._tx.depth += 1
            try:
                yield
            except BaseException:
                self._tx.depth -= 1
                if outermost:
                    self._tx.after_commit.clear()
                    self._db.execute("ROLLBACK")
                raise
            self._tx.depth -= 1
            if not outermost:
                return
            try:
                self._db.execute("COMMIT")
            except BaseException:
                self._tx.after_commit.clear()
                raise
            callbacks, self._tx.after_commit = self._tx.after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - the write is committed; a failing listener must not undo it
                logger.exception("after-commit callback failed")

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the current transaction commits (at once when there is none)."""
        with self._lock:
            if self._tx.depth > 0:
                self._tx.after_commit.append(callback)
                return
        callback()

    # -- keys -----------------------------------------------------------------------------------

    def key_of(self, model: str, record: Mapping[str, Any]) -> str:
        layout = self.layout(model)
        values = []
        for name in layout.key_fields:
            if name not in record or record[name] is None:
                raise RecordError(f"{model}: key field '{name}' is missing")
            _check_key_value(model, name, record[name])
            values.append(record[name])
        return _dumps(values)

    # -- single records -------------------------------------------------------------------------

    def get(self, model: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        layout = self.layout(model)
        pk = self.key_of(model, key)
        with self._lock:
            row = self._db.execute(f"SELECT data FROM {layout.table} WHERE pk = ?", (pk,)).fetchone()
        return json.loads(row[0]) if row else None

    def insert(self, model: str, record: Mapping[str, Any], *, condition: Sql | None = None) -> dict[str, Any]:
        """Create a record; an existing key (or a failed condition) raises `ConditionFailed`."""
        layout = self.layout(model)
        pk = self.key_of(model, record)
        stored = dict(record)
        with self.transaction():
            existing = self._db.execute(f"SELECT data FROM {layout.table} WHERE pk = ?", (pk,)).fetchone()
            if existing is not None:
                raise ConditionFailed("the record already exists")
            if condition is not None and not self._holds_on(condition, stored):
                raise ConditionFailed("the condition does not hold")
            self._db.execute(f"INSERT INTO {layout.table} (pk, data) VALUES (?, ?)", (pk, _dumps(stored)))
        return stored

    def replace(self, model: str, record: Mapping[str, Any], *, condition: Sql | None = None) -> dict[str, Any]:
        """Overwrite an existing record when `condition` holds on the stored one."""
        layout = self.layout(model)
        pk = self.key_of(model, record)
        where = condition or TRUE
        stored = dict(record)
        with self.transaction():
            cursor = self._db.execute(
                f"UPDATE {layout.table} SET data = ? WHERE pk = ? AND ({where.text})",
                (_dumps(stored), pk, *where.params),
            )
            if cursor.rowcount != 1:
                raise ConditionFailed("the record does not exist or the condition does not hold")
        return stored

    def delete(self, model: str, key: Mapping[str, Any], *, condition: Sql | None = None) -> dict[str, Any]:
        """Delete and return a record when it exists and `condition` holds on it."""
        layout = self.layout(model)
        pk = self.key_of(model, key)
        where = condition or TRUE
        with self.transaction():
            row = self._db.execute(
                f"SELECT data FROM {layout.table} WHERE pk = ? AND ({where.text})", (pk, *where.params)
            ).fetchone()
            if row is None:
                raise ConditionFailed("the record does not exist or the condition does not hold")
            self._db.execute(f"DELETE FROM {layout.table} WHERE pk = ?", (pk,))
        return json.loads(row[0])

    def _holds_on(self, condition: Sql, record: Mapping[str, Any]) -> bool:
        row = self._db.execute(
            f"SELECT 1 FROM (SELECT ? AS data) WHERE {condition.text}", (_dumps(record), *condition.params)
        ).fetchone()
        return row is not None

    # -- queries --------------------------------------------------------------------------------

    def query(
        self,
        model: str,
        *,
        where: Sql | Sequence[Sql] = (),
        any_of: Sequence[Sql] | None = None,
        order: Ordering = Ordering(),
        limit: int = 100,
        next_token: str | None = None,
        scope: str = "",
    ) -> Page:
        """Up to `limit` records matching every `where` (and one of `any_of`), in `order`, after `next_token`.

        `any_of` is a disjunction (the guards' owner/group filter): each branch is fetched on its own,
        in order and limited, then merged, so an index on the branch's field finds one page without
        reading every matching record. An empty `any_of` matches nothing; None means no disjunction.
        `scope` names the query (e.g. the operation) so a token is only accepted where it was issued.
        """
        layout = self.layout(model)
        if limit < 1:
            raise StoreError("limit must be a positive number")
        if any_of is not None and not any_of:
            return Page(items=[], next_token=None)
        conditions = [where] if isinstance(where, Sql) else list(where)
        for name in order.fields:
            if name not in layout.fields or not GRAPHQL_NAME.match(name):
                raise StoreError(f"cannot order by '{name}'")
            conditions.append(Sql(f"json_type(data, '$.{name}') IS NOT NULL"))
        sort_exprs = [f"json_extract(data, '$.{name}')" for name in order.fields] + ["pk"]
        if next_token is not None:
            after = self._decode_token(next_token, model, scope, len(sort_exprs))
            op = "<" if order.descending else ">"
            marks = ", ".join("?" for _ in after)
            conditions.append(Sql(f"({', '.join(sort_exprs)}) {op} ({marks})", tuple(after)))
        direction = " DESC" if order.descending else ""
        columns = [f"{expr} AS s{i}" for i, expr in enumerate(sort_exprs[:-1])] + ["pk", "data"]
        order_sql = ", ".join(f"{expr}{direction}" for expr in sort_exprs)
        outer_order = ", ".join(f"{name}{direction}" for name in [f"s{i}" for i in range(len(sort_exprs) - 1)] + ["pk"])
        branches = [Sql.all([*conditions, branch]) for branch in any_of] if any_of else [Sql.all(conditions)]
        selects = [
            f"SELECT * FROM (SELECT {', '.join(columns)} FROM {layout.table} WHERE {branch.text} "
            f"ORDER BY {order_sql} LIMIT ?)"
            for branch in branches
        ]
        params: list[Any] = []
        for branch in branches:
            params.extend([*branch.params, limit + 1])
        sql = f"SELECT * FROM ({' UNION '.join(selects)}) ORDER BY {outer_order} LIMIT ?"
        with self._lock:
            rows = self._db.execute(sql, (*params, limit + 1)).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        size = 0
        for index, row in enumerate(rows):
            size += len(row[-1])
            if size > PAGE_BYTES and index > 0:
                rows, more = rows[:index], True
                break
        items = [json.loads(row[-1]) for row in rows]
        token = self._encode_token(model, scope, list(rows[-1][:-1])) if more and rows else None
        return Page(items=items, next_token=token)

    def count(self, model: str, where: Sql = TRUE) -> int:
        layout = self.layout(model)
        with self._lock:
            return int(self._db.execute(f"SELECT count(*) FROM {layout.table} WHERE {where.text}", where.params)
                       .fetchone()[0])

    @staticmethod
    def _encode_token(model: str, scope: str, after: list[Any]) -> str:
        raw = _dumps({"m": model, "s": scope, "a": after}).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @staticmethod
    def _decode_token(token: str, model: str, scope: str, width: int) -> list[Any]:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            decoded = json.loads(raw)
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise InvalidNextToken("Invalid nextToken") from None
        after = decoded.get("a") if isinstance(decoded, dict) else None
        if (
            not isinstance(after, list)
            or len(after) != width
            or decoded.get("m") != model
            or decoded.get("s") != scope
            or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in after)
        ):
            raise InvalidNextToken("Invalid nextToken")
        return after

    # -- seeding and export ---------------------------------------------------------------------

    def validate_record(self, record: Any, where: str) -> tuple[str, dict[str, Any]]:
        if not isinstance(record, Mapping):
            raise RecordError(f"{where}: a record must be an object")
        model = record.get(TYPENAME)
        if not isinstance(model, str):
            raise RecordError(f"{where}: missing \"{TYPENAME}\" naming the record's model")
        if model not in self.layouts:
            known = ", ".join(sorted(self.layouts)) or "none"
            raise RecordError(f"{where}: unknown type '{model}' (models: {known})")
        layout = self.layouts[model]
        values = {k: v for k, v in record.items() if k != TYPENAME}
        unknown = sorted(set(values) - layout.fields)
        if unknown:
            raise RecordError(f"{where}: unknown field(s) {', '.join(unknown)} on {model} "
                              f"(fields: {', '.join(sorted(layout.fields))})")
        try:
            self.key_of(model, values)
        except RecordError as exc:
            raise RecordError(f"{where}: {exc}") from None
        return model, values

    def load(self, records: Iterable[tuple[str, Any]], *, replace: bool = False) -> LoadReport:
        """Store records as they are, all or nothing. `records` pairs a label (for errors) with a record."""
        checked = [self.validate_record(record, label) for label, record in records]
        report = LoadReport(counts={})
        with self.transaction():
            if replace:
                for layout in self.layouts.values():
                    self._db.execute(f"DELETE FROM {layout.table}")
            for model, values in checked:
                layout = self.layouts[model]
                self._db.execute(
                    f"INSERT OR REPLACE INTO {layout.table} (pk, data) VALUES (?, ?)",
                    (self.key_of(model, values), _dumps(values)),
                )
                report.counts[model] = report.counts.get(model, 0) + 1
        return report

    def reset(self, records: Iterable[Mapping[str, Any]] = ()) -> LoadReport:
        """Empty the store and hold exactly `records` (each with `__typename`)."""
        return self.load(((f"record {i}", r) for i, r in enumerate(records)), replace=True)

    def dump(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        with self._lock:
            for name in sorted(self.layouts):
                for (data,) in self._db.execute(f"SELECT data FROM {self.layouts[name].table} ORDER BY pk"):
                    out.append({TYPENAME: name, **json.loads(data)})
        return out


def store_layouts(matrix: AccessMatrix, schema: ParsedSchema | None) -> list[ModelLayout]:
    """Each model's served fields plus the implicit relation key fields the transform adds."""
    from transformer.relations import implicit_fields_for

    layouts = []
    for name, access in matrix.models.items():
        layout = ModelLayout.from_access(access)
        if schema is not None:
            implicit = [f.name for f in implicit_fields_for(schema, name)]
            layout = ModelLayout(name=layout.name, key_fields=layout.key_fields,
                                 fields=layout.fields | frozenset(implicit),
                                 indexed_fields=tuple(dict.fromkeys([*layout.indexed_fields, *implicit])))
        if matrix.versioned:
            layout = ModelLayout(name=layout.name, key_fields=layout.key_fields,
                                 fields=layout.fields | {TTL_ATTRIBUTE},
                                 indexed_fields=tuple(dict.fromkeys([*layout.indexed_fields, "_lastChangedAt"])))
        layouts.append(layout)
    return layouts


def records_from_json(document: Any) -> list[tuple[str, Any]]:
    """A seed file's records: a JSON list, or a map whose keys label the records."""
    if isinstance(document, list):
        return [(f"record {i}", record) for i, record in enumerate(document)]
    if isinstance(document, dict):
        return [(f"record '{key}'", record) for key, record in document.items()]
    raise RecordError("a data file must hold a JSON list of records or a map of records")
