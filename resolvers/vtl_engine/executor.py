"""Run the emitted pipeline resolvers as AppSync does: before template, functions, after template.

Each function's request template is rendered; `#return` skips its data source and response
template; otherwise the request goes to its data source (NONE: the payload; a table: the DynamoDB
data source) and the response template sees `$ctx.result` / `$ctx.error`. The stash, the
arguments and `$ctx.prev.result` carry from one function to the next. Before any template, the
request's auth mode must be one of the API's (AppSync's own check, ahead of the resolvers).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from resolvers.index_keys import table_index_keys
from resolvers.versioned_sources import model_versioning
from resolvers.versioning import Versioning
from resolvers.vtl import (
    BARE_RETURN,
    RenderResult,
    VtlContext,
    VtlContextError,
    VtlError,
    VtlInfo,
    get_template,
    render,
)
from resolvers.vtl.javatypes import from_plain, to_json
from resolvers.vtl_engine.dynamodb import DynamoDBDataSource, MemoryTable, TableBackend, TableSpec
from transformer.emit_vtl.layout import (
    AFTER_TEMPLATE,
    BEFORE_TEMPLATE,
    Pipeline,
    PipelineFunction,
    build_pipelines,
    table_data_source,
)
from transformer.emit_vtl.relations import implicit_indexes
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, ModelAccess
from transformer.rules import Provider
from transformer.schema_model import ParsedSchema

TEMPLATE_ERROR = "MappingTemplate"
"""AppSync's errorType for a template that fails to evaluate (the request is refused, never let through)."""
PROVIDER_OF_AUTH_TYPE: dict[str, Provider] = {
    "userPools": Provider.USER_POOLS,
    "oidc": Provider.OIDC,
    "iam": Provider.IAM,
    "apiKey": Provider.API_KEY,
    "lambda": Provider.FUNCTION,
    "function": Provider.FUNCTION,
}


class CallerRequest(BaseModel):
    """Who calls: the auth mode (`userPools`, `oidc`, `iam`, `apiKey`, `lambda`), `$ctx.identity`, headers."""

    model_config = ConfigDict(frozen=True)

    auth_type: str
    identity: dict[str, Any] | None = None
    headers: dict[str, Any] = Field(default_factory=dict)


class ResolverError(BaseModel):
    model_config = ConfigDict(frozen=True)

    message: str | None
    error_type: str | None = None
    data: Any = None
    """`$util.error`'s data (a versioned data source's rejected conflict: the server's item)."""


class PipelineResult(BaseModel):
    data: Any = None
    error: ResolverError | None = None
    subscription_filter: Any = None
    stash: dict[str, Any] = Field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def table_spec(model: ModelAccess, extra_indexes: Mapping[str, tuple[str, tuple[str, ...]]] | None = None) -> TableSpec:
    """The table of a model: its key, its `@index` GSIs and `extra_indexes` (implicit relation GSIs)."""
    sort = model.primary_key[1] if len(model.primary_key) == 2 else ("#".join(model.primary_key[1:]) or None)
    indexes = {
        index.name: (index.partition_field, "#".join(index.sort_key_fields) or None) for index in model.indexes
    }
    for name, (partition, sort_fields) in (extra_indexes or {}).items():
        indexes[name] = (partition, "#".join(sort_fields) or None)
    return TableSpec(name=model.name, partition_key=model.primary_key[0], sort_key=sort, indexes=indexes,
                     index_keys=table_index_keys(model, extra_indexes))


def table_specs(matrix: AccessMatrix, schema: ParsedSchema | None = None) -> dict[str, TableSpec]:
    extra = implicit_indexes(schema) if schema is not None else {}
    return {name: table_spec(model, extra.get(name)) for name, model in matrix.models.items()}


class VtlEngine:
    """The emitted templates of one API, executed over in-memory tables (one per model)."""

    def __init__(
        self,
        matrix: AccessMatrix,
        environment: AuthEnvironment,
        pipelines: list[Pipeline] | None = None,
        tables: Mapping[str, TableBackend] | None = None,
        schema: ParsedSchema | None = None,
        versioning: Mapping[str, Versioning] | None = None,
    ) -> None:
        """`tables`: model -> where its items live (default: a fresh `MemoryTable` per model).
        `schema` adds the relational fields' resolvers (and the GSIs they query)."""
        self.matrix = matrix
        self.environment = environment
        self.pipelines = {p.key: p for p in (pipelines or build_pipelines(matrix, environment, schema))}
        self.tables: dict[str, TableBackend] = dict(tables) if tables is not None else {
            name: MemoryTable(spec) for name, spec in table_specs(matrix, schema).items()
        }
        self.table_of_source = {table_data_source(name): name for name in matrix.models}
        self.versioning = dict(versioning) if versioning is not None else model_versioning(matrix, schema)

    def reset(self, items: Iterable[Mapping[str, Any]] = ()) -> None:
        """In-memory tables only: empty every table, then store `items` (`__typename` names the model)."""
        for table in self.tables.values():
            if not isinstance(table, MemoryTable):
                raise TypeError("reset() is for in-memory tables; reset the store instead")
            table.items.clear()
        for item in items:
            self.tables[str(item["__typename"])].put(item)

    def stored(self, model: str) -> list[dict[str, Any]]:
        return self.tables[model].scan()

    def pipeline(self, type_name: str, field_name: str) -> Pipeline | None:
        return self.pipelines.get(f"{type_name}.{field_name}")

    def run(
        self,
        type_name: str,
        field_name: str,
        caller: CallerRequest,
        arguments: Mapping[str, Any] | None = None,
        source: Mapping[str, Any] | None = None,
    ) -> PipelineResult:
        """Resolve one field through its pipeline; a field without one returns the source's value."""
        pipeline = self.pipeline(type_name, field_name)
        if pipeline is None:
            return PipelineResult(data=(source or {}).get(field_name))
        provider = PROVIDER_OF_AUTH_TYPE.get(caller.auth_type)
        if provider is None or provider not in self.matrix.auth_modes:
            return PipelineResult(error=_unauthorized(type_name, field_name))
        context = VtlContext(
            arguments=dict(arguments or {}),
            identity=caller.identity,
            source=dict(source) if source is not None else None,
            request_headers=caller.headers,
            info=VtlInfo(fieldName=field_name, parentTypeName=type_name),
            auth_type=caller.auth_type,
        )
        try:
            return self._execute(pipeline, context)
        except VtlError as exc:
            return PipelineResult(error=ResolverError(message=str(exc), error_type=TEMPLATE_ERROR))

    def _execute(self, pipeline: Pipeline, context: VtlContext) -> PipelineResult:
        before = self._render(BEFORE_TEMPLATE, f"{pipeline.key}.before", context)
        if before.error is not None:
            return _failed(before, context)
        previous: Any = None
        subscription_filter: Any = None
        for function in pipeline.functions:
            context.prev_result = from_plain(previous)
            context.result = None
            context.error = None
            name = pipeline.file_stem(function)
            request = self._render(function.request, f"{name}.req.vtl", context)
            subscription_filter = request.subscription_filter or subscription_filter
            if request.error is not None:
                return _failed(request, context)
            if request.has_returned:
                previous = None if request.returned is BARE_RETURN else request.returned
                continue
            result, error = self._invoke(pipeline, function, request.json(), context)
            context.result = from_plain(result)
            context.error = VtlContextError(message=error.message, type=error.type) if error else None
            response = self._render(function.response, f"{name}.res.vtl", context)
            subscription_filter = response.subscription_filter or subscription_filter
            if response.error is not None:
                return _failed(response, context)
            previous = template_output(response)
        context.prev_result = from_plain(previous)
        after = self._render(AFTER_TEMPLATE, f"{pipeline.key}.after", context)
        if after.error is not None:
            return _failed(after, context)
        return PipelineResult(data=template_output(after), subscription_filter=subscription_filter, stash=dict(context.stash))

    def _invoke(self, pipeline: Pipeline, function: PipelineFunction, request: Any,
                context: VtlContext) -> tuple[Any, Any]:
        if not function.uses_table:
            return (request.get("payload") if isinstance(request, dict) else None), None
        model = self.table_of_source[function.data_source]
        caller = {"arguments": context.arguments, "identity": context.identity,
                  "typeName": pipeline.type_name, "fieldName": pipeline.field_name}
        return DynamoDBDataSource(self.tables[model], self.versioning.get(model), caller).invoke(request)

    @staticmethod
    def _render(text: str, name: str, context: VtlContext) -> RenderResult:
        return render(get_template(text, name, portable=True), context)


def template_output(result: RenderResult) -> Any:
    """What a rendered template hands on: its `#return` value, else its text read as JSON (None when blank)."""
    if result.has_returned:
        return None if result.returned is BARE_RETURN else result.returned
    if not result.text.strip():
        return None
    return result.json()


def _failed(result: RenderResult, context: VtlContext) -> PipelineResult:
    error = result.error
    assert error is not None
    return PipelineResult(error=ResolverError(message=error.message, error_type=error.error_type,
                                              data=_plain_data(error.data)), stash=dict(context.stash))


def _plain_data(value: Any) -> Any:
    """An error's data as JSON values (template maps and lists serialised as `$util.toJson` would)."""
    if value is None:
        return None
    try:
        return json.loads(to_json(value))
    except (VtlError, ValueError):
        return None


def _unauthorized(type_name: str, field_name: str) -> ResolverError:
    return ResolverError(message=f"Not Authorized to access {field_name} on type {type_name}", error_type="Unauthorized")
