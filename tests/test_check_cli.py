"""`gqlauth check` exit codes, output formats and group-file discovery."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from resolvers.cli import cli

SAMPLE = Path(__file__).parent.parent / "samples" / "blog"


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_clean_sample_exits_zero_and_names_the_group_file() -> None:
    result = invoke("check", str(SAMPLE / "schema.graphql"))
    assert result.exit_code == 0
    assert "user-pool-group-precedence.json" in result.stderr
    assert "0 errors" in result.stderr


def test_errors_exit_one_with_file_line_column(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text('type P @model @auth(rules: [{allow: groups, groups: ["Nobody"]}]) { id: ID! }\n')
    shutil.copy(SAMPLE / "user-pool-group-precedence.json", tmp_path)
    result = invoke("check", str(schema))
    assert result.exit_code == 1
    assert f"{schema}:1:29: error: group 'Nobody' is not defined" in result.stderr


def test_json_format_lists_diagnostics_on_stdout(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text("type P @model @auth(rules: [{allow: owner, provider: iam}]) { id: ID! }\n")
    result = invoke("check", str(schema), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["errors"] == 1
    [diagnostic] = report["diagnostics"]
    assert (diagnostic["line"], diagnostic["column"], diagnostic["severity"]) == (1, 29, "error")


def test_missing_schema_is_a_usage_error() -> None:
    assert invoke("check", "/no/such/schema.graphql").exit_code == 2


def test_unreadable_group_file_is_a_usage_error(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text("type P @model { id: ID! }\n")
    groups = tmp_path / "groups.json"
    groups.write_bytes(b"\xff\xfe\x00bad")
    result = invoke("check", str(schema), "--group-file", str(groups))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_bad_group_file_reports_the_json_path(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text("type P @model { id: ID! }\n")
    groups = tmp_path / "user-pool-group-precedence.json"
    groups.write_text(json.dumps([{"groupName": "A", "precedence": 1}, {"groupName": "B", "precedence": "x"}]))
    result = invoke("check", str(schema))
    assert result.exit_code == 1
    assert "[1].precedence" in result.stderr


def test_amplify_project_layout_is_discovered(tmp_path: Path) -> None:
    api = tmp_path / "amplify" / "backend" / "api" / "blog"
    auth = tmp_path / "amplify" / "backend" / "auth" / "blogauth" / "userPoolGroups"
    api.mkdir(parents=True)
    auth.mkdir(parents=True)
    shutil.copy(SAMPLE / "schema.graphql", api)
    shutil.copy(SAMPLE / "user-pool-group-precedence.json", auth)
    result = invoke("check", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert "userPoolGroups/user-pool-group-precedence.json" in result.stderr


def test_unknown_auth_mode_is_a_usage_error() -> None:
    assert invoke("check", str(SAMPLE / "schema.graphql"), "--auth-modes", "kerberos").exit_code == 2
