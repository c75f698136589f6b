"""Read an Amplify SDL file into a `ParsedSchema`, reporting every problem with file:line:column."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, lru_cache
from pathlib import Path

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    GraphQLError,
    GraphQLSyntaxError,
    InterfaceTypeDefinitionNode,
    ListTypeNode,
    ListValueNode,
    Node,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    Source,
    TypeNode,
    concat_ast,
    value_from_ast_untyped,
)

from transformer.amplify_layout import schema_files
from transformer.diagnostics import Diagnostic, UnreadableInput, error, read_text, warning
from transformer.directive_validation import validate_argument_values, validate_directive_values
from transformer.directives import APPSYNC_SCALARS, SUPPORTED_DIRECTIVES, declarations_document
from transformer.field_validation import read_validations
from transformer.global_auth_rule import amplify_inputs, read_global_auth_rule, without_definitions
from transformer.many_to_many import expand_many_to_many
from transformer.model_validation import validate_model_directives
from transformer.naming import index_query_name
from transformer.references_validation import validate_references
from transformer.rules import AuthRule, SourceLocation, Strategy, role_names, rule_from_arguments
from transformer.schema_model import (
    FieldType,
    IndexDef,
    ModelDef,
    ModelField,
    NonModelFieldRules,
    ParsedSchema,
    Relation,
    RelationKind,
)
from transformer.sdl_parsing import parse_sdl, validate_sdl_document
from transformer.sdl_rules import SDL_RULES
from transformer.searchable import search_query_name

ROOT_TYPES = frozenset({"Query", "Mutation", "Subscription"})
BUILTIN_SCALARS = frozenset({"ID", "String", "Int", "Float", "Boolean", *APPSYNC_SCALARS})
OWNER_FIELD_TYPES = frozenset({"String", "ID", "AWSEmail"})
GROUPS_FIELD_TYPES = frozenset({"String"})


_NEWLINE = re.compile("\n")


@lru_cache(maxsize=8)
def _line_starts(body: str) -> list[int]:
    return [0] + [match.end() for match in _NEWLINE.finditer(body)]


def location_of(node: Node | None, file: str) -> SourceLocation | None:
    """1-based line and column of a node (graphql-core's own lookup rescans the text each time).

    The file is the node's own source (a schema split over several files), else `file`.
    """
    if node is None or node.loc is None:
        return None
    starts = _line_starts(node.loc.source.body)
    line = bisect_right(starts, node.loc.start)
    return SourceLocation(file=node.loc.source.name or file, line=line, column=node.loc.start - starts[line - 1] + 1)


def _where(node: Node | None, file: str) -> dict[str, object]:
    loc = location_of(node, file)
    return {"file": file} if loc is None else {"file": loc.file, "line": loc.line, "column": loc.column}


def _field_type(node: TypeNode) -> FieldType:
    required = isinstance(node, NonNullTypeNode)
    inner = node.type if isinstance(node, NonNullTypeNode) else node
    if isinstance(inner, ListTypeNode):
        item = inner.type
        item_required = isinstance(item, NonNullTypeNode)
        while isinstance(item, NonNullTypeNode | ListTypeNode):
            item = item.type
        return FieldType(name=item.name.value, is_list=True, required=required, item_required=item_required)  # type: ignore[attr-defined]
    return FieldType(name=inner.name.value, required=required)  # type: ignore[attr-defined]


def _arguments(directive: DirectiveNode) -> dict[str, object]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _optional_name(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _names(value: object) -> list[str]:
    """A directive's list-of-names argument (a single name counts as a list of one)."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _mapping(value: object) -> dict[str, object]:
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def _operation_names(model_args: dict[str, object], key: str) -> dict[str, str | None] | None:
    if key not in model_args:
        return None
    value = model_args[key]
    if not isinstance(value, dict):  # `queries: null` turns every operation of the group off
        return dict.fromkeys(("get", "list", "sync", "create", "update", "delete"))
    return {str(k): (None if v is None else str(v)) for k, v in value.items()}


def _directive(node: ObjectTypeDefinitionNode | FieldDefinitionNode, name: str) -> DirectiveNode | None:
    return next((d for d in node.directives or () if d.name.value == name), None)


class _SchemaReader:
    """One pass over the document; collects diagnostics instead of stopping at the first."""

    def __init__(self, file: str, sub_username_identity_claim: bool) -> None:
        self.file = file
        self.sub_username = sub_username_identity_claim
        self.diagnostics: list[Diagnostic] = []

    def read_rules(
        self, directive: DirectiveNode, owner_name: str, *, field_level: bool, operations_refused: str | None = None
    ) -> tuple[AuthRule, ...] | None:
        """The rules of one `@auth`; `operations_refused` is Amplify's message when rules here may not name
        operations (fields of root and non-model types)."""
        rules_arg = next((a for a in directive.arguments or () if a.name.value == "rules"), None)
        raw_rules = value_from_ast_untyped(rules_arg.value) if rules_arg else None
        if rules_arg is not None and not isinstance(rules_arg.value, ListValueNode):
            raw_rules = None  # Amplify reads a single object as no rules at all
        if not raw_rules:
            self.diagnostics.append(
                error("auth.empty", f"@auth on {owner_name} does not have any auth rules.", **_where(directive, self.file))
            )
            return None
        rule_nodes = getattr(rules_arg.value, "values", None) if rules_arg else None
        rules: list[AuthRule] = []
        raw_list = raw_rules if isinstance(raw_rules, list) else [raw_rules]
        for index, raw in enumerate(raw_list):
            node = rule_nodes[index] if rule_nodes and index < len(rule_nodes) else directive
            if not isinstance(raw, dict):
                self.diagnostics.append(error("auth.rule", "@auth: each rule must be an object", **_where(node, self.file)))
                continue
            if operations_refused and raw.get("operations"):
                self.diagnostics.append(error("auth.field-operations", operations_refused, **_where(node, self.file)))
                continue
            rule, problems = rule_from_arguments(
                raw,
                location=location_of(node, self.file),
                field_level=field_level,
                sub_username_identity_claim=self.sub_username,
            )
            self.diagnostics.extend(problems)
            if rule is not None:
                rules.append(rule)
        return tuple(rules)

    def unsupported(self, node: ObjectTypeDefinitionNode | FieldDefinitionNode, owner_name: str) -> None:
        for directive in node.directives or ():
            name = directive.name.value
            if name not in SUPPORTED_DIRECTIVES and name in _declared_directive_names():
                self.diagnostics.append(
                    warning(
                        "directive.unsupported",
                        f"@{name} on {owner_name} is not supported by gqlauth yet: it is kept in the "
                        "output schema but gets no resolver, so the field resolves to null",
                        **_where(directive, self.file),
                    )
                )

    def read_model(
        self,
        node: ObjectTypeDefinitionNode,
        known_types: dict[str, str],
        extensions: tuple[FieldDefinitionNode, ...] = (),
    ) -> ModelDef:
        """The model of a `@model` type; `extensions` are fields that `extend type` adds (Amplify merges them)."""
        name = node.name.value
        model_args = _arguments(_directive(node, "model"))  # type: ignore[arg-type]
        auth = _directive(node, "auth")
        rules = self.read_rules(auth, name, field_level=False) if auth else None
        self.check_duplicate_roles(rules or (), name)
        fields: list[ModelField] = []
        primary_key: tuple[str, ...] = ("id",)
        indexes: list[IndexDef] = []
        for field_node in (*(node.fields or ()), *extensions):
            field_name = field_node.name.value
            owner_name = f"{name}.{field_name}"
            self.unsupported(field_node, owner_name)
            ftype = _field_type(field_node.type)
            field_auth = _directive(field_node, "auth")
            field_rules = self.read_rules(field_auth, owner_name, field_level=True) if field_auth else None
            relation = self.read_relation(field_node, ftype)
            default_node = _directive(field_node, "default")
            default = _arguments(default_node).get("value") if default_node else None
            pk = _directive(field_node, "primaryKey")
            if pk is not None:
                primary_key = (field_name, *_names(_arguments(pk).get("sortKeyFields")))
            for index_node in field_node.directives or ():
                if index_node.name.value != "index":
                    continue
                args = _arguments(index_node)
                sort_arg = args.get("sortKeyFields") or []
                index_sort = tuple(str(s) for s in (sort_arg if isinstance(sort_arg, list) else [sort_arg]))
                derived = index_query_name(name, [field_name, *index_sort])
                query_field = args.get("queryField", derived)
                indexes.append(
                    IndexDef(
                        name=str(args.get("name") or derived),
                        partition_field=field_name,
                        sort_key_fields=index_sort,
                        query_field=str(query_field) if query_field else None,
                    )
                )
            kind = known_types.get(ftype.name)
            fields.append(
                ModelField(
                    name=field_name,
                    type=ftype,
                    is_leaf=ftype.name in BUILTIN_SCALARS or kind in {"enum", "scalar"},
                    rules=field_rules,
                    relation=relation,
                    default=None if default is None else str(default),
                    validations=read_validations(name, field_node),
                    location=location_of(field_node, self.file),
                )
            )
        subscriptions_arg = model_args.get("subscriptions")
        subscriptions = _mapping(subscriptions_arg)
        timestamps_arg = model_args.get("timestamps", {"createdAt": "createdAt", "updatedAt": "updatedAt"})
        timestamps: dict[str, str | None] = {"createdAt": None, "updatedAt": None}
        if isinstance(timestamps_arg, dict):
            timestamps = {k: _optional_name(timestamps_arg.get(k, k)) for k in ("createdAt", "updatedAt")}
        return ModelDef(
            name=name,
            fields=tuple(fields),
            rules=rules,
            primary_key=primary_key,
            primary_key_declared=any(_directive(f, "primaryKey") is not None for f in node.fields or ()),
            indexes=tuple(indexes),
            query_names=_operation_names(model_args, "queries"),
            mutation_names=_operation_names(model_args, "mutations"),
            declared_subscription_level=_optional_name(subscriptions.get("level")),
            subscription_level=(
                "off"
                if "subscriptions" in model_args and subscriptions_arg is None
                else str(subscriptions.get("level") or "on")
            ),
            subscription_names={k: tuple(_names(v)) for k, v in subscriptions.items() if k != "level"},
            timestamps=timestamps,
            location=location_of(node, self.file),
            search_query=(
                search_query_name(name, _arguments(searchable)) if (searchable := _directive(node, "searchable")) else None
            ),
        )

    def read_relation(self, node: FieldDefinitionNode, ftype: FieldType) -> Relation | None:
        for kind in RelationKind:
            directive = _directive(node, kind.value)
            if directive is None:
                continue
            args = _arguments(directive)
            return Relation(
                kind=kind,
                related_model=ftype.name,
                fields=tuple(_names(args.get("fields"))),
                index_name=str(args["indexName"]) if args.get("indexName") else None,
                relation_name=str(args["relationName"]) if args.get("relationName") else None,
                limit=int(str(args.get("limit") or 100)),
                references=tuple(_names(args.get("references"))),
                override_index_name=str(args["overrideIndexName"]) if args.get("overrideIndexName") else None,
            )
        return None

    def check_duplicate_roles(self, rules: tuple[AuthRule, ...], model_name: str) -> None:
        """Two model-level rules for one role (say two `allow: owner`) are an error in Amplify."""
        seen: set[str] = set()
        for rule in rules:
            for role in role_names(rule):
                if role in seen:
                    where = {} if rule.location is None else {
                        "file": rule.location.file, "line": rule.location.line, "column": rule.location.column
                    }
                    self.diagnostics.append(
                        error("auth.duplicate-role", f"@auth {model_name}:{role} already exists for {model_name}", **where)
                    )
                seen.add(role)

    def check_rule_fields(self, model: ModelDef) -> None:
        """Owner and groups fields that exist must have a type Amplify accepts."""
        for rule in model.all_rules():
            where = {"file": rule.location.file, "line": rule.location.line, "column": rule.location.column} if rule.location else {}
            if rule.allow is Strategy.OWNER and rule.owner_field:
                field = model.field(rule.owner_field)
                if field is not None and field.type.name not in OWNER_FIELD_TYPES:
                    self.diagnostics.append(
                        warning(
                            "auth.owner-field-type",
                            f"@auth ownerField '{rule.owner_field}' on {model.name} is {field.type.sdl()}: an identity "
                            "claim is a string, so this rule never matches (Amplify accepts it). Use String, ID or a "
                            "list of them",
                            **where,
                        )
                    )
            if rule.is_dynamic_group and rule.groups_field:
                field = model.field(rule.groups_field)
                if field is not None and field.type.name not in GROUPS_FIELD_TYPES:
                    self.diagnostics.append(
                        warning(
                            "auth.groups-field-type",
                            f"@auth groupsField '{rule.groups_field}' on {model.name} is {field.type.sdl()}: group "
                            "names are strings, so this rule never matches (Amplify accepts it). Use String or "
                            "[String]",
                            **where,
                        )
                    )


@cache
def _declared_directive_names() -> frozenset[str]:
    return frozenset(
        d.name.value for d in declarations_document().definitions if hasattr(d, "name") and d.kind == "directive_definition"
    )


_CORE_QUOTED = re.compile(r"'([^'\s]+)'")


def _as_graphql_js(message: str) -> str:
    """graphql-core quotes names and tokens with `'`, graphql-js (Amplify's messages) with `"`:
    `Unknown type 'Strin'. Did you mean 'String'?` is Amplify's `Unknown type "Strin". Did you mean "String"?`;
    and Amplify's graphql-js 15 words a stray character as `Cannot parse the unexpected character "~".`."""
    message = _CORE_QUOTED.sub(r'"\1"', message)
    if message.startswith("Unexpected character: "):
        return "Cannot parse the unexpected character " + message.removeprefix("Unexpected character: ")
    return message


def _syntax_diagnostic(exc: GraphQLError, file: str) -> Diagnostic:
    loc = exc.locations[0] if exc.locations else None
    message = _as_graphql_js(exc.message.removeprefix("Syntax Error: "))
    node_loc = exc.nodes[0].loc if exc.nodes and exc.nodes[0].loc is not None else None
    source = node_loc.source if node_loc is not None else exc.source
    where: dict[str, object] = {"file": (source.name if source is not None else None) or file}
    if loc is not None:
        where |= {"line": loc.line, "column": loc.column}
    return error("sdl.syntax" if isinstance(exc, GraphQLSyntaxError) else "sdl.invalid", message, **where)


def parse_schema_text(
    sdl: str, file: str = "<schema>", *, sub_username_identity_claim: bool = True,
    respect_primary_key_attributes: bool = True,
) -> tuple[ParsedSchema | None, list[Diagnostic]]:
    """Parse and validate SDL; returns the schema and every diagnostic.

    The schema is None only when the SDL itself cannot be read; with rule errors it is returned
    without the invalid rules so that later checks can still report their own problems. Callers
    must check `has_errors` before using it.
    """
    return parse_schema_sources([(sdl, file)], file, sub_username_identity_claim=sub_username_identity_claim,
                                respect_primary_key_attributes=respect_primary_key_attributes)


def parse_schema_sources(
    sources: list[tuple[str, str]], name: str, *, sub_username_identity_claim: bool = True,
    respect_primary_key_attributes: bool = True,
) -> tuple[ParsedSchema | None, list[Diagnostic]]:
    """`parse_schema_text` for a schema split over several files: (text, file name) each, locations per file.

    `respect_primary_key_attributes` is Amplify's `respectPrimaryKeyAttributesOnConnectionField` (it names
    the implicit foreign keys and the `@manyToMany` join model's keys)."""
    documents: list[DocumentNode] = []
    syntax: list[Diagnostic] = []
    for text, file_name in sources:
        try:
            documents.append(parse_sdl(Source(text, file_name)))
        except GraphQLError as exc:
            syntax.append(_syntax_diagnostic(exc, file_name))
    if syntax:
        return None, syntax
    document = documents[0] if len(documents) == 1 else concat_ast(documents)
    file = name
    sdl_errors = validate_sdl_document(concat_ast([declarations_document(), document]), SDL_RULES)
    if sdl_errors:
        return None, [_syntax_diagnostic(e, file) for e in sdl_errors]
    value_errors = validate_argument_values(document, lambda node: location_of(node, file))  # type: ignore[arg-type]
    if value_errors:
        return None, value_errors

    reader = _SchemaReader(file, sub_username_identity_claim)
    global_inputs = amplify_inputs(document)
    global_public: SourceLocation | None = None
    for node in global_inputs:
        public, problems = read_global_auth_rule(node, location_of(node, file))
        global_public = global_public or (location_of(node, file) if public else None)
        reader.diagnostics.extend(problems)
    sdl = "\n".join(
        without_definitions(text, [n for n in global_inputs if n.loc is not None and n.loc.source.name == file_name])
        for text, file_name in sources
    )
    known_types: dict[str, str] = {}
    for definition in document.definitions:
        if isinstance(definition, EnumTypeDefinitionNode):
            known_types[definition.name.value] = "enum"
        elif isinstance(definition, ScalarTypeDefinitionNode):
            known_types[definition.name.value] = "scalar"
        elif isinstance(definition, ObjectTypeDefinitionNode):
            known_types[definition.name.value] = "object"

    models: dict[str, ModelDef] = {}
    model_names = {
        d.name.value for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode) and _directive(d, "model")
    }
    extension_fields: dict[str, tuple[FieldDefinitionNode, ...]] = {}
    for definition in document.definitions:
        if isinstance(definition, ObjectTypeExtensionNode):
            extension_fields[definition.name.value] = (
                *extension_fields.get(definition.name.value, ()), *(definition.fields or ())
            )
    extra_rules: list[NonModelFieldRules] = []
    non_model_types: set[str] = set()
    for definition in document.definitions:
        if isinstance(definition, InterfaceTypeDefinitionNode):
            for field_node in definition.fields or ():
                if _directive(field_node, "auth"):  # type: ignore[arg-type]
                    reader.diagnostics.append(
                        error(
                            "auth.interface",
                            f"@auth directive is not allowed on interface fields ({definition.name.value}."
                            f"{field_node.name.value})",
                            **_where(field_node, file),
                        )
                    )
            continue
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        type_name = definition.name.value
        if _directive(definition, "model"):  # type: ignore[arg-type]
            reader.unsupported(definition, type_name)  # type: ignore[arg-type]
            extensions = extension_fields.get(type_name, ())
            model = reader.read_model(definition, known_types, extensions)  # type: ignore[arg-type]
            reader.check_rule_fields(model)
            models[type_name] = model
            continue
        if isinstance(definition, ObjectTypeExtensionNode) and type_name in model_names:
            continue
        non_model_types.add(type_name)
        if _directive(definition, "auth"):  # type: ignore[arg-type]
            reader.diagnostics.append(
                error(
                    "auth.model-required",
                    f"Types annotated with @auth must also be annotated with @model. ({type_name})",
                    **_where(_directive(definition, "auth"), file),  # type: ignore[arg-type]
                )
            )
        for field_node in definition.fields or ():
            owner_name = f"{type_name}.{field_node.name.value}"
            reader.unsupported(field_node, owner_name)
            auth = _directive(field_node, "auth")
            if auth is None:
                continue
            if isinstance(definition, ObjectTypeExtensionNode) and type_name not in ROOT_TYPES:
                continue  # refused by model_validation
            refused = (
                "@auth rules on fields within Query, Mutation, Subscription cannot specify 'operations' argument "
                "as these rules are already on an operation already."
                if type_name in ROOT_TYPES
                else "@auth rules on fields within types that does not have @model directive cannot specify "
                "'operations' argument as there are operations will be generated by the CLI."
            )
            rules = reader.read_rules(auth, owner_name, field_level=True, operations_refused=refused) or ()
            static = tuple(r for r in rules if r.allow is not Strategy.OWNER and not r.is_dynamic_group)
            if len(static) != len(rules):
                reader.diagnostics.append(
                    warning(
                        "auth.non-model-dynamic",
                        f"@auth on {owner_name}: owner and dynamic group rules need a @model source; "
                        "they are ignored here (as Amplify does)",
                        **_where(auth, file),
                    )
                )
            extra_rules.append(NonModelFieldRules(type_name=type_name, field_name=field_node.name.value, rules=static))

    reader.diagnostics.extend(
        validate_model_directives(document, lambda node: location_of(node, file), sub_username_claim=sub_username_identity_claim)  # type: ignore[arg-type]
    )
    reader.diagnostics.extend(validate_directive_values(document, lambda node: location_of(node, file)))
    reader.diagnostics.extend(validate_references(models, frozenset(k for k, v in known_types.items() if v == "enum")))
    models, join_problems = expand_many_to_many(models, respect_primary_key_attributes=respect_primary_key_attributes)
    reader.diagnostics.extend(join_problems)
    schema = ParsedSchema(
        file=file,
        sdl=sdl,
        models=models,
        non_model_field_rules=tuple(extra_rules),
        enums=frozenset(k for k, v in known_types.items() if v == "enum"),
        non_model_types=frozenset(non_model_types - ROOT_TYPES),
        global_public_rule=global_public,
        respect_primary_key_attributes=respect_primary_key_attributes,
    )
    return schema, reader.diagnostics


def load_schema(
    path: Path, *, sub_username_identity_claim: bool = True, respect_primary_key_attributes: bool = True
) -> tuple[ParsedSchema | None, list[Diagnostic]]:
    """Read a schema file, or every `.graphql` file of a split schema folder (raises `UnreadableInput`
    when one cannot be read)."""
    files = schema_files(path) if path.is_dir() else [path]
    if not files:
        raise UnreadableInput(path, "no .graphql files in this folder")
    sources = [(read_text(f), str(f)) for f in files]
    return parse_schema_sources(sources, str(path), sub_username_identity_claim=sub_username_identity_claim,
                                respect_primary_key_attributes=respect_primary_key_attributes)
