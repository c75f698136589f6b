"""The local issuer mints what Cognito mints: ID and access tokens with their own claims, RS256 + kid."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from resolvers.issuer import jwks, mint_token, sign_claims, subject_for
from resolvers.local_state import LocalState
from resolvers.token_verify import TokenVerifier
from transformer.environment import AuthEnvironment
from transformer.group_roles import resolve_roles
from transformer.precedence import parse_group_file

GROUPS = [{"groupName": "Admins", "precedence": 1}, {"groupName": "Editors", "precedence": 2}]


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_id_token_carries_cognito_id_claims(state: LocalState) -> None:
    token = mint_token(state, user="alice", groups=["Editors"], email="alice@example.com")
    claims = _claims(token)
    settings = state.issuer_settings()
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": settings.kid, "typ": "JWT"}
    assert claims["token_use"] == "id"
    assert claims["aud"] == settings.client_id and "client_id" not in claims
    assert claims["iss"] == state.environment().issuer
    assert claims["cognito:username"] == "alice"
    assert claims["email"] == "alice@example.com"
    assert claims["cognito:groups"] == ["Editors"]
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["auth_time"] == claims["iat"]


def test_access_token_carries_cognito_access_claims(state: LocalState) -> None:
    claims = _claims(mint_token(state, user="alice", groups=["Admins"], use="access", email="a@x"))
    assert claims["token_use"] == "access"
    assert claims["client_id"] == state.issuer_settings().client_id and "aud" not in claims
    assert claims["username"] == "alice" and "cognito:username" not in claims
    assert claims["scope"] == "aws.cognito.signin.user.admin"
    uuid.UUID(claims["jti"])
    assert claims["cognito:groups"] == ["Admins"]
    assert "email" not in claims and "cognito:roles" not in claims


def test_sub_is_deterministic_per_username_unless_given(state: LocalState) -> None:
    first, again, other = (_claims(mint_token(state, user=name))["sub"] for name in ("alice", "alice", "bob"))
    assert first == again == subject_for("alice") and first != other
    assert _claims(mint_token(state, user="alice", sub="fixed-sub"))["sub"] == "fixed-sub"


def test_no_groups_means_no_groups_claim(state: LocalState) -> None:
    claims = _claims(mint_token(state, user="alice"))
    assert "cognito:groups" not in claims and "cognito:preferred_role" not in claims


def test_roles_follow_group_precedence(state: LocalState) -> None:
    group_file, _ = parse_group_file(json.dumps(GROUPS), "groups.json")
    assert group_file is not None
    env = AuthEnvironment()
    roles = resolve_roles(["Editors", "Admins"], group_file, env)
    claims = _claims(mint_token(state, user="max", groups=["Editors", "Admins"], role_resolution=roles))
    assert claims["cognito:preferred_role"] == env.group_role_arn("Admins")
    assert claims["cognito:roles"] == [env.group_role_arn("Admins"), env.group_role_arn("Editors")]


def test_tied_precedence_gives_roles_but_no_preferred_role(state: LocalState) -> None:
    group_file, _ = parse_group_file(json.dumps([{"groupName": "A", "precedence": 1},
                                                 {"groupName": "B", "precedence": 1}]), "g.json")
    assert group_file is not None
    roles = resolve_roles(["A", "B"], group_file, AuthEnvironment())
    claims = _claims(mint_token(state, user="u", groups=["A", "B"], role_resolution=roles))
    assert len(claims["cognito:roles"]) == 2 and "cognito:preferred_role" not in claims


def test_extra_claims_are_added_but_validity_claims_are_reserved(state: LocalState) -> None:
    claims = _claims(mint_token(state, user="u", extra_claims={"custom:tenant": "acme"}))
    assert claims["custom:tenant"] == "acme"
    for reserved in ("iss", "aud", "exp", "token_use", "client_id"):
        with pytest.raises(ValueError, match=reserved):
            mint_token(state, user="u", extra_claims={reserved: "x"})


def test_lifetime_must_be_positive(state: LocalState) -> None:
    with pytest.raises(ValueError, match="positive"):
        mint_token(state, user="u", expires_in=timedelta(0))


def test_jwks_publishes_the_signing_key(state: LocalState) -> None:
    document = jwks(state)
    (key,) = document["keys"]
    assert key["kid"] == state.issuer_settings().kid
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert "d" not in key and "p" not in key
    public = jwt.PyJWK(key).key
    token = mint_token(state, user="alice")
    assert jwt.decode(token, public, algorithms=["RS256"], options={"verify_aud": False})["cognito:username"] == "alice"


def test_tokens_survive_reopening_the_project(tmp_path: Path) -> None:
    token = mint_token(LocalState.open(tmp_path), user="alice")
    (key,) = jwks(LocalState.open(tmp_path))["keys"]
    assert jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], options={"verify_aud": False})


def test_recorded_claims_are_signed_as_they_are(state: LocalState) -> None:
    recorded = {"sub": "00000004", "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_ORACLEPOOL",
                "cognito:username": "alice", "aud": "oracleclientid", "token_use": "id", "auth_time": 1714564800}
    token = sign_claims(state, recorded)
    verifier = TokenVerifier.local(state, issuer=recorded["iss"], client_id="oracleclientid")
    identity = verifier.verify(token)
    assert {key: identity.claims[key] for key in recorded} == recorded
    assert identity.username == "alice"
