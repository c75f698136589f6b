"""The access matrix: for every model, role, operation and field, who may act and how it is checked.

This is the one intermediate representation. Emitters (output schema, VTL, CloudFormation, the
permission table) and the run-time guards read it, never the raw directives, so they cannot drift
apart. It mirrors Amplify's own access-control matrix (role x field x operation):

* model-level rules grant their operations on every field of the model;
* field-level `@auth` replaces (never adds to) the model's rules for that field;
* `roles_for(op)` are the roles with `op` on at least one field, except delete, which needs delete on
  every field the schema declares (as in Amplify);
* a rule with `operations: []` grants nothing.

It is serialised to `build/access-matrix.json` (`AccessMatrix.model_dump_json`) and loaded back with
`AccessMatrix.model_validate_json`, so the run time needs no SDL.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from transformer.conflict_resolution import SYNC_FIELDS, ConflictResolution
from transformer.defaults import default_value
from transformer.diagnostics import Diagnostic, error
from transformer.field_validation import FieldValidation
from transformer.naming import camel_case, list_query_name, lower_first, subscription_name, upper_first
from transformer.relations import ConnectionField, connection_fields
from transformer.rules import (
    MODEL_OPERATIONS,
    AuthRule,
    Operation,
    Provider,
    SourceLocation,
    Strategy,
)
from transformer.schema_model import FieldType, IndexDef, ModelDef, ParsedSchema, Relation

MATRIX_VERSION: Literal[1] = 1


class RoleKind(StrEnum):
    STATIC_GROUP = "staticGroup"
    DYNAMIC_GROUP = "dynamicGroup"
    OWNER = "owner"
    PRIVATE = "private"
    PUBLIC = "public"
    CUSTOM = "custom"


class Role(BaseModel):
    """Who a rule lets in, and how that is checked at run time.

    Names follow Amplify's (`userPools:staticGroup:Admins:cognito:groups`,
    `userPools:owner:owner:sub::username`, `iam:private`, `apiKey:public`), so identical rules at
    model and field level are the same role.
    """

    model_config = ConfigDict(frozen=True)

    name: str
    kind: RoleKind
    provider: Provider
    group: str | None = None
    group_claim: str | None = None
    groups_field: str | None = None
    groups_field_is_list: bool = False
    owner_field: str | None = None
    owner_field_is_list: bool = False
    identity_claim: str | None = None
    location: SourceLocation | None = None

    @property
    def identity_claims(self) -> tuple[str, ...]:
        return tuple(self.identity_claim.split("::")) if self.identity_claim else ()

    @property
    def is_static(self) -> bool:
        """Decided from the identity alone, without looking at a record."""
        return self.kind in {RoleKind.STATIC_GROUP, RoleKind.PRIVATE, RoleKind.PUBLIC, RoleKind.CUSTOM}


class ServedField(BaseModel):
    """A field of a model as the API serves it (declared, or added by the transform)."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType
    is_leaf: bool = True
    generated: bool = False
    relation: Relation | None = None
    has_field_rules: bool = False
    default: Any = None
    """The `@default` value (typed), applied on create; None when the field has none."""
    validations: tuple[FieldValidation, ...] = ()
    """`@validate` checks a create or update input must pass (after auth), in the order written."""

    @model_serializer(mode="wrap")
    def _without_absent_default(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """`default` and `validations` are written only for fields that have them (older matrix files stay
        byte-identical)."""
        data: dict[str, Any] = handler(self)
        if data.get("default") is None:
            data.pop("default", None)
        if not data.get("validations"):
            data.pop("validations", None)
        return data


class OperationKind(StrEnum):
    GET = "get"
    LIST = "list"
    INDEX_QUERY = "indexQuery"
    SYNC = "sync"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    ON_CREATE = "onCreate"
    ON_UPDATE = "onUpdate"
    ON_DELETE = "onDelete"
    SEARCH = "search"

    @property
    def operation(self) -> Operation:
        """The `@auth` operation that governs this kind of root field."""
        return {
            OperationKind.GET: Operation.GET,
            OperationKind.LIST: Operation.LIST,
            OperationKind.INDEX_QUERY: Operation.LIST,
            OperationKind.SYNC: Operation.SYNC,
            OperationKind.CREATE: Operation.CREATE,
            OperationKind.UPDATE: Operation.UPDATE,
            OperationKind.DELETE: Operation.DELETE,
            OperationKind.ON_CREATE: Operation.LISTEN,
            OperationKind.ON_UPDATE: Operation.LISTEN,
            OperationKind.ON_DELETE: Operation.LISTEN,
            OperationKind.SEARCH: Operation.SEARCH,
        }[self]

    @property
    def root_type(self) -> str:
        if self in {OperationKind.CREATE, OperationKind.UPDATE, OperationKind.DELETE}:
            return "Mutation"
        if self in {OperationKind.ON_CREATE, OperationKind.ON_UPDATE, OperationKind.ON_DELETE}:
            return "Subscription"
        return "Query"


class RootOperation(BaseModel):
    """A generated root field (`Mutation.createPost`) and what it does to which model."""

    model_config = ConfigDict(frozen=True)

    type_name: str
    field_name: str
    model: str
    kind: OperationKind
    index: IndexDef | None = None
    mutation: str | None = None
    """For subscriptions: the mutation field whose results they publish."""

    @property
    def key(self) -> str:
        return f"{self.type_name}.{self.field_name}"


class ModelAccess(BaseModel):
    name: str
    has_auth: bool
    fields: list[ServedField]
    primary_key: list[str]
    indexes: list[IndexDef] = Field(default_factory=list)
    roles: dict[str, Role]
    grants: dict[str, dict[Operation, list[str]]]
    """role name -> operation -> the fields that role may act on with that operation."""
    subscription_level: str = "on"
    timestamps: dict[str, str | None] = Field(default_factory=dict)

    def field(self, name: str) -> ServedField | None:
        return next((f for f in self.fields if f.name == name), None)

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def fields_for(self, role: str, op: Operation) -> list[str]:
        return self.grants.get(role, {}).get(op, [])

    def declared_field_names(self) -> list[str]:
        """The fields the schema declares: Amplify judges "every field" over these, not generated ones."""
        return [f.name for f in self.fields if not f.generated]

    def roles_for(self, op: Operation) -> list[Role]:
        """Roles with `op` on at least one field; for delete, only roles with delete on every declared field."""
        if op is Operation.DELETE:
            return [role for name, role in self.roles.items() if self.has_full_access(name, op)]
        return [role for name, role in self.roles.items() if self.fields_for(name, op)]

    def field_roles(self, field: str, op: Operation) -> list[Role]:
        return [role for name, role in self.roles.items() if field in self.fields_for(name, op)]

    def has_full_access(self, role: str, op: Operation) -> bool:
        granted = set(self.fields_for(role, op))
        return bool(granted) and all(name in granted for name in self.declared_field_names())


class TransformParameters(BaseModel):
    """Amplify's transform flags that change decisions (their Amplify defaults), plus our opt-ins."""

    model_config = ConfigDict(frozen=True)

    use_sub_username_for_default_identity_claim: bool = True
    populate_owner_field_for_static_group_auth: bool = True
    sandbox_mode_enabled: bool = False
    subscriptions_inherit_primary_auth: bool = False
    improve_pluralization: bool = False
    """Amplify CLI's `improvepluralization` flag: read from cli.json; transformer v2 names do not depend on it."""
    strict_owner: bool = False
    """Beyond Amplify, opt-in: an owner may not change the owner field of a record (no reassignment)."""
    respect_primary_key_attributes_on_connection_field: bool = True
    """Amplify's `respectPrimaryKeyAttributesOnConnectionField`: False (many Gen 1 projects from before 2023)
    names an implicit foreign key `<model><Field>Id: ID` instead of after the parent's key attribute."""


class NonModelFieldAccess(BaseModel):
    """Static rules on a field of a non-model type (custom queries and mutations)."""

    type_name: str
    field_name: str
    roles: list[Role]


class AccessMatrix(BaseModel):
    version: Literal[1] = MATRIX_VERSION
    auth_modes: list[Provider]
    """The API's auth modes; the first is the default mode."""
    parameters: TransformParameters = TransformParameters()
    models: dict[str, ModelAccess]
    operations: dict[str, RootOperation]
    """`Mutation.createPost` -> the generated root field."""
    non_model_fields: list[NonModelFieldAccess] = Field(default_factory=list)
    conflict_resolution: ConflictResolution | None = None
    """DataStore sync (the transformer's resolverConfig); written only when the project sets one."""

    @model_serializer(mode="wrap")
    def _without_absent_sync(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("conflict_resolution") is None:
            data.pop("conflict_resolution", None)
        return data

    @property
    def versioned(self) -> bool:
        """Every model is versioned and has a sync query (Amplify's `isProjectUsingDataStore`)."""
        return self.conflict_resolution is not None and self.conflict_resolution.enabled

    def model(self, name: str) -> ModelAccess:
        return self.models[name]

    def operation(self, key: str) -> RootOperation | None:
        return self.operations.get(key)

    def operations_of(self, model: str) -> list[RootOperation]:
        return [op for op in self.operations.values() if op.model == model]


def role_for_rule(rule: AuthRule, group: str | None, model: ModelDef, owner_type: FieldType | None) -> Role:
    provider = rule.provider
    if rule.allow is Strategy.GROUPS and group is not None:
        return Role(
            name=f"{provider.value}:staticGroup:{group}:{rule.group_claim}",
            kind=RoleKind.STATIC_GROUP,
            provider=provider,
            group=group,
            group_claim=rule.group_claim,
            location=rule.location,
        )
    if rule.allow is Strategy.GROUPS:
        field = model.field(rule.groups_field or "")
        return Role(
            name=f"{provider.value}:dynamicGroup:{rule.groups_field}:{rule.group_claim}",
            kind=RoleKind.DYNAMIC_GROUP,
            provider=provider,
            group_claim=rule.group_claim,
            groups_field=rule.groups_field,
            groups_field_is_list=bool(field and field.type.is_list),
            location=rule.location,
        )
    if rule.allow is Strategy.OWNER:
        return Role(
            name=f"{provider.value}:owner:{rule.owner_field}:{rule.identity_claim}",
            kind=RoleKind.OWNER,
            provider=provider,
            owner_field=rule.owner_field,
            owner_field_is_list=bool(owner_type and owner_type.is_list),
            identity_claim=rule.identity_claim,
            location=rule.location,
        )
    kind = {Strategy.PRIVATE: RoleKind.PRIVATE, Strategy.PUBLIC: RoleKind.PUBLIC, Strategy.CUSTOM: RoleKind.CUSTOM}[
        rule.allow
    ]
    return Role(name=f"{provider.value}:{kind.value}", kind=kind, provider=provider, location=rule.location)


def _roles_of(rule: AuthRule, model: ModelDef, fields: list[ServedField]) -> list[Role]:
    owner_type = next((f.type for f in fields if f.name == rule.owner_field), None)
    if rule.is_static_group:
        return [role_for_rule(rule, group, model, owner_type) for group in rule.groups or ()]
    return [role_for_rule(rule, None, model, owner_type)]


def served_fields(
    model: ModelDef, connections: Sequence[ConnectionField] = (), *, versioned: bool = False
) -> list[ServedField]:
    """Declared fields plus what the transform adds: `id`, timestamps, the sync fields of a versioned model
    (`_version`, `_deleted`, `_lastChangedAt`), implicit relational keys (`postCommentsId`), and owner fields
    rules need, in Amplify's order."""
    fields = [
        ServedField(
            name=f.name,
            type=f.type,
            is_leaf=f.is_leaf,
            relation=f.relation,
            has_field_rules=f.rules is not None,
            default=None if f.default is None else default_value(f.type, f.default),
            validations=f.validations,
        )
        for f in model.fields
    ]
    names = {f.name for f in fields}
    if model.primary_key == ("id",) and "id" not in names:
        fields.insert(0, ServedField(name="id", type=FieldType(name="ID", required=True), generated=True))
        names.add("id")
    for stamp in (model.timestamps.get("createdAt"), model.timestamps.get("updatedAt")):
        if stamp and stamp not in names:
            fields.append(ServedField(name=stamp, type=FieldType(name="AWSDateTime", required=True), generated=True))
            names.add(stamp)
    if versioned:
        for sync_name, sync_type in SYNC_FIELDS:
            if sync_name not in names:
                ftype = FieldType(name=sync_type.rstrip("!"), required=sync_type.endswith("!"))
                fields.append(ServedField(name=sync_name, type=ftype, generated=True))
                names.add(sync_name)
    for connection in connections:
        if connection.name not in names:
            fields.append(ServedField(name=connection.name, type=connection.type, generated=True))
            names.add(connection.name)
    all_rules = model.all_rules()
    for rule in all_rules:
        if rule.allow is Strategy.OWNER and rule.owner_field and rule.owner_field not in names:
            fields.append(ServedField(name=rule.owner_field, type=FieldType(name="String"), generated=True))
            names.add(rule.owner_field)
    return fields


def model_access(model: ModelDef, connections: Sequence[ConnectionField] = (), *, versioned: bool = False) -> ModelAccess:
    fields = served_fields(model, connections, versioned=versioned)
    field_names = [f.name for f in fields]
    roles: dict[str, Role] = {}
    grants: dict[str, dict[Operation, list[str]]] = {}

    def grant(rule: AuthRule, on_fields: list[str]) -> None:
        for role in _roles_of(rule, model, fields):
            roles.setdefault(role.name, role)
            per_op = grants.setdefault(role.name, {})
            for op in rule.operations:
                current = per_op.setdefault(op, [])
                current.extend(f for f in on_fields if f not in current)

    for rule in model.rules or ():
        grant(rule, field_names)
    for field in model.fields:
        if field.rules is None:
            continue
        for per_op in grants.values():
            for op_fields in per_op.values():
                if field.name in op_fields:
                    op_fields.remove(field.name)
        for rule in field.rules:
            grant(rule, [field.name])
    for per_op in grants.values():
        for op in list(per_op):
            per_op[op] = [f for f in field_names if f in per_op[op]]
            if not per_op[op]:
                del per_op[op]
    return ModelAccess(
        name=model.name,
        has_auth=model.rules is not None,
        fields=fields,
        primary_key=list(model.primary_key),
        indexes=list(model.indexes),
        roles=roles,
        grants={name: {op: grants[name][op] for op in MODEL_OPERATIONS if op in grants[name]} for name in roles},
        subscription_level=model.subscription_level,
        timestamps=dict(model.timestamps),
    )


def root_operations(model: ModelDef, *, versioned: bool = False) -> list[RootOperation]:
    """The root fields `@model` generates, named as Amplify names them (honouring `@model` overrides); a
    versioned model also gets its sync query."""
    name = model.name
    ops: list[RootOperation] = []

    def add(type_name: str, field_name: str | None, kind: OperationKind, **extra: object) -> None:
        if field_name:
            ops.append(RootOperation(type_name=type_name, field_name=field_name, model=name, kind=kind, **extra))  # type: ignore[arg-type]

    defaults = {
        OperationKind.GET: camel_case(["get", name]),
        OperationKind.LIST: list_query_name(name),
        OperationKind.SYNC: "sync" + list_query_name(name)[len("list"):],
        OperationKind.CREATE: camel_case(["create", name]),
        OperationKind.UPDATE: camel_case(["update", name]),
        OperationKind.DELETE: camel_case(["delete", name]),
    }

    def chosen(overrides: dict[str, str | None] | None, kind: OperationKind) -> str | None:
        """Amplify deep-merges `@model(queries:/mutations:)` over its defaults: a key left out keeps its name."""
        if overrides is None or kind.value not in overrides:
            return defaults[kind]
        return overrides[kind.value]

    add("Query", chosen(model.query_names, OperationKind.GET), OperationKind.GET)
    add("Query", chosen(model.query_names, OperationKind.LIST), OperationKind.LIST)
    if versioned:
        add("Query", chosen(model.query_names, OperationKind.SYNC), OperationKind.SYNC)
    if model.search_query:
        add("Query", model.search_query, OperationKind.SEARCH)
    for index in model.indexes:
        if index.query_field:
            add("Query", index.query_field, OperationKind.INDEX_QUERY, index=index)
    mutation_fields: dict[OperationKind, str] = {}
    for kind in (OperationKind.CREATE, OperationKind.UPDATE, OperationKind.DELETE):
        field_name = chosen(model.mutation_names, kind)
        if field_name:
            mutation_fields[kind] = field_name
            add("Mutation", field_name, kind)
    if model.subscription_level != "off":
        for kind, mutation_kind in (
            (OperationKind.ON_CREATE, OperationKind.CREATE),
            (OperationKind.ON_UPDATE, OperationKind.UPDATE),
            (OperationKind.ON_DELETE, OperationKind.DELETE),
        ):
            if mutation_kind in mutation_fields:
                for field_name in _subscription_fields(model, kind.value):
                    add("Subscription", field_name, kind, mutation=mutation_fields[mutation_kind])
    return ops


def _subscription_fields(model: ModelDef, kind: str) -> list[str]:
    """`@model(subscriptions: {onCreate: [...]})` merged over the default name element by element, as
    Amplify's deep merge of lists does: `[]` keeps the default, `["a", "b"]` replaces it with both."""
    given = list(model.subscription_names.get(kind, ()))
    return given or [subscription_name(kind, model.name)]


def default_auth_modes(schema: ParsedSchema) -> list[Provider]:
    """User pools as the default mode plus every provider the rules use (when the project says nothing)."""
    used: list[Provider] = [Provider.USER_POOLS]
    for rule in schema.all_rules():
        if rule.provider not in used:
            used.append(rule.provider)
    if Provider.FUNCTION in used:
        used.remove(Provider.FUNCTION)
        used.append(Provider.FUNCTION)
    return used


def check_auth_modes(schema: ParsedSchema, auth_modes: list[Provider]) -> list[Diagnostic]:
    """A rule whose provider the API does not have is an error, as in Amplify."""
    problems: list[Diagnostic] = []
    messages = {
        Provider.API_KEY: "@auth directive with 'apiKey' provider found, but the project has no API Key "
        "authentication provider configured.",
        Provider.IAM: "@auth directive with 'iam' provider found, but the project has no IAM authentication "
        "provider configured.",
        Provider.OIDC: "@auth directive with 'oidc' provider found, but the project has no OPENID_CONNECT "
        "authentication provider configured.",
        Provider.USER_POOLS: "@auth directive with 'userPools' provider found, but the project has no Cognito "
        "User Pools authentication provider configured.",
        Provider.FUNCTION: "@auth directive with 'function' provider found, but the project has no Lambda "
        "authentication provider configured.",
    }
    for rule in schema.all_rules():
        if rule.provider not in auth_modes:
            where = (
                {"file": rule.location.file, "line": rule.location.line, "column": rule.location.column}
                if rule.location
                else {}
            )
            problems.append(error("auth.mode-missing", messages[rule.provider], **where))
    return problems


def build_matrix(
    schema: ParsedSchema,
    auth_modes: list[Provider] | None = None,
    parameters: TransformParameters | None = None,
    conflict_resolution: ConflictResolution | None = None,
) -> tuple[AccessMatrix | None, list[Diagnostic]]:
    modes = auth_modes or default_auth_modes(schema)
    versioned = conflict_resolution is not None and conflict_resolution.enabled
    problems = check_auth_modes(schema, modes)
    if problems:
        return None, problems
    connections = connection_fields(schema)
    models = {name: model_access(model, connections.get(name, []), versioned=versioned)
              for name, model in schema.models.items()}
    operations: dict[str, RootOperation] = {}
    for model in schema.models.values():
        for op in root_operations(model, versioned=versioned):
            operations[op.key] = op
    non_model = []
    for extra in schema.non_model_field_rules:
        fake = ModelDef(name=extra.type_name, fields=(), rules=None)
        roles = [r for rule in extra.rules for r in _roles_of(rule, fake, [])]
        non_model.append(NonModelFieldAccess(type_name=extra.type_name, field_name=extra.field_name, roles=roles))
    matrix = AccessMatrix(
        auth_modes=modes,
        parameters=parameters or TransformParameters(),
        models=models,
        operations=operations,
        non_model_fields=non_model,
        conflict_resolution=conflict_resolution,
    )
    return matrix, []


__all__ = [
    "AccessMatrix",
    "ModelAccess",
    "NonModelFieldAccess",
    "OperationKind",
    "Role",
    "RoleKind",
    "RootOperation",
    "ServedField",
    "TransformParameters",
    "build_matrix",
    "default_auth_modes",
    "lower_first",
    "upper_first",
]
