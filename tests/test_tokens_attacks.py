"""Every token forgery and misuse is refused with a message safe to show; good tokens of both uses pass."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from resolvers.identity import AuthenticationError, AuthType
from resolvers.issuer import mint_token, subject_for
from resolvers.local_state import LocalState, now_utc
from resolvers.token_verify import TokenVerifier


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


@pytest.fixture(scope="module")
def verifier(state: LocalState) -> TokenVerifier:
    return TokenVerifier.local(state)


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return (json.loads(base64.urlsafe_b64decode(header + "==")),
            json.loads(base64.urlsafe_b64decode(payload + "==")), signature)


def _assemble(header: dict[str, Any], payload: dict[str, Any], signature: str) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}.{signature}"


def _signed_with_local_key(state: LocalState, **changes: Any) -> str:
    """A token signed with the real key whose claims differ from a valid ID token's."""
    _, payload, _ = _segments(mint_token(state, user="alice"))
    payload.update(changes)
    payload = {key: value for key, value in payload.items() if value is not None}
    settings = state.issuer_settings()
    return jwt.encode(payload, settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})


def _refused(verifier: TokenVerifier, token: str, message: str) -> None:
    with pytest.raises(AuthenticationError, match=message) as raised:
        verifier.verify(token)
    assert token not in raised.value.message


def test_id_and_access_tokens_give_the_same_owner(state: LocalState, verifier: TokenVerifier) -> None:
    by_id = verifier.verify(mint_token(state, user="alice", groups=["Editors"], use="id"))
    by_access = verifier.verify(mint_token(state, user="alice", groups=["Editors"], use="access"))
    assert by_id.auth_type is by_access.auth_type is AuthType.USER_POOLS
    assert (by_id.sub, by_id.username) == (by_access.sub, by_access.username) == (subject_for("alice"), "alice")
    assert by_id.groups() == by_access.groups() == ["Editors"]
    assert by_id.issuer == state.environment().issuer
    assert by_id.default_auth_strategy == "ALLOW"


@pytest.mark.parametrize("prefix", ["", "Bearer ", "bearer ", "  Bearer   "])
def test_bearer_prefix_is_optional(state: LocalState, verifier: TokenVerifier, prefix: str) -> None:
    assert verifier.verify(prefix + mint_token(state, user="bob")).username == "bob"


def test_alg_none_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    header, payload, _ = _segments(mint_token(state, user="alice"))
    payload["cognito:groups"] = ["Admins"]
    _refused(verifier, _assemble({**header, "alg": "none"}, payload, ""), "must be signed with RS256")
    _refused(verifier, _assemble({**header, "alg": "None"}, payload, ""), "must be signed with RS256")


def test_hs256_signed_with_the_public_key_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    header, payload, _ = _segments(mint_token(state, user="alice"))
    payload["cognito:groups"] = ["Admins"]
    public_pem = state.issuer_settings().private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{_b64(json.dumps({**header, 'alg': 'HS256'}).encode())}.{_b64(json.dumps(payload).encode())}"
    signature = _b64(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    _refused(verifier, f"{signing_input}.{signature}", "must be signed with RS256")


def test_unknown_kid_is_refused(state: LocalState, verifier: TokenVerifier, other_key: rsa.RSAPrivateKey) -> None:
    _, payload, _ = _segments(mint_token(state, user="alice"))
    token = jwt.encode(payload, other_key, algorithm="RS256", headers={"kid": "attacker-key"})
    _refused(verifier, token, "unknown key")
    _refused(verifier, jwt.encode(payload, other_key, algorithm="RS256"), "unknown key")


def test_known_kid_with_another_key_is_refused(state: LocalState, verifier: TokenVerifier,
                                               other_key: rsa.RSAPrivateKey) -> None:
    _, payload, _ = _segments(mint_token(state, user="alice"))
    token = jwt.encode(payload, other_key, algorithm="RS256", headers={"kid": state.issuer_settings().kid})
    _refused(verifier, token, "signature is invalid")


@pytest.mark.parametrize(("claim", "value"), [("cognito:groups", ["Admins"]), ("sub", "someone-else"),
                                              ("cognito:username", "bob"), ("exp", 4102444800)])
def test_tampered_claims_are_refused(state: LocalState, verifier: TokenVerifier, claim: str, value: Any) -> None:
    header, payload, signature = _segments(mint_token(state, user="alice", groups=["Editors"]))
    payload[claim] = value
    _refused(verifier, _assemble(header, payload, signature), "signature is invalid")


def test_expired_token_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    token = mint_token(state, user="alice", now=now_utc() - timedelta(hours=2), expires_in=timedelta(hours=1))
    _refused(verifier, token, "Token has expired")


def test_expiry_has_only_a_small_leeway(state: LocalState, verifier: TokenVerifier) -> None:
    just_expired = mint_token(state, user="alice", now=now_utc() - timedelta(seconds=70), expires_in=timedelta(seconds=60))
    assert verifier.verify(just_expired).username == "alice"
    long_expired = mint_token(state, user="alice", now=now_utc() - timedelta(seconds=200),
                              expires_in=timedelta(seconds=60))
    _refused(verifier, long_expired, "expired")


def test_token_from_the_future_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    _refused(verifier, mint_token(state, user="alice", now=now_utc() + timedelta(hours=1)), "not valid yet")


def test_wrong_issuer_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    token = _signed_with_local_key(state, iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other")
    _refused(verifier, token, "issuer")


def test_wrong_audience_on_an_id_token_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    _refused(verifier, _signed_with_local_key(state, aud="another-app-client"), "not issued for this app client")
    _refused(verifier, _signed_with_local_key(state, aud=None), "not issued for this app client")


def test_wrong_client_id_on_an_access_token_is_refused(state: LocalState, verifier: TokenVerifier) -> None:
    _, payload, _ = _segments(mint_token(state, user="alice", use="access"))
    settings = state.issuer_settings()
    for client_id in ("another-app-client", None):
        changed = {**payload, "client_id": client_id} if client_id else {
            key: value for key, value in payload.items() if key != "client_id"}
        token = jwt.encode(changed, settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})
        _refused(verifier, token, "not issued for this app client")


def test_access_token_with_an_aud_of_the_client_does_not_pass_as_id(state: LocalState, verifier: TokenVerifier) -> None:
    token = _signed_with_local_key(state, token_use="access")
    _refused(verifier, token, "not issued for this app client")


@pytest.mark.parametrize("token_use", ["refresh", None, "ID"])
def test_token_use_must_be_id_or_access(state: LocalState, verifier: TokenVerifier, token_use: str | None) -> None:
    _refused(verifier, _signed_with_local_key(state, token_use=token_use), "neither an ID token nor an access token")


@pytest.mark.parametrize("claim", ["sub", "exp", "iat", "iss"])
def test_required_claims_must_be_present(state: LocalState, verifier: TokenVerifier, claim: str) -> None:
    _refused(verifier, _signed_with_local_key(state, **{claim: None}), f'"{claim}"')


@pytest.mark.parametrize("raw", ["", "Bearer ", "not-a-jwt", "a.b.c", "Bearer x.y", "W10.e30.x", "e30.e30.x", "e3=.e30.x"])
def test_garbage_is_refused(verifier: TokenVerifier, raw: str) -> None:
    with pytest.raises(AuthenticationError):
        verifier.verify(raw)


def test_token_for_another_project_is_refused(verifier: TokenVerifier, tmp_path_factory: pytest.TempPathFactory) -> None:
    other = LocalState.open(tmp_path_factory.mktemp("other-project"))
    _refused(verifier, mint_token(other, user="alice"), "unknown key")


def test_oidc_verifier_needs_no_token_use(state: LocalState) -> None:
    settings = state.issuer_settings()
    oidc = TokenVerifier(issuer="https://idp.example.com", client_id="web",
                         keys={settings.kid: settings.private_key().public_key()}, auth_type=AuthType.OIDC)
    now = int(now_utc().timestamp())
    token = jwt.encode({"sub": "u1", "iss": "https://idp.example.com", "aud": "web", "iat": now, "exp": now + 60},
                       settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})
    identity = oidc.verify(token)
    assert identity.auth_type is AuthType.OIDC and identity.sub == "u1"
    _refused(oidc, jwt.encode({"sub": "u1", "iss": "https://idp.example.com", "aud": "mobile", "iat": now,
                               "exp": now + 60}, settings.private_key(), algorithm="RS256",
                              headers={"kid": settings.kid}), "app client")
