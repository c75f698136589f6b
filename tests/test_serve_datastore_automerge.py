"""The versioned data source's conflict rules on their own (`resolvers.versioning`), which both engines share.

Rules from AWS's AppSync developer guide, "Conflict detection and resolution" (Automerge): a conflict on a scalar
keeps the server's value; on a list the incoming values are appended to the server's list, duplicates kept; a
field the mutation adds, or one the server holds as null, is merged in; a map is merged attribute by attribute with
the same rules. The Lambda handler answers RESOLVE (with the item), REJECT or REMOVE.
"""

from __future__ import annotations

from typing import Any

import pytest

from resolvers.versioning import (
    ConflictHandlerFailed,
    ConflictUnhandled,
    Versioning,
    automerge,
    merged_item,
    resolve_delete,
    resolve_update,
)
from transformer.conflict_resolution import ConflictHandler

SERVER: dict[str, Any] = {"id": "1", "name": "Nadia", "jersey": 5, "tags": ["a"], "meta": {"x": 1, "l": [1]},
                          "nick": None, "_version": 4, "_lastChangedAt": 10}


def test_automerge_of_values() -> None:
    assert automerge(5, 55) == 5
    assert automerge(None, 55) == 55
    assert automerge(5, None) == 5
    assert automerge(["a", "b"], ["b", "c"]) == ["a", "b", "b", "c"]
    assert automerge({"x": 1, "l": [1]}, {"x": 2, "y": 3, "l": [2]}) == {"x": 1, "y": 3, "l": [1, 2]}


def test_merged_item_keeps_the_servers_sync_fields_and_scalars() -> None:
    changes = {"jersey": 55, "tags": ["b"], "nick": "N", "city": "Paris", "_version": 2, "meta": {"y": 1}}
    merged = merged_item(SERVER, changes)
    assert merged == {**SERVER, "tags": ["a", "b"], "nick": "N", "city": "Paris", "meta": {"x": 1, "l": [1], "y": 1}}


def _event(new_item: dict[str, Any] | None) -> dict[str, Any]:
    return {"newItem": new_item, "existingItem": SERVER}


def test_a_stale_update_per_strategy() -> None:
    updated = {**SERVER, "jersey": 55}
    key = {"id": "1"}
    with pytest.raises(ConflictUnhandled) as rejected:
        resolve_update(Versioning(ConflictHandler.OPTIMISTIC_CONCURRENCY), SERVER, 2, updated, {"jersey": 55}, key,
                       _event)
    assert rejected.value.server == SERVER
    merged = resolve_update(Versioning(ConflictHandler.AUTOMERGE), SERVER, 2, updated, {"jersey": 55}, key, _event)
    assert merged["jersey"] == 5 and merged["_version"] == 5 and merged["_lastChangedAt"] > 10
    current = resolve_update(Versioning(ConflictHandler.OPTIMISTIC_CONCURRENCY), SERVER, 4, updated, {}, key, _event)
    assert current["jersey"] == 55 and current["_version"] == 5


@pytest.mark.parametrize("answer", [None, {"action": "RESOLVE"}, {"action": "MAYBE"}, "RESOLVE"])
def test_a_lambda_answer_that_is_no_decision_fails(answer: Any) -> None:
    versioning = Versioning(ConflictHandler.LAMBDA, handler=lambda _event: answer)
    with pytest.raises(ConflictHandlerFailed):
        resolve_update(versioning, SERVER, 1, SERVER, {}, {"id": "1"}, _event)


def test_a_lambda_handler_decides_a_stale_delete() -> None:
    remove = Versioning(ConflictHandler.LAMBDA, handler=lambda _event: {"action": "REMOVE"})
    tombstone = resolve_delete(remove, SERVER, 1, {"id": "1"}, _event)
    assert tombstone["_deleted"] is True and tombstone["_version"] == 5 and tombstone["_ttl"] > 0
    reject = Versioning(ConflictHandler.LAMBDA, handler=lambda _event: {"action": "REJECT"})
    with pytest.raises(ConflictUnhandled):
        resolve_delete(reject, SERVER, 1, {"id": "1"}, _event)
    with pytest.raises(ConflictUnhandled):
        resolve_delete(Versioning(ConflictHandler.AUTOMERGE), SERVER, 1, {"id": "1"}, _event)
