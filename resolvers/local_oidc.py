"""A local OpenID Connect provider, so that `serve` starts for an API with the `oidc` mode and the explorer
(or a test) can sign in through it without a real provider.

Its tokens are signed with the project's local key (the one `/.well-known/jwks.json` publishes) but carry
their own issuer and audience, so the user-pool verifier never accepts them and the OIDC verifier never
accepts a user-pool token. Group claims: every `groupClaim` the API's OIDC group rules read (Amplify's
default `cognito:groups` when none is set), each holding the groups asked for.

`serve --oidc-issuer URL` accepts a real provider's tokens instead (`remote_oidc_verifier`): its keys are
found as OpenID Connect discovery says (`<issuer>/.well-known/openid-configuration` -> `jwks_uri`) when
first needed, unless a JWKS URL is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import jwt

from resolvers.identity import AuthType
from resolvers.issuer import DEFAULT_TOKEN_LIFETIME, check_token_request, subject_for
from resolvers.local_state import LocalState, now_utc
from resolvers.token_verify import DEFAULT_LEEWAY, JwksFetcher, TokenVerifier, fetch_url
from transformer.matrix import AccessMatrix
from transformer.rules import Provider

LOCAL_OIDC_ISSUER = "https://oidc.gqlauth.local"
LOCAL_OIDC_CLIENT_ID = "gqlauth-local-oidc"
DEFAULT_GROUP_CLAIM = "cognito:groups"


def local_oidc_verifier(state: LocalState, *, leeway: timedelta = DEFAULT_LEEWAY) -> TokenVerifier:
    """Accepts the tokens `mint_oidc_token` signs for this project (and nothing else)."""
    settings = state.issuer_settings()
    return TokenVerifier(issuer=LOCAL_OIDC_ISSUER, client_id=LOCAL_OIDC_CLIENT_ID,
                         keys={settings.kid: settings.private_key().public_key()},
                         auth_type=AuthType.OIDC, leeway=leeway)


DISCOVERY_PATH = "/.well-known/openid-configuration"


def discovering_fetch(fetch: JwksFetcher = fetch_url) -> JwksFetcher:
    """A JWKS fetcher for a discovery document's URL: reads its `jwks_uri`, then fetches that."""

    def fetch_keys(discovery_url: str) -> bytes:
        document = json.loads(fetch(discovery_url))
        jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ValueError(f"{discovery_url} names no jwks_uri")
        return fetch(jwks_uri)

    return fetch_keys


def remote_oidc_verifier(issuer: str, *, client_id: str | None, jwks_url: str | None = None,
                         leeway: timedelta = DEFAULT_LEEWAY, fetch: JwksFetcher = fetch_url) -> TokenVerifier:
    """Accepts ID tokens of a real OpenID Connect provider (audience `client_id` when given, as AppSync's
    `clientId` setting does)."""
    issuer = issuer.rstrip("/")
    if jwks_url is not None:
        return TokenVerifier(issuer=issuer, client_id=client_id, jwks_url=jwks_url, fetch=fetch,
                             auth_type=AuthType.OIDC, leeway=leeway)
    return TokenVerifier(issuer=issuer, client_id=client_id, jwks_url=issuer + DISCOVERY_PATH,
                         fetch=discovering_fetch(fetch), auth_type=AuthType.OIDC, leeway=leeway)


def oidc_group_claims(matrix: AccessMatrix) -> list[str]:
    """The claims the API's OIDC group rules read groups from, in first-seen order."""
    claims: list[str] = []

    def visit(node: Any) -> None:
        if isinstance(node, Mapping):
            if node.get("provider") == Provider.OIDC.value and node.get("kind") in ("staticGroup", "dynamicGroup"):
                claim = node.get("group_claim") or DEFAULT_GROUP_CLAIM
                if claim not in claims:
                    claims.append(claim)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(matrix.model_dump(mode="json"))
    return claims or [DEFAULT_GROUP_CLAIM]


def mint_oidc_token(
    state: LocalState,
    *,
    user: str,
    groups: Iterable[str] = (),
    sub: str | None = None,
    group_claims: Iterable[str] = (DEFAULT_GROUP_CLAIM,),
    extra_claims: Mapping[str, Any] | None = None,
    expires_in: timedelta = DEFAULT_TOKEN_LIFETIME,
) -> str:
    """An ID token of the local OIDC provider: `sub` (by default the user's local user-pool `sub`),
    `username`, `preferred_username`, and the groups under each of `group_claims`."""
    check_token_request(user, expires_in, extra_claims)
    issued = int(now_utc().timestamp())
    claims: dict[str, Any] = {
        "sub": sub or subject_for(user), "iss": LOCAL_OIDC_ISSUER, "aud": LOCAL_OIDC_CLIENT_ID,
        "iat": issued, "auth_time": issued, "exp": issued + int(expires_in.total_seconds()),
        "username": user, "preferred_username": user,
    }
    group_list = list(groups)
    if group_list:
        for claim in group_claims:
            claims[claim] = group_list
    claims.update(extra_claims or {})
    settings = state.issuer_settings()
    return jwt.encode(claims, settings.private_key(), algorithm="RS256", headers={"kid": settings.kid})


__all__ = ["LOCAL_OIDC_CLIENT_ID", "LOCAL_OIDC_ISSUER", "discovering_fetch", "local_oidc_verifier", "mint_oidc_token",
           "oidc_group_claims", "remote_oidc_verifier"]
