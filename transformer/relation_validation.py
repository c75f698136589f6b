"""The checks Amplify's relational transformer makes on `@hasOne`, `@hasMany` and `@belongsTo`.

Each rejection keeps Amplify's message: the directive on a non-model type or towards one, list shapes,
`fields` that do not exist or do not match the related key's types, `indexName` that the related model does
not define, `references` that do not exist, do not match the key's length, or have no matching field on the
other side (Amplify refuses uni-directional `references` relations), and `fields` with `references`.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import (
    DirectiveNode,
    FieldDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    value_from_ast_untyped,
)

from transformer.sdl_reading import base_type_name, is_list_type

RELATIONAL = ("hasOne", "hasMany", "belongsTo")
ObjectNode = ObjectTypeDefinitionNode | ObjectTypeExtensionNode
Fail = Callable[[object, str], None]


def names(value: object) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def arguments(directive: DirectiveNode) -> dict[str, object]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


class RelationChecks:
    def __init__(self, objects: dict[str, list[ObjectNode]], models: set[str], fail: Fail) -> None:
        self.objects = objects
        self.models = models
        self.fail = fail

    def fields_of(self, type_name: str) -> dict[str, FieldDefinitionNode]:
        return {f.name.value: f for node in self.objects.get(type_name, []) for f in node.fields or ()}

    def key_of(self, type_name: str, index_name: str | None) -> tuple[str, list[str]] | None:
        """The partition and sort fields of a model's primary key (`id` by default) or of its named index."""
        for field in self.fields_of(type_name).values():
            for directive in field.directives or ():
                args = arguments(directive)
                wanted = (
                    directive.name.value == "index" and args.get("name") == index_name
                    if index_name
                    else directive.name.value == "primaryKey"
                )
                if wanted:
                    return field.name.value, names(args.get("sortKeyFields"))
        return None if index_name else ("id", [])

    def check(self, node: ObjectNode, field: FieldDefinitionNode, model: bool) -> None:
        for directive in field.directives or ():
            kind = directive.name.value
            if kind in RELATIONAL:
                self.check_one(node, field, directive, kind, model)

    def check_one(self, node: ObjectNode, field: FieldDefinitionNode, directive: DirectiveNode, kind: str, model: bool) -> None:
        if not model:
            self.fail(directive, f"@{kind} must be on an @model object type field.")
            return
        related = base_type_name(field.type)
        if related not in self.models:
            self.fail(directive, f"Object type {related} must be annotated with @model.")
            return
        listed = is_list_type(field.type)
        if kind == "hasOne" and listed:
            self.fail(directive, "@hasOne cannot be used with lists. Use @hasMany instead.")
        elif kind == "belongsTo" and listed:
            self.fail(directive, "@belongsTo cannot be used with lists.")
        elif kind == "hasMany" and not listed:
            self.fail(directive, "@hasMany must be used with a list. Use @hasOne for non-list types.")
        args = arguments(directive)
        fields, references = names(args.get("fields")), names(args.get("references"))
        if "fields" in args and "references" in args:
            self.fail(directive, f"fields and references cannot be defined in the same {kind}. Use 'references'")
            return
        if "references" in args:
            self.check_references(node, field, directive, kind, related, references)
            return
        self.check_fields(node, field, directive, kind, related, fields, args)
        if kind == "belongsTo" and not self.points_back(related, node.name.value):
            self.fail(directive, f"{related} must have a relationship with {node.name.value} in order to use @belongsTo.")

    def check_fields(
        self,
        node: ObjectNode,
        field: FieldDefinitionNode,
        directive: DirectiveNode,
        kind: str,
        related: str,
        fields: list[str],
        args: dict[str, object],
    ) -> None:
        own = self.fields_of(node.name.value)
        missing = [name for name in fields if name not in own]
        for name in missing:
            self.fail(directive, f"{name} is not a field in {node.name.value}")
        index_name = str(args["indexName"]) if kind == "hasMany" and args.get("indexName") else None
        key = self.key_of(related, index_name)
        if key is None:
            self.fail(directive, f"Index {index_name} does not exist for model {related}")
            return
        if missing or not fields:
            return
        related_fields = self.fields_of(related)
        partition, sort = key
        if len(fields) > 1 and len(sort) != len(fields) - 1:
            self.fail(directive, f"Invalid @{kind} directive on {field.name.value}. Partial sort keys are not accepted.")
            return
        for name, key_name in zip(fields, [partition, *sort], strict=False):
            expected = related_fields.get(key_name)
            if expected is not None and base_type_name(own[name].type) != base_type_name(expected.type):
                self.fail(directive, f"{name} field is not of type {base_type_name(expected.type)}")
                return

    def check_references(
        self, node: ObjectNode, field: FieldDefinitionNode, directive: DirectiveNode, kind: str, related: str, references: list[str]
    ) -> None:
        holder = node.name.value if kind == "belongsTo" else related
        keyed = related if kind == "belongsTo" else node.name.value
        holder_fields = self.fields_of(holder)
        key = self.key_of(keyed, None) or ("id", [])
        if len([key[0], *key[1]]) != len(references):
            self.fail(directive, f"The number of references provided to @{kind} must match the number of primary keys on {keyed}.")
            return
        for reference in references:
            if reference not in holder_fields:
                self.fail(directive, f"{reference} is not a field in {holder}")
                return
        partners = ("hasOne", "hasMany") if kind == "belongsTo" else ("belongsTo",)
        matched = any(
            base_type_name(other.type) == node.name.value
            and any(d.name.value in partners and names(arguments(d).get("references")) == references for d in other.directives or ())
            for other in self.fields_of(related).values()
        )
        if not matched:
            wanted = " or ".join(f"@{p}" for p in partners)
            self.fail(
                directive,
                f"Uni-directional relationships are not supported. Add a {wanted} field in {related} to match the "
                f"@{kind} field {node.name.value}.{field.name.value}, and ensure the number and type of reference "
                f"fields match the number and type of primary key fields in {keyed}.",
            )

    def points_back(self, related: str, model: str) -> bool:
        """Whether `related` has a `@hasOne` or `@hasMany` field of type `model` (a bi-directional relation)."""
        return any(
            base_type_name(f.type) == model and any(d.name.value in {"hasOne", "hasMany"} for d in f.directives or ())
            for f in self.fields_of(related).values()
        )


__all__ = ["RelationChecks"]
