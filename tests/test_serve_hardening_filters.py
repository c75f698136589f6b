"""Hidden fields cannot be inferred: a filter, condition or subscription filter naming a field the
caller may not read is refused (Unauthorized, naming the field) before anything is read."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from serve_support import Served, blog_project, serve_blog, serve_schema, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.guards.filter_fields import named_fields
from resolvers.identity import AuthType, Identity
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.store import Store, store_layouts
from transformer.project import load_project
from transformer.rules import Provider

DOCS = """
type Doc @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Editors"]}]) {
  id: ID!
  title: String
  secret: String @auth(rules: [{allow: owner}, {allow: groups, groups: ["Editors"], operations: [create, update, delete]}])
}
"""

LIST = "query L($filter: ModelPostFilterInput) { listPosts(filter: $filter) { items { id title } } }"
LIST_DOCS = "query L($filter: ModelDocFilterInput) { listDocs(filter: $filter) { items { id title } } }"
UPDATE_DOC = ("mutation U($input: UpdateDocInput!, $condition: ModelDocConditionInput) "
              "{ updateDoc(input: $input, condition: $condition) { id title } }")
DELETE_DOC = ("mutation D($input: DeleteDocInput!, $condition: ModelDocConditionInput) "
              "{ deleteDoc(input: $input, condition: $condition) { id } }")


@pytest.fixture(scope="module")
def blog(tmp_path_factory: pytest.TempPathFactory) -> Served:
    served = serve_blog(tmp_path_factory.mktemp("blog"))
    served.store.reset([
        {"__typename": "Post", "id": "p1", "title": "one", "owner": "alice", "internalNotes": "alpha secret"},
        {"__typename": "Post", "id": "p2", "title": "two", "owner": "bob", "internalNotes": "beta"},
    ])
    return served


@pytest.fixture()
def docs(tmp_path: Path) -> Served:
    served = serve_schema(tmp_path, DOCS)
    served.store.reset([{"__typename": "Doc", "id": "d1", "title": "t", "owner": "alice", "secret": "abc"}])
    return served


def _refused(body: dict[str, Any], field: str, type_name: str) -> None:
    errors = body.get("errors") or []
    assert errors, body
    assert errors[0]["errorType"] == "Unauthorized"
    assert field in errors[0]["message"] and type_name in errors[0]["message"]


def _items(body: dict[str, Any]) -> list[str]:
    assert not body.get("errors"), body
    return sorted(item["id"] for item in body["data"]["listPosts"]["items"])


def test_named_fields_walks_nested_logic() -> None:
    assert named_fields({"and": [{"a": {"eq": 1}}, {"or": [{"b": {"eq": 1}}, {"not": {"c": {"eq": 2}}}]}]}) == {"a", "b", "c"}
    assert named_fields(None) == frozenset()


@pytest.mark.parametrize("shape", [
    {"internalNotes": {"beginsWith": "a"}},
    {"and": [{"title": {"eq": "one"}}, {"internalNotes": {"beginsWith": "a"}}]},
    {"or": [{"title": {"eq": "zzz"}}, {"internalNotes": {"beginsWith": "a"}}]},
    {"not": {"internalNotes": {"beginsWith": "b"}}},
    {"and": [{"or": [{"not": {"internalNotes": {"attributeExists": True}}}]}]},
])
def test_api_key_filter_on_hidden_field_is_refused_at_any_depth(blog: Served, shape: dict[str, Any]) -> None:
    status, body = blog.call(LIST, {"filter": shape}, api_key=blog.api_key)
    assert status == 200
    _refused(body, "internalNotes", "Post")
    assert body["data"]["listPosts"] is None


def test_filter_on_readable_fields_still_works(blog: Served) -> None:
    _status, body = blog.call(LIST, {"filter": {"title": {"beginsWith": "o"}}}, api_key=blog.api_key)
    assert _items(body) == ["p1"]


def test_signed_in_reader_who_reads_every_record_but_not_the_field_is_refused(blog: Served) -> None:
    _status, body = blog.call(LIST, {"filter": {"internalNotes": {"beginsWith": "a"}}}, token=blog.token("carol"))
    _refused(body, "internalNotes", "Post")


def test_group_that_reads_the_field_may_filter_on_it(blog: Served) -> None:
    _status, body = blog.call(LIST, {"filter": {"internalNotes": {"beginsWith": "a"}}},
                              token=blog.token("eve", ["Editors"]))
    assert _items(body) == ["p1"]


def test_owner_scoped_list_may_filter_on_an_owner_readable_field(docs: Served) -> None:
    query = LIST_DOCS
    _status, body = docs.call(query, {"filter": {"secret": {"beginsWith": "a"}}}, token=docs.token("alice"))
    assert not body.get("errors"), body
    assert [i["id"] for i in body["data"]["listDocs"]["items"]] == ["d1"]
    _status, body = docs.call(query, {"filter": {"secret": {"beginsWith": "a"}}}, token=docs.token("bob", ["Editors"]))
    _refused(body, "secret", "Doc")


def test_update_condition_on_unreadable_field_is_refused_and_writes_nothing(docs: Served) -> None:
    editor = docs.token("bob", ["Editors"])
    _status, body = docs.call(UPDATE_DOC, {"input": {"id": "d1", "title": "x"},
                                           "condition": {"secret": {"beginsWith": "a"}}}, token=editor)
    _refused(body, "secret", "Doc")
    assert docs.store.get("Doc", {"id": "d1"})["title"] == "t"
    _status, body = docs.call(UPDATE_DOC, {"input": {"id": "d1", "title": "x"},
                                           "condition": {"title": {"eq": "t"}}}, token=editor)
    assert body["data"]["updateDoc"]["title"] == "x", body


def test_owner_may_condition_on_own_field(docs: Served) -> None:
    _status, body = docs.call(UPDATE_DOC, {"input": {"id": "d1", "title": "y"},
                                           "condition": {"secret": {"eq": "abc"}}}, token=docs.token("alice"))
    assert body["data"]["updateDoc"]["title"] == "y", body


def test_delete_condition_on_unreadable_field_is_refused(docs: Served) -> None:
    _status, body = docs.call(DELETE_DOC, {"input": {"id": "d1"}, "condition": {"not": {"secret": {"eq": "zzz"}}}},
                              token=docs.token("bob", ["Editors"]))
    _refused(body, "secret", "Doc")
    assert docs.store.get("Doc", {"id": "d1"}) is not None


def _subscribe(served: Served, query: str, identity: Identity) -> tuple[bool, Any]:
    async def run() -> tuple[bool, Any]:
        ok, result = await served.app.state.core.subscribe({"query": query}, identity)
        if ok:
            await result.aclose()
        return ok, result
    return asyncio.run(run())


def test_subscription_filter_on_unreadable_field_is_refused(docs: Served) -> None:
    editor = Identity(auth_type=AuthType.USER_POOLS, sub="bob-sub", username="bob",
                      claims={"sub": "bob-sub", "cognito:username": "bob", "cognito:groups": ["Editors"]})
    ok, result = _subscribe(docs, 'subscription { onUpdateDoc(filter: {secret: {beginsWith: "a"}}) { id } }', editor)
    assert not ok
    assert result[0]["errorType"] == "Unauthorized" and "secret" in result[0]["message"]
    ok, _result = _subscribe(docs, 'subscription { onUpdateDoc(filter: {title: {beginsWith: "a"}}) { id } }', editor)
    assert ok


def test_relation_filter_on_unreadable_field_is_refused(tmp_path: Path) -> None:
    served = serve_schema(tmp_path, """
type Blog @model @auth(rules: [{allow: public}]) { id: ID! name: String posts: [Entry] @hasMany }
type Entry @model @auth(rules: [{allow: public, operations: [read]}, {allow: owner}]) {
  id: ID! title: String notes: String @auth(rules: [{allow: owner}])
}""")
    served.store.reset([{"__typename": "Blog", "id": "b1", "name": "n"},
                        {"__typename": "Entry", "id": "e1", "title": "t", "notes": "abc", "owner": "alice",
                         "blogPostsId": "b1"}])
    query = '{ getBlog(id: "b1") { id posts(filter: {notes: {beginsWith: "a"}}) { items { id } } } }'
    _status, body = served.call(query, api_key=served.api_key)
    _refused(body, "notes", "Entry")
    _status, body = served.call('{ getBlog(id: "b1") { posts(filter: {title: {eq: "t"}}) { items { id } } } }',
                                api_key=served.api_key)
    assert body["data"]["getBlog"]["posts"]["items"] == [{"id": "e1"}], body



def _vtl_served(directory: Path, sdl: str | None = None) -> Served:
    """The same project served through the emitted templates (`serve --engine vtl`)."""
    import shutil

    if sdl is None:
        directory, project = blog_project(directory)
    else:
        directory = directory / "project"
        directory.mkdir()
        (directory / "schema.graphql").write_text(sdl)
        project, diagnostics = load_project(directory, auth_modes=[Provider.USER_POOLS, Provider.API_KEY])
        assert project is not None, diagnostics
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(directory)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    app = create_app(project, store, authenticator, state=state, engine="vtl")
    return Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))


def test_templates_refuse_list_filters_on_hidden_fields(tmp_path: Path) -> None:
    served = _vtl_served(tmp_path)
    served.store.reset([
        {"__typename": "Post", "id": "p1", "title": "one", "owner": "alice", "internalNotes": "alpha secret"},
        {"__typename": "Post", "id": "p2", "title": "two", "owner": "bob", "internalNotes": "beta"},
    ])
    for shape in ({"internalNotes": {"beginsWith": "a"}}, {"or": [{"not": {"internalNotes": {"eq": "x"}}}]}):
        _status, body = served.call(LIST, {"filter": shape}, api_key=served.api_key)
        _refused(body, "internalNotes", "Post")
        _status, body = served.call(LIST, {"filter": shape}, token=served.token("carol"))
        _refused(body, "internalNotes", "Post")
    _status, body = served.call(LIST, {"filter": {"internalNotes": {"beginsWith": "a"}}},
                                token=served.token("eve", ["Editors"]))
    assert _items(body) == ["p1"]
    _status, body = served.call(LIST, {"filter": {"title": {"beginsWith": "o"}}}, api_key=served.api_key)
    assert _items(body) == ["p1"]


def test_templates_refuse_conditions_on_hidden_fields_and_allow_the_owner(tmp_path: Path) -> None:
    served = _vtl_served(tmp_path, DOCS)
    served.store.reset([{"__typename": "Doc", "id": "d1", "title": "t", "owner": "alice", "secret": "abc"}])
    editor = served.token("bob", ["Editors"])
    _status, body = served.call(UPDATE_DOC, {"input": {"id": "d1", "title": "x"},
                                             "condition": {"secret": {"beginsWith": "a"}}}, token=editor)
    _refused(body, "secret", "Doc")
    _status, body = served.call(DELETE_DOC, {"input": {"id": "d1"}, "condition": {"secret": {"eq": "abc"}}},
                                token=editor)
    _refused(body, "secret", "Doc")
    assert served.store.get("Doc", {"id": "d1"})["title"] == "t"
    _status, body = served.call(UPDATE_DOC, {"input": {"id": "d1", "title": "y"},
                                             "condition": {"secret": {"eq": "abc"}}}, token=served.token("alice"))
    assert body["data"]["updateDoc"]["title"] == "y", body
    _status, body = served.call(LIST_DOCS, {"filter": {"secret": {"beginsWith": "a"}}}, token=served.token("alice"))
    assert [i["id"] for i in body["data"]["listDocs"]["items"]] == ["d1"], body
    _status, body = served.call(LIST_DOCS, {"filter": {"secret": {"beginsWith": "a"}}}, token=editor)
    _refused(body, "secret", "Doc")


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_subscription_filters_on_hidden_fields_are_refused_by_both_engines(tmp_path: Path, engine: str) -> None:
    served = _vtl_served(tmp_path, DOCS) if engine == "vtl" else serve_schema(tmp_path, DOCS)
    editor = Identity(auth_type=AuthType.USER_POOLS, sub="bob-sub", username="bob",
                      claims={"sub": "bob-sub", "cognito:username": "bob", "cognito:groups": ["Editors"]})
    owner = Identity(auth_type=AuthType.USER_POOLS, sub="alice-sub", username="alice",
                     claims={"sub": "alice-sub", "cognito:username": "alice"})
    hidden = 'subscription { onUpdateDoc(filter: {secret: {beginsWith: "a"}}) { id } }'
    ok, result = _subscribe(served, hidden, editor)
    assert not ok and result[0]["errorType"] == "Unauthorized" and "secret" in result[0]["message"], result
    assert _subscribe(served, 'subscription { onUpdateDoc(filter: {title: {eq: "a"}}) { id } }', editor)[0]
    assert _subscribe(served, hidden, owner)[0]


def test_index_key_conditions_on_hidden_fields_are_refused(tmp_path: Path) -> None:
    served = serve_schema(tmp_path, """
type Item @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {
  id: ID!
  kind: String! @index(name: "byKind", sortKeyFields: ["code"], queryField: "itemsByKind")
  code: String @auth(rules: [{allow: owner}])
}""")
    served.store.reset([{"__typename": "Item", "id": "i1", "kind": "k", "code": "abc", "owner": "alice"}])
    query = 'query { itemsByKind(kind: "k", code: {beginsWith: "a"}) { items { id } } }'
    _status, body = served.call(query, api_key=served.api_key)
    _refused(body, "code", "Item")
    _status, body = served.call('query { itemsByKind(kind: "k") { items { id } } }', api_key=served.api_key)
    assert body["data"]["itemsByKind"]["items"] == [{"id": "i1"}], body
