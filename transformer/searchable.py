"""`@searchable`: the search query Amplify generates for a model, and the types it needs in the output schema.

`@searchable` (or `@searchable(queries: {search: "findTodos"})`; `queries: {}` generates no query) gives
`search<Plural>(filter, sort, limit, nextToken, from, aggregates): Searchable<Model>Connection`, governed by
the `search` operation of the model's rules (a `read` rule covers it). The filter, sort and aggregate inputs
are built from the model's fields at the point Amplify's searchable transformer runs: declared fields, `id`
and timestamps, before `@auth` adds implicit owner fields.
"""

from __future__ import annotations

from transformer.directives import APPSYNC_SCALARS
from transformer.matrix import AccessMatrix
from transformer.naming import plural, upper_first
from transformer.rules import Provider
from transformer.schema_model import FieldType, ParsedSchema
from transformer.sdl_document import SdlDocument, SdlField, SdlType

_FILTER_BASE = {
    "String": "String", "Int": "Int", "Float": "Float", "Boolean": "Boolean", "ID": "ID",
    "BigInt": "Int", "Double": "Float", "AWSTimestamp": "Int",
    **{name: "String" for name in APPSYNC_SCALARS if name != "AWSTimestamp"},
}
_TEXT_CONDITIONS = ("ne", "gt", "lt", "gte", "lte", "eq", "match", "matchPhrase", "matchPhrasePrefix",
                    "multiMatch", "exists", "wildcard", "regexp", "range")
_NUMBER_CONDITIONS = ("ne", "gt", "lt", "gte", "lte", "eq", "range")
SCALAR_CONDITIONS = {"String": _TEXT_CONDITIONS, "ID": _TEXT_CONDITIONS, "Int": _NUMBER_CONDITIONS,
                     "Float": _NUMBER_CONDITIONS, "Boolean": ("eq", "ne")}
AGGREGATE_TYPES = ("terms", "avg", "min", "max", "sum", "cardinality")
AGGREGATE_RESULT_TYPES = ("SearchableAggregateResult", "SearchableAggregateScalarResult",
                          "SearchableAggregateBucketResult", "SearchableAggregateBucketResultItem")


def search_query_name(model: str, arguments: dict[str, object] | None) -> str | None:
    """The search query's name: `queries.search` when given, none when `queries` omits it, else `search<Plural>`."""
    if arguments and "queries" in arguments:
        queries = arguments.get("queries")
        search = queries.get("search") if isinstance(queries, dict) else None
        return str(search) if search else None
    return f"search{plural(upper_first(model))}"


def filter_scalar(ftype: FieldType) -> str | None:
    """The standard scalar whose `Searchable<S>FilterInput` filters a field of this type (None: not a scalar)."""
    return _FILTER_BASE.get(ftype.name)


def _condition_type(condition: str, scalar: str) -> str:
    if condition == "range":
        return f"[{scalar}]"
    return "Boolean" if condition == "exists" else scalar


def _enum(name: str, values: list[str]) -> SdlType:
    body = "\n".join(f"  {v}" for v in values)
    return SdlType(kind="raw", name=name, raw=f"enum {name} {{\n{body}\n}}")


def _object(kind: str, name: str, fields: list[tuple[str, str]]) -> SdlType:
    return SdlType(kind=kind, name=name, fields=[SdlField(name=n, type=t) for n, t in fields])


def _add(doc: SdlDocument, definition: SdlType) -> None:
    if definition.name not in doc:
        doc.add(definition)


def searchable_fields(doc: SdlDocument, schema: ParsedSchema, model: str) -> list[tuple[str, FieldType]]:
    """The model's output fields as they stand (declared, `id`, timestamps), with their types."""
    declared = schema.models[model]
    obj = doc.get(model)
    found: list[tuple[str, FieldType]] = []
    for field in obj.fields if obj is not None else ():
        own = declared.field(field.name)
        if own is not None:
            found.append((field.name, own.type))
        elif not field.args:
            text = field.type.rstrip("!")
            is_list = text.startswith("[")
            found.append((field.name, FieldType(name=text.strip("[]!"), is_list=is_list)))
    return found


def _sandboxed(schema: ParsedSchema, matrix: AccessMatrix, model: str) -> bool:
    """A model without any `@auth` in sandbox mode: its search query is open to API keys (when the API's
    default mode is not already the API key), as Amplify's searchable transformer marks it."""
    declared = schema.models[model]
    has_auth = declared.rules is not None or any(f.rules is not None for f in declared.fields)
    return not has_auth and matrix.parameters.sandbox_mode_enabled and matrix.auth_modes[0] is not Provider.API_KEY


def add_search_operations(doc: SdlDocument, schema: ParsedSchema, search_fields: dict[str, str],
                          matrix: AccessMatrix) -> None:
    """Model name -> its search query: the query fields and every type they use."""
    for model, query_name in search_fields.items():
        fields = searchable_fields(doc, schema, model)
        scalars = [(name, ftype) for name, ftype in fields if filter_scalar(ftype) is not None]
        enums = [(name, ftype) for name, ftype in fields if ftype.name in schema.enums]
        _add(doc, _object("type", f"Searchable{model}Connection", [
            ("items", f"[{model}]!"), ("nextToken", "String"), ("total", "Int"),
            ("aggregateItems", "[SearchableAggregateResult]!"),
        ]))
        _add(doc, _object("type", "SearchableAggregateResult",
                          [("name", "String!"), ("result", "SearchableAggregateGenericResult")]))
        _add(doc, _object("type", "SearchableAggregateScalarResult", [("value", "Float!")]))
        _add(doc, _object("type", "SearchableAggregateBucketResult",
                          [("buckets", "[SearchableAggregateBucketResultItem]")]))
        _add(doc, _object("type", "SearchableAggregateBucketResultItem", [("key", "String!"), ("doc_count", "Int!")]))
        _add(doc, SdlType(kind="raw", name="SearchableAggregateGenericResult",
                          raw="union SearchableAggregateGenericResult = SearchableAggregateScalarResult | "
                              "SearchableAggregateBucketResult"))
        sandbox = ["@aws_api_key"] if _sandboxed(schema, matrix, model) else []
        doc.object("Query").add_field(SdlField(name=query_name, type=f"Searchable{model}Connection", args=[
            f"filter: Searchable{model}FilterInput", f"sort: [Searchable{model}SortInput]", "limit: Int",
            "nextToken: String", "from: Int", f"aggregates: [Searchable{model}AggregationInput]",
        ], directives=sandbox))
        for name in AGGREGATE_RESULT_TYPES if sandbox else ():
            doc.extend_directives(name, sandbox)
        for scalar, conditions in SCALAR_CONDITIONS.items():
            _add(doc, _object("input", f"Searchable{scalar}FilterInput",
                              [(c, _condition_type(c, scalar)) for c in conditions]))
        filter_name = f"Searchable{model}FilterInput"
        _add(doc, _object("input", filter_name, [
            *[(name, f"Searchable{filter_scalar(ftype)}FilterInput") for name, ftype in scalars],
            *[(name, "SearchableStringFilterInput") for name, _ in enums],
            ("and", f"[{filter_name}]"), ("or", f"[{filter_name}]"), ("not", filter_name),
        ]))
        _add(doc, _enum("SearchableSortDirection", ["asc", "desc"]))
        _add(doc, _enum(f"Searchable{model}SortableFields", [name for name, _ in scalars]))
        _add(doc, _object("input", f"Searchable{model}SortInput", [
            ("field", f"Searchable{model}SortableFields"), ("direction", "SearchableSortDirection"),
        ]))
        _add(doc, _enum("SearchableAggregateType", list(AGGREGATE_TYPES)))
        aggregate_fields = [name for name, ftype in fields if filter_scalar(ftype) is not None or ftype.name in schema.enums]
        _add(doc, _enum(f"Searchable{model}AggregateField", aggregate_fields))
        _add(doc, _object("input", f"Searchable{model}AggregationInput", [
            ("name", "String!"), ("type", "SearchableAggregateType!"), ("field", f"Searchable{model}AggregateField!"),
        ]))


def share_search_directives(doc: SdlDocument, search_fields: dict[str, str]) -> None:
    """The aggregate result types get the auth directives of every search query (Amplify merges them)."""
    query = doc.get("Query")
    for query_name in search_fields.values():
        found = query.field(query_name) if query is not None else None
        if found is None or not found.directives:
            continue
        for name in AGGREGATE_RESULT_TYPES:
            doc.extend_directives(name, found.directives)
