"""Subscriptions (`listen`): allowed or denied when subscribing, plus a per-event filter.

`@model(subscriptions: {level: public})` turns the check off. Static groups, `private` and public roles admit the subscriber to every event. Owner rules accept an
owner argument (`onCreatePost(owner: "alice")`) that must equal one of the caller's claims, else the
subscription is refused. Otherwise owner and dynamic-group rules become a runtime filter on events
(owner `eq`/`contains` the last part of the claim, i.e. the read-back form; groups `in`/`containsAny`).
The filter compares against the payload as clients receive it, so `event_visible` reads owner
fields back (`sub::alice` -> `alice`) before matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.guards.claims import in_group, owner_claim, owner_readback, user_groups
from resolvers.guards.common import explain_roles, gate
from resolvers.guards.decision import AuthFilter, Condition, Decision, Reason, deny
from resolvers.guards.plans import root_plan
from resolvers.guards.providers import iam_private_matches, iam_public_matches
from resolvers.identity import Identity
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, OperationKind, RoleKind
from transformer.rules import Provider

_LISTEN = frozenset({OperationKind.ON_CREATE, OperationKind.ON_UPDATE, OperationKind.ON_DELETE})


def decide_subscribe(
    matrix: AccessMatrix,
    operation_key: str,
    identity: Identity,
    args: Mapping[str, Any],
    env: AuthEnvironment,
) -> Decision:
    plan = root_plan(matrix, operation_key, _LISTEN)

    def explain() -> list[Reason]:
        return explain_roles(plan, identity, env, args, subject="events")

    if plan.model.subscription_level == "public":
        reason = Reason("(subscriptions: public)", True, f"@model(subscriptions: {{level: public}}) on "
                        f"{plan.model.name}: subscriptions carry no auth check")
        return Decision(allowed=True, granted_by=("(subscriptions: public)",), explainer=lambda: [reason])
    verdict = gate(matrix, plan, identity, env, explain)
    if verdict.decision is not None:
        return verdict.decision
    provider = verdict.provider
    roles = plan.roles(provider)
    if provider in (Provider.API_KEY, Provider.FUNCTION):
        grant = roles.public or roles.custom
        if grant is None:
            return deny(plan.message, explain)
        return Decision(allowed=True, granted_by=(grant.role.name,), hidden_fields=verdict.denied_fields,
                        explainer=explain)
    if provider is Provider.IAM:
        for grant in roles.all:
            public = grant.role.kind is RoleKind.PUBLIC
            if iam_public_matches(identity, env) if public else iam_private_matches(identity, env):
                return Decision(allowed=True, granted_by=(grant.role.name,), explainer=explain)
        return deny(plan.message, explain)

    authorized = False
    hits: list[str] = []
    if roles.private is not None:
        authorized = True
        hits.append(roles.private.role.name)
    if not authorized:
        for grant in roles.static_groups:
            if in_group(identity, grant.role.group_claim or "cognito:groups", grant.role.group or ""):
                authorized = True
                hits.append(grant.role.name)
                break
    owner_filters: list[Condition] = []
    valid_owner_argument = False
    for grant in roles.owners:
        role = grant.role
        claim = owner_claim(identity, role.identity_claim or "username")
        if claim is None:
            continue
        field = role.owner_field or "owner"
        owner_filters.append(Condition(field, "contains" if role.owner_field_is_list else "eq", claim.last))
        argument = args.get(field)
        if not authorized and argument not in (None, "", []):
            if claim.matches(argument):
                authorized = True
                valid_owner_argument = True
                hits.append(role.name)
            else:
                return deny(plan.message, explain)
    group_filters: list[Condition] = []
    for grant in roles.dynamic_groups:
        role = grant.role
        groups = user_groups(identity, role.group_claim or "cognito:groups")
        if groups:
            group_filters.append(
                Condition(role.groups_field or "groups", "containsAny" if role.groups_field_is_list else "in", tuple(groups))
            )
    runtime = owner_filters + group_filters
    event_filter: AuthFilter | None = None
    owner_argument_only = valid_owner_argument and len(runtime) == 1
    if not owner_argument_only and (not authorized or valid_owner_argument) and runtime:
        event_filter = AuthFilter(tuple(runtime))
        authorized = True
    elif owner_argument_only:
        field = runtime[0].field
        event_filter = AuthFilter((Condition(field, runtime[0].op, args.get(field)),))
    if not authorized:
        return deny(plan.message, explain)
    return Decision(allowed=True, event_filter=event_filter, granted_by=tuple(hits), explainer=explain)


def event_visible(decision: Decision, record: Mapping[str, Any], readback_fields: frozenset[str] = frozenset()) -> bool:
    """Whether one published event reaches this subscriber.

    `readback_fields` are the model's owner fields that clients receive stripped (see
    `read.owner_readback_fields`); the filter is matched against that form, as AppSync does.
    """
    if not decision.allowed:
        return False
    if decision.event_filter is None:
        return True
    if readback_fields:
        record = {k: (owner_readback(v) if k in readback_fields else v) for k, v in record.items()}
    return decision.event_filter.matches(record)
