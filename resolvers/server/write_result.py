"""A mutation's result is checked before its write commits, so a write never succeeds unreported.

GraphQL shapes a mutation's result after its resolver returned: field resolvers null protected
fields (mutation results never carry them; a caller who may not read one gets an error), and a
null in a non-null field nulls the whole mutation field. Were that to happen after the commit, the
client would see a failure for a record that is stored, and a retry would create a duplicate.

`result_failure` predicts, inside the write's transaction, whether any non-null field the client
selected would come out null or with an error; the guard then raises, the transaction rolls back,
and the client learns that nothing was written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
)

from resolvers.server.errors import AppSyncError

WRITE_NOT_MADE = "MutationNotCommitted"
"""errorType of a write refused because its result could not be produced (nothing was written)."""

FieldOutcome = Callable[[str, Mapping[str, Any]], str | None]
"""(field name, record) -> None when the field can be produced, else why it comes out null."""


def selected_fields(info: GraphQLResolveInfo, object_type: GraphQLObjectType) -> Iterator[str]:
    """The field names the client selected on the mutation's result (fragments expanded)."""
    seen: set[str] = set()
    pending: list[SelectionSetNode] = [node.selection_set for node in info.field_nodes if node.selection_set]
    while pending:
        selection_set = pending.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name not in seen:
                    seen.add(name)
                    yield name
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or condition.name.value == object_type.name:
                    pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = info.fragments.get(selection.name.value)
                if fragment is not None and fragment.type_condition.name.value == object_type.name:
                    pending.append(fragment.selection_set)


def result_failure(info: GraphQLResolveInfo, record: Mapping[str, Any], outcome: FieldOutcome) -> str | None:
    """Why the result of this mutation cannot be produced for its caller, or None when it can."""
    object_type = get_named_type(info.return_type)
    if not isinstance(object_type, GraphQLObjectType):
        return None
    for name in selected_fields(info, object_type):
        graphql_field = object_type.fields.get(name)
        if graphql_field is None or not isinstance(graphql_field.type, GraphQLNonNull):
            continue
        if isinstance(get_named_type(graphql_field.type), GraphQLObjectType):
            continue
        why = outcome(name, record)
        if why is not None:
            return f"{object_type.name}.{name} is non-null but {why}"
    return None


def write_not_made(field_name: str, why: str) -> AppSyncError:
    return AppSyncError(f"{field_name} was not saved: its result cannot be returned ({why}); "
                        "select fewer fields or change the schema", WRITE_NOT_MADE)


__all__ = ["WRITE_NOT_MADE", "result_failure", "selected_fields", "write_not_made"]
