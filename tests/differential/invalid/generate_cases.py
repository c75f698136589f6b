"""Write `gen-NNN.graphql`: random models with random model- and field-level rules (valid and invalid mixes).

    .venv/bin/python tests/differential/invalid/generate_cases.py [COUNT] [SEED] [gen|genrel]

The files are committed; `record_verdicts.py` records Amplify's verdict for each. The generator favours the
combinations where Amplify's verdict is subtle: required fields under field rules, roles that appear only in
field rules, repeated roles, owner fields used as sort keys, providers that the API lacks.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

HERE = Path(__file__).parent
MODES = [("userPools",), ("userPools", "apiKey"), ("userPools", "iam"), ("apiKey", "userPools", "iam"), ("userPools", "oidc")]
OPERATIONS = ["create", "update", "delete", "read", "get", "list", "listen"]
FIELD_OPERATIONS = ["create", "update", "delete", "read"]


def rule(rng: random.Random, field_level: bool) -> str:
    kind = rng.choice(["owner", "owner", "groups", "dyngroups", "private", "public", "iam"])
    parts: list[str] = []
    if kind == "owner":
        parts.append("allow: owner")
        if rng.random() < 0.3:
            parts.append('ownerField: "author"')
        if rng.random() < 0.2:
            parts.append(f'identityClaim: "{rng.choice(["sub", "username", "email"])}"')
    elif kind == "groups":
        parts.append(f'allow: groups, groups: [{", ".join(chr(34) + g + chr(34) for g in rng.sample(["Admins", "Staff", "Auditors"], rng.randint(1, 2)))}]')
    elif kind == "dyngroups":
        parts.append('allow: groups, groupsField: "teams"')
    elif kind == "private":
        parts.append("allow: private")
        if rng.random() < 0.3:
            parts.append("provider: iam")
    elif kind == "public":
        parts.append("allow: public")
    else:
        parts.append("allow: public, provider: iam")
    if rng.random() < 0.6:
        pool = FIELD_OPERATIONS if rng.random() < 0.9 else OPERATIONS
        ops = rng.sample(pool, rng.randint(1, 3))
        parts.append(f"operations: [{', '.join(ops)}]")
    return "{" + ", ".join(parts) + "}"


def rules(rng: random.Random, count: int, field_level: bool) -> str:
    return "[" + ", ".join(rule(rng, field_level) for _ in range(count)) + "]"


def _modes_for(rng: random.Random, sdl: str) -> tuple[str, ...]:
    """Usually every mode the rules need (so the verdict turns on the rules), sometimes a random set."""
    if rng.random() < 0.15:
        return rng.choice(MODES)
    needed = ["userPools"]
    if "allow: public}" in sdl or "allow: public," in sdl.replace("allow: public, provider: iam", ""):
        needed.append("apiKey")
    if "provider: iam" in sdl:
        needed.append("iam")
    return tuple(needed)


def schema(rng: random.Random, index: int) -> tuple[str, str]:
    sort_on_owner = rng.random() < 0.1
    key = '@primaryKey(sortKeyFields: ["author"])' if sort_on_owner else ""
    lines = [f"type Item{index} @model @auth(rules: {rules(rng, rng.randint(1, 3), False)}) {{", f"  id: ID! {key}".rstrip()]
    lines.append(f"  author: String{'!' if sort_on_owner else ''}")
    lines.append("  teams: [String]")
    for name in ("title", "body", "score"):
        required = "!" if rng.random() < 0.5 else ""
        scalar = "Int" if name == "score" else "String"
        auth = f" @auth(rules: {rules(rng, rng.randint(1, 2), True)})" if rng.random() < 0.45 else ""
        lines.append(f"  {name}: {scalar}{required}{auth}")
    lines.append("}")
    sdl = "\n".join(lines)
    return ",".join(_modes_for(rng, sdl)), sdl




def _pick(rng: random.Random, valid: list[str], invalid: list[str], odds: float = 0.12) -> str:
    """Mostly a valid choice; now and then one Amplify should reject (so most schemas have one flaw or none)."""
    return rng.choice(invalid if invalid and rng.random() < odds else valid)


def schema_with_keys_and_relations(rng: random.Random, index: int) -> tuple[str, str]:
    """Two models with random keys, indexes, relations and defaults (the structural checks' boundaries)."""
    parent, child = f"Blog{index}", f"Post{index}"
    key = _pick(rng, ["", "@primaryKey", '@primaryKey(sortKeyFields: ["name"])'], ['@primaryKey(sortKeyFields: ["missing"])'])
    id_type = _pick(rng, ["ID!", "String!"], ["ID", "Int!"])
    relation = _pick(
        rng,
        [
            f"posts: [{child}] @hasMany",
            f'posts: [{child}] @hasMany(indexName: "byBlog", fields: ["id"])',
            f'posts: [{child}] @hasMany(references: ["blogId"])',
            f"post: {child} @hasOne",
            f'post: {child} @hasOne(fields: ["name"])',
        ],
        [
            f'posts: [{child}] @hasMany(indexName: "byOther", fields: ["id"])',
            f'posts: [{child}] @hasMany(references: ["blogId"], fields: ["id"])',
            f"posts: {child} @hasMany",
            f"posts: [{child}] @hasOne",
        ],
    )
    back = _pick(
        rng,
        ["", f"blog: {parent} @belongsTo", f'blog: {parent} @belongsTo(fields: ["blogId"])', f'blog: {parent} @belongsTo(references: ["blogId"])'],
        [f"blogs: [{parent}] @belongsTo"],
    )
    blog_id = _pick(rng, ["ID", "ID!", "String"], ["Int"])
    index_arg = _pick(rng, ['@index(name: "byBlog")', '@index(name: "byBlog", sortKeyFields: ["title"])', ""], ['@index(name: "byBlog", sortKeyFields: ["tags"])'])
    rating = _pick(rng, ["Int", 'Int @default(value: "3")', 'Status @default(value: "OPEN")', "Status!"], ['Int @default(value: "three")', '[Int] @default(value: "3")', 'Status @default(value: "DONE")'])
    sdl = f"""enum Status {{ OPEN CLOSED }}
type {parent} @model @auth(rules: [{{allow: private}}]) {{
  id: {id_type} {key}
  name: String!
  {relation}
}}
type {child} @model @auth(rules: [{{allow: private}}]) {{
  id: ID!
  title: String
  tags: [String]
  blogId: {blog_id} {index_arg}
  rating: {rating}
  {back}
}}"""
    return "userPools", "\n".join(line.rstrip() for line in sdl.splitlines())


GENERATORS = {"gen": schema, "genrel": schema_with_keys_and_relations}


def main(count: int, seed: int, kind: str) -> None:
    rng = random.Random(seed)
    for index in range(count):
        modes, sdl = GENERATORS[kind](rng, index)
        (HERE / f"{kind}-{index:03d}.graphql").write_text(
            f"# auth-modes: {modes}\n# generated: {kind} seed {seed}\n{sdl}\n", encoding="utf-8"
        )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    main(
        int(arguments[0]) if arguments else 60,
        int(arguments[1]) if len(arguments) > 1 else 11,
        arguments[2] if len(arguments) > 2 else "gen",
    )
