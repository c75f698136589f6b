"""Record this suite from Amplify: `.venv/bin/python tests/conformance/validate/record.py`.

Runs the oracle's `cases.py` on `suite-spec.json` and `publish.py` into `suite.json`, then fills in the message
of every case a template ended with `$util.error(message)` (no error type): `cases.py` keeps only Unauthorized
messages, but a `@validate` failure's message is the behaviour under test, so it is read from the oracle's
`decide.js` run of the same case (same transform, identity, items, clock and ids).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TESTS = HERE.parents[1]
sys.path.insert(0, str(TESTS))

from oracle_support import install_oracle, oracle_missing_reason  # noqa: E402

NOW = "2024-05-01T12:00:00.000Z"


def _decide(oracle: Path, transform_dir: Path, spec: dict[str, Any], case: dict[str, Any], work: Path) -> dict[str, Any]:
    identity, args, items = work / "identity.json", work / "args.json", work / "items.json"
    identity.write_text(json.dumps(spec["identities"][case["identity"]]))
    args.write_text(json.dumps(case.get("args", {})))
    chosen = case.get("items", list(spec.get("items", {})))
    items.write_text(json.dumps([spec["items"][name] for name in chosen]))
    run = subprocess.run(
        ["node", str(oracle / "decide.js"), str(HERE / spec["schema"]), str(transform_dir), case["operation"],
         str(identity), str(args), "--auth-modes", ",".join(spec["authModes"]), "--items", str(items),
         "--now", NOW, "--deterministic-ids"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    result: dict[str, Any] = json.loads(run.stdout)
    return result


def main() -> int:
    reason = oracle_missing_reason()
    if reason:
        print(f"cannot record: {reason}", file=sys.stderr)
        return 2
    oracle = install_oracle()
    spec = json.loads((HERE / "suite-spec.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="validate-suite-") as tmp:
        work = Path(tmp)
        raw, transform_dir = work / "suite.raw.json", work / "transform"
        subprocess.run([sys.executable, str(oracle / "cases.py"), str(HERE / "suite-spec.json"), str(raw),
                        "--transform-dir", str(transform_dir)], check=True)
        subprocess.run([sys.executable, str(oracle / "publish.py"), str(raw), str(HERE / "suite.json")], check=True)
        suite = json.loads((HERE / "suite.json").read_text(encoding="utf-8"))
        by_id = {case["id"]: case for case in spec["cases"]}
        filled = 0
        for case in suite["cases"]:
            expect = case["expect"]
            if expect["allowed"] or expect.get("errorType") is not None:
                continue
            error = _decide(oracle, transform_dir, spec, by_id[case["id"]], work).get("error") or {}
            if error.get("kind") != "error" or error.get("errorType") is not None:
                print(f"{case['id']}: not a $util.error: {error}", file=sys.stderr)
                return 1
            expect["message"] = error["message"]
            filled += 1
    (HERE / "suite.json").write_text(json.dumps(suite, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"validate: {len(suite['cases'])} cases, {filled} $util.error messages recorded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
