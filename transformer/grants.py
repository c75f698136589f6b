"""Which roles take part in each operation, and with which fields: Amplify's grant rules, stated once.

The access matrix (`transformer.matrix`) records, per role, operation and field, what `@auth`
grants. Amplify does not decide an operation from that table directly; it derives these views, and
both the VTL emitter (`transformer.emit_vtl`) and the run-time guards (`resolvers.guards.plans`)
use the functions here so that the templates and the guards cannot disagree:

* "every field" is judged over the fields the schema declares. The fields the transform adds (`id`,
  timestamps, implicit relational keys and implicit owner fields) are not in Amplify's matrix, so a
  role with a rule on the whole model counts as having every field even though it was never granted
  them by name.
* create may write the role's create fields plus the generated `id` and timestamps (the client may
  supply them); update may also always name the primary key, which identifies the record.
* update involves every role with update **or** delete on some field: delete rights on a field let
  a role set it to null in an update (`nullAllowed`). Such a role is "full" only with both update
  and delete on every declared field.
* delete involves only roles with delete on every declared field (a partial delete is meaningless).
* a field gets a read check of its own only where fewer roles may read it than may `get` the model;
  only `get` roles are candidates (Amplify's quirk: a `list`-only role is ignored there), and a
  provider's `private` role that reads the field in every read operation stands in for that
  provider's other roles.
* a model with `@auth` on the type or on any field is protected; one with none is denied (outside
  sandbox mode) — field-level rules alone are enough to make it protected.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from transformer.matrix import AccessMatrix, ModelAccess, Role, RoleKind
from transformer.rules import READ_OPERATIONS, Operation, Provider

_PRIVATE_STANDS_IN = (Provider.USER_POOLS, Provider.OIDC)
"""The providers whose `private` role can stand in for their other roles on a field read."""


@dataclass(frozen=True, slots=True)
class WriteGrant:
    """One role's part in a create or update: the input fields it may set (`allowed`), those it may
    set to null (`null_allowed`, update only), and whether it may write every declared field (`full`),
    which authorizes any input outright."""

    role: Role
    allowed: tuple[str, ...]
    null_allowed: tuple[str, ...]
    full: bool


def model_has_auth(model: ModelAccess) -> bool:
    """Whether the model is protected: `@auth` on the type, or on any of its fields."""
    return model.has_auth or any(f.has_field_rules for f in model.fields)


def declared_fields(model: ModelAccess) -> list[str]:
    """The fields the schema declares (the ones Amplify's matrix judges "every field" over)."""
    return model.declared_field_names()


def always_writable_fields(model: ModelAccess) -> list[str]:
    """The generated `id` and timestamp fields, which a role that may create or update may always supply."""
    stamps = {name for name in model.timestamps.values() if name}
    return [f.name for f in model.fields if f.generated and (f.name == "id" or f.name in stamps)]


def has_every_field(model: ModelAccess, role: str, op: Operation, declared: list[str] | None = None) -> bool:
    """Whether `role` has `op` on every declared field (`declared` may pass them in when already known)."""
    granted = set(model.fields_for(role, op))
    return all(name in granted for name in (declared_fields(model) if declared is None else declared))


def create_grants(model: ModelAccess) -> list[WriteGrant]:
    """The roles with create on some field, in matrix order."""
    declared = declared_fields(model)
    generated = always_writable_fields(model)
    grants: list[WriteGrant] = []
    for name, role in model.roles.items():
        fields = model.fields_for(name, Operation.CREATE)
        if fields:
            allowed = tuple(dict.fromkeys([*fields, *generated]))
            grants.append(WriteGrant(role, allowed, (), has_every_field(model, name, Operation.CREATE, declared)))
    return grants


def update_grants(model: ModelAccess) -> list[WriteGrant]:
    """The roles with update on some field, then those with only delete on some field."""
    declared = declared_fields(model)
    generated = always_writable_fields(model)
    with_update = [n for n in model.roles if model.fields_for(n, Operation.UPDATE)]
    with_delete = [n for n in model.roles if model.fields_for(n, Operation.DELETE) and n not in with_update]
    grants: list[WriteGrant] = []
    for name in with_update + with_delete:
        allowed = tuple(dict.fromkeys([*model.fields_for(name, Operation.UPDATE), *model.primary_key, *generated]))
        full = has_every_field(model, name, Operation.UPDATE, declared) and has_every_field(
            model, name, Operation.DELETE, declared
        )
        grants.append(WriteGrant(model.roles[name], allowed, tuple(model.fields_for(name, Operation.DELETE)), full))
    return grants


def delete_roles(model: ModelAccess) -> list[Role]:
    """The roles with delete on every declared field."""
    declared = declared_fields(model)
    return [
        role
        for name, role in model.roles.items()
        if model.fields_for(name, Operation.DELETE) and has_every_field(model, name, Operation.DELETE, declared)
    ]


def read_roles(model: ModelAccess, op: Operation) -> list[Role]:
    """The roles with the read operation `op` (get, list, sync, listen) on some field."""
    return [role for name, role in model.roles.items() if model.fields_for(name, op)]


_READ_CHECKS: ContextVar[dict[int, tuple[ModelAccess, dict[str, tuple[bool, list[Role]]]]] | None] = ContextVar(
    "read_checks", default=None
)


@contextmanager
def reads_memoized() -> Iterator[None]:
    """Within the block each model's field read checks are worked out once (keyed by the model object,
    which the block must not change): for builders that ask them for every template of a model."""
    if _READ_CHECKS.get() is not None:
        yield
        return
    token = _READ_CHECKS.set({})
    try:
        yield
    finally:
        _READ_CHECKS.reset(token)


def field_read_roles(model: ModelAccess, field_name: str) -> tuple[bool, list[Role]]:
    """Whether Amplify puts a read check on this field, and the roles that check admits."""
    memo = _READ_CHECKS.get()
    if memo is None:
        return _field_read_roles(model, field_name)
    entry = memo.get(id(model))
    if entry is None or entry[0] is not model:
        entry = memo[id(model)] = (model, {})
    found = entry[1].get(field_name)
    if found is None:
        found = entry[1][field_name] = _field_read_roles(model, field_name)
    return found[0], list(found[1])


def _field_read_roles(model: ModelAccess, field_name: str) -> tuple[bool, list[Role]]:
    candidates = [name for name in model.roles if model.fields_for(name, Operation.GET)]

    def reads_everywhere(role: str) -> bool:
        return all(field_name in model.fields_for(role, op) for op in READ_OPERATIONS)

    for provider in _PRIVATE_STANDS_IN:
        private = f"{provider.value}:private"
        if private in candidates and reads_everywhere(private):
            candidates = [r for r in candidates if not (r.startswith(f"{provider.value}:") and r != private)]
    allowed = [r for r in candidates if any(field_name in model.fields_for(r, op) for op in READ_OPERATIONS)]
    return len(allowed) < len(candidates), [model.roles[r] for r in allowed]


def protected_fields(model: ModelAccess) -> list[str]:
    """The declared fields with a read check of their own (see `field_read_roles`), in model order."""
    return [f.name for f in model.fields if not f.generated and field_read_roles(model, f.name)[0]]


def read_back_fields(matrix: AccessMatrix, model: ModelAccess) -> dict[str, bool]:
    """Owner fields of multi-claim owner rules, which Amplify reads back as their last claim
    (`<sub>::alice` -> `alice`) under `useSubUsernameForDefaultIdentityClaim`; value: is a list."""
    if not matrix.parameters.use_sub_username_for_default_identity_claim:
        return {}
    found: dict[str, bool] = {}
    for role in model.roles.values():
        if role.kind is RoleKind.OWNER and role.owner_field and len(role.identity_claims) > 1:
            found[role.owner_field] = role.owner_field_is_list
    return found


__all__ = [
    "WriteGrant",
    "always_writable_fields",
    "create_grants",
    "declared_fields",
    "delete_roles",
    "field_read_roles",
    "has_every_field",
    "model_has_auth",
    "protected_fields",
    "read_back_fields",
    "read_roles",
    "update_grants",
]
