"""The auth slot of `update` and `delete`: a GetItem of the stored item, then the decision on it.

Ownership and dynamic groups are checked against the **stored** record, never the new input.
Update: roles with update or delete on some field; a role with both on every declared field
authorizes the whole input, otherwise its update fields (plus key and generated fields) may be set
and its delete fields may be set to null. Input fields set to null without that right are refused
first, then fields outside the allowed ones: `Unauthorized on [...]`. With the opt-in `strict_owner`,
a caller admitted only by owner rules may not change an owner field. Delete: only roles with delete
on every declared field.
"""

from __future__ import annotations

from transformer.emit_vtl.auth_common import authorize_any_role, emit_denied_check, open_auth
from transformer.emit_vtl.data_dynamodb import key_attributes
from transformer.emit_vtl.filter_fields import emit_filter_field_check
from transformer.emit_vtl.identity import (
    IdentityNames,
    admin_role_bypass,
    provider_sections,
    split_roles,
    static_condition,
)
from transformer.emit_vtl.record_match import emit_record_match
from transformer.emit_vtl.vtl import MAPPING_VERSION, VtlWriter, q, q_list
from transformer.grants import WriteGrant, delete_roles, update_grants
from transformer.matrix import ModelAccess, Role, RoleKind, TransformParameters
from transformer.rules import Provider

STORED = "$storedFields"


def stored_item_request(model: ModelAccess) -> str:
    """GetItem of the record the mutation names (`$ctx.args.input.<key>`)."""
    w = VtlWriter()
    w.qr('$ctx.stash.put("hasAuth", true)')
    admin_role_bypass(w, "{}")
    key = ", ".join(f"{q(name)}: $util.dynamodb.toDynamoDB({value})" for name, value in key_attributes(model, "$ctx.args.input"))
    w.line(f"#set($getItem = {{'version': {q(MAPPING_VERSION)}, 'operation': 'GetItem', 'key': {{{key}}}, 'consistentRead': true}})")
    w.line("$util.toJson($getItem)")
    return w.text()


def _open_response(w: VtlWriter) -> None:
    with w.block("#if($ctx.error)"):
        w.line("$util.error($ctx.error.message, $ctx.error.type)")
    open_auth(w)
    w.line(f"#set({STORED} = {{}})")
    with w.block("#if(!$util.isNull($ctx.result))"):
        w.line(f"#set({STORED} = $ctx.result)")


def _record_flag(w: VtlWriter, role: Role, names: IdentityNames) -> str:
    flag = f"$roleMatched{names.next_index()}"
    emit_record_match(w, role, names, STORED, flag)
    return flag


class _UpdateEmitter:
    def __init__(self, grants: dict[str, WriteGrant], strict: bool) -> None:
        self.grants = grants
        self.strict = strict

    def hit(self, w: VtlWriter, role: Role) -> None:
        if not self.strict:
            return
        if role.kind is RoleKind.OWNER:
            w.qr(f"$ownerHitFields.add({q(role.owner_field or 'owner')})")
        else:
            w.line("#set($nonOwnerHit = true)")

    def add(self, w: VtlWriter, role: Role, *, replace: bool = False) -> None:
        grant = self.grants[role.name]
        self.hit(w, role)
        if grant.full:
            w.line("#set($isAuthorized = true)")
        elif replace:
            w.line(f"#set($allowedFields = {q_list(grant.allowed)})")
            w.line(f"#set($nullAllowedFields = {q_list(grant.null_allowed)})")
        else:
            w.line(f"#set($grantedFields = {q_list(grant.allowed)})")
            w.qr("$allowedFields.addAll($grantedFields)")
            if grant.null_allowed:
                w.line(f"#set($grantedNullFields = {q_list(grant.null_allowed)})")
                w.qr("$nullAllowedFields.addAll($grantedNullFields)")

    def emit(self, w: VtlWriter, provider: Provider, roles: list[Role], names: IdentityNames) -> None:
        if provider in (Provider.API_KEY, Provider.FUNCTION):
            role = next((r for r in roles if r.kind in (RoleKind.PUBLIC, RoleKind.CUSTOM)), None)
            if role is not None:
                self.add(w, role, replace=True)
            return
        if provider is Provider.IAM:
            for role in roles:
                with w.block(f"#if({static_condition(role, w, names)})"):
                    self.add(w, role, replace=True)
            return
        private, static, owners, dynamic = split_roles(roles)
        for role in private:
            self.add(w, role)
        for role in static:
            with w.block(f"#if(!$isAuthorized && {static_condition(role, w, names)})"):
                self.add(w, role)
        for role in owners + dynamic:
            with w.block("#if(!$isAuthorized)"):
                flag = _record_flag(w, role, names)
                with w.block(f"#if({flag})"):
                    self.add(w, role)


def update_auth_response(model: ModelAccess, parameters: TransformParameters) -> str:
    w = VtlWriter()
    _open_response(w)
    w.line("#set($allowedFields = [])")
    w.line("#set($nullAllowedFields = [])")
    strict = parameters.strict_owner
    if strict:
        w.line("#set($nonOwnerHit = false)")
        w.line("#set($ownerHitFields = [])")
    grants = {grant.role.name: grant for grant in update_grants(model)}
    emitter = _UpdateEmitter(grants, strict)
    provider_sections(w, [g.role for g in grants.values()], emitter.emit)
    with w.block("#if(!$isAuthorized && $allowedFields.isEmpty() && $nullAllowedFields.isEmpty())"):
        w.line("$util.unauthorized()")
    w.line("#set($inputFields = [])")
    w.qr("$inputFields.addAll($ctx.args.input.keySet())")
    with w.block("#if(!$isAuthorized)"):
        emit_denied_check(
            w,
            "$inputFields",
            [
                "$util.isNull($ctx.args.input.get($inputField)) && !$nullAllowedFields.contains($inputField)",
                "!$allowedFields.contains($inputField)",
            ],
        )
    if strict:
        changed = f"$ctx.args.input.containsKey($ownerField) && $ctx.args.input.get($ownerField) != {STORED}.get($ownerField)"
        with w.block("#if(!$nonOwnerHit)", "#foreach($ownerField in $ownerHitFields)", f"#if({changed})"):
            w.line("#set($deniedMessage = 'Unauthorized on [')")
            w.line("$util.error($deniedMessage.concat($ownerField).concat(']'), 'Unauthorized')")
    emit_filter_field_check(w, model, "$ctx.args.condition", record=STORED)
    w.line("{}")
    return w.text()


def delete_auth_response(model: ModelAccess) -> str:
    w = VtlWriter()
    _open_response(w)

    authorize_any_role(w, delete_roles(model), STORED)
    emit_filter_field_check(w, model, "$ctx.args.condition", record=STORED)
    w.line("{}")
    return w.text()
