"""The search operation `@searchable` adds is decided like a list, by the rules' `search` operation."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from resolvers.cli import cli

SCHEMA = """
type Todo @model @searchable @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"], operations: [get, list]}]) {
  id: ID!
  name: String
}
"""


def _explain(tmp_path: Path, *args: str) -> str:
    schema = tmp_path / "schema.graphql"
    schema.write_text(SCHEMA)
    result = CliRunner().invoke(cli, ["explain", str(schema), "--operation", "Query.searchTodos", *args,
                                      "--auth-modes", "userPools"])
    assert result.exit_code == 0, result.output
    return result.output


def test_owner_searches_own_records(tmp_path: Path) -> None:
    output = _explain(tmp_path, "--user", "alice")
    assert "ALLOWED" in output and '"owner": {"eq": "alice"}' in output


def test_a_group_with_get_and_list_only_may_not_search(tmp_path: Path) -> None:
    output = _explain(tmp_path, "--user", "ann", "--groups", "Admins")
    assert "no search permission on searchTodos" in output
    assert '"owner": {"eq": "ann"}' in output.split("records visible only where:")[1]
