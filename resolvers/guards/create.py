"""`create`: rules checked against the input, the owner field filled in, per-role allowed fields.

Amplify's order (mutation.create auth slot): API key, IAM, Lambda, then per JWT provider `private`,
static groups (any-of), owner rules, dynamic groups. A role with create on every field authorizes;
a role with create on some fields only adds those to `allowedFields`, and then every input field
outside them is refused with `Unauthorized on [f, ...]`. Owner rules fill the owner field when the
input has no such key (an explicit null is not filled), for the owner and, with
`populateOwnerFieldForStaticGroupAuth`, for a caller already authorized (static group, private).
`@default` values are put into the input first (Amplify's init slot), so they are judged as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.guards.claims import in_group, owner_claim, user_groups
from resolvers.guards.common import dynamic_group_matches, explain_roles, gate
from resolvers.guards.decision import Decision, denied_fields_message, deny
from resolvers.guards.plans import RoleGrant, root_plan
from resolvers.guards.providers import iam_private_matches, iam_public_matches
from resolvers.identity import Identity
from transformer.defaults import with_defaults
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, OperationKind, RoleKind
from transformer.rules import Provider

_CREATE = frozenset({OperationKind.CREATE})


def decide_create(
    matrix: AccessMatrix,
    operation_key: str,
    identity: Identity,
    input: Mapping[str, Any],
    env: AuthEnvironment,
) -> Decision:
    plan = root_plan(matrix, operation_key, _CREATE)
    values = with_defaults({f.name: f.default for f in plan.model.fields if f.default is not None}, input)
    input_fields = list(values)

    def explain() -> list[Any]:
        return explain_roles(plan, identity, env, values, subject="input", granted=granted)

    granted: tuple[str, ...] = ()
    verdict = gate(matrix, plan, identity, env, explain)
    if verdict.decision is not None:
        if verdict.decision.allowed:
            return Decision(allowed=True, input=values, granted_by=verdict.decision.granted_by,
                            admin_bypass=verdict.decision.admin_bypass, explainer=verdict.decision.explainer)
        return verdict.decision
    provider = verdict.provider
    roles = plan.roles(provider)
    authorized = False
    allowed: list[str] = []
    hits: list[str] = []

    def add(grant: RoleGrant) -> bool:
        """Authorize with a full role, or collect a partial role's fields; True when fully authorized."""
        hits.append(grant.role.name)
        if grant.full:
            return True
        allowed.extend(grant.allowed)
        return False

    if provider in (Provider.API_KEY, Provider.FUNCTION):
        grant = roles.public or roles.custom
        if grant is None:
            return deny(plan.message, explain)
        hits.append(grant.role.name)
        authorized = grant.full
        if not grant.full:
            allowed = list(grant.allowed)
    elif provider is Provider.IAM:
        if not roles.all:
            return deny(plan.message, explain)
        for grant in roles.all:
            if grant.role.kind is RoleKind.PUBLIC:
                matched = iam_public_matches(identity, env)
            else:
                matched = iam_private_matches(identity, env, via_identity_pool=grant.full)
            if matched:
                hits.append(grant.role.name)
                if grant.full:
                    authorized = True
                else:
                    allowed = list(grant.allowed)
    else:
        if roles.private is not None:
            authorized = add(roles.private)
        if not authorized:
            for grant in roles.static_groups:
                if in_group(identity, grant.role.group_claim or "cognito:groups", grant.role.group or "") and add(grant):
                    authorized = True
                    break
        populate = matrix.parameters.populate_owner_field_for_static_group_auth
        for grant in roles.owners:
            role = grant.role
            claim = owner_claim(identity, role.identity_claim or "username")
            if claim is None:
                continue
            field = role.owner_field or "owner"
            current = values.get(field)
            fill = [claim.joined] if role.owner_field_is_list else claim.joined
            if populate and authorized and current is None and field not in values:
                values[field] = fill
            if authorized:
                continue
            if claim.matches_field(current, role.owner_field_is_list):
                authorized = add(grant)
            if current is None and field not in values:
                values[field] = fill
                authorized = add(grant) or authorized
        for grant in roles.dynamic_groups:
            if authorized:
                break
            role = grant.role
            groups = user_groups(identity, role.group_claim or "cognito:groups")
            entity = values.get(role.groups_field or "groups")
            for group in groups:
                if dynamic_group_matches(entity, [group], role.groups_field_is_list) and add(grant):
                    authorized = True
                    break
    granted = tuple(dict.fromkeys(hits))
    if not authorized and not allowed:
        return deny(plan.message, explain)
    if not authorized:
        permitted = set(allowed)
        refused = [name for name in input_fields if name not in permitted]
        if refused:
            return Decision(allowed=False, error_type="Unauthorized", message=denied_fields_message(refused),
                            explainer=explain)
    return Decision(allowed=True, input=values, granted_by=granted, hidden_fields=verdict.denied_fields,
                    explainer=explain)
