"""Resolvers for every generated root operation and for the fields of `@model` types, over the store.

These resolvers do the data work only. Every authorization decision is made by `guard_wrapping`,
which wraps each of them and hands its verdict down in the `AUTH` keyword argument (a `Verdict`):
the list filter to push into SQL, the create/update input after the guard (owner filled in), the
stored record the decision was made on. A resolver called without a verdict refuses to run, so a
resolver that somehow escaped wrapping fails closed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo

from resolvers.filters import (
    FilterError,
    FilterEvaluator,
    Sql,
    auth_filter_branches,
    sort_key_condition,
)
from resolvers.index_keys import (
    IndexKey,
    null_index_key,
    null_index_key_message,
    table_index_keys,
    without_null_index_fields,
)
from resolvers.input_validation import validation_failure
from resolvers.limits import selected_names
from resolvers.searching import SearchError, search_records
from resolvers.server.errors import (
    DYNAMODB_ERROR,
    AppSyncError,
    bad_request,
    conditional_check_failed,
    template_error,
    unauthorized,
)
from resolvers.server.pubsub import Subscription, Subscriptions
from resolvers.store import ConditionFailed, Ordering, Store, StoreError, now_iso, store_layouts
from resolvers.versioned_sources import model_versioning
from resolvers.versioning import (
    CONFLICT_MESSAGE,
    CONFLICT_UNHANDLED,
    LAMBDA_UNHANDLED,
    LAST_CHANGED_AT,
    VERSION,
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
from transformer.emit_vtl.relations import implicit_indexes
from transformer.grants import protected_fields
from transformer.matrix import AccessMatrix, OperationKind, RootOperation
from transformer.relations import RelationRead, camel_case
from transformer.schema_model import ModelDef, ParsedSchema, RelationKind

__all__ = ["AUTH", "MUTATION_MARK", "DataServices", "Verdict", "root_resolvers", "selected_data", "store_layouts"]

AUTH = "__auth"
"""The keyword a guard wrapper passes its verdict in; `__` names can never be GraphQL arguments."""

MUTATION_MARK = "__operation"
"""Amplify stamps `__operation: "Mutation"` on mutation results so that field resolvers redact them."""

DEFAULT_LIMIT = 100


@dataclass(frozen=True)
class Verdict:
    """What the guard allowed, for the resolver to apply."""

    filter: Any = None
    """An `AuthFilter` (records outside it are invisible), or None for unrestricted."""
    input: dict[str, Any] | None = None
    stored: dict[str, Any] | None = None
    stored_loaded: bool = False


OPEN = Verdict()


def is_from_mutation(source: Any) -> bool:
    return isinstance(source, Mapping) and source.get(MUTATION_MARK) == "Mutation"


def _verdict(args: dict[str, Any], where: str) -> Verdict:
    verdict = args.pop(AUTH, None)
    if not isinstance(verdict, Verdict):
        raise AppSyncError(f"Not Authorized to access {where}", "Unauthorized")
    return verdict


def _updated_record(stored: Mapping[str, Any], values: Mapping[str, Any], updated_at: str | None) -> dict[str, Any]:
    """The stored record after an update, as Amplify's UpdateItem leaves it: a field given a value is SET,
    one given as null is REMOVEd, and the `updatedAt` field is stamped unless the input names it."""
    merged = {**stored}
    for name, value in values.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    if updated_at and updated_at not in values:
        merged[updated_at] = now_iso()
    return merged


def _coerce_default(type_name: str, text: str) -> Any:
    """An `@default(value: "...")` in the field's type (the transform checks the value; text otherwise)."""
    try:
        if type_name == "Int":
            return int(text)
        if type_name == "Float":
            return float(text)
    except ValueError:
        return text
    if type_name == "Boolean":
        return text.strip().lower() == "true"
    return text


@dataclass
class DataServices:
    """What the resolvers work with."""

    matrix: AccessMatrix
    store: Store
    bus: Subscriptions
    schema: ParsedSchema | None = None
    _evaluators: dict[str, FilterEvaluator] = field(default_factory=dict)
    _implicit_indexes: dict[str, dict[str, tuple[str, tuple[str, ...]]]] | None = None
    _versioning: dict[str, Versioning] | None = None

    def versioning(self, model: str) -> Versioning | None:
        """The model's versioned data source (conflict resolution on), else None."""
        if self._versioning is None:
            self._versioning = model_versioning(self.matrix, self.schema)
        return self._versioning.get(model)

    def index_keys(self, model: str) -> tuple[IndexKey, ...]:
        """The GSI keys of `model`'s table, as the emitted stack declares them."""
        if self._implicit_indexes is None:
            self._implicit_indexes = implicit_indexes(self.schema) if self.schema is not None else {}
        return table_index_keys(self.matrix.model(model), self._implicit_indexes.get(model))

    def evaluator(self, model: str) -> FilterEvaluator:
        if model not in self._evaluators:
            self._evaluators[model] = FilterEvaluator(self.store.layout(model).fields)
        return self._evaluators[model]

    def model_def(self, model: str) -> ModelDef | None:
        return self.schema.models.get(model) if self.schema is not None else None


def _data_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Store and filter refusals become AppSync errors (a client mistake is never a server error)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except ConditionFailed:
            raise conditional_check_failed() from None
        except ConflictUnhandled as exc:
            info = args[1] if len(args) > 1 else None
            raise AppSyncError(CONFLICT_MESSAGE, CONFLICT_UNHANDLED, data=selected_data(exc.server, info)) from None
        except ConflictHandlerFailed as exc:
            raise AppSyncError(str(exc), LAMBDA_UNHANDLED) from None
        except (FilterError, StoreError) as exc:
            raise bad_request(str(exc)) from None

    call.__name__ = getattr(function, "__name__", "resolver")
    return call


class ModelResolvers:
    """The resolvers of one model's generated operations."""

    def __init__(self, services: DataServices, model: str) -> None:
        self.services = services
        self.model = model
        self.store = services.store
        self.access = services.matrix.model(model)
        self.layout = services.store.layout(model)
        self.key_fields = self.layout.key_fields
        self.compiler = services.store.compiler(model)
        self.index_keys = services.index_keys(model)
        model_def = services.model_def(model)
        self.defaults: dict[str, Any] = {}
        if model_def is not None:
            for f in model_def.fields:
                if f.default is not None:
                    self.defaults[f.name] = _coerce_default(f.type.name, f.default)
        self.hidden_in_conflicts = frozenset(protected_fields(self.access))
        self.created_at = self.access.timestamps.get("createdAt") if self.access.timestamps else None
        self.updated_at = self.access.timestamps.get("updatedAt") if self.access.timestamps else None

    # -- helpers --------------------------------------------------------------------------------

    def key_from(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {name: values.get(name) for name in self.key_fields}

    def auth_branches(self, verdict: Verdict) -> list[Sql] | None:
        return None if verdict.filter is None else auth_filter_branches(self.compiler, verdict.filter)

    def page(self, operation: str, verdict: Verdict, args: Mapping[str, Any], *, partition: tuple[str, Any] | None,
             sort_fields: tuple[str, ...], sort_condition: Any, extra: Sql | None = None) -> dict[str, Any]:
        limit = args.get("limit")
        if limit is None:
            limit = DEFAULT_LIMIT
        where = [self.compiler.compile(args.get("filter"))]
        if extra is not None:
            where.append(extra)
        if partition is not None:
            where.append(self.compiler.field_condition(partition[0], {"eq": partition[1]}))
        if sort_fields:
            where.append(sort_key_condition(self.compiler, sort_fields, sort_condition))
        order = Ordering(fields=sort_fields, descending=args.get("sortDirection") == "DESC")
        result = self.store.query(self.model, where=where, any_of=self.auth_branches(verdict), order=order,
                                  limit=limit, next_token=args.get("nextToken"), scope=operation)
        return {"items": result.items, "nextToken": result.next_token, "startedAt": None}

    def publish_after_commit(self, topic: str | None, record: dict[str, Any]) -> None:
        if topic:
            event = {**record, MUTATION_MARK: "Mutation"}

            def publish() -> None:
                self.services.bus.publish(topic, event)

            self.store.after_commit(publish)

    # -- queries --------------------------------------------------------------------------------

    def get(self, operation: RootOperation) -> Callable[..., Any]:
        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any] | None:
            _verdict(args, operation.key)
            return self.store.get(self.model, self.key_from(args))

        return resolve

    def list(self, operation: RootOperation) -> Callable[..., Any]:
        sort_fields = tuple(self.key_fields[1:])
        sort_arg = _sort_argument_name(sort_fields)

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            verdict = _verdict(args, operation.key)
            partition_field = self.key_fields[0]
            partition = (partition_field, args[partition_field]) if args.get(partition_field) is not None else None
            if partition is None and sort_arg and args.get(sort_arg):
                raise bad_request(f"a condition on the sort key needs the partition key '{partition_field}'")
            return self.page(operation.key, verdict, args, partition=partition,
                             sort_fields=sort_fields if partition else (),
                             sort_condition=args.get(sort_arg) if sort_arg else None)

        return resolve

    def sync(self, operation: RootOperation) -> Callable[..., Any]:
        """The versioned data source's Sync: every item of the base table (tombstones included), or with
        `lastSync` within the delta-sync table's retention only the items changed since then; `startedAt` is
        when this sync began. The caller's filter and the auth filter apply, as to list."""

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            verdict = _verdict(args, operation.key)
            started = now_ms()
            last_sync = args.get("lastSync")
            versioning = self.services.versioning(self.model)
            since = None
            if last_sync is not None and versioning is not None and last_sync >= delta_window_start(versioning, started):
                since = self.compiler.field_condition(LAST_CHANGED_AT, {"ge": last_sync})
            page = self.page(operation.key, verdict, args, partition=None, sort_fields=(), sort_condition=None,
                             extra=since)
            return {**page, "startedAt": started}

        return resolve

    def index_query(self, operation: RootOperation) -> Callable[..., Any]:
        index = operation.index
        assert index is not None
        sort_fields = tuple(index.sort_key_fields)
        sort_arg = _sort_argument_name(sort_fields)

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            verdict = _verdict(args, operation.key)
            value = args.get(index.partition_field)
            if value is None:
                raise bad_request(f"the index query needs '{index.partition_field}'")
            return self.page(operation.key, verdict, args, partition=(index.partition_field, value),
                             sort_fields=sort_fields, sort_condition=args.get(sort_arg) if sort_arg else None)

        return resolve

    def search(self, operation: RootOperation) -> Callable[..., Any]:
        """`@searchable`'s query over every record the caller may read (`resolvers.searching`)."""

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            verdict = _verdict(args, operation.key)
            records: list[dict[str, Any]] = []
            token: str | None = None
            while True:
                page = self.store.query(self.model, any_of=self.auth_branches(verdict), limit=1000,
                                        next_token=token, scope=operation.key)
                records.extend(page.items)
                token = page.next_token
                if token is None:
                    break
            try:
                return search_records(records, args)
            except SearchError as exc:
                raise bad_request(str(exc)) from None

        return resolve

    # -- mutations ------------------------------------------------------------------------------

    def _condition(self, args: Mapping[str, Any]) -> Sql | None:
        condition = args.get("condition")
        return None if condition is None else self.compiler.compile(condition)

    def create(self, operation: RootOperation) -> Callable[..., Any]:
        topic = operation.field_name

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            verdict = _verdict(args, operation.key)
            values = dict(verdict.input if verdict.input is not None else args.get("input") or {})
            if self.key_fields == ("id",) and values.get("id") is None:
                values["id"] = str(uuid.uuid4())
            now = now_iso()
            for stamp in (self.created_at, self.updated_at):
                if stamp and stamp not in values:
                    values[stamp] = now
            for name, default in self.defaults.items():
                if values.get(name) is None:
                    values[name] = default
            self._validate(values)
            self._check_fields(values)
            values = without_null_index_fields(self.access, values)
            self._refuse_null_index_key(values)
            if self.services.versioning(self.model) is not None:
                values = created(values)
            with self.store.transaction():
                record = self.store.insert(self.model, values, condition=self._condition(args))
                self.publish_after_commit(topic, record)
            return {**record, MUTATION_MARK: "Mutation"}

        return resolve

    def update(self, operation: RootOperation) -> Callable[..., Any]:
        topic = operation.field_name

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            verdict = _verdict(args, operation.key)
            values = dict(verdict.input if verdict.input is not None else args.get("input") or {})
            self._validate(values)
            self._check_fields(values)
            with self.store.transaction():
                stored = verdict.stored if verdict.stored_loaded else self.store.get(self.model, self.key_from(values))
                if stored is None:
                    raise ConditionFailed("no such record")
                versioning = self.services.versioning(self.model)
                if versioning is None:
                    merged = _updated_record(stored, values, self.updated_at)
                else:
                    merged = self._versioned_update(versioning, stored, values, args, _info)
                record = self.store.replace(self.model, merged, condition=self._condition(args))
                self.publish_after_commit(topic, record)
            return {**record, MUTATION_MARK: "Mutation"}

        return resolve

    def delete(self, operation: RootOperation) -> Callable[..., Any]:
        topic = operation.field_name

        @_data_errors
        def resolve(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
            _verdict(args, operation.key)
            values = args.get("input") or {}
            versioning = self.services.versioning(self.model)
            with self.store.transaction():
                if versioning is None:
                    record = self.store.delete(self.model, self.key_from(values), condition=self._condition(args))
                else:
                    record = self._versioned_delete(versioning, values, args, _info)
                self.publish_after_commit(topic, record)
            return {**record, MUTATION_MARK: "Mutation"}

        return resolve

    def _conflict_event(self, info: GraphQLResolveInfo, args: Mapping[str, Any], existing: Mapping[str, Any],
                        ) -> Callable[[dict[str, Any] | None], dict[str, Any]]:
        from resolvers.server.guard_wrapping import identity_of

        def event(new_item: dict[str, Any] | None) -> dict[str, Any]:
            versioning = self.services.versioning(self.model)
            assert versioning is not None
            identity = identity_of(info)
            return lambda_event(versioning, new_item=new_item, existing=existing, arguments=args,
                                resolver={"typeName": info.parent_type.name, "fieldName": info.field_name},
                                identity=identity.to_appsync())

        return event

    def _versioned_update(self, versioning: Versioning, stored: Mapping[str, Any], values: Mapping[str, Any],
                          args: Mapping[str, Any], info: GraphQLResolveInfo) -> dict[str, Any]:
        """The versioned data source's UpdateItem: the changes with the next version, or the conflict handled."""
        changes = {k: v for k, v in values.items() if k != VERSION and k not in self.key_fields}
        updated = _updated_record(stored, changes, self.updated_at)
        caller_version = values.get(VERSION) or 0
        try:
            return resolve_update(versioning, stored, caller_version, updated, changes, self.key_from(stored),
                                  self._conflict_event(info, args, stored))
        except ConflictUnhandled as exc:
            raise ConflictUnhandled(selected_data(exc.server, info, self.hidden_in_conflicts)) from None

    def _versioned_delete(self, versioning: Versioning, values: Mapping[str, Any], args: Mapping[str, Any],
                          info: GraphQLResolveInfo) -> dict[str, Any]:
        """The versioned data source's DeleteItem: a tombstone with the next version (the item stays readable)."""
        key = self.key_from(values)
        stored = self.store.get(self.model, key)
        if stored is None:
            raise ConditionFailed("no such record")
        condition = self._condition(args)
        if condition is not None:
            self.store.replace(self.model, stored, condition=condition)
        try:
            written = resolve_delete(versioning, stored, values.get(VERSION) or 0, self.key_from(stored),
                                     self._conflict_event(info, args, stored))
        except ConflictUnhandled as exc:
            raise ConflictUnhandled(selected_data(exc.server, info, self.hidden_in_conflicts)) from None
        return self.store.replace(self.model, written)

    def _validate(self, values: Mapping[str, Any]) -> None:
        """`@validate`, after auth (and on create after `@default`), as Amplify's validate slot."""
        failure = validation_failure(self.access, values)
        if failure is not None:
            raise template_error(failure)

    def _refuse_null_index_key(self, record: Mapping[str, Any]) -> None:
        """DynamoDB refuses the PutItem of a record holding a GSI key as NULL (before any condition)."""
        key = null_index_key(self.index_keys, record)
        if key is not None:
            raise AppSyncError(null_index_key_message(key), DYNAMODB_ERROR)

    def _check_fields(self, values: Mapping[str, Any]) -> None:
        unknown = sorted(set(values) - self.layout.fields)
        if unknown:
            raise bad_request(f"unknown field(s) {', '.join(unknown)} on {self.model}")

    # -- subscriptions --------------------------------------------------------------------------

    def subscribe(self, operation: RootOperation) -> Callable[..., Any]:
        """The events of the subscribed mutation that match the client's `filter` and field arguments."""
        topic = operation.mutation or ""
        evaluator = self.services.evaluator(self.model)
        owner_fields = {r.owner_field for r in self.access.roles.values() if r.owner_field}

        def subscribe(_obj: Any, _info: GraphQLResolveInfo, **args: Any) -> Subscription:
            args.pop(AUTH, None)
            client_filter = args.pop("filter", None)
            try:
                evaluator.validate(client_filter)
            except FilterError as exc:
                raise bad_request(str(exc)) from None
            equal_to = {name: value for name, value in args.items() if value is not None}

            def accept(record: Mapping[str, Any]) -> bool:
                for name, wanted in equal_to.items():
                    value = record.get(name)
                    if name in owner_fields and isinstance(value, str):
                        value = value.rsplit("::", 1)[-1]
                    if value != wanted:
                        return False
                return evaluator.matches(client_filter, record, validated=True)

            return self.services.bus.subscribe(topic, accept)

        return subscribe


def subscription_payload(event: Any, _info: GraphQLResolveInfo, **_args: Any) -> Any:
    return event


# -- fields of model types ------------------------------------------------------------------------

def owner_readback_resolver(field_name: str) -> Callable[..., Any]:
    """Owner fields with a `sub::username` claim read back as the part after the last `::`."""

    def resolve(source: Any, _info: GraphQLResolveInfo, **_args: Any) -> Any:
        value = source.get(field_name) if isinstance(source, Mapping) else None
        if isinstance(value, str):
            return value.rsplit("::", 1)[-1]
        if isinstance(value, list):
            return [v.rsplit("::", 1)[-1] if isinstance(v, str) else v for v in value]
        return value

    return resolve


def relation_resolver(services: DataServices, lookup: RelationRead, where: str) -> Callable[..., Any]:
    """Reads related records through the store, with the related model's read filter from the guard; a
    single related record the filter removes is refused (Amplify's `scannedCount == 1` check)."""

    @_data_errors
    def resolve(source: Any, _info: GraphQLResolveInfo, **args: Any) -> Any:
        verdict = _verdict(args, where)
        if not isinstance(source, Mapping):
            return None
        values = [source.get(name) for name in lookup.source_fields]
        many = lookup.kind is RelationKind.HAS_MANY
        if any(v is None for v in values):
            return {"items": [], "nextToken": None} if many else None
        compiler = services.store.compiler(lookup.related)
        where_parts = [compiler.compile({n: {"eq": v} for n, v in zip(lookup.match_fields, values, strict=True)})]
        any_of = None if verdict.filter is None else auth_filter_branches(compiler, verdict.filter)
        if not many:
            page = services.store.query(lookup.related, where=where_parts, any_of=any_of, limit=1)
            if page.items:
                return page.items[0]
            if any_of is not None and services.store.query(lookup.related, where=where_parts, limit=1).items:
                raise unauthorized(lookup.field, lookup.model)
            return None
        where_parts.append(compiler.compile(args.get("filter")))
        if lookup.sort_fields:
            where_parts.append(sort_key_condition(compiler, lookup.sort_fields, _sort_argument(args, lookup.sort_fields)))
        limit = args.get("limit") or lookup.limit
        page = services.store.query(lookup.related, where=where_parts, any_of=any_of, limit=limit,
                                    next_token=args.get("nextToken"),
                                    order=Ordering(fields=lookup.sort_fields,
                                                   descending=args.get("sortDirection") == "DESC"),
                                    scope=where)
        return {"items": page.items, "nextToken": page.next_token}

    return resolve


def selected_data(item: Mapping[str, Any], info: Any, hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A conflict's server item as AppSync puts it in the error's `data`: filtered by the selection set, without
    the `hidden` fields (those with a read rule of their own, which no field resolver guards in an error)."""
    shown = {name: value for name, value in item.items() if name not in hidden}
    if not isinstance(info, GraphQLResolveInfo):
        return shown
    names = selected_names(info.field_nodes, info.fragments)
    return {name: shown[name] for name in names if name in shown} if names else shown


def _sort_argument_name(sort_fields: tuple[str, ...]) -> str | None:
    """Amplify's argument for a sort key: the field itself, or camelCase of a composite sort key."""
    if not sort_fields:
        return None
    return camel_case(list(sort_fields)) if len(sort_fields) > 1 else sort_fields[0]


def _sort_argument(args: Mapping[str, Any], sort_fields: tuple[str, ...]) -> Any:
    return args.get(_sort_argument_name(sort_fields) or "")


def root_resolvers(services: DataServices) -> dict[str, tuple[Callable[..., Any], Callable[..., Any] | None]]:
    """`Type.field` -> (resolve, subscribe) for every generated root operation."""
    bound: dict[str, tuple[Callable[..., Any], Callable[..., Any] | None]] = {}
    per_model = {name: ModelResolvers(services, name) for name in services.matrix.models}
    for key, operation in services.matrix.operations.items():
        resolvers = per_model[operation.model]
        kind = operation.kind
        if kind is OperationKind.GET:
            bound[key] = (resolvers.get(operation), None)
        elif kind is OperationKind.LIST:
            bound[key] = (resolvers.list(operation), None)
        elif kind is OperationKind.SYNC:
            bound[key] = (resolvers.sync(operation), None)
        elif kind is OperationKind.INDEX_QUERY:
            bound[key] = (resolvers.index_query(operation), None)
        elif kind is OperationKind.SEARCH:
            bound[key] = (resolvers.search(operation), None)
        elif kind is OperationKind.CREATE:
            bound[key] = (resolvers.create(operation), None)
        elif kind is OperationKind.UPDATE:
            bound[key] = (resolvers.update(operation), None)
        elif kind is OperationKind.DELETE:
            bound[key] = (resolvers.delete(operation), None)
        else:
            bound[key] = (subscription_payload, resolvers.subscribe(operation))
    return bound

