"""The local AppSync look-alike as one Starlette ASGI app.

Routes (all owned here; another transport can be mounted beside them):

* `POST /graphql` and `POST /`: queries and mutations. Credentials are checked first: bad or
  missing ones get AppSync's 401 (`x-amzn-ErrorType: UnauthorizedException`). Everything after
  that is HTTP 200 with AppSync-shaped errors, except a malformed body (400).
* `GET /` and `GET /graphql`: the offline explorer; `/static/...` its assets.
* `GET /.well-known/jwks.json`: the local issuer's keys.
* `POST /dev/token`, `GET /dev/identities` and `POST /dev/reset` (local callers only, see
  `is_local_caller`): mint a local token for a user and groups; list the dev API key, the project's
  groups and auth modes; empty the store. Also `POST /dev/credentials` (IAM credentials to sign
  with), `POST /dev/oidc-token` (a token of the local OIDC provider), `POST /dev/introspection` (the
  schema without credentials) and `POST /dev/explain` (the decisions for a request, not run). For the
  explorer; all off with `dev_endpoints=False`.
* CORS as AppSync answers it (any origin; credentials travel in headers, never cookies), so a
  frontend on another local port can call the API.
* WebSocket `/graphql` and `/`: subscriptions over graphql-transport-ws (the credentials are the
  `connection_init` payload: `{"Authorization": ...}` or `{"x-api-key": ...}`, or under `headers`), or
  AppSync's real-time protocol for a client that offers only `graphql-ws` (`ws_dispatch`). Events
  carry no per-subscriber errors (`subscription_events`).

`create_app` returns the app; `app.state.core` (a `ServerCore`) holds the schema, store, event bus
and authenticator for code that adds other transports or drives the app in tests.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ariadne import graphql as run_graphql
from ariadne import make_executable_schema
from ariadne import subscribe as run_subscribe
from ariadne.asgi import GraphQL
from ariadne.asgi.handlers import GraphQLTransportWSHandler
from graphql import DocumentNode, GraphQLError, GraphQLSchema
from graphql import parse as parse_document
from graphql import validate as validate_document
from graphql.utilities.type_info import TypeInfo
from graphql.validation.rules import ASTValidationRule
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from resolvers.authenticate import UNAUTHORIZED_HEADERS, Authenticator, unauthorized_response_body
from resolvers.identity import AuthenticationError, Identity
from resolvers.limits import (
    BUDGET_KEY,
    MAX_REQUEST_BYTES,
    ApiLimits,
    LimitExceeded,
    RequestBudget,
    bounded_response,
    depth_error,
    limit_exceeded_result,
    project_limits,
    request_too_large,
)
from resolvers.local_state import LocalState
from resolvers.request_log import (
    Decided,
    DecisionLog,
    RecordingPolicy,
    RequestLogger,
    explanations,
    identity_label,
    log_lines,
)
from resolvers.server.bindings import (
    DataServices,
    owner_readback_resolver,
    relation_resolver,
    root_resolvers,
)
from resolvers.server.errors import AppSyncError, format_error
from resolvers.server.explorer import STATIC_DIR, explorer_html
from resolvers.server.guard_wrapping import IDENTITY_KEY, GuardPolicy, GuardWrapper, OpenPolicy, Policy, wrap_schema
from resolvers.server.handlers import bind_resolver_fields
from resolvers.server.pubsub import Subscriptions
from resolvers.server.scalars import appsync_scalars
from resolvers.server.subscription_events import event_payload
from resolvers.server.worker_pool import WorkerPool
from resolvers.server.ws_dispatch import SubprotocolDispatch
from resolvers.server.ws_queries import IDENTITY_SCOPE_KEY, BudgetedWebSocketQueries, oversized_subscribe
from resolvers.store import Store
from transformer.emit_schema import APPSYNC_PRELUDE, emit_output_schema
from transformer.environment import AuthEnvironment
from transformer.grants import read_back_fields
from transformer.matrix import AccessMatrix
from transformer.project import Project
from transformer.relations import RelationRead, relation_read
from transformer.schema_model import ParsedSchema

logger = logging.getLogger("gqlauth.server")


def is_expected_error(error: BaseException | None) -> bool:
    """Denials, failed conditions and invalid queries are answers, not server faults."""
    if isinstance(error, GraphQLError) and not error.path:
        return True
    while isinstance(error, GraphQLError) and error.original_error is not None:
        error = error.original_error
    return isinstance(error, GraphQLError | AppSyncError)


class UnexpectedErrorsLogger(logging.LoggerAdapter):  # type: ignore[type-arg]
    """What ariadne logs errors to: only faults are logged (and cost a log record)."""

    def error(self, msg: object, *args: Any, **kwargs: Any) -> None:
        exc_info = kwargs.get("exc_info")
        if isinstance(exc_info, BaseException) and is_expected_error(exc_info):
            return
        if isinstance(msg, BaseException) and is_expected_error(msg):
            return
        super().error(msg, *args, **kwargs)


error_logger = UnexpectedErrorsLogger(logger, {})

MAX_BODY_BYTES = MAX_REQUEST_BYTES
EXPLAIN_HEADER = "x-gqlauth-explain"
WS_IDENTITY_SCOPE_KEY = IDENTITY_SCOPE_KEY


def executable_schema(
    schema: ParsedSchema,
    matrix: AccessMatrix,
    store: Store,
    bus: Subscriptions,
    policy: Policy,
    output_sdl: str | None = None,
    project: Project | None = None,
) -> GraphQLSchema:
    """The output schema with every generated operation bound to the store and wrapped with its guard, and
    (given the `project`) the project's own resolvers bound behind their fields' guards."""
    sdl = output_sdl if output_sdl is not None else emit_output_schema(schema, matrix)
    graphql_schema = make_executable_schema(APPSYNC_PRELUDE + "\n" + sdl, *appsync_scalars())
    services = DataServices(matrix=matrix, store=store, bus=bus, schema=schema)
    field_bindings: dict[str, tuple[Any, RelationRead | None]] = {}
    for name, access in matrix.models.items():
        for owner_field in read_back_fields(matrix, access):
            field_bindings[f"{name}.{owner_field}"] = (owner_readback_resolver(owner_field), None)
        model_def = schema.models.get(name)
        if model_def is None:
            continue
        for model_field in model_def.fields:
            if model_field.relation is None:
                continue
            lookup = relation_read(schema, model_def, model_field.name)
            if lookup is not None:
                key = f"{name}.{model_field.name}"
                field_bindings[key] = (relation_resolver(services, lookup, key), lookup)
    for key, resolve in bind_resolver_fields(graphql_schema, schema).items():
        field_bindings[key] = (resolve, None)
    if project is not None and project.custom_resolvers.resolvers:
        from resolvers.vtl_engine.custom import model_field_resolvers, store_runner

        for key, resolve in model_field_resolvers(project, store_runner(project, store)).items():
            field_bindings[key] = (resolve, None)
    wrap_schema(graphql_schema, matrix, policy, services, root_resolvers(services), field_bindings)
    if project is not None and project.custom_resolvers.resolvers:
        _bind_custom_resolvers(graphql_schema, project, store, GuardWrapper(matrix, policy, services))
    return graphql_schema


def _bind_custom_resolvers(graphql_schema: GraphQLSchema, project: Project, store: Store,
                           wrapper: GuardWrapper) -> None:
    """The API's own resolvers (stacks/*.json), each behind its field's guard (`resolvers.vtl_engine.custom`)."""
    from resolvers.vtl_engine.custom import bind_custom, store_runner

    ruled = {(a.type_name, a.field_name) for a in project.matrix.non_model_fields}

    def gate_of(type_name: str, field_name: str) -> Any:
        if (type_name, field_name) not in ruled:
            return None
        return wrapper.other_root_field(type_name, field_name, lambda *_args, **_kwargs: None)

    bind_custom(graphql_schema, project, store_runner(project, store), gate_of)


class DocumentCache:
    """Parsed and validated queries, by query text (clients send the same few queries again and again).

    Parsing and validation cost far more than resolving a `get`; validation depends only on the
    schema and the document, never on variables or the caller, so its result is reused as is.
    """

    def __init__(self, size: int = 512, max_query_length: int = 100_000, limits: ApiLimits | None = None) -> None:
        self.limits = limits or ApiLimits()
        self.size = size
        self.max_query_length = max_query_length
        self._entries: OrderedDict[str, DocumentNode] = OrderedDict()
        self._validated: dict[int, tuple[DocumentNode, list[GraphQLError]]] = {}
        self._lock = threading.Lock()

    def parse(self, _context: Any, data: dict[str, Any]) -> DocumentNode:
        query = data["query"]
        with self._lock:
            document = self._entries.get(query)
            if document is not None:
                self._entries.move_to_end(query)
                return document
        document = parse_document(query)
        if len(query) <= self.max_query_length:
            with self._lock:
                self._entries[query] = document
                while len(self._entries) > self.size:
                    _, evicted = self._entries.popitem(last=False)
                    self._validated.pop(id(evicted), None)
        return document

    def validate(
        self,
        schema: GraphQLSchema,
        document_ast: DocumentNode,
        rules: Collection[type[ASTValidationRule]] | None = None,
        max_errors: int | None = None,
        type_info: TypeInfo | None = None,
    ) -> list[GraphQLError]:
        with self._lock:
            known = self._validated.get(id(document_ast))
        if known is not None and known[0] is document_ast:
            return known[1]
        errors = validate_document(schema, document_ast, rules=rules, max_errors=max_errors)
        too_deep = None if errors else depth_error(document_ast, None, self.limits)  # -- limits hook (issue 14) --
        if too_deep is not None:
            errors = [GraphQLError(too_deep, original_error=LimitExceeded(too_deep))]
        source = document_ast.loc.source.body if document_ast.loc is not None else None
        with self._lock:
            if source is not None and self._entries.get(source) is document_ast:
                self._validated[id(document_ast)] = (document_ast, errors)
        return errors


@dataclass
class ServerCore:
    """Everything a transport needs to run GraphQL requests for one project."""

    schema: GraphQLSchema
    matrix: AccessMatrix
    env: AuthEnvironment
    store: Store
    bus: Subscriptions
    authenticator: Authenticator
    state: LocalState | None = None
    project: Project | None = None
    debug: bool = False
    group_names: Sequence[str] = field(default_factory=tuple)
    documents: DocumentCache = field(default_factory=DocumentCache)
    limits: ApiLimits = field(default_factory=ApiLimits)
    pool: WorkerPool | None = None
    """Where queries and mutations run (None: on the calling event loop)."""

    def context(self, request: Any, identity: Identity | None) -> dict[str, Any]:
        return {"request": request, IDENTITY_KEY: identity, "core": self}

    async def execute(self, data: Any, identity: Identity, request: Any = None) -> tuple[bool, dict[str, Any]]:
        """Run a query or mutation as `identity` (no authentication: the caller did it), within `limits`."""
        context = self.context(request, identity)
        budget = context[BUDGET_KEY] = RequestBudget(self.limits)
        execution = run_graphql(self.schema, data, context_value=context,
                                error_formatter=format_error, debug=self.debug, logger=error_logger,
                                query_parser=self.documents.parse, query_validator=self.documents.validate)
        answer = await (self.pool.run(execution) if self.pool is not None else execution)
        if budget.exceeded is not None:
            return False, limit_exceeded_result(budget.exceeded)
        return answer

    async def subscribe(self, data: Any, identity: Identity, request: Any = None) -> tuple[bool, Any]:
        """Start a subscription as `identity`: (True, async iterator of results) or (False, errors)."""
        return await run_subscribe(self.schema, data, context_value=self.context(request, identity),
                                   error_formatter=format_error, debug=self.debug, logger=error_logger,
                                   query_parser=self.documents.parse, query_validator=self.documents.validate)

    def reset(self, records: Sequence[Mapping[str, Any]] = ()) -> None:
        """Empty the store and hold exactly `records` (each with `__typename`)."""
        self.store.reset(records)


def _loopback_name(host: str) -> bool:
    if host in ("testclient", "localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_local_caller(request: Request | WebSocket) -> bool:
    """A request from this machine, made by this server's own page (or a tool without a browser).

    The client address must be loopback; the `Host` must name a loopback address (a rebound DNS
    name fails); and a browser's `Origin`, when sent, must be this server itself, so that another
    site open in the user's browser cannot mint tokens or read the API key.
    """
    if not _loopback_name(request.client.host if request.client else ""):
        return False
    host = request.headers.get("host", "")
    if not _loopback_name(host.rsplit(":", 1)[0] if not host.endswith("]") else host):
        return False
    origin = request.headers.get("origin")
    return origin is None or origin in (f"http://{host}", f"https://{host}")


class AuthenticatingWSHandler(GraphQLTransportWSHandler):
    """graphql-transport-ws whose `connection_init` payload carries the credentials.

    A refused connection is closed with 4403 (Forbidden), as the protocol prescribes.
    """

    def __init__(self, core: ServerCore, **kwargs: Any) -> None:
        super().__init__(connection_init_wait_timeout=timedelta(seconds=15), **kwargs)
        self.core = core

    async def handle_websocket_connection_init_message(self, websocket: WebSocket, message: dict,
                                                       client_context: Any) -> None:
        if client_context.connection_init_received:
            await websocket.close(code=4429)
            return
        client_context.connection_init_received = True
        payload = message.get("payload")
        headers = _connection_headers(payload)
        try:
            identity = self.core.authenticator.authenticate(
                "POST", "/graphql", "", headers, b"{}",
                source_ip=websocket.client.host if websocket.client else None,
            )
        except AuthenticationError as exc:
            await websocket.close(code=4403, reason=f"Forbidden: {exc.message}"[:120])
            return
        websocket.scope[WS_IDENTITY_SCOPE_KEY] = identity
        await websocket.send_json({"type": GraphQLTransportWSHandler.GQL_CONNECTION_ACK})
        client_context.connection_acknowledged = True

    async def handle_websocket(self, websocket: WebSocket) -> None:
        """A message nested too deeply to parse closes the connection with 4400 (invalid message)."""
        try:
            await super().handle_websocket(websocket)
        except RecursionError:
            with contextlib.suppress(RuntimeError, OSError):
                await websocket.close(code=4400, reason="The message is nested too deeply")

    async def handle_websocket_subscribe(self, websocket: WebSocket, data: Any, operation_id: str,
                                         client_context: Any) -> None:
        """A `subscribe` larger than a request may be gets an `error` frame, as an HTTP body gets a 413."""
        too_large = oversized_subscribe(data)
        if too_large is not None and client_context.connection_acknowledged:
            await websocket.send_json({"type": GraphQLTransportWSHandler.GQL_ERROR, "id": operation_id,
                                       "payload": [too_large]})
            return
        await super().handle_websocket_subscribe(websocket, data, operation_id, client_context)

    async def observe_async_results(self, websocket: WebSocket, results_producer: AsyncGenerator[Any, None],
                                    operation_id: str, client_context: Any) -> None:
        """Events as AppSync delivers them (`subscription_events.event_payload`): no per-subscriber errors.

        The answer to a query or mutation (already a formatted dict, from `ServerCore.execute`) is sent
        whole, errors and null root fields included, as over HTTP.
        """
        async def delivered() -> AsyncGenerator[dict[str, Any], None]:
            try:
                async for result in results_producer:
                    payload = dict(result) if isinstance(result, Mapping) else event_payload(result)
                    if payload is not None:
                        yield payload
            finally:
                await results_producer.aclose()

        await super().observe_async_results(websocket, delivered(), operation_id, client_context)


def _connection_headers(payload: Any) -> dict[str, str]:
    if not isinstance(payload, Mapping):
        return {}
    nested = payload.get("headers")
    source: Mapping[Any, Any] = nested if isinstance(nested, Mapping) else payload
    return {str(k): v for k, v in source.items() if isinstance(v, str)}


def _error_body(error_type: str, message: str, status: int) -> JSONResponse:
    return JSONResponse({"errors": [{"errorType": error_type, "message": message}]}, status_code=status)


def _log_at_once(request_log: RequestLogger) -> Callable[[Identity, Decided], None]:
    """A subscription's start (over a WebSocket, outside any HTTP request) is logged when it is decided."""
    def log(identity: Identity, decided: Decided) -> None:
        for line in log_lines(identity, [decided]):
            request_log(line)
    return log


def create_app(
    project: Project,
    store: Store,
    authenticator: Authenticator,
    *,
    state: LocalState | None = None,
    bus: Subscriptions | None = None,
    env: AuthEnvironment | None = None,
    guards: bool = True,
    explorer: bool = True,
    dev_endpoints: bool = True,
    debug: bool = False,
    engine: str = "python",
    limits: ApiLimits | None = None,
    request_log: RequestLogger | None = None,
    explain: bool = False,
) -> Starlette:
    """The ASGI app serving `project` over `store`.

    `guards=False` replaces every decision with "allowed" (benchmarks only). `engine="vtl"` serves
    through the emitted AppSync templates (`resolvers.vtl_engine.serving`) instead of the guards.
    `env` defaults to the authenticator's environment. `dev_endpoints` enables `/dev/token` and `/dev/identities` for
    loopback callers when `state` is given. `limits` default to the project's (`resolvers.limits`).
    `request_log` receives one line per operation (who, what, allowed or denied by which rule);
    `explain` lets the explorer (a local caller sending `x-gqlauth-explain: 1`) receive the decisions
    and, for a denial, why each rule did not grant, under `extensions.gqlauth`.
    """
    environment = env or authenticator.env
    events = bus or Subscriptions()
    policy: Policy = GuardPolicy(project.matrix, environment) if guards else OpenPolicy()
    decisions = (DecisionLog(_log_at_once(request_log) if request_log is not None else None)
                 if request_log is not None or explain else None)
    if decisions is not None:
        policy = RecordingPolicy(policy, decisions)
    if engine == "vtl":  # -- VTL engine hook (issue 6): resolvers run the emitted templates --
        from resolvers.vtl_engine.serving import vtl_executable_schema

        schema = vtl_executable_schema(project, store, events, environment)
    else:
        schema = executable_schema(project.schema, project.matrix, store, events, policy, project=project)
    core = ServerCore(
        schema=schema, matrix=project.matrix, env=environment, store=store, bus=events,
        authenticator=authenticator, state=state, project=project, debug=debug,
        group_names=tuple(project.group_file.names()) if project.group_file is not None else (),
    )
    core.limits = limits if limits is not None else project_limits(project.schema_path)[0]
    core.documents.limits = core.limits
    core.pool = WorkerPool()

    async def graphql_http(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"errors": [request_too_large(len(body), MAX_BODY_BYTES)]}, status_code=413)
        try:
            identity = authenticator.authenticate(
                request.method, request.url.path, request.url.query, dict(request.headers), body,
                source_ip=request.client.host if request.client else None,
            )
        except AuthenticationError as exc:
            if request_log is not None:
                request_log(f"(no identity)  {request.url.path} 401 UnauthorizedException: {exc.message}")
            return JSONResponse(unauthorized_response_body(exc.message), status_code=401,
                                headers=dict(UNAUTHORIZED_HEADERS))
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _error_body("MalformedHttpRequestException", "The request body is not valid JSON", 400)
        if not isinstance(data, dict) or not isinstance(data.get("query"), str):
            return _error_body("BadRequestException", "The request body must be a JSON object with a \"query\"", 400)
        try:
            if decisions is None:
                _success, result = await core.execute(data, identity, request)
                return bounded_response(result, core.limits)  # -- limits hook (issue 14) --
            with decisions.request(identity) as decided:  # -- request log hook (issue 13) --
                _success, result = await core.execute(data, identity, request)
            return bounded_response(_logged(result, identity, decided, data, request), core.limits)
        except RecursionError:
            return _error_body("BadRequestException", "The request is too deeply nested", 400)

    def _logged(result: dict[str, Any], identity: Identity, decided: list[Decided], data: dict[str, Any],
                request: Request) -> dict[str, Any]:
        if request_log is not None:
            operation = data.get("operationName") if isinstance(data.get("operationName"), str) else "request"
            for line in log_lines(identity, decided, result.get("errors") or (), str(operation)):
                request_log(line)
        if explain and dev_endpoints and request.headers.get(EXPLAIN_HEADER) == "1" and is_local_caller(request):
            explained = explanations(decided)
            if not decided and result.get("errors"):  # the VTL engine decides without the guards: ask explain
                from resolvers.server.explain_denials import explain_refused_fields, explain_refused_model_fields

                explained = [*explain_refused_fields(core.schema, core.matrix, core.store, core.env, identity, data,
                                                     result["errors"]),
                             *explain_refused_model_fields(core.schema, core.matrix, core.store, core.env, identity,
                                                           data, result)]
            result = {**result, "extensions": {**(result.get("extensions") or {}),
                                               "gqlauth": {"identity": identity_label(identity),
                                                           "decisions": explained}}}
        return result

    async def explorer_page(request: Request) -> Response:
        if not explorer:
            return _error_body("NotFound", "No explorer on this server", 404)
        return HTMLResponse(explorer_html())

    async def jwks_document(request: Request) -> Response:
        if state is None:
            return _error_body("NotFound", "This server has no local issuer", 404)
        from resolvers.issuer import jwks

        return JSONResponse(jwks(state))

    async def dev_token(request: Request) -> Response:
        if state is None or not dev_endpoints or not is_local_caller(request):
            return _error_body("Forbidden", "Token minting is only available to local callers", 403)
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            return _error_body("BadRequestException", "The request body is not valid JSON", 400)
        user = data.get("user") if isinstance(data, dict) else None
        groups = data.get("groups", []) if isinstance(data, dict) else []
        if isinstance(groups, str):
            groups = [g.strip() for g in groups.split(",") if g.strip()]
        if not isinstance(user, str) or not user.strip() or not isinstance(groups, list) \
                or not all(isinstance(g, str) for g in groups):
            return _error_body("BadRequestException", "Expected {\"user\": \"alice\", \"groups\": [\"Admins\"]}", 400)
        from resolvers.issuer import mint_token

        role_resolution = None
        if project.group_file is not None:
            from transformer.group_roles import resolve_roles

            try:
                role_resolution = resolve_roles(groups, project.group_file, environment)
            except Exception:  # noqa: BLE001 - roles are an extra; the token is valid without them
                role_resolution = None
        token = mint_token(state, user=user.strip(), groups=groups, role_resolution=role_resolution)
        return JSONResponse({"token": token, "user": user.strip(), "groups": groups})

    async def dev_reset(request: Request) -> Response:
        """The explorer's "reset the store" button: every record removed (local callers only)."""
        if not dev_endpoints or not is_local_caller(request):
            return _error_body("Forbidden", "Only available to local callers", 403)
        core.reset()
        if request_log is not None:
            request_log("(explorer)  store reset: every record removed")
        return JSONResponse({"reset": True})

    async def dev_identities(request: Request) -> Response:
        if state is None or not dev_endpoints or not is_local_caller(request):
            return _error_body("Forbidden", "Only available to local callers", 403)
        api_key = state.dev_api_key().key if "apiKey" in [m.value for m in project.matrix.auth_modes] else None
        return JSONResponse({"apiKey": api_key, "groups": list(core.group_names),
                             "authModes": [m.value for m in project.matrix.auth_modes],
                             "region": environment.region})

    def ws_context(request: Any, _data: Any) -> dict[str, Any]:
        return core.context(request, request.scope.get(WS_IDENTITY_SCOPE_KEY))

    ws_app = GraphQL(schema, context_value=ws_context, error_formatter=format_error, debug=debug,
                     websocket_handler=AuthenticatingWSHandler(core), logger=error_logger,
                     http_handler=BudgetedWebSocketQueries(core),  # -- limits hook: ws queries budgeted --
                     query_parser=core.documents.parse, query_validator=core.documents.validate)

    def realtime_handler() -> Callable[[WebSocket], Awaitable[None]]:
        endpoint = getattr(app.state, "realtime", None)
        if endpoint is None:
            from resolvers.realtime.server_source import realtime_endpoint

            endpoint = app.state.realtime = realtime_endpoint(core)
        return endpoint.handle

    websockets = SubprotocolDispatch(ws_app, realtime_handler)
    from resolvers.server.explorer_endpoints import (
        credentials_endpoint,
        explain_endpoint,
        introspection_endpoint,
        oidc_token_endpoint,
    )

    routes = [
        Route("/graphql", graphql_http, methods=["POST"]),
        Route("/", graphql_http, methods=["POST"]),
        Route("/", explorer_page, methods=["GET"]),
        Route("/graphql", explorer_page, methods=["GET"]),
        Route("/.well-known/jwks.json", jwks_document, methods=["GET"]),
        Route("/dev/token", dev_token, methods=["POST"]),
        Route("/dev/identities", dev_identities, methods=["GET"]),
        Route("/dev/reset", dev_reset, methods=["POST"]),
        Route("/dev/credentials", credentials_endpoint(core, enabled=dev_endpoints), methods=["POST"]),
        Route("/dev/oidc-token", oidc_token_endpoint(core, enabled=dev_endpoints), methods=["POST"]),
        Route("/dev/introspection", introspection_endpoint(core, enabled=dev_endpoints), methods=["POST"]),
        Route("/dev/explain", explain_endpoint(core, enabled=dev_endpoints and explain), methods=["POST"]),
        WebSocketRoute("/graphql", websockets),
        WebSocketRoute("/", websockets),
        Mount("/static", app=StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[
        Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                   allow_headers=["*"], expose_headers=["x-amzn-ErrorType", "x-amzn-RequestId"], max_age=86400),
    ])
    app.state.core = core
    return app

