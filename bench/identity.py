"""Per-request cost of proving who a request is: token, SigV4 and API-key authentication.

Baselines in the same run: PyJWT's bare RS256 `decode` of the same token (what any JWT check pays)
and botocore signing the same request (the HMAC work a SigV4 check must redo). The ratios show what
our extra checks (kid lookup, token_use, audience, Identity building, canonical-form variants) add.

Run: .venv/bin/python bench/identity.py [ITERATIONS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import jwt
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from resolvers.authenticate import Authenticator
from resolvers.issuer import issue_credentials, mint_token
from resolvers.local_state import LocalState
from transformer.group_roles import authenticated_role_iam_arn

BODY = b'{"query":"query GetPost($id: ID!) { getPost(id: $id) { id title } }","variables":{"id":"p1"}}'


def per_second(action: Callable[[], object], iterations: int) -> float:
    action()
    started = time.perf_counter()
    for _ in range(iterations):
        action()
    return iterations / (time.perf_counter() - started)


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as folder:
        state = LocalState.open(Path(folder))
        env = state.environment()
        auth = Authenticator(state, env, ["userPools", "apiKey", "iam"])
        settings = state.issuer_settings()
        public_key = settings.private_key().public_key()
        token = mint_token(state, user="alice", groups=["Editors"], use="access")
        record = issue_credentials(state, env, role_arn=authenticated_role_iam_arn(env), authenticated=True,
                                   user_sub="s")
        credentials = Credentials(record.access_key_id, record.secret_access_key, record.session_token)

        def sign() -> dict[str, str]:
            request = AWSRequest(method="POST", url="http://127.0.0.1:20002/graphql", data=BODY,
                                 headers={"host": "127.0.0.1:20002", "content-type": "application/json"})
            SigV4Auth(credentials, "appsync", env.region).add_auth(request)
            return dict(request.headers.items())

        signed = sign()
        api_key = {"x-api-key": state.dev_api_key().key}

        rows = [
            ("token (access, RS256)",
             per_second(lambda: auth.authenticate("POST", "/graphql", "", {"authorization": token}, BODY), iterations),
             per_second(lambda: jwt.decode(token, public_key, algorithms=["RS256"]), iterations),
             "PyJWT bare decode"),
            ("SigV4",
             per_second(lambda: auth.authenticate("POST", "/graphql", "", signed, BODY), iterations),
             per_second(sign, iterations),
             "botocore signing"),
            ("API key",
             per_second(lambda: auth.authenticate("POST", "/graphql", "", api_key, BODY), iterations),
             per_second(lambda: api_key["x-api-key"] in {api_key["x-api-key"]}, iterations),
             "set membership"),
        ]
    print(f"{'mode':<24}{'ours/s':>12}{'baseline/s':>14}  ratio  baseline")
    for name, ours, baseline, label in rows:
        print(f"{name:<24}{ours:>12,.0f}{baseline:>14,.0f}  {ours / baseline:5.2f}  {label}")


if __name__ == "__main__":
    main()
