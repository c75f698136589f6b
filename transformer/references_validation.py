"""Two rejections Amplify makes for `references:` relationships that `relation_validation.py` leaves out.

Amplify checks, in order: `fields` with `references`, the number of references against the parent's primary
key, each reference a scalar or enum field of the model that holds it, the relational field not required,
and the relationship declared from both sides with reference fields typed like the parent's key (`ID` and
`String` interchangeable). `relation_validation.py` reports the first, second and fifth's missing side; this
module reports, when those pass, a required relational field and a reference typed unlike the key, and an
`overrideIndexName` without `references`, with Amplify's messages.
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
    if relation.fields or related is None:
        return None
    parent, holder = (related, model) if relation.kind is RelationKind.BELONGS_TO else (model, related)
    if len(parent.primary_key) != len(references):
        return None
    for reference in references:
        found = holder.field(reference)
        if found is None:
            return None
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
        return None
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
            if field.relation is not None and field.relation.override_index_name and not field.relation.references:
                problems.append(error(
                    "relation.references",
                    f"overrideIndexName cannot be used on @belongsTo without references. Modify {model.name}."
                    f"{field.name} to use references or remove overrideIndexName.",
                    **_where(field),
                ))
            if field.relation is None or not field.relation.references:
                continue
            message = _problem(model, field, models, enums)
            if message:
                problems.append(error("relation.references", message, **_where(field)))
    return problems
