"""Filters and conditions may only name fields the caller may read (a deliberate difference from Amplify).

A `filter` (list, index query, sync, a relation's list, a subscription) or a `condition` (create,
update, delete) is evaluated on values the caller never receives; in Amplify a caller who may not
read `Post.internalNotes` can still run `filter: {internalNotes: {beginsWith: "a"}}` and learn the
hidden value one character at a time. Here such a request is refused with `Unauthorized`, naming
the field, before anything is read.

When is a protected field readable for this purpose?

* on one known record (update/delete conditions, create conditions on the new record): exactly
  when the field-level check admits the caller on that record;
* over a set of records (filters): when a rule decided by the identity alone admits the caller
  (private, public, static group, IAM, custom), or when every record the query can reach is one the
  field's owner/dynamic-group rules admit: the query is restricted by its own owner/dynamic-group
  filter and each rule that built it is also a read rule of the field (same kind, same field, same
  claim).

A Lambda caller is refused on any field its authorizer listed in `deniedFields`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from resolvers.guards.custom import custom_verdict
from resolvers.guards.decision import Decision, Reason, deny, not_authorized_message
from resolvers.guards.plans import OperationPlan, field_plan, protected_fields, root_plan
from resolvers.guards.providers import provider_of
from resolvers.guards.read import decide_field_read
from resolvers.identity import Identity
from transformer.environment import AuthEnvironment
from transformer.filter_scope import scope_implies_field
from transformer.matrix import AccessMatrix, OperationKind
from transformer.rules import Provider

LOGICAL_KEYS = frozenset({"and", "or", "not"})
_ANY_ROOT = frozenset(OperationKind)


def named_fields(filter_input: Any) -> frozenset[str]:
    """Every field a filter or condition input names, through nested `and`/`or`/`not`."""
    names: set[str] = set()
    pending: list[Any] = [filter_input]
    while pending:
        current = pending.pop()
        if isinstance(current, list | tuple):
            pending.extend(current)
        elif isinstance(current, Mapping):
            for key, value in current.items():
                if key in LOGICAL_KEYS:
                    pending.append(value)
                elif isinstance(key, str):
                    names.add(key)
    return frozenset(names)


def _scope_implies_field(scope_plan: OperationPlan, field: OperationPlan, provider: Provider) -> bool:
    scope_roles = scope_plan.roles(provider)
    field_roles = field.roles(provider)
    return scope_implies_field([g.role for g in scope_roles.owners + scope_roles.dynamic_groups],
                               [g.role for g in field_roles.owners + field_roles.dynamic_groups], provider)


def _refuse(model: str, field_name: str, why: str) -> Decision:
    reason = Reason(f"{model}.{field_name}", False, why)
    return deny(not_authorized_message(field_name, model), lambda: [reason])


def decide_filter_fields(
    matrix: AccessMatrix,
    operation_key: str,
    names: Iterable[str],
    identity: Identity,
    env: AuthEnvironment,
    *,
    record: Mapping[str, Any] | None = None,
    scoped: bool = False,
) -> Decision:
    """Whether `identity` may name `names` in a filter or condition of `operation_key`.

    `record`: the one record a condition is evaluated on (it decides owner rules), else None.
    `scoped`: the operation's own decision restricted it by an owner/dynamic-group filter.
    """
    plan = root_plan(matrix, operation_key, _ANY_ROOT)
    model = plan.model.name
    model_fields = {f.name for f in matrix.models[model].fields}
    protected = protected_fields(matrix, model)
    provider = provider_of(identity)
    for name in sorted(set(names)):
        if name not in model_fields:
            continue
        if provider is Provider.FUNCTION:
            ok, _why, denied = custom_verdict(identity, f"{model}.{name}")
            if not ok or name in denied:
                return _refuse(model, name, "the Lambda authorizer denies this field")
        if name not in protected:
            continue
        if record is not None:
            verdict = decide_field_read(matrix, model, name, identity, record, from_mutation=False, env=env)
            if not verdict.allowed:
                return _refuse(model, name, "the caller may not read this field on this record")
            continue
        static = decide_field_read(matrix, model, name, identity, {}, from_mutation=False, env=env)
        if static.allowed:
            continue
        if scoped and _scope_implies_field(plan, field_plan(matrix, model, name), provider):
            continue
        return _refuse(model, name, "the caller may not read this field on every record the filter reaches")
    return Decision(allowed=True)


__all__ = ["decide_filter_fields", "named_fields"]
