"""`gqlauth access`: which role a user gets from the identity pool, and what that role may do.

The role comes from `resolve_roles` (precedence, tie rule). Its permissions are the policies that role
really carries: for a group role its `customPolicies` and the group's storage policy, for the
authenticated role the signed-in storage policies, for guests the unauthenticated ones. Every check
is decided by `iam_policy.evaluate`, which names the statement that decided.
"""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path
from typing import Literal

import click
from pydantic import BaseModel, ConfigDict
from rich.text import Text

from transformer.commands.options import auth_modes_option, parse_auth_modes, split_groups
from transformer.diagnostics import Diagnostic, Severity, has_errors, warning
from transformer.environment import AuthEnvironment
from transformer.group_roles import RoleResolution, resolve_roles, unauthenticated_role_iam_arn
from transformer.iam_policy import NamedPolicy, RequestContext, evaluate, lint_group_file, substitute_variables
from transformer.matrix import AccessMatrix, RoleKind
from transformer.precedence import GROUP_FILE_NAME, GroupFile, find_group_file, load_group_file
from transformer.project import load_project, resolve_schema_path
from transformer.report import EXIT_INPUT_ERRORS, guarded, print_diagnostics, stderr_console
from transformer.rules import Provider
from transformer.storage import (
    IDENTITY_ID_VARIABLE,
    StorageSettings,
    find_storage_settings,
    load_storage_settings,
    storage_policies,
)
from transformer.terminal_tables import Cell, print_fitted

OTHER_IDENTITY = "us-east-1:00000000-0000-4000-8000-0000000other"
STORAGE_ACTIONS: tuple[tuple[str, str], ...] = (
    ("create/update", "s3:PutObject"),
    ("read", "s3:GetObject"),
    ("list", "s3:ListBucket"),
    ("delete", "s3:DeleteObject"),
)


class Check(BaseModel):
    model_config = ConfigDict(frozen=True)

    area: Literal["storage", "custom", "api"]
    location: str
    permission: str
    action: str
    resource: str
    allowed: bool
    decided_by: str | None
    reason: str


class AccessReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    user: str | None
    guest: bool
    groups: list[str]
    role_arn: str
    role_source: str
    preferred_role: str | None
    roles: list[str]
    reason: str
    identity_id: str
    policies: list[str]
    bucket: str | None
    checks: list[Check]
    notes: list[str]


def identity_id_for(user: str | None, env: AuthEnvironment) -> str:
    """A stable, fictitious identity pool id for the user (what `${cognito-identity.amazonaws.com:sub}` holds)."""
    name = user or "guest"
    return f"{env.region}:{uuid.uuid5(uuid.NAMESPACE_URL, f'gqlauth:{name}')}"


def role_policies(
    resolution: RoleResolution | None, group_file: GroupFile, storage: StorageSettings | None
) -> tuple[str, list[NamedPolicy]]:
    """The role's source (`group:Admins`, `authenticated`, `unauthenticated`) and the policies it carries."""
    policies = storage_policies(storage) if storage else None
    if resolution is None:
        return "unauthenticated", list(policies.guest) if policies else []
    if resolution.is_group_role and resolution.preferred_group:
        group = group_file.get(resolution.preferred_group)
        carried = [NamedPolicy(name=p.PolicyName, document=p.PolicyDocument) for p in group.policies()] if group else []
        if policies and resolution.preferred_group in policies.groups:
            carried.append(policies.groups[resolution.preferred_group])
        return f"group:{resolution.preferred_group}", carried
    return "authenticated", list(policies.authenticated) if policies else []


def _policy_check(
    area: Literal["storage", "custom"],
    location: str,
    permission: str,
    policies: list[NamedPolicy],
    action: str,
    resource: str,
    request: RequestContext,
) -> Check:
    """One action on one resource, decided by the role's IAM policies alone."""
    decision = evaluate(policies, action, resource, request)
    return Check(
        area=area,
        location=location,
        permission=permission,
        action=action,
        resource=resource,
        allowed=decision.allowed,
        decided_by=decision.decided_by.label if decision.decided_by else None,
        reason=decision.reason,
    )


def _storage_checks(
    storage: StorageSettings, policies: list[NamedPolicy], context: RequestContext, identity_id: str
) -> list[Check]:
    locations = {
        "public/": "public/",
        "protected/<you>/": f"protected/{identity_id}/",
        "protected/<others>/": f"protected/{OTHER_IDENTITY}/",
        "private/<you>/": f"private/{identity_id}/",
        "private/<others>/": f"private/{OTHER_IDENTITY}/",
        "uploads/": "uploads/",
        "<elsewhere>/": "other/",
    }
    checks: list[Check] = []
    for label, prefix in locations.items():
        for permission, action in STORAGE_ACTIONS:
            if action == "s3:ListBucket":
                resource, request = storage.bucket_arn, {**context, "s3:prefix": prefix}
            else:
                resource, request = f"{storage.objects_arn[:-1]}{prefix}example.jpg", dict(context)
            checks.append(_policy_check("storage", label, permission, policies, action, resource, request))
    return checks


def _custom_policy_checks(group_file: GroupFile, policies: list[NamedPolicy], context: RequestContext) -> list[Check]:
    """Every action any group's customPolicies allow, checked against this role."""
    wanted: dict[tuple[str, str], str] = {}
    for group in group_file.root:
        for policy in group.policies():
            for statement in policy.PolicyDocument.statements():
                if statement.Effect != "Allow" or statement.Action is None or statement.Resource is None:
                    continue
                for action in statement.actions():
                    for pattern in statement.resources():
                        resource = substitute_variables(pattern, context) or pattern
                        wanted.setdefault((action, resource), f"{group.groupName}/{policy.PolicyName}")
    return [
        _policy_check("custom", origin, action, policies, action, resource, context)
        for (action, resource), origin in wanted.items()
    ]


API_ID = "gqlauthLocalApi"


def _api_checks(
    matrix: AccessMatrix, role_source: str, policies: list[NamedPolicy], env: AuthEnvironment, context: RequestContext
) -> list[Check]:
    """Each generated root field called with these IAM credentials: the role's IAM policies, then @auth.

    Amplify grants `appsync:GraphQL` to the identity pool's auth and unauth roles (AuthRolePolicy /
    UnauthRolePolicy) for the fields their iam rules cover, but not to group roles; @auth's iam
    private check admits any authenticated identity-pool credentials, group roles included
    (auth-semantics §2, iam rows).
    """
    role_name = _role_name(role_source, env)
    is_admin = role_source.startswith("group:") and any(admin in role_name for admin in env.admin_roles)
    checks: list[Check] = []
    for key, operation in sorted(matrix.operations.items()):
        model = matrix.models[operation.model]
        iam_roles = [r for r in model.roles_for(operation.kind.operation) if r.provider is Provider.IAM]
        private = any(r.kind is RoleKind.PRIVATE for r in iam_roles)
        public = any(r.kind is RoleKind.PUBLIC for r in iam_roles)
        resource = (
            f"arn:aws:appsync:{env.region}:{env.account_id}:apis/{API_ID}/types/{operation.type_name}"
            f"/fields/{operation.field_name}"
        )
        if role_source == "authenticated":
            iam_ok, iam_by = private, "AuthRolePolicy (Amplify)" if private else None
        elif role_source == "unauthenticated":
            iam_ok, iam_by = public, "UnauthRolePolicy (Amplify)" if public else None
        else:
            decision = evaluate(policies, "appsync:GraphQL", resource, context)
            iam_ok, iam_by = decision.allowed, decision.decided_by.label if decision.decided_by else None
        auth_by: str | None
        if is_admin:
            auth_ok, auth_by = True, f"adminRoles ({role_name})"
        elif role_source == "unauthenticated":
            auth_ok, auth_by = public, "iam public rule" if public else None
        else:
            auth_ok, auth_by = private, "iam private rule" if private else None
        allowed = iam_ok and auth_ok
        if allowed:
            reason = f"IAM: {iam_by}; @auth: {auth_by}"
        elif not iam_ok:
            reason = "IAM: no statement allows appsync:GraphQL on this field"
        else:
            who = "guests" if role_source == "unauthenticated" else "signed-in identity-pool users"
            reason = f"@auth: no iam rule grants {operation.kind.operation.value} to {who}"
        checks.append(
            Check(
                area="api",
                location=key,
                permission=operation.kind.operation.value,
                action="appsync:GraphQL",
                resource=resource,
                allowed=allowed,
                decided_by=(auth_by if allowed else iam_by),
                reason=reason,
            )
        )
    return checks


def _role_name(role_source: str, env: AuthEnvironment) -> str:
    if role_source == "authenticated":
        return env.auth_role_name
    if role_source == "unauthenticated":
        return env.unauth_role_name
    return env.group_role_name(role_source.removeprefix("group:"))


def build_access_report(
    *,
    user: str | None,
    groups: list[str],
    guest: bool,
    group_file: GroupFile,
    storage: StorageSettings | None,
    env: AuthEnvironment,
    env_name: str = "dev",
    matrix: AccessMatrix | None = None,
) -> AccessReport:
    resolution = None if guest else resolve_roles(groups, group_file, env)
    source, policies = role_policies(resolution, group_file, storage)
    identity_id = identity_id_for(user, env)
    context: RequestContext = {
        "env": env_name,
        IDENTITY_ID_VARIABLE[2:-1]: identity_id,
        "aws:PrincipalAccount": env.account_id,
    }
    notes: list[str] = []
    if (
        resolution is not None
        and resolution.is_group_role
        and storage
        and source.removeprefix("group:") not in storage.groupAccess
    ):
        notes.append(
            f"{source.removeprefix('group:')} has no storage access: members get this group role instead of the "
            "authenticated role, so they lose the signed-in users' storage permissions"
        )
    if resolution is not None and resolution.is_group_role:
        notes.append(
            "group roles do not get the API's AuthRolePolicy, so IAM refuses their appsync:GraphQL calls "
            "unless customPolicies grant it (amplify-cli#5563)"
        )
    checks = _storage_checks(storage, policies, context, identity_id) if storage else []
    checks += _custom_policy_checks(group_file, policies, context)
    if matrix is not None:
        if Provider.IAM in matrix.auth_modes:
            checks += _api_checks(matrix, source, policies, env, context)
        else:
            notes.append("the API has no iam auth mode: identity-pool credentials cannot call it")
    role_arn = unauthenticated_role_iam_arn(env) if resolution is None else resolution.effective_role_arn
    return AccessReport(
        user=user,
        guest=guest,
        groups=[] if guest else groups,
        role_arn=role_arn,
        role_source=source,
        preferred_role=resolution.preferred_role if resolution else None,
        roles=resolution.roles if resolution else [],
        reason=resolution.reason if resolution else "guests get the identity pool's unauthenticated role",
        identity_id=identity_id,
        policies=[p.name for p in policies],
        bucket=storage.bucketName if storage else None,
        checks=checks,
        notes=notes,
    )


def _render(report: AccessReport) -> None:
    console = stderr_console()
    who = "guest" if report.guest else f"{report.user or 'user'} (groups: {', '.join(report.groups) or 'none'})"
    console.print(Text.assemble((who, "bold"), f" → {report.role_arn}"))
    console.print(f"  {report.reason}", markup=False)
    console.print(f"  policies on this role: {', '.join(report.policies) or 'none'}", markup=False)
    storage = [c for c in report.checks if c.area == "storage"]
    if storage:
        rows: list[list[Cell]] = [
            [location, *(_cell(c) for c in storage if c.location == location)]
            for location in dict.fromkeys(c.location for c in storage)
        ]
        headers = ["location", *(permission for permission, _ in STORAGE_ACTIONS)]
        print_fitted(console, headers, rows, title=f"storage: s3://{report.bucket}")
    custom = [c for c in report.checks if c.area == "custom"]
    if custom:
        custom_rows: list[list[Cell]] = [[check.action, check.resource, check.location, _cell(check)] for check in custom]
        print_fitted(console, ["action", "resource", "from", "decision"], custom_rows, title="custom policy actions")
    api = [c for c in report.checks if c.area == "api"]
    if api:
        api_rows: list[list[Cell]] = [[check.location, check.permission, _cell(check), check.reason] for check in api]
        print_fitted(
            console, ["field", "operation", "decision", "why"], api_rows, title="API (iam auth mode)", wrap_last=True
        )
    for note in report.notes:
        console.print(f"note: {note}", markup=False)


def _cell(check: Check) -> Text:
    if check.allowed:
        return Text.assemble(("allow", "green"), f" {check.decided_by}")
    return Text.assemble(("deny", "red"), f" {check.decided_by or '(implicit)'}")


def _load_inputs(
    group_file: Path | None, storage_file: Path | None, schema: Path | None
) -> tuple[GroupFile, StorageSettings | None, list[Diagnostic]]:
    start = resolve_schema_path(schema) if schema else Path.cwd()
    diagnostics: list[Diagnostic] = []
    group_path = group_file or find_group_file(start)
    loaded: GroupFile | None = GroupFile([])
    if group_path is None:
        diagnostics.append(warning("groups.no-file", f"no {GROUP_FILE_NAME} found: the user's groups give no role"))
    else:
        loaded, found = load_group_file(group_path)
        diagnostics += found
    storage_path = storage_file or find_storage_settings(start)
    settings = None
    if storage_path is not None and loaded is not None:
        settings, found = load_storage_settings(storage_path, loaded)
        diagnostics += found
    if loaded is not None and group_path is not None:
        diagnostics += lint_group_file(loaded, str(group_path))
    return loaded or GroupFile([]), settings, diagnostics


@click.command()
@click.option("--user", default=None, help="The user's name (for display and their identity id).")
@click.option("--groups", default="", help="The user's group membership, comma separated.")
@click.option("--guest", is_flag=True, help="An unauthenticated identity-pool guest instead of a user.")
@click.option(
    "--group-file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="The Cognito group file. Default: found beside --schema, in the current directory or Amplify project.",
)
@click.option(
    "--storage",
    "storage_file",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    default=None,
    help="Storage settings (Amplify's storage cli-inputs.json or the same keys). Default: the Amplify project's.",
)
@click.option(
    "--schema",
    type=click.Path(path_type=Path, exists=True),
    default=None,
    help="The schema: adds the API's iam decisions; the group and storage files are looked for beside it.",
)
@click.option("--api", default=None, metavar="NAME", help="The Amplify API whose schema to use, when the project has several.")
@auth_modes_option
@click.option("--env-name", default="dev", show_default=True, help="Amplify environment, for ${env} in customPolicies.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@guarded
def access(
    user: str | None,
    groups: str,
    guest: bool,
    group_file: Path | None,
    storage_file: Path | None,
    schema: Path | None,
    api: str | None,
    auth_modes: str | None,
    env_name: str,
    as_json: bool,
) -> None:
    """Which IAM role the identity pool gives a user, and what it may do: storage, customPolicies, the API (iam)."""
    if api is not None:
        schema = resolve_schema_path(schema or Path.cwd(), api)
    if guest and (user or groups):
        raise click.UsageError("--guest cannot be combined with --user or --groups")
    if not guest and not user:
        raise click.UsageError("give --user NAME (with --groups) or --guest")
    loaded, settings, diagnostics = _load_inputs(group_file, storage_file, schema)
    matrix = None
    if schema is not None and not has_errors(diagnostics):
        project, found = load_project(schema, group_file_path=group_file, auth_modes=parse_auth_modes(auth_modes))
        diagnostics += [d for d in found if d.severity is Severity.ERROR]
        matrix = project.matrix if project else None
    print_diagnostics(diagnostics)
    if has_errors(diagnostics):
        sys.exit(EXIT_INPUT_ERRORS)
    report = build_access_report(
        user=user,
        groups=split_groups(groups),
        guest=guest,
        group_file=loaded,
        storage=settings,
        env=AuthEnvironment(),
        env_name=env_name,
        matrix=matrix,
    )
    if as_json:
        click.echo(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        _render(report)
