"""Required fields under field-level rules: Amplify's check, with its verdict.

A role that may read a model but not one of its required fields would get a null there, which nulls the
whole record. Amplify rejects such a schema unless the model names a subscription level of off or public
(then gqlauth warns).
"""

from __future__ import annotations

import json

from transformer.diagnostics import Diagnostic, error, warning
from transformer.emit_permissions import role_label
from transformer.matrix import AccessMatrix, ModelAccess, Role, RoleKind
from transformer.rules import READ_OPERATIONS, Operation, Provider, SourceLocation
from transformer.schema_model import ParsedSchema


def _where(location: SourceLocation | None) -> dict[str, object]:
    if location is None:
        return {}
    return {"file": location.file, "line": location.line, "column": location.column}


def _field_read_roles(access: ModelAccess, read_roles: list[Role], field: str) -> list[Role]:
    """Amplify's `getReadRolesForField`: when the signed-in (private) role of user pools or OIDC may read the
    field with every read operation, the other roles of that provider need not read it themselves."""
    roles = list(read_roles)
    for provider in (Provider.USER_POOLS, Provider.OIDC):
        private = next((r for r in roles if r.kind is RoleKind.PRIVATE and r.provider is provider), None)
        if private is not None and all(field in access.fields_for(private.name, op) for op in READ_OPERATIONS):
            roles = [r for r in roles if r.provider is not provider or r is private]
    return roles


def required_fields_without_read(schema: ParsedSchema, matrix: AccessMatrix) -> list[Diagnostic]:
    """Amplify's rule for required fields under field-level rules, with its verdict.

    Every role that may `get` the model must be able to read each required declared field (a null would
    null the whole record). Amplify rejects the schema unless `@model(subscriptions: {level: off})` or
    `{level: public}` is given (even `subscriptions: null` is rejected); then it accepts it, and gqlauth warns.
    """
    found: list[Diagnostic] = []
    for access in matrix.models.values():
        model = schema.models.get(access.name)
        if model is None:
            continue
        read_roles = [r for r in access.roles.values() if access.fields_for(r.name, Operation.GET)]
        missing: list[tuple[str, list[Role]]] = []
        for declared in model.fields:
            if not declared.type.required:
                continue
            roles = _field_read_roles(access, read_roles, declared.name)
            short = [
                r for r in roles if not any(declared.name in access.fields_for(r.name, op) for op in READ_OPERATIONS)
            ]
            if short:
                missing.append((declared.name, short))
        if not missing:
            continue
        first = model.field(missing[0][0])
        where = _where(first.location if first is not None else model.location)
        detail = "; ".join(f"{name}: {', '.join(role_label(r) for r in roles)}" for name, roles in missing)
        names = [name for name, _ in missing]
        if model.declared_subscription_level not in {"off", "public"}:
            found.append(
                error(
                    "auth.required-field-read",
                    "When using field-level authorization rules you need to add rules to all of the model's "
                    f"required fields with at least read permissions. Found model \"{access.name}\" with required "
                    f"fields {json.dumps(names)} missing field-level authorization rules (roles that may read "
                    f"{access.name} but not the field: {detail}). Give them read on the field, or make it nullable.",
                    **where,
                )
            )
        else:
            found.append(
                warning(
                    "lint.required-field-unreadable",
                    f"{access.name}: required fields {', '.join(names)} cannot be read by every role that may read "
                    f"{access.name} ({detail}): the field resolves to null, which nulls the whole record for them. "
                    "Give them read on the field, or make it nullable.",
                    **where,
                )
            )
    return found


__all__ = ["required_fields_without_read"]
