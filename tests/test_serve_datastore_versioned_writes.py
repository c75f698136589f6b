"""Versioned writes and conflict handling through `serve`, as AppSync's versioned DynamoDB data sources do them.

Expectations come from AWS's AppSync developer guide:
* "Versioning DynamoDB data sources" (versioned-data-sources.html): `_version` is a monotonically increasing
  counter updated on every change, `_lastChangedAt` the epoch milliseconds of the last change, `_deleted` a
  tombstone kept in the base table for `BaseTableTTL` minutes (`_ttl`, epoch seconds, when the item is removed).
* "Conflict detection and resolution" (conflict-detection-and-resolution.html): OPTIMISTIC_CONCURRENCY rejects a
  mutation whose version differs and returns the server's latest item in the GraphQL response; AUTOMERGE keeps
  the server's scalar values, appends incoming list values to the server's list (duplicates kept), takes an
  incoming value for a field the server lacks or holds as null, and retries with the new version; LAMBDA hands
  the conflict to a function answering RESOLVE, REJECT or REMOVE.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from datastore_serve_support import CREATE, DELETE, GET, LIST, UPDATE, DataStoreServer, serve_datastore

ENGINES = ["python", "vtl"]
BASE_TABLE_TTL_SECONDS = 43200 * 60


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _serve(tmp_path: Path, strategy: str, engine: str, handler: str | None = None) -> DataStoreServer:
    return serve_datastore(tmp_path / f"{strategy}-{engine}", strategy, engine, handler=handler)


def test_create_update_delete_stamp_versions_and_delete_is_a_tombstone(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "OPTIMISTIC_CONCURRENCY", engine)
    before = time.time_ns() // 1_000_000
    created = server.data(CREATE, {"i": {"id": "n1", "title": "a"}})["createNote"]
    assert created["_version"] == 1 and created["_deleted"] is None
    assert before <= created["_lastChangedAt"] <= time.time_ns() // 1_000_000
    updated = server.data(UPDATE, {"i": {"id": "n1", "title": "b", "_version": 1}})["updateNote"]
    assert updated["_version"] == 2 and updated["title"] == "b"
    assert updated["_lastChangedAt"] >= created["_lastChangedAt"]
    deleted = server.data(DELETE, {"i": {"id": "n1", "_version": 2}})["deleteNote"]
    assert deleted["_version"] == 3 and deleted["_deleted"] is True and deleted["title"] == "b"
    stored = server.stored("n1")
    assert stored is not None and stored["_deleted"] is True
    assert abs(stored["_ttl"] - (time.time() + BASE_TABLE_TTL_SECONDS)) < 60
    assert server.data(GET, {"id": "n1"})["getNote"]["_deleted"] is True
    assert [n["_deleted"] for n in server.data(LIST)["listNotes"]["items"]] == [True]
    topics = [(topic, event.get("_version"), event.get("_deleted")) for topic, event in server.bus.published]
    assert topics == [("createNote", 1, None), ("updateNote", 2, None), ("deleteNote", 3, True)]


def test_a_client_set_version_on_create_is_ignored(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "AUTOMERGE", engine)
    created = server.data(CREATE, {"i": {"id": "n1", "title": "a", "_version": 7}})["createNote"]
    assert created["_version"] == 1


def _conflict(body: dict[str, object], field: str) -> dict[str, object]:
    assert body["data"] == {field: None}, body
    errors = body["errors"]
    assert isinstance(errors, list) and len(errors) == 1
    error = errors[0]
    assert error["errorType"] == "ConflictUnhandled" and error["errorInfo"] is None
    assert error["message"] == "Conflict resolver rejects mutation."
    assert isinstance(error["data"], dict)
    return error["data"]


def test_optimistic_concurrency_rejects_a_stale_update_with_the_server_item(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "OPTIMISTIC_CONCURRENCY", engine)
    server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
    server.data(UPDATE, {"i": {"id": "n1", "title": "b", "_version": 1}})
    data = _conflict(server.call(UPDATE, {"i": {"id": "n1", "title": "stale", "_version": 1}}), "updateNote")
    assert data["id"] == "n1" and data["title"] == "b" and data["_version"] == 2
    stored = server.stored("n1")
    assert stored is not None and stored["title"] == "b" and stored["_version"] == 2
    data = _conflict(server.call(DELETE, {"i": {"id": "n1", "_version": 1}}), "deleteNote")
    assert data["_version"] == 2
    assert server.stored("n1") == stored
    assert [topic for topic, _ in server.bus.published] == ["createNote", "updateNote"]


def test_automerge_keeps_server_scalars_appends_lists_and_fills_nulls(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "AUTOMERGE", engine)
    server.data(CREATE, {"i": {"id": "n1", "title": "a", "tags": ["x"]}})
    server.data(UPDATE, {"i": {"id": "n1", "title": "b", "_version": 1}})
    merged = server.data(UPDATE, {"i": {"id": "n1", "title": "stale", "tags": ["x", "y"], "rating": 5,
                                        "_version": 1}})["updateNote"]
    assert merged["title"] == "b"
    assert merged["tags"] == ["x", "x", "y"]
    assert merged["rating"] == 5
    assert merged["_version"] == 3


HANDLER = '''
def handler(event):
    title = event["newItem"] and event["newItem"].get("title")
    if title == "reject":
        return {"action": "REJECT"}
    if title == "remove" or event["newItem"] is None:
        return {"action": "REMOVE"}
    seen.append(event)
    return {"action": "RESOLVE", "item": {**event["existingItem"], "title": "resolved:" + title}}

seen = []
'''


def test_lambda_resolves_rejects_and_removes(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "LAMBDA", engine, handler=HANDLER)
    server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
    server.data(UPDATE, {"i": {"id": "n1", "title": "b", "_version": 1}})
    resolved = server.data(UPDATE, {"i": {"id": "n1", "title": "mine", "_version": 1}})["updateNote"]
    assert resolved["title"] == "resolved:mine" and resolved["_version"] == 3
    data = _conflict(server.call(UPDATE, {"i": {"id": "n1", "title": "reject", "_version": 1}}), "updateNote")
    assert data["title"] == "resolved:mine" and data["_version"] == 3
    removed = server.data(UPDATE, {"i": {"id": "n1", "title": "remove", "_version": 1}})["updateNote"]
    assert removed["_deleted"] is True and removed["_version"] == 4


def test_a_lambda_strategy_without_a_local_handler_says_so(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "LAMBDA", engine)
    server.data(CREATE, {"i": {"id": "n1", "title": "a"}})
    assert server.data(UPDATE, {"i": {"id": "n1", "title": "b", "_version": 1}})["updateNote"]["_version"] == 2
    body = server.call(UPDATE, {"i": {"id": "n1", "title": "c", "_version": 1}})
    assert body["data"] == {"updateNote": None}
    assert body["errors"][0]["errorType"] == "Lambda:Unhandled"
    assert "noteconflict-${env}" in body["errors"][0]["message"]


def test_a_denied_caller_with_a_stale_version_learns_nothing(tmp_path: Path, engine: str) -> None:
    server = _serve(tmp_path, "OPTIMISTIC_CONCURRENCY", engine)
    server.data(CREATE, {"i": {"id": "n1", "title": "secret"}})
    server.data(UPDATE, {"i": {"id": "n1", "title": "secret2", "_version": 1}})
    for query, field in ((UPDATE, "updateNote"), (DELETE, "deleteNote")):
        variables = {"i": {"id": "n1", "_version": 1, **({"title": "x"} if field == "updateNote" else {})}}
        body = server.call(query, variables, user="bob")
        assert body["data"] == {field: None}
        (error,) = body["errors"]
        assert error["errorType"] == "Unauthorized" and error["data"] is None, error
        assert "secret" not in str(body)
    stored = server.stored("n1")
    assert stored is not None and stored["_version"] == 2
