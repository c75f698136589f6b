"""Golden-file comparison shared by the emitter tests.

`GQLAUTH_UPDATE_GOLDEN=1 pytest tests/test_emit_golden.py` rewrites the expected files from the
current output; review the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

GOLDEN_ROOT = Path(__file__).parent / "golden"
SAMPLES_ROOT = Path(__file__).parent.parent / "samples"
"""Bundled samples are golden inputs too: their expected files live in `golden/<sample>/expected`."""
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


def input_dir(sample: str) -> Path:
    """Where a golden case's schema, group file and auth modes are: `samples/<name>` or `golden/<name>`."""
    bundled = SAMPLES_ROOT / sample
    return bundled if (bundled / "schema.graphql").is_file() else GOLDEN_ROOT / sample


def samples() -> list[str]:
    names = {p.name for p in GOLDEN_ROOT.iterdir() if (p / "schema.graphql").is_file()}
    names |= {p.name for p in SAMPLES_ROOT.iterdir() if (p / "schema.graphql").is_file()}
    return sorted(names)
