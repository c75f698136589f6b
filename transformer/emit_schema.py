"""The output schema: what AppSync serves for an Amplify input schema, named and shaped as Amplify does.

The steps mirror the order of Amplify's transformer v2 plug-ins, because that order decides where
every type and field lands in the printed schema:

1. the user's definitions, with Amplify's transformer directives removed;
2. the shared scalar filter/condition inputs, `ModelAttributeTypes`, `ModelSizeInput`, `ModelSortDirection`;
3. per `@model` (model transformer): `id` and timestamps, connection type, filter/condition/create/
   update/delete/subscription-filter inputs, and the Query, Mutation and Subscription fields;
4. `@primaryKey` (key arguments, key condition inputs), then `@index` query fields;
5. `@hasMany`, `@hasOne`, `@belongsTo` connection fields and their implicit foreign keys;
6. `@auth`: owner fields, subscription owner arguments, and the AppSync auth-mode directives on types
   and operations for every provider that has a role (the default mode's directive only where
   another provider is also present, as Amplify does).

Everything about who may do what comes from the access matrix, never from the raw directives.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    EnumTypeDefinitionNode,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    UnionTypeDefinitionNode,
    print_ast,
)

from transformer.appsync_vocabulary import (
    APPSYNC_PRELUDE,
    AUTH_DIRECTIVES,
    CONVERSATION_ERROR_INPUT,
    FILTER_SCALARS,
    KEY_CONDITIONS,
    load_output_schema,
    scalar_input,
    shared_inputs,
)
from transformer.conflict_resolution import SYNC_FIELDS
from transformer.emit_directive_schema import add_join_model_types, apply_http_arguments
from transformer.gc_pause import paused_gc
from transformer.matrix import AccessMatrix, ModelAccess, OperationKind, Role, RoleKind, RootOperation
from transformer.naming import upper_first
from transformer.relations import ConnectionField, camel_case, connection_fields, has_many_key, sort_key_fields
from transformer.rules import Operation, Provider
from transformer.schema_model import FieldType, ModelDef, ParsedSchema, RelationKind
from transformer.sdl_document import SdlDocument, SdlField, SdlType, directive_name
from transformer.sdl_parsing import parse_sdl
from transformer.sdl_reading import TRANSFORMER_DIRECTIVES, field_from_node, kept_directives, strip_directives
from transformer.searchable import add_search_operations, share_search_directives

ROOT_TYPE_NAMES = frozenset({"Query", "Mutation", "Subscription"})


class _Emitter:
    """One emission: the document being built and what is known about the schema."""

    def __init__(self, schema: ParsedSchema, matrix: AccessMatrix, admin_roles: bool = False) -> None:
        self.schema = schema
        self.matrix = matrix
        self.admin_roles = admin_roles and Provider.IAM in matrix.auth_modes
        """IAM admin roles are configured: every protected type and operation admits IAM (Amplify's adminRoles)."""
        self.doc = SdlDocument()
        self.default_provider = matrix.auth_modes[0]
        self.versioned = matrix.versioned
        """Conflict resolution is on: sync fields, `startedAt`, `_deleted` filters and sync queries."""
        self.declared: dict[str, list[tuple[str, FieldType]]] = {}
        self.with_implicit: dict[str, list[tuple[str, FieldType]]] = {}
        self.connections = connection_fields(schema)
        self.declared_objects: list[str] = []
        """Object types the user declared (not extensions): sandbox mode gives the non-model ones `@aws_iam`."""
        self.declared_root_fields: list[tuple[str, str]] = []
        self.operations: dict[str, list[RootOperation]] = {}
        for op in matrix.operations.values():
            self.operations.setdefault(op.model, []).append(op)
        self.connections_by_source: dict[tuple[str, str, RelationKind], list[ConnectionField]] = {}
        for fields in self.connections.values():
            for found in fields:
                key = (found.source_model, found.source_field, found.kind)
                self.connections_by_source.setdefault(key, []).append(found)

    # --- classification -------------------------------------------------------------------
    def is_filterable(self, ftype: FieldType) -> bool:
        return ftype.name in FILTER_SCALARS or ftype.name in self.schema.enums

    def filter_type(self, ftype: FieldType) -> str:
        if ftype.name in self.schema.enums:
            return f"Model{ftype.name}ListInput" if ftype.is_list else f"Model{ftype.name}Input"
        return f"Model{FILTER_SCALARS[ftype.name]}Input"

    def subscription_filter_type(self, ftype: FieldType) -> str:
        scalar = "String" if ftype.name in self.schema.enums else FILTER_SCALARS[ftype.name]
        return f"ModelSubscription{scalar}Input"

    def input_type(self, ftype: FieldType, *, required: bool | None = None) -> str:
        """A field's type inside create/update inputs: non-model object types become `<Type>Input`."""
        name = f"{ftype.name}Input" if ftype.name in self.schema.non_model_types else ftype.name
        inner = f"{name}!" if ftype.is_list and ftype.item_required else name
        text = f"[{inner}]" if ftype.is_list else inner
        outer = ftype.required if required is None else required
        return f"{text}!" if outer else text

    # --- step 1: the user's definitions ---------------------------------------------------
    def add_user_definitions(self, document: DocumentNode) -> None:
        for definition in document.definitions:
            if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                self.add_object(definition)
            elif isinstance(
                definition,
                EnumTypeDefinitionNode
                | ScalarTypeDefinitionNode
                | UnionTypeDefinitionNode
                | InputObjectTypeDefinitionNode
                | InterfaceTypeDefinitionNode,
            ):
                self.doc.add(SdlType(kind="raw", name=definition.name.value, raw=print_ast(definition)))

    def add_object(self, node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode) -> None:
        name = node.name.value
        if isinstance(node, ObjectTypeDefinitionNode):
            self.declared_objects.append(name)
        if name in ROOT_TYPE_NAMES:
            self.declared_root_fields += [(name, f.name.value) for f in node.fields or ()]
        existing = self.doc.get(name)
        target = existing or SdlType(
            kind="type",
            name=name,
            interfaces=[i.name.value for i in node.interfaces or ()],
            directives=kept_directives(node),
            description=print_ast(description) if (description := getattr(node, "description", None)) else None,
        )
        for field_node in node.fields or ():
            target.add_field(field_from_node(field_node))
        if existing is None:
            self.doc.add(target)

    # --- step 3: the model transformer -----------------------------------------------------
    def model_step(self, model: ModelDef) -> None:
        name = model.name
        obj = self.doc.object(name)
        declared = [(f.name, f.type) for f in model.fields]
        after = list(declared)
        if not obj.has_field("id"):
            obj.add_field(SdlField(name="id", type="ID!"))
            after.append(("id", FieldType(name="ID", required=True)))
        for stamp in (model.timestamps.get("createdAt"), model.timestamps.get("updatedAt")):
            if stamp and not obj.has_field(stamp):
                obj.add_field(SdlField(name=stamp, type="AWSDateTime!"))
                after.append((stamp, FieldType(name="AWSDateTime", required=True)))
        if self.versioned:
            for sync_name, sync_type in SYNC_FIELDS:
                obj.add_field(SdlField(name=sync_name, type=sync_type))
        self.declared[name] = declared
        self.with_implicit[name] = after
        self.add_non_model_inputs([t for _, t in declared])
        ops = self.operations.get(name, [])
        by_kind = {op.kind: op for op in ops}
        typed = upper_first(name)

        query_fields: list[SdlField] = []
        if OperationKind.GET in by_kind:
            query_fields.append(
                SdlField(name=by_kind[OperationKind.GET].field_name, type=name, args=["id: ID!"])
            )
        if OperationKind.LIST in by_kind:
            self.ensure_connection(name, typed, model_step=True)
            self.add_filter_input(name)
            query_fields.append(
                SdlField(
                    name=by_kind[OperationKind.LIST].field_name,
                    type=f"Model{typed}Connection",
                    args=[f"filter: Model{typed}FilterInput", "limit: Int", "nextToken: String"],
                )
            )
        if OperationKind.SYNC in by_kind:
            self.ensure_connection(name, typed, model_step=True)
            if f"Model{typed}FilterInput" not in self.doc:
                self.add_filter_input(name)
            query_fields.append(
                SdlField(
                    name=by_kind[OperationKind.SYNC].field_name,
                    type=f"Model{typed}Connection",
                    args=[f"filter: Model{typed}FilterInput", "limit: Int", "nextToken: String",
                          "lastSync: AWSTimestamp"],
                )
            )
        if query_fields:
            query = self.doc.object("Query")
            for query_field in query_fields:
                query.add_field(query_field)

        mutation_fields: list[SdlField] = []
        for kind, input_name in (
            (OperationKind.CREATE, f"Create{typed}Input"),
            (OperationKind.UPDATE, f"Update{typed}Input"),
            (OperationKind.DELETE, f"Delete{typed}Input"),
        ):
            if kind not in by_kind:
                continue
            self.add_enum_filters(declared)
            self.add_condition_input(model, declared)
            self.doc.add(self.mutation_input(kind, model, declared))
            mutation_fields.append(
                SdlField(
                    name=by_kind[kind].field_name,
                    type=name,
                    args=[f"input: {input_name}!", f"condition: Model{typed}ConditionInput"],
                )
            )
        if mutation_fields:
            mutation = self.doc.object("Mutation")
            for mutation_field in mutation_fields:
                mutation.add_field(mutation_field)

        subscription_fields: list[SdlField] = []
        subscriptions = [op for kind in (OperationKind.ON_CREATE, OperationKind.ON_UPDATE, OperationKind.ON_DELETE)
                         for op in ops if op.kind is kind]
        for op in subscriptions:
            self.add_enum_filters(after)
            self.add_subscription_filter_input(name, after)
            subscription_fields.append(
                SdlField(
                    name=op.field_name,
                    type=name,
                    args=[f"filter: ModelSubscription{typed}FilterInput"],
                    directives=[f'@aws_subscribe(mutations: ["{op.mutation}"])'],
                )
            )
        if subscription_fields:
            subscription = self.doc.object("Subscription")
            for subscription_field in subscription_fields:
                subscription.add_field(subscription_field)

        if self.sandbox_open(model):
            self.add_global_api_key(model, ops)

    def sandbox_open(self, model: ModelDef) -> bool:
        """A model without `@auth` in sandbox mode, whose operations Amplify opens to the API key."""
        sandbox = self.matrix.parameters.sandbox_mode_enabled and self.default_provider is not Provider.API_KEY
        return sandbox and not _has_auth_config(model)

    def add_global_api_key(self, model: ModelDef, ops: list[RootOperation]) -> None:
        directives = [AUTH_DIRECTIVES[Provider.API_KEY]]
        self.doc.extend_directives(model.name, directives)
        self.propagate_nested(model.name, [Provider.API_KEY], {})
        for op in ops:
            self.directives_on_operation(op.type_name, op.field_name, directives)

    def add_non_model_inputs(self, types: list[FieldType]) -> None:
        for ftype in types:
            if ftype.name not in self.schema.non_model_types:
                continue
            input_name = f"{ftype.name}Input"
            source = self.doc.get(ftype.name)
            if input_name in self.doc or source is None or source.raw is not None:
                continue
            nested = [_parse_type(f.type) for f in source.fields if not f.args]
            self.doc.add(
                SdlType(
                    kind="input",
                    name=input_name,
                    fields=[
                        SdlField(name=f.name, type=self.input_type(t)) for f, t in zip(
                            [f for f in source.fields if not f.args], nested, strict=True
                        )
                    ],
                )
            )
            self.add_non_model_inputs(nested)

    def ensure_connection(self, name: str, typed: str, *, model_step: bool = False) -> None:
        """`Model<typed>Connection` of `name` items: the model transformer spells the model upper-first, the
        index and relational transformers as declared (two types for a lower-case model name). Only the model
        transformer's has a versioned API's `startedAt`."""
        self.doc.add(
            SdlType(
                kind="type",
                name=f"Model{typed}Connection",
                fields=[SdlField(name="items", type=f"[{name}]!"), SdlField(name="nextToken", type="String")]
                + ([SdlField(name="startedAt", type="AWSTimestamp")] if self.versioned and model_step else []),
            )
        )

    def add_enum_filters(self, fields: list[tuple[str, FieldType]]) -> None:
        for _, ftype in fields:
            if ftype.name not in self.schema.enums:
                continue
            if ftype.is_list:
                self.doc.add(
                    SdlType(
                        kind="input",
                        name=f"Model{ftype.name}ListInput",
                        fields=[
                            SdlField(name="eq", type=f"[{ftype.name}]"),
                            SdlField(name="ne", type=f"[{ftype.name}]"),
                            SdlField(name="contains", type=ftype.name),
                            SdlField(name="notContains", type=ftype.name),
                        ],
                    )
                )
            else:
                self.doc.add(
                    SdlType(
                        kind="input",
                        name=f"Model{ftype.name}Input",
                        fields=[SdlField(name="eq", type=ftype.name), SdlField(name="ne", type=ftype.name)],
                    )
                )

    def add_filter_input(self, name: str) -> None:
        fields = self.with_implicit[name]
        self.add_enum_filters(fields)
        input_name = f"Model{upper_first(name)}FilterInput"
        body = [SdlField(name=n, type=self.filter_type(t)) for n, t in fields if self.is_filterable(t)]
        body += [
            SdlField(name="and", type=f"[{input_name}]"),
            SdlField(name="or", type=f"[{input_name}]"),
            SdlField(name="not", type=input_name),
        ]
        self.doc.add(SdlType(kind="input", name=input_name, fields=body + self.deleted_filter()))

    def deleted_filter(self) -> list[SdlField]:
        """`_deleted: ModelBooleanInput`, which a versioned API's filter and condition inputs end with."""
        return [SdlField(name="_deleted", type="ModelBooleanInput")] if self.versioned else []

    def ensure_declared_filter_input(self, model: ModelDef, *, relational: bool = False) -> str:
        """`Model<Name>FilterInput` as the index and relational transformers make it when it is missing: the
        declared scalar and enum fields only, the model name as declared."""
        input_name = f"Model{model.name}FilterInput"
        if input_name not in self.doc:
            body = [SdlField(name=f.name, type=self.filter_type(f.type)) for f in model.fields
                    if self.is_filterable(f.type)]
            body += [
                SdlField(name="and", type=f"[{input_name}]"),
                SdlField(name="or", type=f"[{input_name}]"),
                SdlField(name="not", type=input_name),
            ]
            deleted = self.deleted_filter() if relational else []
            self.doc.add(SdlType(kind="input", name=input_name, fields=body + deleted))
        return input_name

    def add_condition_input(self, model: ModelDef, declared: list[tuple[str, FieldType]]) -> None:
        input_name = f"Model{upper_first(model.name)}ConditionInput"
        if input_name in self.doc:
            return
        body = [
            SdlField(name=n, type=self.filter_type(t))
            for n, t in declared
            if self.is_filterable(t) and not (n == "id" and self.filter_type(t) == "ModelIDInput")
        ]
        body += [
            SdlField(name="and", type=f"[{input_name}]"),
            SdlField(name="or", type=f"[{input_name}]"),
            SdlField(name="not", type=input_name),
        ]
        condition = SdlType(kind="input", name=input_name, fields=body + self.deleted_filter())
        for stamp in (model.timestamps.get("createdAt"), model.timestamps.get("updatedAt")):
            if stamp:
                condition.add_field(SdlField(name=stamp, type="ModelStringInput"))
        self.doc.add(condition)

    def add_subscription_filter_input(self, name: str, fields: list[tuple[str, FieldType]]) -> None:
        input_name = f"ModelSubscription{upper_first(name)}FilterInput"
        body = [SdlField(name=n, type=self.subscription_filter_type(t)) for n, t in fields if self.is_filterable(t)]
        body += [SdlField(name="and", type=f"[{input_name}]"), SdlField(name="or", type=f"[{input_name}]")]
        self.doc.add(SdlType(kind="input", name=input_name, fields=body + self.deleted_filter()))

    def mutation_input(self, kind: OperationKind, model: ModelDef, declared: list[tuple[str, FieldType]]) -> SdlType:
        name = upper_first(model.name)
        version = [SdlField(name="_version", type="Int")] if self.versioned else []
        if kind is OperationKind.DELETE:
            return SdlType(kind="input", name=f"Delete{name}Input", fields=[SdlField(name="id", type="ID!"), *version])
        stamps = {s for s in model.timestamps.values() if s}
        defaults = {f.name for f in model.fields if f.default is not None}
        body: list[SdlField] = []
        has_id = False
        for field_name, ftype in declared:
            if ftype.name in self.schema.models:
                continue
            required: bool | None = None
            if kind is OperationKind.UPDATE:
                required = field_name == "id"
            elif _optional_on_create(field_name, ftype, stamps, defaults):
                required = False
            has_id = has_id or field_name == "id"
            body.append(SdlField(name=field_name, type=self.input_type(ftype, required=required)))
        if not has_id:
            body.append(SdlField(name="id", type="ID" if kind is OperationKind.CREATE else "ID!"))
        prefix = "Create" if kind is OperationKind.CREATE else "Update"
        return SdlType(kind="input", name=f"{prefix}{name}Input", fields=body + version)

    # --- step 4: @primaryKey and @index -----------------------------------------------------
    def primary_key_step(self, model: ModelDef) -> None:
        if model.primary_key == ("id",) and not model.primary_key_declared:
            return
        name = model.name
        pk, *sort_keys = model.primary_key
        key_types = [(k, _key_type(model, k)) for k in model.primary_key]
        ops = {op.kind: op for op in self.operations.get(name, [])}
        query = self.doc.get("Query")
        if query is not None and OperationKind.GET in ops:
            get_field = query.field(ops[OperationKind.GET].field_name)
            if get_field is not None:
                get_field.args = [f"{k}: {t}!" for k, t in key_types]
        sort_arg = self.sort_key_argument(name, None, [(k, _key_type(model, k)) for k in sort_keys])
        if query is not None and OperationKind.LIST in ops:
            list_field = query.field(ops[OperationKind.LIST].field_name)
            if list_field is not None:
                args = [f"{pk}: {_key_type(model, pk)}"] + ([sort_arg] if sort_arg else [])
                list_field.args = args + list_field.args + ["sortDirection: ModelSortDirection"]
        declares_id = model.field("id") is not None
        typed = upper_first(name)
        create = self.doc.get(f"Create{typed}Input")
        if create is not None and not declares_id:
            create.remove_field("id")
        update = self.doc.get(f"Update{typed}Input")
        if update is not None:
            if not declares_id:
                update.remove_field("id")
            for key_field in update.fields:
                if key_field.name in model.primary_key:
                    key_field.type = f"{_key_type(model, key_field.name)}!"
                elif key_field.name == "id":
                    key_field.type = key_field.type.rstrip("!")
        delete = self.doc.get(f"Delete{typed}Input")
        if delete is not None:
            rest = [
                f for f in delete.fields if f.name not in model.primary_key and not (f.name == "id" and f.type.startswith("ID"))
            ]
            delete.fields = [SdlField(name=k, type=f"{t}!") for k, t in key_types] + rest
        obj = self.doc.get(name)
        if obj is not None and not declares_id:
            obj.remove_field("id")
        condition = self.doc.get(f"Model{name}ConditionInput")  # as declared: Amplify misses it for `todo`
        if condition is not None:
            condition.fields = [f for f in condition.fields if f.name not in {"id", *model.primary_key}]

    def sort_key_argument(self, model_name: str, index_name: str | None, sort_keys: list[tuple[str, str]]) -> str | None:
        """The sort key argument of a key query, adding its key condition input(s) to the document."""
        if not sort_keys:
            return None
        if len(sort_keys) == 1:
            key_name, key_type = sort_keys[0]
            scalar = "String" if key_type in self.schema.enums else FILTER_SCALARS.get(key_type, key_type)
            input_name = f"Model{scalar}KeyConditionInput"
            conditions = KEY_CONDITIONS + (("beginsWith",) if scalar in {"String", "ID"} else ())
            self.doc.add(scalar_input(conditions, scalar, input_name))
            return f"{key_name}: {input_name}"
        key = (index_name or "Primary")[:1].upper() + (index_name or "Primary")[1:]
        composite_input = f"Model{model_name}{key}CompositeKeyInput"
        condition_name = f"Model{model_name}{key}CompositeKeyConditionInput"
        self.doc.add(
            SdlType(
                kind="input",
                name=condition_name,
                fields=[
                    SdlField(name=c, type=f"[{composite_input}]" if c == "between" else composite_input)
                    for c in (*KEY_CONDITIONS, "beginsWith")
                ],
            )
        )
        last = len(sort_keys) - 1
        self.doc.add(
            SdlType(
                kind="input",
                name=composite_input,
                fields=[
                    SdlField(name=k, type=FILTER_SCALARS.get(t, t) if i == last else t)
                    for i, (k, t) in enumerate(sort_keys)
                ],
            )
        )
        return f"{camel_case([k for k, _ in sort_keys])}: {condition_name}"

    def index_step(self, model: ModelDef) -> None:
        name = model.name
        for op in self.operations.get(name, []):
            if op.kind is not OperationKind.INDEX_QUERY or op.index is None:
                continue
            index = op.index
            args = [f"{index.partition_field}: {_key_type(model, index.partition_field)}!"]
            sort_arg = self.sort_key_argument(
                name, index.name, [(k, _key_type(model, k)) for k in index.sort_key_fields]
            )
            if sort_arg:
                args.append(sort_arg)
            args += [
                "sortDirection: ModelSortDirection",
                f"filter: Model{name}FilterInput",
                "limit: Int",
                "nextToken: String",
            ]
            self.doc.object("Query").add_field(
                SdlField(name=op.field_name, type=f"Model{name}Connection", args=args,
                         directives=[AUTH_DIRECTIVES[Provider.API_KEY]] if self.sandbox_open(model) else [])
            )
            self.ensure_declared_filter_input(model)
            self.ensure_connection(name, name)

    # --- step 5: relations ------------------------------------------------------------------
    def relations_step(self) -> None:
        for model in self.schema.models.values():
            for field in model.fields:
                relation = field.relation
                if relation is None or relation.kind is not RelationKind.HAS_MANY:
                    continue
                self.replace_has_many(model, field.name, relation.related_model)
                for extra in self.connections_from(model.name, field.name, RelationKind.HAS_MANY):
                    self.add_connection_field(extra)
                    parent_filter = self.doc.get(f"ModelSubscription{upper_first(model.name)}FilterInput")
                    if parent_filter is not None:
                        parent_filter.add_field(
                            SdlField(name=extra.name, type=self.subscription_filter_type(extra.type))
                        )
        for kind in (RelationKind.HAS_ONE, RelationKind.BELONGS_TO):
            for model in self.schema.models.values():
                for field in model.fields:
                    if field.relation is not None and field.relation.kind is kind:
                        for extra in self.connections_from(model.name, field.name, kind):
                            self.add_connection_field(extra)
                            own_filter = self.doc.get(f"ModelSubscription{upper_first(extra.model)}FilterInput")
                            if own_filter is not None:
                                own_filter.add_field(
                                    SdlField(name=extra.name, type=self.subscription_filter_type(extra.type))
                                )

    def connections_from(self, model: str, field: str, kind: RelationKind) -> list[ConnectionField]:
        return self.connections_by_source.get((model, field, kind), [])

    def replace_has_many(self, model: ModelDef, field_name: str, related: str) -> None:
        obj = self.doc.get(model.name)
        if obj is None or related not in self.schema.models:
            return
        self.ensure_connection(related, related)
        self.ensure_declared_filter_input(self.schema.models[related], relational=True)
        args = [
            f"filter: Model{related}FilterInput",
            "sortDirection: ModelSortDirection",
            "limit: Int",
            "nextToken: String",
        ]
        relation = model.field(field_name).relation  # type: ignore[union-attr]
        sort = self.has_many_sort_fields(model, field_name)
        if relation is not None and sort and len(relation.fields) < 2:
            if len(sort) == 1:
                sort_arg = self.sort_key_argument(related, None, [(sort[0][0], sort[0][1].name)])
                if sort_arg:
                    args.insert(0, sort_arg)
            else:
                index = upper_first(relation.index_name or "Primary")
                composite = f"Model{related}{index}CompositeKeyConditionInput"
                if composite in self.doc:
                    args.insert(0, f"{camel_case([k for k, _ in sort])}: {composite}")
        existing = obj.field(field_name)
        if existing is not None:
            obj.replace_field(
                SdlField(
                    name=field_name,
                    type=f"Model{related}Connection",
                    args=args,
                    directives=existing.directives,
                    description=existing.description,
                )
            )

    def has_many_sort_fields(self, model: ModelDef, field_name: str) -> tuple[tuple[str, FieldType], ...]:
        """The sort key a `@hasMany` field's query may narrow: the named index's, else the related model's
        primary key's (also for an implicit relation); none for `references:` relations."""
        relation = model.field(field_name).relation  # type: ignore[union-attr]
        if relation is None or relation.references:
            return ()
        if relation.index_name:
            key = has_many_key(self.schema, model, field_name)
            return key.sort if key is not None else ()
        related = self.schema.models.get(relation.related_model)
        return tuple(sort_key_fields(related)) if related is not None else ()

    def add_connection_field(self, extra: ConnectionField) -> None:
        target = self.doc.get(extra.model)
        if target is not None:
            target.add_field(SdlField(name=extra.name, type=extra.type.sdl()))
        typed = upper_first(extra.model)
        create = self.doc.get(f"Create{typed}Input")
        if create is not None:
            create.add_field(SdlField(name=extra.name, type=extra.type.sdl()))
        update = self.doc.get(f"Update{typed}Input")
        if update is not None:
            update.add_field(SdlField(name=extra.name, type=extra.type.sdl(required=False)))
        for input_name in (f"Model{typed}FilterInput", f"Model{typed}ConditionInput"):
            found = self.doc.get(input_name)
            if found is not None:
                found.add_field(SdlField(name=extra.name, type=self.filter_type(extra.type)))

    # --- step 6: @auth ----------------------------------------------------------------------
    def service_directives(self, providers: list[Provider], add_default: bool) -> list[str]:
        """Amplify's `getServiceDirectives`."""
        if not providers:
            return []
        if self.admin_roles and Provider.IAM not in providers:
            providers = [*providers, Provider.IAM]
        default = self.default_provider
        others = any(p is not default for p in providers)
        directives = [
            text
            for provider, text in AUTH_DIRECTIVES.items()
            if (provider is not default and provider in providers) or (provider is default and others and add_default)
        ]
        default_text = AUTH_DIRECTIVES[default]
        if default in providers and others and default_text not in directives:
            directives.append(default_text)
        return directives

    def directives_on_operation(self, type_name: str, field_name: str, directives: list[str]) -> None:
        """Amplify's `addDirectivesToOperation`: the field and its return type get the directives."""
        if not self.doc.add_field_directives(type_name, field_name, directives):
            return
        root = self.doc.get(type_name)
        found = root.field(field_name) if root is not None else None
        if found is not None:
            self.doc.extend_directives(_named_type(found.type), directives)

    def sandbox_iam_step(self) -> None:
        """Sandbox mode (`input AMPLIFY { globalAuthRule }`): Amplify gives every custom root field and every
        declared non-model object type `@aws_iam` (its `addCustomOperationFieldsToAuthNonModelConfig` and
        `addIamAuthToCustomTypes`), before the `@auth` directives."""
        iam = AUTH_DIRECTIVES[Provider.IAM]
        for type_name, field_name in self.declared_root_fields:
            self.doc.add_field_directives(type_name, field_name, [iam])
        for name in self.declared_objects:
            if name not in self.schema.models:
                self.doc.extend_directives(name, [iam])

    def auth_step(self) -> None:
        if self.matrix.parameters.sandbox_mode_enabled:
            self.sandbox_iam_step()
        models = [m for m in self.schema.models.values() if _has_auth_config(m)]
        for model in models:
            subscription_filter = self.doc.get(f"ModelSubscription{upper_first(model.name)}FilterInput")
            if subscription_filter is None:
                continue
            for role in self.matrix.models[model.name].roles.values():
                if not role.is_static and role.provider in {Provider.USER_POOLS, Provider.OIDC}:
                    subscription_filter.remove_field(role.owner_field or role.groups_field or "")
        seen_nested: dict[str, set[str]] = {}
        for model in models:
            access = self.matrix.models[model.name]
            owner_fields = [r.owner_field for r in access.roles.values() if r.kind is RoleKind.OWNER and r.owner_field]
            for input_name in (
                f"Model{upper_first(model.name)}FilterInput",
                f"Model{upper_first(model.name)}ConditionInput",
                f"ModelSubscription{upper_first(model.name)}FilterInput",
            ):
                found = self.doc.get(input_name)
                if found is not None:
                    for owner_field in owner_fields:
                        found.add_field(SdlField(name=owner_field, type="ModelStringInput"))
            obj = self.doc.object(model.name)
            for owner_field in owner_fields:
                obj.add_field(SdlField(name=owner_field, type="String"))
            providers = _providers(list(access.roles.values()))
            self.doc.extend_directives(model.name, self.service_directives(providers, False))
            self.protect_operations(model, access)
            self.propagate_nested(model.name, providers, seen_nested)
        for extra in self.matrix.non_model_fields:
            directives = self.service_directives(_providers(extra.roles), False)
            if directives:
                self.doc.add_field_directives(extra.type_name, extra.field_name, directives)

    def protect_operations(self, model: ModelDef, access: ModelAccess) -> None:
        ops = self.operations.get(model.name, [])
        roles_by_operation: dict[Operation, list[Role]] = {}

        def protect(op: RootOperation, operation: Operation) -> None:
            if operation not in roles_by_operation:
                roles_by_operation[operation] = access.roles_for(operation)
            roles = roles_by_operation[operation]
            include_default = any(r.provider is self.default_provider for r in roles)
            directives = self.service_directives(_providers(roles), include_default)
            if directives:
                self.directives_on_operation(op.type_name, op.field_name, directives)

        order = (
            OperationKind.GET,
            OperationKind.LIST,
            OperationKind.SYNC,
            OperationKind.SEARCH,
            OperationKind.CREATE,
            OperationKind.UPDATE,
            OperationKind.DELETE,
        )
        for kind in order:
            for op in ops:
                if op.kind is kind:
                    protect(op, kind.operation)
        for op in ops:
            if op.kind is OperationKind.INDEX_QUERY:
                protect(op, Operation.LIST)
                protect(op, Operation.GET)
        if access.subscription_level != "on":
            return
        listen_roles = access.roles_for(Operation.LISTEN)
        owner_args: list[str] = []
        for role in listen_roles:
            if role.kind is RoleKind.OWNER and role.owner_field and not role.owner_field_is_list:
                arg = f"{role.owner_field}: String"
                if arg not in owner_args:
                    owner_args.append(arg)
        subscription = self.doc.get("Subscription")
        for kind in (OperationKind.ON_CREATE, OperationKind.ON_UPDATE, OperationKind.ON_DELETE):
            for op in ops:
                if op.kind is not kind:
                    continue
                protect(op, Operation.LISTEN)
                found = subscription.field(op.field_name) if subscription is not None else None
                if found is not None:
                    names = {a.split(":", 1)[0] for a in found.args}
                    found.args = found.args + [a for a in owner_args if a.split(":", 1)[0] not in names]

    def propagate_nested(self, type_name: str, providers: list[Provider], seen: dict[str, set[str]]) -> None:
        """Amplify's `propagateAuthDirectivesToNestedTypes`: every object type without `@model` a field returns,
        the `Model<X>Connection` of a `@hasMany` field included."""
        source = self.doc.get(type_name)
        if source is None:
            return
        for field in list(source.fields):
            nested_name = _named_type(field.type)
            nested = self.doc.get(nested_name)
            if nested is None or nested.kind != "type" or nested_name in self.schema.models:
                continue
            already = nested_name in seen
            directives = self.service_directives(providers, already)
            if already:
                directives = [d for d in directives if directive_name(d) not in seen[nested_name]]
                seen[nested_name].update(directive_name(d) for d in directives)
            else:
                seen[nested_name] = {directive_name(d) for d in directives}
            if directives or not already:
                self.doc.extend_directives(nested_name, directives)
                self.propagate_nested(nested_name, providers, seen)


def _optional_on_create(name: str, ftype: FieldType, stamps: set[str], defaults: set[str]) -> bool:
    """Create inputs make the id, declared timestamps and fields with `@default` optional."""
    if name == "id":
        return ftype.name in {"ID", "String"}
    return (name in stamps and ftype.name in {"String", "AWSDateTime"}) or name in defaults


def _providers(roles: list[Role]) -> list[Provider]:
    found: list[Provider] = []
    for role in roles:
        if role.provider not in found:
            found.append(role.provider)
    return found


def _has_auth_config(model: ModelDef) -> bool:
    return model.rules is not None or any(f.rules is not None for f in model.fields)


def _named_type(type_text: str) -> str:
    return type_text.replace("[", "").replace("]", "").replace("!", "").strip()


def _parse_type(type_text: str) -> FieldType:
    text = type_text.strip()
    required = text.endswith("!")
    inner = text.rstrip("!")
    if inner.startswith("["):
        item = inner[1:-1]
        return FieldType(name=item.rstrip("!"), is_list=True, required=required, item_required=item.endswith("!"))
    return FieldType(name=inner, required=required)


def _key_type(model: ModelDef, field_name: str) -> str:
    field = model.field(field_name)
    return field.type.name if field is not None else "ID"


def emit_output_schema(schema: ParsedSchema, matrix: AccessMatrix, admin_roles: bool = False) -> str:
    """The output schema SDL for `schema`, as AppSync would serve it after Amplify's transform
    (`admin_roles`: IAM admin roles are configured, which puts `@aws_iam` on every protected type and operation)."""
    with paused_gc():
        return _emit(schema, matrix, admin_roles)


def _emit(schema: ParsedSchema, matrix: AccessMatrix, admin_roles: bool = False) -> str:
    emitter = _Emitter(schema, matrix, admin_roles)
    emitter.add_user_definitions(parse_sdl(strip_directives(schema.sdl), no_location=True))
    add_join_model_types(emitter.doc, schema)
    apply_http_arguments(emitter.doc, schema)
    emitter.doc.add(CONVERSATION_ERROR_INPUT)
    for shared in shared_inputs():
        emitter.doc.add(shared)
    for model in schema.models.values():
        emitter.model_step(model)
    for model in schema.models.values():
        emitter.primary_key_step(model)
    for model in schema.models.values():
        emitter.index_step(model)
    emitter.relations_step()
    searches = {op.model: op.field_name for op in matrix.operations.values() if op.kind is OperationKind.SEARCH}
    add_search_operations(emitter.doc, schema, searches, matrix)
    emitter.auth_step()
    share_search_directives(emitter.doc, searches)
    return emitter.doc.render()


__all__ = [
    "APPSYNC_PRELUDE",
    "AUTH_DIRECTIVES",
    "FILTER_SCALARS",
    "TRANSFORMER_DIRECTIVES",
    "emit_output_schema",
    "load_output_schema",
    "shared_inputs",
    "strip_directives",
]
