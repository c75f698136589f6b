"""Per-operation role plans derived once from the access matrix and cached.

A plan lists, per provider, the roles that take part in one operation with the fields each may
write, in Amplify's evaluation order. Which roles take part and with which fields is Amplify's grant
rules, stated once in `transformer.grants` (shared with the VTL emitter); this module only groups
them per provider for the guards, with sets for fast membership tests, and caches the result.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from resolvers.guards.decision import not_authorized_message
from transformer.grants import (
    WriteGrant,
    create_grants,
    delete_roles,
    field_read_roles,
    model_has_auth,
    read_roles,
    update_grants,
)
from transformer.grants import protected_fields as model_protected_fields
from transformer.matrix import AccessMatrix, ModelAccess, OperationKind, Role, RoleKind, RootOperation
from transformer.rules import Operation, Provider


class UnknownOperation(KeyError):
    """The operation key names no generated root field or model field of this matrix."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"unknown operation {self.key!r}"


@dataclass(frozen=True, slots=True)
class RoleGrant:
    role: Role
    allowed: tuple[str, ...] = ()
    allowed_set: frozenset[str] = frozenset()
    null_allowed: frozenset[str] = frozenset()
    full: bool = True


@dataclass(frozen=True, slots=True)
class ProviderRoles:
    """One provider's roles for an operation, split the way Amplify evaluates them."""

    private: RoleGrant | None = None
    public: RoleGrant | None = None
    custom: RoleGrant | None = None
    static_groups: tuple[RoleGrant, ...] = ()
    owners: tuple[RoleGrant, ...] = ()
    dynamic_groups: tuple[RoleGrant, ...] = ()
    all: tuple[RoleGrant, ...] = ()
    full_static: tuple[tuple[str, str, str], ...] = ()
    """(group claim, group, role name) of the static-group roles with every field: the fast path."""


EMPTY_ROLES = ProviderRoles()


@dataclass(frozen=True, slots=True)
class OperationPlan:
    type_name: str
    field_name: str
    model: ModelAccess
    operation: Operation
    kind: OperationKind | None
    providers: dict[Provider, ProviderRoles]
    message: str
    has_auth: bool
    protected: bool = True
    """Field reads only: whether Amplify checks this field at all."""
    other_roles: tuple[Role, ...] = field(default=())
    """The model's roles that take no part here (for explanations)."""

    def roles(self, provider: Provider) -> ProviderRoles:
        return self.providers.get(provider, EMPTY_ROLES)


def _role_grant(grant: WriteGrant) -> RoleGrant:
    return RoleGrant(grant.role, grant.allowed, frozenset(grant.allowed), frozenset(grant.null_allowed), grant.full)


def _group(grants: list[RoleGrant]) -> dict[Provider, ProviderRoles]:
    by_provider: dict[Provider, list[RoleGrant]] = {}
    for grant in grants:
        by_provider.setdefault(grant.role.provider, []).append(grant)
    result: dict[Provider, ProviderRoles] = {}
    for provider, items in by_provider.items():

        def first(kind: RoleKind, items: list[RoleGrant] = items) -> RoleGrant | None:
            return next((g for g in items if g.role.kind is kind), None)

        static_groups = tuple(g for g in items if g.role.kind is RoleKind.STATIC_GROUP)
        result[provider] = ProviderRoles(
            private=first(RoleKind.PRIVATE),
            public=first(RoleKind.PUBLIC),
            custom=first(RoleKind.CUSTOM),
            static_groups=static_groups,
            owners=tuple(g for g in items if g.role.kind is RoleKind.OWNER),
            dynamic_groups=tuple(g for g in items if g.role.kind is RoleKind.DYNAMIC_GROUP),
            all=tuple(items),
            full_static=tuple(
                (g.role.group_claim or "cognito:groups", g.role.group or "", g.role.name) for g in static_groups if g.full
            ),
        )
    return result


def _root_grants(model: ModelAccess, kind: OperationKind) -> list[RoleGrant]:
    if kind is OperationKind.CREATE:
        return [_role_grant(g) for g in create_grants(model)]
    if kind is OperationKind.UPDATE:
        return [_role_grant(g) for g in update_grants(model)]
    if kind is OperationKind.DELETE:
        return [RoleGrant(role) for role in delete_roles(model)]
    return [RoleGrant(role) for role in read_roles(model, kind.operation)]


@dataclass
class _MatrixPlans:
    matrix: AccessMatrix
    plans: dict[tuple[str, str], OperationPlan] = field(default_factory=dict)
    roots: dict[str, OperationPlan] = field(default_factory=dict)
    protected: dict[str, frozenset[str]] = field(default_factory=dict)


_lock = threading.Lock()
_cache: dict[int, _MatrixPlans] = {}
_CACHE_LIMIT = 64


def _cached(matrix: AccessMatrix) -> _MatrixPlans:
    entry = _cache.get(id(matrix))
    if entry is not None and entry.matrix is matrix:
        return entry
    with _lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        entry = _MatrixPlans(matrix)
        _cache[id(matrix)] = entry
        return entry


def _build(model: ModelAccess, type_name: str, field_name: str, op: Operation, kind: OperationKind | None,
           grants: list[RoleGrant], protected: bool = True) -> OperationPlan:
    used = {g.role.name for g in grants}
    return OperationPlan(
        type_name=type_name,
        field_name=field_name,
        model=model,
        operation=op,
        kind=kind,
        providers=_group(grants),
        message=not_authorized_message(field_name, type_name),
        has_auth=model_has_auth(model),
        protected=protected,
        other_roles=tuple(r for n, r in model.roles.items() if n not in used),
    )


def root_plan(matrix: AccessMatrix, operation_key: str, expected: frozenset[OperationKind]) -> OperationPlan:
    """The plan for a generated root field, checking it is of the kind the caller handles."""
    roots = _cached(matrix).roots
    cached = roots.get(operation_key)
    if cached is not None:
        if cached.kind not in expected:
            raise ValueError(f"{operation_key} is a {cached.kind} operation")
        return cached
    root: RootOperation | None = matrix.operation(operation_key)
    if root is None:
        raise UnknownOperation(operation_key)
    if root.kind not in expected:
        raise ValueError(f"{operation_key} is a {root.kind.value} operation")
    model = matrix.models[root.model]
    plan = _build(model, root.type_name, root.field_name, root.kind.operation, root.kind, _root_grants(model, root.kind))
    roots[operation_key] = plan
    return plan


def field_plan(matrix: AccessMatrix, type_name: str, field_name: str) -> OperationPlan:
    plans = _cached(matrix).plans
    key = (type_name, field_name)
    cached = plans.get(key)
    if cached is not None:
        return cached
    model = matrix.models.get(type_name)
    if model is None or model.field(field_name) is None:
        raise UnknownOperation(f"{type_name}.{field_name}")
    protected, roles = field_read_roles(model, field_name)
    plan = _build(model, type_name, field_name, Operation.GET, None, [RoleGrant(r) for r in roles], protected)
    plans[key] = plan
    return plan


def protected_fields(matrix: AccessMatrix, model_name: str) -> frozenset[str]:
    """The fields Amplify guards with a field resolver (null in mutation results when subscriptions are on)."""
    known = _cached(matrix).protected
    cached = known.get(model_name)
    if cached is None:
        cached = frozenset(model_protected_fields(matrix.models[model_name]))
        known[model_name] = cached
    return cached
