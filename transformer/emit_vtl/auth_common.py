"""Pieces every auth-slot template shares: the opening lines and the `Unauthorized on [...]` check."""

from __future__ import annotations

from collections.abc import Sequence

from transformer.emit_vtl.vtl import VtlWriter


def open_auth(w: VtlWriter) -> None:
    w.qr('$ctx.stash.put("hasAuth", true)')
    w.line("#set($isAuthorized = false)")


def emit_denied_check(w: VtlWriter, fields: str, passes: Sequence[str]) -> None:
    """Collect, pass by pass, the fields (of the list `fields`) meeting each condition on `$inputField`
    into `$deniedFields` (each once, in that order); fail with `Unauthorized on [...]`."""
    w.line("#set($deniedFields = [])")
    for condition in passes:
        with w.block(f"#foreach($inputField in {fields})", f"#if(({condition}) && !$deniedFields.contains($inputField))"):
            w.qr("$deniedFields.add($inputField)")
    with w.block("#if(!$deniedFields.isEmpty())"):
        w.line("#set($deniedMessage = 'Unauthorized on ')")
        w.line("$util.error($deniedMessage.concat($deniedFields.toString()), 'Unauthorized')")
