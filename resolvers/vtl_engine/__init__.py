"""Execute the emitted AppSync templates locally: a pipeline executor over DynamoDB-like tables.

API
---
``VtlEngine(matrix, environment, pipelines=None, tables=None, schema=None)``: the API's pipelines
(built from the matrix, plus relational fields when `schema` is given) over `tables` (model ->
`TableBackend`; default: a fresh `MemoryTable` per model).
    ``.run(type_name, field_name, caller, arguments=None, source=None) -> PipelineResult``
    (`data`, `error: ResolverError(message, error_type) | None`, `subscription_filter`, `stash`);
    ``.reset(items)`` (in-memory tables: store exactly these items, `__typename` names the model);
    ``.stored(model) -> list[dict]``; ``.pipeline(type_name, field_name) -> Pipeline | None``.
``CallerRequest(auth_type, identity=None, headers={})``: `auth_type` is `userPools`, `oidc`, `iam`,
`apiKey` or `lambda`; `identity` is AppSync's `$ctx.identity` (`Identity.to_appsync()`).
``DynamoDBDataSource(table).invoke(request) -> (result, DataSourceError | None)`` runs one rendered
GetItem/PutItem/UpdateItem/DeleteItem/Query/Scan request (conditions, filters, limit before filter).
``store_table.StoreTable(store, model, spec)``: a table backed by the local SQLite store.
``serving.vtl_executable_schema(project, store, bus, environment)``: what `create_app(..., engine="vtl")`
(`gqlauth serve --engine vtl`) serves.
``suite_engine.run_vtl(context, case)``: the `vtl` engine of `resolvers.suite.run_suite` / `gqlauth test`.
"""

from resolvers.vtl_engine.dynamodb import DataSourceError, DynamoDBDataSource, MemoryTable, TableSpec
from resolvers.vtl_engine.executor import CallerRequest, PipelineResult, ResolverError, VtlEngine

__all__ = [
    "CallerRequest",
    "DataSourceError",
    "DynamoDBDataSource",
    "MemoryTable",
    "PipelineResult",
    "ResolverError",
    "TableSpec",
    "VtlEngine",
]
