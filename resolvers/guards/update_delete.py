"""`update` and `delete`: rules checked against the STORED record, never the new input.

Update involves every role with update or delete on some field: its allowed fields come from update
(plus the primary key and generated fields) and its null-allowed fields from delete ("may set this
field to null"). Delete involves only roles with delete on every field. An owner may therefore hand
a record to someone else (Amplify warns about it); the opt-in `strict_owner` parameter refuses a
change of the owner field to a caller authorized only as an owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.guards.claims import in_group, owner_claim, user_groups
from resolvers.guards.common import dynamic_group_matches, explain_roles, gate, static_admit
from resolvers.guards.decision import Decision, Reason, denied_fields_message, deny
from resolvers.guards.plans import OperationPlan, RoleGrant, root_plan
from resolvers.guards.providers import iam_private_matches, iam_public_matches
from resolvers.identity import Identity
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, OperationKind, RoleKind
from transformer.rules import Provider

_UPDATE = frozenset({OperationKind.UPDATE})
_DELETE = frozenset({OperationKind.DELETE})


class _Outcome:
    __slots__ = ("authorized", "allowed", "null_allowed", "hits")

    def __init__(self) -> None:
        self.authorized = False
        self.allowed: list[str] = []
        self.null_allowed: set[str] = set()
        self.hits: list[str] = []

    def add(self, grant: RoleGrant) -> bool:
        self.hits.append(grant.role.name)
        if grant.full:
            self.authorized = True
            return True
        self.allowed.extend(grant.allowed)
        self.null_allowed.update(grant.null_allowed)
        return False

    def replace(self, grant: RoleGrant) -> None:
        """API key, IAM and Lambda roles set (not extend) the field lists, as Amplify does."""
        self.hits.append(grant.role.name)
        if grant.full:
            self.authorized = True
        else:
            self.allowed = list(grant.allowed)
            self.null_allowed = set(grant.null_allowed)


def _owner_or_group_admits(grant: RoleGrant, identity: Identity, stored: Mapping[str, Any]) -> bool:
    role = grant.role
    if role.kind is RoleKind.OWNER:
        claim = owner_claim(identity, role.identity_claim or "username")
        return claim is not None and claim.matches_field(stored.get(role.owner_field or "owner"),
                                                         role.owner_field_is_list)
    groups = user_groups(identity, role.group_claim or "cognito:groups")
    return dynamic_group_matches(stored.get(role.groups_field or "groups"), groups, role.groups_field_is_list)


def _evaluate(plan: OperationPlan, provider: Provider, identity: Identity, env: AuthEnvironment,
              stored: Mapping[str, Any]) -> _Outcome | None:
    """Run the roles; None means Amplify refuses outright (the provider has no role here)."""
    roles = plan.roles(provider)
    outcome = _Outcome()
    if provider in (Provider.API_KEY, Provider.FUNCTION):
        grant = roles.public or roles.custom
        if grant is None:
            return None
        outcome.replace(grant)
        return outcome
    if provider is Provider.IAM:
        if not roles.all:
            return None
        for grant in roles.all:
            public = grant.role.kind is RoleKind.PUBLIC
            if iam_public_matches(identity, env) if public else iam_private_matches(identity, env):
                outcome.replace(grant)
        return outcome
    if roles.private is not None:
        outcome.add(roles.private)
    if not outcome.authorized:
        for grant in roles.static_groups:
            if in_group(identity, grant.role.group_claim or "cognito:groups", grant.role.group or "") and outcome.add(
                grant
            ):
                break
    for grant in roles.owners + roles.dynamic_groups:
        if outcome.authorized:
            break
        if _owner_or_group_admits(grant, identity, stored):
            outcome.add(grant)
    return outcome


def decide_update(
    matrix: AccessMatrix,
    operation_key: str,
    identity: Identity,
    input: Mapping[str, Any],
    stored: Mapping[str, Any] | None,
    env: AuthEnvironment,
) -> Decision:
    """Decide an update against the stored record (`None` when it does not exist: the write then fails)."""
    plan = root_plan(matrix, operation_key, _UPDATE)
    record = stored or {}
    granted: tuple[str, ...] = ()

    def explain() -> list[Reason]:
        return explain_roles(plan, identity, env, stored, granted=granted)

    verdict = gate(matrix, plan, identity, env, explain)
    if verdict.decision is not None:
        decision = verdict.decision
        if decision.allowed:
            return Decision(allowed=True, input=dict(input), granted_by=decision.granted_by,
                            admin_bypass=decision.admin_bypass, explainer=decision.explainer)
        return decision
    provider = verdict.provider
    if provider is Provider.USER_POOLS or provider is Provider.OIDC:
        hit = static_admit(plan.roles(provider), identity)
        if hit is not None:
            granted = (hit,)
            return Decision(True, None, None, dict(input), None, None, verdict.denied_fields, granted, False, explain)
    outcome = _evaluate(plan, provider, identity, env, record)
    if outcome is None or (not outcome.authorized and not outcome.allowed and not outcome.null_allowed):
        return deny(plan.message, explain)
    granted = tuple(dict.fromkeys(outcome.hits))
    if not outcome.authorized:
        refused: dict[str, None] = {}
        for name, value in input.items():
            if value is None and name not in outcome.null_allowed:
                refused[name] = None
        permitted = set(outcome.allowed)
        for name in input:
            if name not in permitted:
                refused[name] = None
        if refused:
            return Decision(allowed=False, error_type="Unauthorized", message=denied_fields_message(refused),
                            explainer=explain)
    owner_field = _strict_owner_refusal(matrix, plan, input, record, granted)
    if owner_field is not None:
        reason = Reason("(strict owner)", False, f"{owner_field} may not be reassigned (strict owner mode)")
        return Decision(allowed=False, error_type="Unauthorized", message=denied_fields_message([owner_field]),
                        explainer=lambda: [*explain(), reason])
    return Decision(allowed=True, input=dict(input), granted_by=granted, hidden_fields=verdict.denied_fields,
                    explainer=explain)


def _strict_owner_refusal(matrix: AccessMatrix, plan: OperationPlan, input: Mapping[str, Any],
                          stored: Mapping[str, Any], granted: tuple[str, ...]) -> str | None:
    """With `strict_owner`, a caller authorized only through owner rules may not change an owner field:
    the field it would change, or None."""
    if not matrix.parameters.strict_owner or not granted:
        return None
    roles = plan.model.roles
    if any(roles[name].kind is not RoleKind.OWNER for name in granted if name in roles):
        return None
    for name in granted:
        field = roles[name].owner_field if name in roles else None
        if field and field in input and input[field] != stored.get(field):
            return field
    return None


def decide_delete(
    matrix: AccessMatrix,
    operation_key: str,
    identity: Identity,
    stored: Mapping[str, Any] | None,
    env: AuthEnvironment,
) -> Decision:
    plan = root_plan(matrix, operation_key, _DELETE)
    granted: tuple[str, ...] = ()

    def explain() -> list[Reason]:
        return explain_roles(plan, identity, env, stored, granted=granted)

    verdict = gate(matrix, plan, identity, env, explain)
    if verdict.decision is not None:
        return verdict.decision
    provider = verdict.provider
    if provider is Provider.USER_POOLS or provider is Provider.OIDC:
        hit = static_admit(plan.roles(provider), identity)
        if hit is not None:
            granted = (hit,)
            return Decision(True, None, None, None, None, None, verdict.denied_fields, granted, False, explain)
    outcome = _evaluate(plan, provider, identity, env, stored or {})
    if outcome is None or not outcome.authorized:
        return deny(plan.message, explain)
    granted = tuple(dict.fromkeys(outcome.hits))
    return Decision(allowed=True, granted_by=granted, hidden_fields=verdict.denied_fields, explainer=explain)
