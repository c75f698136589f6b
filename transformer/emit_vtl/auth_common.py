"""Pieces every auth-slot template shares: the opening lines and the `Unauthorized on [...]` check."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from transformer.emit_vtl.identity import IdentityNames, provider_sections, split_roles, static_condition
from transformer.emit_vtl.record_match import emit_record_match
from transformer.emit_vtl.vtl import VtlWriter
from transformer.matrix import Role, RoleKind
from transformer.rules import Provider


def open_auth(w: VtlWriter) -> None:
    w.qr('$ctx.stash.put("hasAuth", true)')
    w.line("#set($isAuthorized = false)")


def emit_denied_check(w: VtlWriter, fields: str, passes: Sequence[str]) -> None:
    """Collect, pass by pass, the fields (of the list `fields`) meeting each condition on `$inputField`
    into `$deniedFields` (each once, in that order); fail with `Unauthorized on [...]`."""
    w.line("#set($deniedFields = [])")
    for condition in passes:
        with w.block(f"#foreach($inputField in {fields})", f"#if(({condition}) && !$deniedFields.contains($inputField))"):
            w.qr("$deniedFields.add($inputField)")
    with w.block("#if(!$deniedFields.isEmpty())"):
        emit_unauthorized_on(w, "$deniedFields")


def emit_unauthorized_on(w: VtlWriter, fields: str) -> None:
    """Fail with `Unauthorized on [a, b]`, the list written out as Java prints it.

    The text is joined here rather than taken from the list's `toString()`, which only Java's
    Velocity prints that way (the simulator's engine writes `a,b`)."""
    w.line("#set($deniedText = '')")
    with w.block(f"#foreach($deniedField in {fields})"):
        with w.block("#if(!$deniedText.isEmpty())"):
            w.line("#set($deniedText = $deniedText.concat(', '))")
        w.line("#set($deniedText = $deniedText.concat($deniedField))")
    w.line("#set($deniedMessage = 'Unauthorized on [')")
    w.line("$util.error($deniedMessage.concat($deniedText).concat(']'), 'Unauthorized')")


def authorize_by_identity(
    w: VtlWriter, provider: Provider, roles: list[Role], names: IdentityNames, *, unless_authorized: bool = False
) -> tuple[list[Role], list[Role]]:
    """Set `$isAuthorized` for the roles of one provider that the identity alone decides, in Amplify's
    order: the API key or Lambda role, the IAM roles, then a JWT provider's `private` role and static
    groups (each static-group check skipped once authorized when `unless_authorized`).

    Returns the JWT provider's owner and dynamic-group roles, which depend on a record (or an event)
    and so are left to the caller.
    """
    if provider in (Provider.API_KEY, Provider.FUNCTION):
        if any(r.kind in (RoleKind.PUBLIC, RoleKind.CUSTOM) for r in roles):
            w.line("#set($isAuthorized = true)")
        return [], []
    if provider is Provider.IAM:
        for role in roles:
            with w.block(f"#if({static_condition(role, w, names)})"):
                w.line("#set($isAuthorized = true)")
        return [], []
    private, static, owners, dynamic = split_roles(roles)
    if private:
        w.line("#set($isAuthorized = true)")
    skip = "!$isAuthorized && " if unless_authorized else ""
    for role in static:
        with w.block(f"#if({skip}{static_condition(role, w, names)})"):
            w.line("#set($isAuthorized = true)")
    return owners, dynamic


def record_roles_emitter(record: str) -> Callable[[VtlWriter, Provider, list[Role], IdentityNames], None]:
    """A provider section's body that sets `$isAuthorized` when any role admits the caller: identity-decided
    roles by the identity, owner and dynamic-group roles against `record` (a VTL map expression)."""

    def emit(w: VtlWriter, provider: Provider, mine: list[Role], names: IdentityNames) -> None:
        for role in mine:
            if role.is_static:
                condition = static_condition(role, w, names)
            else:
                condition = f"$roleMatched{names.next_index()}"
                emit_record_match(w, role, names, record, condition)
            with w.block(f"#if({condition})"):
                w.line("#set($isAuthorized = true)")

    return emit


def authorize_any_role(w: VtlWriter, roles: list[Role], record: str) -> None:
    """Admit the caller when any of `roles` lets them in (identity-decided roles by the identity,
    owner and dynamic-group roles against `record`, a VTL map expression); otherwise refuse."""

    provider_sections(w, roles, record_roles_emitter(record))
    with w.block("#if(!$isAuthorized)"):
        w.line("$util.unauthorized()")
