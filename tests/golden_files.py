"""Golden-file comparison shared by the emitter tests.

`GQLAUTH_UPDATE_GOLDEN=1 pytest tests/test_emit_golden.py` rewrites the expected files from the
current output; review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_ROOT = Path(__file__).parent / "golden"
UPDATE_ENV = "GQLAUTH_UPDATE_GOLDEN"


def updating() -> bool:
    return os.environ.get(UPDATE_ENV) == "1"


def assert_matches_golden(expected_path: Path, actual: str) -> None:
    if updating():
        expected_path.parent.mkdir(parents=True, exist_ok=True)
        expected_path.write_text(actual, encoding="utf-8")
        return
    assert expected_path.is_file(), f"no golden file {expected_path}; run with {UPDATE_ENV}=1 to create it"
    expected = expected_path.read_text(encoding="utf-8")
    assert actual == expected, f"{expected_path} differs from the output; if intended, run with {UPDATE_ENV}=1"


def samples() -> list[str]:
    return sorted(p.name for p in GOLDEN_ROOT.iterdir() if (p / "schema.graphql").is_file())
