"""`gqlauth serve --engine vtl`: an executable schema whose resolvers run the emitted templates.

Every generated root field and every field with a field resolver executes its pipeline through
`VtlEngine` over the local store (`StoreTable`), as `amplify mock` executes Amplify's templates.
Mutations publish their result (stamped `__operation: "Mutation"`) to the subscribers of the
mutation; a subscription's pipeline decides at subscribe time and sets the enhanced filter each
event must pass (matched on the payload as clients read it, owner fields read back).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ariadne import make_executable_schema
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema, default_field_resolver, get_named_type

from resolvers.guards import owner_readback, owner_readback_fields
from resolvers.guards.custom import custom_verdict
from resolvers.guards.filter_fields import named_fields
from resolvers.identity import AuthType, Identity
from resolvers.limits import budget_of, record_bytes, selected_names
from resolvers.server.bindings import selected_data
from resolvers.server.errors import AppSyncError, unauthorized
from resolvers.server.guard_wrapping import IDENTITY_KEY
from resolvers.server.handlers import chain_resolver_fields
from resolvers.server.pubsub import Subscription, Subscriptions
from resolvers.server.scalars import appsync_scalars
from resolvers.server.write_result import FieldOutcome, result_failure, write_not_made
from resolvers.store import Store
from resolvers.vtl_engine.executor import CallerRequest, PipelineResult, VtlEngine, table_specs
from resolvers.vtl_engine.store_table import StoreTable
from resolvers.vtl_engine.subscription_filter import filter_matches
from transformer.emit_schema import APPSYNC_PRELUDE, emit_output_schema
from transformer.emit_vtl.layout import Pipeline, PipelineKind
from transformer.environment import AuthEnvironment
from transformer.grants import model_has_auth, protected_fields
from transformer.matrix import OperationKind
from transformer.project import Project
from transformer.rules import Provider

SUBSCRIPTION_KINDS = frozenset({OperationKind.ON_CREATE, OperationKind.ON_UPDATE, OperationKind.ON_DELETE})
MUTATION_KINDS = frozenset({OperationKind.CREATE, OperationKind.UPDATE, OperationKind.DELETE})


def store_engine(project: Project, store: Store, environment: AuthEnvironment) -> VtlEngine:
    """The project's templates over the local store's tables."""
    specs = table_specs(project.matrix, project.schema)
    tables = {name: StoreTable(store, name, spec) for name, spec in specs.items()}
    return VtlEngine(project.matrix, environment, tables=tables, schema=project.schema)


def caller_of(info: GraphQLResolveInfo) -> tuple[CallerRequest, Identity]:
    identity = info.context.get(IDENTITY_KEY) if isinstance(info.context, Mapping) else None
    if not isinstance(identity, Identity):
        raise AppSyncError("Valid authorization header not provided.", "UnauthorizedException")
    request = info.context.get("request")
    headers = {str(k): str(v) for k, v in getattr(request, "headers", {}).items()} if request is not None else {}
    return CallerRequest(auth_type=identity.auth_type.value, identity=identity.to_appsync(), headers=headers), identity


def _lambda_gate(identity: Identity, type_name: str, field_name: str) -> None:
    """AppSync runs the Lambda authorizer before the resolvers; the configured custom authorizer stands in."""
    if identity.auth_type is AuthType.LAMBDA:
        ok, _why, _denied = custom_verdict(identity, f"{type_name}.{field_name}")
        if not ok:
            raise unauthorized(field_name, type_name)


def _lambda_denied_fields(resolve: Callable[..., Any], type_name: str, field_name: str, *, checked: bool) -> Callable[..., Any]:
    """A Lambda authorizer's `deniedFields` read as null; a field with a read check is refused outright
    when the authorizer refuses it (as the guarded server does)."""

    def guarded(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        identity = info.context.get(IDENTITY_KEY) if isinstance(info.context, Mapping) else None
        if isinstance(identity, Identity) and identity.auth_type is AuthType.LAMBDA:
            ok, _why, denied = custom_verdict(identity, f"{type_name}.{field_name}")
            if checked and not ok:
                raise unauthorized(field_name, type_name)
            if not ok or field_name in denied:
                return None
        return resolve(source, info, **args)

    return guarded


def _lambda_filter_gate(identity: Identity, model: str | None, args: Mapping[str, Any]) -> None:
    """A Lambda caller may not name a field its authorizer denied in a filter or condition (as the guards)."""
    if identity.auth_type is not AuthType.LAMBDA or not model:
        return
    for name in sorted(named_fields(args.get("filter")) | named_fields(args.get("condition"))):
        ok, _why, denied = custom_verdict(identity, f"{model}.{name}")
        if not ok or name in denied:
            raise unauthorized(name, model)


def _raise_on_error(result: PipelineResult, info: GraphQLResolveInfo | None = None,
                    hidden: frozenset[str] = frozenset()) -> Any:
    if result.error is not None:
        data = result.error.data
        if isinstance(data, Mapping):
            data = selected_data(data, info, hidden)
        raise AppSyncError(result.error.message or "Unknown error", result.error.error_type, data=data)
    return result.data


class VtlResolvers:
    def __init__(self, project: Project, engine: VtlEngine, bus: Subscriptions, store: Store | None = None) -> None:
        self.project = project
        self.engine = engine
        self.bus = bus
        self.store = store
        self.hidden: dict[str, frozenset[str]] = {}
        """Per pipeline: the fields a rejected conflict's data leaves out (those with their own read rule)."""

    def field(self, pipeline: Pipeline) -> Callable[..., Any]:
        type_name, field_name = pipeline.type_name, pipeline.field_name
        publishes = pipeline.operation in MUTATION_KINDS
        model = self.project.matrix.models.get(pipeline.model or "")
        self.hidden[pipeline.key] = frozenset(protected_fields(model)) if model is not None else frozenset()

        def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            caller, identity = caller_of(info)
            budget = budget_of(info.context)  # -- limits hook (issue 14): one pipeline is one resolver --
            if budget is not None:
                if budget.exceeded is not None:
                    return None
                budget.spend_resolver()
            if pipeline.kind is PipelineKind.OPERATION:
                _lambda_gate(identity, type_name, field_name)
                _lambda_filter_gate(identity, pipeline.model, args)
            record = source if pipeline.kind is PipelineKind.FIELD and isinstance(source, Mapping) else None
            if publishes and self.store is not None:  # -- write rollback hook (issue 14) --
                data = self._write(pipeline, caller, identity, args, info)
            else:
                data = _raise_on_error(self.engine.run(type_name, field_name, caller, args, record), info,
                                       self.hidden[pipeline.key])
            if pipeline.kind is PipelineKind.AUTH_ONLY:
                return None
            if budget is not None and isinstance(data, Mapping):
                records = data.get("items") if isinstance(data.get("items"), list) else (data,)
                budget.spend_bytes(record_bytes(records or (), selected_names(info.field_nodes, info.fragments)))
            if publishes and isinstance(data, Mapping):
                self.bus.publish(field_name, data)
            return data

        return resolve

    def _write(self, pipeline: Pipeline, caller: CallerRequest, identity: Identity, args: Mapping[str, Any],
               info: GraphQLResolveInfo) -> Any:
        """A mutation's pipeline and the shaping of its result in one transaction: a result that cannot
        be produced (a selected non-null field would come out null) rolls the write back."""
        assert self.store is not None
        with self.store.transaction():
            data = _raise_on_error(self.engine.run(pipeline.type_name, pipeline.field_name, caller, args), info,
                                   self.hidden.get(pipeline.key, frozenset()))
            if isinstance(data, Mapping):
                why = result_failure(info, data, self._field_outcome(caller, identity, info))
                if why is not None:
                    raise write_not_made(pipeline.field_name, why)
        return data

    def _field_outcome(self, caller: CallerRequest, identity: Identity, info: GraphQLResolveInfo) -> FieldOutcome:
        model = get_named_type(info.return_type).name

        def outcome(name: str, record: Mapping[str, Any]) -> str | None:
            if identity.auth_type is AuthType.LAMBDA:
                ok, _why, denied = custom_verdict(identity, f"{model}.{name}")
                if not ok or name in denied:
                    return "the Lambda authorizer denies it"
            result = self.engine.run(model, name, caller, {}, record)
            if result.error is not None:
                return "the caller may not read it"
            return "it comes out null for this caller" if result.data is None else None

        return outcome

    def subscribe(self, pipeline: Pipeline) -> Callable[..., Subscription]:
        operation = self.project.matrix.operation(pipeline.key)
        topic = operation.mutation if operation is not None and operation.mutation else ""
        model = pipeline.model or ""
        readback = owner_readback_fields(self.project.matrix, model) if model else frozenset()

        def subscribe(_source: Any, info: GraphQLResolveInfo, **args: Any) -> Subscription:
            caller, identity = caller_of(info)
            _lambda_gate(identity, pipeline.type_name, pipeline.field_name)
            _lambda_filter_gate(identity, pipeline.model, args)
            result = self.engine.run(pipeline.type_name, pipeline.field_name, caller, args)
            _raise_on_error(result)
            event_filter = result.subscription_filter
            equal_to = {name: value for name, value in args.items() if name != "filter" and value is not None}

            def accept(record: Mapping[str, Any]) -> bool:
                shown = {k: (owner_readback(v) if k in readback else v) for k, v in record.items()}
                if any(shown.get(name) != wanted for name, wanted in equal_to.items()):
                    return False
                return event_filter is None or filter_matches(event_filter, shown)

            return self.bus.subscribe(topic, accept)

        return subscribe


def vtl_executable_schema(
    project: Project, store: Store, bus: Subscriptions, environment: AuthEnvironment, output_sdl: str | None = None
) -> GraphQLSchema:
    """The output schema with every pipeline bound to its templates over `store`."""
    sdl = output_sdl if output_sdl is not None else emit_output_schema(project.schema, project.matrix)
    schema = make_executable_schema(APPSYNC_PRELUDE + "\n" + sdl, *appsync_scalars())
    engine = store_engine(project, store, environment)
    bindings = VtlResolvers(project, engine, bus, store)
    for pipeline in engine.pipelines.values():
        graphql_type = schema.type_map.get(pipeline.type_name)
        if not isinstance(graphql_type, GraphQLObjectType) or pipeline.field_name not in graphql_type.fields:
            continue
        graphql_field = graphql_type.fields[pipeline.field_name]
        if pipeline.operation in SUBSCRIPTION_KINDS:
            graphql_field.subscribe = bindings.subscribe(pipeline)
            graphql_field.resolve = lambda event, _info, **_args: event
        else:
            graphql_field.resolve = bindings.field(pipeline)
    lambda_models = project.matrix.models if Provider.FUNCTION in project.matrix.auth_modes else {}
    for model in lambda_models:
        graphql_type = schema.type_map.get(model)
        if not isinstance(graphql_type, GraphQLObjectType):
            continue
        access = project.matrix.model(model)
        checked_fields = set(protected_fields(access)) if model_has_auth(access) else set()
        for name, graphql_field in graphql_type.fields.items():
            resolve = graphql_field.resolve or default_field_resolver
            graphql_field.resolve = _lambda_denied_fields(resolve, model, name, checked=name in checked_fields)
    for root in (schema.query_type, schema.mutation_type):
        if root is None:
            continue
        for name, graphql_field in root.fields.items():
            if engine.pipeline(root.name, name) is None:
                graphql_field.resolve = _unbound_root_field(root.name, name)
    chain_resolver_fields(schema, project.schema)
    if project.custom_resolvers.resolvers:
        from resolvers.vtl_engine.custom import after_gate, bind_custom, model_field_resolvers, store_runner

        def gate_of(type_name: str, field_name: str) -> Any:
            graphql_type = schema.type_map.get(type_name)
            if engine.pipeline(type_name, field_name) is None or not isinstance(graphql_type, GraphQLObjectType):
                return None
            return graphql_type.fields[field_name].resolve

        runner = store_runner(project, store)
        bind_custom(schema, project, runner, gate_of)
        for key, resolve in model_field_resolvers(project, runner).items():
            type_name, field_name = key.split(".", 1)
            graphql_type = schema.type_map.get(type_name)
            if isinstance(graphql_type, GraphQLObjectType) and field_name in graphql_type.fields:
                graphql_field = graphql_type.fields[field_name]
                graphql_field.resolve = after_gate(gate_of(type_name, field_name), resolve)
    return schema


def _unbound_root_field(type_name: str, field_name: str) -> Callable[..., Any]:
    """A root field nothing resolves (no pipeline, no rule): refused, as the guarded server does."""

    def resolve(_source: Any, _info: GraphQLResolveInfo, **_args: Any) -> Any:
        raise unauthorized(field_name, type_name)

    return resolve


__all__ = ["VtlResolvers", "caller_of", "store_engine", "vtl_executable_schema"]
