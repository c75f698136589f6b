"""The auth slot of subscriptions: a subscribe-time decision plus an enhanced filter on every event.

API key, Lambda, IAM, `private` and static-group roles subscribe to everything. An owner argument
(`onCreatePost(owner:)`) equal to one of the caller's claims also admits the caller; a different
one is refused. Otherwise owner and dynamic-group roles become event filters on the published
record (owner `eq`/`contains` the last claim, the read-back form; groups `in`/`containsAny` the
caller's groups), stashed as `authSubscriptionFilter` (a list, ORed); the data slot ANDs them with
the client's filter through `$extensions.setSubscriptionFilter`.
"""

from __future__ import annotations

from transformer.emit_vtl.auth_common import authorize_by_identity, open_auth
from transformer.emit_vtl.filter_fields import emit_filter_field_check
from transformer.emit_vtl.identity import (
    IdentityNames,
    admin_role_bypass,
    claim_expression,
    owner_claims,
    provider_sections,
)
from transformer.emit_vtl.memo import per_owner
from transformer.emit_vtl.vtl import VtlWriter, empty_payload, q
from transformer.grants import read_roles
from transformer.matrix import ModelAccess, Role
from transformer.rules import Operation, Provider


@per_owner
def subscription_auth_request(model: ModelAccess) -> str:
    w = VtlWriter()
    open_auth(w)
    admin_role_bypass(w, "{}")
    w.line("#set($ownerFilters = [])")
    w.line("#set($groupFilters = [])")
    w.line("#set($validOwnerArgument = false)")
    provider_sections(w, read_roles(model, Operation.LISTEN), _emit_listen_roles)
    w.line("#set($runtimeFilters = [])")
    w.qr("$runtimeFilters.addAll($ownerFilters)")
    w.qr("$runtimeFilters.addAll($groupFilters)")
    w.line("#set($ownerArgumentOnly = $validOwnerArgument && $runtimeFilters.size() == 1)")
    w.line("#if(!$ownerArgumentOnly && (!$isAuthorized || $validOwnerArgument) && !$runtimeFilters.isEmpty())")
    w.line("  $util.qr($ctx.stash.put('authSubscriptionFilter', $runtimeFilters))")
    w.line("  #set($isAuthorized = true)")
    w.line("#elseif($ownerArgumentOnly)")
    w.line("  #set($ownerArgumentFilters = [$ownerArgumentFilter])")
    w.line("  $util.qr($ctx.stash.put('authSubscriptionFilter', $ownerArgumentFilters))")
    w.line("#end")
    with w.block("#if(!$isAuthorized)"):
        w.line("$util.unauthorized()")
    emit_filter_field_check(w, model, "$ctx.args.filter", scope_roles=read_roles(model, Operation.LISTEN),
                            unrestricted="$util.isNull($ctx.stash.authSubscriptionFilter)")
    w.line(empty_payload())
    return w.text()


def _emit_listen_roles(w: VtlWriter, provider: Provider, roles: list[Role], names: IdentityNames) -> None:
    owners, dynamic = authorize_by_identity(w, provider, roles, names, unless_authorized=True)
    for role in owners:
        _owner_role(w, role, names)
    for role in dynamic:
        groups = names.groups_var(w, role.group_claim or "cognito:groups")
        operator = q("containsAny" if role.groups_field_is_list else "in")
        with w.block(f"#if(!{groups}.isEmpty())"):
            w.qr_with("$filterClause", f"{{{q(role.groups_field or 'groups')}: {{{operator}: {groups}}}}}", "$groupFilters.add({})")


def _owner_role(w: VtlWriter, role: Role, names: IdentityNames) -> None:
    field = q(role.owner_field or "owner")
    operator = q("contains" if role.owner_field_is_list else "eq")
    valid, candidates, _ = owner_claims(w, role, names)
    claims = role.identity_claims or ("username",)
    argument = f"$ctx.args.get({field})"
    with w.block(f"#if({valid})"):
        w.qr_with("$filterClause", f"{{{field}: {{{operator}: {claim_expression(claims[-1])}}}}}", "$ownerFilters.add({})")
        supplied = (
            f"!$util.isNull({argument}) && {argument} != ''"
            f" && !($util.isList({argument}) && {argument}.isEmpty())"
        )
        with w.block(f"#if(!$isAuthorized && {supplied})"), w.block(f"#if({candidates}.contains({argument}))"):
            w.line("#set($isAuthorized = true)")
            w.line("#set($validOwnerArgument = true)")
            w.line(f"#set($ownerArgumentFilter = {{{field}: {{{operator}: {argument}}}}})")
            w.else_()
            w.line("$util.unauthorized()")


def subscription_data_request() -> str:
    return empty_payload() + "\n"


def subscription_data_response() -> str:
    """Apply the client's filter ANDed with the auth filter; the subscribe call itself returns null.

    One filter map goes to `$util.transform.toSubscriptionFilter(Map)`, the form AppSync documents (and
    Amplify deploys): `{"and": [{"or": <auth filters>}, <client filter>]}`, or either part alone. Its
    other forms take a list of ignored fields and a map of rules, not a list of alternatives."""
    w = VtlWriter()
    w.line("#set($hasClientFilter = !$util.isNullOrEmpty($ctx.args.filter))")
    with w.block("#if(!$util.isNullOrEmpty($ctx.stash.authSubscriptionFilter))"):
        w.line("#set($authAlternatives = {'or': $ctx.stash.authSubscriptionFilter})")
        w.line("#set($subscriptionFilter = $authAlternatives)")
        with w.block("#if($hasClientFilter)"):
            w.line("#set($subscriptionFilter = {'and': [$authAlternatives, $ctx.args.filter]})")
        w.qr("$extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter($subscriptionFilter))")
        w.else_("$hasClientFilter")
        w.qr("$extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter($ctx.args.filter))")
    w.line("$util.toJson(null)")
    return w.text()
