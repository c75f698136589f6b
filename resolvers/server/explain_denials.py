"""Why a root field was (or would be) refused, worked out by `gqlauth explain`'s `decide`.

The guards record their decisions as they make them (`resolvers.request_log`); the VTL engine makes
none, so for a request it served the explorer would show an `Unauthorized` error with no reason.
Here every root field answered `Unauthorized` is decided again from the request itself: the field's
arguments (variables applied) and, for get/update/delete, the record as it is now in the store. A
model field a query's result nulled as `Unauthorized` (`getPost.internalNotes`) is decided as a field
read of its record (found in the store by the key fields the result holds). The answer has the shape
of `request_log.explanations`, so the page shows both alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql import parse as parse_document
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from resolvers.commands.explain import decide
from resolvers.identity import Identity
from resolvers.store import RecordError, Store
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, OperationKind

_WITH_RECORD = (OperationKind.GET, OperationKind.UPDATE, OperationKind.DELETE)


def _refused_aliases(errors: Sequence[Mapping[str, Any]]) -> set[str]:
    return {str(error["path"][0]) for error in errors
            if error.get("errorType") == "Unauthorized" and isinstance(error.get("path"), list) and error["path"]}


Fragments = dict[str, FragmentDefinitionNode]


def _parsed(document_text: str, operation_name: str | None) -> tuple[OperationDefinitionNode, Fragments] | None:
    try:
        document = parse_document(document_text)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [op for op in operations if operation_name is None or (op.name is not None and op.name.value == operation_name)]
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return (chosen[0], fragments) if len(chosen) == 1 else None


def _operation(document_text: str, operation_name: str | None) -> OperationDefinitionNode | None:
    parsed = _parsed(document_text, operation_name)
    return parsed[0] if parsed is not None else None


def _fields(selection_set: SelectionSetNode | None, fragments: Fragments, seen: frozenset[str] = frozenset()) \
        -> list[FieldNode]:
    """The fields of a selection set, fragments spread in (type conditions ignored: aliases are unique)."""
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments, seen | {selection.name.value}))
    return found


def explain_refused_model_fields(
    schema: GraphQLSchema,
    matrix: AccessMatrix,
    store: Store,
    env: AuthEnvironment,
    identity: Identity,
    data: Mapping[str, Any],
    result: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """One entry per model field (`Post.internalNotes`) a query's `result` answered `Unauthorized`."""
    query, name = data.get("query"), data.get("operationName")
    parsed = _parsed(query, name if isinstance(name, str) else None) if isinstance(query, str) else None
    if parsed is None or parsed[0].operation.value != "query":  # mutation results follow other field rules
        return []
    operation, fragments = parsed
    explained: dict[str, dict[str, Any]] = {}
    for error in result.get("errors") or ():
        if not isinstance(error, Mapping) or error.get("errorType") != "Unauthorized":
            continue
        path = error.get("path")
        if not isinstance(path, list) or len(path) < 2:
            continue
        found = _field_at(schema, operation, fragments, result.get("data"), path)
        if found is None:
            continue
        type_name, field_name, record = found
        key = f"{type_name}.{field_name}"
        if key in explained or type_name not in matrix.models:
            continue
        try:
            stored = store.get(type_name, record)
        except (RecordError, KeyError):
            stored = None
        try:
            decision = decide(matrix, key, identity, {}, stored or record, env)
        except Exception:  # noqa: BLE001 - an explanation that fails must not fail the request it explains
            continue
        if not decision.allowed:
            explained[key] = {"operation": key, "allowed": False, "grantedBy": [], "message": decision.message,
                              "reasons": [reason.to_json() for reason in decision.reasons]}
    return list(explained.values())


def _field_at(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Fragments, data: Any,
              path: list[Any]) -> tuple[str, str, dict[str, Any]] | None:
    """The type and field name of the field at `path`, and its parent object as a record (field names)."""
    parent_type: Any = schema.get_root_type(operation.operation)
    nodes = _fields(operation.selection_set, fragments)
    value: Any = data
    for step in path[:-1]:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and 0 <= step < len(value) else None
            continue
        node = next((n for n in nodes if (n.alias or n.name).value == step), None)
        field = parent_type.fields.get(node.name.value) if node is not None and parent_type is not None else None
        if node is None or field is None:
            return None
        parent_type = get_named_type(field.type)
        nodes = _fields(node.selection_set, fragments)
        value = value.get(step) if isinstance(value, Mapping) else None
    last = next((n for n in nodes if (n.alias or n.name).value == path[-1]), None)
    if last is None or not isinstance(value, Mapping) or not isinstance(parent_type, GraphQLObjectType):
        return None
    record = {n.name.value: value[(n.alias or n.name).value] for n in nodes
              if (n.alias or n.name).value in value and n.selection_set is None}
    return parent_type.name, last.name.value, record


def explain_refused_fields(
    schema: GraphQLSchema,
    matrix: AccessMatrix,
    store: Store,
    env: AuthEnvironment,
    identity: Identity,
    data: Mapping[str, Any],
    errors: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """One entry per root field of `data` (the request body) that `errors` answered `Unauthorized`."""
    aliases = _refused_aliases(errors)
    if not aliases:
        return []
    return [entry for entry in explain_request(schema, matrix, store, env, identity, data, aliases)
            if not entry["allowed"]]


def explain_request(
    schema: GraphQLSchema,
    matrix: AccessMatrix,
    store: Store,
    env: AuthEnvironment,
    identity: Identity,
    data: Mapping[str, Any],
    aliases: set[str] | None = None,
) -> list[dict[str, Any]]:
    """The decision for each generated root field of `data` (those named by `aliases`, else all), without
    running it: what `POST /dev/explain` answers, e.g. for a subscription the server refused."""
    query = data.get("query")
    name = data.get("operationName")
    operation = _operation(query, name if isinstance(name, str) else None) if isinstance(query, str) else None
    root_type = schema.get_root_type(operation.operation) if operation is not None else None
    if operation is None or root_type is None:
        return []
    raw_variables = data.get("variables")
    variables = get_variable_values(schema, operation.variable_definitions or (),
                                    raw_variables if isinstance(raw_variables, dict) else {})
    if isinstance(variables, list):
        return []
    explained: list[dict[str, Any]] = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        alias = (selection.alias or selection.name).value
        field = root_type.fields.get(selection.name.value)
        if (aliases is not None and alias not in aliases) or field is None:
            continue
        entry = _explain_one(matrix, store, env, identity, root_type, field, selection, variables)
        if entry is not None:
            explained.append(entry)
    return explained


def _explain_one(matrix: AccessMatrix, store: Store, env: AuthEnvironment, identity: Identity,
                 root_type: GraphQLObjectType, field: Any, node: FieldNode,
                 variables: VariableValues) -> dict[str, Any] | None:
    key = f"{root_type.name}.{node.name.value}"
    root = matrix.operation(key)
    if root is None:
        return None
    try:
        args = get_argument_values(field, node, variables)
    except GraphQLError:
        return None
    item = None
    if root.kind in _WITH_RECORD:
        raw = args.get("input", args)
        try:
            item = store.get(root.model, raw) if isinstance(raw, Mapping) else None
        except (RecordError, KeyError):
            item = None
    try:
        decision = decide(matrix, key, identity, dict(args), item, env)
    except Exception:  # noqa: BLE001 - an explanation that fails must not fail the request it explains
        return None
    if decision.allowed:
        entry: dict[str, Any] = {"operation": key, "allowed": True, "grantedBy": list(decision.granted_by)}
        shown = decision.filter if decision.filter is not None else decision.event_filter
        if shown is not None:
            entry["filter"] = shown.to_json()
        return entry
    return {"operation": key, "allowed": False, "grantedBy": [], "message": decision.message,
            "reasons": [reason.to_json() for reason in decision.reasons]}


__all__ = ["explain_refused_fields", "explain_refused_model_fields", "explain_request"]
