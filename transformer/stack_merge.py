"""One template holding every resource of a build's nested stacks: the view tools that read a single file need.

Not deployable past CloudFormation's quotas (that is why the build is split); for tools such as the
oracle's `ourvtl`, which reads `BUILD/stack.json` whole:

    python -m transformer.stack_merge BUILD OUT     # writes OUT/stack.json and OUT/schema.graphql

Nested stacks' Parameters are replaced by what the API stack passes them, outputs of other nested
stacks by the values behind them (logical ids are unique across a gqlauth build).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from transformer.emit_stack import SCHEMA_FILE, STACK_FILE


def _substitute(value: Any, parameters: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        return {k: _substitute(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(item, parameters) for item in value]
    return value


def merged_template(build: Path) -> dict[str, Any]:
    root = json.loads((build / STACK_FILE).read_text(encoding="utf-8"))
    nested = {
        logical: resource for logical, resource in root["Resources"].items()
        if resource["Type"] == "AWS::CloudFormation::Stack"
    }
    children = {
        logical: json.loads((build / resource["Properties"]["TemplateURL"]).read_text(encoding="utf-8"))
        for logical, resource in nested.items()
    }
    resources = {k: v for k, v in root["Resources"].items() if k not in nested}
    for logical, resource in nested.items():
        passed: dict[str, Any] = {}
        for name, value in resource["Properties"].get("Parameters", {}).items():
            target, attribute = value.get("Fn::GetAtt", ("", "")) if isinstance(value, dict) else ("", "")
            if target in children and attribute.startswith("Outputs."):
                value = children[target]["Outputs"][attribute.removeprefix("Outputs.")]["Value"]
            passed[name] = value
        resources.update(_substitute(children[logical]["Resources"], passed))
    merged = {key: value for key, value in root.items() if key != "Resources"}
    merged["Resources"] = resources
    return merged


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m transformer.stack_merge BUILD OUT", file=sys.stderr)
        return 2
    build, out = Path(argv[0]), Path(argv[1])
    try:
        template = merged_template(build)
    except (OSError, ValueError, KeyError) as error:
        print(f"{build}: not a gqlauth build ({error})", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    (out / STACK_FILE).write_text(json.dumps(template, indent=1) + "\n", encoding="utf-8")
    shutil.copyfile(build / SCHEMA_FILE, out / SCHEMA_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


__all__ = ["merged_template"]
