"""Reading the token claims that owner and group rules compare against records.

Owner claims (`identityClaim`, default `sub::username`): every part is read from the token
(`username` falls back to `cognito:username`); if any part is missing the owner rule cannot match
at all. A record value matches when it equals the joined value (`<sub>::<username>`) or, for a
multi-part claim, any single part (`sub` or `username`: Amplify's backward compatibility).

Group claims: a list, or a string holding a JSON array, or a single group name. Amplify's static
group check tests `String.contains` on a string claim, a substring test (`"SuperAdmins"` passes a
rule for `Admins`); we never do that (a deliberate, documented difference).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from resolvers.identity import Identity, parse_groups

USERNAME_CLAIM = "username"
COGNITO_USERNAME_CLAIM = "cognito:username"
CLAIM_DELIMITER = "::"


@dataclass(frozen=True, slots=True)
class OwnerClaim:
    """The caller's value for one `identityClaim`: the joined value and its parts."""

    joined: str
    parts: tuple[Any, ...]
    """The individual claim values when the claim has several parts; empty for a single claim."""

    @property
    def last(self) -> Any:
        """What subscriptions filter on: the read-back form of an owner value (`username`)."""
        return self.parts[-1] if self.parts else self.joined

    def matches(self, value: Any) -> bool:
        if value is None:
            return False
        return value == self.joined or value in self.parts

    def matches_field(self, value: Any, is_list: bool) -> bool:
        """A list owner field matches when any element does."""
        if is_list:
            return isinstance(value, list | tuple) and any(self.matches(item) for item in value)
        if isinstance(value, list | tuple):
            return False
        return self.matches(value)


def claim_value(claims: Mapping[str, Any], name: str) -> Any:
    if name == USERNAME_CLAIM:
        value = claims.get(USERNAME_CLAIM)
        return claims.get(COGNITO_USERNAME_CLAIM) if value is None else value
    return claims.get(name)


def owner_claim(identity: Identity, identity_claim: str) -> OwnerClaim | None:
    """The caller's owner value for a rule, or None when a claim is missing (the rule is skipped)."""
    names = identity_claim.split(CLAIM_DELIMITER)
    values = [claim_value(identity.claims, name) for name in names]
    if any(value is None for value in values):
        return None
    if len(values) == 1:
        return OwnerClaim(joined=values[0], parts=())
    return OwnerClaim(joined=CLAIM_DELIMITER.join(str(v) for v in values), parts=tuple(values))


def claim_parts(identity: Identity, identity_claim: str) -> list[Any]:
    """Each part that is present, even when others are missing (the list filter adds these one by one)."""
    names = identity_claim.split(CLAIM_DELIMITER)
    if len(names) == 1:
        return []
    return [value for value in (claim_value(identity.claims, name) for name in names) if value is not None]


def user_groups(identity: Identity, group_claim: str) -> list[str]:
    """The groups in `group_claim`, parsed safely (never a substring test)."""
    return parse_groups(identity.claims.get(group_claim))


def in_group(identity: Identity, group_claim: str, group: str) -> bool:
    """Static-group membership; a list claim is tested directly (the common, fast case)."""
    value = identity.claims.get(group_claim)
    if type(value) is list:
        return group in value
    return group in parse_groups(value)


def owner_readback(value: Any) -> Any:
    """What the owner field resolver returns: the part after the last `::` (each element of a list)."""
    if isinstance(value, str):
        return value.rsplit(CLAIM_DELIMITER, 1)[-1]
    if isinstance(value, list):
        return [owner_readback(item) for item in value]
    return value
