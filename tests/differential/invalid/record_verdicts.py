"""Record Amplify's accept/reject verdict for every case of this corpus into `verdicts.json`.

    .venv/bin/python tests/differential/invalid/record_verdicts.py [CASE_NAME ...]

Runs Amplify's real transformer (the oracle, see `tests/oracle_support.py`) on each `.graphql` here with the
auth modes and parameters its header names. Without names, every case is recorded and the file rewritten.
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TESTS = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TESTS))
sys.path.insert(0, str(TESTS.parent))

from oracle_support import amplify_transform, oracle_missing_reason  # noqa: E402
from parity_support import VERDICTS, ParityCase, Verdict, Verdicts, corpus, load_verdicts  # noqa: E402


def amplify_verdict(case: ParityCase) -> Verdict:
    with tempfile.TemporaryDirectory(prefix="parity-") as out:
        result = amplify_transform(case.path, Path(out) / "out", case.auth_modes, case.params)
    message = result.message.removeprefix("TRANSFORM FAILED: ") if not result.accepted else ""
    return Verdict(accepted=result.accepted, message=message)


def main(names: list[str]) -> int:
    reason = oracle_missing_reason()
    if reason:
        print(f"cannot record: {reason}", file=sys.stderr)
        return 2
    cases = [c for c in corpus() if not names or c.name in names]
    recorded = load_verdicts() if names and VERDICTS.exists() else {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for case, verdict in zip(cases, pool.map(amplify_verdict, cases), strict=True):
            recorded[case.name] = verdict
            print(f"{'accepted' if verdict.accepted else 'rejected'}  {case.name}  {verdict.message[:120]}")
    text = Verdicts(dict(sorted(recorded.items()))).model_dump_json(indent=2)
    VERDICTS.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
