"""The HTTP surface: AppSync's error shapes and status codes, the explorer offline, JWKS, dev endpoints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from serve_support import CREATE_POST, GET_POST, LIST_POSTS, Served, serve_blog

from resolvers.server.explorer import EXPLORER_ASSETS


@pytest.fixture()
def served(tmp_path: Path) -> Served:
    return serve_blog(tmp_path)


def test_denied_operation_is_200_with_null_data_and_appsync_error(served: Served) -> None:
    status, body = served.call(CREATE_POST, {"input": {"title": "x"}}, api_key=served.api_key)
    assert status == 200
    assert body["data"] == {"createPost": None}
    (error,) = body["errors"]
    assert error["errorType"] == "Unauthorized"
    assert error["message"] == "Not Authorized to access createPost on type Mutation"
    assert error["path"] == ["createPost"]
    assert error["data"] is None and error["errorInfo"] is None
    assert error["locations"] == [{"line": 1, "column": 40, "sourceName": None}]


@pytest.mark.parametrize("headers", [{}, {"authorization": "junk"}, {"x-api-key": "da2-wrong"},
                                     {"authorization": "Bearer a.b.c"}])
def test_bad_or_missing_credentials_are_401_unauthorized_exception(served: Served, headers: dict[str, str]) -> None:
    response = served.client.post("/graphql", json={"query": "{ listPosts { items { id } } }"}, headers=headers)
    assert response.status_code == 401
    assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert response.json()["errors"][0]["errorType"] == "UnauthorizedException"


def test_create_fills_defaults_and_reads_owner_back(served: Served) -> None:
    status, body = served.call(CREATE_POST, {"input": {"title": "hello"}}, token=served.token("alice"))
    assert status == 200 and "errors" not in body
    post = body["data"]["createPost"]
    assert post["owner"] == "alice"
    stored = served.store.get("Post", {"id": post["id"]})
    assert re.fullmatch(r"[0-9a-f-]{36}", post["id"])
    assert stored["owner"].endswith("::alice") and stored["owner"] != "alice"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stored["createdAt"])
    assert stored["createdAt"] == stored["updatedAt"]


def test_update_condition_failure_is_dynamodb_conditional_check(served: Served) -> None:
    alice = served.token("alice")
    served.call(CREATE_POST, {"input": {"id": "p1", "title": "t"}}, token=alice)
    update = "mutation U($c: ModelPostConditionInput) { updatePost(input: {id: \"p1\", title: \"u\"}, condition: $c) { title } }"
    status, body = served.call(update, {"c": {"title": {"eq": "other"}}}, token=alice)
    assert status == 200
    assert body["errors"][0]["errorType"] == "DynamoDB:ConditionalCheckFailedException"
    assert served.store.get("Post", {"id": "p1"})["title"] == "t"
    status, body = served.call(update, {"c": {"title": {"eq": "t"}}}, token=alice)
    assert body["data"]["updatePost"]["title"] == "u"
    status, body = served.call(CREATE_POST, {"input": {"id": "p1", "title": "again"}}, token=alice)
    assert body["errors"][0]["errorType"] == "DynamoDB:ConditionalCheckFailedException"


def test_list_pages_are_filled_with_visible_items(served: Served) -> None:
    alice, bob = served.token("alice"), served.token("bob")
    served.store.reset([{"__typename": "Post", "id": f"p{i:02d}", "title": "t",
                         "owner": "s::alice" if i % 5 == 0 else "s::bob"} for i in range(40)])
    status, body = served.call(LIST_POSTS, {"filter": {"owner": {"eq": "s::alice"}}, "limit": 3}, token=bob)
    page = body["data"]["listPosts"]
    assert [p["id"] for p in page["items"]] == ["p00", "p05", "p10"]
    assert page["nextToken"]
    status, body = served.call(LIST_POSTS, {"filter": {"owner": {"eq": "s::alice"}}, "limit": 10,
                                            "nextToken": page["nextToken"]}, token=bob)
    assert [p["id"] for p in body["data"]["listPosts"]["items"]] == ["p15", "p20", "p25", "p30", "p35"]
    assert body["data"]["listPosts"]["nextToken"] is None
    status, body = served.call(LIST_POSTS, {"nextToken": "bm9wZQ"}, token=alice)
    assert status == 200 and body["errors"][0]["errorType"] == "DynamoDB:DynamoDbException"


@pytest.mark.parametrize(
    ("content", "status"),
    [(b"{", 400), (b"[]", 400), (b'{"query": 5}', 400), (b'{"query": "{ nope }"}', 200),
     (b'{"query": "query {"}', 200), (b'{"query": "{ getPost(id: 5) { id } }", "variables": "x"}', 200)],
)
def test_client_mistakes_are_never_5xx(served: Served, content: bytes, status: int) -> None:
    response = served.client.post("/graphql", content=content, headers={"authorization": served.token("alice")})
    assert response.status_code == status
    assert response.json()["errors"]


def test_get_missing_is_null(served: Served) -> None:
    status, body = served.call(GET_POST, {"id": "nope"}, token=served.token("bob"))
    assert body == {"data": {"getPost": None}}


def test_root_fields_the_transform_did_not_generate_are_denied(tmp_path: Path) -> None:
    from serve_support import serve_schema

    served = serve_schema(tmp_path, "type Query { secret: String }\n"
                          "type Item @model @auth(rules: [{allow: private}]) { id: ID! }")
    status, body = served.call("{ secret }", token=served.token("alice"))
    assert status == 200 and body["data"] == {"secret": None}
    assert body["errors"][0]["errorType"] == "Unauthorized"


def test_explorer_is_served_offline(served: Served) -> None:
    page = served.client.get("/")
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert not re.search(r"""(src|href)=["']https?://""", page.text)
    for asset in EXPLORER_ASSETS:
        response = served.client.get(f"/static/{asset}")
        assert response.status_code == 200 and len(response.content) > 1000
        assert f"/static/{asset}" in page.text


def test_jwks_and_dev_endpoints(served: Served) -> None:
    jwks = served.client.get("/.well-known/jwks.json").json()
    assert jwks["keys"][0]["kid"] == served.state.issuer_settings().kid
    assert "d" not in jwks["keys"][0]
    minted = served.client.post("/dev/token", json={"user": "carol", "groups": ["Admins"]}).json()
    status, body = served.call(CREATE_POST, {"input": {"title": "by carol"}}, token=minted["token"])
    assert body["data"]["createPost"]["owner"] == "carol"
    identities = served.client.get("/dev/identities").json()
    assert identities["apiKey"] == served.api_key and "Admins" in identities["groups"]
    assert served.client.post("/dev/token", json={"user": ""}).status_code == 400


def test_dev_endpoints_refuse_remote_callers(served: Served) -> None:
    from starlette.testclient import TestClient

    remote = TestClient(served.app, client=("203.0.113.9", 5000))
    assert remote.post("/dev/token", json={"user": "mallory", "groups": ["Admins"]}).status_code == 403
    assert remote.get("/dev/identities").status_code == 403
    local = TestClient(served.app, base_url="http://127.0.0.1:20002", client=("127.0.0.1", 5000))
    assert local.get("/dev/identities").status_code == 200
    assert local.get("/dev/identities", headers={"origin": "http://127.0.0.1:20002"}).status_code == 200
    other_site = local.post("/dev/token", json={"user": "m"}, headers={"origin": "https://evil.example"})
    assert other_site.status_code == 403
    rebound = TestClient(served.app, base_url="http://evil.example:20002", client=("127.0.0.1", 5000))
    assert rebound.get("/dev/identities").status_code == 403


def test_cors_lets_a_local_frontend_call_the_api(served: Served) -> None:
    preflight = served.client.options("/graphql", headers={
        "origin": "http://localhost:3000", "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,x-api-key"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "http://localhost:3000")
    response = served.client.post("/graphql", json={"query": "{ listPosts { items { id } } }"},
                                  headers={"origin": "http://localhost:3000"})
    assert response.status_code == 401
    assert "x-amzn-errortype" in response.headers.get("access-control-expose-headers", "").lower()
