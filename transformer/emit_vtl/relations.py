"""Relational fields (`@hasMany`, `@hasOne`, `@belongsTo`): how each finds its records, and its resolver.

A relational read is governed by the related model's read rules (those of its list query), applied
as an auth filter: records outside it are left out (never an error); a caller no rule admits gets
`Not Authorized to access <field> on type <Model>`. `@hasMany` queries the related table on the
index the relation names, on its primary key (`fields`), or on the GSI Amplify creates for the
implicit connection field (`gsi-<Model>.<field>`); `@hasOne` / `@belongsTo` query the related
table on its primary key.
"""

from __future__ import annotations

from dataclasses import dataclass

from transformer.emit_vtl.data_dynamodb import (
    DEFAULT_LIST_LIMIT,
    emit_caller_filter,
    emit_key_condition,
    emit_paging,
    emit_request_filter,
    get_response,
    list_response,
)
from transformer.emit_vtl.vtl import MAPPING_VERSION, VtlWriter, q
from transformer.matrix import AccessMatrix, OperationKind
from transformer.relations import camel_case, has_many_key
from transformer.rules import Operation
from transformer.schema_model import ModelDef, ParsedSchema, RelationKind


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
    limit: int = DEFAULT_LIST_LIMIT
    related_key: tuple[str, ...] = ()
    """The related model's primary key (single relations query it exactly when they match all of it)."""

    @property
    def many(self) -> bool:
        return self.kind is RelationKind.HAS_MANY


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
    common = {"model": model.name, "field": field_name, "kind": relation.kind, "related": related.name,
              "related_key": tuple(related.primary_key)}
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
        return RelationRead(**common, match_fields=(key.partition,), source_fields=source[:1], index=index,
                            sort_fields=sort, limit=relation.limit)
    if relation.fields:
        return RelationRead(**common, match_fields=tuple(related.primary_key[: len(relation.fields)]),
                            source_fields=tuple(relation.fields))
    pk = related.primary_key
    if relation.kind is RelationKind.BELONGS_TO:
        parent_field = next(
            (f.name for f in related.fields if f.relation is not None and f.relation.kind is RelationKind.HAS_MANY
             and f.relation.related_model == model.name and not f.relation.fields and not f.relation.index_name),
            None,
        )
        if parent_field is not None:
            names = tuple(camel_case([related.name, parent_field, k]) for k in pk)
            return RelationRead(**common, match_fields=tuple(pk), source_fields=names)
    names = tuple(camel_case([model.name, field_name, k]) for k in pk)
    return RelationRead(**common, match_fields=tuple(pk), source_fields=names)


def relation_reads(schema: ParsedSchema) -> dict[str, RelationRead]:
    """`Model.field` -> how that relational field reads."""
    found: dict[str, RelationRead] = {}
    for model in schema.models.values():
        for field in model.fields:
            read = relation_read(schema, model, field.name) if field.relation is not None else None
            if read is not None:
                found[f"{model.name}.{field.name}"] = read
    return found


def implicit_indexes(schema: ParsedSchema) -> dict[str, dict[str, tuple[str, tuple[str, ...]]]]:
    """Related model -> the GSIs Amplify adds for implicit `@hasMany` connection fields (partition, sort)."""
    found: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {}
    for read in relation_reads(schema).values():
        if read.many and read.index == implicit_index_name(read.model, read.field):
            found.setdefault(read.related, {})[read.index] = (read.match_fields[0], read.sort_fields)
    return found


def relation_read_operation(matrix: AccessMatrix, model: str) -> Operation | None:
    """The operation whose read rules govern a relational read of `model` (that of its list query)."""
    candidates = [op for op in matrix.operations_of(model)
                  if op.kind in (OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC)]
    candidates.sort(key=lambda op: (op.kind is not OperationKind.LIST, op.key))
    return candidates[0].kind.operation if candidates else None


def relation_request(read: RelationRead, *, redact_in_mutations: bool) -> str:
    """Query the related table for the source's key values, with the auth filter (and, for many, the
    caller's filter, limit, nextToken and sort direction)."""
    w = VtlWriter()
    empty = "{'items': [], 'nextToken': null}" if read.many else "null"
    if redact_in_mutations:
        with w.block("#if($ctx.source.get('__operation') == 'Mutation')"):
            w.line("#return")
    w.line("#set($relationArgs = {})")
    w.qr("$relationArgs.putAll($ctx.args)")
    for match, source in zip(read.match_fields, read.source_fields, strict=True):
        value = f"$ctx.source.get({q(source)})"
        with w.block(f"#if($util.isNull({value}))"):
            w.line(f"#return({empty})")
        w.qr(f"$relationArgs.put({q(match)}, {value})")
    partition, *rest = read.match_fields
    if read.many:
        emit_key_condition(w, partition, read.sort_fields, exact=False, source="$relationArgs")
    elif read.match_fields == read.related_key:
        emit_key_condition(w, partition, read.related_key[1:], exact=True, source="$relationArgs")
        rest = []
    else:
        emit_key_condition(w, partition, (), exact=True, source="$relationArgs")
    index = f", 'index': {q(read.index)}" if read.index else ""
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'query': $keyCondition{index}}})")
    w.line("#set($filterParts = [])")
    for extra in rest:
        w.qr(f"$filterParts.add({{{q(extra)}: {{'eq': $relationArgs.get({q(extra)})}}}})")
    if read.many:
        w.qr("$request.put('scanIndexForward', $ctx.args.sortDirection != 'DESC')")
        emit_paging(w, default_limit=read.limit)
        emit_caller_filter(w)
    emit_request_filter(w)
    w.line("$util.toJson($request)")
    return w.text()


def relation_response(read: RelationRead) -> str:
    """A page of related records, or the one related record (null when absent or filtered out)."""
    return list_response() if read.many else get_response(refuse_filtered=False)


def always_unauthorized() -> str:
    return "$util.unauthorized()\n"
