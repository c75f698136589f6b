"""`@manyToMany` served locally: the join model's operations, its rules (the union of both models'
model rules, as Amplify derives them), and the relation fields read through the join model."""

from __future__ import annotations

import pytest
from serve_support import Served, serve_schema

from transformer.rules import Provider

SCHEMA = """
type Post @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {
  id: ID!
  title: String!
  tags: [Tag] @manyToMany(relationName: "PostTag")
}
type Tag @model @auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: private, operations: [read]}]) {
  id: ID!
  label: String!
  posts: [Post] @manyToMany(relationName: "PostTag")
}
"""

LINK = "mutation L($i: CreatePostTagInput!) { createPostTag(input: $i) { id postId tagId owner } }"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    return serve_schema(tmp_path_factory.mktemp("m2m"), SCHEMA, [Provider.USER_POOLS, Provider.API_KEY])


def _data(result: tuple[int, dict]) -> dict:
    status, body = result
    assert status == 200 and "errors" not in body, body
    return body["data"]


def test_join_records_link_both_sides(served: Served) -> None:
    alice, admin = served.token("alice"), served.token("ann", ["Admins"])
    _data(served.call('mutation { createPost(input: {id: "p1", title: "Hello"}) { id } }', token=alice))
    for tag in ("t1", "t2"):
        _data(served.call(f'mutation {{ createTag(input: {{id: "{tag}", label: "{tag}"}}) {{ id }} }}', token=admin))
    for tag in ("t1", "t2"):
        link = _data(served.call(LINK, {"i": {"postId": "p1", "tagId": tag}}, token=alice))["createPostTag"]
        assert (link["postId"], link["tagId"], link["owner"]) == ("p1", tag, "alice")
    post = _data(served.call('{ getPost(id: "p1") { tags { items { tagId tag { label } } } } }', token=alice))
    assert sorted(i["tag"]["label"] for i in post["getPost"]["tags"]["items"]) == ["t1", "t2"]
    tag = _data(served.call('{ getTag(id: "t1") { posts { items { post { title } } } } }', token=alice))
    assert [i["post"]["title"] for i in tag["getTag"]["posts"]["items"]] == ["Hello"]
    by_post = _data(served.call('{ postTagsByPostId(postId: "p1") { items { tagId } } }', token=alice))
    assert sorted(i["tagId"] for i in by_post["postTagsByPostId"]["items"]) == ["t1", "t2"]


def test_related_records_are_read_through_their_own_rules(served: Served) -> None:
    """An Admin may read the join records (Tag's group rule) but not alice's post (Post's rules)."""
    status, body = served.call('{ getTag(id: "t1") { posts { items { postId post { title } } } } }',
                               token=served.token("ann", ["Admins"]))
    assert status == 200
    assert [e["path"][-1] for e in body["errors"]] == ["post"]
    assert "Hello" not in str(body["data"])


def test_join_model_takes_the_rules_of_both_models(served: Served) -> None:
    _data(served.call('mutation { createPost(input: {id: "p9", title: "x"}) { id } }', token=served.token("alice")))
    # Post's public read rule lets the API key read join records but not create them; Tag's private
    # read rule lets any signed-in user list them.
    status, body = served.call(LINK, {"i": {"postId": "p9", "tagId": "t1"}}, api_key=served.api_key)
    assert body["data"]["createPostTag"] is None
    assert body["errors"][0]["errorType"] == "Unauthorized"
    made = _data(served.call(LINK, {"i": {"id": "j9", "postId": "p9", "tagId": "t1"}},
                             token=served.token("ann", ["Admins"])))
    assert made["createPostTag"]["owner"] == "ann"
    listed = _data(served.call("{ listPostTags { items { id } } }", token=served.token("carl")))
    assert "j9" in [i["id"] for i in listed["listPostTags"]["items"]]
    public = _data(served.call('{ getPostTag(id: "j9") { id } }', api_key=served.api_key))
    assert public["getPostTag"] == {"id": "j9"}
