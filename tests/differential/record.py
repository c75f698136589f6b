"""Re-record Amplify's output schema for corpus schemas: `python tests/differential/record.py [NAME ...]`.

Runs Amplify's transformer (the oracle, see `tests/oracle_support.py`) on every schema of
`tests/differential/corpus/` and every sample and golden input (`golden-<name>`), or the named ones, with the auth modes and parameters of its header, and
writes its output schema to `tests/differential/amplify/<name>.graphql`. A corpus schema Amplify rejects
is an error here (exit 1): the corpus holds schemas Amplify accepts; rejected ones belong to
`tests/differential/invalid/`. `--diff` also prints how our output differs from each recorded schema.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from differential_support import (  # noqa: E402
    CORPUS,
    all_cases,
    gqlauth_output,
    structural_differences,
)
from oracle_support import amplify_transform, install_oracle, oracle_missing_reason  # noqa: E402

PLURALS = Path(__file__).parent / "plurals.txt"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpus schema names (default: all)")
    parser.add_argument("--diff", action="store_true", help="print our differences from each recorded schema")
    parser.add_argument("--plurals", action="store_true",
                        help="re-record plurals.txt from the oracle's pluralize package (the words it lists)")
    args = parser.parse_args(argv)
    reason = oracle_missing_reason()
    if reason:
        print(f"record: {reason}", file=sys.stderr)
        return 2
    if args.plurals:
        return record_plurals()
    cases = [c for c in all_cases() if not args.names or c.name in args.names]
    unknown = set(args.names) - {c.name for c in cases}
    if unknown:
        print(f"record: not in {CORPUS}: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    rejected = 0
    for folder in {c.recorded_dir for c in cases}:
        folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        for case in cases:
            result = amplify_transform(Path(case.file), Path(scratch) / case.name, case.auth_modes, case.params,
                                       case.oracle_arguments())
            if not result.accepted:
                rejected += 1
                print(f"{case.name}: REJECTED by Amplify: {result.message}", file=sys.stderr)
                continue
            case.recorded.write_text(result.schema, encoding="utf-8")
            if args.diff:
                ours = gqlauth_output(case)
                found = ours if isinstance(ours, list) else structural_differences(result.schema, ours)
                print(f"{case.name}: {len(found)} differences")
                for line in found:
                    print(f"    {line}")
    print(f"record: {len(cases) - rejected} recorded, {rejected} rejected")
    return 1 if rejected else 0


def record_plurals() -> int:
    """Ask Amplify's own `pluralize` for the plural of every word in plurals.txt and rewrite the file."""
    words = [line.split()[0] for line in PLURALS.read_text(encoding="utf-8").splitlines() if line.strip()]
    script = "const p = require('pluralize'); for (const w of process.argv.slice(1)) console.log(w + ' ' + p(w));"
    result = subprocess.run(["node", "-e", script, *words], capture_output=True, text=True, check=False,
                            cwd=install_oracle(), timeout=60)
    if result.returncode != 0:
        print(f"record: pluralize failed: {result.stderr.strip()}", file=sys.stderr)
        return 1
    PLURALS.write_text(result.stdout, encoding="utf-8")
    print(f"record: {len(words)} plurals")
    return 0


if __name__ == "__main__":
    sys.exit(main())
