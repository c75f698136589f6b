"""`@manyToMany(relationName:)`: the join model Amplify's transformer v2 generates, as an ordinary model.

Two fields, one on each model, name the same relation. Amplify then behaves as if the schema said:

    type PostTags @model @auth(rules: [<Post's model rules>, <Tag's model rules>]) {
      id: ID!
      postId: ID! @index(name: "byPost", sortKeyFields: [<"post" + Post's sort keys>])
      tagId: ID! @index(name: "byTag", ...)
      post: Post! @hasOne(fields: ["postId", ...])
      tag: Tag! @hasOne(fields: ["tagId", ...])
    }

and each `@manyToMany` field becomes `@hasMany(indexName: "byPost", fields: [<Post's key>])` to the join
model. Expanding it here, in the parsed model, lets the matrix, the output schema, the templates, the
store and `serve` treat the join model like any other. Only model-level `@auth` rules are carried over
(Amplify copies the two `@auth` directives of the types, never field rules).
"""

from __future__ import annotations

import re

from transformer.diagnostics import Diagnostic, error
from transformer.naming import index_query_name, lower_first, upper_first
from transformer.rules import AuthRule, SourceLocation
from transformer.schema_model import FieldType, IndexDef, ModelDef, ModelField, Relation, RelationKind


def join_model_name(relation_name: str) -> str:
    """Amplify's `graphqlName(toUpper(relationName))`: characters a GraphQL name cannot hold are dropped."""
    return re.sub(r"^[^_A-Za-z]+|[^_0-9A-Za-z]", "", upper_first(relation_name))


def connection_attribute(model_field_name: str, key_field: str, respect_primary_key: bool = True) -> str:
    """`getManyToManyConnectionAttributeName`: after the primary key attribute (`postSlug`), or, with
    `respectPrimaryKeyAttributesOnConnectionField` off, `<model>ID` whatever the key is called."""
    return f"{lower_first(model_field_name)}{upper_first(key_field) if respect_primary_key else 'ID'}"


def _where(location: SourceLocation | None) -> dict[str, object]:
    if location is None:
        return {}
    return {"file": location.file, "line": location.line, "column": location.column}


def _key_type(model: ModelDef, name: str) -> str:
    field = model.field(name)
    return field.type.name if field is not None else "ID"


class _Side:
    """One `@manyToMany` field: the model holding it, the field, and the join model's names for it."""

    def __init__(self, model: ModelDef, field: ModelField, respect_primary_key: bool = True) -> None:
        self.model = model
        self.field = field
        self.respect_primary_key = respect_primary_key
        self.attribute = lower_first(model.name)
        pk = model.primary_key
        self.id_field = connection_attribute(self.attribute, pk[0], respect_primary_key)
        self.sort_fields = [f"{self.attribute}{sk}" for sk in pk[1:]]
        self.index_name = f"by{model.name}"

    def key_fields(self) -> list[ModelField]:
        pk = self.model.primary_key
        fields = [ModelField(name=self.id_field, type=FieldType(name=_key_type(self.model, pk[0]), required=True))]
        fields += [
            ModelField(name=name, type=FieldType(name=_key_type(self.model, sk), required=True))
            for name, sk in zip(self.sort_fields, pk[1:], strict=True)
        ]
        return fields

    def index(self, join: str) -> IndexDef:
        return IndexDef(
            name=self.index_name,
            partition_field=self.id_field,
            sort_key_fields=tuple(self.sort_fields),
            query_field=index_query_name(join, [self.id_field, *self.sort_fields]),
        )

    def reference_field(self) -> ModelField:
        return ModelField(
            name=self.attribute,
            type=FieldType(name=self.model.name, required=True),
            is_leaf=False,
            relation=Relation(
                kind=RelationKind.HAS_ONE,
                related_model=self.model.name,
                fields=(self.id_field, *self.sort_fields),
            ),
        )


def _join_model(name: str, one: _Side, two: _Side) -> ModelDef:
    rules: tuple[AuthRule, ...] | None = None
    if one.model.rules is not None or two.model.rules is not None:
        rules = (*(one.model.rules or ()), *(two.model.rules or ()))
    fields = [
        ModelField(name="id", type=FieldType(name="ID", required=True)),
        *one.key_fields(),
        *two.key_fields(),
        one.reference_field(),
        two.reference_field(),
    ]
    return ModelDef(
        name=name,
        fields=tuple(fields),
        rules=rules,
        indexes=(one.index(name), two.index(name)),
        location=one.field.location,
        join_of=(one.model.name, two.model.name),
    )


def _as_has_many(side: _Side, join: str) -> ModelField:
    relation = side.field.relation
    assert relation is not None
    return side.field.model_copy(
        update={
            "type": side.field.type.model_copy(update={"name": join}),
            "relation": Relation(
                kind=RelationKind.HAS_MANY,
                related_model=join,
                fields=tuple(side.model.primary_key),
                index_name=side.index_name,
                relation_name=relation.relation_name,
                limit=relation.limit,
            ),
        }
    )


def expand_many_to_many(
    models: dict[str, ModelDef], *, respect_primary_key_attributes: bool = True
) -> tuple[dict[str, ModelDef], list[Diagnostic]]:
    """The models with one join model per relation name and the `@manyToMany` fields turned into
    `@hasMany` to it; Amplify's errors for relations it rejects (the models are returned unchanged)."""
    by_name: dict[str, list[_Side]] = {}
    problems: list[Diagnostic] = []
    for model in models.values():
        for field in model.fields:
            relation = field.relation
            if relation is None or relation.kind is not RelationKind.MANY_TO_MANY:
                continue
            if not field.type.is_list:
                problems.append(error("manyToMany.list", "@manyToMany must be used with a list.", **_where(field.location)))
                continue
            by_name.setdefault(relation.relation_name or "", []).append(
                _Side(model, field, respect_primary_key_attributes)
            )
    if not by_name:
        return models, problems
    joins: dict[str, tuple[_Side, _Side]] = {}
    for relation_name, sides in by_name.items():
        where = _where(sides[0].field.location)
        if len(sides) != 2:
            problems.append(
                error(
                    "manyToMany.occurrences",
                    f"relationNames should have 2 occurrences. '{relation_name}' has '{len(sides)}' occurrences",
                    **where,
                )
            )
            continue
        one, two = sides
        join = join_model_name(relation_name)
        for side, other in ((one, two), (two, one)):
            if side.field.type.name != other.model.name:
                problems.append(
                    error(
                        "manyToMany.type",
                        f"@manyToMany relation '{join}' expects '{side.field.type.name}' but got '{other.model.name}'.",
                        **_where(side.field.location),
                    )
                )
        if one.model.name == two.model.name:
            problems.append(
                error(
                    "manyToMany.self",
                    f"You may only supply one @index with the name 'by{one.model.name}' on type '{join}'.",
                    **where,
                )
            )
        if join in models:
            problems.append(
                error(
                    "manyToMany.name",
                    f"@manyToMany relation name '{join}' (derived from '{relation_name}') already exists as a type "
                    "in the schema.",
                    **where,
                )
            )
        joins[join] = (one, two)
    if problems:
        return models, problems
    replaced: dict[tuple[str, str], ModelField] = {}
    for join, (one, two) in joins.items():
        for side in (one, two):
            replaced[(side.model.name, side.field.name)] = _as_has_many(side, join)
    expanded = {
        name: model.model_copy(
            update={"fields": tuple(replaced.get((name, f.name), f) for f in model.fields)}
        )
        for name, model in models.items()
    }
    for join, (one, two) in joins.items():
        expanded[join] = _join_model(join, _side_in(expanded, one), _side_in(expanded, two))
    return expanded, []


def _side_in(models: dict[str, ModelDef], side: _Side) -> _Side:
    model = models[side.model.name]
    field = model.field(side.field.name)
    assert field is not None
    return _Side(model, field, side.respect_primary_key)
