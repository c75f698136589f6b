"""The parsed input schema: `@model` types with their fields, keys, relations and `@auth` rules."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from transformer.field_validation import FieldValidation
from transformer.rules import AuthRule, SourceLocation


class FieldType(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    is_list: bool = False
    required: bool = False
    item_required: bool = False

    def sdl(self, *, required: bool | None = None) -> str:
        """The type as SDL; `required=False` drops the outer `!` (for inputs and filters)."""
        outer = self.required if required is None else required
        inner = f"{self.name}!" if self.is_list and self.item_required else self.name
        text = f"[{inner}]" if self.is_list else inner
        return f"{text}!" if outer else text


class RelationKind(StrEnum):
    HAS_ONE = "hasOne"
    HAS_MANY = "hasMany"
    BELONGS_TO = "belongsTo"
    MANY_TO_MANY = "manyToMany"


class Relation(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: RelationKind
    related_model: str
    fields: tuple[str, ...] = ()
    index_name: str | None = None
    relation_name: str | None = None
    limit: int = 100
    references: tuple[str, ...] = ()
    override_index_name: str | None = None
    """`@belongsTo(references:, overrideIndexName:)`: the name of the GSI the parent's relation reads."""
    """`references:` (Gen 2 style): the related model's fields (hasOne/hasMany) or this model's fields
    (belongsTo) that hold the parent's primary key; no implicit foreign key is added."""


class IndexDef(BaseModel):
    """A `@index` on a field: a secondary key and, with `queryField`, a Query field."""

    model_config = ConfigDict(frozen=True)

    name: str
    partition_field: str
    sort_key_fields: tuple[str, ...] = ()
    query_field: str | None = None


class ModelField(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type: FieldType
    is_leaf: bool = True
    """A scalar or enum (stored); False for object types (relations, non-model types)."""
    rules: tuple[AuthRule, ...] | None = None
    """Field-level `@auth`: replaces the model's rules for this field. None when absent."""
    relation: Relation | None = None
    default: str | None = None
    validations: tuple[FieldValidation, ...] = ()
    """`@validate` checks, in the order written (create and update inputs must pass them)."""
    location: SourceLocation | None = None


class ModelDef(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    fields: tuple[ModelField, ...]
    rules: tuple[AuthRule, ...] | None
    """Model-level `@auth` rules; None when the type has no `@auth` (deny unless sandbox mode)."""
    primary_key: tuple[str, ...] = ("id",)
    """Partition key field first, then the sort key fields."""
    primary_key_declared: bool = False
    """`@primaryKey` is written (also on a plain `id`, which still changes the key arguments of the operations)."""
    indexes: tuple[IndexDef, ...] = ()
    query_names: dict[str, str | None] | None = None
    """`@model(queries:)`: None for Amplify's default names; a map names only the fields generated."""
    mutation_names: dict[str, str | None] | None = None
    subscription_level: str = "on"
    declared_subscription_level: str | None = None
    """The `level` that `@model(subscriptions: {level: ...})` names; None when it names none (then Amplify's
    field-rule checks treat subscriptions as on, even for `subscriptions: null`)."""
    subscription_names: dict[str, tuple[str, ...]] = {}
    timestamps: dict[str, str | None] = {"createdAt": "createdAt", "updatedAt": "updatedAt"}
    location: SourceLocation | None = None
    join_of: tuple[str, str] | None = None
    search_query: str | None = None
    """`@searchable`: the search query's name (None: not searchable, or `queries` names no search)."""
    """For the join model of a `@manyToMany` relation: the two models it joins (None for declared models)."""

    def field(self, name: str) -> ModelField | None:
        return next((f for f in self.fields if f.name == name), None)

    def all_rules(self) -> list[AuthRule]:
        """The model's rules, then every field-level rule."""
        return [*(self.rules or ())] + [r for f in self.fields for r in f.rules or ()]


class NonModelFieldRules(BaseModel):
    """`@auth` on a field of a type without `@model` (e.g. a custom Query): static rules only."""

    model_config = ConfigDict(frozen=True)

    type_name: str
    field_name: str
    rules: tuple[AuthRule, ...]


class ParsedSchema(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    sdl: str
    models: dict[str, ModelDef]
    non_model_field_rules: tuple[NonModelFieldRules, ...] = ()
    enums: frozenset[str] = frozenset()
    non_model_types: frozenset[str] = frozenset()
    global_public_rule: SourceLocation | None = None
    """Where the starter schema's `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }` is
    (it asks for sandbox mode); None without it."""
    respect_primary_key_attributes: bool = True
    """Amplify's `respectPrimaryKeyAttributesOnConnectionField`, which names the implicit foreign keys
    (`transformer.relations`) and the `@manyToMany` join model's keys: part of how the schema reads."""

    def all_rules(self) -> list[AuthRule]:
        """Every rule: model-level, field-level, and on fields of non-model types, in schema order."""
        rules: list[AuthRule] = []
        for model in self.models.values():
            rules.extend(model.all_rules())
        for extra in self.non_model_field_rules:
            rules.extend(extra.rules)
        return rules

    def rules_naming_group(self, group: str) -> list[AuthRule]:
        return [r for r in self.all_rules() if r.groups and group in r.groups]
