"""`gqlauth check` accepts exactly the schemas Amplify's transformer accepts.

The corpus is `tests/differential/invalid/` (one schema per case; auth modes and parameters in its header);
Amplify's verdicts are recorded in `verdicts.json` by `record_verdicts.py`, so the comparison runs without
the oracle. With the oracle installed, a few verdicts are also re-checked live.
"""

from __future__ import annotations

import os
import random
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle_support import amplify_transform, oracle_missing_reason
from parity_support import corpus, gqlauth_verdict, load_verdicts, read_case

from transformer.cli import cli
from transformer.diagnostics import Severity
from transformer.matrix import build_matrix
from transformer.parse import parse_schema_text
from transformer.required_fields import required_fields_without_read
from transformer.rules import Provider

LIVE_CASES = ("owner-field-is-sort-key", "owner-field-is-sort-key-username-claim", "required-field-withheld-from-model-role",
              "duplicate-rule-field-level")


def test_amplify_and_gqlauth_agree_on_every_schema_of_the_corpus() -> None:
    verdicts = load_verdicts()
    cases = corpus()
    assert sorted(verdicts) == sorted(c.name for c in cases), "record_verdicts.py must be rerun"
    disagreements = []
    for case in cases:
        accepted, diagnostics = gqlauth_verdict(case)
        if accepted != verdicts[case.name].accepted:
            errors = [d.render() for d in diagnostics if d.severity is Severity.ERROR]
            disagreements.append(f"{case.name}: Amplify {verdicts[case.name]}, gqlauth {errors or 'accepts'}")
    agree = len(cases) - len(disagreements)
    print(f"{len(cases)} schemas, Amplify and gqlauth agree on {agree}")
    assert len(cases) >= 40
    assert not disagreements, "\n".join(disagreements)


def test_the_corpus_holds_both_verdicts() -> None:
    verdicts = load_verdicts().values()
    assert sum(v.accepted for v in verdicts) >= 10
    assert sum(not v.accepted for v in verdicts) >= 30


def test_every_rejection_points_at_a_line_and_column_in_the_case_file() -> None:
    for case in corpus():
        accepted, diagnostics = gqlauth_verdict(case)
        if accepted:
            continue
        errors = [d for d in diagnostics if d.severity is Severity.ERROR]
        assert errors, case.name
        for found in errors:
            assert found.file == str(case.path) and found.line is not None and found.column is not None, (
                case.name,
                found.render(),
            )


def test_check_exits_1_with_file_line_and_column_for_a_rejected_case() -> None:
    case = next(c for c in corpus() if c.name == "owner-field-is-sort-key")
    result = CliRunner().invoke(cli, ["check", str(case.path), "--auth-modes", ",".join(case.auth_modes)])
    assert result.exit_code == 1
    assert f"{case.path.name}:3:11: error: The primary key's sort key type 'owner'" in result.output


@pytest.mark.parametrize("name", LIVE_CASES)
def test_recorded_verdicts_match_amplify_live(name: str, tmp_path: Path) -> None:
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    case = next(c for c in corpus() if c.name == name)
    result = amplify_transform(case.path, tmp_path / "out", case.auth_modes, case.params)
    assert result.accepted == load_verdicts()[name].accepted, result.message


def _required_field_diagnostics(sdl: str) -> list[tuple[str, str, int | None]]:
    schema, problems = parse_schema_text(sdl, "schema.graphql")
    assert schema is not None, problems
    matrix, errors = build_matrix(schema, [Provider.USER_POOLS, Provider.API_KEY])
    assert matrix is not None, errors
    return [(d.severity.value, d.message, d.line) for d in required_fields_without_read(schema, matrix)]


def test_a_required_field_hidden_from_a_reader_is_rejected_at_the_field() -> None:
    sdl = (
        "type Doc @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {\n"
        "  id: ID!\n"
        "  secret: String! @auth(rules: [{allow: owner}])\n"
        "}"
    )
    [(severity, message, line)] = _required_field_diagnostics(sdl)
    assert severity == "error" and line == 3
    assert 'required fields ["secret"]' in message and "guest (API key)" in message


def test_with_subscription_level_off_amplify_accepts_it_and_gqlauth_warns() -> None:
    sdl = (
        "type Doc @model(subscriptions: {level: off}) @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {\n"
        "  id: ID!\n"
        "  secret: String! @auth(rules: [{allow: owner}])\n"
        "}"
    )
    [(severity, message, _)] = _required_field_diagnostics(sdl)
    assert severity == "warning" and "secret" in message


def test_the_signed_in_role_reading_a_field_covers_the_other_user_pool_roles() -> None:
    sdl = (
        "type Doc @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) {\n"
        "  id: ID!\n"
        "  secret: String! @auth(rules: [{allow: owner}, {allow: private, operations: [read]}])\n"
        "}"
    )
    assert _required_field_diagnostics(sdl) == []


@pytest.mark.parametrize(
    ("sdl", "code"),
    [
        ('type P @model @auth(rules: [{allow: owner, ownerField: "n"}]) { id: ID! n: Int }', "auth.owner-field-type"),
        ('type P @model @auth(rules: [{allow: groups, groupsField: "g"}]) { id: ID! g: [Int] }', "auth.groups-field-type"),
        ('type P @model @auth(rules: [{allow: private, identityClaim: "email"}]) { id: ID! }', "auth.argument-ignored"),
    ],
)
def test_what_amplify_accepts_but_never_matches_is_a_warning_at_the_rule(sdl: str, code: str) -> None:
    schema, diagnostics = parse_schema_text(sdl, "schema.graphql")
    assert schema is not None
    [found] = [d for d in diagnostics if d.code == code]
    assert found.severity is Severity.WARNING and (found.line, found.column) == (1, 29)
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]


REPO = Path(__file__).resolve().parents[1]
SHIPPED = {
    "samples/blog": "userPools,apiKey,iam",
    "samples/workspace": "userPools,apiKey,iam,lambda",
    "tests/golden/multiauth": "apiKey,oidc,lambda,iam",
    "tests/golden/relations": "userPools,iam",
    "tests/golden/topics": "apiKey",
    "tests/conformance/features": "userPools,iam",
    "tests/conformance/relational": "userPools",
}


def _bench_schema(folder: Path) -> Path:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = folder / "bench.graphql"
    path.write_text(module.generate_schema(6), encoding="utf-8")
    return path


@pytest.mark.parametrize(("folder", "modes"), sorted(SHIPPED.items()))
def test_every_shipped_schema_is_accepted(folder: str, modes: str) -> None:
    result = CliRunner().invoke(cli, ["check", str(REPO / folder / "schema.graphql"), "--auth-modes", modes])
    assert result.exit_code == 0, result.output


def test_the_benchmark_schema_is_accepted(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(_bench_schema(tmp_path)), "--auth-modes", "userPools,apiKey"])
    assert result.exit_code == 0, result.output


def test_the_samples_and_the_benchmark_schema_are_accepted_by_amplify(tmp_path: Path) -> None:
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    inputs = [
        (REPO / "samples/blog/schema.graphql", SHIPPED["samples/blog"]),
        (REPO / "samples/workspace/schema.graphql", SHIPPED["samples/workspace"]),
        (_bench_schema(tmp_path), "userPools,apiKey"),
    ]
    for index, (schema, modes) in enumerate(inputs):
        result = amplify_transform(schema, tmp_path / f"out{index}", modes.split(","))
        assert result.accepted, f"{schema}: {result.message}"


def _case_generator() -> object:
    import importlib.util

    spec = importlib.util.spec_from_file_location("generate_cases", REPO / "tests/differential/invalid/generate_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATED_EXAMPLES = int(os.environ.get("GQLAUTH_PARITY_EXAMPLES", "8"))


@pytest.mark.parametrize("generator", ["schema", "schema_with_keys_and_relations"])
@settings(max_examples=GENERATED_EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), index=st.integers(min_value=0, max_value=999))
def test_generated_schemas_get_amplifys_verdict(generator: str, rng: random.Random, index: int) -> None:
    """Random rules, keys and relations (the corpus generators driven by hypothesis), both transformers live."""
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    modes, sdl = getattr(_case_generator(), generator)(rng, index)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "case.graphql"
        path.write_text(f"# auth-modes: {modes}\n{sdl}\n", encoding="utf-8")
        amplify = amplify_transform(path, Path(scratch) / "out", modes.split(","))
        accepted, diagnostics = gqlauth_verdict(read_case(path))
    errors = [d.render() for d in diagnostics if d.severity is Severity.ERROR]
    assert accepted == amplify.accepted, f"modes {modes}:\n{sdl}\nAmplify: {amplify.message or 'accepts'}\ngqlauth: {errors or 'accepts'}"


def test_fields_an_extension_adds_to_a_model_are_the_models_as_in_amplify() -> None:
    case = next(c for c in corpus() if c.name == "extend-model-type-plain-field")
    schema, diagnostics = parse_schema_text(case.sdl, str(case.path))
    assert schema is not None and not [d for d in diagnostics if d.severity is Severity.ERROR]
    assert [f.name for f in schema.models["Post"].fields] == ["id", "extra"]
    assert "Post" not in schema.non_model_types
