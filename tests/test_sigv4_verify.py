"""SigV4 requests signed by botocore verify against local credentials; every tampering is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from resolvers.identity import AuthenticationError, AuthType
from resolvers.issuer import issue_credentials, subject_for
from resolvers.local_state import IamCredentialRecord, LocalState, now_utc
from resolvers.sigv4 import SigV4Verifier, identity_from_credentials, parse_authorization
from transformer.environment import AuthEnvironment
from transformer.group_roles import authenticated_role_iam_arn

ENDPOINT = "http://127.0.0.1:20002/graphql"
BODY = b'{"query":"query { listPosts { items { id } } }","variables":{}}'


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def record(state: LocalState) -> IamCredentialRecord:
    env = state.environment()
    return issue_credentials(state, env, role_arn=authenticated_role_iam_arn(env), authenticated=True,
                             user_sub=subject_for("alice"), label="alice")


@pytest.fixture(scope="module")
def verifier(state: LocalState) -> SigV4Verifier:
    return SigV4Verifier(state.find_credentials, region="us-east-1")


def sign(record: IamCredentialRecord, *, url: str = ENDPOINT, body: bytes = BODY, region: str = "us-east-1",
         service: str = "appsync", secret: str | None = None, token: str | None | bool = True,
         headers: dict[str, str] | None = None) -> dict[str, str]:
    session = record.session_token if token is True else (token or None)
    credentials = Credentials(record.access_key_id, secret or record.secret_access_key, session)
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"content-type": "application/json; charset=UTF-8", "host": "127.0.0.1:20002",
                                  **(headers or {})})
    SigV4Auth(credentials, service, region).add_auth(request)
    return {name.lower(): value for name, value in request.headers.items()}


def _verify(verifier: SigV4Verifier, headers: dict[str, str], *, path: str = "/graphql", query: str = "",
            body: bytes = BODY, method: str = "POST") -> IamCredentialRecord:
    return verifier.verify(method, path, query, headers, body)


def _refused(verifier: SigV4Verifier, headers: dict[str, str], message: str, **request: Any) -> None:
    with pytest.raises(AuthenticationError, match=message):
        _verify(verifier, headers, **request)


def test_botocore_signed_request_verifies_and_maps_to_the_identity_pool_identity(
        verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    verified = _verify(verifier, sign(record))
    assert verified.access_key_id == record.access_key_id
    identity = identity_from_credentials(verified, ("127.0.0.1",))
    env = AuthEnvironment()
    assert identity.auth_type is AuthType.IAM
    assert identity.user_arn == f"arn:aws:sts::{env.account_id}:assumed-role/{env.auth_role_name}/CognitoIdentityCredentials"
    assert identity.cognito_identity_auth_type == "authenticated"
    assert identity.cognito_identity_pool_id == env.identity_pool_id
    assert identity.cognito_identity_id is not None and identity.cognito_identity_id.startswith("us-east-1:")
    assert identity.cognito_identity_auth_provider is not None
    assert identity.cognito_identity_auth_provider.endswith(f':CognitoSignIn:{subject_for("alice")}"')
    assert identity.username is not None and identity.username.endswith(":CognitoIdentityCredentials")
    appsync = identity.to_appsync()
    assert appsync is not None and appsync["accountId"] == env.account_id and appsync["sourceIp"] == ["127.0.0.1"]


def test_query_string_and_empty_body_are_covered(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = sign(record, url=ENDPOINT + "?b=2&a=1%202", body=b"")
    assert _verify(verifier, headers, query="b=2&a=1%202", body=b"")
    _refused(verifier, headers, "does not match", query="b=3&a=1%202", body=b"")


def test_bad_signature_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = sign(record)
    signature = headers["authorization"][-64:]
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    _refused(verifier, {**headers, "authorization": headers["authorization"][:-64] + flipped}, "does not match")


def test_wrong_secret_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, sign(record, secret="x" * 40), "does not match")


def test_altered_body_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, sign(record), "does not match", body=BODY.replace(b"listPosts", b"deletePost"))
    _refused(verifier, sign(record), "does not match", body=BODY + b" ")


def test_altered_path_or_method_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, sign(record), "does not match", path="/other")
    _refused(verifier, sign(record), "does not match", method="PUT")


def test_altered_signed_header_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = sign(record)
    _refused(verifier, {**headers, "content-type": "text/plain"}, "does not match")
    _refused(verifier, {**headers, "host": "evil.example"}, "does not match")


def test_unsigned_extra_headers_do_not_matter(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = {**sign(record), "x-amz-user-agent": "aws-amplify/6.22.1 api/1 framework/100", "x-custom": "1"}
    assert _verify(verifier, headers).access_key_id == record.access_key_id


@pytest.mark.parametrize("skew", [timedelta(minutes=6), timedelta(minutes=-6)])
def test_date_outside_five_minutes_is_refused(state: LocalState, record: IamCredentialRecord,
                                              skew: timedelta) -> None:
    skewed = SigV4Verifier(state.find_credentials, region="us-east-1", clock=lambda: now_utc() + skew)
    _refused(skewed, sign(record), "Signature expired")


def test_date_within_five_minutes_is_accepted(state: LocalState, record: IamCredentialRecord) -> None:
    skewed = SigV4Verifier(state.find_credentials, region="us-east-1", clock=lambda: now_utc() + timedelta(minutes=4))
    assert _verify(skewed, sign(record))


def test_missing_session_token_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, sign(record, token=None), "signed x-amz-security-token")


def test_session_token_added_after_signing_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = {**sign(record, token=None), "x-amz-security-token": record.session_token or ""}
    _refused(verifier, headers, "signed x-amz-security-token")


def test_wrong_session_token_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, sign(record, token="forged-session-token"), "security token included in the request is invalid")


def test_unknown_access_key_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    unknown = record.model_copy(update={"access_key_id": "ASIAUNKNOWN000000000"})
    _refused(verifier, sign(unknown), "security token included in the request is invalid")


def test_expired_credentials_are_refused(state: LocalState) -> None:
    env = state.environment()
    expired = issue_credentials(state, env, role_arn=authenticated_role_iam_arn(env), authenticated=False,
                                expires_in=timedelta(minutes=1))
    later = SigV4Verifier(state.find_credentials, region="us-east-1", clock=lambda: now_utc() + timedelta(minutes=2))
    headers = sign(expired)
    with pytest.raises(AuthenticationError, match="expired"):
        later.verify("POST", "/graphql", "", headers, BODY)


def test_wrong_service_or_region_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, sign(record, service="execute-api"), "correct service: 'appsync'")
    _refused(verifier, sign(record, region="eu-west-1"), "valid region")


def test_any_region_when_not_pinned(state: LocalState, record: IamCredentialRecord) -> None:
    assert _verify(SigV4Verifier(state.find_credentials, region=None), sign(record, region="eu-west-1"))


def test_missing_signed_header_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = sign(record)
    del headers["content-type"]
    _refused(verifier, headers, "'content-type' is missing")


def test_unsigned_date_or_host_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = sign(record)
    for name in ("host", "x-amz-date"):
        parts = headers["authorization"].split("SignedHeaders=")
        signed = [h for h in parts[1].split(",")[0].split(";") if h != name]
        tampered = parts[0] + "SignedHeaders=" + ";".join(signed) + "," + parts[1].split(",", 1)[1]
        _refused(verifier, {**headers, "authorization": tampered}, f"'{name}' header must be signed")


@pytest.mark.parametrize("value", [
    "AWS4-HMAC-SHA256",
    "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/appsync, SignedHeaders=host, Signature=" + "a" * 64,
    "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/appsync/aws4_request, SignedHeaders=host;Date, "
    "Signature=" + "a" * 64,
    "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/appsync/aws4_request, SignedHeaders=x;host, "
    "Signature=" + "a" * 64,
    "AWS4-HMAC-SHA256 Credential=AKID/20261126/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=zz",
])
def test_malformed_authorization_is_refused(value: str) -> None:
    with pytest.raises(AuthenticationError, match="not a valid AWS Signature Version 4 header"):
        parse_authorization(value)


def test_scope_date_must_match_the_request_date(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    headers = sign(record)
    date = headers["x-amz-date"][:8]
    other = "20000101"
    _refused(verifier, {**headers, "authorization": headers["authorization"].replace(f"/{date}/", f"/{other}/")},
             "scope date")


def test_bad_amz_date_is_refused(verifier: SigV4Verifier, record: IamCredentialRecord) -> None:
    _refused(verifier, {**sign(record), "x-amz-date": "yesterday"}, "not a valid date")
