"""`gqlauth token`: prints a token the project's server accepts; bad options are clear errors, not tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner, Result

from resolvers.cli import cli
from resolvers.local_state import LocalState
from resolvers.token_verify import TokenVerifier
from transformer.environment import AuthEnvironment

GROUPS = [{"groupName": "Admins", "precedence": 1}, {"groupName": "Editors", "precedence": 2}]


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "schema.graphql").write_text("type Query { a: Int }\n")
    (tmp_path / "user-pool-group-precedence.json").write_text(json.dumps(GROUPS))
    (tmp_path / "src").mkdir()
    monkeypatch.chdir(tmp_path / "src")
    return tmp_path


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["token", *args])


def test_token_is_accepted_by_the_projects_verifier(project: Path) -> None:
    result = _run("--user", "alice", "--groups", "Editors,Admins", "--email", "alice@example.com")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert "\n" not in token
    identity = TokenVerifier.local(LocalState.open(project)).verify(token)
    env = AuthEnvironment()
    assert identity.username == "alice" and identity.groups() == ["Editors", "Admins"]
    assert identity.claim("cognito:preferred_role") == env.group_role_arn("Admins")
    assert identity.claim("email") == "alice@example.com"
    assert "Admins has the lowest precedence" in result.stderr


def test_access_token_and_options(project: Path) -> None:
    claims_file = project / "claims.json"
    claims_file.write_text(json.dumps({"custom:tenant": "acme", "custom:level": "3"}))
    result = _run("--user", "bob", "--use", "access", "--sub", "sub-bob", "--claim", "custom:tenant=other",
                  "--claim", 'custom:tags=["a","b"]', "--claims-file", str(claims_file), "--expires", "2h30m",
                  "--project", str(project))
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["token_use"] == "access" and claims["username"] == "bob" and claims["sub"] == "sub-bob"
    assert claims["custom:tenant"] == "other" and claims["custom:level"] == "3"
    assert claims["custom:tags"] == ["a", "b"]
    assert claims["exp"] - claims["iat"] == 9000


def test_explicit_group_file_is_used(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = tmp_path_factory.mktemp("groups") / "groups.json"
    other.write_text(json.dumps([{"groupName": "Editors", "precedence": 0}, {"groupName": "Admins", "precedence": 5}]))
    result = _run("--user", "max", "--groups", "Admins,Editors", "--group-file", str(other))
    assert result.exit_code == 0, result.output
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["cognito:preferred_role"] == AuthEnvironment().group_role_arn("Editors")


def test_unknown_group_is_warned_about_and_gets_no_role(project: Path) -> None:
    result = _run("--user", "u", "--groups", "Ghosts")
    assert result.exit_code == 0
    assert "Ghosts not in" in result.stderr
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["cognito:groups"] == ["Ghosts"] and "cognito:roles" not in claims


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--expires", "soon"], "not a duration"),
        (["--expires", "0s"], "positive"),
        (["--claim", "novalue"], "NAME=VALUE"),
        (["--claim", "iss=https://evil"], "cannot be set"),
        (["--claim", "x=[1,"], "not"),
        (["--use", "refresh"], "refresh"),
        (["--claims-file", "missing.json"], "cannot read"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    result = _run("--user", "alice", *args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_invalid_claims_file_exits_1(project: Path) -> None:
    (project / "claims.json").write_text("[1, 2]")
    result = _run("--user", "alice", "--claims-file", str(project / "claims.json"))
    assert result.exit_code == 1 and "JSON object" in result.stderr
    (project / "claims.json").write_text("{oops")
    result = _run("--user", "alice", "--claims-file", str(project / "claims.json"))
    assert result.exit_code == 1 and "not valid JSON" in result.stderr


def test_group_file_with_errors_exits_1(project: Path) -> None:
    (project / "user-pool-group-precedence.json").write_text(json.dumps([{"groupName": "A", "precedence": -1}]))
    result = _run("--user", "alice", "--groups", "A")
    assert result.exit_code == 1
    assert "precedence" in result.stderr and result.stdout == ""


def test_no_project_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("--user", "alice")
    assert result.exit_code == 2
    assert "no project found" in result.stderr
