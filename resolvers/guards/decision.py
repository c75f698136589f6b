"""What a guard returns: the outcome, AppSync's error text, why, and what the data layer must apply.

These are run-time values built on every request, so they are slotted frozen dataclasses and a
named tuple rather than pydantic models (a decision costs a few microseconds; validation would cost
more than the decision). `reasons` is computed on access: the hot path never pays for explanations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

UNAUTHORIZED = "Unauthorized"

ConditionOp = Literal["eq", "contains", "in", "containsAny"]


def not_authorized_message(field_name: str, type_name: str) -> str:
    """AppSync's text for `$util.unauthorized()`."""
    return f"Not Authorized to access {field_name} on type {type_name}"


def denied_fields_message(fields: Iterable[str]) -> str:
    """`$util.error("Unauthorized on ${deniedFields}")`: a Java list printed as `[a, b]`."""
    return f"Unauthorized on [{', '.join(fields)}]"


@dataclass(frozen=True, slots=True)
class Reason:
    """One role's part in a decision: whether it let the caller in, and why (not)."""

    role: str
    granted: bool
    detail: str
    fields: tuple[str, ...] | None = None
    """For a role that grants only some fields of a write: those fields."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"role": self.role, "granted": self.granted, "detail": self.detail}
        if self.fields is not None:
            data["fields"] = list(self.fields)
        return data


@dataclass(frozen=True, slots=True)
class Condition:
    """`{field: {op: value}}`, one entry of Amplify's `authFilter.or` list (`in`/`containsAny` take a tuple)."""

    field: str
    op: ConditionOp
    value: Any

    def matches(self, record: Mapping[str, Any]) -> bool:
        stored = record.get(self.field)
        if stored is None:
            return False
        if self.op == "eq":
            return bool(stored == self.value)
        if self.op == "in":
            return isinstance(self.value, list | tuple) and stored in self.value
        if not isinstance(stored, list | tuple):
            # A string attribute with `contains` is a substring test in DynamoDB; we only ever build
            # `contains` for list fields, so a scalar never matches (deny by default).
            return False
        if self.op == "contains":
            return self.value in stored
        return isinstance(self.value, list | tuple) and any(item in stored for item in self.value)

    def to_json(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {self.field: {self.op: value}}


@dataclass(frozen=True, slots=True)
class AuthFilter:
    """A disjunction of conditions: a record is visible when any condition holds.

    `None` in place of an `AuthFilter` means unrestricted. An `AuthFilter` with no conditions
    matches nothing.
    """

    any_of: tuple[Condition, ...]

    def matches(self, record: Mapping[str, Any]) -> bool:
        return any(condition.matches(record) for condition in self.any_of)

    def to_json(self) -> dict[str, Any]:
        """The shape Amplify stashes as `authFilter`: `{"or": [{field: {op: value}}, ...]}`."""
        return {"or": [condition.to_json() for condition in self.any_of]}


def record_visible(auth_filter: AuthFilter | None, record: Mapping[str, Any]) -> bool:
    """Evaluate a list/get filter on one stored record, exactly as the store should."""
    return auth_filter is None or auth_filter.matches(record)


class Decision(NamedTuple):
    """The outcome of one guard call (see `resolvers.guards` for the whole API).

    Immutable and cheap to build (a named tuple: guards build one per request). Its truth value is
    refused on purpose: write `decision.allowed`, never `if decision:`.
    """

    allowed: bool
    error_type: str | None = None
    message: str | None = None
    input: dict[str, Any] | None = None
    """create/update: the input to write (create: owner field filled in where Amplify fills it)."""
    filter: AuthFilter | None = None
    """get/list: records outside this filter are invisible; None means unrestricted."""
    event_filter: AuthFilter | None = None
    """subscriptions: events outside this filter are not delivered; None means every event."""
    hidden_fields: frozenset[str] = frozenset()
    """Fields whose value must be null in what this caller receives."""
    granted_by: tuple[str, ...] = ()
    """The roles that authorized the operation (empty when a filter or nothing did)."""
    admin_bypass: bool = False
    """An IAM admin role: every @auth check, field checks included, is skipped."""
    explainer: Callable[[], list[Reason]] | None = None
    """Builds `reasons` on demand."""

    def __bool__(self) -> bool:
        raise TypeError("a Decision has no truth value: test decision.allowed")

    @property
    def reasons(self) -> list[Reason]:
        """Per role: granted, or why not (not in group X, owner is bob, wrong provider, ...)."""
        return self.explainer() if self.explainer is not None else []

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "allowed": self.allowed,
            "errorType": self.error_type,
            "message": self.message,
            "grantedBy": list(self.granted_by),
            "adminBypass": self.admin_bypass,
            "reasons": [reason.to_json() for reason in self.reasons],
        }
        if self.input is not None:
            data["input"] = self.input
        if self.filter is not None:
            data["filter"] = self.filter.to_json()
        if self.event_filter is not None:
            data["eventFilter"] = self.event_filter.to_json()
        if self.hidden_fields:
            data["hiddenFields"] = sorted(self.hidden_fields)
        return data


def deny(
    message: str,
    explain: Callable[[], list[Reason]] | None = None,
) -> Decision:
    return Decision(False, UNAUTHORIZED, message, explainer=explain)
