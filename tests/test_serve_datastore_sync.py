"""The `sync<Plural>` query through `serve`, in both engines, as the versioned data source's `Sync` operation.

Expectations from AWS's AppSync developer guide, "Sync" in the DynamoDB resolver mapping template reference
(aws-appsync-resolver-mapping-template-reference-dynamodb-sync.html): without `lastSync` the results come from the
base table (tombstones included); with `lastSync` (epoch milliseconds when the last successful sync began) only
the items changed since then, from the delta table; `limit` defaults to 100, `nextToken` continues a page, and
the result carries `startedAt`. And "Versioning DynamoDB data sources": the delta table keeps changes for
`DeltaSyncTableTTL` minutes (30 by Amplify), so an older `lastSync` is answered from the base table, as Amplify's
own sync resolvers do when `lastSync` is older than `now - deltaSyncTableTtl`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from datastore_serve_support import CREATE, DELETE, SYNC, UPDATE, DataStoreServer, serve_datastore


@pytest.fixture(params=["python", "vtl"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> DataStoreServer:
    return serve_datastore(tmp_path / f"sync-{request.param}", "AUTOMERGE", str(request.param))


def _sync(server: DataStoreServer, **variables: Any) -> dict[str, Any]:
    user = variables.pop("user", "alice")
    groups = variables.pop("groups", None)
    return server.data(SYNC, variables, user=user, groups=groups)["syncNotes"]


def _all_pages(server: DataStoreServer, limit: int, **variables: Any) -> tuple[list[dict[str, Any]], list[int]]:
    items: list[dict[str, Any]] = []
    started: list[int] = []
    token = None
    while True:
        page = _sync(server, limit=limit, next=token, **variables)
        items.extend(page["items"])
        started.append(page["startedAt"])
        token = page["nextToken"]
        if token is None:
            return items, started


def test_a_full_sync_pages_through_every_item_with_tombstones_and_started_at(server: DataStoreServer) -> None:
    for i in range(5):
        server.data(CREATE, {"i": {"id": f"n{i}", "title": f"t{i}"}})
    server.data(DELETE, {"i": {"id": "n2", "_version": 1}})
    before = time.time_ns() // 1_000_000
    items, started = _all_pages(server, 2)
    after = time.time_ns() // 1_000_000
    assert sorted(i["id"] for i in items) == [f"n{i}" for i in range(5)]
    assert {i["id"]: i["_deleted"] for i in items}["n2"] is True
    assert all(before <= s <= after for s in started)


def test_a_delta_sync_returns_only_what_changed_since_last_sync(server: DataStoreServer) -> None:
    server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
    server.data(CREATE, {"i": {"id": "n2", "title": "b"}})
    last_sync = _sync(server)["startedAt"]
    time.sleep(0.005)
    server.data(UPDATE, {"i": {"id": "n1", "title": "a2", "_version": 1}})
    server.data(CREATE, {"i": {"id": "n3", "title": "c"}})
    server.data(DELETE, {"i": {"id": "n2", "_version": 1}})
    items, _started = _all_pages(server, 1, last=last_sync)
    changed = {i["id"]: (i["_version"], i["_deleted"]) for i in items}
    assert changed == {"n1": (2, None), "n2": (2, True), "n3": (1, None)}
    assert _sync(server, last=_sync(server)["startedAt"] + 1)["items"] == []


def test_a_last_sync_older_than_the_delta_table_keeps_is_a_full_sync(server: DataStoreServer) -> None:
    server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
    long_ago = time.time_ns() // 1_000_000 - 31 * 60 * 1000
    assert [i["id"] for i in _sync(server, last=long_ago)["items"]] == ["n1"]
    stale = time.time_ns() // 1_000_000 + 60_000
    assert _sync(server, last=stale)["items"] == []


def test_the_callers_filter_and_the_owner_auth_filter_apply(server: DataStoreServer) -> None:
    server.data(CREATE, {"i": {"id": "a1", "title": "keep"}}, user="alice")
    server.data(CREATE, {"i": {"id": "a2", "title": "drop"}}, user="alice")
    server.data(CREATE, {"i": {"id": "b1", "title": "keep"}}, user="bob")
    assert sorted(i["id"] for i in _sync(server)["items"]) == ["a1", "a2"]
    assert [i["id"] for i in _sync(server, user="bob")["items"]] == ["b1"]
    filtered = _sync(server, f={"title": {"eq": "keep"}})["items"]
    assert [i["id"] for i in filtered] == ["a1"]
    every = _sync(server, user="carol", groups=["Admins"], f={"title": {"eq": "keep"}})["items"]
    assert sorted(i["id"] for i in every) == ["a1", "b1"]
    assert _sync(server, user="carol")["items"] == []


def test_a_deleted_filter_selects_tombstones(server: DataStoreServer) -> None:
    server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
    server.data(CREATE, {"i": {"id": "n2", "title": "b"}})
    server.data(DELETE, {"i": {"id": "n1", "_version": 1}})
    assert [i["id"] for i in _sync(server, f={"_deleted": {"eq": True}})["items"]] == ["n1"]


def test_a_change_in_the_millisecond_a_sync_began_is_in_the_next_delta(server: DataStoreServer) -> None:
    """A write stamped with the very `startedAt` of a sync may have missed that sync: the next delta includes it."""
    at = time.time_ns() // 1_000_000
    server.served.store.load([("seed", {"__typename": "Note", "id": "n2", "title": "b", "owner": "alice",
                                        "_version": 1, "_lastChangedAt": at})])
    assert [i["id"] for i in _sync(server, last=at)["items"]] == ["n2"]
    assert _sync(server, last=at + 1)["items"] == []
