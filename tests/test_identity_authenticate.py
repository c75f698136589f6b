"""Choosing the auth mode from a request as AppSync does, accepting only the API's modes, refusing with 401."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from resolvers.authenticate import (
    UNAUTHORIZED_HEADERS,
    AuthenticationError,
    Authenticator,
    unauthorized_response_body,
)
from resolvers.identity import AuthType
from resolvers.issuer import issue_credentials, mint_token, subject_for
from resolvers.local_state import IamCredentialRecord, LocalState, now_utc
from resolvers.token_verify import TokenVerifier
from transformer.group_roles import authenticated_role_iam_arn

BODY = b'{"query":"{ listPosts { items { id } } }","variables":{}}'
ALL_MODES = ["userPools", "apiKey", "iam"]


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def credentials(state: LocalState) -> IamCredentialRecord:
    env = state.environment()
    return issue_credentials(state, env, role_arn=authenticated_role_iam_arn(env), authenticated=True,
                             user_sub=subject_for("alice"))


def _authenticator(state: LocalState, modes: list[str] | None = None, **options: Any) -> Authenticator:
    return Authenticator(state, state.environment(), modes or ALL_MODES, **options)


def _http(auth: Authenticator, headers: dict[str, str], body: bytes = BODY) -> Any:
    return auth.authenticate("POST", "/graphql", "", headers, body, source_ip="10.0.0.7")


def _signed(record: IamCredentialRecord, url: str = "http://127.0.0.1:20002/graphql", body: bytes = BODY,
            extra: dict[str, str] | None = None) -> dict[str, str]:
    request = AWSRequest(method="POST", url=url, data=body,
                         headers={"host": "127.0.0.1:20002", "content-type": "application/json", **(extra or {})})
    SigV4Auth(Credentials(record.access_key_id, record.secret_access_key, record.session_token), "appsync",
              "us-east-1").add_auth(request)
    return dict(request.headers.items())


def test_api_key_header_selects_api_key_mode(state: LocalState) -> None:
    key = state.dev_api_key().key
    identity = _http(_authenticator(state), {"X-Api-Key": key})
    assert identity.auth_type is AuthType.API_KEY and identity.api_key == key
    assert identity.to_appsync() is None and identity.source_ip == ("10.0.0.7",)


def test_api_key_wins_over_an_authorization_header_when_the_api_has_keys(state: LocalState) -> None:
    identity = _http(_authenticator(state), {"x-api-key": state.dev_api_key().key, "authorization": "junk"})
    assert identity.auth_type is AuthType.API_KEY


def test_extra_api_keys_are_accepted(state: LocalState) -> None:
    auth = _authenticator(state, api_keys=["da2-oraclekey"])
    assert _http(auth, {"x-api-key": "da2-oraclekey"}).api_key == "da2-oraclekey"


def test_unknown_api_key_is_refused(state: LocalState) -> None:
    with pytest.raises(AuthenticationError, match="API key is not valid"):
        _http(_authenticator(state), {"x-api-key": "da2-guessed"})


def test_expired_api_key_is_refused(state: LocalState) -> None:
    key = state.add_api_key(expires_at=now_utc() - timedelta(seconds=1), description="old").key
    with pytest.raises(AuthenticationError, match="API key has expired"):
        _http(_authenticator(state), {"x-api-key": key})


def test_api_key_on_an_api_without_keys_is_refused(state: LocalState) -> None:
    auth = _authenticator(state, ["userPools"])
    with pytest.raises(AuthenticationError, match="API key authorization is not enabled"):
        _http(auth, {"x-api-key": state.dev_api_key().key})
    token = mint_token(state, user="alice")
    assert _http(auth, {"x-api-key": "ignored", "authorization": token}).username == "alice"


@pytest.mark.parametrize("use", ["id", "access"])
def test_jwt_selects_user_pools(state: LocalState, use: str) -> None:
    token = mint_token(state, user="alice", use=use)  # type: ignore[arg-type]
    identity = _http(_authenticator(state), {"Authorization": token})
    assert identity.auth_type is AuthType.USER_POOLS and identity.sub == subject_for("alice")
    assert identity.to_appsync()["sourceIp"] == ["10.0.0.7"]  # type: ignore[index]


def test_refused_token_is_an_authentication_error(state: LocalState) -> None:
    expired = mint_token(state, user="alice", now=now_utc() - timedelta(hours=3))
    with pytest.raises(AuthenticationError, match="expired"):
        _http(_authenticator(state), {"authorization": expired})


def test_token_on_an_api_without_token_modes_is_refused(state: LocalState) -> None:
    with pytest.raises(AuthenticationError, match="Token authorization is not enabled"):
        _http(_authenticator(state, ["apiKey", "iam"]), {"authorization": mint_token(state, user="alice")})


def test_sigv4_selects_iam(state: LocalState, credentials: IamCredentialRecord) -> None:
    identity = _http(_authenticator(state), _signed(credentials))
    assert identity.auth_type is AuthType.IAM
    assert identity.user_arn == state.environment().auth_role_arn
    assert identity.source_ip == ("10.0.0.7",)


def test_sigv4_on_an_api_without_iam_is_refused(state: LocalState, credentials: IamCredentialRecord) -> None:
    with pytest.raises(AuthenticationError, match="IAM authorization is not enabled"):
        _http(_authenticator(state, ["userPools"]), _signed(credentials))


def test_sigv4_with_altered_body_is_refused(state: LocalState, credentials: IamCredentialRecord) -> None:
    with pytest.raises(AuthenticationError, match="does not match"):
        _http(_authenticator(state), _signed(credentials), body=BODY + b"\n")


@pytest.mark.parametrize("headers", [{}, {"authorization": ""}, {"authorization": "   "}, {"content-type": "x"}])
def test_no_credentials_are_refused(state: LocalState, headers: dict[str, str]) -> None:
    with pytest.raises(AuthenticationError, match="Valid authorization header not provided"):
        _http(_authenticator(state), headers)


def test_unauthorized_response_is_appsyncs() -> None:
    assert unauthorized_response_body() == {
        "errors": [{"errorType": "UnauthorizedException", "message": "You are not authorized to make this call."}]}
    assert unauthorized_response_body("Token has expired")["errors"][0]["message"] == "Token has expired"
    assert UNAUTHORIZED_HEADERS == {"x-amzn-ErrorType": "UnauthorizedException"}


def test_realtime_handshake_headers_for_each_mode(state: LocalState, credentials: IamCredentialRecord) -> None:
    auth = _authenticator(state)
    api_key = {"host": "127.0.0.1:20002", "x-amz-date": "20261126T041102Z", "x-api-key": state.dev_api_key().key}
    assert auth.authenticate_connection(api_key, "/graphql").auth_type is AuthType.API_KEY
    token = {"Authorization": mint_token(state, user="alice", use="access"), "host": "127.0.0.1:20002"}
    assert auth.authenticate_connection(token, "/graphql").username == "alice"
    signed = _signed(credentials, url="http://127.0.0.1:20002/graphql/connect", body=b"{}",
                     extra={"accept": "application/json, text/javascript", "content-encoding": "amz-1.0"})
    assert auth.authenticate_connection(signed, "/graphql").auth_type is AuthType.IAM
    with pytest.raises(AuthenticationError, match="does not match"):
        auth.authenticate_subscription(signed, "{}", "/graphql")


def test_realtime_start_is_verified_over_its_data(state: LocalState, credentials: IamCredentialRecord) -> None:
    auth = _authenticator(state)
    data = json.dumps({"query": "subscription { onCreatePost { id } }", "variables": {}})
    signed = {**_signed(credentials, body=data.encode()), "x-amz-user-agent": "aws-amplify/6.22.1", "extra": 1}
    identity = auth.authenticate_subscription(signed, data, "/graphql", source_ip="::1")
    assert identity.auth_type is AuthType.IAM and identity.source_ip == ("::1",)
    with pytest.raises(AuthenticationError):
        auth.authenticate_subscription(signed, data.replace("onCreatePost", "onUpdatePost"), "/graphql")


def test_oidc_and_user_pools_are_told_apart_by_issuer(state: LocalState) -> None:
    settings = state.issuer_settings()
    oidc = TokenVerifier(issuer="https://idp.example.com", client_id=None,
                         keys={settings.kid: settings.private_key().public_key()}, auth_type=AuthType.OIDC)
    auth = _authenticator(state, ["userPools", "oidc"], oidc_verifier=oidc)
    now = int(now_utc().timestamp())
    oidc_token = jwt.encode({"sub": "o1", "iss": "https://idp.example.com", "iat": now, "exp": now + 60},
                            settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})
    assert _http(auth, {"authorization": oidc_token}).auth_type is AuthType.OIDC
    assert _http(auth, {"authorization": mint_token(state, user="alice")}).auth_type is AuthType.USER_POOLS


def test_lambda_authorizer_decides_for_non_user_pool_tokens(state: LocalState) -> None:
    def authorizer(token: str) -> dict[str, Any] | None:
        if token == "boom":
            raise RuntimeError("authorizer crashed")
        return {"tenant": "t1"} if token == "let-me-in" else None

    auth = _authenticator(state, ["userPools", "lambda"], lambda_authorizer=authorizer)
    identity = _http(auth, {"authorization": "let-me-in"})
    assert identity.auth_type is AuthType.LAMBDA and identity.to_appsync() == {"resolverContext": {"tenant": "t1"}}
    assert _http(auth, {"authorization": mint_token(state, user="alice")}).auth_type is AuthType.USER_POOLS
    with pytest.raises(AuthenticationError, match="denied"):
        _http(auth, {"authorization": "nope"})
    with pytest.raises(AuthenticationError, match="failed"):
        _http(auth, {"authorization": "boom"})


@pytest.mark.parametrize(("modes", "options", "message"), [
    ([], {}, "at least one auth mode"),
    (["oidc"], {}, "OIDC token verifier"),
    (["cookies"], {}, "unknown auth type"),
])
def test_misconfigured_authenticator_is_a_clear_error(state: LocalState, modes: list[str],
                                                      options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Authenticator(state, state.environment(), modes, **options)


def test_lambda_mode_without_an_authorizer_starts_and_denies_lambda_requests(state: LocalState) -> None:
    auth = Authenticator(state, state.environment(), ["lambda"])
    with pytest.raises(AuthenticationError, match="No Lambda authorizer is configured"):
        _http(auth, {"authorization": "any-token"})


def test_api_key_only_api_needs_no_issuer(tmp_path_factory: pytest.TempPathFactory) -> None:
    state = LocalState.open(tmp_path_factory.mktemp("keys-only"))
    auth = Authenticator(state, state.environment(), ["apiKey"])
    assert _http(auth, {"x-api-key": state.dev_api_key().key}).auth_type is AuthType.API_KEY
    assert not state.path("issuer.json").exists()
