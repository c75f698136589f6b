"""`$util.transform` and `$extensions`."""

from __future__ import annotations

from typing import Any

from .context import RenderState
from .filters import dynamodb_expression, subscription_filter
from .host import HostObject
from .javatypes import VOID, require_map, to_json


class TransformUtil(HostObject):
    __slots__ = ()
    java_type = "TransformUtil"

    def m_toDynamoDBFilterExpression(self, filter_map: Any) -> str | None:
        """A JSON string (as AppSync returns it); templates wrap it in `$util.parseJson`."""
        expression = dynamodb_expression(filter_map)
        return None if expression is None else to_json(expression)

    def m_toDynamoDBConditionExpression(self, condition: Any) -> str | None:
        expression = dynamodb_expression(condition)
        return None if expression is None else to_json(expression)

    def m_toSubscriptionFilter(self, filter_map: Any, ignored_fields: Any = None, rules: Any = None) -> Any:
        return subscription_filter(filter_map, ignored_fields, rules)


class ExtensionsObject(HostObject):
    """`$extensions`: subscription filters and invalidations, recorded for the caller."""

    __slots__ = ("_state",)
    java_type = "Extensions"

    def __init__(self, state: RenderState) -> None:
        self._state = state

    def m_setSubscriptionFilter(self, filter_value: Any) -> str:
        self._state.subscription_filter = filter_value
        return VOID

    def m_setSubscriptionInvalidationFilter(self, filter_value: Any) -> str:
        self._state.invalidation_filter = filter_value
        return VOID

    def m_invalidateSubscriptions(self, payload: Any) -> str:
        self._state.invalidations.append(require_map(payload, "invalidateSubscriptions argument"))
        return VOID
