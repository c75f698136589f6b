"""The SQLite store: persistence, schema growth, keyset pages filled with visible items, conditions,
and all-or-nothing loading."""

from __future__ import annotations

from pathlib import Path

import pytest

from resolvers.filters import Sql
from resolvers.store import (
    ConditionFailed,
    InvalidNextToken,
    ModelLayout,
    Ordering,
    RecordError,
    Store,
    records_from_json,
)

POST = ModelLayout(name="Post", key_fields=("id",), fields=frozenset({"id", "title", "owner"}),
                   indexed_fields=("owner",))
COMMENT = ModelLayout(name="Comment", key_fields=("postId", "id"), fields=frozenset({"id", "postId", "body"}))


def test_data_survives_reopen_and_a_new_field(tmp_path: Path) -> None:
    db = tmp_path / "data.sqlite3"
    with Store(db, [POST]) as store:
        store.insert("Post", {"id": "p1", "title": "t", "owner": "alice"})
    grown = ModelLayout(name="Post", key_fields=("id",), fields=POST.fields | {"rating"})
    with Store(db, [grown]) as store:
        assert store.get("Post", {"id": "p1"}) == {"id": "p1", "title": "t", "owner": "alice"}
        store.replace("Post", {"id": "p1", "title": "t", "owner": "alice", "rating": 5})
        assert store.get("Post", {"id": "p1"})["rating"] == 5
    assert db.exists()
    with Store(db, [grown]) as store:
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_pages_hold_only_visible_items_and_a_token_only_when_more_exist() -> None:
    store = Store(":memory:", [POST])
    store.reset([{"__typename": "Post", "id": f"p{i:03d}", "owner": "alice" if i % 10 == 0 else "bob"}
                 for i in range(100)])
    mine = store.compiler("Post").compile({"owner": {"eq": "alice"}})
    first = store.query("Post", where=mine, limit=4, scope="listPosts")
    assert [r["id"] for r in first.items] == ["p000", "p010", "p020", "p030"]
    assert first.next_token is not None
    second = store.query("Post", where=mine, limit=4, next_token=first.next_token, scope="listPosts")
    third = store.query("Post", where=mine, limit=4, next_token=second.next_token, scope="listPosts")
    assert [r["id"] for r in second.items] == ["p040", "p050", "p060", "p070"]
    assert [r["id"] for r in third.items] == ["p080", "p090"]
    assert third.next_token is None
    with pytest.raises(InvalidNextToken):
        store.query("Post", where=mine, limit=4, next_token=first.next_token, scope="otherQuery")
    for bad in ("garbage!", "e30", first.next_token[:-3]):
        with pytest.raises(InvalidNextToken):
            store.query("Post", limit=4, next_token=bad, scope="listPosts")


def test_sort_key_order_and_descending_pages() -> None:
    store = Store(":memory:", [COMMENT])
    store.reset([{"__typename": "Comment", "postId": "p1", "id": f"c{i}", "body": b}
                 for i, b in enumerate(["b", "a", "d", "c"])])
    order = Ordering(fields=("body",), descending=True)
    page = store.query("Comment", order=order, limit=3)
    rest = store.query("Comment", order=order, limit=3, next_token=page.next_token)
    assert [r["body"] for r in page.items + rest.items] == ["d", "c", "b", "a"]


def test_conditions_on_create_update_delete() -> None:
    store = Store(":memory:", [POST])
    store.insert("Post", {"id": "p1", "title": "t"})
    with pytest.raises(ConditionFailed):
        store.insert("Post", {"id": "p1", "title": "again"})
    wrong = store.compiler("Post").compile({"title": {"eq": "nope"}})
    with pytest.raises(ConditionFailed):
        store.replace("Post", {"id": "p1", "title": "u"}, condition=wrong)
    with pytest.raises(ConditionFailed):
        store.replace("Post", {"id": "missing", "title": "u"})
    with pytest.raises(ConditionFailed):
        store.delete("Post", {"id": "p1"}, condition=wrong)
    assert store.get("Post", {"id": "p1"}) == {"id": "p1", "title": "t"}
    right = store.compiler("Post").compile({"title": {"eq": "t"}})
    store.replace("Post", {"id": "p1", "title": "u"}, condition=right)
    assert store.delete("Post", {"id": "p1"}) == {"id": "p1", "title": "u"}
    assert store.get("Post", {"id": "p1"}) is None


def test_a_failed_transaction_leaves_nothing() -> None:
    store = Store(":memory:", [POST])
    with pytest.raises(RuntimeError), store.transaction():
        store.insert("Post", {"id": "p1"})
        raise RuntimeError("boom")
    assert store.count("Post") == 0


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"__typename": "Nope", "id": "x"}], "unknown type 'Nope'"),
        ([{"__typename": "Post", "id": "x", "secret": 1}], "unknown field(s) secret"),
        ([{"id": "x"}], "__typename"),
        ([{"__typename": "Post", "title": "no id"}], "key field 'id' is missing"),
        (["text"], "must be an object"),
    ],
)
def test_load_refuses_bad_records_and_loads_nothing(records: list, message: str) -> None:
    store = Store(":memory:", [POST, COMMENT])
    good = [{"__typename": "Post", "id": "ok"}]
    with pytest.raises(RecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        store.load(records_from_json(good + records))
    assert store.dump() == []


def test_load_map_replace_and_dump_round_trip() -> None:
    store = Store(":memory:", [POST, COMMENT])
    store.load(records_from_json({"a": {"__typename": "Post", "id": "p1", "owner": "sub::alice"}}))
    report = store.load(records_from_json([{"__typename": "Comment", "postId": "p1", "id": "c1"}]), replace=True)
    assert report.counts == {"Comment": 1}
    assert store.dump() == [{"__typename": "Comment", "postId": "p1", "id": "c1"}]
    with pytest.raises(RecordError):
        records_from_json("nope")


def test_query_where_parts_combine() -> None:
    store = Store(":memory:", [POST])
    store.reset([{"__typename": "Post", "id": str(i), "title": "t" if i % 2 else "u"} for i in range(6)])
    page = store.query("Post", where=[store.compiler("Post").compile({"title": {"eq": "t"}}), Sql("0")])
    assert page.items == []


def test_disjunction_branches_merge_into_one_ordered_page_without_duplicates() -> None:
    store = Store(":memory:", [POST])
    store.reset([{"__typename": "Post", "id": f"p{i:02d}", "owner": ["sub::alice", "sub", "alice", "bob"][i % 4],
                  "title": "x"} for i in range(40)])
    compiler = store.compiler("Post")
    branches = [compiler.compile({"owner": {"eq": v}}) for v in ("sub::alice", "sub", "alice")]
    branches.append(compiler.compile({"title": {"eq": "x"}, "owner": {"eq": "alice"}}))
    seen: list[str] = []
    token = None
    while True:
        page = store.query("Post", any_of=branches, limit=7, next_token=token)
        seen.extend(r["id"] for r in page.items)
        token = page.next_token
        if token is None:
            break
    assert seen == [f"p{i:02d}" for i in range(40) if i % 4 != 3]
    assert store.query("Post", any_of=[]).items == []


def test_owner_branches_are_answered_from_the_index() -> None:
    store = Store(":memory:", [POST])
    branch = store.compiler("Post").compile({"owner": {"eq": "sub::alice"}})
    sql = f'SELECT pk FROM "model_Post" WHERE {branch.text} AND pk > ? ORDER BY pk LIMIT 11'
    plan = " ".join(row[3] for row in store._db.execute("EXPLAIN QUERY PLAN " + sql, (*branch.params, "")))
    assert "USING INDEX idx_Post_owner" in plan
    assert "TEMP B-TREE" not in plan
