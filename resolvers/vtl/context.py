"""What a template sees as `$ctx` / `$context`, and the per-render state the helpers write to."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .host import HostObject
from .javatypes import from_plain

AUTH_TYPE_NAMES: dict[str, str] = {
    "userPools": "User Pool Authorization",
    "AMAZON_COGNITO_USER_POOLS": "User Pool Authorization",
    "oidc": "Open ID Connect Authorization",
    "OPENID_CONNECT": "Open ID Connect Authorization",
    "iam": "IAM Authorization",
    "identityPool": "IAM Authorization",
    "AWS_IAM": "IAM Authorization",
    "apiKey": "API Key Authorization",
    "API_KEY": "API Key Authorization",
    "lambda": "Lambda Authorization",
    "function": "Lambda Authorization",
    "AWS_LAMBDA": "Lambda Authorization",
}
"""Accepted spellings of an auth mode, mapped to what `$util.authType()` returns."""


class VtlInfo(BaseModel):
    """`$ctx.info`."""

    model_config = ConfigDict(populate_by_name=True)

    field_name: str | None = Field(default=None, alias="fieldName")
    parent_type_name: str | None = Field(default=None, alias="parentTypeName")
    variables: dict[str, Any] = Field(default_factory=dict)
    selection_set_list: list[str] = Field(default_factory=list, alias="selectionSetList")
    selection_set_graphql: str | None = Field(default=None, alias="selectionSetGraphQL")

    def as_template_value(self) -> dict[str, Any]:
        return {
            "fieldName": self.field_name,
            "parentTypeName": self.parent_type_name,
            "variables": from_plain(self.variables),
            "selectionSetList": list(self.selection_set_list),
            "selectionSetGraphQL": self.selection_set_graphql,
        }


class VtlContextError(BaseModel):
    """`$ctx.error` in a response template: the data source's error."""

    message: str
    type: str | None = None


class VtlContext(BaseModel):
    """Everything a resolver template may read. Values are deep-copied into plain JSON-like data.

    Templates mutate `arguments`, `stash` and `out_errors` in place, so running the templates of a
    pipeline one after another with the same `VtlContext` carries those changes along, as AppSync does.
    """

    model_config = ConfigDict(validate_assignment=False)

    arguments: dict[str, Any] = Field(default_factory=dict)
    identity: dict[str, Any] | None = None
    source: dict[str, Any] | None = None
    result: Any = None
    stash: dict[str, Any] = Field(default_factory=dict)
    prev_result: Any = None
    request_headers: dict[str, Any] = Field(default_factory=dict)
    info: VtlInfo = Field(default_factory=VtlInfo)
    auth_type: str | None = None
    error: VtlContextError | None = None
    out_errors: list[dict[str, Any]] = Field(default_factory=list)
    now: datetime | None = None
    """Clock for `$util.time`; None means the real time."""

    @field_validator(
        "arguments", "identity", "source", "result", "stash", "prev_result", "request_headers", mode="before"
    )
    @classmethod
    def _plain(cls, value: Any) -> Any:
        return from_plain(value)

    @field_validator("auth_type")
    @classmethod
    def _known_auth_type(cls, value: str | None) -> str | None:
        if value is None or value in AUTH_TYPE_NAMES.values():
            return value
        if value in AUTH_TYPE_NAMES:
            return AUTH_TYPE_NAMES[value]
        raise ValueError(f"unknown auth type {value!r}; expected one of {sorted(AUTH_TYPE_NAMES)}")


class RenderState:
    """What helpers record during one render: appended errors and `$extensions` calls."""

    __slots__ = ("context", "appended_errors", "subscription_filter", "invalidation_filter", "invalidations")

    def __init__(self, context: VtlContext) -> None:
        self.context = context
        self.appended_errors: list[dict[str, Any]] = []
        self.subscription_filter: Any = None
        self.invalidation_filter: Any = None
        self.invalidations: list[Any] = []


class ContextObject(HostObject):
    """`$ctx`: read-only names; the maps behind them (stash, arguments) are mutable."""

    __slots__ = ("_ctx", "_prev", "_request", "_info", "_error")
    java_type = "Context"

    def __init__(self, context: VtlContext) -> None:
        self._ctx = context
        self._prev = {"result": context.prev_result}
        self._request = {"headers": context.request_headers}
        self._info = context.info.as_template_value()
        self._error = context.error.model_dump() if context.error else None

    def get_property(self, name: str) -> Any:
        ctx = self._ctx
        if name in ("arguments", "args"):
            return ctx.arguments
        if name == "identity":
            return ctx.identity
        if name == "source":
            return ctx.source
        if name == "result":
            return ctx.result
        if name == "stash":
            return ctx.stash
        if name == "prev":
            return self._prev
        if name == "request":
            return self._request
        if name == "info":
            return self._info
        if name == "error":
            return self._error
        if name == "outErrors":
            return ctx.out_errors
        return None
