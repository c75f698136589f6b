"""AppSync's HTTP conventions that the Amplify library depends on, checked in-process on the blog sample.

The library retries a 5xx three times (a mutation would run three times), so no client mistake may
produce one; refused credentials are 401 + `x-amzn-ErrorType: UnauthorizedException` with AppSync's
body; raw access tokens and ID tokens both work and give the same owner.
"""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from realtime_support import iam_headers

from resolvers.authenticate import Authenticator
from resolvers.issuer import issue_credentials, mint_token, subject_for
from resolvers.local_state import LocalState, now_utc
from resolvers.realtime.serving import prepare_app
from resolvers.server.app import create_app
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

BLOG = Path(__file__).resolve().parents[1] / "samples" / "blog" / "schema.graphql"
URL = "http://127.0.0.1:20002/graphql"
CREATE = "mutation C($input: CreatePostInput!) { createPost(input: $input) { id owner } }"


@pytest.fixture(scope="module")
def state(tmp_path_factory: pytest.TempPathFactory) -> LocalState:
    return LocalState.open(tmp_path_factory.mktemp("blog"))


@pytest.fixture(scope="module")
def app(state: LocalState) -> Any:
    project, diagnostics = load_project(BLOG, auth_modes=[Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    assert project is not None, diagnostics
    authenticator = Authenticator(state, state.environment(), ["userPools", "apiKey", "iam"])
    return create_app(project, Store.for_matrix(project.matrix), authenticator, state=state)


def _post(app: Any, body: bytes | str, headers: dict[str, str]) -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:20002") as client:
            return await client.post("/graphql", content=body, headers=headers)
    return asyncio.run(send())


def _amplify_headers(token: str) -> dict[str, str]:
    return {"content-type": "application/json; charset=UTF-8", "authorization": token,
            "x-amz-user-agent": "aws-amplify/6.22.1 api/1 framework/100"}


MALFORMED: list[tuple[str, bytes]] = [
    ("not json", b"{not json"),
    ("empty body", b""),
    ("json array", b"[]"),
    ("no query", b'{"variables": {}}'),
    ("query not a string", b'{"query": 42}'),
    ("syntax error", b'{"query": "query { listPosts { items { id } "}'),
    ("unknown field", b'{"query": "{ listPosts { items { nope } } }"}'),
    ("variables not an object", b'{"query": "{ listPosts { items { id } } }", "variables": [1]}'),
    ("wrong variable type", json.dumps({"query": CREATE, "variables": {"input": {"title": 5}}}).encode()),
    ("missing required input", json.dumps({"query": CREATE, "variables": {}}).encode()),
    ("unknown operation name", b'{"query": "query A { listPosts { items { id } } }", "operationName": "B"}'),
    ("bad filter", b'{"query": "{ listPosts(filter: {title: {beginsWith: 3}}) { items { id } } }"}'),
    ("bad nextToken", b'{"query": "{ listPosts(nextToken: \\"garbage\\") { items { id } } }"}'),
    ("huge limit", b'{"query": "{ listPosts(limit: 99999999999) { items { id } } }"}'),
    ("invalid utf-8", b'{"query": "\xff\xfe"}'),
]


@pytest.mark.parametrize(("case", "body"), MALFORMED, ids=[case for case, _ in MALFORMED])
def test_client_mistakes_are_never_a_5xx(app: Any, state: LocalState, case: str, body: bytes) -> None:
    response = _post(app, body, _amplify_headers(mint_token(state, user="alice", use="access")))
    assert response.status_code < 500, (case, response.status_code, response.text)
    assert response.status_code in (200, 400, 413), case
    document = response.json()
    assert document.get("errors"), (case, document)


def test_refused_credentials_are_401_with_appsync_error_type_and_body(app: Any, state: LocalState) -> None:
    expired = mint_token(state, user="alice", use="access", expires_in=timedelta(minutes=1),
                         now=now_utc() - timedelta(hours=1))
    for headers in ({"x-api-key": "da2-wrong"}, {"authorization": expired}, {"authorization": "Bearer x.y.z"}, {}):
        response = _post(app, b'{"query": "{ listPosts { items { id } } }"}', headers)
        assert response.status_code == 401, headers
        assert response.headers["x-amzn-errortype"] == "UnauthorizedException"
        assert response.json()["errors"][0]["errorType"] == "UnauthorizedException"


def test_bad_sigv4_is_401_and_the_librarys_signature_verifies(app: Any, state: LocalState) -> None:
    env = state.environment()
    record = issue_credentials(state, env, role_arn=env.group_role_arn("Admins"), authenticated=True,
                               user_sub=subject_for("root"))
    body = '{"query":"{ listPosts { items { id } } }","variables":{}}'
    signed = iam_headers(record, URL, body, "127.0.0.1:20002")
    assert _post(app, body, signed).status_code == 200
    tampered = {**signed, "authorization": signed["authorization"][:-4] + "0000"}
    response = _post(app, body, tampered)
    assert response.status_code == 401 and response.headers["x-amzn-errortype"] == "UnauthorizedException"


def test_raw_access_and_id_tokens_give_the_same_owner(app: Any, state: LocalState) -> None:
    owners = []
    for use in ("access", "id"):
        token = mint_token(state, user="dora", use=use)  # type: ignore[arg-type]
        body = json.dumps({"query": CREATE, "variables": {"input": {"title": use}}})
        response = _post(app, body, _amplify_headers(token))
        assert response.status_code == 200 and "errors" not in response.json(), response.text
        owners.append(response.json()["data"]["createPost"]["owner"])
    assert owners == ["dora", "dora"]


def _request(app: Any, method: str, headers: dict[str, str], body: bytes = b"") -> httpx.Response:
    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:20002") as client:
            return await client.request(method, "/graphql", content=body, headers=headers)
    return asyncio.run(send())


@pytest.fixture(scope="module")
def browser_app(state: LocalState) -> Any:
    project, _ = load_project(BLOG, auth_modes=[Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    assert project is not None
    served = create_app(project, Store.for_matrix(project.matrix),
                        Authenticator(state, state.environment(), ["userPools", "apiKey", "iam"]), state=state)
    prepare_app(served)
    return served


def test_browser_preflight_allows_every_header_the_library_sends(browser_app: Any) -> None:
    requested = "authorization,content-type,x-amz-date,x-amz-security-token,x-amz-user-agent,x-api-key"
    response = _request(browser_app, "OPTIONS", {
        "origin": "http://localhost:5173", "access-control-request-method": "POST",
        "access-control-request-headers": requested})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] in ("*", "http://localhost:5173")
    allowed = {name.strip().lower() for name in response.headers["access-control-allow-headers"].split(",")}
    assert set(requested.split(",")) <= allowed


def test_browser_scripts_can_read_the_error_type_of_a_refusal(browser_app: Any) -> None:
    response = _request(browser_app, "POST", {"origin": "http://localhost:5173", "x-api-key": "da2-wrong",
                                              "content-type": "application/json"},
                        b'{"query": "{ listPosts { items { id } } }"}')
    assert response.status_code == 401
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-amzn-errortype", "date"} <= exposed
