"""Amplify's own transformer and template engine (`../shared/oracle`) for differential tests.

The oracle lives beside the project, read-only in CI. It is copied into the npm cache directory
(`tests/npm_cache.py`), where `npm ci` runs once per lock file. Without `../shared/oracle` (or
`$GQLAUTH_ORACLE_DIR`), or without Node, the tests that need it skip and say why; the expectations
recorded from it under `tests/` keep running.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from npm_cache import npm_ci_cached

REPO = Path(__file__).resolve().parents[1]
TRANSFORM_TIMEOUT = 120


def oracle_source() -> Path:
    configured = os.environ.get("GQLAUTH_ORACLE_DIR")
    return Path(configured) if configured else REPO.parent / "shared" / "oracle"


def oracle_missing_reason() -> str | None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found on PATH: Amplify's transformer needs Node 20+"
    if not (oracle_source() / "transform.js").is_file():
        return f"Amplify's transformer (the oracle) is not at {oracle_source()} (set GQLAUTH_ORACLE_DIR)"
    return None


@cache
def install_oracle() -> Path:
    """The oracle's scripts with `node_modules` installed, in a writable directory."""
    source = oracle_source()
    target = npm_ci_cached(source, "amplify-oracle")
    for entry in source.iterdir():
        if entry.name == "node_modules":
            continue
        if entry.is_dir():
            shutil.copytree(entry, target / entry.name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("node_modules"))
        else:
            shutil.copy2(entry, target / entry.name)
    return target


@dataclass(frozen=True)
class AmplifyTransform:
    """What `transform.js` did with one schema: accepted (with its output folder) or rejected (with why)."""

    accepted: bool
    out_dir: Path
    message: str
    stderr: str

    @property
    def schema(self) -> str:
        return (self.out_dir / "schema.graphql").read_text(encoding="utf-8")


def amplify_transform(schema: Path, out_dir: Path, auth_modes: Sequence[str] = ("userPools",),
                      params: Mapping[str, str] | None = None, extra_args: Sequence[str] = ()) -> AmplifyTransform:
    """Run Amplify's real transformer v2 on `schema` (a file; `--param k=v` for each transform parameter)."""
    oracle = install_oracle()
    argv = ["node", str(oracle / "transform.js"), str(schema), str(out_dir), "--auth-modes", ",".join(auth_modes)]
    for key, value in (params or {}).items():
        argv += ["--param", f"{key}={value}"]
    argv += list(extra_args)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=TRANSFORM_TIMEOUT)
    failure = next((line for line in (result.stdout + result.stderr).splitlines()
                    if line.startswith("TRANSFORM FAILED")), "")
    if result.returncode == 0:
        return AmplifyTransform(True, out_dir, json.loads(result.stdout.strip().splitlines()[-1]).get("outDir", ""),
                                result.stderr)
    return AmplifyTransform(False, out_dir, failure or result.stderr.strip()[-2000:], result.stderr)


def compare_schemas(amplify_schema: Path, our_schema: Path) -> dict[str, object]:
    """The oracle's structural comparison (`compare_schemas.py --json`) of Amplify's output schema and ours."""
    oracle = install_oracle()
    result = subprocess.run([sys.executable, str(oracle / "compare_schemas.py"), str(amplify_schema), str(our_schema),
                             "--json"], capture_output=True, text=True, timeout=60)
    parsed: dict[str, object] = json.loads(result.stdout)
    return parsed
