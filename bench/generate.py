"""Generate large, realistic Amplify schemas for benchmarks: every model has static groups, an owner
rule, a dynamic group rule, public/private reads and field-level rules."""

from __future__ import annotations

import json

GROUPS = ["Admins", "Editors", "Viewers", "Auditors"]


def generate_schema(models: int) -> str:
    parts: list[str] = []
    for index in range(models):
        group = GROUPS[1 + index % (len(GROUPS) - 1)]
        parts.append(
            f"""type Item{index} @model @auth(rules: [
  {{allow: groups, groups: ["Admins"]}},
  {{allow: groups, groups: ["{group}"], operations: [create, update, read]}},
  {{allow: groups, groupsField: "editors", operations: [read, update]}},
  {{allow: owner}},
  {{allow: private, operations: [read]}},
  {{allow: public, operations: [read]}}
]) {{
  id: ID!
  title: String!
  body: String
  rank: Int
  editors: [String]
  owner: String
  secret: String @auth(rules: [{{allow: groups, groups: ["Admins"]}}, {{allow: owner, operations: [read]}}])
  audit: String @auth(rules: [{{allow: groups, groups: ["Auditors"], operations: [read]}}, {{allow: owner, operations: [create, read]}}])
}}
"""
        )
    return "\n".join(parts)


def generate_group_file() -> str:
    return json.dumps([{"groupName": g, "precedence": i + 1} for i, g in enumerate(GROUPS)], indent=2) + "\n"
