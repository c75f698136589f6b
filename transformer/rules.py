"""The `@auth` rule model (Amplify transformer v2 grammar) with Amplify's defaults applied once.

`rule_from_arguments` turns the raw argument map of one `AuthRule` into a frozen `AuthRule`, or
into diagnostics naming what is wrong, using Amplify's own validation messages where it has them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SerializationInfo, field_serializer

from transformer.diagnostics import Diagnostic, error, warning


class Strategy(StrEnum):
    OWNER = "owner"
    GROUPS = "groups"
    PRIVATE = "private"
    PUBLIC = "public"
    CUSTOM = "custom"


class Provider(StrEnum):
    """Auth providers; `identityPool` (the CDK-era name) is read as `iam`, which Amplify treats as equal."""

    USER_POOLS = "userPools"
    OIDC = "oidc"
    IAM = "iam"
    API_KEY = "apiKey"
    FUNCTION = "function"


class Operation(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    GET = "get"
    LIST = "list"
    SYNC = "sync"
    LISTEN = "listen"
    SEARCH = "search"


READ_OPERATIONS: tuple[Operation, ...] = (
    Operation.GET,
    Operation.LIST,
    Operation.LISTEN,
    Operation.SEARCH,
    Operation.SYNC,
)
WRITE_OPERATIONS: tuple[Operation, ...] = (Operation.CREATE, Operation.UPDATE, Operation.DELETE)
MODEL_OPERATIONS: tuple[Operation, ...] = WRITE_OPERATIONS + READ_OPERATIONS

DEFAULT_OWNER_FIELD = "owner"
DEFAULT_GROUPS_FIELD = "groups"
DEFAULT_GROUP_CLAIM = "cognito:groups"
SUB_USERNAME_CLAIM = "sub::username"
USERNAME_CLAIM = "username"
IDENTITY_CLAIM_DELIMITER = "::"

DEFAULT_PROVIDER: dict[Strategy, Provider] = {
    Strategy.OWNER: Provider.USER_POOLS,
    Strategy.GROUPS: Provider.USER_POOLS,
    Strategy.PRIVATE: Provider.USER_POOLS,
    Strategy.PUBLIC: Provider.API_KEY,
    Strategy.CUSTOM: Provider.FUNCTION,
}
ALLOWED_PROVIDERS: dict[Strategy, frozenset[Provider]] = {
    Strategy.OWNER: frozenset({Provider.USER_POOLS, Provider.OIDC}),
    Strategy.GROUPS: frozenset({Provider.USER_POOLS, Provider.OIDC}),
    Strategy.PRIVATE: frozenset({Provider.USER_POOLS, Provider.OIDC, Provider.IAM}),
    Strategy.PUBLIC: frozenset({Provider.API_KEY, Provider.IAM}),
    Strategy.CUSTOM: frozenset({Provider.FUNCTION}),
}
FIELD_LEVEL_OPERATIONS = frozenset({"create", "update", "delete", "read"})


LOCATIONS_RELATIVE_TO = "locations_relative_to"
"""Serialization context key: a folder that written locations name their file relative to."""


class SourceLocation(BaseModel):
    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    column: int

    @field_serializer("file")
    def _written_file(self, file: str, info: SerializationInfo) -> str:
        """With `context={LOCATIONS_RELATIVE_TO: folder}`, a file inside the folder is named relative to it and any
        other by its name alone, so that a build is the same on any machine (each distinct file worked out once)."""
        context = info.context
        if not isinstance(context, dict) or LOCATIONS_RELATIVE_TO not in context:
            return file
        named: dict[str, str] = context.setdefault("_named_files", {})
        found = named.get(file)
        if found is None:
            base, path = context[LOCATIONS_RELATIVE_TO], Path(file)
            found = named[file] = path.relative_to(base).as_posix() if path.is_relative_to(base) else path.name
        return found


class AuthRule(BaseModel):
    """One `@auth` rule, normalised: every default filled in, `read` split into its operations."""

    model_config = ConfigDict(frozen=True)

    allow: Strategy
    provider: Provider
    operations: tuple[Operation, ...]
    owner_field: str | None = None
    identity_claim: str | None = None
    group_claim: str | None = None
    groups: tuple[str, ...] | None = None
    groups_field: str | None = None
    location: SourceLocation | None = None

    @property
    def is_static_group(self) -> bool:
        return self.allow is Strategy.GROUPS and self.groups is not None

    @property
    def is_dynamic_group(self) -> bool:
        return self.allow is Strategy.GROUPS and self.groups is None

    @property
    def identity_claims(self) -> tuple[str, ...]:
        """`sub::username` -> ("sub", "username"): every claim must be present for the rule to match."""
        return tuple((self.identity_claim or "").split(IDENTITY_CLAIM_DELIMITER)) if self.identity_claim else ()


def _where(location: SourceLocation | None) -> dict[str, object]:
    if location is None:
        return {}
    return {"file": location.file, "line": location.line, "column": location.column}


def _expand_operations(
    raw: object, field_level: bool, location: SourceLocation | None
) -> tuple[tuple[Operation, ...] | None, list[Diagnostic]]:
    where = _where(location)
    if raw is None:
        return MODEL_OPERATIONS, []
    values = raw if isinstance(raw, list) else [raw]
    problems: list[Diagnostic] = []
    names: list[str] = []
    for value in values:
        if not isinstance(value, str) or value not in {*Operation, "read"}:
            problems.append(error("auth.operation", f"@auth: unknown operation {value!r}", **where))
            continue
        if field_level and value not in FIELD_LEVEL_OPERATIONS:
            problems.append(
                error("auth.field-operation", f"'{value}' operation is not allowed at the field level.", **where)
            )
            continue
        names.append(value)
    if "read" in names and any(n in {op.value for op in READ_OPERATIONS} for n in names):
        problems.append(
            error(
                "auth.read-combined",
                "@auth: 'read' cannot be combined with get, list, listen, search or sync in one rule",
                **where,
            )
        )
    if problems:
        return None, problems
    expanded: list[Operation] = []
    for name in names:
        for op in READ_OPERATIONS if name == "read" else (Operation(name),):
            if op not in expanded:
                expanded.append(op)
    return tuple(op for op in MODEL_OPERATIONS if op in expanded), []


def rule_from_arguments(
    raw: Mapping[str, object],
    *,
    location: SourceLocation | None,
    field_level: bool = False,
    sub_username_identity_claim: bool = True,
) -> tuple[AuthRule | None, list[Diagnostic]]:
    """Validate one rule's arguments as Amplify does and fill in its defaults."""
    where = _where(location)
    problems: list[Diagnostic] = []
    for key in ("allow", "provider", "identityClaim", "groupClaim", "ownerField", "groupsField"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(error("auth.argument-type", f"@auth: '{key}' must be a single name, not {value!r}", **where))
    if problems:
        return None, problems
    allow_raw = raw.get("allow")
    if allow_raw not in {s.value for s in Strategy}:
        return None, [error("auth.strategy", f"@auth: unknown or missing strategy 'allow: {allow_raw}'", **where)]
    allow = Strategy(str(allow_raw))

    provider_raw = raw.get("provider")
    if provider_raw is None:
        provider = DEFAULT_PROVIDER[allow]
    elif provider_raw == "identityPool":
        provider = Provider.IAM
    elif provider_raw in {p.value for p in Provider}:
        provider = Provider(str(provider_raw))
    else:
        return None, [error("auth.provider", f"@auth: unknown provider '{provider_raw}'", **where)]
    if provider not in ALLOWED_PROVIDERS[allow]:
        allowed = ", ".join(sorted(p.value for p in ALLOWED_PROVIDERS[allow]))
        problems.append(
            error(
                "auth.provider-strategy",
                f"@auth directive with '{allow.value}' strategy only supports {allowed} "
                f"(provider '{provider_raw}' was given)",
                **where,
            )
        )

    identity_claim = raw.get("identityClaim")
    group_claim = raw.get("groupClaim")
    groups_raw = raw.get("groups")
    groups_field = raw.get("groupsField")
    owner_field = raw.get("ownerField")

    # Amplify rejects only the two combinations below; the other misplaced arguments it ignores (warnings).
    if identity_claim is not None and allow is Strategy.GROUPS:
        problems.append(
            error("auth.identity-claim", "@auth identityClaim can only be used for 'allow: owner'", **where)
        )
    if group_claim is not None and allow is Strategy.OWNER:
        problems.append(error("auth.group-claim", "@auth groupClaim can only be used 'allow: groups'", **where))
    if groups_raw is not None and groups_field is not None:
        problems.append(
            error("auth.groups-both", "This rule has groupsField and groups, please use one or the other", **where)
        )
    if allow is not Strategy.GROUPS and (groups_raw is not None or groups_field is not None):
        # Amplify turns `groups` on any rule into static group roles; too surprising to accept silently.
        problems.append(
            error("auth.groups-args", "@auth groups and groupsField can only be used with 'allow: groups'", **where)
        )
    ignored = [
        name
        for name, value, strategy in (
            ("identityClaim", identity_claim, Strategy.OWNER),
            ("groupClaim", group_claim, Strategy.GROUPS),
            ("ownerField", owner_field, Strategy.OWNER),
        )
        if value is not None
        and allow is not strategy
        and (name, allow) not in {("identityClaim", Strategy.GROUPS), ("groupClaim", Strategy.OWNER)}
    ]
    warnings = [
        warning(
            "auth.argument-ignored",
            f"@auth: '{name}' has no effect on an 'allow: {allow.value}' rule (Amplify ignores it)",
            **where,
        )
        for name in ignored
    ]

    groups: tuple[str, ...] | None = None
    if allow is Strategy.GROUPS:
        if groups_raw is not None and groups_field is not None:
            pass
        elif groups_raw is not None:
            values = groups_raw if isinstance(groups_raw, list) else [groups_raw]
            if not values:
                problems.append(error("auth.groups-empty", "@auth rules using groups cannot have an empty list", **where))
            elif not all(isinstance(g, str) and g for g in values):
                problems.append(error("auth.groups-value", "@auth: every group must be a non-empty string", **where))
            else:
                groups = tuple(dict.fromkeys(str(g) for g in values))
        elif groups_field is None:
            problems.append(
                error(
                    "auth.groups-missing",
                    "@auth directive with 'groups' should have a defined groups list or a groupsField.",
                    **where,
                )
            )

    operations, op_problems = _expand_operations(raw.get("operations"), field_level, location)
    problems.extend(op_problems)
    if problems or operations is None:
        return None, problems

    default_claim = SUB_USERNAME_CLAIM if sub_username_identity_claim else USERNAME_CLAIM
    rule = AuthRule(
        allow=allow,
        provider=provider,
        operations=operations,
        owner_field=str(owner_field or DEFAULT_OWNER_FIELD) if allow is Strategy.OWNER else None,
        identity_claim=str(identity_claim or default_claim) if allow is Strategy.OWNER else None,
        group_claim=str(group_claim or DEFAULT_GROUP_CLAIM) if allow is Strategy.GROUPS else None,
        groups=groups,
        groups_field=(
            str(groups_field or DEFAULT_GROUPS_FIELD) if allow is Strategy.GROUPS and groups is None else None
        ),
        location=location,
    )
    return rule, warnings


def role_names(rule: AuthRule) -> list[str]:
    """The roles Amplify's access-control matrix creates for a rule (a static group rule: one per group).

    Two model-level rules that create the same role are rejected by Amplify ("already exists").
    """
    if rule.is_static_group:
        return [f"{rule.provider.value}:staticGroup:{group}:{rule.group_claim}" for group in rule.groups or ()]
    if rule.provider is Provider.API_KEY:
        return ["apiKey:public"]
    if rule.provider is Provider.FUNCTION:
        return ["function:custom"]
    if rule.provider is Provider.IAM:
        return [f"iam:{rule.allow.value}"]
    if rule.allow is Strategy.GROUPS:
        return [f"{rule.provider.value}:dynamicGroup:{rule.groups_field}:{rule.group_claim}"]
    if rule.allow is Strategy.OWNER:
        return [f"{rule.provider.value}:owner:{rule.owner_field}:{rule.identity_claim}"]
    return [f"{rule.provider.value}:{rule.allow.value}"]
