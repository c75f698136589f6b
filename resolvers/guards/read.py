"""Reads: `get`, list-like queries (list, index queries, sync) and field-level reads.

Queries are filtered, not failed: `private`, public and static-group roles authorize outright;
otherwise owner and dynamic-group rules become an `AuthFilter` the store applies (Amplify's
`authFilter`); the query is refused only when nothing authorized and no filter could be built. A
`get` of a record outside the filter is `Unauthorized`; of a missing record, `null`.

Field reads are checked only for fields Amplify protects with a field resolver. A reader those
rules exclude gets `null` plus an `Unauthorized` error; in mutation results (and so subscription
payloads) a protected field is always `null`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from resolvers.guards.claims import claim_parts, in_group, owner_claim, user_groups
from resolvers.guards.common import dynamic_group_matches, explain_roles, gate, static_admit, static_role_matches
from resolvers.guards.custom import custom_verdict
from resolvers.guards.decision import (
    AuthFilter,
    Condition,
    ConditionOp,
    Decision,
    Reason,
    deny,
    not_authorized_message,
)
from resolvers.guards.plans import OperationPlan, field_plan, protected_fields, root_plan
from resolvers.guards.providers import iam_private_matches, iam_public_matches, provider_of
from resolvers.identity import Identity
from transformer.environment import AuthEnvironment
from transformer.grants import read_back_fields
from transformer.matrix import AccessMatrix, OperationKind, RoleKind
from transformer.rules import Provider

_GET = frozenset({OperationKind.GET})
_LIST = frozenset({OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC, OperationKind.SEARCH})


@dataclass(frozen=True, slots=True)
class QueryAccess:
    authorized: bool
    filter: AuthFilter | None
    hits: tuple[str, ...]


def owner_conditions(grant_role: Any, identity: Identity) -> list[Condition]:
    """Amplify's owner filter: the joined claim, then each part that is present."""
    op: ConditionOp = "contains" if grant_role.owner_field_is_list else "eq"
    field = grant_role.owner_field or "owner"
    identity_claim = grant_role.identity_claim or "username"
    conditions: list[Condition] = []
    claim = owner_claim(identity, identity_claim)
    if claim is not None:
        conditions.append(Condition(field, op, claim.joined))
    conditions.extend(Condition(field, op, part) for part in claim_parts(identity, identity_claim))
    return conditions


def group_conditions(grant_role: Any, identity: Identity) -> list[Condition]:
    groups = user_groups(identity, grant_role.group_claim or "cognito:groups")
    field = grant_role.groups_field or "groups"
    if not groups:
        return []
    if grant_role.groups_field_is_list:
        return [Condition(field, "contains", group) for group in groups if group]
    return [Condition(field, "in", tuple(groups))]


def query_access(plan: OperationPlan, provider: Provider, identity: Identity, env: AuthEnvironment) -> QueryAccess | None:
    """None: refused outright. Otherwise authorized, or restricted to a filter (which may be None: refused)."""
    roles = plan.roles(provider)
    if provider in (Provider.API_KEY, Provider.FUNCTION):
        grant = roles.public or roles.custom
        return QueryAccess(grant is not None, None, (grant.role.name,) if grant else ())
    if provider is Provider.IAM:
        if not roles.all:
            return None
        hits = tuple(
            g.role.name
            for g in roles.all
            if (iam_public_matches(identity, env) if g.role.kind is RoleKind.PUBLIC else iam_private_matches(identity, env))
        )
        return QueryAccess(bool(hits), None, hits[:1])
    if roles.private is not None:
        return QueryAccess(True, None, (roles.private.role.name,))
    for grant in roles.static_groups:
        if in_group(identity, grant.role.group_claim or "cognito:groups", grant.role.group or ""):
            return QueryAccess(True, None, (grant.role.name,))
    conditions: list[Condition] = []
    for grant in roles.owners:
        conditions.extend(owner_conditions(grant.role, identity))
    for grant in roles.dynamic_groups:
        conditions.extend(group_conditions(grant.role, identity))
    return QueryAccess(False, AuthFilter(tuple(conditions)) if conditions else None, ())


def decide_list(matrix: AccessMatrix, operation_key: str, identity: Identity, env: AuthEnvironment) -> Decision:
    """List, index query or sync: a filter for the store; denied only when no rule could apply."""
    plan = root_plan(matrix, operation_key, _LIST)

    def explain() -> list[Reason]:
        return explain_roles(plan, identity, env, None, subject="filter")

    return _query_decision(matrix, plan, identity, env, explain)


def _query_decision(matrix: AccessMatrix, plan: OperationPlan, identity: Identity, env: AuthEnvironment,
                    explain: Any) -> Decision:
    verdict = gate(matrix, plan, identity, env, explain)
    if verdict.decision is not None:
        return verdict.decision
    provider = verdict.provider
    if provider is Provider.USER_POOLS or provider is Provider.OIDC:
        hit = static_admit(plan.roles(provider), identity)
        if hit is not None:
            return Decision(True, None, None, None, None, None, verdict.denied_fields, (hit,), False, explain)
    access = query_access(plan, provider, identity, env)
    if access is None or (not access.authorized and access.filter is None):
        return deny(plan.message, explain)
    return Decision(allowed=True, filter=access.filter, granted_by=access.hits, hidden_fields=verdict.denied_fields,
                    explainer=explain)


def decide_get(
    matrix: AccessMatrix,
    operation_key: str,
    identity: Identity,
    record: Mapping[str, Any] | None,
    env: AuthEnvironment,
) -> Decision:
    """Allowed with a null result when the record is missing; Unauthorized when it exists but is not visible."""
    plan = root_plan(matrix, operation_key, _GET)

    def explain() -> list[Reason]:
        return explain_roles(plan, identity, env, record)

    decision = _query_decision(matrix, plan, identity, env, explain)
    if not decision.allowed or record is None:
        return decision
    if decision.filter is not None and not decision.filter.matches(record):
        return deny(plan.message, explain)
    if decision.admin_bypass:
        return decision
    visibility = field_visibility(matrix, plan.model.name, identity, record, from_mutation=False, env=env)
    return Decision(allowed=True, filter=decision.filter, granted_by=decision.granted_by,
                    hidden_fields=decision.hidden_fields | visibility.hidden, explainer=explain)


def decide_field_read(
    matrix: AccessMatrix,
    type_name: str,
    field_name: str,
    identity: Identity,
    source: Mapping[str, Any],
    *,
    from_mutation: bool,
    env: AuthEnvironment,
) -> Decision:
    """The field-level check for one field of one record (`source`).

    Allowed with `hidden_fields == {field_name}` means: no error, but the value is null (a protected
    field in a mutation result).
    """
    if type_name not in matrix.models:
        return _non_model_field(matrix, type_name, field_name, identity, env)
    plan = field_plan(matrix, type_name, field_name)

    def explain() -> list[Reason]:
        return explain_roles(plan, identity, env, source)

    if not plan.protected:
        return _unprotected_field(plan, identity, field_name)
    verdict = gate(matrix, plan, identity, env, explain)
    if verdict.decision is not None:
        return verdict.decision
    roles = plan.roles(verdict.provider)
    hit: str | None = None
    if verdict.provider in (Provider.API_KEY, Provider.FUNCTION, Provider.IAM):
        if verdict.provider is Provider.IAM and not roles.all:
            return deny(plan.message, explain)
        hit = next((g.role.name for g in roles.all if static_role_matches(g.role, identity, env)), None)
    elif roles.private is not None:
        hit = roles.private.role.name
    else:
        hit = next((g.role.name for g in roles.static_groups if static_role_matches(g.role, identity, env)), None)
        if hit is None:
            hit = next((g.role.name for g in roles.owners + roles.dynamic_groups
                        if _record_admits(g.role, identity, source)), None)
    if hit is None:
        return deny(plan.message, explain)
    hidden = frozenset({field_name}) if from_mutation and plan.model.subscription_level == "on" else frozenset()
    if field_name in verdict.denied_fields:
        hidden = frozenset({field_name})
    return Decision(allowed=True, granted_by=(hit,), hidden_fields=hidden, explainer=explain)


def _record_admits(role: Any, identity: Identity, source: Mapping[str, Any]) -> bool:
    if role.kind is RoleKind.OWNER:
        claim = owner_claim(identity, role.identity_claim or "username")
        return claim is not None and claim.matches_field(source.get(role.owner_field or "owner"),
                                                         role.owner_field_is_list)
    groups = user_groups(identity, role.group_claim or "cognito:groups")
    return dynamic_group_matches(source.get(role.groups_field or "groups"), groups, role.groups_field_is_list)


def _unprotected_field(plan: OperationPlan, identity: Identity, field_name: str) -> Decision:
    """No field resolver: the value is returned as the parent query read it (a Lambda authorizer's
    `deniedFields` still hide it)."""
    if provider_of(identity) is Provider.FUNCTION:
        ok, _why, denied = custom_verdict(identity, f"{plan.type_name}.{field_name}")
        if field_name in denied or not ok:
            return Decision(allowed=True, hidden_fields=frozenset({field_name}))
    reason = Reason("(no field rules)", True, f"{plan.type_name}.{field_name} has no field-level check: "
                    "whoever may read the record reads it")
    return Decision(allowed=True, explainer=lambda: [reason])


def _non_model_field(matrix: AccessMatrix, type_name: str, field_name: str, identity: Identity,
                     env: AuthEnvironment) -> Decision:
    """Fields of non-model types (custom queries): static rules only, as Amplify generates them."""
    access = next((a for a in matrix.non_model_fields if a.type_name == type_name and a.field_name == field_name), None)
    if access is None:
        return Decision(allowed=True)
    message = not_authorized_message(field_name, type_name)
    provider = provider_of(identity)
    reasons: list[Reason] = []
    for role in access.roles:
        ok = role.provider is provider and role.kind is not RoleKind.OWNER and role.kind is not RoleKind.DYNAMIC_GROUP \
            and static_role_matches(role, identity, env)
        reasons.append(Reason(role.name, ok, "matches" if ok else "does not match"))
        if ok:
            return Decision(allowed=True, granted_by=(role.name,), explainer=lambda: list(reasons))
    return deny(message, lambda: list(reasons))


@dataclass(frozen=True, slots=True)
class FieldVisibility:
    hidden: frozenset[str]
    """Fields whose value the caller receives as null."""
    errors: frozenset[str]
    """Fields that also carry an `Unauthorized` error (the caller may not read them at all)."""


def field_visibility(
    matrix: AccessMatrix,
    model_name: str,
    identity: Identity,
    record: Mapping[str, Any],
    *,
    from_mutation: bool,
    env: AuthEnvironment,
) -> FieldVisibility:
    """Apply every field-level check of a model to one record (a query result or a mutation result)."""
    hidden: set[str] = set()
    errors: set[str] = set()
    for name in protected_fields(matrix, model_name):
        decision = decide_field_read(matrix, model_name, name, identity, record, from_mutation=from_mutation, env=env)
        if not decision.allowed:
            hidden.add(name)
            errors.add(name)
        elif name in decision.hidden_fields:
            hidden.add(name)
    return FieldVisibility(frozenset(hidden), frozenset(errors))


def owner_readback_fields(matrix: AccessMatrix, model_name: str) -> frozenset[str]:
    """Owner fields Amplify strips to their last `::` part when read (multi-claim owner rules)."""
    return frozenset(read_back_fields(matrix, matrix.models[model_name]))
