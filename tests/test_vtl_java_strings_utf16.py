"""String methods count and index UTF-16 code units, as Java's `String` does in AppSync: "😀" (U+1F600) is two
units, so `length()` counts it twice and `substring`, `indexOf`, `lastIndexOf`, `charAt`, `startsWith(p, offset)`
see its two halves. The same template also runs in the `amplify mock` engine (JavaScript strings are UTF-16 too)
when the oracle is available, and both must agree."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from oracle_support import install_oracle, oracle_missing_reason

from resolvers.vtl import VtlContext, render_text
from resolvers.vtl.utf16 import from_units, to_units, utf16_length

GRIN = "\U0001f600"
TEXT = f"a{GRIN}b{GRIN}bc"
"""Units: a, high, low, b, high, low, b, c (8)."""

CASES: dict[str, tuple[str, object]] = {
    "length": ("$s.length()", 8),
    "emojiLength": ("$e.length()", 2),
    "bmpLength": ("$bmp.length()", 3),
    "substringPair": ("$s.substring(1, 3)", GRIN),
    "substringTail": ("$s.substring(3)", f"b{GRIN}bc"),
    "substringSplitLength": ("$s.substring(2).length()", 6),
    "indexOf": ("$s.indexOf('b')", 3),
    "indexOfFrom": ("$s.indexOf('b', 4)", 6),
    "indexOfEmoji": ("$s.indexOf($e)", 1),
    "lastIndexOf": ("$s.lastIndexOf('b')", 6),
    "lastIndexOfFrom": ("$s.lastIndexOf('b', 4)", 3),
    "lastIndexOfEmoji": ("$s.lastIndexOf($e)", 4),
    "startsWithOffset": ("$s.startsWith('b', 3)", True),
    "startsWithEmojiOffset": ("$s.startsWith($e, 4)", True),
    "charAt": ("$s.charAt(3)", "b"),
    "charAtLast": ("$s.charAt(7)", "c"),
}
ARGUMENTS = {"s": TEXT, "e": GRIN, "bmp": "été"}
SIMULATOR_LACKS = {"charAt", "charAtLast", "substringSplitLength"}
"""The simulator's Java string has no `charAt`, and the `substring` it returns is a bare JavaScript string without
Java's methods; it leaves those entries out (AppSync, being Java, has both)."""


def _template() -> str:
    lines = ["#set($s = $ctx.args.s)", "#set($e = $ctx.args.e)", "#set($bmp = $ctx.args.bmp)", "#set($out = {})"]
    for key, (expression, _) in CASES.items():
        lines.append(f"#set($value = {expression})")
        lines.append(f"$util.qr($out.put('{key}', $value))")
    lines.append("$util.toJson($out)")
    return "\n".join(lines)


def _ours() -> dict[str, object]:
    result: dict[str, object] = json.loads(render_text(_template(), VtlContext(arguments=ARGUMENTS), "t.vtl").text)
    return result


@pytest.mark.parametrize("key", list(CASES))
def test_string_methods_use_utf16_indexes(key: str) -> None:
    assert _ours()[key] == CASES[key][1]


def test_out_of_range_is_judged_in_units() -> None:
    context = VtlContext(arguments={"e": GRIN})
    assert render_text("#set($r = $ctx.args.e.substring(0, 2))$r", context, "t.vtl").text == GRIN
    with pytest.raises(Exception, match="out of range for length 2"):
        render_text("#set($r = $ctx.args.e.substring(0, 3))$r", context, "t.vtl")
    with pytest.raises(Exception, match="out of range for length 2"):
        render_text("#set($r = $ctx.args.e.charAt(2))$r", context, "t.vtl")


def test_units_round_trip() -> None:
    assert utf16_length(TEXT) == 8 and utf16_length("abc") == 3 and utf16_length("é") == 1
    units = to_units(TEXT)
    assert len(units) == 8
    assert from_units(units) == TEXT
    assert from_units(units[:2]) == "a\ud83d"


def test_the_simulator_agrees(tmp_path: Path) -> None:
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    oracle = install_oracle()
    template, context = tmp_path / "t.vtl", tmp_path / "context.json"
    template.write_text(_template(), encoding="utf-8")
    context.write_text(json.dumps({"arguments": ARGUMENTS}), encoding="utf-8")
    run = subprocess.run(["node", str(oracle / "run_vtl.js"), str(template), str(context)],
                         capture_output=True, text=True, timeout=120, check=False)
    rendered = json.loads(run.stdout)
    assert rendered.get("errors") == [], rendered
    theirs = rendered["result"]
    ours = _ours()
    shared = set(CASES) - SIMULATOR_LACKS
    assert {key for key in CASES if key in theirs} == shared
    assert {key: theirs[key] for key in shared} == {key: ours[key] for key in shared}
