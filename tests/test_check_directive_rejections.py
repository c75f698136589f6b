"""`gqlauth check` rejects the `@default`, `@searchable`, `@http`, `@function`, `@manyToMany` and `references:`
uses Amplify rejects, with Amplify's message (its first line, as recorded), and accepts the ones it accepts
(verdicts recorded from Amplify in `tests/directives_invalid/verdicts.json` by its `record.py`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transformer.diagnostics import Severity
from transformer.parse import load_schema

HERE = Path(__file__).parent / "directives_invalid"
VERDICTS: dict[str, dict[str, object]] = json.loads((HERE / "verdicts.json").read_text(encoding="utf-8"))
LOCATED_BY_OFFSET = {"http-not-http-url"}
"""Amplify names a character offset there; gqlauth names the field (the rest of the message is Amplify's)."""
FIELD_DESCRIBED = {"function-event-wrong-return-type"}
"""Amplify prints the whole field definition there; gqlauth names it `Type.field` (the rest is Amplify's)."""


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_verdict_and_message_match_amplify(name: str) -> None:
    _schema, diagnostics = load_schema(HERE / f"{name}.graphql")
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    verdict = VERDICTS[name]
    assert (not errors) is verdict["accepted"], [d.render() for d in errors]
    if verdict["accepted"]:
        return
    message = str(verdict["message"]).split(": ", 1)[1]
    first_lines = [d.message.splitlines()[0] for d in errors]
    if name in LOCATED_BY_OFFSET:
        tail = message.split(" requires ", 1)[1]
        assert any(line.endswith(tail) for line in first_lines), first_lines
    elif name in FIELD_DESCRIBED:
        head = message.split(" for ", 1)[0]
        assert any(line.startswith(head + " for ") for line in first_lines), first_lines
    else:
        assert message in first_lines, first_lines
    assert all(d.line is not None for d in errors)


def test_every_schema_has_a_recorded_verdict() -> None:
    assert sorted(p.stem for p in HERE.glob("*.graphql")) == sorted(VERDICTS)
