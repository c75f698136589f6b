"""Temporary copies of the bundled samples, without what running them leaves behind.

`gqlauth serve`, `token` and the README tour keep local state in a sample's `.gqlauth/` (keys, the
SQLite store with whatever was created) and may leave a `build/`; a test that copied those would see
someone else's records and keys. Every test that needs a sample on disk copies it with `copy_sample`.
"""

from __future__ import annotations

import shutil
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

LEFTOVERS = shutil.ignore_patterns(
    ".gqlauth", "build", "node_modules", "__pycache__", ".*", "aws-exports.js", "amplifyconfiguration.json"
)
"""Never part of a sample's inputs: local state, build output, installed packages, hidden files, and the
frontend configuration `serve` writes."""


def copy_sample(source: Path, target: Path) -> Path:
    """Copy a sample folder (e.g. `SAMPLES / "blog"`) to `target`, leaving out local state and builds."""
    shutil.copytree(source, target, ignore=LEFTOVERS)
    return target


__all__ = ["LEFTOVERS", "SAMPLES", "copy_sample"]
