"""Which roles take part in each operation and with which fields, derived from the access matrix.

The run-time guards derive the same views (`resolvers.guards.plans`); `transformer` may not import
`resolvers`, so the derivation is stated here once for the templates, and the property test
(`tests/test_emit_vtl_property.py`) keeps both in agreement:

* "every field" is judged over the fields the schema declares (not `id`, timestamps or implicit
  owner fields the transform adds), as Amplify's matrix does;
* create may write the role's create fields plus the generated `id` and timestamps; update also
  the primary key; delete fields are the fields update may set to null;
* update involves every role with update or delete on some field; delete only roles with delete
  on every field;
* a field has a read check only when fewer roles may read it than may get the model (a provider's
  `private` role that reads the field everywhere stands in for that provider's other roles).
"""

from __future__ import annotations

from dataclasses import dataclass

from transformer.matrix import AccessMatrix, ModelAccess, Role, RoleKind
from transformer.rules import READ_OPERATIONS, Operation, Provider


@dataclass(frozen=True)
class WriteGrant:
    role: Role
    allowed: tuple[str, ...]
    null_allowed: tuple[str, ...]
    full: bool


def model_has_auth(model: ModelAccess) -> bool:
    """A model with `@auth` on the type or on any field is checked; one without is denied (sandbox aside)."""
    return model.has_auth or any(f.has_field_rules for f in model.fields)


def declared_fields(model: ModelAccess) -> list[str]:
    return [f.name for f in model.fields if not f.generated]


def _generated(model: ModelAccess) -> list[str]:
    stamps = {name for name in model.timestamps.values() if name}
    return [f.name for f in model.fields if f.generated and (f.name == "id" or f.name in stamps)]


def _has_all(model: ModelAccess, role: str, op: Operation) -> bool:
    granted = set(model.fields_for(role, op))
    return all(name in granted for name in declared_fields(model))


def create_grants(model: ModelAccess) -> list[WriteGrant]:
    grants = []
    for name, role in model.roles.items():
        fields = model.fields_for(name, Operation.CREATE)
        if fields:
            allowed = tuple(dict.fromkeys([*fields, *_generated(model)]))
            grants.append(WriteGrant(role, allowed, (), _has_all(model, name, Operation.CREATE)))
    return grants


def update_grants(model: ModelAccess) -> list[WriteGrant]:
    with_update = [n for n in model.roles if model.fields_for(n, Operation.UPDATE)]
    with_delete = [n for n in model.roles if model.fields_for(n, Operation.DELETE) and n not in with_update]
    grants = []
    for name in with_update + with_delete:
        allowed = tuple(dict.fromkeys([*model.fields_for(name, Operation.UPDATE), *model.primary_key, *_generated(model)]))
        full = _has_all(model, name, Operation.UPDATE) and _has_all(model, name, Operation.DELETE)
        grants.append(WriteGrant(model.roles[name], allowed, tuple(model.fields_for(name, Operation.DELETE)), full))
    return grants


def delete_roles(model: ModelAccess) -> list[Role]:
    return [
        role
        for name, role in model.roles.items()
        if model.fields_for(name, Operation.DELETE) and _has_all(model, name, Operation.DELETE)
    ]


def read_roles(model: ModelAccess, op: Operation) -> list[Role]:
    return [role for name, role in model.roles.items() if model.fields_for(name, op)]


def field_read_roles(model: ModelAccess, field_name: str) -> tuple[bool, list[Role]]:
    """Whether the field gets a read check, and the roles that check admits."""
    candidates = [name for name in model.roles if model.fields_for(name, Operation.GET)]

    def reads_everywhere(role: str) -> bool:
        return all(field_name in model.fields_for(role, op) for op in READ_OPERATIONS)

    for provider in (Provider.USER_POOLS, Provider.OIDC):
        private = f"{provider.value}:private"
        if private in candidates and reads_everywhere(private):
            candidates = [r for r in candidates if not (r.startswith(f"{provider.value}:") and r != private)]
    allowed = [r for r in candidates if any(field_name in model.fields_for(r, op) for op in READ_OPERATIONS)]
    return len(allowed) < len(candidates), [model.roles[r] for r in allowed]


def protected_fields(model: ModelAccess) -> list[str]:
    return [f.name for f in model.fields if not f.generated and field_read_roles(model, f.name)[0]]


def read_back_fields(matrix: AccessMatrix, model: ModelAccess) -> dict[str, bool]:
    """Owner fields of multi-claim owner rules, read back as their last claim; value: is a list."""
    if not matrix.parameters.use_sub_username_for_default_identity_claim:
        return {}
    found: dict[str, bool] = {}
    for role in model.roles.values():
        if role.kind is RoleKind.OWNER and role.owner_field and len(role.identity_claims) > 1:
            found[role.owner_field] = role.owner_field_is_list
    return found
