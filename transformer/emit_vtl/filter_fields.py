"""Templates refuse a `filter` or `condition` that names a field the caller may not read.

Amplify evaluates a client's filter or condition on every field, so a caller who may not read
`Post.internalNotes` learns it one character at a time with `filter: {internalNotes: {beginsWith:
"a"}}`. gqlauth refuses such a request (a deliberate difference, as `resolvers.guards.filter_fields`
does at run time), with `Not Authorized to access internalNotes on type Post`.

Which fields a filter names is read from its JSON text: a key appears there as `"name":`, and a
quote inside a string value is always escaped, so a value can never look like a key. For each
protected field the filter names:

* list-like reads (no record): admitted by a rule the identity alone decides, or, when the query is
  restricted by its own owner/dynamic-group filter, by those same rules on the field
  (`transformer.filter_scope`);
* update and delete conditions: admitted by the field's read rules on the stored record.
"""

from __future__ import annotations

import functools

from transformer.emit_vtl.auth_common import authorize_by_identity, record_roles_emitter
from transformer.emit_vtl.identity import AUTH_TYPE, PROVIDER_ORDER, IdentityNames, provider_sections
from transformer.emit_vtl.memo import per_owner, write_fragment
from transformer.emit_vtl.vtl import VtlWriter, q
from transformer.filter_scope import scope_implies_field
from transformer.grants import field_read_roles, protected_fields
from transformer.matrix import ModelAccess, Role
from transformer.rules import Provider


@per_owner
def _protected_fields(model: ModelAccess) -> tuple[str, ...]:
    return tuple(protected_fields(model))


def _message(model: ModelAccess, field: str) -> str:
    return f"Not Authorized to access {field} on type {model.name}"


def emit_filter_field_check(w: VtlWriter, model: ModelAccess, argument: str, *,
                            scope_roles: list[Role] | None = None, record: str | None = None,
                            unrestricted: str = "$isAuthorized") -> None:
    """After the operation's own check, refuse when `argument` names a field the caller may not read.

    `unrestricted` is true when the operation reaches every record, false when it is restricted by
    the auth filter built from `scope_roles`. With `record`, owner and dynamic-group rules are judged
    on that stored record instead. `$isAuthorized` is left as it was."""
    fields = _protected_fields(model)
    if not fields:
        return
    w.line("#set($namedInput = {})")
    with w.block(f"#if(!$util.isNull({argument}))"):
        w.line(f"#set($namedInput = {argument})")
    w.line("#set($namedText = $util.toJson($namedInput))")
    w.line("#set($operationAuthorized = $isAuthorized)")
    w.line(f"#set($operationUnrestricted = {unrestricted})")
    scope = None if scope_roles is None else tuple(role.name for role in scope_roles)
    for field in fields:
        write_fragment(w, model, ("filter-field", field, scope, record),
                       functools.partial(_field_check, model=model, field=field, scope_roles=scope_roles, record=record))
    w.line("#set($isAuthorized = $operationAuthorized)")


def _field_check(w: VtlWriter, *, model: ModelAccess, field: str, scope_roles: list[Role] | None,
                 record: str | None) -> None:
    """Refuse when the filter names `field` and the caller may not read it (the same text in every
    template of the model with the same scope and record)."""
    _, roles = field_read_roles(model, field)
    with w.block(f"#if($namedText.contains({q(chr(34) + field + chr(34) + ':')}))"):
        w.line("#set($isAuthorized = false)")
        if record is None:
            provider_sections(w, roles, _identity_roles)
            for provider in PROVIDER_ORDER:
                if scope_roles is not None and scope_implies_field(scope_roles, roles, provider):
                    condition = f"!$operationUnrestricted && $util.authType() == {q(AUTH_TYPE[provider])}"
                    with w.block(f"#if({condition})"):
                        w.line("#set($isAuthorized = true)")
        else:
            provider_sections(w, roles, record_roles_emitter(record))
        with w.block("#if(!$isAuthorized)"):
            w.line(f"$util.error({q(_message(model, field))}, 'Unauthorized')")




def _identity_roles(w: VtlWriter, provider: Provider, roles: list[Role], names: IdentityNames) -> None:
    authorize_by_identity(w, provider, roles, names)




__all__ = ["emit_filter_field_check"]
