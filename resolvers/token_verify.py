"""Verify Cognito user-pool and OIDC tokens the way AppSync does, and turn them into an `Identity`.

RS256 only, against keys known by `kid` (the local issuer's, or a JWKS fetched from a URL and
cached). Signature, `exp`, `iat`, `iss`, `token_use` and the audience (`aud` for ID tokens,
`client_id` for access tokens) are all checked; any failure is an `AuthenticationError` whose
message names the problem without echoing the token.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from resolvers.identity import AuthenticationError, AuthType, Identity, username_from_claims
from resolvers.local_state import LocalState

ALGORITHM = "RS256"
DEFAULT_LEEWAY = timedelta(seconds=30)
_MAX_JWKS_BYTES = 1 << 20
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+")

JwksFetcher = Callable[[str], bytes]


def fetch_url(url: str) -> bytes:
    request = urllib.request.Request(url, headers={"accept": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - URL given by the operator
        return response.read(_MAX_JWKS_BYTES + 1)


def parse_jwks(document: Mapping[str, Any]) -> dict[str, rsa.RSAPublicKey]:
    """The RS256 signing keys of a JWKS document, by `kid`; other key types are ignored."""
    keys: dict[str, rsa.RSAPublicKey] = {}
    for entry in document.get("keys") or []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not isinstance(entry.get("kid"), str):
            continue
        if entry.get("alg", ALGORITHM) != ALGORITHM or entry.get("use", "sig") != "sig":
            continue
        try:
            key = RSAAlgorithm.from_jwk(entry)
        except (jwt.InvalidKeyError, ValueError, KeyError):
            continue
        if isinstance(key, rsa.RSAPublicKey):
            keys[entry["kid"]] = key
    return keys


class RemoteJwks:
    """Keys from a JWKS URL, cached for `ttl` seconds.

    An unknown kid triggers an early refetch (key rotation), but never more than once per
    `min_refresh` seconds, so forged kids cannot turn the server into a flood of fetches.
    """

    def __init__(self, url: str, *, fetch: JwksFetcher = fetch_url, ttl: float = 600.0,
                 min_refresh: float = 30.0) -> None:
        self.url = url
        self._fetch = fetch
        self._ttl = ttl
        self._min_refresh = min_refresh
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> rsa.RSAPublicKey | None:
        with self._lock:
            now = time.monotonic()
            stale = self._fetched_at is None or now - self._fetched_at > self._ttl
            may_try = self._attempted_at is None or now - self._attempted_at > self._min_refresh
            if (stale or kid not in self._keys) and may_try:
                self._refresh(now)
            if self._fetched_at is None:
                raise AuthenticationError("The token signing keys could not be fetched")
            return self._keys.get(kid)

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        try:
            body = self._fetch(self.url)
            if len(body) > _MAX_JWKS_BYTES:
                raise ValueError("JWKS document too large")
            document = json.loads(body)
            if not isinstance(document, dict):
                raise ValueError("JWKS document is not an object")
        except (OSError, ValueError):
            return
        self._keys = parse_jwks(document)
        self._fetched_at = now


class TokenVerifier:
    """Checks `Authorization` header values for one issuer and app client."""

    def __init__(
        self,
        *,
        issuer: str,
        client_id: str | None,
        keys: Mapping[str, rsa.RSAPublicKey] | None = None,
        jwks_url: str | None = None,
        fetch: JwksFetcher = fetch_url,
        auth_type: AuthType = AuthType.USER_POOLS,
        leeway: timedelta = DEFAULT_LEEWAY,
    ) -> None:
        if (keys is None) == (jwks_url is None):
            raise ValueError("give exactly one of keys and jwks_url")
        if auth_type not in (AuthType.USER_POOLS, AuthType.OIDC):
            raise ValueError("tokens are verified for userPools or oidc only")
        self.issuer = issuer
        self.client_id = client_id
        self.auth_type = auth_type
        self.leeway = leeway
        self._keys = dict(keys) if keys is not None else None
        self._remote = RemoteJwks(jwks_url, fetch=fetch) if jwks_url is not None else None

    @classmethod
    def local(cls, state: LocalState, auth_type: AuthType = AuthType.USER_POOLS, *, issuer: str | None = None,
              client_id: str | None = None) -> TokenVerifier:
        """A verifier for tokens signed with this project's local key.

        The issuer and client id default to the project's; a server replaying recorded identities
        (another pool's issuer and app client) passes its own.
        """
        settings = state.issuer_settings()
        return cls(
            issuer=issuer or state.environment().issuer,
            client_id=client_id or settings.client_id,
            keys={settings.kid: settings.private_key().public_key()},
            auth_type=auth_type,
        )

    def verify(self, authorization: str) -> Identity:
        """Verify a raw `Authorization` value (`Bearer ` prefix optional) and return who it is."""
        token = strip_bearer(authorization)
        if not token:
            raise AuthenticationError("Valid authorization header not provided")
        claims = self._verified_claims(token)
        self._check_use_and_audience(claims)
        return Identity(
            auth_type=self.auth_type,
            sub=claims["sub"],
            username=username_from_claims(claims),
            issuer=claims["iss"],
            claims=claims,
            default_auth_strategy="ALLOW" if self.auth_type is AuthType.USER_POOLS else None,
        )

    def issuer_of(self, authorization: str) -> str | None:
        """The unverified `iss` of a token: only for choosing which verifier to ask."""
        try:
            claims = jwt.decode(strip_bearer(authorization), options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        issuer = claims.get("iss")
        return issuer if isinstance(issuer, str) else None

    def _verified_claims(self, token: str) -> dict[str, Any]:
        header = unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise AuthenticationError("The token must be signed with RS256")
        kid = header.get("kid")
        key = self._key(kid) if isinstance(kid, str) else None
        if key is None:
            raise AuthenticationError("The token was signed with an unknown key")
        try:
            claims = jwt.decode(
                token, key, algorithms=[ALGORITHM], issuer=self.issuer, leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthenticationError("Token has expired") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthenticationError("The token signature is invalid") from exc
        except jwt.InvalidIssuerError as exc:
            raise AuthenticationError("The token was issued by an issuer this API does not accept") from exc
        except jwt.ImmatureSignatureError as exc:
            raise AuthenticationError("The token is not valid yet") from exc
        except jwt.MissingRequiredClaimError as exc:
            raise AuthenticationError(f'The token lacks the "{exc.claim}" claim') from exc
        except jwt.PyJWTError as exc:
            raise AuthenticationError("The token is invalid") from exc
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise AuthenticationError('The token lacks the "sub" claim')
        return claims

    def _key(self, kid: str) -> rsa.RSAPublicKey | None:
        if self._keys is not None:
            return self._keys.get(kid)
        assert self._remote is not None
        return self._remote.key(kid)

    def _check_use_and_audience(self, claims: Mapping[str, Any]) -> None:
        use = claims.get("token_use")
        if self.auth_type is AuthType.USER_POOLS and use not in ("id", "access"):
            raise AuthenticationError("The token is neither an ID token nor an access token")
        if self.client_id is None:
            return
        if use == "access":
            if claims.get("client_id") != self.client_id:
                raise AuthenticationError("The token was not issued for this app client")
            return
        audience = claims.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.client_id not in audiences:
            raise AuthenticationError("The token was not issued for this app client")


def unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header, read only to pick the key (PyJWT's reader decodes every segment, slowly)."""
    segments = token.split(".")
    if len(segments) != 3 or not _BASE64URL.fullmatch(segments[0]):
        raise AuthenticationError("The token is malformed")
    try:
        header = json.loads(base64.urlsafe_b64decode(segments[0] + "=" * (-len(segments[0]) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise AuthenticationError("The token is malformed") from exc
    if not isinstance(header, dict):
        raise AuthenticationError("The token is malformed")
    return header


def strip_bearer(authorization: str) -> str:
    value = authorization.strip()
    if value[:7].lower() == "bearer ":
        value = value[7:].strip()
    return value
