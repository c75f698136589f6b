"""When a query's own owner/dynamic-group filter guarantees that the caller may read a field on
every record it reaches (used to decide whether a `filter` may name that field).

A list restricted by owner or dynamic-group rules only reaches records one of those rules admits.
If every such rule is also a read rule of the field (same kind, same record field, same claim),
the caller may read the field on each of them, so filtering on it reveals nothing. One statement,
used by the run-time guards and by the emitted templates.
"""

from __future__ import annotations

from collections.abc import Iterable

from transformer.matrix import Role, RoleKind
from transformer.rules import Provider

RoleSignature = tuple[RoleKind, str, str]


def record_role_signature(role: Role) -> RoleSignature | None:
    """What makes two owner (or dynamic-group) rules admit exactly the same records."""
    if role.kind is RoleKind.OWNER:
        return (RoleKind.OWNER, role.owner_field or "owner", role.identity_claim or "username")
    if role.kind is RoleKind.DYNAMIC_GROUP:
        return (RoleKind.DYNAMIC_GROUP, role.groups_field or "groups", role.group_claim or "cognito:groups")
    return None


def scope_implies_field(scope_roles: Iterable[Role], field_roles: Iterable[Role], provider: Provider) -> bool:
    """Whether a query restricted by `scope_roles`' filter only reaches records `field_roles` let the caller read."""
    scoped = {record_role_signature(r) for r in scope_roles if r.provider is provider}
    scoped.discard(None)
    readable = {record_role_signature(r) for r in field_roles if r.provider is provider}
    return bool(scoped) and scoped <= readable


__all__ = ["RoleSignature", "record_role_signature", "scope_implies_field"]
