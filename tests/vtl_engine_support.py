"""Running templates in the engine behind `amplify mock` (through `vtl_simulator.js` and the installed oracle)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oracle_support import install_oracle

SCRIPT = Path(__file__).parent / "vtl_simulator.js"
TIMEOUT = 300


def simulate(jobs: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each job (`name`, `template`, optional `context`) parsed, and rendered when it has a context, by name."""
    oracle = install_oracle()
    completed = subprocess.run(["node", str(SCRIPT), str(oracle)], input=json.dumps(list(jobs)), capture_output=True,
                               text=True, timeout=TIMEOUT, check=False)
    assert completed.returncode == 0, completed.stderr[-3000:]
    return {result["name"]: result for result in json.loads(completed.stdout)}
