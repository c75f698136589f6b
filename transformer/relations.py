"""The implicit relational fields Amplify's transformer v2 adds for `@hasMany`, `@hasOne` and `@belongsTo`.

A relation declared without `fields` stores its foreign key in a field the user never wrote:

* `Post.comments: [Comment] @hasMany` adds `postCommentsId` (plus one field per sort key of Post) to
  Comment, its create/update inputs and its filter/condition inputs, and a GSI over it;
* `Project.team: Team @hasOne` adds `projectTeamId` to Project itself;
* `Team.project: Project @belongsTo` reuses the hasMany's field when Project has `@hasMany` to Team, and
  behaves like a hasOne (adding `teamProjectId` to Team) when Project has `@hasOne` to Team. When Project
  has both, the first of its fields to Team decides (`belongs_to_counterpart`), as in Amplify.

The names follow Amplify's `getConnectionAttributeName`: camelCase of (model, field, key field), with
the primary key attribute respected (`respectPrimaryKeyAttributesOnConnectionField`, Amplify's default
for new projects). With that parameter off (`ParsedSchema.respect_primary_key_attributes`, many Gen 1
projects), the partition key's field is `<model><Field>Id` of type `ID` whatever the key is called, the
sort key fields keep their names, and the `@hasMany` GSI has no sort key: the children are queried by the
partition key value alone. `@manyToMany` is expanded into a join model by `transformer.many_to_many`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transformer.schema_model import FieldType, ModelDef, ModelField, ParsedSchema, RelationKind


def camel_case(words: list[str]) -> str:
    """Amplify's `toCamelCase`: first word lower-first, the others upper-first, joined."""
    parts = [w[:1].lower() + w[1:] if i == 0 else w[:1].upper() + w[1:] for i, w in enumerate(words)]
    return "".join(parts)


@dataclass(frozen=True)
class ConnectionField:
    """One generated foreign-key field: where it lives, its type, and the relation that needs it."""

    model: str
    name: str
    type: FieldType
    source_model: str
    source_field: str
    kind: RelationKind
    is_sort_key: bool = False


@dataclass(frozen=True)
class HasManyKey:
    """The key the related model is queried by for a `@hasMany` field: partition field then sort fields."""

    partition: str
    sort: tuple[tuple[str, FieldType], ...]


def key_field_type(model: ModelDef, name: str) -> FieldType:
    field = model.field(name)
    if field is not None:
        return FieldType(name=field.type.name)
    return FieldType(name="ID")


def sort_key_fields(model: ModelDef) -> list[tuple[str, FieldType]]:
    return [(name, key_field_type(model, name)) for name in model.primary_key[1:]]


def partition_connection_name(schema: ParsedSchema, model: str, field: str, key: str) -> str:
    """The implicit foreign key that holds the partition key value (`getConnectionAttributeName`)."""
    return camel_case([model, field, key if schema.respect_primary_key_attributes else "id"])


def partition_connection_type(schema: ParsedSchema, related: ModelDef, key: str, required: bool) -> FieldType:
    name = key_field_type(related, key).name if schema.respect_primary_key_attributes else "ID"
    return FieldType(name=name, required=required)


def _add(found: dict[str, list[ConnectionField]], field: ConnectionField) -> None:
    existing = found.setdefault(field.model, [])
    if all(f.name != field.name for f in existing):
        existing.append(field)


def _has_one_fields(
    schema: ParsedSchema, holder: ModelDef, field_name: str, related: ModelDef, required: bool, kind: RelationKind
) -> list[ConnectionField]:
    pk = related.primary_key[0]
    fields = [
        ConnectionField(
            model=holder.name,
            name=partition_connection_name(schema, holder.name, field_name, pk),
            type=partition_connection_type(schema, related, pk, required),
            source_model=holder.name,
            source_field=field_name,
            kind=kind,
        )
    ]
    for sk_name, sk_type in sort_key_fields(related):
        fields.append(
            ConnectionField(
                model=holder.name,
                name=camel_case([holder.name, field_name, sk_name]),
                type=FieldType(name=sk_type.name, required=required),
                source_model=holder.name,
                source_field=field_name,
                kind=kind,
                is_sort_key=True,
            )
        )
    return fields


def _has_many_fields(
    schema: ParsedSchema, parent: ModelDef, field_name: str, child: ModelDef, required: bool
) -> list[ConnectionField]:
    pk = parent.primary_key[0]
    fields = [
        ConnectionField(
            model=child.name,
            name=partition_connection_name(schema, parent.name, field_name, pk),
            type=partition_connection_type(schema, parent, pk, required),
            source_model=parent.name,
            source_field=field_name,
            kind=RelationKind.HAS_MANY,
        )
    ]
    for sk_name, sk_type in sort_key_fields(parent):
        fields.append(
            ConnectionField(
                model=child.name,
                name=camel_case([parent.name, field_name, sk_name]),
                type=FieldType(name=sk_type.name, required=required),
                source_model=parent.name,
                source_field=field_name,
                kind=RelationKind.HAS_MANY,
                is_sort_key=True,
            )
        )
    return fields


def belongs_to_counterpart(related: ModelDef, holder: str) -> ModelField | None:
    """The field of `related` that a `@belongsTo` on `holder` pairs with: Amplify takes the first field of
    the related model, in the order written, that is a `@hasOne` or `@hasMany` to `holder`. A `@hasOne`
    there makes the `@belongsTo` keep its own foreign key; a `@hasMany` lends it that field's key."""
    return next(
        (f for f in related.fields if f.relation is not None and f.relation.related_model == holder
         and f.relation.kind in (RelationKind.HAS_ONE, RelationKind.HAS_MANY)),
        None,
    )


def _belongs_to_pairs_with_has_many(schema: ParsedSchema, related: str, holder: str) -> bool:
    model = schema.models.get(related)
    counterpart = None if model is None else belongs_to_counterpart(model, holder)
    return counterpart is not None and counterpart.relation is not None and counterpart.relation.kind is RelationKind.HAS_MANY


def connection_fields(schema: ParsedSchema) -> dict[str, list[ConnectionField]]:
    """Model name -> its implicit foreign-key fields, in the order Amplify appends them.

    Amplify runs the hasMany transformer over every model first, then hasOne, then belongsTo, so
    that is the order here too. Relations with explicit `fields` add nothing.
    """
    found: dict[str, list[ConnectionField]] = {}
    for kind in (RelationKind.HAS_MANY, RelationKind.HAS_ONE, RelationKind.BELONGS_TO):
        for model in schema.models.values():
            for field in model.fields:
                relation = field.relation
                if relation is None or relation.kind is not kind or relation.fields or relation.references:
                    continue
                related = schema.models.get(relation.related_model)
                if related is None:
                    continue
                if kind is RelationKind.HAS_MANY:
                    if relation.index_name:
                        continue
                    for extra in _has_many_fields(schema, model, field.name, related, field.type.required):
                        _add(found, extra)
                elif kind is RelationKind.HAS_ONE or not _belongs_to_pairs_with_has_many(schema, related.name, model.name):
                    for extra in _has_one_fields(schema, model, field.name, related, field.type.required, kind):
                        _add(found, extra)
    return found


def implicit_fields_for(schema: ParsedSchema, model_name: str) -> list[ConnectionField]:
    """The implicit foreign-key fields of one model (what the store must keep and inputs accept)."""
    return connection_fields(schema).get(model_name, [])


def has_many_key(schema: ParsedSchema, parent: ModelDef, field_name: str) -> HasManyKey | None:
    """How the child of a `@hasMany` is looked up: the GSI Amplify creates, or the index/primary key named."""
    field = parent.field(field_name)
    if field is None or field.relation is None:
        return None
    relation = field.relation
    child = schema.models.get(relation.related_model)
    if child is None:
        return None
    if relation.references:
        return HasManyKey(
            partition=relation.references[0],
            sort=tuple((name, key_field_type(child, name)) for name in relation.references[1:]),
        )
    if relation.index_name:
        index = next((i for i in child.indexes if i.name == relation.index_name), None)
        if index is None:
            return None
        return HasManyKey(
            partition=index.partition_field,
            sort=tuple((name, key_field_type(child, name)) for name in index.sort_key_fields),
        )
    if relation.fields:
        return HasManyKey(partition=child.primary_key[0], sort=tuple(sort_key_fields(child)))
    partition = partition_connection_name(schema, parent.name, field_name, parent.primary_key[0])
    if not schema.respect_primary_key_attributes:
        return HasManyKey(partition=partition, sort=())
    return HasManyKey(
        partition=partition,
        sort=tuple(
            (camel_case([parent.name, field_name, name]), ftype) for name, ftype in sort_key_fields(parent)
        ),
    )


__all__ = [
    "ConnectionField",
    "HasManyKey",
    "belongs_to_counterpart",
    "camel_case",
    "connection_fields",
    "has_many_key",
    "implicit_fields_for",
    "partition_connection_name",
    "sort_key_fields",
]


@dataclass(frozen=True)
class RelationRead:
    model: str
    field: str
    kind: RelationKind
    related: str
    match_fields: tuple[str, ...]
    """Fields of the related model (its key or index fields) to match."""
    source_fields: tuple[str, ...]
    """Fields of the source record whose values they must equal."""
    index: str | None = None
    """The related table's index to query (None: its primary key)."""
    sort_fields: tuple[str, ...] = ()
    limit: int = 100
    related_key: tuple[str, ...] = ()
    """The related model's primary key (single relations query it exactly when they match all of it)."""
    creates_index: bool = False
    """The relation needs a GSI the transform adds to the related table (`references:` reads)."""

    @property
    def many(self) -> bool:
        return self.kind is RelationKind.HAS_MANY


def _references_read(common: dict[str, Any], model: ModelDef, related: ModelDef, references: tuple[str, ...],
                     limit: int) -> RelationRead:
    """`references:`: hasOne/hasMany query a GSI of the related model (`gsi-<Model>.<field>`, or the
    `overrideIndexName` of the matching `@belongsTo`) on the referencing fields with this model's primary
    key; belongsTo reads the parent by its key from those fields."""
    if common["kind"] is RelationKind.BELONGS_TO:
        return RelationRead(**common, match_fields=common["related_key"][: len(references)], source_fields=references)
    override = next((f.relation.override_index_name for f in related.fields
                     if f.relation is not None and f.relation.kind is RelationKind.BELONGS_TO
                     and f.relation.related_model == model.name and f.relation.references == references
                     and f.relation.override_index_name), None)
    index = override or implicit_index_name(model.name, common["field"])
    if common["kind"] is RelationKind.HAS_MANY:
        return RelationRead(**common, match_fields=references[:1], source_fields=tuple(model.primary_key[:1]),
                            index=index, sort_fields=references[1:], limit=limit, creates_index=True)
    return RelationRead(**common, match_fields=references, source_fields=tuple(model.primary_key[: len(references)]),
                        index=index, creates_index=True)


def implicit_index_name(model: str, field: str) -> str:
    return f"gsi-{model}.{field}"


def relation_read(schema: ParsedSchema, model: ModelDef, field_name: str) -> RelationRead | None:
    field = model.field(field_name)
    if field is None or field.relation is None:
        return None
    relation = field.relation
    related = schema.models.get(relation.related_model)
    if related is None:
        return None
    common: dict[str, Any] = {"model": model.name, "field": field_name, "kind": relation.kind, "related": related.name,
              "related_key": tuple(related.primary_key)}
    if relation.references:
        return _references_read(common, model, related, relation.references, relation.limit)
    if relation.kind is RelationKind.HAS_MANY:
        key = has_many_key(schema, model, field_name)
        if key is None:
            return None
        if relation.index_name:
            index: str | None = relation.index_name
        elif relation.fields:
            index = None
        else:
            index = implicit_index_name(model.name, field_name)
        source = tuple(relation.fields) or tuple(model.primary_key)
        sort = tuple(name for name, _ in key.sort)
        if index is not None and not relation.index_name and sort:
            # Amplify's implicit hasMany query names the parent's whole key: the sort key fields exactly too.
            return RelationRead(**common, match_fields=(key.partition, *sort), source_fields=source, index=index,
                                sort_fields=sort, limit=relation.limit)
        return RelationRead(**common, match_fields=(key.partition,), source_fields=source[:1], index=index,
                            sort_fields=sort, limit=relation.limit)
    if relation.fields:
        return RelationRead(**common, match_fields=tuple(related.primary_key[: len(relation.fields)]),
                            source_fields=tuple(relation.fields))
    pk = related.primary_key
    if relation.kind is RelationKind.BELONGS_TO:
        counterpart = belongs_to_counterpart(related, model.name)
        if (counterpart is not None and counterpart.relation is not None
                and counterpart.relation.kind is RelationKind.HAS_MANY
                and not counterpart.relation.fields and not counterpart.relation.index_name):
            return RelationRead(**common, match_fields=tuple(pk),
                                source_fields=_connection_names(schema, related.name, counterpart.name, pk))
    return RelationRead(**common, match_fields=tuple(pk), source_fields=_connection_names(schema, model.name, field_name, pk))


def _connection_names(schema: ParsedSchema, holder: str, field: str, key: tuple[str, ...]) -> tuple[str, ...]:
    """The implicit foreign keys holding each attribute of a related model's primary key, in key order."""
    return (partition_connection_name(schema, holder, field, key[0]),
            *(camel_case([holder, field, name]) for name in key[1:]))
