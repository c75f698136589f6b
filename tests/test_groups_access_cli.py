"""`gqlauth access`: the role a user gets, and what it may do, through the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from transformer.cli import cli

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "blog"
GROUP_FILE = str(SAMPLES / "user-pool-group-precedence.json")
STORAGE = str(SAMPLES / "storage.json")


def _access(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["access", "--group-file", GROUP_FILE, "--storage", STORAGE, *args])
    return result.exit_code, result.stdout, result.stderr


def _json(*args: str) -> dict[str, Any]:
    code, out, err = _access(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def _decision(report: dict[str, Any], location: str, action: str) -> bool:
    [check] = [c for c in report["checks"] if c["location"] == location and c["action"] == action]
    return bool(check["allowed"])


def test_table_output_names_the_role_and_statement() -> None:
    code, out, err = _access("--user", "alice", "--groups", "Editors,Admins")
    assert code == 0 and out == ""
    assert "AdminsGroupRole" in err and "wins over Editors" in err
    assert "s3:CreateBucket" in err and "admin-group-policy" in err


def test_unknown_groups_give_the_authenticated_role() -> None:
    report = _json("--user", "carol", "--groups", "Strangers")
    assert report["role_source"] == "authenticated" and report["role_arn"].endswith(":role/gqlauth-local-authRole")
    assert _decision(report, "private/<you>/", "s3:PutObject")
    assert not _decision(report, "private/<others>/", "s3:GetObject")


def test_group_without_storage_access_loses_signed_in_access() -> None:
    report = _json("--user", "vic", "--groups", "Viewers")
    assert report["role_source"] == "group:Viewers"
    assert not any(c["allowed"] for c in report["checks"])
    assert any("lose the signed-in users' storage permissions" in n for n in report["notes"])


def test_usage_errors_exit_2() -> None:
    assert _access("--guest", "--user", "x")[0] == 2
    assert _access()[0] == 2


def test_invalid_storage_file_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "storage.json"
    bad.write_text(json.dumps({"bucketName": "media", "groupAccess": {"Moderators": ["READ"]}}))
    result = CliRunner().invoke(cli, ["access", "--user", "a", "--group-file", GROUP_FILE, "--storage", str(bad)])
    assert result.exit_code == 1
    assert "groupAccess.Moderators" in result.stderr


def test_files_found_from_an_amplify_project(tmp_path: Path) -> None:
    groups_dir = tmp_path / "amplify" / "backend" / "auth" / "blogauth" / "userPoolGroups"
    groups_dir.mkdir(parents=True)
    (groups_dir / "user-pool-group-precedence.json").write_text(Path(GROUP_FILE).read_text())
    storage_dir = tmp_path / "amplify" / "backend" / "storage" / "media"
    storage_dir.mkdir(parents=True)
    (storage_dir / "cli-inputs.json").write_text(Path(STORAGE).read_text())
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["access", "--user", "alice", "--groups", "Admins", "--json"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["role_source"] == "group:Admins" and report["bucket"] == "gqlauth-blog-media"


def test_no_group_file_is_a_warning_and_the_authenticated_role(tmp_path: Path) -> None:
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["access", "--user", "alice", "--groups", "Admins", "--json"])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["role_source"] == "authenticated"
    assert "no user-pool-group-precedence.json found" in result.stderr


IAM_SCHEMA = """
type Doc @model @auth(rules: [
  {allow: private, provider: iam},
  {allow: public, provider: iam, operations: [read]},
  {allow: groups, groups: ["Admins"]}
]) {
  id: ID!
  title: String
}
"""


def _api(tmp_path: Path, groups_data: list[dict[str, Any]], *args: str) -> dict[str, bool]:
    (tmp_path / "schema.graphql").write_text(IAM_SCHEMA)
    (tmp_path / "user-pool-group-precedence.json").write_text(json.dumps(groups_data))
    result = CliRunner().invoke(
        cli,
        ["access", *args, "--schema", str(tmp_path / "schema.graphql"), "--auth-modes", "userPools,iam", "--json"],
    )
    assert result.exit_code == 0, result.stderr
    return {c["location"]: c["allowed"] for c in json.loads(result.stdout)["checks"] if c["area"] == "api"}


def test_api_signed_in_user_without_group_role_gets_private_iam_access(tmp_path: Path) -> None:
    decisions = _api(tmp_path, [{"groupName": "Admins", "precedence": 1}], "--user", "u")
    assert decisions["Mutation.createDoc"] and decisions["Query.getDoc"]


def test_api_guests_read_only(tmp_path: Path) -> None:
    decisions = _api(tmp_path, [{"groupName": "Admins", "precedence": 1}], "--guest")
    assert decisions["Query.getDoc"] and decisions["Query.listDocs"]
    assert not decisions["Mutation.createDoc"] and not decisions["Mutation.deleteDoc"]


def test_api_group_role_needs_appsync_in_custom_policies(tmp_path: Path) -> None:
    decisions = _api(tmp_path, [{"groupName": "Admins", "precedence": 1}], "--user", "a", "--groups", "Admins")
    assert not any(decisions.values())
    granted = [
        {
            "groupName": "Admins",
            "precedence": 1,
            "customPolicies": [
                {
                    "PolicyName": "api",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "appsync:GraphQL",
                                "Resource": "arn:aws:appsync:*:*:apis/*/types/Query/fields/*",
                            }
                        ],
                    },
                }
            ],
        }
    ]
    decisions = _api(tmp_path, granted, "--user", "a", "--groups", "Admins")
    assert decisions["Query.getDoc"] and not decisions["Mutation.createDoc"]


def test_api_without_iam_mode(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text("type Doc @model @auth(rules: [{allow: private}]) { id: ID! }")
    (tmp_path / "user-pool-group-precedence.json").write_text('[{"groupName": "Admins", "precedence": 1}]')
    args = ["access", "--user", "u", "--schema", str(tmp_path / "schema.graphql"), "--auth-modes", "userPools"]
    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    assert any("no iam auth mode" in n for n in json.loads(result.stdout)["notes"])
    (tmp_path / "schema.graphql").write_text(IAM_SCHEMA)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "no IAM authentication provider configured" in result.stderr
