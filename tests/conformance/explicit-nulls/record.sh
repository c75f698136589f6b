#!/bin/sh
# Re-record this suite from Amplify (the oracle, see ../../oracle_support.py): cases.py, then publish.py.
# Usage: tests/conformance/explicit-nulls/record.sh [ORACLE_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
oracle=${1:-/tmp/oracle}
raw=$(mktemp)
python3 "$oracle/cases.py" "$here/suite-spec.json" "$raw"
python3 "$oracle/publish.py" "$raw" "$here/suite.json"
rm -f "$raw"
