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

import importlib
import importlib.util
import inspect
import json
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resolvers.identity import AuthenticationError

DEFAULT_TTL_SECONDS = 300
MAX_TTL_SECONDS = 3600
NODE_TIMEOUT_SECONDS = 10.0
SETTINGS_KEY = "lambdaAuthorizer"
CONFIGURE_HINT = (f'start serve with --authorizer module:function (or path/to/file.js|.py[:handler]), or set '
                  f'"{SETTINGS_KEY}" in gqlauth.json beside the schema')

Handler = Callable[[dict[str, Any]], Any]


class AuthorizerConfigError(Exception):
    """The named authorizer cannot be loaded (a usage error: the message says what to fix)."""


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

def _python_handler(function: Callable[..., Any]) -> Handler:
    try:
        positional = [p for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        positional = []
    if len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in positional):
        return lambda event: function(event, None)
    return lambda event: function(event)


def _attribute(target: Any, dotted: str, where: str) -> Callable[..., Any]:
    for part in dotted.split("."):
        if not hasattr(target, part):
            raise AuthorizerConfigError(f"{where} has no attribute {dotted}")
        target = getattr(target, part)
    if not callable(target):
        raise AuthorizerConfigError(f"{where}:{dotted} is not callable")
    return target  # type: ignore[no-any-return]


_NODE_RUNNER = """
const {pathToFileURL} = require('url');
const [file, name] = process.argv.slice(1);
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  try {
    const loaded = await import(pathToFileURL(file).href);
    const handler = loaded[name] || (loaded.default && loaded.default[name]);
    if (typeof handler !== 'function') throw new Error(`${file} exports no function ${name}`);
    const result = await handler(JSON.parse(input), {});
    process.stdout.write(JSON.stringify({ok: result === undefined ? null : result}));
  } catch (error) {
    process.stdout.write(JSON.stringify({error: String(error && error.stack || error)}));
  }
});
"""


def _node_handler(file: Path, name: str) -> Handler:
    node = shutil.which("node")
    if node is None:
        raise AuthorizerConfigError(f"{file}: running a Node authorizer needs `node` on the PATH")

    def call(event: dict[str, Any]) -> Any:
        done = subprocess.run([node, "-e", _NODE_RUNNER, str(file), name], input=json.dumps(event),
                              capture_output=True, text=True, timeout=NODE_TIMEOUT_SECONDS, check=False)
        try:
            answer = json.loads(done.stdout)
        except ValueError as exc:
            raise RuntimeError(f"{file}: no answer ({done.stderr.strip()[:200]})") from exc
        if "error" in answer:
            raise RuntimeError(f"{file}: {answer['error'][:500]}")
        return answer.get("ok")

    return call


def _file_handler(file: Path, name: str) -> Handler:
    if not file.is_file():
        raise AuthorizerConfigError(f"{file}: no such authorizer file")
    if file.suffix in (".js", ".mjs", ".cjs"):
        return _node_handler(file.resolve(), name)
    if file.suffix == ".py":
        spec = importlib.util.spec_from_file_location(f"gqlauth_authorizer_{abs(hash(str(file)))}", file)
        if spec is None or spec.loader is None:
            raise AuthorizerConfigError(f"{file}: cannot load it as Python")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 - any failure to import the user's file is a usage error
            raise AuthorizerConfigError(f"{file}: cannot import it: {type(exc).__name__}: {exc}") from exc
        return _python_handler(_attribute(module, name, str(file)))
    raise AuthorizerConfigError(f"{file}: an authorizer file must be .py, .js, .mjs or .cjs")


def load_authorizer(spec: str, base: Path, *, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> LambdaAuthorizer:
    """`module:function`, or a project file `path[:handler]` (relative to `base`; handler default `handler`)."""
    if ":" in spec:
        target, _, attribute = spec.rpartition(":")
    else:
        target, attribute = spec, ""
    candidate = Path(target) if Path(target).is_absolute() else base / target
    if target.endswith((".py", ".js", ".mjs", ".cjs")) or candidate.is_file():
        return LambdaAuthorizer(_file_handler(candidate, attribute or "handler"), spec, ttl_seconds=ttl_seconds)
    if not attribute:
        raise AuthorizerConfigError(f"authorizer {spec!r}: expected module:function or a .py/.js file")
    try:
        module = importlib.import_module(target)
    except ImportError as exc:
        raise AuthorizerConfigError(f"authorizer {spec!r}: cannot import {target}: {exc}") from exc
    return LambdaAuthorizer(_python_handler(_attribute(module, attribute, target)), spec, ttl_seconds=ttl_seconds)


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


def amplify_authorizer(backend: Path) -> AuthorizerSetting | None:
    """The authorizer function the Amplify project's API names, and its source file."""
    for inputs in sorted(backend.glob("api/*/cli-inputs.json")):
        try:
            data = json.loads(inputs.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
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


def configured_authorizer(project_dir: Path, backend: Path | None) -> AuthorizerSetting | None:
    """`gqlauth.json`'s `lambdaAuthorizer` (a string, or `{"handler": ..., "ttlSeconds": ...}`), else Amplify's."""
    settings = project_dir / "gqlauth.json"
    if settings.is_file():
        try:
            data = json.loads(settings.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        value = data.get(SETTINGS_KEY) if isinstance(data, dict) else None
        if isinstance(value, str):
            return AuthorizerSetting(value, DEFAULT_TTL_SECONDS, str(settings))
        if isinstance(value, Mapping) and isinstance(value.get("handler"), str):
            return AuthorizerSetting(value["handler"], _ttl(value.get("ttlSeconds", DEFAULT_TTL_SECONDS)),
                                     str(settings))
    return amplify_authorizer(backend) if backend is not None else None


def authorizer_for(schema_path: Path, override: str | None, *,
                   has_lambda_mode: bool) -> tuple[LambdaAuthorizer | MissingAuthorizer | None, str | None]:
    """The authorizer `serve` runs and the line it prints about it (None, None: the API has no Lambda mode).

    Raises `AuthorizerConfigError` when the named authorizer cannot be loaded.
    """
    from transformer.amplify_layout import amplify_backend

    project_dir = schema_path if schema_path.is_dir() else schema_path.parent
    if override is not None:
        authorizer = load_authorizer(override, Path.cwd())
        return authorizer, f"Lambda:    authorizer {override} (--authorizer), answers cached {authorizer.ttl_seconds} s"
    if not has_lambda_mode:
        return None, None
    setting = configured_authorizer(project_dir, amplify_backend(project_dir))
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
