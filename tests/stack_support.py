"""Reading a build's CloudFormation templates as CloudFormation would: wiring and quota checks, no AWS call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from transformer.stack_limits import limit_problems

PSEUDO_PARAMETERS = {"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId", "AWS::Partition",
                     "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"}
LOCAL_FILE_PROPERTIES = ("RequestMappingTemplateS3Location", "ResponseMappingTemplateS3Location",
                         "DefinitionS3Location", "TemplateURL")


def build_templates(build: Path) -> dict[Path, dict[str, Any]]:
    """`stack.json` and every nested template it names, recursively, by path."""
    found: dict[Path, dict[str, Any]] = {}
    pending = [build / "stack.json"]
    while pending:
        path = pending.pop()
        template = json.loads(path.read_text(encoding="utf-8"))
        found[path] = template
        for resource in template["Resources"].values():
            if resource["Type"] == "AWS::CloudFormation::Stack":
                pending.append((path.parent / resource["Properties"]["TemplateURL"]).resolve())
    return found


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        yield value
        for item in value.values():
            yield from _walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def wiring_problems(build: Path) -> list[str]:
    """Everything CloudFormation would reject in how the templates refer to each other and to local files."""
    templates = build_templates(build)
    problems = []
    for path, template in templates.items():
        name = path.relative_to(build.resolve()) if path.is_relative_to(build.resolve()) else path
        resources = template["Resources"]
        parameters = template.get("Parameters", {})
        for node in _walk(resources):
            if "Ref" in node and node["Ref"] not in resources and node["Ref"] not in parameters \
                    and node["Ref"] not in PSEUDO_PARAMETERS:
                problems.append(f"{name}: Ref to undefined {node['Ref']}")
            if "Fn::GetAtt" in node and node["Fn::GetAtt"][0] not in resources:
                problems.append(f"{name}: GetAtt on undefined {node['Fn::GetAtt'][0]}")
        for logical, resource in resources.items():
            properties = resource.get("Properties", {})
            for key in LOCAL_FILE_PROPERTIES:
                if key in properties and not (path.parent / properties[key]).is_file():
                    problems.append(f"{name}: {logical}.{key} names a missing file {properties[key]}")
            if resource["Type"] != "AWS::CloudFormation::Stack":
                continue
            child_path = (path.parent / properties["TemplateURL"]).resolve()
            child = templates[child_path]
            given, declared = set(properties.get("Parameters", {})), set(child.get("Parameters", {}))
            if given != declared:
                problems.append(f"{name}: {logical} passes {sorted(given ^ declared)} unlike {child_path.name} declares")
            for value in properties.get("Parameters", {}).values():
                for node in _walk(value):
                    attribute = node.get("Fn::GetAtt", [None, ""])[1]
                    if attribute.startswith("Outputs."):
                        source = resources[node["Fn::GetAtt"][0]]["Properties"]["TemplateURL"]
                        outputs = templates[(path.parent / source).resolve()].get("Outputs", {})
                        if attribute.removeprefix("Outputs.") not in outputs:
                            problems.append(f"{name}: {logical} reads a missing output {source}:{attribute}")
    return problems


def quota_problems(build: Path) -> list[str]:
    """Every template in the build (the API stack, nested stacks, the auth stack) against CloudFormation's quotas."""
    problems = []
    for path in [build / "stack.json", *sorted((build / "stacks").glob("*.json")), build / "auth-stack.json"]:
        if path.is_file():
            problems.extend(limit_problems(path.name, json.loads(path.read_text(encoding="utf-8")), path.stat().st_size))
    return problems
