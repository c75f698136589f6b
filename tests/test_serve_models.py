"""Generated operations beyond the blog: `@default`, `@index` queries with sort-key conditions,
composite primary keys, and `@hasMany`/`@belongsTo` fields read through the related model's rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from serve_support import Served, serve_schema

from transformer.rules import Provider

SCHEMA = """
type Blog @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) {
  id: ID!
  name: String!
  posts: [Article] @hasMany
  status: String @default(value: "draft")
  rating: Int @default(value: "3")
}
type Article @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"], operations: [read]}]) {
  id: ID!
  title: String!
  blog: Blog @belongsTo
  category: String! @index(name: "byCategory", sortKeyFields: ["title"], queryField: "articlesByCategory")
}
type Tag @model @auth(rules: [{allow: private}]) {
  kind: String! @primaryKey(sortKeyFields: ["name"])
  name: String!
}
"""


@pytest.fixture()
def served(tmp_path: Path) -> Served:
    return serve_schema(tmp_path, SCHEMA, [Provider.USER_POOLS])


def _ok(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200 and "errors" not in body, body
    return body["data"]


def test_defaults_are_applied_on_create(served: Served) -> None:
    data = _ok(served.call("mutation { createBlog(input: {name: \"b\"}) { id status rating } }",
                           token=served.token("alice")))
    assert data["createBlog"]["status"] == "draft" and data["createBlog"]["rating"] == 3


def test_index_query_with_sort_key_condition_and_direction(served: Served) -> None:
    alice = served.token("alice")
    for title in ("c", "a", "d", "b"):
        _ok(served.call("mutation C($i: CreateArticleInput!) { createArticle(input: $i) { id } }",
                        {"i": {"id": title, "title": title, "category": "news"}}, token=alice))
    _ok(served.call("mutation { createArticle(input: {id: \"o\", title: \"a\", category: \"other\"}) { id } }",
                    token=alice))
    query = ("query Q($c: String!, $t: ModelStringKeyConditionInput, $d: ModelSortDirection, $l: Int, $n: String) "
             "{ articlesByCategory(category: $c, title: $t, sortDirection: $d, limit: $l, nextToken: $n) "
             "{ items { title } nextToken } }")
    data = _ok(served.call(query, {"c": "news", "d": "DESC", "l": 3}, token=alice))["articlesByCategory"]
    assert [i["title"] for i in data["items"]] == ["d", "c", "b"]
    rest = _ok(served.call(query, {"c": "news", "d": "DESC", "l": 3, "n": data["nextToken"]}, token=alice))
    assert [i["title"] for i in rest["articlesByCategory"]["items"]] == ["a"]
    between = _ok(served.call(query, {"c": "news", "t": {"between": ["b", "c"]}}, token=alice))
    assert [i["title"] for i in between["articlesByCategory"]["items"]] == ["b", "c"]
    bob_sees = _ok(served.call(query, {"c": "news"}, token=served.token("bob")))
    assert bob_sees["articlesByCategory"]["items"] == []


def test_composite_primary_key_get_and_list(served: Served) -> None:
    token = served.token("alice")
    for kind, name in (("color", "red"), ("color", "blue"), ("size", "xl")):
        _ok(served.call("mutation C($i: CreateTagInput!) { createTag(input: $i) { kind name } }",
                        {"i": {"kind": kind, "name": name}}, token=token))
    got = _ok(served.call("{ getTag(kind: \"color\", name: \"red\") { kind name } }", token=token))
    assert got["getTag"] == {"kind": "color", "name": "red"}
    listed = _ok(served.call("{ listTags(kind: \"color\", name: {beginsWith: \"b\"}) { items { name } } }", token=token))
    assert listed["listTags"]["items"] == [{"name": "blue"}]
    everything = _ok(served.call("{ listTags { items { kind name } } }", token=token))
    assert len(everything["listTags"]["items"]) == 3
    duplicate = served.call("mutation { createTag(input: {kind: \"color\", name: \"red\"}) { kind } }", token=token)
    assert duplicate[1]["errors"][0]["errorType"] == "DynamoDB:ConditionalCheckFailedException"


def test_relations_read_through_the_related_models_rules(served: Served) -> None:
    alice, bob = served.token("alice"), served.token("bob")
    _ok(served.call("mutation { createBlog(input: {id: \"b1\", name: \"alice's\"}) { id } }", token=alice))
    for article_id, token in (("x1", alice), ("x2", alice), ("y1", bob)):
        _ok(served.call("mutation C($i: CreateArticleInput!) { createArticle(input: $i) { id } }",
                        {"i": {"id": article_id, "title": article_id, "category": "c", "blogPostsId": "b1"}},
                        token=token))
    query = "{ getBlog(id: \"b1\") { name posts { items { id blog { name } } } } }"
    as_alice = _ok(served.call(query, token=alice))["getBlog"]
    assert sorted(i["id"] for i in as_alice["posts"]["items"]) == ["x1", "x2"]
    assert all(i["blog"]["name"] == "alice's" for i in as_alice["posts"]["items"])
    as_bob = _ok(served.call(query, token=bob))["getBlog"]
    assert [i["id"] for i in as_bob["posts"]["items"]] == ["y1"]
    admin = _ok(served.call(query, token=served.token("ann", ["Admins"])))["getBlog"]
    assert sorted(i["id"] for i in admin["posts"]["items"]) == ["x1", "x2", "y1"]


SCALARS = """
type Event @model @auth(rules: [{allow: private}]) {
  id: ID!
  at: AWSDateTime
  day: AWSDate
  email: AWSEmail
  meta: AWSJSON
  ip: AWSIPAddress
  stamp: AWSTimestamp
}
"""


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [("at", "2024-01-01T10:00:00.000Z", "2024-01-01 10:00"), ("day", "2024-02-29", "2024-13-01"),
     ("email", "a@example.com", "not-an-email"), ("meta", '{"a": [1]}', "{nope"),
     ("ip", "10.0.0.1/24", "10.0.0.300"), ("stamp", 1714564800, "yesterday")],
)
def test_appsync_scalars_are_validated_on_input(tmp_path: Path, field: str, good: object, bad: object) -> None:
    served = serve_schema(tmp_path, SCALARS, [Provider.USER_POOLS])
    token = served.token("alice")
    create = f"mutation C($i: CreateEventInput!) {{ createEvent(input: $i) {{ id {field} }} }}"
    data = _ok(served.call(create, {"i": {"id": "e1", field: good}}, token=token))
    assert data["createEvent"][field] == good
    status, body = served.call(create, {"i": {"id": "e2", field: bad}}, token=token)
    assert status == 200 and body.get("data") is None
    assert "is not a valid" in body["errors"][0]["message"]
    assert served.store.get("Event", {"id": "e2"}) is None
