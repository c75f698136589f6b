"""Records to seed the store, checked against the API's output schema before anything is stored.

`gqlauth data load` and `serve --seed` store records as they are, so a record the API could never
have written (a required field missing, a number in a `String`, an enum value the schema does not
list, a malformed `AWSDateTime`) would only surface later, as a null or an error on read. Each
problem is reported with the record's JSON path (`$[3].status`, `$["p1"].tags[0]`).

Fields the transform adds (`createdAt`, `updatedAt`, implicit relation keys, an undeclared owner)
are checked for their type when present, never required; relational fields are not stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from ariadne import make_executable_schema
from graphql import (
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    get_named_type,
)

from resolvers.server.scalars import appsync_scalars
from resolvers.store import store_layouts
from transformer.emit_schema import APPSYNC_PRELUDE, emit_output_schema
from transformer.matrix import AccessMatrix
from transformer.schema_model import ParsedSchema

TYPENAME = "__typename"
MAX_REPORTED = 20


def output_schema(schema: ParsedSchema, matrix: AccessMatrix) -> GraphQLSchema:
    return make_executable_schema(APPSYNC_PRELUDE + "\n" + emit_output_schema(schema, matrix), *appsync_scalars())


def _entries(document: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(document, list):
        for index, record in enumerate(document):
            yield f"$[{index}]", record
    elif isinstance(document, dict):
        for key, record in document.items():
            yield f"$[{json.dumps(key)}]", record


class RecordChecker:
    """Checks seed records against one project's output schema."""

    def __init__(self, schema: ParsedSchema, matrix: AccessMatrix) -> None:
        self.graphql = output_schema(schema, matrix)
        self.matrix = matrix
        self.stored_fields = {layout.name: layout.fields for layout in store_layouts(matrix, schema)}
        self.required: dict[str, tuple[str, ...]] = {}
        for name, access in matrix.models.items():
            object_type = self.graphql.type_map.get(name)
            if not isinstance(object_type, GraphQLObjectType):
                continue
            self.required[name] = tuple(
                served.name for served in access.fields
                if not served.generated and served.relation is None
                and (f := object_type.fields.get(served.name)) is not None
                and isinstance(f.type, GraphQLNonNull)
                and not isinstance(get_named_type(f.type), GraphQLObjectType)
            )

    def problems(self, document: Any) -> list[str]:
        """Every problem in a seed document (a list, or a map of records), each with its JSON path."""
        found: list[str] = []
        for path, record in _entries(document):
            if not isinstance(record, Mapping):
                continue
            model = record.get(TYPENAME)
            object_type = self.graphql.type_map.get(model) if isinstance(model, str) else None
            if not isinstance(object_type, GraphQLObjectType) or model not in self.matrix.models:
                continue
            for name in self.required[model]:
                if record.get(name) is None:
                    found.append(f"{path}.{name}: required field of {model} is missing")
            for name, value in record.items():
                if name != TYPENAME and name not in self.stored_fields[model]:
                    found.append(f"{path}.{name}: {model} has no field {name} "
                                 f"(fields: {', '.join(sorted(self.stored_fields[model]))})")
                    continue
                graphql_field = object_type.fields.get(name) if name != TYPENAME else None
                if graphql_field is not None:
                    found.extend(self._value(f"{path}.{name}", graphql_field.type, value))
        return found

    def _value(self, path: str, type_: GraphQLOutputType | GraphQLInputType, value: Any) -> list[str]:
        if isinstance(type_, GraphQLNonNull):
            if value is None:
                return [f"{path}: must not be null"]
            return self._value(path, type_.of_type, value)
        if value is None:
            return []
        if isinstance(type_, GraphQLList):
            if not isinstance(value, list):
                return [f"{path}: expected a list, got {_short(value)}"]
            return [p for index, item in enumerate(value) for p in self._value(f"{path}[{index}]", type_.of_type, item)]
        if isinstance(type_, GraphQLEnumType):
            if not isinstance(value, str) or value not in type_.values:
                return [f"{path}: {_short(value)} is not a value of enum {type_.name} "
                        f"({', '.join(type_.values)})"]
            return []
        if isinstance(type_, GraphQLScalarType):
            try:
                type_.parse_value(value)
            except Exception as exc:  # noqa: BLE001 - every scalar reports a bad value its own way
                message = getattr(exc, "message", None) or str(exc)
                return [f"{path}: not a valid {type_.name}: {message}"]
            return []
        if isinstance(type_, GraphQLObjectType):
            if type_.name in self.matrix.models:
                return []
            if not isinstance(value, Mapping):
                return [f"{path}: expected an object of type {type_.name}, got {_short(value)}"]
            found: list[str] = []
            for name, item in value.items():
                inner = type_.fields.get(name)
                if inner is None:
                    found.append(f"{path}.{name}: {type_.name} has no field {name}")
                else:
                    found.extend(self._value(f"{path}.{name}", inner.type, item))
            for name, inner in type_.fields.items():
                if isinstance(inner.type, GraphQLNonNull) and value.get(name) is None and name not in value:
                    found.append(f"{path}.{name}: required field of {type_.name} is missing")
            return found
        return []


def _short(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)[:60]


def describe(problems: list[str]) -> str:
    shown = problems[:MAX_REPORTED]
    more = len(problems) - len(shown)
    return "\n".join(shown) + (f"\n... and {more} more" if more > 0 else "")


__all__ = ["MAX_REPORTED", "RecordChecker", "describe", "output_schema"]
