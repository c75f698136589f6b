"""`gqlauth check` rejects the `@default`, `@searchable`, `@http`, `@manyToMany` and `references:` uses Amplify
rejects, with Amplify's message, and accepts the ones it accepts (verdicts recorded from Amplify in
`tests/directives_invalid/verdicts.json` by its `record.py`)."""

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


@pytest.mark.parametrize("name", sorted(VERDICTS))
def test_verdict_and_message_match_amplify(name: str) -> None:
    _schema, diagnostics = load_schema(HERE / f"{name}.graphql")
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    verdict = VERDICTS[name]
    assert (not errors) is verdict["accepted"], [d.render() for d in errors]
    if verdict["accepted"]:
        return
    message = str(verdict["message"]).split(": ", 1)[1]
    if name in LOCATED_BY_OFFSET:
        tail = message.split(" requires ", 1)[1]
        assert any(d.message.endswith(tail) for d in errors), [d.message for d in errors]
    else:
        assert message in [d.message for d in errors]
    assert all(d.line is not None for d in errors)


def test_every_schema_has_a_recorded_verdict() -> None:
    assert sorted(p.stem for p in HERE.glob("*.graphql")) == sorted(VERDICTS)
