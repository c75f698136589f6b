"""`npm ci` once per lock file into a cache directory that later test runs reuse.

The cache is `$GQLAUTH_NPM_CACHE_DIR`, default `~/.cache/gqlauth-tests` (else the temp directory). The
install happens in a staging directory renamed into place, so a run killed half-way leaves nothing that a
later run would take for a finished install.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

NPM_CI_TIMEOUT = 240
DONE_MARKER = ".gqlauth-npm-ci-done"


def npm_ci_cached(source: Path, name: str) -> Path:
    """A directory holding `source`'s package files with `node_modules` installed."""
    digest = hashlib.sha256((source / "package-lock.json").read_bytes()
                            + (source / "package.json").read_bytes()).hexdigest()[:16]
    root = cache_root()
    target = root / f"{name}-{digest}"
    if (target / "node_modules" / DONE_MARKER).exists():
        return target
    staging = root / f".staging-{name}-{digest}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for file_name in ("package.json", "package-lock.json"):
        shutil.copy2(source / file_name, staging / file_name)
    result = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=staging,
                            capture_output=True, text=True, timeout=NPM_CI_TIMEOUT)
    if result.returncode != 0:
        raise RuntimeError(f"npm ci failed in {staging}:\n{result.stdout}\n{result.stderr}")
    (staging / "node_modules" / DONE_MARKER).write_text(digest)
    shutil.rmtree(target, ignore_errors=True)
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / "node_modules" / DONE_MARKER).exists():
            raise
    return target


def cache_root() -> Path:
    configured = os.environ.get("GQLAUTH_NPM_CACHE_DIR")
    for candidate in ([Path(configured)] if configured else [Path.home() / ".cache" / "gqlauth-tests",
                                                              Path(tempfile.gettempdir()) / "gqlauth-tests"]):
        try:
            candidate.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(candidate, os.W_OK):
            return candidate
    raise RuntimeError("no writable directory for the npm install (set GQLAUTH_NPM_CACHE_DIR)")
