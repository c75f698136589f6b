"""The API's own resolvers (`stacks/*.json` + `resolvers/*.vtl`, see `transformer.custom_resolvers`), run as
AppSync runs them, by both `serve` engines after the field's own `@auth` check.

UNIT: the request template, its data source, the response template. PIPELINE: the resolver's request
(before) template, each function's request / data source / response in order (`$ctx.prev.result` is the
previous step's output, the before template's for the first function), then the resolver's response (after)
template; `$ctx.stash` carries along. `#return` in a request template skips that step's data source and
response (in a UNIT resolver or a before template: the whole resolver). A custom resolver of a non-relational `@model` field (a computed field) runs after that field's read
check, with the record as `$ctx.source`. Data sources: `<Model>Table` (or an
`AMAZON_DYNAMODB` data source whose table is named after a model) runs on that model's table in the store;
`NONE` answers the request's `payload`; `AWS_LAMBDA` calls the handler `gqlauth.json` maps to the function's
name (as for `@function`) with the request's `payload`; any other data source is an error naming it.
A data source's error reaches the response template as `$ctx.error`; in a UNIT resolver whose request is
not `2018-05-29` it is the field's error at once, and a null result skips the response template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, cast

from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema

from resolvers.identity import Identity
from resolvers.limits import budget_of, record_bytes, selected_names
from resolvers.server.errors import AppSyncError, unauthorized
from resolvers.server.guard_wrapping import IDENTITY_KEY
from resolvers.server.handlers import FieldHandlers, amplify_env_name
from resolvers.store import Store
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
from resolvers.vtl.javatypes import from_plain
from resolvers.vtl_engine.dynamodb import DataSourceError, DynamoDBDataSource, TableBackend
from resolvers.vtl_engine.executor import (
    TEMPLATE_ERROR,
    CallerRequest,
    PipelineResult,
    ResolverError,
    table_specs,
    template_output,
)
from resolvers.vtl_engine.store_table import StoreTable
from transformer.custom_resolvers import CustomResolvers, ResolverDef, Template
from transformer.project import Project
from transformer.transform_settings import project_settings

Resolver = Callable[..., Any]
NONE_SOURCE_NAMES = frozenset({"NONE", "NONE_DS"})
"""Amplify's own NONE data source (`NONE_DS`), and the name the executor gives ours."""
NOT_SERVED = "NotConfigured"
CURRENT_VERSION = "2018-05-29"
"""A UNIT request of an older version (2017-02-28) skips its response template when the data source fails (the
error is the field's) or returns null, as AppSync's changelog and `amplify mock` do; functions are all 2018-05-29."""


class _Failed(Exception):
    def __init__(self, error: ResolverError) -> None:
        super().__init__(error.message)
        self.error = error


class CustomRunner:
    """Runs the custom resolvers of one project over the store's tables."""

    def __init__(self, custom: CustomResolvers, tables: Mapping[str, TableBackend], handlers: FieldHandlers) -> None:
        self.custom = custom
        self.tables = tables
        self.handlers = handlers

    def run(self, resolver: ResolverDef, caller: CallerRequest, arguments: Mapping[str, Any],
            source: Mapping[str, Any] | None = None) -> PipelineResult:
        context = VtlContext(
            arguments=dict(arguments), identity=caller.identity, source=dict(source) if source is not None else None,
            request_headers=caller.headers, info=VtlInfo(fieldName=resolver.field_name,
                                                         parentTypeName=resolver.type_name),
            auth_type=caller.auth_type,
        )
        try:
            data = self._pipeline(resolver, context) if resolver.kind == "PIPELINE" else self._unit(resolver, context)
        except _Failed as failed:
            return PipelineResult(error=failed.error, stash=dict(context.stash))
        except VtlError as exc:
            return PipelineResult(error=ResolverError(message=str(exc), error_type=TEMPLATE_ERROR),
                                  stash=dict(context.stash))
        return PipelineResult(data=data, stash=dict(context.stash))

    def _unit(self, resolver: ResolverDef, context: VtlContext) -> Any:
        return self._step(resolver.data_source, resolver.request, resolver.response, context, resolver.key, unit=True)

    def _pipeline(self, resolver: ResolverDef, context: VtlContext) -> Any:
        previous: Any = None
        if resolver.request is not None:
            before = _render(resolver.request, context)
            if before.has_returned:
                return None if before.returned is BARE_RETURN else before.returned
            previous = template_output(before)
        for function in resolver.functions:
            context.prev_result = from_plain(previous)
            previous = self._step(function.data_source, function.request, function.response, context,
                                  f"{resolver.key} function {function.name}", unit=False)
        context.prev_result = from_plain(previous)
        context.result = from_plain(previous)
        context.error = None
        if resolver.response is None:
            return previous
        return template_output(_render(resolver.response, context))

    def _step(self, data_source: str | None, request: Template | None, response: Template | None,
              context: VtlContext, what: str, *, unit: bool) -> Any:
        context.result = None
        context.error = None
        if request is None:
            raise _Failed(ResolverError(message=f"{what}: no request mapping template", error_type=TEMPLATE_ERROR))
        rendered = _render(request, context)
        if rendered.has_returned:
            return None if rendered.returned is BARE_RETURN else rendered.returned
        sent = rendered.json()
        result, error = self._invoke(data_source, sent, what)
        if unit and not (isinstance(sent, Mapping) and sent.get("version") == CURRENT_VERSION):
            if error is not None:
                raise _Failed(ResolverError(message=error.message, error_type=error.type))
            if result is None:
                return None
        context.result = from_plain(result)
        context.error = VtlContextError(message=error.message, type=error.type) if error is not None else None
        if response is None:
            if error is not None:
                raise _Failed(ResolverError(message=error.message, error_type=error.type))
            return result
        return template_output(_render(response, context))

    def _invoke(self, name: str | None, request: Any, what: str) -> tuple[Any, DataSourceError | None]:
        if name is None:
            raise _Failed(ResolverError(message=f"{what}: no data source", error_type=NOT_SERVED))
        table = self._table(name)
        if table is not None:
            if not isinstance(request, Mapping):
                return None, DataSourceError(message="the request is not a JSON object", type=TEMPLATE_ERROR)
            return DynamoDBDataSource(self.tables[table]).invoke(request)
        declared = self.custom.data_sources.get(name)
        kind = declared.type if declared is not None else ("NONE" if name in NONE_SOURCE_NAMES else None)
        payload = request.get("payload") if isinstance(request, Mapping) else None
        if kind == "NONE":
            return payload, None
        if kind == "AWS_LAMBDA" and declared is not None and declared.lambda_function:
            if isinstance(request, Mapping) and request.get("operation") not in (None, "Invoke"):
                return None, DataSourceError(message=f"{request.get('operation')} is not served locally (Invoke is)",
                                             type="Lambda:Unhandled")
            try:
                handler = self.handlers.function(declared.lambda_function)
            except AppSyncError as exc:
                raise _Failed(ResolverError(message=f"data source {name}: {exc.message}",
                                            error_type=NOT_SERVED)) from None
            try:
                return handler(cast(dict[str, Any], payload)), None
            except Exception as exc:  # noqa: BLE001 - the user's handler failing is the data source's error
                return None, DataSourceError(message=f"{type(exc).__name__}: {exc}", type="Lambda:Unhandled")
        described = f"{name} ({kind})" if kind else name
        raise _Failed(ResolverError(
            message=f"{what}: data source {described} is not served locally: gqlauth serves <Model>Table, NONE "
                    "and AWS_LAMBDA data sources (Lambda handlers mapped in gqlauth.json)", error_type=NOT_SERVED))

    def _table(self, name: str) -> str | None:
        """The model whose table data source `name` is: `<Model>Table`, or a DynamoDB source on its table."""
        if name.endswith("Table") and name[: -len("Table")] in self.tables:
            return name[: -len("Table")]
        declared = self.custom.data_sources.get(name)
        if declared is None or declared.type != "AMAZON_DYNAMODB" or not declared.table_name:
            return None
        table = declared.table_name
        return next((model for model in self.tables if table == model or table.startswith(model + "-")), None)


def _render(template: Template, context: VtlContext) -> RenderResult:
    rendered = render(get_template(template.text, template.name), context)
    if rendered.error is not None:
        raise _Failed(ResolverError(message=rendered.error.message, error_type=rendered.error.error_type))
    return rendered


def store_runner(project: Project, store: Store) -> CustomRunner:
    """The project's custom resolvers over the local store's tables."""
    specs = table_specs(project.matrix, project.schema)
    tables = {name: StoreTable(store, name, spec) for name, spec in specs.items()}
    schema_file = Path(project.schema.file)
    handlers = FieldHandlers(project_settings(schema_file), schema_file.parent, amplify_env_name(schema_file))
    return CustomRunner(project.custom_resolvers, tables, handlers)


def _caller(info: GraphQLResolveInfo) -> CallerRequest:
    identity = info.context.get(IDENTITY_KEY) if isinstance(info.context, Mapping) else None
    if not isinstance(identity, Identity):
        raise AppSyncError("Valid authorization header not provided.", "UnauthorizedException")
    request = info.context.get("request")
    headers = {str(k): str(v) for k, v in getattr(request, "headers", {}).items()} if request is not None else {}
    return CallerRequest(auth_type=identity.auth_type.value, identity=identity.to_appsync(), headers=headers)


def custom_resolver(runner: CustomRunner, resolver: ResolverDef) -> Resolver:
    """The field's resolver: the user's templates (the caller's auth check comes before, see `bind_custom`)."""

    def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        caller = _caller(info)
        budget = budget_of(info.context)
        if budget is not None:
            if budget.exceeded is not None:
                return None
            budget.spend_resolver()
        record = source if isinstance(source, Mapping) else None
        result = runner.run(resolver, caller, args, record)
        if result.error is not None:
            raise AppSyncError(result.error.message or "Unknown error", result.error.error_type)
        data = result.data
        if budget is not None and data is not None:
            records = data if isinstance(data, list) else data.get("items", (data,)) if isinstance(data, Mapping) \
                else (data,)
            budget.spend_bytes(record_bytes(records if isinstance(records, list | tuple) else (records,),
                                            selected_names(info.field_nodes, info.fragments)))
        return data

    return resolve


def bind_custom(graphql_schema: GraphQLSchema, project: Project, runner: CustomRunner,
                gate_of: Callable[[str, str], Resolver | None]) -> list[str]:
    """Bind every custom resolver of a Query or Mutation field the served schema has: `gate_of(type, field)` is
    the field's auth check (it raises when the caller is refused), None when the field has no `@auth`: then,
    as in AppSync, only callers of the API's default auth mode reach it. Returns the keys bound."""
    default_mode = project.matrix.auth_modes[0].value if project.matrix.auth_modes else None
    bound: list[str] = []
    roots = {t.name for t in (graphql_schema.query_type, graphql_schema.mutation_type) if t is not None}
    for key, resolver in project.custom_resolvers.resolvers.items():
        graphql_type = graphql_schema.type_map.get(resolver.type_name)
        if resolver.type_name not in roots or key in project.matrix.operations:
            continue
        if not isinstance(graphql_type, GraphQLObjectType) or resolver.field_name not in graphql_type.fields:
            continue
        gate = gate_of(resolver.type_name, resolver.field_name)
        graphql_type.fields[resolver.field_name].resolve = _gated(
            gate, custom_resolver(runner, resolver), resolver.type_name, resolver.field_name, default_mode)
        bound.append(key)
    return bound


def _gated(gate: Resolver | None, resolve: Resolver, type_name: str, field_name: str,
           default_mode: str | None) -> Resolver:
    def gated(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        if gate is not None:
            gate(source, info, **args)
        elif _caller(info).auth_type != default_mode:
            raise unauthorized(field_name, type_name)
        return resolve(source, info, **args)

    return gated


def model_field_resolvers(project: Project, runner: CustomRunner) -> dict[str, Resolver]:
    """`Type.field` -> the user's resolver, for the custom resolvers of `@model` fields that are not relational
    (Amplify resolves those itself): the field's read check comes before, as for any field of the model."""
    found: dict[str, Resolver] = {}
    for key, resolver in project.custom_resolvers.resolvers.items():
        model = project.schema.models.get(resolver.type_name)
        field = model.field(resolver.field_name) if model is not None else None
        if field is not None and field.relation is None:
            found[key] = custom_resolver(runner, resolver)
    return found


def after_gate(gate: Resolver | None, resolve: Resolver) -> Resolver:
    """`resolve`, once `gate` (the field's own check, raising when it refuses) has let the caller through."""
    if gate is None:
        return resolve

    def gated(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        gate(source, info, **args)
        return resolve(source, info, **args)

    return gated


__all__ = ["CustomRunner", "after_gate", "bind_custom", "custom_resolver", "model_field_resolvers", "store_runner"]
