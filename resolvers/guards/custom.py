"""`allow: custom` (provider `function`): a local stand-in for AppSync's Lambda authorizer.

In AppSync the Lambda authorizer runs before any resolver and answers `isAuthorized` and
`deniedFields`; the `@auth` check then only asks whether the request used Lambda authorization.
Here the authorizer is a Python callable named `module:function`, called with the caller's
`Identity` and the operation key (`Mutation.createPost`), returning a mapping with `isAuthorized`
and optionally `deniedFields` (field names, `Type.field` or operation keys). With none configured,
every Lambda-authorized request is denied.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from resolvers.identity import Identity

AuthorizerFunction = Callable[[Identity, str], Mapping[str, Any]]


class CustomAuthorizerError(Exception):
    """The configured path cannot be loaded, or the function answered something unusable."""


class AuthorizerResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    is_authorized: bool = Field(alias="isAuthorized")
    denied_fields: list[str] = Field(default_factory=list, alias="deniedFields")
    resolver_context: dict[str, Any] = Field(default_factory=dict, alias="resolverContext")


class CustomAuthorizer:
    def __init__(self, function: AuthorizerFunction, path: str) -> None:
        self.function = function
        self.path = path

    def authorize(self, identity: Identity, operation: str) -> AuthorizerResult:
        try:
            answer = self.function(identity, operation)
        except Exception as exc:  # noqa: BLE001 - a failing authorizer denies, as AppSync does
            raise CustomAuthorizerError(f"custom authorizer {self.path} failed: {type(exc).__name__}: {exc}") from exc
        if isinstance(answer, bool):
            return AuthorizerResult(isAuthorized=answer)
        try:
            return AuthorizerResult.model_validate(answer)
        except ValidationError as exc:
            raise CustomAuthorizerError(
                f"custom authorizer {self.path} must return {{isAuthorized, deniedFields}}, got {answer!r}"
            ) from exc


def load_authorizer(path: str) -> CustomAuthorizer:
    """Import `module:function` (a dotted attribute path after the colon is allowed)."""
    module_name, sep, attribute = path.partition(":")
    if not sep or not module_name or not attribute:
        raise CustomAuthorizerError(f"custom authorizer {path!r}: expected 'module:function'")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise CustomAuthorizerError(f"custom authorizer {path!r}: cannot import {module_name}: {exc}") from exc
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise CustomAuthorizerError(f"custom authorizer {path!r}: {module_name} has no attribute {attribute}")
        target = getattr(target, part)
    if not callable(target):
        raise CustomAuthorizerError(f"custom authorizer {path!r} is not callable")
    return CustomAuthorizer(target, path)


_lock = threading.Lock()
_current: CustomAuthorizer | None = None


def configure_custom_authorizer(authorizer: CustomAuthorizer | str | None) -> CustomAuthorizer | None:
    """Set the process-wide authorizer (a loaded one, a `module:function` path, or None to deny all)."""
    global _current
    loaded = load_authorizer(authorizer) if isinstance(authorizer, str) else authorizer
    with _lock:
        _current = loaded
    return loaded


def current_custom_authorizer() -> CustomAuthorizer | None:
    return _current


def _denied_verdict(denied: set[str], operation: str, source: str) -> tuple[bool, str, frozenset[str]]:
    type_name, _, field_name = operation.partition(".")
    if operation in denied or any(d.endswith(f"types/{type_name}/fields/{field_name}") for d in denied):
        return False, f"{source} denies {operation}", frozenset()
    return True, f"{source} answered isAuthorized=true", frozenset(
        d.rsplit(".", 1)[-1].rsplit("/", 1)[-1] for d in denied
    )


def custom_verdict(identity: Identity, operation: str) -> tuple[bool, str, frozenset[str]]:
    """(authorized, why, denied field names) for a Lambda-authorized request.

    A request the server's Lambda authorizer already admitted carries its `deniedFields`
    (`Identity.lambda_denied_fields`); otherwise the process-wide per-operation authorizer decides.
    """
    if identity.lambda_denied_fields is not None:
        return _denied_verdict(set(identity.lambda_denied_fields), operation, "the Lambda authorizer")
    authorizer = _current
    if authorizer is None:
        return False, "no custom authorizer is configured: Lambda requests are denied", frozenset()
    try:
        result = authorizer.authorize(identity, operation)
    except CustomAuthorizerError as exc:
        return False, str(exc), frozenset()
    if not result.is_authorized:
        return False, f"custom authorizer {authorizer.path} answered isAuthorized=false", frozenset()
    return _denied_verdict(set(result.denied_fields), operation, f"custom authorizer {authorizer.path}")
