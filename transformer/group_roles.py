"""Which IAM role a signed-in user gets from their groups: Cognito's precedence rule, in one place.

Cognito puts the role ARNs of the user's groups in `cognito:roles` and, from the group with the
lowest precedence that has a role, `cognito:preferred_role`; a tie between different roles leaves
no preferred role. The identity pool (Token role mapping, AmbiguousRoleResolution=AuthenticatedRole,
as Amplify configures it) then hands out the preferred role, or else its authenticated role. A user
gets exactly one role: never the union of their groups' permissions (auth-semantics §4.2-4.3).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from transformer.environment import AuthEnvironment
from transformer.precedence import GroupFile, UserPoolGroup


class RoleResolution(BaseModel):
    model_config = ConfigDict(frozen=True)

    roles: list[str]
    """`cognito:roles`: role ARNs of the user's groups that have one, lowest precedence first."""
    preferred_role: str | None
    """`cognito:preferred_role`, or None when the user has no group role or the lowest tie is ambiguous."""
    preferred_group: str | None
    """The group whose role is preferred (the first in file order when tied groups share that role)."""
    effective_role_arn: str
    """The IAM role ARN the identity pool issues credentials for."""
    is_group_role: bool
    reason: str


def authenticated_role_iam_arn(env: AuthEnvironment) -> str:
    """The identity pool's authenticated role as an IAM role ARN (env keeps the assumed-role form)."""
    return f"arn:aws:iam::{env.account_id}:role/{env.auth_role_name}"


def unauthenticated_role_iam_arn(env: AuthEnvironment) -> str:
    return f"arn:aws:iam::{env.account_id}:role/{env.unauth_role_name}"


def resolve_roles(
    groups: Sequence[str],
    group_file: GroupFile,
    env: AuthEnvironment,
    role_arns: Mapping[str, str | None] | None = None,
) -> RoleResolution:
    """Resolve a user's role from their `cognito:groups`.

    `role_arns` replaces the group roles the environment implies (`env.group_role_arn(name)` for every
    group in the file); when given, it is the complete map and a group missing from it has no role.
    Groups the user has that the file does not define have no role either and are skipped.
    """
    member_of = set(groups)
    with_role: list[tuple[UserPoolGroup, str]] = []
    for group in group_file.by_precedence():
        if group.groupName not in member_of:
            continue
        arn = role_arns.get(group.groupName) if role_arns is not None else env.group_role_arn(group.groupName)
        if arn:
            with_role.append((group, arn))

    roles = list(dict.fromkeys(arn for _, arn in with_role))
    fallback = authenticated_role_iam_arn(env)
    if not with_role:
        return RoleResolution(
            roles=[],
            preferred_role=None,
            preferred_group=None,
            effective_role_arn=fallback,
            is_group_role=False,
            reason=_no_role_reason(groups, group_file),
        )

    lowest = with_role[0][0].precedence
    tied = [(group, arn) for group, arn in with_role if group.precedence == lowest]
    tied_roles = set(arn for _, arn in tied)
    if len(tied_roles) > 1:
        names = ", ".join(group.groupName for group, _ in tied)
        return RoleResolution(
            roles=roles,
            preferred_role=None,
            preferred_group=None,
            effective_role_arn=fallback,
            is_group_role=False,
            reason=f"groups {names} share the lowest precedence ({lowest}) with different roles: no "
            "preferred role, so the identity pool gives the authenticated role (AmbiguousRoleResolution)",
        )

    group, arn = tied[0]
    others = [g.groupName for g, _ in with_role if g is not group]
    beaten = f" (wins over {', '.join(others)})" if others else ""
    return RoleResolution(
        roles=roles,
        preferred_role=arn,
        preferred_group=group.groupName,
        effective_role_arn=arn,
        is_group_role=True,
        reason=f"{group.groupName} has the lowest precedence ({lowest}) among the user's groups with a role"
        f"{beaten}",
    )


def _no_role_reason(groups: Sequence[str], group_file: GroupFile) -> str:
    if not groups:
        return "the user is in no group: the identity pool gives the authenticated role"
    unknown = [name for name in groups if group_file.get(name) is None]
    if len(unknown) == len(groups):
        return (
            f"none of the user's groups ({', '.join(groups)}) is in the group file: "
            "the identity pool gives the authenticated role"
        )
    return "none of the user's groups has a role: the identity pool gives the authenticated role"
