"""VTL that reads the caller's identity: provider blocks, group claims, owner claim candidates and IAM checks.

Shared by every auth template so that a claim is read the same way in create, update, read, field
and subscription checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

from transformer.emit_vtl.vtl import VtlWriter, q
from transformer.matrix import Role, RoleKind
from transformer.rules import Provider

AUTH_TYPE: dict[Provider, str] = {
    Provider.USER_POOLS: "User Pool Authorization",
    Provider.OIDC: "Open ID Connect Authorization",
    Provider.IAM: "IAM Authorization",
    Provider.API_KEY: "API Key Authorization",
    Provider.FUNCTION: "Lambda Authorization",
}
PROVIDER_ORDER: tuple[Provider, ...] = (
    Provider.API_KEY,
    Provider.FUNCTION,
    Provider.IAM,
    Provider.OIDC,
    Provider.USER_POOLS,
)


def claim_expression(claim: str) -> str:
    """`$ctx.identity.claims.get(...)`; the claim `username` falls back to `cognito:username`, as in Amplify."""
    direct = f"$ctx.identity.claims.get({q(claim)})"
    if claim == "username":
        return f"$util.defaultIfNull({direct}, $ctx.identity.claims.get('cognito:username'))"
    return direct


class IdentityNames:
    """Hands out distinct variable names for one template, so no check reads another's leftovers."""

    def __init__(self) -> None:
        self._groups: dict[str, str] = {}
        self._counter = 0

    def next_index(self) -> int:
        self._counter += 1
        return self._counter

    def groups_var(self, w: VtlWriter, claim: str) -> str:
        """The caller's groups from `claim` as a list of strings (emitted once per claim and provider block).

        A list keeps its string entries; a string holding a JSON array is parsed; any other
        non-blank string is one group name. Never a substring test (a deliberate, safe difference
        from Amplify's static check).
        """
        if claim in self._groups:
            return self._groups[claim]
        index = self.next_index()
        w.lines(_groups_lines(claim, index))
        var = self._groups[claim] = f"$groupsInToken{index}"
        return var

    def reset_block(self) -> None:
        self._groups = {}


@lru_cache(maxsize=256)
def _groups_lines(claim: str, index: int) -> tuple[str, ...]:
    """The lines of `IdentityNames.groups_var` (the same for every template that reads `claim` as its `index`th name)."""
    w = VtlWriter()
    var, raw, items = f"$groupsInToken{index}", f"$groupsRaw{index}", f"$groupItems{index}"
    source = claim_expression(claim)
    w.line(f"#set({var} = [])")
    with w.block(f"#if(!$util.isNull({source}))"):
        w.line(f"#set({raw} = {source})")
        w.line(f"#set({items} = [])")
        w.line(f"#if($util.isList({raw}))")
        w.line(f"  #set({items} = {raw})")
        w.line(f"#elseif($util.isString({raw}) && !{raw}.trim().isEmpty())")
        w.line(f"  #if({raw}.trim().startsWith('['))")
        w.line(f"    #set({items} = $util.parseJson({raw}.trim()))")
        w.line("  #else")
        w.line(f"    #set({items} = [{raw}])")
        w.line("  #end")
        w.line("#end")
        with w.block(f"#foreach($groupItem in {items})"), w.block("#if($util.isString($groupItem))"):
            w.qr(f"{var}.add($groupItem)")
    return tuple(w.written())


def owner_claims(w: VtlWriter, role: Role, names: IdentityNames) -> tuple[str, str, str]:
    """Emit the owner claim values of `role`.

    Returns `(valid, candidates, stored_value)`: a flag that is true only when every claim of the
    identity claim is present, the list of values a record may hold (`sub::username`, `sub`,
    `username`), and the value auto-filled into a new record (all claims joined by `::`).
    The caller must use `candidates` and `stored_value` only inside `#if(valid)`.
    """
    index = names.next_index()
    w.lines(_owner_claim_lines(role.identity_claims or ("username",), index))
    return f"$ownerValid{index}", f"$ownerCandidates{index}", f"$ownerFull{index}"


@lru_cache(maxsize=256)
def _owner_claim_lines(claims: tuple[str, ...], index: int) -> tuple[str, ...]:
    """The lines of `owner_claims` (the same for every template reading `claims` as its `index`th names)."""
    w = VtlWriter()
    valid = f"$ownerValid{index}"
    w.line(f"#set({valid} = true)")
    for claim in claims:
        with w.block(f"#if($util.isNull({claim_expression(claim)}))"):
            w.line(f"#set({valid} = false)")
    candidates = f"$ownerCandidates{index}"
    full = f"$ownerFull{index}"
    with w.block(f"#if({valid})"):
        parts = []
        for position, claim in enumerate(claims):
            part = f"$ownerPart{index}_{position}"
            w.line(f"#set({part} = {claim_expression(claim)})")
            parts.append(part)
        if len(parts) == 1:
            w.line(f"#set({full} = {parts[0]})")
            w.line(f"#set({candidates} = [{parts[0]}])")
        else:
            joined = parts[0] + "".join(f".concat('::').concat({part})" for part in parts[1:])
            w.line(f"#set({full} = {joined})")
            w.line(f"#set({candidates} = [{full}, {', '.join(parts)}])")
    return tuple(w.written())


def static_condition(role: Role, w: VtlWriter, names: IdentityNames, *, via_identity_pool: bool = True) -> str:
    """A VTL condition that is true when `role` (decided from the identity alone) lets the caller in.

    IAM private admits the authenticated role, or (with `via_identity_pool`) any authenticated
    identity of the API's identity pool; Amplify's create check for a role allowed on only some
    fields compares the role ARN alone.
    """
    if role.kind is RoleKind.STATIC_GROUP:
        groups = names.groups_var(w, role.group_claim or "cognito:groups")
        return f"{groups}.contains({q(role.group or '')})"
    if role.provider is Provider.IAM and role.kind is RoleKind.PRIVATE and not via_identity_pool:
        return "($ctx.identity.userArn == $ctx.stash.authRole && !$util.isNull($ctx.identity.userArn))"
    if role.provider is Provider.IAM and role.kind is RoleKind.PRIVATE:
        return (
            "(($ctx.identity.userArn == $ctx.stash.authRole && !$util.isNull($ctx.identity.userArn))"
            " || (!$util.isNull($ctx.identity.cognitoIdentityPoolId)"
            " && $ctx.identity.cognitoIdentityPoolId == $ctx.stash.identityPoolId"
            " && $ctx.identity.cognitoIdentityAuthType == 'authenticated'))"
        )
    if role.provider is Provider.IAM and role.kind is RoleKind.PUBLIC:
        return "($ctx.identity.userArn == $ctx.stash.unauthRole && !$util.isNull($ctx.identity.userArn))"
    return "true"


def admin_role_bypass(w: VtlWriter, returned: str) -> None:
    """IAM admin roles skip every @auth check (Amplify's `adminRoles`).

    The role name must appear as `:assumed-role/<name>/` in the caller's ARN (a whole role name, not
    a substring), and the identity pool's own roles never count.
    """
    w.lines(_admin_bypass_lines(returned))


@lru_cache(maxsize=16)
def _admin_bypass_lines(returned: str) -> tuple[str, ...]:
    w = VtlWriter()
    with w.block("#if($util.authType() == 'IAM Authorization' && !$util.isNull($ctx.identity.userArn))"):
        w.line("#set($anchoredArn = $ctx.identity.userArn.concat('/'))")
        w.line("#set($assumedRolePrefix = ':assumed-role/')")
        with w.block("#foreach($adminRole in $ctx.stash.adminRoles)"), w.block(
            "#if($anchoredArn.contains($assumedRolePrefix.concat($adminRole).concat('/'))"
            " && $ctx.identity.userArn != $ctx.stash.authRole"
            " && $ctx.identity.userArn != $ctx.stash.unauthRole)"
        ):
            w.line(f"#return({returned})")
    return tuple(w.written())


def provider_sections(
    w: VtlWriter,
    roles: Sequence[Role],
    emit: Callable[[VtlWriter, Provider, list[Role], IdentityNames], None],
) -> None:
    """One `#if($util.authType() == ...)` block per provider that has roles here; `emit` writes its checks."""
    names = IdentityNames()
    for provider in PROVIDER_ORDER:
        mine = [role for role in roles if role.provider is provider]
        if not mine:
            continue
        names.reset_block()
        with w.block(f"#if($util.authType() == {q(AUTH_TYPE[provider])})"):
            emit(w, provider, mine, names)


def split_roles(roles: Sequence[Role]) -> tuple[list[Role], list[Role], list[Role], list[Role]]:
    """A JWT provider's roles in Amplify's evaluation order: private, static groups, owners, dynamic groups."""
    private = [r for r in roles if r.kind is RoleKind.PRIVATE][:1]
    static = [r for r in roles if r.kind is RoleKind.STATIC_GROUP]
    owners = [r for r in roles if r.kind is RoleKind.OWNER]
    dynamic = [r for r in roles if r.kind is RoleKind.DYNAMIC_GROUP]
    return private, static, owners, dynamic
