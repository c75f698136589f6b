"""`@validate(type:, value:, errorMessage:)`: what a field's validations are, and Amplify's checks of them.

Amplify's validate transformer (`@aws-amplify/graphql-validate-transformer`) adds a `validate` function to the
create and update pipelines of the field's model, after `postAuth`: each validated field present and non-null in
the input must pass each of its checks, else the request fails with `$util.error(message)` (no error type). The
message is the directive's `errorMessage`, or Amplify's default text (`default_message`).

Amplify reads the `value` of a numeric or length check with JavaScript's `parseFloat` / `parseInt` when it
checks the schema, but writes the text itself into its template; gqlauth uses the number JavaScript reads (the
same for every plain number, and a template that parses for the rest).
"""

from __future__ import annotations

import re
from enum import StrEnum

from graphql import (
    DirectiveNode,
    EnumValueNode,
    FieldDefinitionNode,
    value_from_ast_untyped,
)
from pydantic import BaseModel, ConfigDict

from transformer.sdl_reading import base_type_name, is_list_type


class ValidationKind(StrEnum):
    GT = "gt"
    LT = "lt"
    GTE = "gte"
    LTE = "lte"
    MIN_LENGTH = "minLength"
    MAX_LENGTH = "maxLength"
    STARTS_WITH = "startsWith"
    ENDS_WITH = "endsWith"
    MATCHES = "matches"


NUMERIC_KINDS = frozenset({ValidationKind.GT, ValidationKind.LT, ValidationKind.GTE, ValidationKind.LTE})
LENGTH_KINDS = frozenset({ValidationKind.MIN_LENGTH, ValidationKind.MAX_LENGTH})
STRING_KINDS = LENGTH_KINDS | {ValidationKind.STARTS_WITH, ValidationKind.ENDS_WITH, ValidationKind.MATCHES}

_JS_FLOAT = re.compile(r"[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")
_JS_DECIMAL_INT = re.compile(r"[+-]?\d+")
_JS_HEX_PREFIX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*)")
_JS_SPACE = " \t\n\r\v\f\u00a0\ufeff\u2028\u2029"


def js_parse_float(text: str) -> float | int | None:
    """JavaScript's `parseFloat` (the longest number at the start, after white space); None for NaN.

    A plain integer stays an `int`, so that comparisons with large integers stay exact."""
    match = _JS_FLOAT.match(text.lstrip(_JS_SPACE))
    if match is None:
        return None
    number = match.group(0)
    return int(number) if _JS_DECIMAL_INT.fullmatch(number) else float(number)


def js_parse_int(text: str) -> int | None:
    """JavaScript's `parseInt` without a radix (a `0x` prefix reads hexadecimal); None for NaN."""
    stripped = text.lstrip(_JS_SPACE)
    hexadecimal = _JS_HEX_PREFIX.match(stripped)
    if hexadecimal is not None:
        digits = hexadecimal.group(2)
        return int(hexadecimal.group(1) + digits, 16) if digits else None
    match = _JS_DECIMAL_INT.match(stripped)
    return None if match is None else int(match.group(0))


def default_message(type_name: str, field_name: str, kind: ValidationKind, value: str) -> str:
    """Amplify's error message for a failed check without `errorMessage`."""
    subject = f"Field {field_name} of type {type_name} must"
    return {
        ValidationKind.GT: f"{subject} be greater than {value}",
        ValidationKind.LT: f"{subject} be less than {value}",
        ValidationKind.GTE: f"{subject} be greater than or equal to {value}",
        ValidationKind.LTE: f"{subject} be less than or equal to {value}",
        ValidationKind.MIN_LENGTH: f"{subject} have a minimum length of {value}",
        ValidationKind.MAX_LENGTH: f"{subject} have a maximum length of {value}",
        ValidationKind.STARTS_WITH: f"{subject} start with {value}",
        ValidationKind.ENDS_WITH: f"{subject} end with {value}",
        ValidationKind.MATCHES: f"{subject} match {value}",
    }[kind]


class FieldValidation(BaseModel):
    """One `@validate` of a field, with the message a failure reports."""

    model_config = ConfigDict(frozen=True)

    kind: ValidationKind
    value: str
    message: str

    def bound(self) -> float | int:
        """The number a numeric or length check compares with (checked to exist when the schema was checked)."""
        number = js_parse_int(self.value) if self.kind in LENGTH_KINDS else js_parse_float(self.value)
        if number is None:
            raise ValueError(f"@validate({self.kind.value}) needs a number, not {self.value!r}")
        return number


def _arguments(directive: DirectiveNode) -> dict[str, object]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}




def _kind_of(directive: DirectiveNode) -> str | None:
    node = next((a.value for a in directive.arguments or () if a.name.value == "type"), None)
    return node.value if isinstance(node, EnumValueNode) else None


def validate_problem(field: FieldDefinitionNode, directive: DirectiveNode, *, on_model: bool) -> str | None:
    """Amplify's message when this `@validate` of `field` is refused (its first check that fails); else None."""
    if not on_model:
        return "@validate directive can only be used on fields within @model types."
    name = field.name.value
    if is_list_type(field.type):
        return f"@validate directive cannot be used on list field '{name}'"
    directives = list(field.directives or ())
    default_at = next((i for i, d in enumerate(directives) if d.name.value == "default"), -1)
    position = next(i for i, d in enumerate(directives) if d is directive)
    if default_at != -1 and position < default_at:
        return "@validate directive must be specified after @default directive"
    kind = _kind_of(directive)
    for peer in directives:
        if peer is not directive and peer.name.value == "validate" and _kind_of(peer) == kind:
            return (f"Duplicate @validate directive with type '{kind}' on field '{name}'. "
                    "Each validation type can only be used once per field.")
    base = base_type_name(field.type)
    if kind in NUMERIC_KINDS and base not in ("Int", "Float"):
        return (f"Validation type '{kind}' can only be used with numeric fields (Int, Float). "
                f"Field '{name}' is of type '{base}'")
    if kind in STRING_KINDS and base != "String":
        return f"Validation type '{kind}' can only be used with 'String' fields. Field '{name}' is of type '{base}'"
    value = str(_arguments(directive).get("value"))
    if kind in LENGTH_KINDS:
        length = js_parse_int(value)
        if length is None or length < 0:
            return f"{kind} value must be a non-negative integer. Received '{value}' for field '{name}'"
    if kind in NUMERIC_KINDS and js_parse_float(value) is None:
        return f"{kind} value must be a number. Received '{value}' for field '{name}'"
    return None


def read_validations(type_name: str, field: FieldDefinitionNode) -> tuple[FieldValidation, ...]:
    """The field's `@validate` directives in the order written (the order Amplify checks them in)."""
    found: list[FieldValidation] = []
    for directive in field.directives or ():
        kind = _kind_of(directive) if directive.name.value == "validate" else None
        if kind is None or kind not in ValidationKind.__members__.values():
            continue
        args = _arguments(directive)
        value = str(args.get("value"))
        custom = args.get("errorMessage")
        message = str(custom) if custom else default_message(type_name, field.name.value, ValidationKind(kind), value)
        found.append(FieldValidation(kind=ValidationKind(kind), value=value, message=message))
    return tuple(found)


__all__ = [
    "FieldValidation",
    "ValidationKind",
    "default_message",
    "js_parse_float",
    "js_parse_int",
    "read_validations",
    "validate_problem",
]
