"""Errors of the VTL evaluator.

Two families, kept apart on purpose:

* `VtlError` (and `VtlSyntaxError`): the template itself is wrong or asked for something the
  evaluator refuses (unknown method, bad argument, assignment to a built-in). These are bugs in a
  template; they carry the template name, line and column and are raised to the caller.
* `VtlRuntimeError`: what `$util.error(...)` / `$util.unauthorized()` produce in AppSync, an error
  the template *chose* to return. `render()` never raises it; it lands in `RenderResult.error`.
"""

from __future__ import annotations

from typing import Any


class VtlError(Exception):
    """A template that cannot be parsed or evaluated, with its location."""

    def __init__(self, message: str, template: str = "<template>", line: int = 0, column: int = 0) -> None:
        self.message = message
        self.template = template
        self.line = line
        self.column = column
        super().__init__(f"{template}:{line}:{column}: {message}")


class VtlSyntaxError(VtlError):
    """The template text does not parse."""


class VtlRuntimeError(Exception):
    """An error raised on purpose by the template (`$util.error`, `$util.unauthorized`, `$util.validate`)."""

    def __init__(
        self,
        message: str | None,
        error_type: str | None = None,
        data: Any = None,
        info: Any = None,
    ) -> None:
        self.message = message
        self.error_type = error_type
        self.data = data
        self.info = info
        super().__init__(message if message is not None else "null")

    def as_graphql_error(self) -> dict[str, Any]:
        """The error as AppSync reports it in a GraphQL response's `errors` list."""
        return {"message": self.message, "errorType": self.error_type, "data": self.data, "errorInfo": self.info}


class EvalError(VtlError):
    """Raised by value helpers, which know no location; the renderer re-raises it as a located `VtlError`.

    Python callers of helpers such as `filters.dynamodb_expression` see it as a `VtlError`.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.args = (message,)

    def __str__(self) -> str:
        return self.message
