"""`serve`'s stand-ins for what `@function` and `@http` fields call in AWS.

`gqlauth.json` beside the schema names them:

    {"functions": {"echofn": "mypkg.handlers:echo", "summarize-${env}": "functions/summarize.py"},
     "http": {"https://api.example.com": "http://127.0.0.1:9000"}}

* A function is a Python callable (`module:callable`, or a project file `path.py[:handler]`, handler
  `handler` by default), called as a Lambda handler with the event Amplify's `@function` resolver sends:
  `typeName`, `fieldName`, `arguments`, `identity` (AppSync's `$ctx.identity`), `source`, `request`
  (`headers`) and `prev` (`result`: the previous function's when a field has several, else `{}`). Its return
  value is the field's value (`{"success": true}` for `invocationType: Event`, called here and awaited);
  an exception is a `Lambda:Unhandled` error.
* An `@http` origin maps to a local base URL; the request is sent there with the path's `:params`
  filled in, the `query` arguments as query parameters, the `body` arguments as JSON, the caller's request
  headers (AppSync's `copyHeaders`, the `Authorization` header included) and the directive's headers. A 200 (201 with a body) answers with the body (parsed as JSON when it is JSON); any other
  status is an error carrying the status code. `${env}` and `${aws_region}` in the URL and the directive's
  headers are replaced, as Amplify's deployment does, with the Amplify environment checked out
  (`amplify/.config/local-env-info.json`, else `NONE`, the `env` Parameter's default) and `serve`'s region; the
  origin is looked up in `gqlauth.json` as substituted, then as written.

A field whose function or origin is not configured answers with an error saying so, never a silent null.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from graphql import GraphQLObjectType, GraphQLResolveInfo, GraphQLSchema
from pydantic import BaseModel, ConfigDict, ValidationError

from resolvers.server.errors import AppSyncError
from resolvers.server.guard_wrapping import identity_of
from resolvers.user_functions import Handler, UserFunctionError, load_function
from transformer.amplify_layout import amplify_backend
from transformer.emit_vtl.deployment import ENV_PLACEHOLDER, REGION_PLACEHOLDER
from transformer.environment import AuthEnvironment
from transformer.resolver_directives import HttpCall, ResolverField, resolver_fields
from transformer.schema_model import ParsedSchema
from transformer.transform_settings import SETTINGS_FILE_NAME, GqlauthSettings, project_settings

NOT_CONFIGURED = "NotConfigured"
HTTP_TIMEOUT_SECONDS = 10.0
_NOT_FORWARDED = frozenset({"host", "content-length", "content-type", "accept-encoding", "connection",
                            "transfer-encoding", "keep-alive", "upgrade"})
"""Headers of the caller's request that describe that request itself, not what the endpoint should see."""

NO_ENVIRONMENT = "NONE"
"""The `env` Parameter's default, which Amplify writes into an `@http` URL as is."""

Resolver = Callable[..., Any]


HandlerConfigError = UserFunctionError


def _not_configured(message: str) -> AppSyncError:
    return AppSyncError(message, NOT_CONFIGURED)


def _request_headers(info: GraphQLResolveInfo) -> dict[str, str]:
    context = info.context
    request = context.get("request") if isinstance(context, Mapping) else None
    headers = getattr(request, "headers", None)
    return dict(headers.items()) if headers is not None else {}


class _LocalEnvInfo(BaseModel):
    """`amplify/.config/local-env-info.json`: the Amplify environment this checkout is on."""

    model_config = ConfigDict(extra="ignore")

    envName: str | None = None  # noqa: N815 - the file's own key


def amplify_env_name(schema_file: Path) -> str:
    """The checked-out Amplify environment of the project holding `schema_file`, `NONE` outside one (or when
    its `local-env-info.json` cannot be read: the Amplify CLI reports that itself)."""
    backend = amplify_backend(schema_file.parent)
    info = backend.parent / ".config" / "local-env-info.json" if backend is not None else None
    if info is None or not info.is_file():
        return NO_ENVIRONMENT
    try:
        name = _LocalEnvInfo.model_validate_json(info.read_bytes()).envName
    except (OSError, ValidationError):
        return NO_ENVIRONMENT
    return name or NO_ENVIRONMENT


def _region(info: GraphQLResolveInfo) -> str:
    """`serve`'s region (the one its frontend configuration names)."""
    context = info.context
    core = context.get("core") if isinstance(context, Mapping) else None
    environment = getattr(core, "env", None)
    return environment.region if isinstance(environment, AuthEnvironment) else AuthEnvironment().region


def with_env_and_region(value: str, env: str, region: str) -> str:
    """Amplify's `replaceEnvAndRegion` with the values filled in."""
    return value.replace(ENV_PLACEHOLDER, env).replace(REGION_PLACEHOLDER, region)


def _plain(value: Any) -> Any:
    """The source record as a handler receives it (JSON values only)."""
    return json.loads(json.dumps(value, default=str)) if value is not None else None


@dataclass
class FieldHandlers:
    """Resolvers for the schema's `@function` and `@http` fields, built from the project's settings."""

    settings: GqlauthSettings
    base: Path
    env_name: str = NO_ENVIRONMENT
    loaded: dict[str, Handler] = field(default_factory=dict)

    def function(self, name: str) -> Handler:
        spec = self.settings.functions.get(name) or self.settings.functions.get(name.replace("-${env}", ""))
        if spec is None:
            raise _not_configured(
                f"@function(name: \"{name}\") has no local handler: add {{\"functions\": {{\"{name}\": "
                f"\"module:callable\" | \"path/to/handler.py\"}}}} to {SETTINGS_FILE_NAME} beside the schema"
            )
        if spec not in self.loaded:
            try:
                self.loaded[spec] = load_function(spec, self.base, what="handler")
            except HandlerConfigError as exc:
                raise _not_configured(f"@function(name: \"{name}\"): {exc}") from None
        return self.loaded[spec]

    def function_resolver(self, declared: ResolverField) -> Resolver:
        def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            identity = identity_of(info)
            previous: Any = None
            for name in declared.functions:
                handler = self.function(name)
                event = {
                    "typeName": declared.type_name,
                    "fieldName": declared.field_name,
                    "arguments": args,
                    "identity": identity.to_appsync(),
                    "source": _plain(source),
                    "request": {"headers": _request_headers(info)},
                    "prev": {"result": {} if previous is None else previous},
                }
                try:
                    previous = handler(event)
                except Exception as exc:  # noqa: BLE001 - the user's handler failing is the field's error
                    raise AppSyncError(f"{type(exc).__name__}: {exc}", "Lambda:Unhandled") from None
            return {"success": True} if declared.event else previous

        return resolve

    def http_resolver(self, declared: ResolverField, call: HttpCall) -> Resolver:
        async def resolve(_source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
            identity_of(info)
            region = _region(info)

            def filled(value: str) -> str:
                return with_env_and_region(value, self.env_name, region)

            origins = dict.fromkeys((filled(call.origin), call.origin))
            base = next((self.settings.http[key] for origin in origins for key in (origin, origin + "/")
                         if key in self.settings.http), None)
            if base is None:
                raise _not_configured(
                    f"@http(url: \"{call.url}\") has no local endpoint: add {{\"http\": {{\"{call.origin}\": "
                    f"\"http://127.0.0.1:PORT\"}}}} to {SETTINGS_FILE_NAME} beside the schema"
                )
            params = args.get("params") or {}
            path = filled(call.path)
            for name in call.params:
                path = path.replace(f":{name}", quote(str(params.get(name, "")), safe=""))
            query = {k: v for k, v in (args.get("query") or {}).items() if v is not None}
            forwarded = {k: v for k, v in _request_headers(info).items() if k.lower() not in _NOT_FORWARDED}
            headers = {**forwarded, "accept-encoding": "application/json",
                       **{filled(key): filled(value) for key, value in call.headers}}
            body = args.get("body") if call.supports_body else None
            if call.supports_body:
                headers["Content-Type"] = "application/json"
            async with httpx.AsyncClient(timeout=HTTP_TIMEOUT_SECONDS) as client:
                try:
                    response = await client.request(call.method, base.rstrip("/") + path,
                                                    params=query if call.method != "DELETE" else None,
                                                    json=body, headers=headers)
                except httpx.HTTPError as exc:
                    raise AppSyncError(f"{call.method} {base}{path}: {exc}", "Http:RequestFailed") from None
            ok = response.status_code == 200 or (call.supports_body and response.status_code == 201)
            if not ok:
                raise AppSyncError(response.text, str(response.status_code))
            try:
                return response.json()
            except ValueError:
                return response.text

        return resolve

    def resolver(self, declared: ResolverField) -> Resolver:
        if declared.http is not None:
            return self.http_resolver(declared, declared.http)
        return self.function_resolver(declared)


def bind_resolver_fields(graphql_schema: GraphQLSchema, schema: ParsedSchema) -> dict[str, Resolver]:
    """Install the `@function` / `@http` resolvers of root fields on `graphql_schema` (their guard wraps
    them later) and return those of model fields (`Type.field` -> resolver) for the field bindings."""
    declared = resolver_fields(schema.sdl)
    if not declared:
        return {}
    settings = project_settings(Path(schema.file))
    handlers = FieldHandlers(settings, Path(schema.file).parent, amplify_env_name(Path(schema.file)))
    model_fields: dict[str, Resolver] = {}
    for entry in declared:
        resolve = handlers.resolver(entry)
        if entry.type_name in schema.models:
            model_fields[f"{entry.type_name}.{entry.field_name}"] = resolve
            continue
        graphql_type = graphql_schema.type_map.get(entry.type_name)
        if isinstance(graphql_type, GraphQLObjectType) and entry.field_name in graphql_type.fields:
            graphql_type.fields[entry.field_name].resolve = resolve
    return model_fields


def chain_resolver_fields(graphql_schema: GraphQLSchema, schema: ParsedSchema) -> None:
    """`serve --engine vtl`: each `@function` / `@http` field first runs what is bound to it (its templates'
    checks; a root field nothing is bound to stays refused), then calls its handler."""
    declared = resolver_fields(schema.sdl)
    if not declared:
        return
    settings = project_settings(Path(schema.file))
    handlers = FieldHandlers(settings, Path(schema.file).parent, amplify_env_name(Path(schema.file)))
    for entry in declared:
        graphql_type = graphql_schema.type_map.get(entry.type_name)
        if not isinstance(graphql_type, GraphQLObjectType) or entry.field_name not in graphql_type.fields:
            continue
        graphql_field = graphql_type.fields[entry.field_name]
        graphql_field.resolve = _after(graphql_field.resolve, handlers.resolver(entry))


def _after(gate: Resolver | None, handler: Resolver) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        if gate is not None:
            gate(source, info, **args)
        return handler(source, info, **args)

    return resolve
