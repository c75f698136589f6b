"""`serve`'s request log: one line per operation, saying who asked, for what, and which rule decided.

`RecordingPolicy` wraps the guards' policy and keeps, for each request being served, the decisions
the guards made (root operations, and field reads that were refused). Requests run on worker
threads, so decisions are filed under the request's `Identity` object (built afresh for every
request by the authenticator) rather than in a context variable. After the request, `log_lines`
turns them into text and `explanations` into JSON for the explorer: for a denial, every rule that
was tried and why it did not grant (the `explain` command's reasons).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from resolvers.guards.decision import Decision
from resolvers.identity import AuthType, Identity

MAX_REASONS_IN_LINE = 4


@dataclass(frozen=True)
class Decided:
    """One decision of one request: the operation (`Mutation.createPost`, or `Post.internalNotes`)."""

    operation: str
    decision: Decision


class DecisionLog:
    """Collects the decisions of the requests being served, by request.

    A root decision made outside any HTTP request (a subscription started over a WebSocket) goes to
    `unscoped` at once, if given.
    """

    def __init__(self, unscoped: Callable[[Identity, Decided], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._open: dict[int, list[Decided]] = {}
        self.unscoped = unscoped

    @contextmanager
    def request(self, identity: Identity) -> Iterator[list[Decided]]:
        """Collect what is decided for `identity` (this request's own object) until the block ends."""
        decided: list[Decided] = []
        with self._lock:
            self._open[id(identity)] = decided
        try:
            yield decided
        finally:
            with self._lock:
                self._open.pop(id(identity), None)

    def add(self, identity: Identity, operation: str, decision: Decision, *, root: bool = False) -> None:
        with self._lock:
            decided = self._open.get(id(identity))
        if decided is not None:
            decided.append(Decided(operation, decision))
        elif root and self.unscoped is not None:
            self.unscoped(identity, Decided(operation, decision))


class RecordingPolicy:
    """A `Policy` that asks `inner` and files each root decision, and each refused field read, in `log`."""

    def __init__(self, inner: Any, log: DecisionLog) -> None:
        self.inner = inner
        self.log = log

    def _root(self, key: str, identity: Identity, decision: Decision) -> Decision:
        self.log.add(identity, key, decision, root=True)
        return decision

    def create(self, key: str, identity: Identity, input: Mapping[str, Any]) -> Decision:
        return self._root(key, identity, self.inner.create(key, identity, input))

    def update(self, key: str, identity: Identity, input: Mapping[str, Any],
               stored: Mapping[str, Any] | None) -> Decision:
        return self._root(key, identity, self.inner.update(key, identity, input, stored))

    def delete(self, key: str, identity: Identity, stored: Mapping[str, Any] | None) -> Decision:
        return self._root(key, identity, self.inner.delete(key, identity, stored))

    def get(self, key: str, identity: Identity, record: Mapping[str, Any] | None) -> Decision:
        return self._root(key, identity, self.inner.get(key, identity, record))

    def list(self, key: str, identity: Identity) -> Decision:
        return self._root(key, identity, self.inner.list(key, identity))

    def subscribe(self, key: str, identity: Identity, args: Mapping[str, Any]) -> Decision:
        return self._root(key, identity, self.inner.subscribe(key, identity, args))

    def field_read(self, type_name: str, field_name: str, identity: Identity, source: Mapping[str, Any],
                   from_mutation: bool) -> Decision:
        decision: Decision = self.inner.field_read(type_name, field_name, identity, source, from_mutation)
        if not decision.allowed:
            self.log.add(identity, f"{type_name}.{field_name}", decision)
        return decision

    def filter_fields(self, key: str, identity: Identity, names: frozenset[str], *,
                      record: Mapping[str, Any] | None = None, scoped: bool = False) -> Decision:
        decision: Decision = self.inner.filter_fields(key, identity, names, record=record, scoped=scoped)
        if not decision.allowed:
            self.log.add(identity, f"{key} (filter on {', '.join(sorted(names))})", decision)
        return decision

    def event_visible(self, decision: Decision, record: Mapping[str, Any], model: str) -> bool:
        return bool(self.inner.event_visible(decision, record, model))

    def checks_field(self, type_name: str, field_name: str, identity: Identity) -> bool:
        return bool(self.inner.checks_field(type_name, field_name, identity))

    def __getattr__(self, name: str) -> Any:
        """Anything else the wrappers may ask the policy (added later) goes to the guards unrecorded."""
        return getattr(self.inner, name)


def identity_label(identity: Identity) -> str:
    """Who: the user and groups, the API key, the IAM role, or the Lambda caller."""
    kind = identity.auth_type
    if kind in (AuthType.USER_POOLS, AuthType.OIDC):
        groups = identity.groups()
        who = identity.username or identity.sub or "?"
        return f"{who} ({kind.value}{', groups ' + ','.join(groups) if groups else ''})"
    if kind is AuthType.API_KEY:
        return "apiKey"
    if kind is AuthType.IAM:
        role = (identity.user_arn or "").rsplit("/", 2)
        return f"iam ({role[-2] if len(role) >= 2 else identity.user_arn or '?'})"
    return kind.value


def _reasons(decision: Decision) -> list[dict[str, Any]]:
    try:
        return [reason.to_json() for reason in decision.reasons]
    except Exception:  # noqa: BLE001 - an explanation that fails must not fail the request
        return []


def _outcome(decided: Decided) -> str:
    decision = decided.decision
    if decision.allowed:
        if decision.granted_by:
            return f"{decided.operation} ALLOWED by {', '.join(decision.granted_by)}"
        if decision.admin_bypass:
            return f"{decided.operation} ALLOWED (IAM admin role)"
        if decision.filter is not None:
            return f"{decided.operation} ALLOWED, records filtered to {decision.filter.to_json()}"
        return f"{decided.operation} ALLOWED"
    reasons = [r for r in _reasons(decision) if not r["granted"]]
    tried = "; ".join(f"{r['role']}: {r['detail']}" for r in reasons[:MAX_REASONS_IN_LINE])
    more = f"; +{len(reasons) - MAX_REASONS_IN_LINE} more" if len(reasons) > MAX_REASONS_IN_LINE else ""
    return f"{decided.operation} DENIED" + (f" (tried {tried}{more})" if tried else f": {decision.message or ''}")


def log_lines(identity: Identity, decided: Sequence[Decided], errors: Sequence[Mapping[str, Any]] = (),
              fallback_operation: str = "request") -> list[str]:
    """One line per decided operation; a request nothing was decided for gets one line with its first error."""
    who = identity_label(identity)
    if decided:
        return [f"{who}  {_outcome(item)}" for item in decided]
    if errors:
        first = errors[0]
        return [f"{who}  {fallback_operation} ERROR {first.get('errorType') or 'Error'}: {first.get('message')}"]
    return [f"{who}  {fallback_operation} ok"]


def explanations(decided: Sequence[Decided]) -> list[dict[str, Any]]:
    """For the explorer: each decision, and for a denial every rule tried and why it did not grant."""
    out: list[dict[str, Any]] = []
    for item in decided:
        entry: dict[str, Any] = {"operation": item.operation, "allowed": item.decision.allowed,
                                 "grantedBy": list(item.decision.granted_by)}
        if item.decision.allowed and item.decision.filter is not None:
            entry["filter"] = item.decision.filter.to_json()
        if not item.decision.allowed:
            entry["reasons"] = _reasons(item.decision)
            entry["message"] = item.decision.message
        out.append(entry)
    return out


RequestLogger = Callable[[str], None]

__all__ = ["Decided", "DecisionLog", "RecordingPolicy", "RequestLogger", "explanations", "identity_label",
           "log_lines"]
