"""`@validate` values are read as Amplify reads them: JavaScript's `parseInt` (lengths) and `parseFloat` (bounds)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from transformer.field_validation import js_parse_float, js_parse_int

TEXTS = ["3", " 12abc", "0x1A", "-0x10", "-5", "1e3", "1.5", ".5", "-.5e-2x", "Infinity", "-Infinity", "", "abc",
         "+7", "\t\n42", "0.0", "1e", "12e+2", "0X", "007", "9007199254740993", "\u00a05"]


@pytest.fixture(scope="module")
def javascript() -> dict[str, list[float | None]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = ("const t = JSON.parse(process.argv[1]); const n = v => Number.isNaN(v) ? null : "
              "(Number.isFinite(v) ? v : (v > 0 ? 'inf' : '-inf'));"
              "console.log(JSON.stringify({int: t.map(s => n(parseInt(s))), float: t.map(s => n(parseFloat(s)))}))")
    run = subprocess.run([node, "-e", script, json.dumps(TEXTS)], capture_output=True, text=True, check=True, timeout=60)
    result: dict[str, list[float | None]] = json.loads(run.stdout)
    return result


def _comparable(value: float | int | None) -> float | str | None:
    if value is None:
        return None
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return float(value)


def test_parse_int_matches_javascript(javascript: dict[str, list[float | None]]) -> None:
    ours = [_comparable(js_parse_int(text)) for text in TEXTS]
    assert ours == [_comparable(v) if not isinstance(v, str) else v for v in javascript["int"]]


def test_parse_float_matches_javascript(javascript: dict[str, list[float | None]]) -> None:
    ours = [_comparable(js_parse_float(text)) for text in TEXTS]
    assert ours == [_comparable(v) if not isinstance(v, str) else v for v in javascript["float"]]
