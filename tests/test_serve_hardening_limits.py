"""Bounded work per request: AppSync's query depth and resolver count settings, its 5 MB response
limit, DynamoDB's 1 MB page under any `limit`, and malformed or absurdly nested bodies answered 400."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import parse
from serve_support import Served, serve_blog
from starlette.testclient import TestClient

from resolvers.limits import (
    LIMIT_ERROR_TYPE,
    MAX_RESPONSE_BYTES,
    ApiLimits,
    project_limits,
    query_depth,
)
from resolvers.server.app import create_app
from resolvers.store import PAGE_BYTES


def _posts(count: int, size: int) -> list[dict[str, Any]]:
    return [{"__typename": "Post", "id": f"p{i:05d}", "title": "t", "owner": "alice", "content": "x" * size}
            for i in range(count)]


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return serve_blog(tmp_path_factory.mktemp("limits"))


def _with_limits(served: Served, limits: ApiLimits) -> None:
    core = served.app.state.core
    core.limits = limits
    core.documents.limits = limits
    core.documents._validated.clear()


def _post(served: Served, body: bytes) -> tuple[int, Any]:
    response = served.client.post("/graphql", content=body,
                                  headers={"content-type": "application/json", "x-api-key": served.api_key})
    return response.status_code, response.json()


def test_a_100000_deep_json_body_is_a_400(blog: Served) -> None:
    for body in (b"[" * 100_000 + b"]" * 100_000,
                 b'{"query": "{ listPosts { items { id } } }", "variables": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"):
        status, answer = _post(blog, body)
        assert status == 400, answer
        assert answer["errors"][0]["errorType"] in ("MalformedHttpRequestException", "BadRequestException")


def test_a_100000_deep_query_is_refused_not_a_500(blog: Served) -> None:
    query = "{ listPosts " + "{ items " * 50_000 + "}" * 50_000 + "}"
    status, answer = _post(blog, json.dumps({"query": query}).encode())
    assert status == 200, answer
    assert answer["errors"][0]["errorType"] == "ValidationError" and "nested too deeply" in answer["errors"][0]["message"]


def test_query_depth_limit(blog: Served) -> None:
    document = parse("query Q { listPosts { items { id ...F } } } fragment F on Post { title }")
    assert query_depth(document) == 3
    _with_limits(blog, ApiLimits(query_depth_limit=2))
    try:
        status, answer = _post(blog, json.dumps({"query": "{ listPosts { items { id } } }"}).encode())
        assert status == 200 and answer.get("data") is None
        assert answer["errors"][0]["errorType"] == LIMIT_ERROR_TYPE
        assert "depth limit of 2" in answer["errors"][0]["message"]
        _status, answer = _post(blog, json.dumps({"query": "{ getPost(id: \"x\") { id } }"}).encode())
        assert "errors" not in answer or not answer["errors"], answer
    finally:
        _with_limits(blog, ApiLimits())


def test_resolver_count_limit(blog: Served) -> None:
    blog.store.reset(_posts(1, 10))
    _with_limits(blog, ApiLimits(resolver_count_limit=3))
    try:
        aliases = " ".join(f'g{i}: getPost(id: "p00000") {{ id }}' for i in range(5))
        _status, answer = _post(blog, json.dumps({"query": "{ " + aliases + " }"}).encode())
        assert answer["data"] is None
        (error,) = answer["errors"]
        assert error["errorType"] == LIMIT_ERROR_TYPE and "Resolver count limit of 3" in error["message"]
        three = " ".join(f'g{i}: getPost(id: "p00000") {{ id }}' for i in range(3))
        _status, answer = _post(blog, json.dumps({"query": "{ " + three + " }"}).encode())
        assert answer["data"] == {f"g{i}": {"id": "p00000"} for i in range(3)}, answer
    finally:
        _with_limits(blog, ApiLimits())


@pytest.fixture(scope="module")
def vtl_blog(tmp_path_factory: pytest.TempPathFactory) -> Served:
    """The blog served through the emitted templates (`serve --engine vtl`)."""
    served = serve_blog(tmp_path_factory.mktemp("limits-vtl"))
    app = create_app(served.project, served.store, served.authenticator, state=served.state, engine="vtl")
    return Served(served.project, served.state, served.store, served.authenticator, app,
                  TestClient(app, base_url="http://127.0.0.1:20002"))


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_abusive_aliases_stop_at_the_response_size_limit(request: pytest.FixtureRequest, engine: str) -> None:
    blog: Served = request.getfixturevalue("blog" if engine == "python" else "vtl_blog")
    blog.store.reset(_posts(1000, 200))
    calls = 0
    original = blog.store.query

    def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(*args, **kwargs)

    blog.store.query = counted  # type: ignore[method-assign]
    try:
        aliases = " ".join(f"a{i}: listPosts(limit: 1000) {{ items {{ id title content }} }}" for i in range(1000))
        response = blog.client.post("/graphql", json={"query": "{ " + aliases + " }"},
                                    headers={"x-api-key": blog.api_key})
    finally:
        blog.store.query = original  # type: ignore[method-assign]
    assert response.status_code == 200
    assert len(response.content) <= MAX_RESPONSE_BYTES
    answer = response.json()
    assert answer["data"] is None
    assert [e["errorType"] for e in answer["errors"]] == [LIMIT_ERROR_TYPE]
    assert calls < 40, calls


def test_a_page_stops_after_one_megabyte_whatever_the_limit(blog: Served) -> None:
    blog.store.reset(_posts(30, 100_000))
    query = "query L($t: String) { listPosts(limit: 1000, nextToken: $t) { items { id } nextToken } }"
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        _status, answer = _post(blog, json.dumps({"query": query, "variables": {"t": token}}).encode())
        page = answer["data"]["listPosts"]
        assert len(page["items"]) * 100_000 <= PAGE_BYTES + 100_000
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        token = page["nextToken"]
        if token is None:
            break
    assert pages >= 3
    assert sorted(seen) == [f"p{i:05d}" for i in range(30)]


def test_a_limit_below_one_is_refused(blog: Served) -> None:
    _status, answer = _post(blog, json.dumps({"query": "{ listPosts(limit: 0) { items { id } } }"}).encode())
    assert answer["errors"] and answer["data"]["listPosts"] is None


def test_settings_are_read_from_the_apis_override(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    api = tmp_path / "amplify" / "backend" / "api" / "blog"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text("type A @model { id: ID! }")
    (api / "override.ts").write_text(
        "export function override(resources: AmplifyApiGraphQlResourceStackTemplate) {\n"
        "  resources.graphqlApi.queryDepthLimit = 7;\n  resources.graphqlApi.resolverCountLimit = 200;\n}\n"
    )
    limits, source = project_limits(api / "schema.graphql")
    assert (limits.query_depth_limit, limits.resolvers) == (7, 200)
    assert source == str(api / "override.ts")
    plain = tmp_path_factory.mktemp("plain")
    (plain / "schema.graphql").write_text("type A @model { id: ID! }")
    assert project_limits(plain / "schema.graphql") == (ApiLimits(), None)


def test_an_api_never_takes_another_apis_settings(tmp_path: Path) -> None:
    """Two APIs in one project: the settings of one are not the other's, nor the project root's."""
    apis = tmp_path / "amplify" / "backend" / "api"
    for name in ("blog", "shop"):
        (apis / name).mkdir(parents=True)
        (apis / name / "schema.graphql").write_text("type A @model { id: ID! }")
    (apis / "blog" / "override.ts").write_text(
        "export function override(resources: AmplifyApiGraphQlResourceStackTemplate) {\n"
        "  resources.graphqlApi.queryDepthLimit = 7;\n}\n"
    )
    assert project_limits(apis / "blog" / "schema.graphql")[0].query_depth_limit == 7
    assert project_limits(apis / "shop" / "schema.graphql") == (ApiLimits(), None)
    assert project_limits(tmp_path) == (ApiLimits(), None)
