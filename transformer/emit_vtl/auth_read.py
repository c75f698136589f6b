"""The auth slot of get, list and index queries: an auth filter applied in the DynamoDB request.

API key, Lambda, IAM, `private` and static-group roles authorize the read outright. Otherwise owner
and dynamic-group roles become filter clauses, ORed into `$ctx.stash.authFilter`, that the data
slot ANDs with the caller's filter: owner `eq` (or `contains` for a list field) the joined claim
and each claim part that is present; groups `in` the caller's groups (or one `contains` per group
for a list field). Deny only when nothing authorized and no clause could be built.
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
def read_auth_request(model: ModelAccess, op: Operation) -> str:
    w = VtlWriter()
    open_auth(w)
    admin_role_bypass(w, "{}")
    w.line("#set($authFilter = [])")
    provider_sections(w, read_roles(model, op), _emit_read_roles)
    with w.block("#if(!$isAuthorized && $authFilter.isEmpty())"):
        w.line("$util.unauthorized()")
    if op is not Operation.GET:
        emit_filter_field_check(w, model, "$ctx.args.filter", scope_roles=read_roles(model, op))
    with w.block("#if(!$isAuthorized)"):
        w.qr_with("$anyAuthFilter", "{'or': $authFilter}", "$ctx.stash.put('authFilter', {})")
    w.line(empty_payload())
    return w.text()


def _emit_read_roles(w: VtlWriter, provider: Provider, roles: list[Role], names: IdentityNames) -> None:
    owners, dynamic = authorize_by_identity(w, provider, roles, names)
    for role in owners:
        _owner_clauses(w, role, names)
    for role in dynamic:
        groups = names.groups_var(w, role.group_claim or "cognito:groups")
        field = q(role.groups_field or "groups")
        if role.groups_field_is_list:
            with w.block(f"#foreach($group in {groups})"):
                w.qr_with("$filterClause", f"{{{field}: {{'contains': $group}}}}", "$authFilter.add({})")
        else:
            with w.block(f"#if(!{groups}.isEmpty())"):
                w.qr_with("$filterClause", f"{{{field}: {{'in': {groups}}}}}", "$authFilter.add({})")


def _owner_clauses(w: VtlWriter, role: Role, names: IdentityNames) -> None:
    field = q(role.owner_field or "owner")
    operator = q("contains" if role.owner_field_is_list else "eq")
    valid, _, full = owner_claims(w, role, names)
    with w.block(f"#if({valid})"):
        w.qr_with("$filterClause", f"{{{field}: {{{operator}: {full}}}}}", "$authFilter.add({})")
    claims = role.identity_claims or ("username",)
    if len(claims) > 1:
        for claim in claims:
            value = claim_expression(claim)
            with w.block(f"#if(!$util.isNull({value}))"):
                w.qr_with("$filterClause", f"{{{field}: {{{operator}: {value}}}}}", "$authFilter.add({})")
