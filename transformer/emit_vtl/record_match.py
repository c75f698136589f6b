"""VTL that tests one owner or dynamic-group role against a record (input, stored item or source)."""

from __future__ import annotations

from transformer.emit_vtl.identity import IdentityNames, owner_claims
from transformer.emit_vtl.vtl import VtlWriter, q
from transformer.matrix import Role, RoleKind


def emit_record_match(w: VtlWriter, role: Role, names: IdentityNames, record: str, flag: str) -> None:
    """Set `flag` to true when `record` (a VTL map expression, maybe null) satisfies `role`.

    Owner: the record's owner value (or any element of a list owner field) is one of the caller's
    claim candidates. Dynamic group: one of the caller's groups equals the record's group (string
    field) or is contained in the record's group list.
    """
    w.line(f"#set({flag} = false)")
    if role.kind is RoleKind.OWNER:
        valid, candidates, _ = owner_claims(w, role, names)
        field = q(role.owner_field or "owner")
        with w.block(f"#if({valid} && !$util.isNull({record}))"):
            emit_value_match(w, f"{record}.get({field})", candidates, role.owner_field_is_list, flag)
        return
    if role.kind is RoleKind.DYNAMIC_GROUP:
        groups = names.groups_var(w, role.group_claim or "cognito:groups")
        field = q(role.groups_field or "groups")
        with w.block(f"#if(!$util.isNull({record}))"):
            emit_value_match(w, f"{record}.get({field})", groups, role.groups_field_is_list, flag)
        return
    raise ValueError(f"role {role.name} is not decided from a record")


def emit_value_match(w: VtlWriter, value: str, accepted: str, value_is_list: bool, flag: str) -> None:
    """`flag` := the record value (a scalar, or any element of a list) is in the `accepted` list."""
    if value_is_list:
        with w.block(
            f"#if($util.isList({value}))",
            f"#foreach($recordEntry in {value})",
            f"#if(!$util.isNull($recordEntry) && {accepted}.contains($recordEntry))",
        ):
            w.line(f"#set({flag} = true)")
        return
    with w.block(f"#if(!$util.isNull({value}) && !$util.isList({value}) && {accepted}.contains({value}))"):
        w.line(f"#set({flag} = true)")
