"""The `validate` slot of a create or update pipeline: each `@validate` check, as Amplify's validate transformer
writes it (after postAuth, before the data function; the first failure is `$util.error(message)`)."""

from __future__ import annotations

from transformer.emit_vtl.defaults import vtl_literal
from transformer.emit_vtl.vtl import VtlWriter, empty_payload, q
from transformer.field_validation import FieldValidation, ValidationKind
from transformer.matrix import ModelAccess

_COMPARISONS = {
    ValidationKind.GT: ">",
    ValidationKind.LT: "<",
    ValidationKind.GTE: ">=",
    ValidationKind.LTE: "<=",
}


def _condition(check: FieldValidation, value: str) -> str:
    kind = check.kind
    if kind is ValidationKind.STARTS_WITH:
        return f"{value}.startsWith({q(check.value)})"
    if kind is ValidationKind.ENDS_WITH:
        return f"{value}.endsWith({q(check.value)})"
    if kind is ValidationKind.MATCHES:
        return f"$util.matches({q(check.value)}, {value})"
    bound = vtl_literal(check.bound())
    if kind is ValidationKind.MIN_LENGTH:
        return f"{value}.length() >= {bound}"
    if kind is ValidationKind.MAX_LENGTH:
        return f"{value}.length() <= {bound}"
    return f"{value} {_COMPARISONS[kind]} {bound}"


def has_validations(model: ModelAccess) -> bool:
    return any(field.validations for field in model.fields)


def validate_request(model: ModelAccess) -> str:
    """The validate function's request: every check of the model's fields, then an empty NONE payload."""
    w = VtlWriter()
    for field in model.fields:
        if not field.validations:
            continue
        value = f"$ctx.args.input.get({q(field.name)})"
        with w.block(f"#if(!$util.isNull({value}))"):
            for check in field.validations:
                passed = f"${check.kind.value}ValidationPassed"
                w.line(f"#set({passed} = {_condition(check, value)})")
                with w.block(f"#if(!{passed})"):
                    w.line(f"$util.error({q(check.message)})")
    w.line(empty_payload())
    return w.text()


__all__ = ["has_validations", "validate_request"]
