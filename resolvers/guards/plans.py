"""Per-operation role plans derived once from the access matrix and cached.

A plan lists, per provider, the roles that take part in one operation with the fields each may
write, in Amplify's evaluation order. The matrix does not store these derived views, so they are
built here (and only here) from `ModelAccess.grants`:

* "all fields" is judged over the fields the schema declares, as Amplify's matrix does (fields the
  transform adds, `id`, timestamps and implicit owner fields, are not in Amplify's matrix);
* create's allowed fields include the generated `id` and timestamps; update's also the primary key;
* update involves every role with update or delete on some field (`nullAllowed` = delete fields);
* delete involves only roles with delete on every field;
* a field read is checked only for fields Amplify gives a field resolver: fewer `get` roles may read
  the field than may get the model (a provider's `private` role that reads the field everywhere
  stands in for that provider's other roles).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from resolvers.guards.decision import not_authorized_message
from transformer.matrix import AccessMatrix, ModelAccess, OperationKind, Role, RoleKind, RootOperation
from transformer.rules import READ_OPERATIONS, Operation, Provider


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


def declared_fields(model: ModelAccess) -> list[str]:
    return [f.name for f in model.fields if not f.generated]


def _auto_generated(model: ModelAccess) -> list[str]:
    stamps = {name for name in model.timestamps.values() if name}
    return [f.name for f in model.fields if f.generated and (f.name == "id" or f.name in stamps)]


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


def _has_all(model: ModelAccess, role: str, op: Operation, declared: list[str]) -> bool:
    granted = set(model.fields_for(role, op))
    return all(name in granted for name in declared)


def _write_grants(model: ModelAccess, kind: OperationKind) -> list[RoleGrant]:
    declared = declared_fields(model)
    generated = _auto_generated(model)
    grants: list[RoleGrant] = []
    if kind is OperationKind.CREATE:
        for name, role in model.roles.items():
            fields = model.fields_for(name, Operation.CREATE)
            if not fields:
                continue
            allowed = tuple(dict.fromkeys([*fields, *generated]))
            grants.append(
                RoleGrant(role, allowed, frozenset(allowed), frozenset(), _has_all(model, name, Operation.CREATE, declared))
            )
    elif kind is OperationKind.UPDATE:
        with_update = [n for n in model.roles if model.fields_for(n, Operation.UPDATE)]
        with_delete = [n for n in model.roles if model.fields_for(n, Operation.DELETE) and n not in with_update]
        for name in with_update + with_delete:
            fields = model.fields_for(name, Operation.UPDATE)
            allowed = tuple(dict.fromkeys([*fields, *model.primary_key, *generated]))
            null_allowed = frozenset(model.fields_for(name, Operation.DELETE))
            full = _has_all(model, name, Operation.UPDATE, declared) and _has_all(
                model, name, Operation.DELETE, declared
            )
            grants.append(RoleGrant(model.roles[name], allowed, frozenset(allowed), null_allowed, full))
    else:
        for name, role in model.roles.items():
            if _has_all(model, name, Operation.DELETE, declared) and model.fields_for(name, Operation.DELETE):
                grants.append(RoleGrant(role))
    return grants


def _read_grants(model: ModelAccess, op: Operation) -> list[RoleGrant]:
    return [RoleGrant(role) for name, role in model.roles.items() if model.fields_for(name, op)]


def field_read_roles(model: ModelAccess, field_name: str) -> tuple[bool, list[Role]]:
    """Whether Amplify puts an auth resolver on this field, and the roles it checks there."""
    get_roles = [name for name in model.roles if model.fields_for(name, Operation.GET)]

    def reads_everywhere(role: str) -> bool:
        return all(field_name in model.fields_for(role, op) for op in READ_OPERATIONS)

    candidates = list(get_roles)
    for provider in (Provider.USER_POOLS, Provider.OIDC):
        private = f"{provider.value}:private"
        if private in candidates and reads_everywhere(private):
            candidates = [r for r in candidates if not (r.startswith(f"{provider.value}:") and r != private)]
    allowed = [r for r in candidates if any(field_name in model.fields_for(r, op) for op in READ_OPERATIONS)]
    return len(allowed) < len(candidates), [model.roles[r] for r in allowed]


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
        has_auth=model.has_auth or any(f.has_field_rules for f in model.fields),
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
    op = root.kind.operation
    if root.kind in (OperationKind.CREATE, OperationKind.UPDATE, OperationKind.DELETE):
        grants = _write_grants(model, root.kind)
    else:
        grants = _read_grants(model, op)
    plan = _build(model, root.type_name, root.field_name, op, root.kind, grants)
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
        model = matrix.models[model_name]
        cached = frozenset(f.name for f in model.fields if not f.generated and field_read_roles(model, f.name)[0])
        known[model_name] = cached
    return cached
