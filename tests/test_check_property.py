"""`gqlauth check` turns any input, however mangled, into a clean report: never an exception."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.cli import cli

SAMPLE = Path(__file__).parent.parent / "samples" / "blog"
SCHEMA_TEXT = (SAMPLE / "schema.graphql").read_text()
GROUPS_TEXT = (SAMPLE / "user-pool-group-precedence.json").read_text()
TOKENS = ["@auth", "@model", "{", "}", "[", "]", "(", ")", ":", ",", '"', "allow:", "groups", "owner", "!", "\n", "read"]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace"]))
        span = draw(st.integers(min_value=1, max_value=12))
        piece = draw(st.one_of(st.sampled_from(TOKENS), st.text(max_size=5)))
        if action == "delete":
            text = text[:position] + text[position + span :]
        elif action == "insert":
            text = text[:position] + piece + text[position:]
        else:
            text = text[:position] + piece + text[position + span :]
    return text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**40), max_value=2**40) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)


@st.composite
def mutated_group_json(draw: st.DrawFn) -> str:
    data = json.loads(GROUPS_TEXT)
    index = draw(st.integers(min_value=0, max_value=len(data) - 1))
    key = draw(st.sampled_from(["groupName", "precedence", "customPolicies", "extra"]))
    data[index][key] = draw(JSON_VALUES)
    if draw(st.booleans()):
        return json.dumps(data)
    return draw(mutated(json.dumps(data)))


def run_check(tmp_path: Path, schema: str, groups: str) -> None:
    (tmp_path / "schema.graphql").write_text(schema)
    (tmp_path / "user-pool-group-precedence.json").write_text(groups)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "schema.graphql"), "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    report = json.loads(result.stdout)
    assert (report["errors"] > 0) == (result.exit_code == 1)


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(schema=mutated(SCHEMA_TEXT))
def test_mutated_schema_gives_a_clean_report(tmp_path: Path, schema: str) -> None:
    run_check(tmp_path, schema, GROUPS_TEXT)


@SETTINGS
@given(groups=mutated_group_json())
def test_mutated_group_file_gives_a_clean_report(tmp_path: Path, groups: str) -> None:
    run_check(tmp_path, SCHEMA_TEXT, groups)
