"""OIDC tokens: the local provider `serve` runs for the `oidc` mode (its claims, and that its tokens and the
user pool's are never interchangeable), and a real provider's tokens with `--oidc-issuer`, its keys found by
OpenID Connect discovery."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from serve_support import ServerProcess, free_port, gqlauth_command, template_state

from resolvers.identity import AuthenticationError, AuthType
from resolvers.issuer import mint_token
from resolvers.local_oidc import (
    LOCAL_OIDC_CLIENT_ID,
    LOCAL_OIDC_ISSUER,
    local_oidc_verifier,
    mint_oidc_token,
    oidc_group_claims,
    remote_oidc_verifier,
)
from resolvers.local_state import LocalState
from resolvers.token_verify import TokenVerifier
from transformer.project import load_project
from transformer.rules import Provider

MEMO_SCHEMA = """
type Memo @model @auth(rules: [
  {allow: owner, provider: oidc, identityClaim: "sub"},
  {allow: groups, provider: oidc, groups: ["Admins"], groupClaim: "roles"},
  {allow: groups, provider: oidc, groupsField: "readers", groupClaim: "teams", operations: [read]}
]) {
  id: ID!
  text: String
  readers: [String]
}
"""
CREATE_MEMO = 'mutation { createMemo(input: {id: "m1", text: "hi"}) { id owner } }'


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    directory = tmp_path_factory.mktemp("oidc")
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    return LocalState.open(directory)


def test_a_local_oidc_token_carries_the_user_and_groups_under_every_claim_the_rules_read(
        state: LocalState, tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text(MEMO_SCHEMA)
    project, diagnostics = load_project(tmp_path, auth_modes=[Provider.OIDC])
    assert project is not None, diagnostics
    claims_read = oidc_group_claims(project.matrix)
    assert claims_read == ["roles", "teams"]
    token = mint_oidc_token(state, user="olga", groups=["Admins"], group_claims=claims_read)
    identity = local_oidc_verifier(state).verify(token)
    assert identity.auth_type is AuthType.OIDC and identity.username == "olga"
    assert identity.claims["iss"] == LOCAL_OIDC_ISSUER and identity.claims["aud"] == LOCAL_OIDC_CLIENT_ID
    assert identity.claims["roles"] == ["Admins"] and identity.claims["teams"] == ["Admins"]
    assert "cognito:groups" not in identity.claims
    with pytest.raises(ValueError, match="iss"):
        mint_oidc_token(state, user="olga", extra_claims={"iss": "https://elsewhere"})


def test_user_pool_and_oidc_tokens_are_not_interchangeable(state: LocalState) -> None:
    with pytest.raises(AuthenticationError, match="issuer"):
        local_oidc_verifier(state).verify(mint_token(state, user="alice"))
    with pytest.raises(AuthenticationError, match="issuer"):
        TokenVerifier.local(state).verify(mint_oidc_token(state, user="alice"))


class OidcProvider:
    """A real OpenID Connect provider in miniature: discovery, JWKS and a signing key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.fetched: list[str] = []
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        jwk = {**RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True), "kid": "k1", "alg": "RS256", "use": "sig"}
        documents = {"/.well-known/openid-configuration": {"issuer": self.issuer,
                                                            "jwks_uri": f"{self.issuer}/keys"},
                     "/keys": {"keys": [jwk]}}
        fetched = self.fetched

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fetched.append(self.path)
                body = json.dumps(documents.get(self.path, {})).encode()
                self.send_response(200 if self.path in documents else 404)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, sub: str, audience: str = "my-app") -> str:
        now = int(time.time())
        return jwt.encode({"sub": sub, "iss": self.issuer, "aud": audience, "iat": now, "exp": now + 600,
                           "username": sub}, self.key, algorithm="RS256", headers={"kid": "k1"})

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def provider() -> Iterator[OidcProvider]:
    running = OidcProvider()
    yield running
    running.close()


def test_a_real_providers_keys_are_found_by_discovery(provider: OidcProvider) -> None:
    verifier = remote_oidc_verifier(provider.issuer + "/", client_id="my-app")
    assert verifier.verify(provider.token("u-1")).sub == "u-1"
    assert provider.fetched[:2] == ["/.well-known/openid-configuration", "/keys"]
    with pytest.raises(AuthenticationError, match="app client"):
        verifier.verify(provider.token("u-1", audience="another-app"))
    lost = remote_oidc_verifier(provider.issuer, client_id=None, jwks_url=provider.issuer + "/missing")
    with pytest.raises(AuthenticationError):
        lost.verify(provider.token("u-1"))


def test_serve_with_oidc_issuer_accepts_that_providers_tokens_only(provider: OidcProvider, tmp_path: Path) -> None:
    project = tmp_path / "memos"
    project.mkdir()
    (project / "schema.graphql").write_text(MEMO_SCHEMA)
    shutil.copytree(template_state(), project / ".gqlauth", dirs_exist_ok=True)
    server = ServerProcess(project, free_port(), ("--oidc-issuer", provider.issuer, "--oidc-client-id", "my-app",
                                                  "--db", ":memory:", "--no-reload", "--no-frontend-config"),
                           auth_modes="oidc")
    server.start()
    try:
        created = httpx.post(server.url, json={"query": CREATE_MEMO},
                             headers={"authorization": provider.token("u-7")}, timeout=10)
        assert created.status_code == 200 and created.json()["data"]["createMemo"]["owner"] == "u-7", created.text
        local = subprocess.run([*gqlauth_command(), "token", "--oidc", "--user", "alice", "--project", str(project)],
                               capture_output=True, text=True, timeout=60, check=True).stdout.strip()
        assert httpx.post(server.url, json={"query": CREATE_MEMO}, headers={"authorization": local},
                          timeout=10).status_code == 401
        base = server.url.removesuffix("/graphql")
        assert httpx.post(f"{base}/dev/oidc-token", json={"user": "alice"}, timeout=10).status_code == 404
    finally:
        server.stop()
    assert f"tokens of {provider.issuer}" in server.output()
