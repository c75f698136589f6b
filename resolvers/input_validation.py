"""`@validate` at run time: the first check a create or update input fails, as Amplify's validate slot decides it.

The slot runs after auth (a caller who may not write learns nothing about the checks) and, on create, after
the `@default` values are filled in. Only fields present and non-null in the input are checked, field by field
in the model's order and each field's checks in the order written; the first failure ends the request with
`$util.error(message)`, which carries no error type. The comparisons are those of the generated template:
numbers compared as numbers, lengths in UTF-16 code units as Java's `String.length()` counts them ("😀" is 2),
`matches` a whole-string Java regular expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.vtl.errors import VtlError
from resolvers.vtl.javamethods import java_regex
from resolvers.vtl.utf16 import utf16_length
from transformer.field_validation import FieldValidation, ValidationKind
from transformer.matrix import ModelAccess


def _passes(check: FieldValidation, value: Any) -> bool:
    kind = check.kind
    if kind is ValidationKind.STARTS_WITH:
        return str(value).startswith(check.value)
    if kind is ValidationKind.ENDS_WITH:
        return str(value).endswith(check.value)
    if kind is ValidationKind.MATCHES:
        return java_regex(check.value).fullmatch(str(value)) is not None
    bound = check.bound()
    if kind is ValidationKind.MIN_LENGTH:
        return utf16_length(str(value)) >= bound
    if kind is ValidationKind.MAX_LENGTH:
        return utf16_length(str(value)) <= bound
    number = float(value) if isinstance(value, str) else value
    return {
        ValidationKind.GT: lambda: number > bound,
        ValidationKind.LT: lambda: number < bound,
        ValidationKind.GTE: lambda: number >= bound,
        ValidationKind.LTE: lambda: number <= bound,
    }[kind]()


def validation_failure(model: ModelAccess, values: Mapping[str, Any]) -> str | None:
    """The message of the first `@validate` check `values` (a create or update input) fails; None when all pass.

    A `matches` pattern Python cannot compile fails the request with the engine's message, as the template would.
    """
    for field in model.fields:
        value = values.get(field.name)
        if value is None or not field.validations:
            continue
        for check in field.validations:
            try:
                passed = _passes(check, value)
            except VtlError as exc:
                return exc.message
            if not passed:
                return check.message
    return None


__all__ = ["validation_failure"]
