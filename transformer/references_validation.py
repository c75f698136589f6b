"""The rejections Amplify makes for `references:` relationships (`@hasOne`/`@hasMany`/`@belongsTo(references:)`).

In the order Amplify's references transformers check them, with their messages: `fields` and `references`
together; the number of references against the parent's primary key and each reference being a scalar or
enum field of the model that holds it; the relational field not required; and the relationship declared
from both sides (a `@belongsTo` with the same references for a `@hasOne`/`@hasMany`, and the reverse), the
reference fields typed like the parent's key (`ID` and `String` interchangeable).
"""

from __future__ import annotations

from transformer.diagnostics import Diagnostic, error
from transformer.schema_model import FieldType, ModelDef, ModelField, RelationKind

_SCALARS = frozenset({"ID", "String", "Int", "Float", "Boolean", "AWSDate", "AWSTime", "AWSDateTime", "AWSTimestamp",
                      "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress"})
_KEY_EQUIVALENT = frozenset({"ID", "String"})


def _where(field: ModelField) -> dict[str, object]:
    loc = field.location
    return {} if loc is None else {"file": loc.file, "line": loc.line, "column": loc.column}


def _key_type(model: ModelDef, name: str) -> FieldType:
    field = model.field(name)
    return field.type if field is not None else FieldType(name="ID", required=True)


def _same_key_type(a: str, b: str) -> bool:
    return a == b or (a in _KEY_EQUIVALENT and b in _KEY_EQUIVALENT)


def _associated(kind: RelationKind) -> tuple[RelationKind, ...]:
    if kind is RelationKind.BELONGS_TO:
        return (RelationKind.HAS_ONE, RelationKind.HAS_MANY)
    return (RelationKind.BELONGS_TO,)


def _problem(model: ModelDef, field: ModelField, models: dict[str, ModelDef], enums: frozenset[str]) -> str | None:
    relation = field.relation
    assert relation is not None
    name = relation.kind.value
    references = list(relation.references)
    related = models.get(relation.related_model)
    if relation.fields:
        return f"fields and references cannot be defined in the same {name}. Use 'references'"
    if related is None:
        return None
    parent, holder = (related, model) if relation.kind is RelationKind.BELONGS_TO else (model, related)
    if len(parent.primary_key) != len(references):
        return f"The number of references provided to @{name} must match the number of primary keys on {parent.name}."
    for reference in references:
        found = holder.field(reference)
        if found is None:
            return f"{reference} is not a field in {holder.name}"
        if found.type.is_list or (found.type.name not in _SCALARS and found.type.name not in enums):
            return f"All reference fields provided to @{name} must be scalar or enum fields."
    shown = f"[{related.name}]" if relation.kind is RelationKind.HAS_MANY else related.name
    described = f"{model.name}.{field.name}"
    if field.type.required:
        return f"@{name} fields must not be required. Change '{described}: {shown}!' to '{described}: {shown}'"
    if field.type.is_list and field.type.item_required:
        listed = f"[{related.name}!]" if relation.kind is RelationKind.HAS_MANY else f"{related.name}!"
        return f"@{name} fields must not be required. Change '{described}: {listed}' to '{described}: {shown}'"
    matching = [
        other for other in related.fields
        if other.type.name == model.name and other.relation is not None
        and other.relation.kind in _associated(relation.kind) and list(other.relation.references) == references
    ]
    if not matching:
        wanted = " or ".join(f"@{k.value}" for k in _associated(relation.kind))
        return (f"Uni-directional relationships are not supported. Add a {wanted} field in {related.name} to match "
                f"the @{name} field {described}, and ensure the number and type of reference fields match the number "
                f"and type of primary key fields in {parent.name}.")
    for key, reference in zip(parent.primary_key, references, strict=True):
        reference_field = holder.field(reference)
        assert reference_field is not None
        if not _same_key_type(_key_type(parent, key).name, reference_field.type.name):
            return (f"Type mismatch between primary key field(s) of {parent.name} and reference fields of "
                    f"{holder.name}. Type of {parent.name}.{key} does not match type of {holder.name}.{reference}")
    return None


def validate_references(models: dict[str, ModelDef], enums: frozenset[str]) -> list[Diagnostic]:
    """Every `references:` relationship Amplify rejects, at its field."""
    problems: list[Diagnostic] = []
    for model in models.values():
        for field in model.fields:
            if field.relation is None or not field.relation.references:
                continue
            message = _problem(model, field, models, enums)
            if message:
                problems.append(error("relation.references", message, **_where(field)))
    return problems
