"""Errors as AppSync reports them: each error carries `errorType`, `message`, `path`, `locations`,
`data: null` and `errorInfo: null` at the top level (not under `extensions`)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from resolvers.guards.decision import UNAUTHORIZED, not_authorized_message

CONDITIONAL_CHECK_FAILED = "DynamoDB:ConditionalCheckFailedException"
DYNAMODB_ERROR = "DynamoDB:DynamoDbException"
CONDITIONAL_CHECK_MESSAGE = "The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: null)"


class AppSyncError(Exception):
    """An error a resolver raises on purpose; its message and type reach the client unchanged."""

    def __init__(self, message: str, error_type: str | None, error_info: dict[str, Any] | None = None,
                 data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = error_type
        self.error_info = error_info
        self.data = data


def unauthorized(field_name: str, type_name: str, message: str | None = None) -> AppSyncError:
    return AppSyncError(message or not_authorized_message(field_name, type_name), UNAUTHORIZED)


def conditional_check_failed() -> AppSyncError:
    return AppSyncError(CONDITIONAL_CHECK_MESSAGE, CONDITIONAL_CHECK_FAILED)


def template_error(message: str) -> AppSyncError:
    """What a template's `$util.error(message)` reports: the message, no error type."""
    return AppSyncError(message, None)


def bad_request(message: str) -> AppSyncError:
    """A request the data layer refuses (bad filter operand, bad nextToken): DynamoDB's validation error."""
    return AppSyncError(message, DYNAMODB_ERROR)


def format_error(error: GraphQLError, debug: bool = False) -> dict[str, Any]:
    """An ariadne `error_formatter`: AppSync's shape for one error."""
    original = error.original_error
    while isinstance(original, GraphQLError):
        original = original.original_error
    formatted: dict[str, Any] = {
        "path": list(error.path) if error.path else None,
        "data": None,
        "errorType": None,
        "errorInfo": None,
        "locations": [
            {"line": loc.line, "column": loc.column, "sourceName": None} for loc in error.locations or ()
        ],
        "message": error.message,
    }
    if isinstance(original, AppSyncError):
        formatted["errorType"] = original.error_type
        formatted["errorInfo"] = original.error_info
        formatted["data"] = original.data
        formatted["message"] = original.message
    elif original is None or not error.path:
        formatted["errorType"] = "ValidationError" if not error.path else None
    else:
        formatted["errorType"] = "InternalFailure"
        formatted["message"] = f"{type(original).__name__}: {original}" if debug else "An internal error occurred"
    return formatted
