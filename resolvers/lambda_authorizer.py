"""AppSync's Lambda authorizer (`allow: custom`), run locally.

AppSync calls the API's authorizer once per request whose `Authorization` header is not a Cognito,
OIDC or SigV4 credential, with this event:

    {"authorizationToken": "<Authorization header>",
     "requestContext": {"apiId", "accountId", "requestId", "queryString", "operationName", "variables"},
     "requestHeaders": {...}}

and reads back `isAuthorized`, `resolverContext` (becomes `$ctx.identity.resolverContext`),
`deniedFields` (`Type.field` or the field's ARN: those fields read as null, and a denied root field
is refused) and `ttlOverride`. A response is cached by token for `ttlOverride` seconds, else the
API's `authorizerResultTtlInSeconds` (Amplify: `ttlSeconds`, default 300); 0 disables caching.

The authorizer here is one of:

* a Python callable, `module:function` (called as a Lambda handler: `(event, context)`, or `(event)`);
* a file in the project: `path/to/auth.py[:handler]`, or a Node file `path/to/index.js|.mjs|.cjs[:handler]`
  (run by `node`, one process per call; cached answers avoid most calls);

named by `serve --authorizer`, by `"lambdaAuthorizer"` in `gqlauth.json`, or found where Amplify
keeps it: the function named in the API's `cli-inputs.json` (`amplify/backend/function/<name>/src/`).
Without one, every Lambda request is denied (the server says how to configure one when it starts).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resolvers.identity import AuthenticationError
from resolvers.user_functions import Handler, UserFunctionError, load_function
from transformer.transform_settings import SETTINGS_FILE_NAME, read_gqlauth_settings

DEFAULT_TTL_SECONDS = 300
MAX_TTL_SECONDS = 3600
SETTINGS_KEY = "lambdaAuthorizer"
CONFIGURE_HINT = (f'start serve with --authorizer module:function (or path/to/file.js|.py[:handler]), or set '
                  f'"{SETTINGS_KEY}" in gqlauth.json beside the schema')

AuthorizerConfigError = UserFunctionError


class AuthorizerResponse(BaseModel):
    """What a Lambda authorizer answers (AppSync ignores unknown keys)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    is_authorized: bool = Field(alias="isAuthorized")
    resolver_context: dict[str, Any] = Field(default_factory=dict, alias="resolverContext")
    denied_fields: list[str] = Field(default_factory=list, alias="deniedFields")
    ttl_override: int | None = Field(default=None, alias="ttlOverride", ge=0)


@dataclass(frozen=True)
class RequestContext:
    """The parts of a request AppSync hands the authorizer."""

    query: str = ""
    operation_name: str | None = None
    variables: Mapping[str, Any] | None = None
    headers: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Verdict:
    resolver_context: dict[str, Any]
    denied_fields: tuple[str, ...]


def request_context_from_body(body: bytes, headers: Mapping[str, str]) -> RequestContext:
    """The query, operation name and variables of a GraphQL HTTP (or real-time `data`) body."""
    try:
        data = json.loads(body) if body else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    query = data.get("query")
    name = data.get("operationName")
    variables = data.get("variables")
    return RequestContext(query=query if isinstance(query, str) else "",
                          operation_name=name if isinstance(name, str) else None,
                          variables=variables if isinstance(variables, dict) else {}, headers=dict(headers))


class LambdaAuthorizer:
    """Calls the authorizer with AppSync's event and caches its answers by token."""

    def __init__(self, handler: Handler, name: str, *, ttl_seconds: int = DEFAULT_TTL_SECONDS,
                 api_id: str = "local", account_id: str = "123456789012",
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.handler = handler
        self.name = name
        self.ttl_seconds = ttl_seconds
        self.api_id = api_id
        self.account_id = account_id
        self.calls = 0
        self._clock = clock
        self._cache: dict[str, tuple[float, AuthorizerResponse]] = {}
        self._lock = threading.Lock()

    def event(self, token: str, context: RequestContext) -> dict[str, Any]:
        return {
            "authorizationToken": token,
            "requestContext": {
                "apiId": self.api_id,
                "accountId": self.account_id,
                "requestId": str(uuid.uuid4()),
                "queryString": context.query,
                "operationName": context.operation_name,
                "variables": dict(context.variables or {}),
            },
            "requestHeaders": dict(context.headers or {}),
        }

    def authorize(self, token: str, context: RequestContext) -> Verdict:
        """The verdict for `token`; refusals and failures raise `AuthenticationError` (HTTP 401)."""
        response = self._cached(token)
        if response is None:
            response = self._call(token, context)
        if not response.is_authorized:
            raise AuthenticationError("The Lambda authorizer denied the request")
        return Verdict(dict(response.resolver_context), tuple(response.denied_fields))

    def _cached(self, token: str) -> AuthorizerResponse | None:
        with self._lock:
            entry = self._cache.get(token)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._cache[token]
                return None
            return entry[1]

    def _call(self, token: str, context: RequestContext) -> AuthorizerResponse:
        self.calls += 1
        try:
            answer = self.handler(self.event(token, context))
        except Exception as exc:  # noqa: BLE001 - a failing authorizer denies, as AppSync does
            raise AuthenticationError("The Lambda authorizer failed") from exc
        try:
            response = AuthorizerResponse.model_validate(answer)
        except ValidationError as exc:
            raise AuthenticationError("The Lambda authorizer returned an invalid response") from exc
        ttl = self.ttl_seconds if response.ttl_override is None else min(response.ttl_override, MAX_TTL_SECONDS)
        if ttl > 0:
            with self._lock:
                self._cache[token] = (self._clock() + ttl, response)
        return response


class MissingAuthorizer:
    """Stands in when the API has the Lambda mode and no authorizer is configured: denies every Lambda request."""

    name = "(none)"

    def authorize(self, token: str, context: RequestContext) -> Verdict:
        raise AuthenticationError("No Lambda authorizer is configured for this local API")


# -- loading ----------------------------------------------------------------------------------------

def load_authorizer(spec: str, base: Path, *, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> LambdaAuthorizer:
    """`module:function`, or a project file `path[:handler]` (relative to `base`; handler default `handler`)."""
    return LambdaAuthorizer(load_function(spec, base, what="authorizer"), spec, ttl_seconds=ttl_seconds)


# -- where the project names it ---------------------------------------------------------------------

@dataclass(frozen=True)
class AuthorizerSetting:
    spec: str
    ttl_seconds: int
    source: str


def _lambda_entries(value: Any) -> list[Mapping[str, Any]]:
    """Every object in an Amplify API config that describes the AWS_LAMBDA mode."""
    found: list[Mapping[str, Any]] = []
    pending = [value]
    while pending:
        current = pending.pop()
        if isinstance(current, Mapping):
            if "AWS_LAMBDA" in (current.get("mode"), current.get("authenticationType")):
                found.append(current)
            pending.extend(current.values())
        elif isinstance(current, list):
            pending.extend(current)
    return found


def _ttl(value: Any) -> int:
    try:
        return max(0, min(int(value), MAX_TTL_SECONDS))
    except (TypeError, ValueError):
        return DEFAULT_TTL_SECONDS


def amplify_authorizer(inputs: Path) -> AuthorizerSetting | None:
    """The authorizer function an Amplify API's `cli-inputs.json` names, and its source file."""
    backend = inputs.parent.parent.parent
    try:
        data = json.loads(inputs.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for entry in _lambda_entries(data):
        config = entry.get("lambdaAuthorizerConfig")
        source = config if isinstance(config, Mapping) else entry
        name = source.get("lambdaFunction")
        if not isinstance(name, str):
            continue
        for file_name in ("index.js", "index.mjs", "index.cjs", "index.py"):
            file = backend / "function" / name / "src" / file_name
            if file.is_file():
                return AuthorizerSetting(f"{file}:handler", _ttl(source.get("ttlSeconds", DEFAULT_TTL_SECONDS)),
                                         str(inputs))
    return None


def configured_authorizer(project_dir: Path, cli_inputs: Path | None) -> AuthorizerSetting | None:
    """`gqlauth.json`'s `lambdaAuthorizer` (a string, or `{"handler": ..., "ttlSeconds": ...}`), else the one the
    API's `cli-inputs.json` names."""
    value = read_gqlauth_settings(project_dir)[0].lambdaAuthorizer
    source = str(project_dir / SETTINGS_FILE_NAME)
    if isinstance(value, str):
        return AuthorizerSetting(value, DEFAULT_TTL_SECONDS, source)
    if value is not None:
        return AuthorizerSetting(value.handler, value.ttlSeconds, source)
    return amplify_authorizer(cli_inputs) if cli_inputs is not None else None


def authorizer_for(schema_path: Path, override: str | None, *,
                   has_lambda_mode: bool) -> tuple[LambdaAuthorizer | MissingAuthorizer | None, str | None]:
    """The authorizer `serve` runs and the line it prints about it (None, None: the API has no Lambda mode).

    Raises `AuthorizerConfigError` when the named authorizer cannot be loaded.
    """
    from transformer.amplify_layout import api_file

    project_dir = schema_path if schema_path.is_dir() else schema_path.parent
    if override is not None:
        authorizer = load_authorizer(override, Path.cwd())
        return authorizer, f"Lambda:    authorizer {override} (--authorizer), answers cached {authorizer.ttl_seconds} s"
    if not has_lambda_mode:
        return None, None
    setting = configured_authorizer(project_dir, api_file(schema_path, "cli-inputs.json"))
    if setting is None:
        return MissingAuthorizer(), f"Lambda:    no authorizer configured: Lambda requests are denied; {CONFIGURE_HINT}"
    base = Path(setting.source).parent
    authorizer = load_authorizer(setting.spec, base, ttl_seconds=setting.ttl_seconds)
    return authorizer, (f"Lambda:    authorizer {setting.spec} (from {setting.source}), "
                        f"answers cached {setting.ttl_seconds} s")


__all__ = [
    "authorizer_for",
    "CONFIGURE_HINT",
    "DEFAULT_TTL_SECONDS",
    "AuthorizerConfigError",
    "AuthorizerResponse",
    "AuthorizerSetting",
    "LambdaAuthorizer",
    "MissingAuthorizer",
    "RequestContext",
    "Verdict",
    "configured_authorizer",
    "load_authorizer",
    "request_context_from_body",
]
