"""Wraps every field's `resolve` and `subscribe` with its guard, once, when the schema is built.

Middleware and ariadne extensions never see subscriptions over websockets, so enforcement lives in
the schema itself: whatever runs the schema (HTTP, graphql-transport-ws, the AppSync real-time
protocol, a direct `graphql()` call) runs these wrappers.

* root operations: the guard decides first (create/update/delete/get/list/subscribe); update and
  delete decide on the stored record inside the same transaction as the write;
* fields of `@model` types: the field-level check (null + `Unauthorized`, or null without error for
  a protected field in a mutation result or subscription payload); relational fields also get the
  related model's read filter;
* subscriptions: the subscribe-time decision, then the per-event filter on every event;
* any other root field: denied unless a static rule on it admits the caller.

The caller's identity comes from the GraphQL context (`context["identity"]`); a request without
one is refused.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from graphql import GraphQLField, GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, default_field_resolver

from resolvers.filters import FilterError
from resolvers.guards import (
    AuthFilter,
    Decision,
    decide_create,
    decide_delete,
    decide_field_read,
    decide_get,
    decide_list,
    decide_subscribe,
    decide_update,
    event_visible,
    owner_readback_fields,
    protected_fields,
)
from resolvers.guards.filter_fields import decide_filter_fields, named_fields
from resolvers.identity import AuthType, Identity
from resolvers.limits import RequestBudget, budget_of, record_bytes, selected_names
from resolvers.server.bindings import AUTH, OPEN, DataServices, Verdict, is_from_mutation
from resolvers.server.errors import AppSyncError, bad_request, unauthorized
from resolvers.server.write_result import result_failure, write_not_made
from resolvers.store import StoreError
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, OperationKind, RootOperation
from transformer.relations import RelationRead

logger = logging.getLogger("gqlauth.server")

IDENTITY_KEY = "identity"
ALLOWED = Decision(allowed=True)


class Policy(Protocol):
    """The decisions the wrappers ask for (the guards, or everything allowed for benchmarks)."""

    def create(self, key: str, identity: Identity, input: Mapping[str, Any]) -> Decision: ...
    def update(self, key: str, identity: Identity, input: Mapping[str, Any], stored: Mapping[str, Any] | None) -> Decision: ...
    def delete(self, key: str, identity: Identity, stored: Mapping[str, Any] | None) -> Decision: ...
    def get(self, key: str, identity: Identity, record: Mapping[str, Any] | None) -> Decision: ...
    def list(self, key: str, identity: Identity) -> Decision: ...
    def field_read(self, type_name: str, field_name: str, identity: Identity, source: Mapping[str, Any],
                   from_mutation: bool) -> Decision: ...
    def subscribe(self, key: str, identity: Identity, args: Mapping[str, Any]) -> Decision: ...
    def event_visible(self, decision: Decision, record: Mapping[str, Any], model: str) -> bool: ...
    def checks_field(self, type_name: str, field_name: str, identity: Identity) -> bool: ...
    def filter_fields(self, key: str, identity: Identity, names: frozenset[str], *,
                      record: Mapping[str, Any] | None = None, scoped: bool = False) -> Decision: ...


VISIBILITY_MARK = "__visibility"
"""On a record a `get` returned: the fields its decision already found unreadable (null + error).
Field resolvers use it instead of deciding again; `__` names can never be GraphQL fields."""


@dataclass
class GuardPolicy:
    matrix: AccessMatrix
    env: AuthEnvironment
    _protected: dict[str, frozenset[str]] = field(default_factory=dict)

    def create(self, key: str, identity: Identity, input: Mapping[str, Any]) -> Decision:
        return decide_create(self.matrix, key, identity, input, self.env)

    def update(self, key: str, identity: Identity, input: Mapping[str, Any], stored: Mapping[str, Any] | None) -> Decision:
        return decide_update(self.matrix, key, identity, input, stored, self.env)

    def delete(self, key: str, identity: Identity, stored: Mapping[str, Any] | None) -> Decision:
        return decide_delete(self.matrix, key, identity, stored, self.env)

    def get(self, key: str, identity: Identity, record: Mapping[str, Any] | None) -> Decision:
        return decide_get(self.matrix, key, identity, record, self.env)

    def list(self, key: str, identity: Identity) -> Decision:
        return decide_list(self.matrix, key, identity, self.env)

    def field_read(self, type_name: str, field_name: str, identity: Identity, source: Mapping[str, Any],
                   from_mutation: bool) -> Decision:
        return decide_field_read(self.matrix, type_name, field_name, identity, source,
                                 from_mutation=from_mutation, env=self.env)

    def subscribe(self, key: str, identity: Identity, args: Mapping[str, Any]) -> Decision:
        return decide_subscribe(self.matrix, key, identity, args, self.env)

    def event_visible(self, decision: Decision, record: Mapping[str, Any], model: str) -> bool:
        return event_visible(decision, record, owner_readback_fields(self.matrix, model))

    def checks_field(self, type_name: str, field_name: str, identity: Identity) -> bool:
        """Unprotected fields need no call, except for Lambda callers (their `deniedFields`)."""
        protected = self._protected.get(type_name)
        if protected is None:
            protected = self._protected[type_name] = protected_fields(self.matrix, type_name)
        return field_name in protected or identity.auth_type is AuthType.LAMBDA

    def filter_fields(self, key: str, identity: Identity, names: frozenset[str], *,
                      record: Mapping[str, Any] | None = None, scoped: bool = False) -> Decision:
        if not names:
            return ALLOWED
        return decide_filter_fields(self.matrix, key, names, identity, self.env, record=record, scoped=scoped)


class OpenPolicy:
    """Everything allowed, nothing filtered: `create_app(guards=False)`, for measuring the guards' cost."""

    def create(self, key: str, identity: Identity, input: Mapping[str, Any]) -> Decision:
        return Decision(allowed=True, input=dict(input))

    def update(self, key: str, identity: Identity, input: Mapping[str, Any], stored: Mapping[str, Any] | None) -> Decision:
        return Decision(allowed=True, input=dict(input))

    def delete(self, key: str, identity: Identity, stored: Mapping[str, Any] | None) -> Decision:
        return ALLOWED

    def get(self, key: str, identity: Identity, record: Mapping[str, Any] | None) -> Decision:
        return ALLOWED

    def list(self, key: str, identity: Identity) -> Decision:
        return ALLOWED

    def field_read(self, type_name: str, field_name: str, identity: Identity, source: Mapping[str, Any],
                   from_mutation: bool) -> Decision:
        return ALLOWED

    def subscribe(self, key: str, identity: Identity, args: Mapping[str, Any]) -> Decision:
        return ALLOWED

    def event_visible(self, decision: Decision, record: Mapping[str, Any], model: str) -> bool:
        return True

    def checks_field(self, type_name: str, field_name: str, identity: Identity) -> bool:
        return False

    def filter_fields(self, key: str, identity: Identity, names: frozenset[str], *,
                      record: Mapping[str, Any] | None = None, scoped: bool = False) -> Decision:
        return ALLOWED


def identity_of(info: GraphQLResolveInfo) -> Identity:
    context = info.context
    identity = context.get(IDENTITY_KEY) if isinstance(context, Mapping) else getattr(context, IDENTITY_KEY, None)
    if not isinstance(identity, Identity):
        raise unauthorized(info.field_name, info.parent_type.name)
    return identity


def _refuse(decision: Decision, field_name: str, type_name: str) -> AppSyncError:
    if decision.message and decision.error_type:
        return AppSyncError(decision.message, decision.error_type)
    return unauthorized(field_name, type_name)


Resolver = Callable[..., Any]


class FilteredEvents:
    """The events of a subscription that the subscriber's decision lets through."""

    def __init__(self, source: Any, accept: Callable[[Mapping[str, Any]], bool]) -> None:
        self._source = source
        self._iterator = source.__aiter__()
        self._accept = accept

    def __aiter__(self) -> FilteredEvents:
        return self

    async def __anext__(self) -> Any:
        while True:
            event = await self._iterator.__anext__()
            try:
                visible = self._accept(event)
            except Exception:  # noqa: BLE001 - an event the check cannot decide is not delivered
                logger.exception("subscription event check failed; event not delivered")
                visible = False
            if visible:
                return event

    async def aclose(self) -> None:
        close = getattr(self._source, "aclose", None)
        if close is not None:
            await close()


class GuardWrapper:
    def __init__(self, matrix: AccessMatrix, policy: Policy, services: DataServices) -> None:
        self.matrix = matrix
        self.policy = policy
        self.services = services

    # -- root operations ------------------------------------------------------------------------

    def root(self, operation: RootOperation, resolve: Resolver) -> Resolver:
        kind = operation.kind
        key, field_name, type_name = operation.key, operation.field_name, operation.type_name
        policy = self.policy

        if kind is OperationKind.GET:
            def guarded_get(obj: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
                identity = identity_of(info)
                if _exhausted(info):
                    return None
                budget = _spend(info)
                record = resolve(obj, info, **args, **{AUTH: OPEN})
                decision = policy.get(key, identity, record)
                if not decision.allowed:
                    raise _refuse(decision, field_name, type_name)
                _charge(budget, info, (record,))
                if record is None or identity.auth_type is AuthType.LAMBDA:
                    return record
                return {**record, VISIBILITY_MARK: decision.hidden_fields}
            return guarded_get

        if kind in (OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC, OperationKind.SEARCH):
            def guarded_list(obj: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
                identity = identity_of(info)
                if _exhausted(info):
                    return None
                budget = _spend(info)
                decision = policy.list(key, identity)
                if not decision.allowed:
                    raise _refuse(decision, field_name, type_name)
                names = named_fields(args.get("filter")) | _key_conditions(args)
                if names:
                    refusal = policy.filter_fields(key, identity, names, scoped=decision.filter is not None)
                    if not refusal.allowed:
                        raise _refuse(refusal, field_name, type_name)
                page = resolve(obj, info, **args, **{AUTH: Verdict(filter=decision.filter)})
                _charge(budget, info, page.get("items") or () if isinstance(page, Mapping) else ())
                return page
            return guarded_list

        if kind is OperationKind.CREATE:
            store = self.services.store
            model = operation.model

            def guarded_create(obj: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
                identity = identity_of(info)
                if _exhausted(info):
                    return None
                _spend(info)
                decision = policy.create(key, identity, args.get("input") or {})
                if not decision.allowed:
                    raise _refuse(decision, field_name, type_name)
                names = named_fields(args.get("condition"))
                if names:
                    refusal = policy.filter_fields(key, identity, names, record=decision.input or {})
                    if not refusal.allowed:
                        raise _refuse(refusal, field_name, type_name)
                with store.transaction():
                    result = resolve(obj, info, **args, **{AUTH: Verdict(input=decision.input)})
                    self._check_result(info, model, identity, result, field_name)
                return result
            return guarded_create

        if kind in (OperationKind.UPDATE, OperationKind.DELETE):
            store = self.services.store
            model = operation.model
            key_fields = store.layout(model).key_fields
            is_update = kind is OperationKind.UPDATE

            def guarded_write(obj: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
                identity = identity_of(info)
                if _exhausted(info):
                    return None
                _spend(info)
                values = args.get("input") or {}
                try:
                    with store.transaction():
                        stored = store.get(model, {name: values.get(name) for name in key_fields})
                        decision = (policy.update(key, identity, values, stored) if is_update
                                    else policy.delete(key, identity, stored))
                        if not decision.allowed:
                            raise _refuse(decision, field_name, type_name)
                        names = named_fields(args.get("condition"))
                        if names:
                            refusal = policy.filter_fields(key, identity, names, record=stored or {})
                            if not refusal.allowed:
                                raise _refuse(refusal, field_name, type_name)
                        verdict = Verdict(input=decision.input if is_update else None, stored=stored,
                                          stored_loaded=True)
                        result = resolve(obj, info, **args, **{AUTH: verdict})
                        self._check_result(info, model, identity, result, field_name)
                        return result
                except (StoreError, FilterError) as exc:
                    raise bad_request(str(exc)) from None
            return guarded_write

        return self._subscription_payload(resolve)

    def _check_result(self, info: GraphQLResolveInfo, model: str, identity: Identity, result: Any,
                      field_name: str) -> None:
        """Inside the write's transaction: refuse (and so roll back) a write whose result cannot be produced."""
        if not isinstance(result, Mapping):
            return
        policy = self.policy

        def outcome(name: str, record: Mapping[str, Any]) -> str | None:
            if policy.checks_field(model, name, identity):
                decision = policy.field_read(model, name, identity, record, True)
                if not decision.allowed:
                    return "the caller may not read it"
                if name in decision.hidden_fields:
                    return "protected fields are null in mutation results"
            if record.get(name) is None:
                return "it has no value"
            return None

        why = result_failure(info, result, outcome)
        if why is not None:
            raise write_not_made(field_name, why)

    def _subscription_payload(self, resolve: Resolver) -> Resolver:
        def payload(event: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            identity_of(info)
            return resolve(event, info, **args)
        return payload

    def subscribe(self, operation: RootOperation, subscribe: Resolver) -> Resolver:
        key, field_name, type_name, model = operation.key, operation.field_name, operation.type_name, operation.model
        policy = self.policy

        async def guarded_subscribe(obj: Any, info: GraphQLResolveInfo, **args: Any) -> AsyncIterator[Any]:
            identity = identity_of(info)
            decision = policy.subscribe(key, identity, args)
            if not decision.allowed:
                raise _refuse(decision, field_name, type_name)
            names = named_fields(args.get("filter")) | {n for n, v in args.items() if n != "filter" and v is not None}
            if names:
                refusal = policy.filter_fields(key, identity, frozenset(names), scoped=decision.event_filter is not None)
                if not refusal.allowed:
                    raise _refuse(refusal, field_name, type_name)
            source = subscribe(obj, info, **args, **{AUTH: OPEN})
            if inspect.isawaitable(source):
                source = await source
            return FilteredEvents(source, lambda event: policy.event_visible(decision, event, model))

        return guarded_subscribe

    # -- fields ---------------------------------------------------------------------------------

    def model_field(self, type_name: str, field_name: str, resolve: Resolver,
                    relation: tuple[RelationRead, str | None] | None) -> Resolver:
        policy = self.policy

        def related_verdict(identity: Identity, client_filter: Any) -> Verdict:
            assert relation is not None
            _lookup, list_key = relation
            if list_key is None:
                raise unauthorized(field_name, type_name)
            decision = policy.list(list_key, identity)
            if not decision.allowed:
                raise unauthorized(field_name, type_name)
            names = named_fields(client_filter)
            if names:
                refusal = policy.filter_fields(list_key, identity, names, scoped=decision.filter is not None)
                if not refusal.allowed:
                    raise _refuse(refusal, field_name, type_name)
            return Verdict(filter=decision.filter)

        def guarded_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            identity = identity_of(info)
            known = source.get(VISIBILITY_MARK) if isinstance(source, Mapping) else None
            if known is not None:
                if field_name in known:
                    raise unauthorized(field_name, type_name)
            elif policy.checks_field(type_name, field_name, identity):
                if _exhausted(info):
                    return None
                _spend(info)
                record = source if isinstance(source, Mapping) else {}
                decision = policy.field_read(type_name, field_name, identity, record, is_from_mutation(record))
                if not decision.allowed:
                    raise _refuse(decision, field_name, type_name)
                if field_name in decision.hidden_fields:
                    return None
            if relation is not None:
                if _exhausted(info):
                    return None
                budget = _spend(info)
                try:
                    related = resolve(source, info, **args, **{AUTH: related_verdict(identity, args.get("filter"))})
                    items = related.get("items") if isinstance(related, Mapping) and "items" in related else (related,)
                    _charge(budget, info, items or ())
                    return related
                except (StoreError, FilterError) as exc:
                    raise bad_request(str(exc)) from None
            return resolve(source, info, **args)

        return guarded_field

    def other_root_field(self, type_name: str, field_name: str, resolve: Resolver) -> Resolver:
        """A root field the transform did not generate: only a static rule on it lets a caller in."""
        rules = {(a.type_name, a.field_name) for a in self.matrix.non_model_fields}
        policy = self.policy

        def guarded(obj: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            identity = identity_of(info)
            if (type_name, field_name) not in rules and not isinstance(policy, OpenPolicy):
                raise unauthorized(field_name, type_name)
            decision = policy.field_read(type_name, field_name, identity, {}, False)
            if not decision.allowed:
                raise _refuse(decision, field_name, type_name)
            return resolve(obj, info, **args)

        return guarded


def _spend(info: GraphQLResolveInfo) -> RequestBudget | None:
    """Count one resolver against the request's budget (none outside HTTP queries and mutations)."""
    budget = budget_of(info.context)
    if budget is not None:
        budget.spend_resolver()
    return budget


_PAGING_ARGUMENTS = frozenset({"filter", "limit", "nextToken", "sortDirection", "lastSync", "from", "sort",
                               "aggregates"})


def _key_conditions(args: Mapping[str, Any]) -> frozenset[str]:
    """Key arguments of a list or index query (`postsByStatus(status: ..., createdAt: {beginsWith: ...})`):
    conditions on fields too, so they may only name fields the caller may read."""
    return frozenset(name for name, value in args.items() if value is not None and name not in _PAGING_ARGUMENTS)


def _exhausted(info: GraphQLResolveInfo) -> bool:
    """The request is already over a bound: its remaining resolvers do nothing (the whole answer is the
    limit error, see `ServerCore.execute`), so the rest of an abusive request costs nothing."""
    budget = budget_of(info.context)
    return budget is not None and budget.exceeded is not None


def _charge(budget: RequestBudget | None, info: GraphQLResolveInfo, records: Iterable[Any]) -> None:
    if budget is not None:
        budget.spend_bytes(record_bytes(records, selected_names(info.field_nodes, info.fragments)))


def relation_list_operation(matrix: AccessMatrix, model: str) -> str | None:
    """The operation whose read rules govern a relational read of `model` (its list query)."""
    candidates = [op for op in matrix.operations_of(model)
                  if op.kind in (OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC)]
    candidates.sort(key=lambda op: (op.kind is not OperationKind.LIST, op.key))
    return candidates[0].key if candidates else None


def wrap_schema(
    schema: GraphQLSchema,
    matrix: AccessMatrix,
    policy: Policy,
    services: DataServices,
    root_bindings: Mapping[str, tuple[Resolver, Resolver | None]],
    field_bindings: Mapping[str, tuple[Resolver, RelationRead | None]],
) -> None:
    """Install the bound resolvers, each wrapped with its guard, on every field of `schema`."""
    wrapper = GuardWrapper(matrix, policy, services)
    roots = {t.name for t in (schema.query_type, schema.mutation_type, schema.subscription_type) if t is not None}
    for type_name, graphql_type in schema.type_map.items():
        if not isinstance(graphql_type, GraphQLObjectType) or type_name.startswith("__"):
            continue
        for field_name, graphql_field in graphql_type.fields.items():
            key = f"{type_name}.{field_name}"
            operation = matrix.operations.get(key)
            if operation is not None and key in root_bindings:
                resolve, subscribe = root_bindings[key]
                graphql_field.resolve = wrapper.root(operation, resolve)
                if subscribe is not None:
                    graphql_field.subscribe = wrapper.subscribe(operation, subscribe)
            elif type_name in roots:
                _wrap_other_root(wrapper, graphql_field, type_name, field_name)
            elif type_name in matrix.models:
                bound, lookup = field_bindings.get(key, (default_field_resolver, None))
                relation = (lookup, relation_list_operation(matrix, lookup.related)) if lookup else None
                graphql_field.resolve = wrapper.model_field(type_name, field_name, bound, relation)


def _wrap_other_root(wrapper: GuardWrapper, graphql_field: GraphQLField, type_name: str, field_name: str) -> None:
    graphql_field.resolve = wrapper.other_root_field(type_name, field_name,
                                                     graphql_field.resolve or default_field_resolver)
    if graphql_field.subscribe is not None or type_name == "Subscription":
        async def refused(_obj: Any, info: GraphQLResolveInfo, **_args: Any) -> Any:
            raise unauthorized(field_name, type_name)
        graphql_field.subscribe = refused


__all__ = [
    "IDENTITY_KEY",
    "AuthFilter",
    "GuardPolicy",
    "GuardWrapper",
    "OpenPolicy",
    "Policy",
    "identity_of",
    "wrap_schema",
]
