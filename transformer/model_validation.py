"""The checks Amplify's model, key and relational transformers make before they generate anything.

Each is a rejection Amplify makes (its message kept), reported at the directive or field concerned:
reserved type names, model-only directives, `@primaryKey`, `@index`, `@default`, `@validate` and
`@searchable` arguments; `relation_validation.py` holds the `@hasOne` / `@hasMany` / `@belongsTo` checks. The `@auth` checks live with the rules (`rules.py`, `parse.py`) and the required-field check in `lints.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    FieldDefinitionNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    value_from_ast_untyped,
)

from transformer.default_values import check_default
from transformer.diagnostics import Diagnostic, error
from transformer.field_validation import validate_problem
from transformer.relation_validation import RelationChecks
from transformer.rules import SourceLocation
from transformer.sdl_reading import base_type_name, is_list_type

ROOT_TYPE_NAMES = frozenset({"Query", "Mutation", "Subscription"})
SCALARS = frozenset(
    {
        "ID", "String", "Int", "Float", "Boolean", "AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp",
        "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress",
    }
)
MODEL_ONLY = ("primaryKey", "index", "default")
TRANSFORMER_FIELD_DIRECTIVES = frozenset(
    {"primaryKey", "index", "default", "hasOne", "hasMany", "belongsTo", "manyToMany", "searchable", "predictions",
     "mapsTo", "refersTo", "sql", "validate", "auth", "function", "http"}
)
EXTENSION_FIELD_DIRECTIVES = frozenset({"auth", "function", "http"})
"""The only transformer directives Amplify allows on fields of `extend type` (the rest have no handler there)."""

Locate = Callable[[object], SourceLocation | None]


def _arguments(directive: DirectiveNode) -> dict[str, object]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _names(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


class _Failures:
    """The errors found, kept apart from the checks so that the checks' parts can share `fail` without
    forming a reference cycle through the parsed document."""

    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.diagnostics: list[Diagnostic] = []

    def fail(self, node: object, message: str, code: str = "model.invalid") -> None:
        where = self.locate(node)
        location = {} if where is None else {"file": where.file, "line": where.line, "column": where.column}
        self.diagnostics.append(error(code, message, **location))


class _ModelChecks:
    def __init__(self, document: DocumentNode, locate: Locate, sub_username_claim: bool) -> None:
        failures = _Failures(locate)
        self.locate = locate
        self.fail = failures.fail
        self.sub_username_claim = sub_username_claim
        self.diagnostics = failures.diagnostics
        self.objects: dict[str, list[ObjectTypeDefinitionNode | ObjectTypeExtensionNode]] = {}
        self.leaf_types = set(SCALARS)
        self.enums: dict[str, set[str]] = {}
        for definition in document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode):
                self.enums[definition.name.value] = {v.name.value for v in definition.values or ()}
            if isinstance(definition, EnumTypeDefinitionNode | ScalarTypeDefinitionNode):
                self.leaf_types.add(definition.name.value)
            elif isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                self.objects.setdefault(definition.name.value, []).append(definition)
        self.models: set[str] = {
            name
            for name, nodes in self.objects.items()
            if any(_directive(n, "model") for n in nodes if isinstance(n, ObjectTypeDefinitionNode))
        }
        self.relations = RelationChecks(self.objects, self.models, failures.fail)

    def is_leaf(self, field: FieldDefinitionNode) -> bool:
        return base_type_name(field.type) in self.leaf_types and not is_list_type(field.type)

    def check(self) -> list[Diagnostic]:
        for name, nodes in self.objects.items():
            for node in nodes:
                model = name in self.models and isinstance(node, ObjectTypeDefinitionNode)
                searchable = _directive(node, "searchable")
                if searchable is not None and not model:
                    self.fail(searchable, "Types annotated with @searchable must also be annotated with @model.")
                if model and name in ROOT_TYPE_NAMES:
                    self.fail(
                        _directive(node, "model"),
                        f"'{name}' is a reserved type name and currently in use within the default schema element.",
                    )
                for field in node.fields or ():
                    if isinstance(node, ObjectTypeExtensionNode) and self.extension_field_refused(node, field):
                        continue
                    self.check_model_only(node, field)
                    self.check_validations(field, model)
                    self.relations.check(node, field, model)
                if model:
                    self.check_primary_key(node)  # type: ignore[arg-type]
                    self.check_indexes(node)  # type: ignore[arg-type]
        return self.diagnostics

    def extension_field_refused(self, node: ObjectTypeExtensionNode, field: FieldDefinitionNode) -> bool:
        refused: list[DirectiveNode] = [
            d for d in field.directives or ()
            if d.name.value in TRANSFORMER_FIELD_DIRECTIVES - EXTENSION_FIELD_DIRECTIVES
        ]
        for directive in refused:
            self.fail(directive, f"The '@{directive.name.value}' directive is not supported on fields of extended types")
        auth = _directive(field, "auth")
        if auth is not None and node.name.value not in ROOT_TYPE_NAMES:
            self.fail(
                auth,
                "The '@auth' directive cannot be used on fields of type extensions other than 'Query', 'Mutation', "
                f"and 'Subscription'. See {node.name.value}.{field.name.value}",
            )
            refused.append(auth)
        return bool(refused)

    def check_model_only(self, node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode, field: FieldDefinitionNode) -> None:
        if node.name.value in self.models:
            default = _directive(field, "default")
            if default is not None:
                problem = check_default(field, default, self.enums)
                if problem:
                    self.fail(default, problem)
            return
        for directive in field.directives or ():
            if directive.name.value in MODEL_ONLY:
                self.fail(
                    directive,
                    f"The @{directive.name.value} directive may only be added to object definitions annotated with @model.",
                )

    def check_validations(self, field: FieldDefinitionNode, model: bool) -> None:
        for directive in field.directives or ():
            if directive.name.value == "validate":
                problem = validate_problem(field, directive, on_model=model)
                if problem:
                    self.fail(directive, problem)

    def check_primary_key(self, node: ObjectTypeDefinitionNode) -> None:
        fields = {f.name.value: f for f in node.fields or ()}
        keyed = [(f, d) for f in node.fields or () for d in f.directives or () if d.name.value == "primaryKey"]
        for _field, directive in keyed[1:]:
            self.fail(directive, f"You may only supply one primary key on type '{node.name.value}'.")
        if not keyed:
            return
        field, directive = keyed[0]
        if not isinstance(field.type, NonNullTypeNode):
            self.fail(directive, f"The primary key on type '{node.name.value}' must reference non-null fields.")
        elif not self.is_leaf(field):
            self.fail(directive, f"The primary key on type '{node.name.value}.{field.name.value}' cannot be a non-scalar.")
        owner_fields = self.owner_fields(node)
        for sort_name in _names(_arguments(directive).get("sortKeyFields")):
            sort_field = fields.get(sort_name)
            if sort_field is None:
                self.fail(directive, f"Can't find field '{sort_name}' in {node.name.value}, but it was specified in the primary key.")
            elif not self.is_leaf(sort_field):
                self.fail(directive, f"The primary key's sort key on type '{node.name.value}.{sort_name}' cannot be a non-scalar.")
            elif not isinstance(sort_field.type, NonNullTypeNode):
                self.fail(directive, f"The primary key on type '{node.name.value}' must reference non-null fields.")
            elif sort_name in owner_fields:
                self.fail(
                    directive,
                    f"The primary key's sort key type '{sort_name}' cannot be used as an owner @auth field too. "
                    "Please use another field for the sort key.",
                )

    def owner_fields(self, node: ObjectTypeDefinitionNode) -> set[str]:
        """Owner fields of model-level owner rules whose identity claim is compound (`sub::username`).

        Amplify checks this only with `useSubUsernameForDefaultIdentityClaim` on, where the default claim is
        `sub::username`; an explicit single claim (`username`) is fine.
        """
        auth = _directive(node, "auth")
        if auth is None or not self.sub_username_claim:
            return set()
        rules = _arguments(auth).get("rules")
        found: set[str] = set()
        for rule in rules if isinstance(rules, list) else []:
            if isinstance(rule, dict) and rule.get("allow") == "owner":
                claim = str(rule.get("identityClaim") or "sub::username")
                if len(claim.split("::")) > 1:
                    found.add(str(rule.get("ownerField") or "owner"))
        return found

    def check_indexes(self, node: ObjectTypeDefinitionNode) -> None:
        fields = {f.name.value: f for f in node.fields or ()}
        primary = next(
            ((f, d) for f in node.fields or () for d in f.directives or () if d.name.value == "primaryKey"), None
        )
        seen: set[str] = set()
        for field in node.fields or ():
            for directive in field.directives or ():
                if directive.name.value != "index":
                    continue
                args = _arguments(directive)
                name = str(args.get("name") or "")
                if name and name in seen:
                    self.fail(directive, f"You may only supply one @index with the name '{name}' on type '{node.name.value}'.")
                seen.add(name)
                if primary is not None and primary[0] is field and not _names(_arguments(primary[1]).get("sortKeyFields")):
                    self.fail(
                        directive,
                        f"Invalid @index '{name}'. You may not create an index where the partition key is the same as "
                        "that of the primary key unless the primary key has a sort field. You cannot have a local "
                        "secondary index without a sort key in the primary key.",
                    )
                if not self.is_leaf(field):
                    self.fail(directive, f"Index '{name}' on type '{node.name.value}.{field.name.value}' cannot be a non-scalar.")
                for sort_name in _names(args.get("sortKeyFields")):
                    sort_field = fields.get(sort_name)
                    if sort_field is None:
                        self.fail(directive, f"Can't find field '{sort_name}' in {node.name.value}, but it was specified in index '{name}'.")
                    elif not self.is_leaf(sort_field):
                        self.fail(
                            directive,
                            f"The sort key of index '{name}' on type '{node.name.value}.{sort_name}' cannot be a non-scalar.",
                        )


def _directive(node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode | FieldDefinitionNode, name: str) -> DirectiveNode | None:
    return next((d for d in node.directives or () if d.name.value == name), None)


def validate_model_directives(document: DocumentNode, locate: Locate, *, sub_username_claim: bool) -> list[Diagnostic]:
    """Every rejection Amplify's model, key and relational transformers would make on this document."""
    return _ModelChecks(document, locate, sub_username_claim).check()


__all__ = ["validate_model_directives"]
