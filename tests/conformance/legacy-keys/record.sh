#!/bin/sh
# Re-record this suite from Amplify (the oracle, see ../../oracle_support.py): cases.py, publish.py, then put
# respectPrimaryKeyAttributesOnConnectionField back into settings.transformParameters (publish.py keeps only
# the four parameters it knows). Usage: tests/conformance/legacy-keys/record.sh [ORACLE_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
oracle=${1:-/tmp/oracle}
raw=$(mktemp)
python3 "$oracle/cases.py" "$here/suite-spec.json" "$raw"
python3 "$oracle/publish.py" "$raw" "$here/suite.json"
rm -f "$raw"
python3 - "$here/suite.json" <<'PY'
import json, sys
path = sys.argv[1]
suite = json.load(open(path))
suite["settings"]["transformParameters"]["respectPrimaryKeyAttributesOnConnectionField"] = False
json.dump(suite, open(path, "w"), indent=1)
open(path, "a").write("\n")
PY
