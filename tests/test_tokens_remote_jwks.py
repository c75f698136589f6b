"""Tokens of a real Cognito pool or OIDC provider: keys fetched from a JWKS URL, cached, refetched sparingly."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from resolvers.identity import AuthenticationError
from resolvers.issuer import jwks, mint_token
from resolvers.local_state import LocalState
from resolvers.token_verify import TokenVerifier, parse_jwks


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("project"))


@pytest.fixture()
def jwks_url(state: LocalState) -> Iterator[str]:
    body = json.dumps(jwks(state)).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            status = 200 if self.path == "/pool/.well-known/jwks.json" else 404
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body if status == 200 else b"{}")

        def log_message(self, *_args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/pool/.well-known/jwks.json"
    finally:
        server.shutdown()
        server.server_close()


def test_token_verifies_against_a_jwks_url(state: LocalState, jwks_url: str) -> None:
    verifier = TokenVerifier(issuer=state.environment().issuer, client_id=state.issuer_settings().client_id,
                             jwks_url=jwks_url)
    assert verifier.verify(mint_token(state, user="alice", use="access")).username == "alice"


def test_keys_are_cached_and_unknown_kids_refetch_at_most_once_per_interval(state: LocalState) -> None:
    fetches: list[str] = []
    document = json.dumps(jwks(state)).encode()

    def fetch(url: str) -> bytes:
        fetches.append(url)
        return document

    verifier = TokenVerifier(issuer=state.environment().issuer, client_id=state.issuer_settings().client_id,
                             jwks_url="https://idp.example/jwks.json", fetch=fetch)
    token = mint_token(state, user="alice")
    for _ in range(5):
        verifier.verify(token)
    assert len(fetches) == 1
    forged = token.replace(token.split(".")[0], "eyJhbGciOiJSUzI1NiIsImtpZCI6Im5vcGUifQ")
    for _ in range(5):
        with pytest.raises(AuthenticationError, match="unknown key"):
            verifier.verify(forged)
    assert len(fetches) == 1


def test_unreachable_jwks_refuses_the_token(state: LocalState) -> None:
    def fetch(url: str) -> bytes:
        raise OSError("connection refused")

    verifier = TokenVerifier(issuer=state.environment().issuer, client_id=None,
                             jwks_url="https://idp.example/jwks.json", fetch=fetch)
    with pytest.raises(AuthenticationError, match="could not be fetched"):
        verifier.verify(mint_token(state, user="alice"))


def test_jwks_with_non_rsa_or_non_signing_keys_yields_only_rs256_keys(state: LocalState) -> None:
    (key,) = jwks(state)["keys"]
    document = {"keys": [key, {**key, "kid": "enc", "use": "enc"}, {**key, "kid": "hs", "alg": "HS256"},
                         {"kty": "oct", "kid": "sym", "k": "c2VjcmV0"}, "junk", {**key, "kid": "bad", "n": "!!"}]}
    assert list(parse_jwks(document)) == [key["kid"]]
