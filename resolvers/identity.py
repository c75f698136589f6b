"""Who a request is: one `Identity` type in the shape of AppSync's `$ctx.identity`.

Every way of proving an identity (JWT, API key, SigV4, Lambda) ends in this one value, and the
guards read only it. `to_appsync()` gives exactly the JSON AppSync puts in `$ctx.identity`, and
`from_appsync()` reads it back (the conformance suites record identities in that form).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuthType(StrEnum):
    USER_POOLS = "userPools"
    OIDC = "oidc"
    IAM = "iam"
    API_KEY = "apiKey"
    LAMBDA = "lambda"

    @property
    def appsync_name(self) -> str:
        """The provider name AppSync uses in its error messages and `@aws_*` docs."""
        return _APPSYNC_NAMES[self]

    @property
    def appsync_type(self) -> str:
        """The `authenticationType` value of AppSync's API configuration."""
        return _APPSYNC_TYPES[self]

    @classmethod
    def parse(cls, name: str) -> AuthType:
        """Accept Amplify's names (`userPools`) and AppSync's (`AMAZON_COGNITO_USER_POOLS`)."""
        for member in cls:
            if name in (member.value, member.appsync_type) or name.lower() == member.value.lower():
                return member
        raise ValueError(f'unknown auth type "{name}" (expected one of: {", ".join(m.value for m in cls)})')


_APPSYNC_NAMES: dict[AuthType, str] = {
    AuthType.USER_POOLS: "User Pool Authorization",
    AuthType.OIDC: "Open ID Connect Authorization",
    AuthType.IAM: "IAM Authorization",
    AuthType.API_KEY: "API Key Authorization",
    AuthType.LAMBDA: "Lambda Authorization",
}

_APPSYNC_TYPES: dict[AuthType, str] = {
    AuthType.USER_POOLS: "AMAZON_COGNITO_USER_POOLS",
    AuthType.OIDC: "OPENID_CONNECT",
    AuthType.IAM: "AWS_IAM",
    AuthType.API_KEY: "API_KEY",
    AuthType.LAMBDA: "AWS_LAMBDA",
}

GROUPS_CLAIM = "cognito:groups"


class Identity(BaseModel):
    """The caller of one request. Fields unused by an auth type stay None."""

    model_config = ConfigDict(frozen=True)

    auth_type: AuthType
    sub: str | None = None
    username: str | None = None
    issuer: str | None = None
    claims: dict[str, Any] = Field(default_factory=dict)
    source_ip: tuple[str, ...] = ()
    default_auth_strategy: str | None = None
    user_arn: str | None = None
    account_id: str | None = None
    cognito_identity_pool_id: str | None = None
    cognito_identity_id: str | None = None
    cognito_identity_auth_type: str | None = None
    cognito_identity_auth_provider: str | None = None
    resolver_context: dict[str, Any] | None = None
    lambda_denied_fields: tuple[str, ...] | None = None
    """The Lambda authorizer's `deniedFields` for this request (None: no per-request authorizer answer)."""
    api_key: str | None = None

    def claim(self, name: str) -> Any:
        return self.claims.get(name)

    def groups(self, claim: str = GROUPS_CLAIM) -> list[str]:
        """The groups in a claim: a list, a string holding a JSON array, or one group name.

        A string is never searched for a substring: `"NotAdmins"` is not membership of `Admins`.
        """
        return parse_groups(self.claims.get(claim))

    @property
    def is_authenticated_iam(self) -> bool:
        return self.auth_type is AuthType.IAM and self.cognito_identity_auth_type == "authenticated"

    def to_appsync(self) -> dict[str, Any] | None:
        """Exactly AppSync's `$ctx.identity` JSON for this caller (None for an API key)."""
        if self.auth_type in (AuthType.USER_POOLS, AuthType.OIDC):
            shaped: dict[str, Any] = {
                "sub": self.sub,
                "issuer": self.issuer,
                "username": self.username,
                "claims": dict(self.claims),
                "sourceIp": list(self.source_ip),
                "defaultAuthStrategy": self.default_auth_strategy,
            }
            if GROUPS_CLAIM in self.claims:
                shaped["groups"] = self.groups()
            return shaped
        if self.auth_type is AuthType.IAM:
            return {
                "accountId": self.account_id,
                "sourceIp": list(self.source_ip),
                "userArn": self.user_arn,
                "username": self.username,
                "cognitoIdentityPoolId": self.cognito_identity_pool_id,
                "cognitoIdentityId": self.cognito_identity_id,
                "cognitoIdentityAuthType": self.cognito_identity_auth_type,
                "cognitoIdentityAuthProvider": self.cognito_identity_auth_provider,
            }
        if self.auth_type is AuthType.LAMBDA:
            return {"resolverContext": dict(self.resolver_context or {})}
        return None

    @classmethod
    def from_appsync(
        cls,
        auth_type: str,
        identity: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None = None,
    ) -> Identity:
        """Read an identity recorded as AppSync's `$ctx.identity` (the conformance suites' format)."""
        kind = AuthType.parse(auth_type)
        data = dict(identity or {})
        source_ip = _source_ips(data.get("sourceIp"))
        if kind in (AuthType.USER_POOLS, AuthType.OIDC):
            claims = dict(data.get("claims") or {})
            return cls(
                auth_type=kind,
                sub=data.get("sub", claims.get("sub")),
                username=data.get("username", username_from_claims(claims)),
                issuer=data.get("issuer", claims.get("iss")),
                claims=claims,
                source_ip=source_ip,
                default_auth_strategy=data.get("defaultAuthStrategy"),
            )
        if kind is AuthType.IAM:
            return cls(
                auth_type=kind,
                username=data.get("username"),
                source_ip=source_ip,
                user_arn=data.get("userArn"),
                account_id=data.get("accountId"),
                cognito_identity_pool_id=data.get("cognitoIdentityPoolId"),
                cognito_identity_id=data.get("cognitoIdentityId"),
                cognito_identity_auth_type=data.get("cognitoIdentityAuthType"),
                cognito_identity_auth_provider=data.get("cognitoIdentityAuthProvider"),
            )
        if kind is AuthType.LAMBDA:
            return cls(auth_type=kind, resolver_context=dict(data.get("resolverContext") or {}),
                       source_ip=source_ip)
        lowered = {name.lower(): value for name, value in (headers or {}).items()}
        return cls(auth_type=kind, api_key=lowered.get("x-api-key"), source_ip=source_ip)


def username_from_claims(claims: Mapping[str, Any]) -> str | None:
    """`cognito:username` in an ID token, `username` in an access token."""
    for name in ("cognito:username", "username"):
        value = claims.get(name)
        if isinstance(value, str):
            return value
    return None


def parse_groups(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    if not isinstance(value, str) or not value.strip():
        return []
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError:
            return [value]
        if isinstance(parsed, list):
            return [item for item in parsed if isinstance(item, str)]
    return [value]


def _source_ips(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    return ()


class AuthenticationError(Exception):
    """A request whose credentials were refused. The message is safe to show to the caller."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
