"""The engine's DynamoDB data source: expressions evaluated on placeholders, conditions, paging."""

from __future__ import annotations

import pytest

from resolvers.vtl_engine import DynamoDBDataSource, MemoryTable, TableSpec
from resolvers.vtl_engine.dynamodb import CONDITION_FAILED
from resolvers.vtl_engine.expressions import ExpressionError, apply_update, compile_condition


def _source(*items: dict) -> DynamoDBDataSource:
    table = MemoryTable(TableSpec(name="Post", partition_key="id", indexes={"byOwner": ("owner", None)}))
    table.load(items)
    return DynamoDBDataSource(table)


def _key(value: str) -> dict:
    return {"id": {"S": value}}


def test_conditions_use_placeholders_and_missing_attributes_compare_false() -> None:
    check = compile_condition("(#o = :a OR contains(#tags, :t)) AND NOT attribute_exists(#gone)",
                              {"#o": "owner", "#tags": "tags", "#gone": "gone"}, {":a": "alice", ":t": "x"})
    assert check({"owner": "alice"})
    assert check({"owner": "bob", "tags": ["x"]})
    assert not check({"owner": "alice", "gone": 1})
    assert not compile_condition("#n > :v", {"#n": "n"}, {":v": 3})({})
    assert compile_condition("#n BETWEEN :a AND :b", {"#n": "n"}, {":a": 1, ":b": 3})({"n": 2})
    assert compile_condition("#g IN (:a, :b)", {"#g": "g"}, {":a": "x", ":b": "y"})({"g": "y"})


def test_unknown_placeholders_and_syntax_are_errors() -> None:
    with pytest.raises(ExpressionError):
        compile_condition("#missing = :v", {}, {":v": 1})
    with pytest.raises(ExpressionError):
        compile_condition("#a = :v;", {"#a": "a"}, {":v": 1})


def test_update_expressions_set_remove_and_count() -> None:
    item = {"id": "p1", "title": "a", "content": "c", "_version": 1}
    apply_update(item, "SET #t = :t, #v = #v + :one REMOVE #c", {"#t": "title", "#v": "_version", "#c": "content"},
                 {":t": "b", ":one": 1})
    assert item == {"id": "p1", "title": "b", "_version": 2}


def test_put_respects_attribute_not_exists() -> None:
    source = _source({"id": "p1", "title": "old"})
    request = {"operation": "PutItem", "key": _key("p1"), "attributeValues": {"title": {"S": "new"}},
               "condition": {"expression": "attribute_not_exists(#k)", "expressionNames": {"#k": "id"}}}
    result, error = source.invoke(request)
    assert result is None and error is not None and error.type == CONDITION_FAILED
    assert (source.table.get({"id": "p1"}) or {})["title"] == "old"


def test_update_and_delete_of_a_missing_item_fail_their_condition() -> None:
    source = _source()
    exists = {"expression": "attribute_exists(#k)", "expressionNames": {"#k": "id"}}
    _, error = source.invoke({"operation": "UpdateItem", "key": _key("x"), "condition": exists,
                              "update": {"expression": "SET #t = :t", "expressionNames": {"#t": "t"},
                                         "expressionValues": {":t": {"S": "v"}}}})
    assert error is not None and error.type == CONDITION_FAILED
    _, error = source.invoke({"operation": "DeleteItem", "key": _key("x"), "condition": exists})
    assert error is not None and error.type == CONDITION_FAILED


def test_scan_applies_limit_before_filter_and_pages_with_next_token() -> None:
    source = _source(*({"id": f"p{i}", "owner": "alice" if i % 2 else "bob"} for i in range(5)))
    request = {"operation": "Scan", "limit": 2,
               "filter": {"expression": "#o = :o", "expressionNames": {"#o": "owner"},
                          "expressionValues": {":o": {"S": "alice"}}}}
    seen: list[str] = []
    pages = 0
    while True:
        page, error = source.invoke(request)
        assert error is None
        pages += 1
        assert page["scannedCount"] <= 2
        seen.extend(item["id"] for item in page["items"])
        if not page["nextToken"]:
            break
        request = {**request, "nextToken": page["nextToken"]}
    assert pages == 3
    assert seen == ["p1", "p3"]


def test_query_on_an_index_and_bad_tokens() -> None:
    source = _source({"id": "p1", "owner": "alice"}, {"id": "p2", "owner": "bob"}, {"id": "p3"})
    page, error = source.invoke({"operation": "Query", "index": "byOwner",
                                 "query": {"expression": "#o = :o", "expressionNames": {"#o": "owner"},
                                           "expressionValues": {":o": {"S": "bob"}}}})
    assert error is None and [i["id"] for i in page["items"]] == ["p2"]
    _, error = source.invoke({"operation": "Scan", "nextToken": "not-a-token"})
    assert error is not None
    _, error = source.invoke({"operation": "BatchGetItem"})
    assert error is not None
