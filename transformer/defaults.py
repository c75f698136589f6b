"""`@default(value:)`: the value a create stores when the input leaves a field out or sets it to null.

Amplify applies it in the create pipeline's init slot, before the auth slot
(`$ctx.args.input.put(f, $util.defaultIfNull($ctx.args.input.f, value))`), so a defaulted field counts
as written by the caller: field-level create rules judge it like any other input field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from transformer.schema_model import FieldType


def default_value(ftype: FieldType, text: str) -> Any:
    """The `@default` text as the JSON value of the field's type (`Int` 1, `Boolean` true, else the text)."""
    try:
        if ftype.name == "Int":
            return int(text)
        if ftype.name == "Float":
            return float(text)
    except ValueError:
        return text
    if ftype.name == "Boolean":
        return text.strip().lower() == "true"
    return text


def with_defaults(defaults: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """The create input with every defaulted field that is absent or null set to its default."""
    filled = dict(values)
    for name, value in defaults.items():
        if filled.get(name) is None:
            filled[name] = value
    return filled
