"""What an AppSync *versioned* DynamoDB data source does to a write (conflict detection and resolution).

Shared by both engines (`serve`'s Python resolvers and the template engine's DynamoDB data source). From
AWS's "Versioning DynamoDB data sources" and "Conflict detection and resolution" pages:

* every write stamps `_version` (1 on create, +1 after) and `_lastChangedAt` (epoch milliseconds);
* a delete is a tombstone: `_deleted: true`, `_version` +1, kept in the base table for `BaseTableTTL` minutes
  (`_ttl`, epoch seconds, when DynamoDB's TTL removes it);
* an update or delete whose `_version` differs from the stored one is a conflict, handled by the model's
  strategy: OPTIMISTIC_CONCURRENCY rejects it (`ConflictUnhandled`, the server's item as the error's data);
  AUTOMERGE merges by type (scalars: the server's value stays; lists: the incoming values are appended,
  duplicates kept; maps: merged key by key with these rules; a field the server lacks or holds as null takes
  the incoming value) and writes with the next version; LAMBDA asks the conflict handler, which answers
  `RESOLVE` (with the item to write), `REJECT` or `REMOVE`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from transformer.conflict_resolution import BASE_TABLE_TTL, DELTA_SYNC_TABLE_TTL, TTL_ATTRIBUTE, ConflictHandler

VERSION = "_version"
DELETED = "_deleted"
LAST_CHANGED_AT = "_lastChangedAt"
SYNC_ATTRIBUTES = (VERSION, DELETED, LAST_CHANGED_AT, TTL_ATTRIBUTE)
CONFLICT_UNHANDLED = "ConflictUnhandled"
CONFLICT_MESSAGE = "Conflict resolver rejects mutation."
LAMBDA_UNHANDLED = "Lambda:Unhandled"

ConflictCall = Callable[[dict[str, Any]], Any]
"""The Lambda conflict handler: called with AppSync's event, answers `{"action": ..., "item": ...}`."""


class ConflictUnhandled(Exception):
    """A rejected conflict: `server` is the stored item, which AppSync returns as the error's data."""

    def __init__(self, server: Mapping[str, Any]) -> None:
        super().__init__(CONFLICT_MESSAGE)
        self.server = dict(server)


class ConflictHandlerFailed(Exception):
    """The Lambda conflict handler failed or answered something that is not a decision."""


@dataclass(frozen=True)
class Versioning:
    """One model's versioned data source: its conflict strategy and its retention times (minutes)."""

    strategy: ConflictHandler
    handler: ConflictCall | None = None
    base_table_ttl: int = BASE_TABLE_TTL
    delta_sync_table_ttl: int = DELTA_SYNC_TABLE_TTL


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def stamped(item: Mapping[str, Any], version: int, at: int | None = None) -> dict[str, Any]:
    """`item` as the versioned data source writes it: `_version`, `_lastChangedAt`, no client-set sync field."""
    written = {k: v for k, v in item.items() if k not in SYNC_ATTRIBUTES}
    written[VERSION] = version
    written[LAST_CHANGED_AT] = now_ms() if at is None else at
    return written


def created(item: Mapping[str, Any]) -> dict[str, Any]:
    return stamped(item, 1)


def stored_version(item: Mapping[str, Any]) -> int:
    value = item.get(VERSION)
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def tombstone(item: Mapping[str, Any], versioning: Versioning) -> dict[str, Any]:
    at = now_ms()
    removed = stamped(item, stored_version(item) + 1, at)
    removed[DELETED] = True
    removed[TTL_ATTRIBUTE] = at // 1000 + versioning.base_table_ttl * 60
    return removed


def automerge(server: Any, incoming: Any) -> Any:
    """AppSync's Automerge of one value: maps key by key, lists appended, the server's scalar kept."""
    if server is None:
        return incoming
    if isinstance(server, Mapping) and isinstance(incoming, Mapping):
        merged = dict(server)
        for key, value in incoming.items():
            merged[key] = automerge(server.get(key), value)
        return merged
    if isinstance(server, list) and isinstance(incoming, list):
        return [*server, *incoming]
    return server


def merged_item(server: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The server item with the mutation's changed fields automerged in (sync fields are the server's)."""
    merged = dict(server)
    for name, value in changes.items():
        if name in SYNC_ATTRIBUTES:
            continue
        merged[name] = automerge(server.get(name), value)
    return merged


@dataclass(frozen=True)
class Resolution:
    """What to do with a conflicting write: write `item` (a new version), or tombstone the server item."""

    item: dict[str, Any] | None = None
    remove: bool = False


def lambda_event(versioning: Versioning, *, new_item: Mapping[str, Any] | None, existing: Mapping[str, Any],
                 arguments: Mapping[str, Any], resolver: Mapping[str, Any],
                 identity: Mapping[str, Any] | None) -> dict[str, Any]:
    """The event AppSync sends its Lambda conflict handler."""
    return {
        "newItem": dict(new_item) if new_item is not None else None,
        "existingItem": dict(existing),
        "arguments": dict(arguments),
        "resolver": dict(resolver),
        "identity": dict(identity) if identity is not None else None,
    }


def ask_handler(versioning: Versioning, event: dict[str, Any]) -> Resolution:
    """Call the Lambda conflict handler and read its decision (REJECT raises `ConflictUnhandled`)."""
    if versioning.handler is None:
        raise ConflictHandlerFailed("no conflict handler is configured")
    try:
        answer = versioning.handler(event)
    except ConflictHandlerFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - the user's handler failing is the mutation's error
        raise ConflictHandlerFailed(f"{type(exc).__name__}: {exc}") from None
    action = answer.get("action") if isinstance(answer, Mapping) else None
    if action == "REJECT":
        raise ConflictUnhandled(event["existingItem"])
    if action == "REMOVE":
        return Resolution(remove=True)
    if action == "RESOLVE" and isinstance(answer.get("item"), Mapping):
        return Resolution(item=dict(answer["item"]))
    raise ConflictHandlerFailed(
        "the conflict handler must answer {\"action\": \"RESOLVE\", \"item\": {...}}, {\"action\": \"REJECT\"} or "
        f"{{\"action\": \"REMOVE\"}}; it answered {answer!r}"
    )


def resolve_update(versioning: Versioning, server: Mapping[str, Any], caller_version: int, updated: Mapping[str, Any],
                   changes: Mapping[str, Any], key: Mapping[str, Any],
                   event: Callable[[dict[str, Any] | None], dict[str, Any]]) -> dict[str, Any]:
    """The item an update writes. `updated` is the server item with the changes applied (no conflict);
    `event(new_item)` builds the Lambda handler's event."""
    version = stored_version(server)
    if caller_version == version:
        return stamped(updated, version + 1)
    if versioning.strategy is ConflictHandler.AUTOMERGE:
        return stamped(merged_item(server, changes), version + 1)
    if versioning.strategy is ConflictHandler.LAMBDA:
        resolution = ask_handler(versioning, event(dict(updated)))
        if resolution.remove:
            return tombstone(server, versioning)
        assert resolution.item is not None
        return stamped({**resolution.item, **key}, version + 1)
    raise ConflictUnhandled(server)


def resolve_delete(versioning: Versioning, server: Mapping[str, Any], caller_version: int, key: Mapping[str, Any],
                   event: Callable[[dict[str, Any] | None], dict[str, Any]]) -> dict[str, Any]:
    """The tombstone a delete writes (or, for a conflict the handler resolves, the item it writes)."""
    version = stored_version(server)
    if caller_version == version:
        return tombstone(server, versioning)
    if versioning.strategy is ConflictHandler.LAMBDA:
        resolution = ask_handler(versioning, event(None))
        if resolution.remove:
            return tombstone(server, versioning)
        assert resolution.item is not None
        return stamped({**resolution.item, **key}, version + 1)
    raise ConflictUnhandled(server)


def expired(item: Mapping[str, Any], now_seconds: int | None = None) -> bool:
    """A tombstone past its `_ttl` (DynamoDB's TTL has removed it)."""
    ttl = item.get(TTL_ATTRIBUTE)
    if not isinstance(ttl, int | float) or isinstance(ttl, bool):
        return False
    return ttl <= (time.time() if now_seconds is None else now_seconds)


def delta_window_start(versioning: Versioning, at: int) -> int:
    """The oldest `lastSync` the delta-sync table still covers; an older one gets a full (base table) sync."""
    return at - versioning.delta_sync_table_ttl * 60 * 1000
