"""One stack.json holding every resource of a build's nested stacks, as CloudFormation deploys them.

The oracle's `ourvtl` adapter reads pipelines from the resources of `BUILD/stack.json` only; our build
nests a stack per model (`stacks/*.json`). This merges them: each nested stack's resources join the root,
a `Ref` to one of its Parameters becomes the value the parent passes, `Fn::GetAtt [Stack, Outputs.X]`
becomes the output's value, and a template given as `Fn::Sub` is substituted as CloudFormation would (root
Parameters take their defaults; the account is `ACCOUNT_ID`, the suites' own). Nothing else changes, so the
adapter runs exactly the pipelines we deploy.

    python tests/stack_flatten.py BUILD_DIR      (rewrites BUILD_DIR/stack.json in place)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

STACK_TYPE = "AWS::CloudFormation::Stack"
ACCOUNT_ID = "123456789012"


def _substitute(value: Any, parameters: dict[str, Any], stacks: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, list):
        return [_substitute(item, parameters, stacks) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in parameters:
        return parameters[value["Ref"]]
    if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        known = {**parameters, "AWS::AccountId": ACCOUNT_ID}

        def value_of(match: re.Match[str]) -> str:
            if match.group(1):
                return "${" + match.group(2) + "}"
            if match.group(2) not in known:
                raise SystemExit(f"stack_flatten: Parameter {match.group(2)} has no value (build with its transform "
                                 "option, or the suite's settings)")
            return str(known[match.group(2)])

        return re.sub(r"\$\{(!?)([^}]*)\}", value_of, value["Fn::Sub"])
    get_att = value.get("Fn::GetAtt")
    if set(value) == {"Fn::GetAtt"} and isinstance(get_att, list) and get_att[0] in stacks:
        output = str(get_att[1]).removeprefix("Outputs.")
        return stacks[get_att[0]]["Outputs"][output]["Value"]
    return {key: _substitute(item, parameters, stacks) for key, item in value.items()}


def _merge(template: dict[str, Any], base: Path, parameters: dict[str, Any], into: dict[str, Any]) -> None:
    """Add `template`'s resources (with its nested stacks', recursively) to `into`."""
    resources: dict[str, Any] = template.get("Resources", {})
    nested = {name: res for name, res in resources.items() if res.get("Type") == STACK_TYPE}
    loaded = {name: json.loads((base / res["Properties"]["TemplateURL"]).read_text(encoding="utf-8"))
              for name, res in nested.items()}
    resolved_outputs: dict[str, dict[str, Any]] = {}
    for name, res in resources.items():
        if name in nested:
            continue
        into[name] = _substitute(res, parameters, {})
    for name in _dependency_order(nested):
        passed = _substitute(nested[name]["Properties"].get("Parameters", {}), parameters, resolved_outputs)
        child = loaded[name]
        child_base = (base / nested[name]["Properties"]["TemplateURL"]).parent
        _merge(child, child_base, passed, into)
        outputs = {key: {"Value": _substitute(out["Value"], passed, resolved_outputs)}
                   for key, out in child.get("Outputs", {}).items()}
        resolved_outputs[name] = {"Outputs": outputs}


def _dependency_order(nested: dict[str, Any]) -> list[str]:
    """Nested stacks in an order where a stack comes after every stack whose outputs it takes."""
    def uses(value: Any) -> set[str]:
        if isinstance(value, list):
            return set().union(*(uses(v) for v in value)) if value else set()
        if isinstance(value, dict):
            att = value.get("Fn::GetAtt")
            found = {att[0]} if isinstance(att, list) and att and att[0] in nested else set()
            return found.union(*(uses(v) for v in value.values()))
        return set()

    order: list[str] = []
    pending = dict(nested)
    while pending:
        ready = [name for name, res in pending.items() if uses(res["Properties"].get("Parameters", {})) <= set(order)]
        assert ready, f"nested stacks depend on each other in a cycle: {sorted(pending)}"
        for name in ready:
            order.append(name)
            del pending[name]
    return order


def flatten(build_dir: Path) -> None:
    stack_path = build_dir / "stack.json"
    root = json.loads(stack_path.read_text(encoding="utf-8"))
    resources: dict[str, Any] = {}
    defaults = {name: spec["Default"] for name, spec in root.get("Parameters", {}).items() if "Default" in spec}
    _merge(root, build_dir, defaults, resources)
    root["Resources"] = resources
    stack_path.write_text(json.dumps(root), encoding="utf-8")


if __name__ == "__main__":
    flatten(Path(sys.argv[1]))
