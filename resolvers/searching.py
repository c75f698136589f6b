"""`search<Plural>` answered over the local store, as Amplify's OpenSearch resolver answers it.

The records given are those the caller may read (the search operation's auth filter is applied by the
store first). Then, as Amplify's request template builds the OpenSearch query:

* `filter`: per field `eq`/`ne` (exact), `gt`/`gte`/`lt`/`lte`, `range: [low, high]` (inclusive),
  `exists`, `match` / `multiMatch` (any word of the text, case-insensitive), `matchPhrase` (the words in
  order), `matchPhrasePrefix` (the phrase, its last word as a prefix), `wildcard` (`*` and `?`, whole value),
  `regexp` (whole value); `and`, `or`, `not` combine filters;
* `sort`: a list of `{field, direction}` (`asc`/`desc`), the primary key order otherwise;
* `limit` (default 100), `from` (an offset) or the `nextToken` of the previous page; `total` counts every
  match;
* `aggregates`: `terms` (buckets of values by count), `avg`, `min`, `max`, `sum`, `cardinality`, over all
  matches.

Local search is exact and in memory: OpenSearch's analyzers, scoring and relevance order are not modelled.
"""

from __future__ import annotations

import base64
import fnmatch
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

DEFAULT_LIMIT = 100
_WORD = re.compile(r"\w+")


class SearchError(ValueError):
    """A search the local engine cannot answer (bad token, unknown aggregate); a bad request."""


def _words(value: Any) -> list[str]:
    return _WORD.findall(str(value).lower())


def _values(stored: Any) -> list[Any]:
    """A list field matches when any of its elements does (as OpenSearch indexes arrays)."""
    return list(stored) if isinstance(stored, list) else [stored]


def _comparable(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return isinstance(stored, bool) and isinstance(wanted, bool)
    if isinstance(stored, int | float) and isinstance(wanted, int | float):
        return True
    return isinstance(stored, str) and isinstance(wanted, str)


def _ordered(value: Any, op: str, wanted: Any) -> bool:
    if op == "gt":
        return bool(value > wanted)
    if op == "gte":
        return bool(value >= wanted)
    return bool(value < wanted) if op == "lt" else bool(value <= wanted)


def _phrase(stored: Any, words: list[str], prefix: bool) -> bool:
    have = _words(stored)
    if not words:
        return False
    for start in range(len(have) - len(words) + 1):
        window = have[start : start + len(words)]
        if window[:-1] == words[:-1] and (window[-1].startswith(words[-1]) if prefix else window[-1] == words[-1]):
            return True
    return False


def _condition(stored: Any, op: str, wanted: Any) -> bool:
    present = stored is not None
    if op == "exists":
        return present is bool(wanted)
    if op == "ne":
        return not any(v == wanted for v in _values(stored)) if present else True
    if not present:
        return False
    for value in _values(stored):
        if value is None:
            continue
        if op == "eq" and value == wanted:
            return True
        if op in ("gt", "gte", "lt", "lte") and _comparable(value, wanted) and _ordered(value, op, wanted):
            return True
        if op == "range":
            low, high = (list(wanted) + [None, None])[:2]
            if low is not None and high is not None and _comparable(value, low) and low <= value <= high:
                return True
        if op in ("match", "multiMatch") and set(_words(wanted)) & set(_words(value)):
            return True
        if op in ("matchPhrase", "matchPhrasePrefix") and _phrase(value, _words(wanted), op == "matchPhrasePrefix"):
            return True
        if op == "wildcard" and isinstance(value, str) and fnmatch.fnmatchcase(value, str(wanted)):
            return True
        if op == "regexp" and isinstance(value, str):
            try:
                if re.fullmatch(str(wanted), value):
                    return True
            except re.error as exc:
                raise SearchError(f"regexp {wanted!r}: {exc}") from None
    return False


def matches(search_filter: Mapping[str, Any] | None, record: Mapping[str, Any]) -> bool:
    """Whether `record` passes a `Searchable<Model>FilterInput`."""
    if not search_filter:
        return True
    for name, value in search_filter.items():
        if value is None:
            continue
        if name == "and":
            ok = all(matches(part, record) for part in value)
        elif name == "or":
            ok = any(matches(part, record) for part in value)
        elif name == "not":
            ok = not matches(value, record)
        else:
            ok = all(_condition(record.get(name), op, wanted) for op, wanted in value.items() if wanted is not None)
        if not ok:
            return False
    return True


def _sort_key(value: Any) -> tuple[int, Any]:
    """Missing values last, numbers and text each in their natural order."""
    if value is None:
        return (2, "")
    if isinstance(value, bool | int | float):
        return (0, value)
    return (1, str(value))


def _sorted(records: list[dict[str, Any]], sort: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    ordered = list(records)
    for entry in reversed([s for s in sort or () if s and s.get("field")]):
        descending = entry.get("direction") == "desc"
        present = [r for r in ordered if r.get(entry["field"]) is not None]
        missing = [r for r in ordered if r.get(entry["field"]) is None]
        present.sort(key=lambda r: _sort_key(r.get(entry["field"])), reverse=descending)
        ordered = present + missing
    return ordered


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"from": offset}).encode()).decode()


def _offset(token: str | None, start: int | None) -> int:
    if token is None:
        return max(0, start or 0)
    try:
        offset = json.loads(base64.urlsafe_b64decode(token.encode()))["from"]
    except (ValueError, KeyError, TypeError):
        raise SearchError("Invalid nextToken") from None
    if not isinstance(offset, int) or offset < 0:
        raise SearchError("Invalid nextToken")
    return offset


def _numbers(records: list[dict[str, Any]], field: str) -> list[float]:
    return [float(v) for r in records for v in _values(r.get(field))
            if isinstance(v, int | float) and not isinstance(v, bool)]


def aggregate(records: list[dict[str, Any]], spec: Mapping[str, Any]) -> dict[str, Any]:
    """One `SearchableAggregateResult` over every match."""
    kind, field = spec.get("type"), str(spec.get("field"))
    if kind == "terms":
        counts = Counter(str(v).lower() if isinstance(v, bool) else str(v)
                         for r in records for v in _values(r.get(field)) if v is not None)
        buckets = [{"key": key, "doc_count": count} for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
        return {"name": spec.get("name"), "result": {"__typename": "SearchableAggregateBucketResult", "buckets": buckets}}
    if kind == "cardinality":
        value = float(len({json.dumps(v, sort_keys=True) for r in records for v in _values(r.get(field)) if v is not None}))
    else:
        numbers = _numbers(records, field)
        if kind == "avg":
            value = sum(numbers) / len(numbers) if numbers else 0.0
        elif kind == "min":
            value = min(numbers) if numbers else 0.0
        elif kind == "max":
            value = max(numbers) if numbers else 0.0
        elif kind == "sum":
            value = sum(numbers)
        else:
            raise SearchError(f"unknown aggregate type {kind!r}")
    return {"name": spec.get("name"), "result": {"__typename": "SearchableAggregateScalarResult", "value": value}}


def search_records(records: list[dict[str, Any]], args: Mapping[str, Any]) -> dict[str, Any]:
    """The `Searchable<Model>Connection` for `args` over the records the caller may read."""
    found = [r for r in records if matches(args.get("filter"), r)]
    ordered = _sorted(found, args.get("sort"))
    limit = args.get("limit") or DEFAULT_LIMIT
    if limit < 1:
        raise SearchError("limit must be a positive number")
    start = _offset(args.get("nextToken"), args.get("from"))
    page = ordered[start : start + limit]
    following = start + limit if start + limit < len(ordered) else None
    return {
        "items": page,
        "nextToken": _token(following) if following is not None else None,
        "total": len(found),
        "aggregateItems": [aggregate(found, spec) for spec in args.get("aggregates") or ()],
    }
