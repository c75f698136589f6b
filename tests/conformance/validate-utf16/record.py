"""Record this suite from Amplify: `.venv/bin/python tests/conformance/validate-utf16/record.py`.

`cases.py` and `publish.py` write `suite.json`; a case that ended with `$util.error(message)` (a failed `@validate`
check, no error type) then gets its message from the oracle's `decide.js` run of the same case, since `cases.py`
keeps only `Unauthorized` messages and the message is part of the behaviour under test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from oracle_support import install_oracle, oracle_missing_reason  # noqa: E402

NOW = "2024-05-01T12:00:00.000Z"


def _error_of(oracle: Path, transform: Path, spec: dict[str, Any], case: dict[str, Any], work: Path) -> dict[str, Any]:
    """The oracle's error for one case, run with the transform, clock and ids `cases.py` used."""
    inputs = {
        "identity.json": spec["identities"][case["identity"]],
        "args.json": case.get("args", {}),
        "items.json": [spec["items"][name] for name in case.get("items", list(spec["items"]))],
    }
    for name, document in inputs.items():
        (work / name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(
        ["node", str(oracle / "decide.js"), str(HERE / spec["schema"]), str(transform), case["operation"],
         str(work / "identity.json"), str(work / "args.json"), "--auth-modes", ",".join(spec["authModes"]),
         "--items", str(work / "items.json"), "--now", NOW, "--deterministic-ids"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    error: dict[str, Any] = json.loads(run.stdout).get("error") or {}
    return error


def main() -> int:
    reason = oracle_missing_reason()
    if reason:
        print(f"cannot record: {reason}", file=sys.stderr)
        return 2
    oracle = install_oracle()
    spec = json.loads((HERE / "suite-spec.json").read_text(encoding="utf-8"))
    cases = {case["id"]: case for case in spec["cases"]}
    target = HERE / "suite.json"
    with tempfile.TemporaryDirectory(prefix="validate-utf16-") as tmp:
        work = Path(tmp)
        raw, transform = work / "suite.raw.json", work / "transform"
        subprocess.run([sys.executable, str(oracle / "cases.py"), str(HERE / "suite-spec.json"), str(raw),
                        "--transform-dir", str(transform)], check=True)
        subprocess.run([sys.executable, str(oracle / "publish.py"), str(raw), str(target)], check=True)
        suite = json.loads(target.read_text(encoding="utf-8"))
        for case in suite["cases"]:
            expect = case["expect"]
            if expect["allowed"] or expect.get("errorType") is not None:
                continue
            error = _error_of(oracle, transform, spec, cases[case["id"]], work)
            if error.get("kind") != "error" or error.get("errorType") is not None:
                print(f"{case['id']}: expected a $util.error, got {error}", file=sys.stderr)
                return 1
            expect["message"] = error["message"]
    target.write_text(json.dumps(suite, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"validate-utf16: {len(suite['cases'])} cases recorded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
