"""`search<Plural>` served over the local store: filter, sort, limit/from/nextToken, total and aggregates,
restricted to the records the search rules let the caller read."""

from __future__ import annotations

from typing import Any

import pytest
from serve_support import Served, serve_schema

from transformer.rules import Provider

SCHEMA = """
enum Status { OPEN CLOSED }
type Todo @model @searchable @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"], operations: [read]}]) {
  id: ID!
  name: String!
  priority: Int
  status: Status
  tags: [String]
}
type Secret @model @searchable(queries: {search: "findSecrets"}) @auth(rules: [{allow: owner, operations: [create, get, list]}]) {
  id: ID!
  text: String
}
"""

TODOS = [
    ("t1", "alice", "Buy fresh milk", 3, "OPEN", ["home"]),
    ("t2", "alice", "Write the quarterly report", 5, "CLOSED", ["work", "urgent"]),
    ("t3", "alice", "Milk the goats", 1, "OPEN", ["farm"]),
    ("t4", "bob", "Bob's milk run", 4, "OPEN", ["home"]),
]
SEARCH = ("query S($f: SearchableTodoFilterInput, $s: [SearchableTodoSortInput], $l: Int, $n: String, $from: Int, "
          "$a: [SearchableTodoAggregationInput]) { searchTodos(filter: $f, sort: $s, limit: $l, nextToken: $n, "
          "from: $from, aggregates: $a) { items { id } nextToken total aggregateItems { name result { "
          "... on SearchableAggregateScalarResult { value } "
          "... on SearchableAggregateBucketResult { buckets { key doc_count } } } } } }")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    app = serve_schema(tmp_path_factory.mktemp("search"), SCHEMA, [Provider.USER_POOLS])
    for todo_id, owner, name, priority, status, tags in TODOS:
        variables = {"i": {"id": todo_id, "name": name, "priority": priority, "status": status, "tags": tags}}
        status_code, body = app.call("mutation C($i: CreateTodoInput!) { createTodo(input: $i) { id } }", variables,
                                     token=app.token(owner))
        assert status_code == 200 and "errors" not in body, body
    return app


def _search(served: Served, user: str, groups: list[str] | None = None, **variables: Any) -> dict[str, Any]:
    status, body = served.call(SEARCH, variables, token=served.token(user, groups))
    assert status == 200 and "errors" not in body, body
    return body["data"]["searchTodos"]


def _ids(result: dict[str, Any]) -> list[str]:
    return [item["id"] for item in result["items"]]


def test_only_readable_records_are_searched(served: Served) -> None:
    assert sorted(_ids(_search(served, "alice"))) == ["t1", "t2", "t3"]
    assert sorted(_ids(_search(served, "ann", ["Admins"]))) == ["t1", "t2", "t3", "t4"]
    assert _ids(_search(served, "carl")) == []


def test_filters(served: Served) -> None:
    admin = ("ann", ["Admins"])
    assert sorted(_ids(_search(served, *admin, f={"name": {"match": "MILK"}}))) == ["t1", "t3", "t4"]
    assert _ids(_search(served, *admin, f={"name": {"matchPhrase": "fresh milk"}})) == ["t1"]
    assert _ids(_search(served, *admin, f={"name": {"matchPhrasePrefix": "the quart"}})) == ["t2"]
    assert sorted(_ids(_search(served, *admin, f={"priority": {"gte": 4}}))) == ["t2", "t4"]
    assert sorted(_ids(_search(served, *admin, f={"priority": {"range": [2, 4]}}))) == ["t1", "t4"]
    assert _ids(_search(served, *admin, f={"tags": {"eq": "urgent"}})) == ["t2"]
    assert _ids(_search(served, *admin, f={"name": {"wildcard": "Milk*"}})) == ["t3"]
    either = {"or": [{"status": {"eq": "CLOSED"}}, {"priority": {"lt": 2}}]}
    assert sorted(_ids(_search(served, *admin, f=either))) == ["t2", "t3"]
    assert sorted(_ids(_search(served, *admin, f={"not": {"status": {"eq": "OPEN"}}}))) == ["t2"]


def test_sort_pages_and_total(served: Served) -> None:
    admin = ("ann", ["Admins"])
    by_priority = [{"field": "priority", "direction": "desc"}]
    first = _search(served, *admin, s=by_priority, l=3)
    assert (_ids(first), first["total"]) == (["t2", "t4", "t1"], 4)
    second = _search(served, *admin, s=by_priority, l=3, n=first["nextToken"])
    assert (_ids(second), second["nextToken"]) == (["t3"], None)
    assert _ids(_search(served, *admin, s=by_priority, l=2, **{"from": 1})) == ["t4", "t1"]


def test_aggregates(served: Served) -> None:
    result = _search(served, "alice", a=[{"name": "total", "type": "sum", "field": "priority"},
                                         {"name": "states", "type": "terms", "field": "status"},
                                         {"name": "kinds", "type": "cardinality", "field": "tags"}])
    values = {a["name"]: a["result"] for a in result["aggregateItems"]}
    assert values["total"] == {"value": 9.0}
    assert values["states"] == {"buckets": [{"key": "OPEN", "doc_count": 2}, {"key": "CLOSED", "doc_count": 1}]}
    assert values["kinds"] == {"value": 4.0}


def test_search_rules_and_renamed_query(served: Served) -> None:
    alice = served.token("alice")
    status, body = served.call('mutation { createSecret(input: {id: "s1", text: "x"}) { id } }', token=alice)
    assert "errors" not in body, body
    status, body = served.call("{ findSecrets { items { id } total } }", token=alice)
    assert status == 200 and body["data"]["findSecrets"] is None
    assert body["errors"][0]["errorType"] == "Unauthorized"


def test_bad_token_is_a_clear_error(served: Served) -> None:
    status, body = served.call(SEARCH, {"n": "not-a-token"}, token=served.token("alice"))
    assert status == 200 and body["data"]["searchTodos"] is None
    assert "nextToken" in body["errors"][0]["message"]
