"""The local stand-ins for Cognito: a user pool that mints tokens and an identity pool that issues credentials.

Tokens carry the claims Cognito puts in them (ID and access tokens differ), signed RS256 with the
project's key; the server verifies them against the same key. Credentials are temporary AWS keys
for the role the identity pool would give the user, recorded in the project's credential registry so
that the server can verify SigV4 signatures made with them.
"""

from __future__ import annotations

import hashlib
import secrets
import string
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt
from jwt.algorithms import RSAAlgorithm

from resolvers.identity import Identity
from resolvers.local_state import IamCredentialRecord, LocalState, now_utc
from transformer.environment import AuthEnvironment
from transformer.group_roles import RoleResolution

TokenUse = Literal["id", "access"]
ACCESS_TOKEN_SCOPE = "aws.cognito.signin.user.admin"
DEFAULT_TOKEN_LIFETIME = timedelta(hours=1)
DEFAULT_CREDENTIALS_LIFETIME = timedelta(hours=1)

_SUBJECT_NAMESPACE = uuid.UUID("6f1c9a52-3b7e-4d0a-9a51-1c2f0e8b7d43")
_IDENTITY_NAMESPACE = uuid.UUID("0b8e4a47-9d2c-4f6e-8a13-5e7c2d9f1a60")

RESERVED_CLAIMS = frozenset({"iss", "aud", "client_id", "token_use", "exp", "iat", "nbf"})
"""Claims that decide whether a token is valid at all; `extra_claims` may not set them."""


def subject_for(username: str) -> str:
    """The `sub` of a local user: the same for a username in every project (so seed data travels)."""
    return str(uuid.uuid5(_SUBJECT_NAMESPACE, username))


def check_token_request(user: str, expires_in: timedelta, extra_claims: Mapping[str, Any] | None) -> None:
    """Refuse a token no issuer would sign: no user, a lifetime that is not positive, a reserved claim overridden."""
    if not user:
        raise ValueError("the username must not be empty")
    if expires_in <= timedelta(0):
        raise ValueError("the lifetime must be positive")
    reserved = sorted(RESERVED_CLAIMS & set(extra_claims or {}))
    if reserved:
        raise ValueError(f"claim(s) {', '.join(reserved)} are set by the issuer and cannot be overridden")


def mint_token(
    state: LocalState,
    *,
    user: str,
    groups: list[str] | tuple[str, ...] = (),
    sub: str | None = None,
    email: str | None = None,
    extra_claims: Mapping[str, Any] | None = None,
    use: TokenUse = "id",
    expires_in: timedelta = DEFAULT_TOKEN_LIFETIME,
    role_resolution: RoleResolution | None = None,
    now: datetime | None = None,
) -> str:
    """A token from the local issuer, with the claims Cognito would put in an ID or access token."""
    check_token_request(user, expires_in, extra_claims)
    settings = state.issuer_settings()
    env = state.environment()
    issued = int((now or now_utc()).timestamp())
    claims: dict[str, Any] = {
        "sub": sub or subject_for(user),
        "iss": env.issuer,
        **({"aud": settings.client_id} if use == "id" else {"client_id": settings.client_id}),
        "token_use": use,
        "auth_time": issued,
        "iat": issued,
        "exp": issued + int(expires_in.total_seconds()),
    }
    if use == "id":
        claims["cognito:username"] = user
        if email is not None:
            claims["email"] = email
    else:
        claims.update(scope=ACCESS_TOKEN_SCOPE, jti=str(uuid.uuid4()), username=user)
    if groups:
        claims["cognito:groups"] = list(groups)
    if use == "id" and role_resolution is not None and role_resolution.roles:
        claims["cognito:roles"] = list(role_resolution.roles)
        if role_resolution.preferred_role is not None:
            claims["cognito:preferred_role"] = role_resolution.preferred_role
    claims.update(extra_claims or {})
    return jwt.encode(claims, settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})


def sign_claims(state: LocalState, claims: Mapping[str, Any], *, expires_in: timedelta = DEFAULT_TOKEN_LIFETIME,
                now: datetime | None = None) -> str:
    """Sign a recorded claim set as it is (test harnesses replaying `$ctx.identity.claims`).

    Only `iat` and `exp` are added when missing; the verifier must be set up for the claims'
    `iss` and `aud`/`client_id`.
    """
    issued = int((now or now_utc()).timestamp())
    payload = {"iat": issued, "exp": issued + int(expires_in.total_seconds()), **claims}
    settings = state.issuer_settings()
    return jwt.encode(payload, settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})


def jwks(state: LocalState) -> dict[str, Any]:
    """The body of `/.well-known/jwks.json` for the local issuer."""
    settings = state.issuer_settings()
    key = RSAAlgorithm.to_jwk(settings.private_key().public_key(), as_dict=True)
    return {"keys": [{**key, "kid": settings.kid, "alg": "RS256", "use": "sig"}]}


# -- identity pool --------------------------------------------------------------------------------

def role_name_of(role_arn: str) -> str:
    """`arn:aws:iam::1:role/path/Name` or `arn:aws:sts::1:assumed-role/Name/session` -> `Name`."""
    resource = role_arn.split(":", 5)[-1]
    if resource.startswith("assumed-role/"):
        return resource.split("/")[1]
    return resource.rsplit("/", 1)[-1]


def role_id_of(role_name: str, account_id: str) -> str:
    """A stable IAM-style role id (`AROA` + 17 characters), the first half of an IAM `username`."""
    digest = hashlib.sha256(f"{account_id}:{role_name}".encode()).digest()
    alphabet = string.ascii_uppercase + "234567"
    return "AROA" + "".join(alphabet[byte % len(alphabet)] for byte in digest[:17])


def issue_credentials(
    state: LocalState,
    env: AuthEnvironment,
    *,
    role_arn: str,
    authenticated: bool,
    user_sub: str | None = None,
    label: str = "",
    identity_id: str | None = None,
    expires_in: timedelta = DEFAULT_CREDENTIALS_LIFETIME,
) -> IamCredentialRecord:
    """Issue and register credentials for `role_arn`, as the identity pool would for this caller.

    A signed-in user keeps one identity id (derived from her `sub`); a guest gets a new one each
    time, as a fresh unauthenticated identity does.
    """
    if expires_in <= timedelta(0):
        raise ValueError("the lifetime must be positive")
    role_name = role_name_of(role_arn)
    if identity_id is None:
        seed = f"{env.identity_pool_id}:{user_sub}" if authenticated and user_sub else None
        identity_uuid = uuid.uuid5(_IDENTITY_NAMESPACE, seed) if seed else uuid.uuid4()
        identity_id = f"{env.region}:{identity_uuid}"
    provider = None
    if authenticated and user_sub:
        pool_provider = f"cognito-idp.{env.region}.amazonaws.com/{env.user_pool_id}"
        provider = f'"{pool_provider}","{pool_provider}:CognitoSignIn:{user_sub}"'
    record = IamCredentialRecord(
        access_key_id="ASIA" + _random_text(string.ascii_uppercase + string.digits, 16),
        secret_access_key=_random_text(string.ascii_letters + string.digits + "+/", 40),
        session_token=secrets.token_urlsafe(96),
        expires_at=now_utc() + expires_in,
        role_arn=role_arn,
        user_arn=env.assumed_role_arn(role_name),
        username=f"{role_id_of(role_name, env.account_id)}:CognitoIdentityCredentials",
        account_id=env.account_id,
        identity_pool_id=env.identity_pool_id,
        identity_id=identity_id,
        auth_type="authenticated" if authenticated else "unauthenticated",
        auth_provider=provider,
        label=label,
    )
    state.register_credentials(record)
    return record


def register_identity_credentials(
    state: LocalState, identity: Identity, expires_in: timedelta = DEFAULT_CREDENTIALS_LIFETIME,
) -> IamCredentialRecord:
    """Credentials whose verified requests reproduce exactly this recorded IAM identity (for test suites)."""
    if identity.user_arn is None or identity.cognito_identity_auth_type not in ("authenticated", "unauthenticated"):
        raise ValueError("an IAM identity needs userArn and cognitoIdentityAuthType")
    record = IamCredentialRecord(
        access_key_id="ASIA" + _random_text(string.ascii_uppercase + string.digits, 16),
        secret_access_key=_random_text(string.ascii_letters + string.digits + "+/", 40),
        session_token=secrets.token_urlsafe(96),
        expires_at=now_utc() + expires_in,
        role_arn=identity.user_arn,
        user_arn=identity.user_arn,
        username=identity.username or "",
        account_id=identity.account_id or identity.user_arn.split(":")[4],
        identity_pool_id=identity.cognito_identity_pool_id or "",
        identity_id=identity.cognito_identity_id or "",
        auth_type=identity.cognito_identity_auth_type,  # type: ignore[arg-type]
        auth_provider=identity.cognito_identity_auth_provider,
        label="recorded identity",
    )
    state.register_credentials(record)
    return record


def _random_text(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))
