"""Execute the emitted AppSync templates locally: a pipeline executor over in-memory DynamoDB tables.

API
---
``VtlEngine(matrix, environment, pipelines=None)``: the API's pipelines (built from the matrix
unless given) and one `MemoryTable` per model.
    ``.reset(items)`` store exactly these items (`__typename` names the model);
    ``.run(type_name, field_name, caller, arguments=None, source=None) -> PipelineResult``
    (`data`, `error: ResolverError(message, error_type) | None`, `subscription_filter`, `stash`);
    ``.stored(model) -> list[dict]``.
``CallerRequest(auth_type, identity=None, headers={})``: `auth_type` is `userPools`, `oidc`, `iam`,
`apiKey` or `lambda`; `identity` is AppSync's `$ctx.identity`.
``DynamoDBDataSource(table).invoke(request) -> (result, error)`` runs one rendered DynamoDB request.
``suite_engine.run_vtl_suite(path) -> SuiteReport`` runs a conformance suite through the templates.
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
