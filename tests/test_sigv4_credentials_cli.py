"""`gqlauth credentials`: keys for the role the identity pool would give, usable at once by the server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from click.testing import CliRunner, Result

from resolvers.cli import cli
from resolvers.identity import Identity
from resolvers.issuer import register_identity_credentials, subject_for
from resolvers.local_state import LocalState
from resolvers.sigv4 import SigV4Verifier, identity_from_credentials
from transformer.environment import AuthEnvironment

GROUPS = [{"groupName": "Admins", "precedence": 1}, {"groupName": "Editors", "precedence": 2}]
BODY = b'{"query":"{ listPosts { items { id } } }"}'


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "schema.graphql").write_text("type Query { a: Int }\n")
    (tmp_path / "user-pool-group-precedence.json").write_text(json.dumps(GROUPS))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["credentials", *args])


def _signed_identity(project: Path, access_key: str, secret: str, token: str | None) -> Identity:
    request = AWSRequest(method="POST", url="http://localhost:20002/graphql", data=BODY,
                         headers={"host": "localhost:20002", "content-type": "application/json"})
    SigV4Auth(Credentials(access_key, secret, token), "appsync", "us-east-1").add_auth(request)
    state = LocalState.open(project)
    record = SigV4Verifier(state.find_credentials, region="us-east-1").verify(
        "POST", "/graphql", "", dict(request.headers.items()), BODY)
    return identity_from_credentials(record)


def test_env_output_signs_requests_as_the_users_preferred_group_role(project: Path) -> None:
    result = _run("--user", "max", "--groups", "Editors,Admins")
    assert result.exit_code == 0, result.output
    values = dict(line.split("=", 1) for line in result.stdout.strip().splitlines())
    assert set(values) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    identity = _signed_identity(project, values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"],
                                values["AWS_SESSION_TOKEN"])
    env = AuthEnvironment()
    assert identity.user_arn == env.assumed_role_arn(env.group_role_name("Admins"))
    assert identity.cognito_identity_auth_type == "authenticated"
    assert identity.cognito_identity_pool_id == env.identity_pool_id
    assert subject_for("max") in (identity.cognito_identity_auth_provider or "")


def test_user_without_group_role_gets_the_authenticated_role(project: Path) -> None:
    result = _run("--user", "alice", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    env = AuthEnvironment()
    assert data["UserArn"] == env.auth_role_arn
    assert data["Region"] == "us-east-1"
    identity = _signed_identity(project, data["AccessKeyId"], data["SecretAccessKey"], data["SessionToken"])
    assert identity.user_arn == env.auth_role_arn


def test_same_user_keeps_one_identity_id(project: Path) -> None:
    first = json.loads(_run("--user", "alice", "--json").stdout)
    second = json.loads(_run("--user", "alice", "--json").stdout)
    assert first["IdentityId"] == second["IdentityId"]
    assert first["AccessKeyId"] != second["AccessKeyId"]


def test_guest_gets_the_unauthenticated_role(project: Path) -> None:
    result = _run("--guest", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    identity = _signed_identity(project, data["AccessKeyId"], data["SecretAccessKey"], data["SessionToken"])
    assert identity.user_arn == AuthEnvironment().unauth_role_arn
    assert identity.cognito_identity_auth_type == "unauthenticated"
    assert identity.cognito_identity_auth_provider is None


@pytest.mark.parametrize(("args", "message"), [
    ([], "exactly one of --user NAME and --guest"),
    (["--user", "a", "--guest"], "exactly one of"),
    (["--guest", "--groups", "Admins"], "a guest has no groups"),
    (["--user", "a", "--expires", "-1h"], "not a duration"),
])
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    result = _run(*args)
    assert result.exit_code == 2
    assert message in result.stderr and result.stdout == ""


def test_registry_is_private(project: Path) -> None:
    _run("--guest")
    registry = project / ".gqlauth" / "iam-credentials.json"
    assert registry.stat().st_mode & 0o777 == 0o600


def test_recorded_conformance_identity_is_reproduced_exactly(tmp_path: Path) -> None:
    recorded = {
        "accountId": "123456789012", "sourceIp": [],
        "userArn": "arn:aws:sts::123456789012:assumed-role/amplify-oracle-authRole/CognitoIdentityCredentials",
        "username": "AROAEXAMPLE0006:CognitoIdentityCredentials",
        "cognitoIdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000",
        "cognitoIdentityId": "us-east-1:00000006-2222-3333-4444-555555555555",
        "cognitoIdentityAuthType": "authenticated",
        "cognitoIdentityAuthProvider": '"cognito-idp.us-east-1.amazonaws.com/us-east-1_ORACLEPOOL"',
    }
    state = LocalState.open(tmp_path)
    record = register_identity_credentials(state, Identity.from_appsync("iam", recorded))
    identity = _signed_identity(tmp_path, record.access_key_id, record.secret_access_key, record.session_token)
    assert identity.to_appsync() == recorded
