"""Re-record Amplify's verdict on each schema here: `python tests/directives_invalid/record.py` (needs the oracle).

Writes `verdicts.json`: schema name -> {"accepted": bool, "message": Amplify's error without its class name}.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from oracle_support import amplify_transform, oracle_missing_reason  # noqa: E402


def main() -> int:
    reason = oracle_missing_reason()
    if reason:
        print(f"record: {reason}", file=sys.stderr)
        return 2
    verdicts: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for schema in sorted(HERE.glob("*.graphql")):
            result = amplify_transform(schema, Path(scratch) / schema.stem, ("userPools", "apiKey"))
            message = None if result.accepted else str(result.message).split(": ", 1)[-1].strip()
            verdicts[schema.stem] = {"accepted": result.accepted, "message": message}
    (HERE / "verdicts.json").write_text(json.dumps(verdicts, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"record: {len(verdicts)} verdicts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
