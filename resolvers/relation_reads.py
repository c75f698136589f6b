"""A relational field (`@hasOne`, `@hasMany`, `@belongsTo`, `@manyToMany`) read as Amplify's resolvers read it,
for the suite runner's python engine.

Amplify resolves the field with a DynamoDB Query on the related table (its key, or the index the relation
names) filtered by the related model's read rules, i.e. the related model's list decision:

* a list relation returns the items that pass the filter (`scannedCount` counts those the key matched);
* a single relation returns its record, null when there is none, and `Unauthorized` (naming the field and
  the parent type) when the record exists but the filter removes it;
* a caller who has no read rule on the related model at all gets `Unauthorized`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from resolvers.guards import (
    Decision,
    decide_list,
    field_visibility,
    owner_readback,
    owner_readback_fields,
    record_visible,
)
from resolvers.identity import Identity
from resolvers.server.guard_wrapping import relation_list_operation
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix
from transformer.relations import RelationRead, relation_read
from transformer.schema_model import ParsedSchema


@dataclass
class RelatedRead:
    allowed: bool
    value: Any = None
    message: str | None = None
    fields: dict[str, Any] | None = None
    field_errors: list[dict[str, Any]] = field(default_factory=list)
    decision: Decision | None = None


def default_selection(matrix: AccessMatrix, model: str) -> list[str]:
    """The leaf fields a suite selects by default: every scalar and enum field but the timestamps."""
    access = matrix.models[model]
    stamps = {name for name in access.timestamps.values() if name}
    return [f.name for f in access.fields if f.is_leaf and f.name not in stamps]


def lookup_of(schema: ParsedSchema, type_name: str, field_name: str) -> RelationRead | None:
    model = schema.models.get(type_name)
    return None if model is None else relation_read(schema, model, field_name)


def read_related(
    matrix: AccessMatrix,
    lookup: RelationRead,
    identity: Identity,
    env: AuthEnvironment,
    source: Mapping[str, Any],
    records_of: Callable[[str], list[dict[str, Any]]],
    path: list[Any],
) -> RelatedRead:
    """The field's value for `identity` on `source`, what a client selecting the related record's
    default fields receives, and the errors on them (`path` is the field's response path)."""
    refused = f"Not Authorized to access {lookup.field} on type {lookup.model}"
    values = [source.get(name) for name in lookup.source_fields]
    if any(v is None for v in values):
        return RelatedRead(allowed=True)
    list_key = relation_list_operation(matrix, lookup.related)
    if list_key is None:
        return RelatedRead(allowed=False, message=refused)
    decision = decide_list(matrix, list_key, identity, env)
    if not decision.allowed:
        return RelatedRead(allowed=False, message=refused, decision=decision)
    matched = [r for r in records_of(lookup.related)
               if all(r.get(name) == value for name, value in zip(lookup.match_fields, values, strict=True))]
    visible = [r for r in matched if record_visible(decision.filter, r)]
    if lookup.many:
        visible.sort(key=lambda r: tuple(str(r.get(name)) for name in lookup.sort_fields))
        page = {"items": visible[: lookup.limit], "scannedCount": len(matched), "nextToken": None}
        return RelatedRead(allowed=True, value=page, fields={"nextToken": None}, decision=decision)
    if not visible:
        if matched:
            return RelatedRead(allowed=False, message=refused, decision=decision)
        return RelatedRead(allowed=True, decision=decision)
    record = visible[0]
    fields, errors = selected_values(matrix, lookup.related, identity, env, record, path)
    return RelatedRead(allowed=True, value=record, fields=fields, field_errors=errors, decision=decision)


def selected_values(
    matrix: AccessMatrix, model: str, identity: Identity, env: AuthEnvironment, record: Mapping[str, Any],
    path: list[Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The default selection of a related record through its own field rules and owner read-back."""
    visibility = field_visibility(matrix, model, identity, record, from_mutation=False, env=env)
    readback = owner_readback_fields(matrix, model)
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in default_selection(matrix, model):
        value = None if name in visibility.hidden else record.get(name)
        values[name] = owner_readback(value) if name in readback else value
        if name in visibility.errors:
            errors.append({"path": [*path, name], "errorType": "Unauthorized",
                           "message": f"Not Authorized to access {name} on type {model}"})
    return values, errors
