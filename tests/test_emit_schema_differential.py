"""Our output schema is Amplify's: the differential corpus, every sample and golden input, and generated schemas.

Amplify's output for the corpus (`tests/differential/corpus/`), the samples and the golden inputs is recorded in
`tests/differential/amplify/` (`python tests/differential/record.py` re-records it), so the comparison runs
without the oracle. Structurally identical means the same types, fields, arguments, inputs, enum values and
root operations, and the same `@aws_*` directives on every type and field. Generated schemas run both
transformers live and skip without the oracle.
"""

from __future__ import annotations

import os
import re
import tempfile
from functools import cache
from pathlib import Path

import pytest
from differential_support import (
    CORPUS,
    DifferentialCase,
    all_cases,
    corpus,
    dangling_references,
    gqlauth_output,
    structural_differences,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from oracle_support import amplify_transform, oracle_missing_reason

from transformer.naming import plural

CASES = all_cases()
MINIMUM_CORPUS = 60
BY_NAME = {c.name: c for c in CASES}


def differences(case: DifferentialCase) -> tuple[str, ...]:
    return _differences(case.name)


@cache
def _differences(name: str) -> tuple[str, ...]:
    case = BY_NAME[name]
    assert case.recorded.is_file(), f"no recorded Amplify output for {case.name}: run tests/differential/record.py"
    ours = gqlauth_output(case)
    if isinstance(ours, list):
        return tuple(f"gqlauth rejects a schema Amplify accepts: {message}" for message in ours)
    return tuple(structural_differences(case.recorded.read_text(encoding="utf-8"), ours))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_output_schema_is_amplifys(case: DifferentialCase) -> None:
    found = differences(case)
    assert not found, f"{case.file}: {len(found)} differences from Amplify's output schema:\n" + "\n".join(found)


def test_our_output_never_names_an_undefined_type() -> None:
    """AppSync refuses a schema naming a type it does not define; none of our outputs does."""
    dangling = {}
    for case in CASES:
        ours = gqlauth_output(case)
        if not isinstance(ours, list) and dangling_references(ours):
            dangling[case.name] = dangling_references(ours)
    assert not dangling


def test_amplifys_dangling_enum_filter_is_the_one_allowed_difference() -> None:
    """The deliberate difference the README names: Amplify's connection filter of a lower-case model names
    `ModelLevelInput` for an enum list field and never defines it; ours names the list input it defines."""
    case = BY_NAME["lowercase-enum-list-connection"]
    amplify_sdl = case.recorded.read_text(encoding="utf-8")
    assert dangling_references(amplify_sdl) == ["ModeltodoFilterInput.level"]
    ours = gqlauth_output(case)
    assert not isinstance(ours, list) and "input ModelLevelListInput" in ours
    assert structural_differences(amplify_sdl, ours) == []
    assert structural_differences(amplify_sdl, ours.replace("ModelLevelListInput", "ModelLevelFilter")) != []


def test_differential_counts(capsys: pytest.CaptureFixture[str]) -> None:
    identical = [c.name for c in CASES if not differences(c)]
    with capsys.disabled():
        print(f"\ndifferential: {len(CASES)} schemas, {len(identical)} identical")
    assert len(identical) == len(CASES), sorted({c.name for c in CASES} - set(identical))


def test_corpus_holds_enough_schemas() -> None:
    assert len(corpus()) >= MINIMUM_CORPUS, f"{CORPUS} holds {len(corpus())} schemas, fewer than {MINIMUM_CORPUS}"


def test_every_recorded_output_has_its_input() -> None:
    names = {c.name for c in CASES}
    recorded = {p.stem for folder in {c.recorded_dir for c in CASES} for p in folder.glob("*.graphql")}
    assert recorded <= names, f"recorded outputs without an input: {sorted(recorded - names)}"


def test_datastore_cases_are_compared() -> None:
    """Conflict resolution on: every corpus schema again, and the DataStore corpus (project-wide and per-model)."""
    synced = [c for c in CASES if c.resolver_config is not None]
    assert len(synced) >= len(corpus()) + 5
    assert any('"models"' in (c.resolver_config or "") and '"project"' not in (c.resolver_config or "") for c in synced)
    recorded = synced[0].recorded.read_text(encoding="utf-8")
    assert "_version: Int!" in recorded and "startedAt: AWSTimestamp" in recorded


def test_plurals_are_amplifys() -> None:
    """Type names pluralised as Amplify's `pluralize` 8.0.0 does (recorded from it in plurals.txt)."""
    pairs = [line.split() for line in (CORPUS.parent / "plurals.txt").read_text(encoding="utf-8").splitlines()]
    wrong = [(word, expected, plural(word)) for word, expected in pairs if plural(word) != expected]
    assert len(pairs) > 200
    assert not wrong


# --- generated schemas, both transformers live ---------------------------------------------------------

MODEL_NAMES = ["Post", "Comment", "StoreItem", "Image", "Person", "Category", "Box", "Status", "todo", "Address",
               "FAQ", "Leaf", "Company", "Equipment", "Child", "Series"]
SCALARS = ["String", "Int", "Float", "Boolean", "AWSDateTime", "AWSJSON", "AWSEmail", "ID"]
FIELD_NAMES = ["title", "body", "rank", "score", "flag", "when", "data", "mail", "code", "label"]
MODES = [("userPools",), ("userPools", "apiKey"), ("apiKey", "userPools", "iam"), ("iam", "userPools"),
         ("userPools", "oidc"), ("apiKey",)]
RULES_BY_MODE = {
    "userPools": ["{allow: owner}", "{allow: owner, ownerField: \"author\"}", "{allow: owner, operations: [read, create]}",
                  "{allow: groups, groups: [\"Admin\"]}", "{allow: groups, groupsField: \"editors\"}",
                  "{allow: private}", "{allow: private, operations: [read]}",
                  "{allow: owner, identityClaim: \"email\", ownerField: \"email\"}"],
    "apiKey": ["{allow: public}", "{allow: public, operations: [read]}"],
    "iam": ["{allow: private, provider: iam}", "{allow: public, provider: iam, operations: [read]}"],
    "oidc": ["{allow: owner, provider: oidc, identityClaim: \"sub\"}", "{allow: private, provider: oidc}",
             "{allow: groups, provider: oidc, groups: [\"Staff\"], groupClaim: \"groups\"}"],
}


@st.composite
def generated_schemas(draw: st.DrawFn) -> tuple[str, tuple[str, ...], dict[str, str]]:
    modes = draw(st.sampled_from(MODES))
    params = draw(st.sampled_from([{}, {"respectPrimaryKeyAttributesOnConnectionField": "false"}]))
    names = draw(st.lists(st.sampled_from(MODEL_NAMES), min_size=1, max_size=3, unique=True))
    usable = [rule for mode in modes for rule in RULES_BY_MODE[mode]]
    blocks: list[str] = []
    for position, name in enumerate(names):
        fields = draw(st.lists(st.sampled_from(FIELD_NAMES), min_size=1, max_size=4, unique=True))
        lines = [f"  {f}: {draw(st.sampled_from(SCALARS))}{draw(st.sampled_from(['', '!']))}" for f in fields]
        key = fields[0]
        key_kind = draw(st.sampled_from(["none", "index", "primaryKey"]))
        if key_kind == "primaryKey":
            sort = [f for f in fields[1:] if draw(st.booleans())][:2]
            sort_arg = "(sortKeyFields: [" + ", ".join(f'"{s}"' for s in sort) + "])" if sort else ""
            lines[0] = f"  {key}: {draw(st.sampled_from(['String', 'ID']))}! @primaryKey{sort_arg}"
            for index, field_name in enumerate(fields):
                if field_name in sort:
                    lines[index] = f"  {field_name}: {draw(st.sampled_from(['String', 'Int', 'AWSDateTime']))}!"
        elif key_kind == "index":
            lines[0] = f"  {key}: String! @index(name: \"by{key.title()}\""
            sort = [f for f in fields[1:] if draw(st.booleans())][:2]
            if sort:
                lines[0] += ", sortKeyFields: [" + ", ".join(f'"{s}"' for s in sort) + "]"
                for index, field_name in enumerate(fields):
                    if field_name in sort:
                        lines[index] = f"  {field_name}: String!"
            if draw(st.booleans()):
                lines[0] += f", queryField: \"{name.lower()}By{key.title()}\""
            lines[0] += ")"
        if position > 0:
            parent = names[position - 1]
            relation = draw(st.sampled_from(["hasMany", "hasOne", "belongsTo", "hasManyIndex", "hasOneFields", "none"]))
            if relation in {"hasManyIndex", "hasOneFields"} and not blocks[-1].count("  id: ID!"):
                relation = "none"
            if relation == "hasManyIndex":
                blocks[-1] = blocks[-1].replace(
                    "\n}", f"\n  kids: [{name}] @hasMany(indexName: \"byParent\", fields: [\"id\"])\n}}", 1)
                lines.append("  parentRef: ID! @index(name: \"byParent\")")
            elif relation == "hasOneFields":
                lines += ["  id: ID!", f"  twin: {parent} @hasOne(fields: [\"twinId\"])", "  twinId: ID"]
            if relation == "hasMany":
                blocks[-1] = blocks[-1].replace("\n}", f"\n  children: [{name}] @hasMany\n}}", 1)
                if draw(st.booleans()):
                    lines.append(f"  parent: {parent} @belongsTo")
            elif relation == "hasOne":
                blocks[-1] = blocks[-1].replace("\n}", f"\n  single: {name} @hasOne\n}}", 1)
            elif relation == "belongsTo":
                lines.append(f"  owned: {parent} @belongsTo")
                blocks[-1] = blocks[-1].replace("\n}", f"\n  others: [{name}] @hasMany\n}}", 1)
        extra = draw(st.sampled_from(["none", "enum", "nested", "fieldRule"]))
        if extra == "enum":
            lines.append(f"  level: {draw(st.sampled_from(['Level', '[Level]', 'Level!']))}")
        elif extra == "nested":
            lines.append(f"  meta: {draw(st.sampled_from(['Meta', '[Meta]', 'Meta!']))}")
        elif extra == "fieldRule":
            lines.append(f"  secret: String @auth(rules: [{draw(st.sampled_from(usable))}])")
        rules = draw(st.lists(st.sampled_from(usable), min_size=0, max_size=3, unique=True))
        if any("author" in r for r in rules):
            lines.append("  author: String")
        if any("editors" in r for r in rules):
            lines.append("  editors: [String]")
        if any("email" in r for r in rules) and "  email: String" not in lines:
            lines.append("  email: String")
        auth = f" @auth(rules: [{', '.join(rules)}])" if rules else ""
        options = draw(st.sampled_from(["", "(subscriptions: null)", f"(queries: {{get: \"fetch{name}\"}})",
                                        "(timestamps: null)", "(subscriptions: {level: public})",
                                        "(mutations: {delete: null})"]))
        if key_kind != "primaryKey" and not any(line.startswith("  id: ") for line in lines):
            lines.insert(0, "  id: ID!")
        blocks.append(f"type {name} @model{options}{auth} {{\n" + "\n".join(lines) + "\n}")
    shared = "enum Level {\n  LOW\n  HIGH\n}\n\ntype Meta {\n  note: String\n  count: Int\n}\n\n"
    return shared + "\n\n".join(blocks) + "\n", modes, params


@pytest.mark.skipif(oracle_missing_reason() is not None, reason=oracle_missing_reason() or "")
@settings(max_examples=int(os.environ.get("GQLAUTH_DIFFERENTIAL_EXAMPLES", "20")), deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_schemas())
def test_generated_schemas_match_amplify(generated: tuple[str, tuple[str, ...], dict[str, str]]) -> None:
    sdl, modes, params = generated
    with tempfile.TemporaryDirectory() as scratch:
        schema_file = Path(scratch) / "schema.graphql"
        schema_file.write_text(sdl, encoding="utf-8")
        amplify = amplify_transform(schema_file, Path(scratch) / "out", modes, params)
        assume(amplify.accepted)
        case = DifferentialCase("generated", sdl, str(schema_file), modes, params)
        ours = gqlauth_output(case)
        assert not isinstance(ours, list), f"gqlauth rejects a schema Amplify accepts:\n{sdl}\n{ours}"
        found = structural_differences(amplify.schema, ours)
        assert not found, f"modes {modes}, params {params}:\n{sdl}\n" + "\n".join(found)



SYNC_STRATEGIES = ['{"ConflictHandler": "AUTOMERGE", "ConflictDetection": "VERSION"}',
                   '{"ConflictHandler": "OPTIMISTIC_CONCURRENCY", "ConflictDetection": "VERSION"}',
                   '{"ConflictHandler": "LAMBDA", "ConflictDetection": "VERSION", "LambdaConflictHandler": {"name": "fix"}}']


@pytest.mark.skipif(oracle_missing_reason() is not None, reason=oracle_missing_reason() or "")
@settings(max_examples=int(os.environ.get("GQLAUTH_DIFFERENTIAL_EXAMPLES", "20")), deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(generated_schemas(), st.sampled_from(["project", "models", "both"]), st.sampled_from(SYNC_STRATEGIES))
def test_generated_schemas_with_sync_match_amplify(generated: tuple[str, tuple[str, ...], dict[str, str]], scope: str,
                                                   strategy: str) -> None:
    """Conflict resolution on (project-wide, per model, or both): the same output schema, and the same verdict
    (Amplify rejects models that point at each other with @hasOne/@hasMany when DataStore is on)."""
    sdl, modes, params = generated
    names = re.findall(r"^type (\w+) @model", sdl, flags=re.MULTILINE)
    project = f'"project": {strategy}' if scope != "models" else ""
    models = '"models": {' + ", ".join(f'"{n}": {strategy}' for n in names) + "}" if scope != "project" else ""
    config = "{" + ", ".join(part for part in (project, models) if part) + "}"
    with tempfile.TemporaryDirectory() as scratch:
        schema_file = Path(scratch) / "schema.graphql"
        schema_file.write_text(sdl, encoding="utf-8")
        case = DifferentialCase("generated-sync", sdl, str(schema_file), modes, params, config)
        amplify = amplify_transform(schema_file, Path(scratch) / "out", modes, params, case.oracle_arguments())
        ours = gqlauth_output(case)
        if not amplify.accepted:
            assume("DataStore" in amplify.message)
            assert isinstance(ours, list) and any("DataStore is in use" in m for m in ours), f"{sdl}\n{amplify.message}"
            return
        assert not isinstance(ours, list), f"gqlauth rejects a schema Amplify accepts:\n{sdl}\n{ours}"
        found = structural_differences(amplify.schema, ours)
        assert not found, f"modes {modes}, params {params}, {config}:\n{sdl}\n" + "\n".join(found)
