"""One template holding every resource of a build's nested stacks: the view tools that read a single file need.

Not deployable past CloudFormation's quotas (that is why the build is split); it is for tools such as the
oracle's `ourvtl`, which reads `BUILD/stack.json` whole:

    python -m transformer.stack_merge BUILD OUT [--substitute]   # writes OUT/stack.json and OUT/schema.graphql

Each nested stack's resources join the root (logical ids are unique across a gqlauth build, recursively for
stacks nested deeper): a `Ref` to one of its Parameters becomes the value its parent passes, and
`Fn::GetAtt [Stack, Outputs.X]` the value behind that output. With `--substitute`, a template given as
`Fn::Sub` is substituted as CloudFormation would, the root Parameters taking their defaults (and the account
`123456789012`); a Parameter without a default is then an error naming it. OUT may be BUILD.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

from transformer.emit_stack import SCHEMA_FILE, STACK_FILE

NESTED_STACK = "AWS::CloudFormation::Stack"
PLACEHOLDER_ACCOUNT = "123456789012"
PLACEHOLDER_REGION = "us-east-1"
_SUB_REFERENCE = re.compile(r"\$\{(!?)([^}]*)\}")


class MissingParameter(ValueError):
    """A `Fn::Sub` names a Parameter that has no value (no default, nothing passed)."""


def _substitute(value: Any, parameters: dict[str, Any], outputs: dict[str, dict[str, Any]],
                expand_subs: bool) -> Any:
    if isinstance(value, list):
        return [_substitute(item, parameters, outputs, expand_subs) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"} and value["Ref"] in parameters:
        return parameters[value["Ref"]]
    get_att = value.get("Fn::GetAtt")
    if set(value) == {"Fn::GetAtt"} and isinstance(get_att, list) and get_att and get_att[0] in outputs:
        return outputs[get_att[0]][str(get_att[1]).removeprefix("Outputs.")]
    if expand_subs and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return _expand_sub(value["Fn::Sub"], {**parameters, "AWS::AccountId": PLACEHOLDER_ACCOUNT,
                                              "AWS::Region": PLACEHOLDER_REGION})
    return {key: _substitute(item, parameters, outputs, expand_subs) for key, item in value.items()}


def _expand_sub(text: str, known: dict[str, Any]) -> str:
    def value_of(match: re.Match[str]) -> str:
        if match.group(1):
            return "${" + match.group(2) + "}"
        if match.group(2) not in known:
            raise MissingParameter(f"Parameter {match.group(2)} has no value (give it with its transform option)")
        return str(known[match.group(2)])

    return _SUB_REFERENCE.sub(value_of, text)


def _merge(template: dict[str, Any], base: Path, parameters: dict[str, Any], into: dict[str, Any],
           expand_subs: bool) -> None:
    resources: dict[str, Any] = template.get("Resources", {})
    nested = {name: res for name, res in resources.items() if res.get("Type") == NESTED_STACK}
    for name, res in resources.items():
        if name not in nested:
            into[name] = _substitute(res, parameters, {}, expand_subs)
    outputs: dict[str, dict[str, Any]] = {}
    for name in _dependency_order(nested):
        location = base / nested[name]["Properties"]["TemplateURL"]
        child = json.loads(location.read_text(encoding="utf-8"))
        passed = _substitute(nested[name]["Properties"].get("Parameters", {}), parameters, outputs, expand_subs)
        _merge(child, location.parent, passed, into, expand_subs)
        outputs[name] = {key: _substitute(out["Value"], passed, outputs, expand_subs)
                         for key, out in child.get("Outputs", {}).items()}


def _dependency_order(nested: dict[str, Any]) -> list[str]:
    """Nested stacks in an order where each comes after every stack whose outputs it takes."""
    def uses(value: Any) -> set[str]:
        if isinstance(value, list):
            return set().union(*(uses(item) for item in value))
        if isinstance(value, dict):
            att = value.get("Fn::GetAtt")
            found = {att[0]} if isinstance(att, list) and att and att[0] in nested else set()
            return found.union(*(uses(item) for item in value.values()))
        return set()

    order: list[str] = []
    pending = dict(nested)
    while pending:
        ready = [name for name, res in pending.items() if uses(res["Properties"].get("Parameters", {})) <= set(order)]
        if not ready:
            raise ValueError(f"nested stacks take each other's outputs in a cycle: {sorted(pending)}")
        for name in ready:
            order.append(name)
            del pending[name]
    return order


def merged_template(build: Path, *, substitute: bool = False) -> dict[str, Any]:
    """The build's root stack with every nested stack's resources in it."""
    root = json.loads((build / STACK_FILE).read_text(encoding="utf-8"))
    defaults = {name: spec["Default"] for name, spec in root.get("Parameters", {}).items() if "Default" in spec}
    resources: dict[str, Any] = {}
    _merge(root, build, defaults if substitute else {}, resources, substitute)
    merged = {key: value for key, value in root.items() if key != "Resources"}
    merged["Resources"] = resources
    return merged


def main(argv: list[str]) -> int:
    substitute = "--substitute" in argv
    paths = [arg for arg in argv if arg != "--substitute"]
    if len(paths) != 2:
        print("usage: python -m transformer.stack_merge BUILD OUT [--substitute]", file=sys.stderr)
        return 2
    build, out = Path(paths[0]), Path(paths[1])
    try:
        template = merged_template(build, substitute=substitute)
    except MissingParameter as error:
        print(f"{build}: {error}", file=sys.stderr)
        return 1
    except (OSError, ValueError, KeyError) as error:
        print(f"{build}: not a gqlauth build ({error})", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    (out / STACK_FILE).write_text(json.dumps(template, indent=1) + "\n", encoding="utf-8")
    if out.resolve() != build.resolve():
        shutil.copyfile(build / SCHEMA_FILE, out / SCHEMA_FILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
