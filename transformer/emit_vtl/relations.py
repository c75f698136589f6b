"""Relational fields (`@hasMany`, `@hasOne`, `@belongsTo`): how each finds its records, and its resolver.

A relational read is governed by the related model's read rules (those of its list query), applied
as an auth filter: a list relation leaves the records outside it out; a single relation whose record
the filter removes is refused, as Amplify's `scannedCount == 1` check does; a caller no rule admits
gets `Not Authorized to access <field> on type <Model>`. `@hasMany` queries the related table on the
index the relation names, on its primary key (`fields`), or on the GSI Amplify creates for the
implicit connection field (`gsi-<Model>.<field>`); `@hasOne` / `@belongsTo` query the related
table on its primary key.
"""

from __future__ import annotations

from collections.abc import Mapping

from transformer.emit_vtl.data_dynamodb import (
    emit_caller_filter,
    emit_key_condition,
    emit_paging,
    emit_request_filter,
    emit_scan_direction,
    get_response,
)
from transformer.emit_vtl.memo import per_owner
from transformer.emit_vtl.vtl import MAPPING_VERSION, VtlWriter, q
from transformer.matrix import AccessMatrix, OperationKind, RootOperation
from transformer.relations import RelationRead, implicit_index_name, relation_read
from transformer.rules import Operation
from transformer.schema_model import ParsedSchema


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
    """Related model -> the GSIs Amplify adds for implicit `@hasMany` connection fields and for `references:`
    relations (partition, sort)."""
    found: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {}
    for read in relation_reads(schema).values():
        if read.index is not None and (read.creates_index or read.index == implicit_index_name(read.model, read.field)):
            found.setdefault(read.related, {})[read.index] = (read.match_fields[0], read.sort_fields)
    return found


@per_owner
def _operations_by_model(matrix: AccessMatrix) -> Mapping[str, tuple[RootOperation, ...]]:
    """Each model's root operations in the matrix's order (one pass, not one per relation)."""
    found: dict[str, list[RootOperation]] = {}
    for op in matrix.operations.values():
        found.setdefault(op.model, []).append(op)
    return {model: tuple(ops) for model, ops in found.items()}


def relation_read_operation(matrix: AccessMatrix, model: str) -> Operation | None:
    """The operation whose read rules govern a relational read of `model` (that of its list query)."""
    candidates = [op for op in _operations_by_model(matrix).get(model, ())
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
        matched_sort = bool(read.sort_fields) and set(read.sort_fields) <= set(rest)
        emit_key_condition(w, partition, () if matched_sort else read.sort_fields, exact=False, source="$relationArgs")
    elif read.match_fields == read.related_key:
        emit_key_condition(w, partition, read.related_key[1:], exact=True, source="$relationArgs")
        rest = []
    else:
        emit_key_condition(w, partition, (), exact=True, source="$relationArgs")
    index = f", 'index': {q(read.index)}" if read.index else ""
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'query': $keyCondition{index}}})")
    w.line("#set($filterParts = [])")
    for extra in rest:
        w.line(f"#set($relationPart = {{{q(extra)}: {{'eq': $relationArgs.get({q(extra)})}}}})")
        w.qr("$filterParts.add($relationPart)")
    if read.many:
        emit_scan_direction(w)
        emit_paging(w, default_limit=read.limit)
        emit_caller_filter(w)
    emit_request_filter(w)
    w.line("$util.toJson($request)")
    return w.text()


def relation_response(read: RelationRead) -> str:
    """The Query's whole page of related records (as Amplify returns it, `scannedCount` included), or the
    one related record: null when absent, `Unauthorized` when the key matched but the auth filter removed it."""
    if read.many:
        w = VtlWriter()
        with w.block("#if($ctx.error)"):
            w.line("$util.error($ctx.error.message, $ctx.error.type)")
        w.line("$util.toJson($ctx.result)")
        return w.text()
    return get_response(refuse_filtered=True)


def always_unauthorized() -> str:
    return "$util.unauthorized()\n"
