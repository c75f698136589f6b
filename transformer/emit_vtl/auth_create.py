"""The auth slot of `create` mutations: decided on the input, with owner auto-fill and allowed fields.

Amplify's order per provider: API key / Lambda (their one role), IAM (public, private), then for
JWT providers `private`, static groups, owners, dynamic groups. A role with create on every declared
field authorizes the whole input; a role with create on some fields adds them to `$allowedFields`,
and then every input key outside them fails with `Unauthorized on [...]`. An owner rule fills an
absent owner key (never an explicit null) with the caller's identity, and with
populateOwnerFieldForStaticGroupAuth also for a caller already authorized.
"""

from __future__ import annotations

from transformer.emit_vtl.auth_common import emit_denied_check, open_auth
from transformer.emit_vtl.identity import (
    IdentityNames,
    admin_role_bypass,
    owner_claims,
    provider_sections,
    split_roles,
    static_condition,
)
from transformer.emit_vtl.record_match import emit_record_match, emit_value_match
from transformer.emit_vtl.vtl import VtlWriter, empty_payload, q, q_list
from transformer.grants import WriteGrant, create_grants
from transformer.matrix import ModelAccess, Role, RoleKind, TransformParameters
from transformer.rules import Provider


def add_grant(w: VtlWriter, grant: WriteGrant, *, replace: bool = False) -> None:
    """Authorize with a full grant; otherwise add (or, for API key, IAM and Lambda, set) its fields."""
    if grant.full:
        w.line("#set($isAuthorized = true)")
    elif replace:
        w.line(f"#set($allowedFields = {q_list(grant.allowed)})")
    else:
        w.line(f"#set($grantedFields = {q_list(grant.allowed)})")
        w.qr("$allowedFields.addAll($grantedFields)")


def create_auth_request(model: ModelAccess, parameters: TransformParameters) -> str:
    w = VtlWriter()
    open_auth(w)
    admin_role_bypass(w, "{}")
    w.line("#set($allowedFields = [])")
    w.line("#set($inputFields = [])")
    w.qr("$inputFields.addAll($ctx.args.input.keySet())")
    grants = {grant.role.name: grant for grant in create_grants(model)}

    def emit(w: VtlWriter, provider: Provider, roles: list[Role], names: IdentityNames) -> None:
        if provider in (Provider.API_KEY, Provider.FUNCTION):
            role = next((r for r in roles if r.kind in (RoleKind.PUBLIC, RoleKind.CUSTOM)), None)
            if role is None:
                return
            add_grant(w, grants[role.name], replace=True)
            return
        if provider is Provider.IAM:
            for role in roles:
                grant = grants[role.name]
                with w.block(f"#if({static_condition(role, w, names, via_identity_pool=grant.full)})"):
                    add_grant(w, grant, replace=True)
            return
        private, static, owners, dynamic = split_roles(roles)
        for role in private:
            add_grant(w, grants[role.name])
        for role in static:
            with w.block(f"#if(!$isAuthorized && {static_condition(role, w, names)})"):
                add_grant(w, grants[role.name])
        for role in owners:
            _owner_with_autofill(w, grants[role.name], names, parameters)
        for role in dynamic:
            flag = f"$roleMatched{names.next_index()}"
            with w.block("#if(!$isAuthorized)"):
                emit_record_match(w, role, names, "$ctx.args.input", flag)
                with w.block(f"#if({flag})"):
                    add_grant(w, grants[role.name])

    provider_sections(w, [g.role for g in grants.values()], emit)
    with w.block("#if(!$isAuthorized && $allowedFields.isEmpty())"):
        w.line("$util.unauthorized()")
    with w.block("#if(!$isAuthorized)"):
        emit_denied_check(w, "$inputFields", ["!$allowedFields.contains($inputField)"])
    w.line(empty_payload())
    return w.text()


def _owner_with_autofill(w: VtlWriter, grant: WriteGrant, names: IdentityNames, parameters: TransformParameters) -> None:
    role = grant.role
    field = q(role.owner_field or "owner")
    valid, candidates, full = owner_claims(w, role, names)
    fill = f"[{full}]" if role.owner_field_is_list else full
    absent = f"!$ctx.args.input.containsKey({field})"
    flag = f"$roleMatched{names.next_index()}"
    with w.block(f"#if({valid})"):
        if parameters.populate_owner_field_for_static_group_auth:
            with w.block(f"#if($isAuthorized && {absent})"):
                _put_owner(w, field, fill)
        with w.block("#if(!$isAuthorized)"):
            w.line(f"#set({flag} = false)")
            emit_value_match(w, f"$ctx.args.input.get({field})", candidates, role.owner_field_is_list, flag)
            with w.block(f"#if({flag})"):
                add_grant(w, grant)
            with w.block(f"#if({absent})"):
                _put_owner(w, field, fill)
                add_grant(w, grant)


__all__ = ["add_grant", "create_auth_request"]


def _put_owner(w: VtlWriter, field: str, fill: str) -> None:
    if fill.startswith("["):
        w.qr_with("$ownerFill", fill, f"$ctx.args.input.put({field}, {{}})")
    else:
        w.qr(f"$ctx.args.input.put({field}, {fill})")
