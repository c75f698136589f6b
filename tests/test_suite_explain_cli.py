"""`gqlauth explain`: the decision, each rule's part, and the role precedence picks."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from resolvers.cli import cli

BLOG = Path(__file__).parent / "conformance" / "blog"
SCHEMA = str(BLOG / "schema.graphql")
MODES = ["--auth-modes", "userPools,apiKey,iam"]


def _item(tmp_path: Path, key: str) -> str:
    record = json.loads((BLOG / "suite.json").read_text())["items"][key]
    path = tmp_path / f"{key}.json"
    path.write_text(json.dumps(record))
    return str(path)


def _args(tmp_path: Path, value: object) -> str:
    path = tmp_path / "args.json"
    path.write_text(json.dumps(value))
    return str(path)


def test_multi_group_user_gets_decision_reasons_and_precedence(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Mutation.deletePost", "--user", "max",
                                      "--groups", "Admins,Editors", "--item", _item(tmp_path, "p1"), "--json", *MODES])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["allowed"] is True
    assert payload["grantedBy"] == ["userPools:staticGroup:Admins:cognito:groups"]
    assert payload["precedence"]["preferredGroup"] == "Admins"
    reasons = {r["role"]: r for r in payload["reasons"]}
    assert reasons["userPools:staticGroup:Editors:cognito:groups"]["granted"] is False


def test_denied_update_says_whose_record_it_is(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Mutation.updatePost", "--user", "bob",
                                      "--args", _args(tmp_path, {"input": {"id": "p1", "title": "x"}}),
                                      "--item", _item(tmp_path, "p1"), *MODES])
    assert result.exit_code == 0, result.output
    assert "DENIED" in result.output
    assert "Not Authorized to access updatePost on type Mutation" in result.output
    assert "alice's, you are bob" in result.output


def test_api_key_and_iam_flags(tmp_path: Path) -> None:
    listed = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Query.listPosts", "--api-key", "--json",
                                      *MODES])
    assert json.loads(listed.output)["allowed"] is True
    created = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Mutation.createPost", "--iam", "auth",
                                       "--json", *MODES])
    payload = json.loads(created.output)
    assert payload["allowed"] is False
    assert any("wrong provider" in r["detail"] for r in payload["reasons"])


def test_identity_file(tmp_path: Path) -> None:
    suite = json.loads((BLOG / "suite.json").read_text())
    identity = tmp_path / "alice.json"
    identity.write_text(json.dumps(suite["identities"]["alice"]))
    result = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Post.internalNotes", "--identity",
                                      str(identity), "--item", _item(tmp_path, "p1"), "--json", *MODES])
    assert json.loads(result.output)["allowed"] is True


def test_usage_and_input_errors(tmp_path: Path) -> None:
    none_given = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Query.listPosts", *MODES])
    assert none_given.exit_code == 2
    unknown = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Query.nope", "--api-key", *MODES])
    assert unknown.exit_code == 1
    assert "unknown operation" in unknown.output
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    broken = CliRunner().invoke(cli, ["explain", SCHEMA, "--operation", "Query.listPosts", "--identity", str(bad),
                                      *MODES])
    assert broken.exit_code == 1
