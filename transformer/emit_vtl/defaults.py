"""`@default` in the create pipeline: the init slot puts each default into the input when the caller left
the field out or null, before the auth slot judges the input (as Amplify's init slot does)."""

from __future__ import annotations

import json
import math
from decimal import Decimal

from transformer.emit_vtl.vtl import VtlWriter, q
from transformer.matrix import ModelAccess


def vtl_literal(value: object) -> str:
    """A VTL value for a typed default. Velocity has no exponent notation, so a float is written out in full
    (`1e-07` would not parse) and keeps a decimal point, so it stays a Double. An infinite one (`1e400`, which
    check lets through as Amplify does) has no literal: it is parsed from JSON text at run time."""
    if isinstance(value, str):
        return q(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return f"$util.parseJson({q(json.dumps(value))})"
        text = format(Decimal(repr(value)), "f")
        return text if "." in text else text + ".0"
    return json.dumps(value)


def default_values_lines(model: ModelAccess) -> str:
    """The init-slot statements for `model`'s defaulted fields ("" when it has none)."""
    w = VtlWriter()
    for field in model.fields:
        if field.default is None:
            continue
        value = f"$util.defaultIfNull($ctx.args.input.get({q(field.name)}), {vtl_literal(field.default)})"
        w.qr(f"$ctx.args.input.put({q(field.name)}, {value})")
    return w.text() if any(f.default is not None for f in model.fields) else ""
