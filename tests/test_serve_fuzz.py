"""Whatever a client sends, the answer is never a server error (5xx)."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from serve_support import Served, serve_blog


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return serve_blog(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def credentials(served: Served) -> dict[str, dict[str, str]]:
    return {"key": {"x-api-key": served.api_key},
            "admin": {"authorization": served.token("ann", ["Admins"])},
            "alice": {"authorization": served.token("alice")}}


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
operations = st.sampled_from([
    "query Q($v: ID!) { getPost(id: $v) { id title owner internalNotes } }",
    "query Q($v: ModelPostFilterInput) { listPosts(filter: $v, limit: 5) { items { id } nextToken } }",
    "query Q($v: String) { listPosts(nextToken: $v) { items { id } } }",
    "query Q($v: Int) { listPosts(limit: $v) { items { id } } }",
    "mutation Q($v: CreatePostInput!) { createPost(input: $v) { id owner internalNotes } }",
    "mutation Q($v: UpdatePostInput!) { updatePost(input: $v) { id } }",
    "mutation Q($v: ModelPostConditionInput) { updatePost(input: {id: \"p1\"}, condition: $v) { id } }",
    "mutation Q($v: DeletePostInput!) { deletePost(input: $v) { id } }",
])
filters = st.dictionaries(
    st.sampled_from(["id", "title", "owner", "content", "and", "or", "not"]),
    st.one_of(json_values, st.dictionaries(
        st.sampled_from(["eq", "ne", "lt", "gt", "between", "contains", "beginsWith", "attributeExists",
                         "attributeType", "size", "notContains"]), json_values, max_size=3)),
    max_size=3,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=operations, value=st.one_of(json_values, filters), who=st.sampled_from(["admin", "alice", "key"]))
def test_graphql_requests_never_5xx(served: Served, credentials: dict[str, dict[str, str]], query: str,
                                    value: object, who: str) -> None:
    headers = credentials[who]
    response = served.client.post("/graphql", content=json.dumps({"query": query, "variables": {"v": value}}),
                                  headers=headers)
    assert response.status_code < 500, response.text
    assert "errors" in response.json() or "data" in response.json()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=200), header=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_arbitrary_bodies_and_credentials_never_5xx(served: Served, credentials: dict[str, dict[str, str]],
                                                   body: bytes, header: str) -> None:
    for headers in ({"authorization": header}, {"x-api-key": header}, credentials["alice"]):
        response = served.client.post("/graphql", content=body, headers=headers)
        assert response.status_code < 500, response.text
