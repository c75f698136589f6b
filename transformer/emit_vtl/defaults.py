"""`@default` in the create pipeline: the init slot puts each default into the input when the caller left
the field out or null, before the auth slot judges the input (as Amplify's init slot does)."""

from __future__ import annotations

import json

from transformer.emit_vtl.vtl import VtlWriter, q
from transformer.matrix import ModelAccess


def _literal(value: object) -> str:
    if isinstance(value, str):
        return q(value)
    return json.dumps(value)


def default_values_lines(model: ModelAccess) -> str:
    """The init-slot statements for `model`'s defaulted fields ("" when it has none)."""
    w = VtlWriter()
    for field in model.fields:
        if field.default is None:
            continue
        value = f"$util.defaultIfNull($ctx.args.input.get({q(field.name)}), {_literal(field.default)})"
        w.qr(f"$ctx.args.input.put({q(field.name)}, {value})")
    return w.text() if any(f.default is not None for f in model.fields) else ""
