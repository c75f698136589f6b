"""What every guard does before its own rules, and how any role's outcome is explained.

The gate, in Amplify's order: a request through a provider the API lacks is refused; an IAM admin
role skips every check; a model without `@auth` is denied unless sandbox mode lets API-key requests
through; a Lambda request must pass the configured custom authorizer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from resolvers.guards.claims import in_group, owner_claim, owner_readback, user_groups
from resolvers.guards.custom import custom_verdict
from resolvers.guards.decision import Decision, Reason, deny
from resolvers.guards.plans import OperationPlan, ProviderRoles, RoleGrant
from resolvers.guards.providers import (
    PROVIDER_LABEL,
    iam_admin_role,
    iam_private_matches,
    iam_public_matches,
    provider_of,
    wrong_provider,
)
from resolvers.identity import Identity, parse_groups
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, Role, RoleKind
from transformer.rules import Provider


class Gate(NamedTuple):
    """The gate's verdict: a final decision, or the provider to evaluate rules for."""

    decision: Decision | None
    provider: Provider
    denied_fields: frozenset[str] = frozenset()


_PASS = {provider: Gate(None, provider) for provider in Provider}


def gate(
    matrix: AccessMatrix,
    plan: OperationPlan,
    identity: Identity,
    env: AuthEnvironment,
    explain: Callable[[], list[Reason]],
) -> Gate:
    provider = provider_of(identity)
    if provider not in matrix.auth_modes:
        reason = Reason("(auth mode)", False, f"the API has no {PROVIDER_LABEL[provider]} auth mode")
        return Gate(deny(plan.message, lambda: [reason]), provider)
    if provider is Provider.IAM:
        admin = iam_admin_role(identity, env)
        if admin is not None:
            reason = Reason(f"iam:adminRole:{admin}", True, f"IAM admin role {admin}: every @auth check is skipped")
            return Gate(
                Decision(allowed=True, granted_by=(f"iam:adminRole:{admin}",), admin_bypass=True,
                         explainer=lambda: [reason]),
                provider,
            )
    if not plan.has_auth:
        if matrix.parameters.sandbox_mode_enabled and provider is Provider.API_KEY:
            reason = Reason("(sandbox)", True, f"{plan.model.name} has no @auth: sandbox mode admits API-key requests")
            return Gate(Decision(allowed=True, granted_by=("(sandbox)",), explainer=lambda: [reason]), provider)
        reason = Reason("(no @auth)", False, f"{plan.model.name} has no @auth rules: denied unless sandbox mode "
                        "is on and the request uses an API key")
        return Gate(deny(plan.message, lambda: [reason]), provider)
    if provider is Provider.FUNCTION:
        ok, why, denied = custom_verdict(identity, f"{plan.type_name}.{plan.field_name}")
        if not ok:
            reason = Reason("function:custom", False, why)
            return Gate(deny(plan.message, lambda: [reason, *explain()]), provider)
        return Gate(None, provider, denied)
    return _PASS[provider]


def static_admit(roles: ProviderRoles, identity: Identity) -> str | None:
    """The JWT provider's private or static-group role that authorizes on every field, if any.

    Such a role settles update, delete and every read outright, whatever other roles say (Amplify
    sets `isAuthorized` and stops), so the guards try it before anything else.
    """
    private = roles.private
    if private is not None and private.full:
        return private.role.name
    claims = identity.claims
    for claim, group, name in roles.full_static:
        value = claims.get(claim)
        if (group in value) if type(value) is list else (group in parse_groups(value)):
            return name
    return None


def static_role_matches(role: Role, identity: Identity, env: AuthEnvironment) -> bool:
    """Roles decided by the identity alone (private, public, static group, custom)."""
    kind = role.kind
    if kind is RoleKind.STATIC_GROUP:
        return in_group(identity, role.group_claim or "cognito:groups", role.group or "")
    if role.provider is Provider.IAM:
        if kind is RoleKind.PUBLIC:
            return iam_public_matches(identity, env)
        return iam_private_matches(identity, env)
    return kind in (RoleKind.PRIVATE, RoleKind.PUBLIC, RoleKind.CUSTOM)


Subject = Literal["record", "input", "filter", "events"]
"""What owner and dynamic-group rules are judged on: a stored record, a mutation's input, or (for
lists and subscriptions) every record or event, through a filter."""


def describe_role(
    role: Role,
    identity: Identity,
    env: AuthEnvironment,
    record: Mapping[str, Any] | None,
    *,
    subject: Subject = "record",
) -> tuple[bool, str]:
    """Whether this role admits the caller (for this record), and the sentence that says why."""
    request_provider = provider_of(identity)
    if role.provider is not request_provider:
        return False, wrong_provider(request_provider, role.provider)
    kind = role.kind
    if kind is RoleKind.PRIVATE:
        if role.provider is Provider.IAM:
            if iam_private_matches(identity, env):
                return True, "authenticated identity-pool identity"
            return False, f"not an authenticated identity of pool {env.identity_pool_id} (userArn {identity.user_arn})"
        return True, f"any signed-in {PROVIDER_LABEL[role.provider]} user"
    if kind is RoleKind.PUBLIC:
        if role.provider is Provider.IAM:
            if iam_public_matches(identity, env):
                return True, "the identity pool's unauthenticated role"
            return False, f"not the unauthenticated role (userArn {identity.user_arn})"
        return True, "API key request"
    if kind is RoleKind.CUSTOM:
        return True, "Lambda-authorized request"
    if kind is RoleKind.STATIC_GROUP:
        claim = role.group_claim or "cognito:groups"
        groups = user_groups(identity, claim)
        if role.group in groups:
            return True, f"in group {role.group}"
        have = ", ".join(groups) if groups else "none"
        return False, f"not in group {role.group} ({claim}: {have})"
    if kind is RoleKind.OWNER:
        return _describe_owner(role, identity, record, subject)
    return _describe_dynamic_group(role, identity, record, subject)


def _describe_owner(role: Role, identity: Identity, record: Mapping[str, Any] | None,
                    subject: Subject) -> tuple[bool, str]:
    claim = owner_claim(identity, role.identity_claim or "username")
    if claim is None:
        return False, f"token lacks a claim of {role.identity_claim}: owner rule skipped"
    field = role.owner_field or "owner"
    you = owner_readback(claim.joined)
    if subject in ("filter", "events"):
        return True, f"only {'records' if subject == 'filter' else 'events'} whose {field} is yours ({you})"
    if record is None:
        return False, "the record does not exist"
    value = record.get(field)
    if claim.matches_field(value, role.owner_field_is_list):
        return True, f"{subject} {field} is yours ({you})"
    if value is None:
        return False, f"{subject} {field} is empty"
    return False, f"{subject} {field} is {owner_readback(value)}'s, you are {you}"


def _describe_dynamic_group(role: Role, identity: Identity, record: Mapping[str, Any] | None,
                            subject: Subject) -> tuple[bool, str]:
    claim_name = role.group_claim or "cognito:groups"
    groups = user_groups(identity, claim_name)
    field = role.groups_field or "groups"
    mine = ", ".join(groups) or "none"
    if subject in ("filter", "events"):
        if not groups:
            return False, f"you are in no group ({claim_name}), so no {field} can name one"
        return True, f"only {'records' if subject == 'filter' else 'events'} whose {field} names one of your groups ({mine})"
    if record is None:
        return False, "the record does not exist"
    value = record.get(field)
    if dynamic_group_matches(value, groups, role.groups_field_is_list):
        return True, f"{subject} {field} {value!r} names one of your groups"
    return False, f"{subject} {field} {value!r} names none of your groups ({mine})"


def dynamic_group_matches(value: Any, groups: list[str], is_list: bool) -> bool:
    if value is None or not groups:
        return False
    if is_list:
        return isinstance(value, list | tuple) and any(group in value for group in groups)
    return not isinstance(value, list | tuple) and value in groups


def explain_roles(
    plan: OperationPlan,
    identity: Identity,
    env: AuthEnvironment,
    record: Mapping[str, Any] | None,
    *,
    subject: Subject = "record",
    granted: tuple[str, ...] = (),
) -> list[Reason]:
    reasons: list[Reason] = []
    for roles in plan.providers.values():
        for grant in roles.all:
            reasons.append(_reason(grant, identity, env, record, subject, granted))
    verb = plan.kind.value if plan.kind is not None else "read"
    for role in plan.other_roles:
        reasons.append(Reason(role.name, False, f"no {verb} permission on {plan.field_name}"))
    return reasons


def _reason(
    grant: RoleGrant,
    identity: Identity,
    env: AuthEnvironment,
    record: Mapping[str, Any] | None,
    subject: Subject,
    granted: tuple[str, ...],
) -> Reason:
    ok, detail = describe_role(grant.role, identity, env, record, subject=subject)
    if grant.role.name in granted:
        ok = True
    fields = None if grant.full else grant.allowed
    if ok and fields is not None:
        detail += f" (may write only {', '.join(fields)})"
    return Reason(grant.role.name, ok, detail, fields)

