"""`allow: custom` for real: the Lambda authorizer gets AppSync's event, and its answer (isAuthorized,
resolverContext, deniedFields, ttlOverride) decides, cached by token as AppSync caches it."""

from __future__ import annotations

import json
import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_support import template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.identity import AuthenticationError, AuthType
from resolvers.lambda_authorizer import (
    AuthorizerConfigError,
    LambdaAuthorizer,
    MissingAuthorizer,
    RequestContext,
    authorizer_for,
    load_authorizer,
)
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.store import Store, store_layouts
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Post @model @auth(rules: [{allow: custom}]) {
  id: ID!
  title: String
  secret: String
}
"""
SEED = [{"__typename": "Post", "id": "p1", "title": "hello", "secret": "s3"}]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(event: dict[str, Any], _context: Any = None) -> dict[str, Any]:
    """The test authorizer: the token says what to answer."""
    answer.events.append(event)  # type: ignore[attr-defined]
    token = event["authorizationToken"]
    if token == "deny":
        return {"isAuthorized": False}
    if token == "broken":
        raise RuntimeError("boom")
    response: dict[str, Any] = {"isAuthorized": True, "resolverContext": {"tenant": token}}
    if token.startswith("partial"):
        response["deniedFields"] = ["Post.secret", "arn:aws:appsync:us-east-1:1:apis/x/types/Mutation/fields/deletePost"]
    if token.startswith("nocache"):
        response["ttlOverride"] = 0
    return response


answer.events = []  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _authorizer_module() -> Iterator[str]:
    module = types.ModuleType("gqlauth_test_lambda_authorizer")
    module.handler = answer  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    answer.events.clear()  # type: ignore[attr-defined]
    yield module.__name__
    del sys.modules[module.__name__]


@pytest.fixture()
def project_dir(tmp_path: Path) -> Path:
    (tmp_path / "schema.graphql").write_text(SCHEMA)
    shutil.copytree(template_state(), tmp_path / ".gqlauth", dirs_exist_ok=True)
    return tmp_path


def _client(project_dir: Path, authorizer: Any, engine: str = "python") -> TestClient:
    state = LocalState.open(project_dir)
    project, diagnostics = load_project(project_dir, auth_modes=[Provider.FUNCTION, Provider.API_KEY],
                                        environment=state.environment())
    assert project is not None, diagnostics
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    store.reset(SEED)
    authenticator = Authenticator(state, state.environment(), ["function", "apiKey"], lambda_authorizer=authorizer)
    return TestClient(create_app(project, store, authenticator, state=state, engine=engine))


def _post(client: TestClient, token: str, query: str, variables: dict[str, Any] | None = None,
          operation: str | None = None) -> tuple[int, dict[str, Any]]:
    body = {"query": query, "variables": variables or {}, "operationName": operation}
    response = client.post("/graphql", json=body, headers={"authorization": token, "x-custom": "yes"})
    return response.status_code, response.json()


def test_the_authorizer_gets_appsyncs_event(project_dir: Path) -> None:
    client = _client(project_dir, load_authorizer("gqlauth_test_lambda_authorizer:handler", project_dir))
    query = "query Get($id: ID!) { getPost(id: $id) { id title } }"
    status, body = _post(client, "alice-token", query, {"id": "p1"}, "Get")
    assert status == 200 and body["data"]["getPost"] == {"id": "p1", "title": "hello"}, body
    (event,) = answer.events  # type: ignore[attr-defined]
    assert event["authorizationToken"] == "alice-token"
    context = event["requestContext"]
    assert set(context) == {"apiId", "accountId", "requestId", "queryString", "operationName", "variables"}
    assert context["queryString"] == query and context["operationName"] == "Get"
    assert context["variables"] == {"id": "p1"}
    assert event["requestHeaders"]["x-custom"] == "yes"


def test_refusal_and_failure_are_401(project_dir: Path) -> None:
    client = _client(project_dir, load_authorizer("gqlauth_test_lambda_authorizer:handler", project_dir))
    for token in ("deny", "broken"):
        status, body = _post(client, token, '{ getPost(id: "p1") { id } }')
        assert status == 401
        assert body["errors"][0]["errorType"] == "UnauthorizedException"


def test_resolver_context_becomes_the_identity(project_dir: Path) -> None:
    state = LocalState.open(project_dir)
    authenticator = Authenticator(state, state.environment(), ["function"],
                                  lambda_authorizer=load_authorizer("gqlauth_test_lambda_authorizer:handler", project_dir))
    identity = authenticator.authenticate("POST", "/graphql", "", {"authorization": "acme"}, b'{"query": "{ x }"}')
    assert identity.auth_type is AuthType.LAMBDA
    assert identity.to_appsync() == {"resolverContext": {"tenant": "acme"}}


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_denied_fields_are_refused_or_hidden(project_dir: Path, engine: str) -> None:
    client = _client(project_dir, load_authorizer("gqlauth_test_lambda_authorizer:handler", project_dir), engine)
    _status, body = _post(client, "partial-1", '{ getPost(id: "p1") { id title secret } }')
    assert body["data"]["getPost"]["title"] == "hello"
    assert body["data"]["getPost"]["secret"] is None
    _status, body = _post(client, "partial-1", 'mutation { deletePost(input: {id: "p1"}) { id } }')
    assert body["errors"][0]["errorType"] == "Unauthorized"
    _status, body = _post(client, "partial-1", '{ listPosts(filter: {secret: {beginsWith: "s"}}) { items { id } } }')
    assert body["errors"][0]["errorType"] == "Unauthorized" and "secret" in body["errors"][0]["message"]
    _status, body = _post(client, "full-1", '{ getPost(id: "p1") { secret } }')
    assert body["data"]["getPost"]["secret"] == "s3", body


def test_answers_are_cached_by_token_for_the_ttl() -> None:
    clock = Clock()
    authorizer = LambdaAuthorizer(lambda event: answer(event), "test", ttl_seconds=300, clock=clock)
    context = RequestContext(query="{ a }")
    authorizer.authorize("alice", context)
    authorizer.authorize("alice", context)
    assert authorizer.calls == 1
    authorizer.authorize("bob", context)
    assert authorizer.calls == 2
    clock.now += 301
    authorizer.authorize("alice", context)
    assert authorizer.calls == 3
    authorizer.authorize("nocache", context)
    authorizer.authorize("nocache", context)
    assert authorizer.calls == 5
    with pytest.raises(AuthenticationError):
        authorizer.authorize("deny", context)
    with pytest.raises(AuthenticationError):
        authorizer.authorize("deny", context)
    assert authorizer.calls == 6


def test_without_an_authorizer_lambda_requests_are_denied_and_startup_says_how(project_dir: Path) -> None:
    authorizer, line = authorizer_for(project_dir / "schema.graphql", None, has_lambda_mode=True)
    assert isinstance(authorizer, MissingAuthorizer)
    assert line is not None and "--authorizer" in line and "gqlauth.json" in line
    status, body = _post(_client(project_dir, authorizer), "any", '{ getPost(id: "p1") { id } }')
    assert status == 401 and "No Lambda authorizer" in body["errors"][0]["message"]
    assert authorizer_for(project_dir / "schema.graphql", None, has_lambda_mode=False) == (None, None)


def test_python_file_named_in_gqlauth_json(project_dir: Path) -> None:
    (project_dir / "auth.py").write_text(
        "def handler(event, context):\n"
        "    return {'isAuthorized': event['authorizationToken'] == 'letmein', 'resolverContext': {'k': 'v'}}\n"
    )
    (project_dir / "gqlauth.json").write_text(json.dumps({"lambdaAuthorizer": {"handler": "auth.py:handler",
                                                                               "ttlSeconds": 60}}))
    authorizer, line = authorizer_for(project_dir / "schema.graphql", None, has_lambda_mode=True)
    assert isinstance(authorizer, LambdaAuthorizer) and authorizer.ttl_seconds == 60
    assert line is not None and "gqlauth.json" in line
    client = _client(project_dir, authorizer)
    assert _post(client, "letmein", '{ getPost(id: "p1") { id } }')[0] == 200
    assert _post(client, "wrong", '{ getPost(id: "p1") { id } }')[0] == 401


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_function_where_amplify_keeps_it(project_dir: Path) -> None:
    backend = project_dir / "amplify" / "backend"
    api = backend / "api" / "app"
    api.mkdir(parents=True)
    (api / "cli-inputs.json").write_text(json.dumps({"version": 1, "serviceConfiguration": {
        "defaultAuthType": {"mode": "API_KEY"},
        "additionalAuthTypes": [{"mode": "AWS_LAMBDA", "lambdaFunction": "appAuth", "ttlSeconds": "120"}]}}))
    source = backend / "function" / "appAuth" / "src"
    source.mkdir(parents=True)
    (source / "index.js").write_text(
        "exports.handler = async (event) => ({isAuthorized: event.authorizationToken === 'node-ok', "
        "resolverContext: {query: event.requestContext.queryString}, deniedFields: ['Post.secret']});\n"
    )
    authorizer, line = authorizer_for(project_dir, None, has_lambda_mode=True)
    assert isinstance(authorizer, LambdaAuthorizer) and authorizer.ttl_seconds == 120
    assert line is not None and "cli-inputs.json" in line
    client = _client(project_dir, authorizer)
    status, body = _post(client, "node-ok", '{ getPost(id: "p1") { id secret } }')
    assert status == 200 and body["data"]["getPost"] == {"id": "p1", "secret": None}, body
    assert _post(client, "node-no", '{ getPost(id: "p1") { id } }')[0] == 401


def test_bad_authorizer_names_are_usage_errors(project_dir: Path) -> None:
    for spec in ("no_such_module_xyz:handler", "missing.py", "gqlauth_test_lambda_authorizer:nope", "plainname"):
        with pytest.raises(AuthorizerConfigError):
            load_authorizer(spec, project_dir)


def test_workspace_sample_serves_with_every_auth_mode(tmp_path: Path) -> None:
    """`gqlauth serve samples/workspace` starts with its Lambda mode; without an authorizer it says how to
    configure one and denies Lambda requests; with one, Lambda callers read AuditEntry."""
    import httpx
    from serve_support import REPO, ServerProcess, free_port

    project = tmp_path / "workspace"
    shutil.copytree(REPO / "samples" / "workspace", project)
    query = {"query": "{ listAuditEntries { items { id } } }"}
    bare = ServerProcess(project, free_port(), ("--db", ":memory:"), auth_modes="userPools,apiKey,iam,lambda")
    bare.start()
    try:
        response = httpx.post(bare.url, json=query, headers={"authorization": "tenant-token"}, timeout=10)
        assert response.status_code == 401
    finally:
        bare.stop()
    assert "no authorizer configured" in bare.output() and "--authorizer" in bare.output()
    (project / "auth.py").write_text(
        "def handler(event, context):\n"
        "    return {'isAuthorized': event['authorizationToken'] == 'tenant-token'}\n"
    )
    served = ServerProcess(project, free_port(), ("--db", ":memory:", "--authorizer", "auth.py:handler"),
                           auth_modes="userPools,apiKey,iam,lambda")
    served.start()
    try:
        allowed = httpx.post(served.url, json=query, headers={"authorization": "tenant-token"}, timeout=10)
        refused = httpx.post(served.url, json=query, headers={"authorization": "other"}, timeout=10)
    finally:
        served.stop()
    assert allowed.status_code == 200 and allowed.json()["data"]["listAuditEntries"] == {"items": []}, allowed.text
    assert refused.status_code == 401
