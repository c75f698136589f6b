"""The explorer's helper routes, without a browser: the modes it offers, why a request was denied, the store
reset, IAM credentials it signs with, tokens of the local OIDC provider, the credential-free schema query,
and that all of them stay closed to other machines, to other sites, and when the dev endpoints are off."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from serve_support import CREATE_POST, ServerProcess, blog_project, free_port, gqlauth_command, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_oidc import LOCAL_OIDC_ISSUER, local_oidc_verifier
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.server.explorer_endpoints import is_introspection, is_loopback_host
from resolvers.store import Store
from transformer.project import Project, load_project
from transformer.rules import Provider

BASE = "http://127.0.0.1:20002"
UPDATE = 'mutation { updatePost(input: {id: "p1", title: "mine now"}) { id title } }'
INTROSPECTION = "query IntrospectionQuery { __schema { queryType { name } types { name } } }"
MEMO_SCHEMA = """
type Memo @model @auth(rules: [
  {allow: owner, provider: oidc, identityClaim: "sub"},
  {allow: groups, provider: oidc, groups: ["Admins"], groupClaim: "roles"}
]) {
  id: ID!
  text: String
}
"""
CREATE_MEMO = 'mutation { createMemo(input: {id: "m1", text: "hi"}) { id owner } }'
GET_MEMO = 'query { getMemo(id: "m1") { id text } }'


class Local:
    """One project served in-process, with the explorer's options."""

    def __init__(self, directory: Path, project: Project, *, dev_endpoints: bool = True, oidc: bool = False,
                 engine: str = "python") -> None:
        shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
        self.state = LocalState.open(directory)
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        authenticator = Authenticator(self.state, self.state.environment(),
                                      [m.value for m in project.matrix.auth_modes],
                                      oidc_verifier=local_oidc_verifier(self.state) if oidc else None)
        self.app = create_app(project, self.store, authenticator, state=self.state, explain=True,
                              request_log=lambda _line: None, dev_endpoints=dev_endpoints, engine=engine)
        self.client = TestClient(self.app, base_url=BASE)

    def token(self, user: str, groups: list[str] | None = None) -> str:
        answer = self.client.post("/dev/token", json={"user": user, "groups": groups or []})
        assert answer.status_code == 200, answer.text
        return str(answer.json()["token"])

    def graphql(self, query: str, headers: dict[str, str], variables: dict[str, Any] | None = None) -> Any:
        return self.client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    directory, project = blog_project(tmp_path_factory.mktemp("routes"),
                                      [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    yield Local(directory, project)


@pytest.fixture(scope="module")
def memos(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    directory = tmp_path_factory.mktemp("memos") / "project"
    directory.mkdir()
    (directory / "schema.graphql").write_text(MEMO_SCHEMA)
    project, diagnostics = load_project(directory, auth_modes=[Provider.OIDC])
    assert project is not None, diagnostics
    yield Local(directory, project, oidc=True)


def _denied_update(blog: Local, headers: dict[str, str]) -> dict[str, Any]:
    blog.store.reset()
    created = blog.graphql(CREATE_POST, {"authorization": blog.token("alice")},
                           {"input": {"id": "p1", "title": "alice's"}})
    assert created.json()["data"]["createPost"]["owner"] == "alice"
    answer = blog.graphql(UPDATE, {"authorization": blog.token("bob", ["Viewers"]), **headers})
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    assert body["data"]["updatePost"] is None and body["errors"][0]["errorType"] == "Unauthorized"
    return body


def test_the_modes_offered_are_the_apis_own_default_first(blog: Local, memos: Local) -> None:
    identities = blog.client.get("/dev/identities").json()
    assert identities["authModes"] == ["userPools", "apiKey", "iam"]
    assert identities["apiKey"] == blog.state.dev_api_key().key and "Admins" in identities["groups"]
    only_oidc = memos.client.get("/dev/identities").json()
    assert only_oidc["authModes"] == ["oidc"] and only_oidc["apiKey"] is None


def test_a_denial_carries_every_rule_tried_and_why_beside_the_error(blog: Local) -> None:
    body = _denied_update(blog, {"x-gqlauth-explain": "1"})
    explained = body["extensions"]["gqlauth"]
    assert explained["identity"].startswith("bob (userPools")
    [decision] = [d for d in explained["decisions"] if d["operation"] == "Mutation.updatePost"]
    assert decision["allowed"] is False
    reasons = {r["role"]: r for r in decision["reasons"]}
    assert not any(r["granted"] for r in reasons.values())
    assert "not in group Admins" in reasons["userPools:staticGroup:Admins:cognito:groups"]["detail"]
    owner = reasons["userPools:owner:owner:sub::username"]["detail"]
    assert "alice" in owner and "bob" in owner


def test_the_vtl_engine_denial_is_explained_from_the_request_and_the_stored_record(tmp_path: Path) -> None:
    """`serve --engine vtl` runs the templates, not the guards: the reasons come from explain's `decide`."""
    directory, project = blog_project(tmp_path, [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    vtl = Local(directory, project, engine="vtl")
    body = _denied_update(vtl, {"x-gqlauth-explain": "1"})
    [decision] = body["extensions"]["gqlauth"]["decisions"]
    assert decision["operation"] == "Mutation.updatePost" and decision["allowed"] is False
    reasons = {r["role"]: r["detail"] for r in decision["reasons"]}
    assert "record owner is alice's, you are bob" in reasons["userPools:owner:owner:sub::username"]
    aliased = vtl.graphql("mutation U($id: ID!) { mine: updatePost(input: {id: $id, title: \"x\"}) { id } }",
                          {"authorization": vtl.token("bob"), "x-gqlauth-explain": "1"}, {"id": "p1"}).json()
    assert [d["operation"] for d in aliased["extensions"]["gqlauth"]["decisions"]] == ["Mutation.updatePost"]
    allowed = vtl.graphql(UPDATE, {"authorization": vtl.token("alice"), "x-gqlauth-explain": "1"}).json()
    assert allowed["data"]["updatePost"]["title"] == "mine now" and allowed["extensions"]["gqlauth"]["decisions"] == []


def test_dev_explain_decides_a_subscription_without_running_it(blog: Local) -> None:
    """What the explorer shows for a subscription: events carry no explanation, so it asks for the decision."""
    subscription = json.dumps({"query": "subscription S($owner: String) { onUpdatePost(owner: $owner) { id } }",
                               "variables": {"owner": "alice"}})
    guest = blog.client.post("/dev/credentials", json={"guest": True}).json()
    as_guest = blog.client.post("/dev/explain", content=subscription, headers=_signed(guest, subscription)).json()
    assert as_guest["identity"].startswith("iam (")
    [decision] = as_guest["decisions"]
    assert decision["operation"] == "Subscription.onUpdatePost" and decision["allowed"] is False
    assert {r["role"] for r in decision["reasons"]} >= {"userPools:owner:owner:sub::username", "apiKey:public"}
    assert not any(r["granted"] for r in decision["reasons"])
    as_bob = blog.client.post("/dev/explain", content=subscription, headers={"authorization": blog.token("bob")}).json()
    assert as_bob["identity"].startswith("bob (userPools") and as_bob["decisions"][0]["allowed"] is True
    assert "userPools:private" in as_bob["decisions"][0]["grantedBy"]
    with_key = blog.client.post("/dev/explain", json={"query": "query { listPosts { items { id } } }"},
                                headers={"x-api-key": blog.state.dev_api_key().key}).json()
    assert with_key["decisions"] == [{"operation": "Query.listPosts", "allowed": True, "grantedBy": ["apiKey:public"]}]
    assert blog.client.post("/dev/explain", json={"query": "{ listPosts { items { id } } }"},
                            headers={"authorization": "not-a-token"}).status_code == 401
    assert blog.client.post("/dev/explain", content=b"[1]", headers={"x-api-key": blog.state.dev_api_key().key},
                            ).status_code == 400


def test_the_vtl_engine_explains_a_field_the_result_nulled_from_its_stored_record(tmp_path: Path) -> None:
    directory, project = blog_project(tmp_path, [Provider.USER_POOLS, Provider.API_KEY])
    vtl = Local(directory, project, engine="vtl")
    created = vtl.graphql(CREATE_POST, {"authorization": vtl.token("alice", ["Admins"])},
                          {"input": {"id": "p1", "title": "t", "internalNotes": "secret"}}).json()
    assert created["data"]["createPost"]["owner"] == "alice"
    query = ('query { p: getPost(id: "p1") { ...F } all: listPosts { items { id internalNotes } } } '
             "fragment F on Post { id notes: internalNotes }")
    body = vtl.graphql(query, {"authorization": vtl.token("bob"), "x-gqlauth-explain": "1"}).json()
    assert sorted(e["path"][-1] for e in body["errors"]) == ["internalNotes", "notes"]
    [decision] = body["extensions"]["gqlauth"]["decisions"]
    assert decision["operation"] == "Post.internalNotes" and decision["allowed"] is False
    reasons = {r["role"]: r["detail"] for r in decision["reasons"]}
    assert reasons["userPools:owner:owner:sub::username"] == "record owner is alice's, you are bob"
    assert "not in group Admins" in reasons["userPools:staticGroup:Admins:cognito:groups"]


def test_explanations_are_only_for_the_explorer_on_this_machine(blog: Local) -> None:
    assert "extensions" not in _denied_update(blog, {})
    assert "extensions" not in _denied_update(blog, {"x-gqlauth-explain": "1", "origin": "https://evil.example"})
    remote = TestClient(blog.app, base_url=BASE, client=("203.0.113.9", 5000))
    blog.store.reset()
    answer = remote.post("/graphql", json={"query": UPDATE},
                         headers={"authorization": blog.token("bob"), "x-gqlauth-explain": "1"})
    assert "extensions" not in answer.json()


def test_reset_empties_the_store_for_a_local_caller_only(blog: Local) -> None:
    blog.store.reset([{"__typename": "Post", "id": "x", "title": "t", "owner": "alice"}])
    assert blog.client.post("/dev/reset", headers={"origin": "https://evil.example"}).status_code == 403
    remote = TestClient(blog.app, base_url=BASE, client=("203.0.113.9", 5000))
    assert remote.post("/dev/reset").status_code == 403
    assert len(blog.store.dump()) == 1
    assert blog.client.post("/dev/reset", headers={"origin": BASE}).json() == {"reset": True}
    assert blog.store.dump() == []


def _signed(credentials: dict[str, Any], body: str) -> dict[str, str]:
    request = AWSRequest(method="POST", url=f"{BASE}/graphql", data=body.encode(),
                         headers={"content-type": "application/json"})
    SigV4Auth(Credentials(credentials["accessKeyId"], credentials["secretAccessKey"], credentials["sessionToken"]),
              "appsync", credentials["region"]).add_auth(request)
    return dict(request.headers.items())


def test_iam_credentials_for_a_guest_or_a_user_sign_requests_the_server_accepts(blog: Local) -> None:
    guest = blog.client.post("/dev/credentials", json={"guest": True}).json()
    user = blog.client.post("/dev/credentials", json={"user": "alice", "groups": ["Admins"]}).json()
    assert guest["roleArn"] != user["roleArn"]
    body = '{"query": "query { listPosts { items { id } } }"}'
    for credentials in (guest, user):
        answer = blog.client.post("/graphql", content=body, headers=_signed(credentials, body))
        assert answer.status_code == 200, answer.text  # signature verified; the blog's rules give IAM nothing
        assert answer.json()["errors"][0]["errorType"] == "Unauthorized"
    forged = _signed({**user, "secretAccessKey": "x" * 40}, body)
    assert blog.client.post("/graphql", content=body, headers=forged).status_code == 401
    assert blog.client.post("/dev/credentials", json={"user": ""}).status_code == 400
    assert blog.client.post("/dev/credentials", json={"guest": True},
                            headers={"origin": "https://evil.example"}).status_code == 403


def test_the_local_oidc_provider_signs_in_users_and_groups_by_the_rules_group_claim(memos: Local) -> None:
    memos.store.reset()
    minted = memos.client.post("/dev/oidc-token", json={"user": "alice"}).json()
    assert minted["issuer"] == LOCAL_OIDC_ISSUER
    created = memos.graphql(CREATE_MEMO, {"authorization": minted["token"]}).json()
    assert created["data"]["createMemo"]["owner"], created
    bob = memos.client.post("/dev/oidc-token", json={"user": "bob"}).json()["token"]
    denied = memos.graphql(GET_MEMO, {"authorization": bob, "x-gqlauth-explain": "1"}).json()
    assert denied["data"]["getMemo"] is None and denied["errors"][0]["errorType"] == "Unauthorized"
    assert denied["extensions"]["gqlauth"]["identity"].startswith("bob (oidc")
    admin = memos.client.post("/dev/oidc-token", json={"user": "carol", "groups": "Admins"}).json()["token"]
    assert memos.graphql(GET_MEMO, {"authorization": admin}).json()["data"]["getMemo"]["text"] == "hi"


def test_oidc_and_user_pool_tokens_are_not_interchangeable(blog: Local, memos: Local) -> None:
    pool_token = blog.token("alice")
    assert memos.graphql(GET_MEMO, {"authorization": pool_token}).status_code == 401
    assert blog.client.post("/dev/oidc-token", json={"user": "alice"}).status_code == 404


def test_introspection_is_answered_without_credentials_and_nothing_else_is(blog: Local) -> None:
    answer = blog.client.post("/dev/introspection", json={"query": INTROSPECTION, "operationName": "IntrospectionQuery"})
    assert answer.status_code == 200 and answer.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    for query in ("query { listPosts { items { id title } } }",
                  "query { __schema { queryType { name } } listPosts { items { id } } }",
                  'mutation { createPost(input: {title: "x"}) { id } }', "not graphql"):
        assert blog.client.post("/dev/introspection", json={"query": query}).status_code == 400
    assert is_introspection(INTROSPECTION, None) and not is_introspection(INTROSPECTION, "Other")


@pytest.mark.parametrize("method,path,payload", [
    ("POST", "/dev/token", {"user": "mallory", "groups": ["Admins"]}),
    ("POST", "/dev/credentials", {"guest": True}),
    ("POST", "/dev/oidc-token", {"user": "mallory"}),
    ("POST", "/dev/introspection", {"query": INTROSPECTION}),
    ("POST", "/dev/reset", {}),
    ("POST", "/dev/explain", {"query": "query { listPosts { items { id } } }"}),
    ("GET", "/dev/identities", None),
])
def test_every_helper_is_refused_to_another_machine(blog: Local, method: str, path: str, payload: Any) -> None:
    remote = TestClient(blog.app, base_url=BASE, client=("203.0.113.9", 5000))
    assert remote.request(method, path, json=payload).status_code == 403
    rebound = TestClient(blog.app, base_url="http://evil.example:20002", client=("127.0.0.1", 5000))
    assert rebound.request(method, path, json=payload).status_code == 403


def test_with_the_dev_endpoints_off_every_helper_and_explanation_is_refused(tmp_path: Path) -> None:
    directory, project = blog_project(tmp_path, [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    closed = Local(directory, project, dev_endpoints=False)
    for method, path, payload in [("POST", "/dev/token", {"user": "a"}), ("POST", "/dev/credentials", {"guest": True}),
                                  ("POST", "/dev/oidc-token", {"user": "a"}),
                                  ("POST", "/dev/introspection", {"query": INTROSPECTION}),
                                  ("POST", "/dev/reset", {}), ("GET", "/dev/identities", None),
                                  ("POST", "/dev/explain", {"query": "query { listPosts { items { id } } }"})]:
        assert closed.client.request(method, path, json=payload).status_code == 403, path
    answer = closed.graphql("query { listPosts { items { id } } }",
                            {"x-api-key": closed.state.dev_api_key().key, "x-gqlauth-explain": "1"})
    assert answer.status_code == 200 and "extensions" not in answer.json()
    assert closed.client.get("/").status_code == 200  # the page itself still works with pasted credentials


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
                                           ("127.0.0.2", True), ("0.0.0.0", False), ("::", False),
                                           ("192.168.1.20", False), ("my-laptop.local", False)])
def test_serve_keeps_its_dev_endpoints_on_loopback_hosts_only(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback



def test_serve_starts_an_oidc_api_and_closes_the_helpers_on_an_open_host(tmp_path: Path) -> None:
    """`gqlauth serve` for an OIDC-only API on 0.0.0.0: `gqlauth token --oidc` signs in, minting over HTTP is off."""
    project = tmp_path / "memos"
    project.mkdir()
    (project / "schema.graphql").write_text(MEMO_SCHEMA)
    shutil.copytree(template_state(), project / ".gqlauth", dirs_exist_ok=True)
    server = ServerProcess(project, free_port(), ("--host", "0.0.0.0", "--db", ":memory:", "--no-reload",
                                                  "--no-frontend-config"), auth_modes="oidc")
    server.start()
    try:
        minted = subprocess.run([*gqlauth_command(), "token", "--oidc", "--user", "alice", "--project", str(project)],
                                capture_output=True, text=True, timeout=60, check=True)
        created = httpx.post(server.url, json={"query": CREATE_MEMO},
                             headers={"authorization": minted.stdout.strip()}, timeout=10)
        assert created.status_code == 200 and created.json()["data"]["createMemo"]["id"] == "m1", created.text
        base = server.url.removesuffix("/graphql")
        assert httpx.post(f"{base}/dev/oidc-token", json={"user": "alice"}, timeout=10).status_code == 403
        assert httpx.post(f"{base}/dev/reset", timeout=10).status_code == 403
    finally:
        server.stop()
    output = server.output()
    assert "gqlauth token --oidc" in output and "--allow-dev-endpoints" in output


def test_allow_dev_endpoints_keeps_the_helpers_on_an_open_host(tmp_path: Path) -> None:
    project = tmp_path / "memos"
    project.mkdir()
    (project / "schema.graphql").write_text(MEMO_SCHEMA)
    shutil.copytree(template_state(), project / ".gqlauth", dirs_exist_ok=True)
    server = ServerProcess(project, free_port(), ("--host", "0.0.0.0", "--allow-dev-endpoints", "--db", ":memory:",
                                                  "--no-reload", "--no-frontend-config"), auth_modes="oidc")
    server.start()
    try:
        base = server.url.removesuffix("/graphql")
        minted = httpx.post(f"{base}/dev/oidc-token", json={"user": "alice"}, timeout=10)
        assert minted.status_code == 200
        created = httpx.post(server.url, json={"query": CREATE_MEMO},
                             headers={"authorization": minted.json()["token"]}, timeout=10)
        assert created.json()["data"]["createMemo"]["id"] == "m1"
    finally:
        server.stop()
    assert "not a loopback address" not in server.output()
