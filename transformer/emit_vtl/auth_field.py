"""Field resolvers: read rules on a field (null + Unauthorized error) and owner read-back.

A field gets a check when fewer roles may read it than may get its model (see `transformer.grants.field_read_roles`).
The auth function tests the admitted roles against `$ctx.source`; the value function returns the
source's value, or null when the source is a mutation result and subscriptions are on (so
subscription payloads never carry protected values). Owner fields of multi-claim owner rules read
back as the last claim (`<sub>::alice` -> `alice`).
"""

from __future__ import annotations

from transformer.emit_vtl.auth_common import authorize_any_role, open_auth
from transformer.emit_vtl.identity import admin_role_bypass
from transformer.emit_vtl.vtl import VtlWriter, empty_payload, q
from transformer.grants import field_read_roles
from transformer.matrix import ModelAccess, Role


def field_auth_request(model: ModelAccess, field: str) -> str:
    w = VtlWriter()
    open_auth(w)
    admin_role_bypass(w, "{}")
    _, roles = field_read_roles(model, field)
    authorize_any_role(w, roles, "$ctx.source")
    w.line(empty_payload())
    return w.text()


def non_model_auth_request(roles: list[Role]) -> str:
    """Static rules on a field of a non-model type (a custom query or mutation): a check to put in
    front of its own resolver. Only identity-decided roles count (owner and dynamic-group rules have no
    record to compare against), and, as for Amplify's `protectField`, no admin-role or sandbox pass."""
    w = VtlWriter()
    w.line("#set($isAuthorized = false)")
    authorize_any_role(w, [role for role in roles if role.is_static], "$ctx.source")
    w.line(empty_payload())
    return w.text()


def field_value_response(field: str, *, null_for_mutations: bool, read_back: bool | None) -> str:
    """The value a client sees; `read_back` is None for plain fields, else whether the owner field is a list."""
    w = VtlWriter()
    name = q(field)
    if null_for_mutations:
        with w.block("#if($ctx.source.get('__operation') == 'Mutation')"):
            w.line("#return")
    with w.block(f"#if($util.isNull($ctx.source.get({name})))"):
        w.line("#return")
    w.line(f"#set($fieldValue = $ctx.source.get({name}))")
    if read_back is not None:
        with w.block("#if($util.isList($fieldValue))"):
            w.line("#set($shown = [])")
            with w.block("#foreach($entry in $fieldValue)"):
                _strip(w, "$entry", "$shownEntry")
                w.qr("$shown.add($shownEntry)")
            w.line("#set($fieldValue = $shown)")
            w.else_()
            _strip(w, "$fieldValue", "$fieldValue")
    w.line("$util.toJson($fieldValue)")
    return w.text()


def _strip(w: VtlWriter, value: str, into: str) -> None:
    """`into` := the part of a string `value` after its last `::` (other values unchanged)."""
    w.line(f"#set({into} = {value})")
    with w.block(f"#if($util.isString({value}) && {value}.contains('::'))"):
        w.line(f"#set($afterSeparator = {value}.lastIndexOf('::') + 2)")
        w.line(f"#set({into} = {value}.substring($afterSeparator))")


def field_value_request() -> str:
    return empty_payload() + "\n"
