"""`gqlauth explain`: one decision with its reasons, for a schema, an operation and an identity.

Prints whether the operation is allowed, AppSync's error if not, each role's part (granted, or why
not), what the store must apply (filled-in input, list filter, hidden fields), and for a user in
several groups the IAM role that Cognito's precedence picks (which @auth itself ignores).
Exit codes: 0 when a decision was made (allowed or denied), 1 for bad inputs, 2 for usage errors.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from resolvers.guards import (
    Decision,
    UnknownOperation,
    decide_create,
    decide_delete,
    decide_field_read,
    decide_get,
    decide_list,
    decide_subscribe,
    decide_update,
)
from resolvers.identity import AuthType, Identity
from resolvers.issuer import subject_for
from resolvers.suite import SuiteIdentity
from transformer.commands.options import auth_modes_option, group_file_option, parse_auth_modes, schema_argument
from transformer.diagnostics import InputError, error, read_text
from transformer.environment import AuthEnvironment
from transformer.group_roles import resolve_roles
from transformer.matrix import AccessMatrix, OperationKind
from transformer.project import Project, load_project
from transformer.report import fail_usage, guarded, print_diagnostics, stdout_console


def _read_json(path: Path, what: str) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([error("explain.json", f"{what}: not valid JSON: {exc.msg}", file=str(path),
                                line=exc.lineno, column=exc.colno)]) from exc


def identity_from_file(path: Path) -> Identity:
    """A suite-style identity: `{"authType": ..., "identity": {...$ctx.identity...}, "headers": {...}}`."""
    data = _read_json(path, "identity")
    try:
        return SuiteIdentity.model_validate(data).to_identity()
    except ValidationError as exc:
        raise InputError([error("explain.identity", f"{e['msg']} at {'.'.join(map(str, e['loc']))}", file=str(path))
                          for e in exc.errors()]) from exc


def user_identity(user: str, groups: list[str], env: AuthEnvironment) -> Identity:
    sub = subject_for(user)
    claims: dict[str, Any] = {"sub": sub, "iss": env.issuer, "cognito:username": user, "token_use": "id"}
    if groups:
        claims["cognito:groups"] = groups
    return Identity(auth_type=AuthType.USER_POOLS, sub=sub, username=user, issuer=env.issuer, claims=claims)


def iam_identity(which: str, env: AuthEnvironment) -> Identity:
    authenticated = which == "auth"
    return Identity(
        auth_type=AuthType.IAM,
        user_arn=env.auth_role_arn if authenticated else env.unauth_role_arn,
        account_id=env.account_id,
        cognito_identity_pool_id=env.identity_pool_id,
        cognito_identity_auth_type="authenticated" if authenticated else "unauthenticated",
    )


def decide(matrix: AccessMatrix, operation: str, identity: Identity, args: dict[str, Any],
           item: dict[str, Any] | None, env: AuthEnvironment) -> Decision:
    root = matrix.operation(operation)
    if root is None:
        type_name, _, field_name = operation.partition(".")
        if type_name in matrix.models and field_name:
            if item is None:
                raise InputError([error("explain.item", f"--operation {operation} is a field read: pass the record with --item")])
            return decide_field_read(matrix, type_name, field_name, identity, item, from_mutation=False, env=env)
        known = ", ".join(sorted(matrix.operations)[:8])
        raise InputError([error("explain.operation", f"--operation: unknown operation {operation!r} (e.g. {known})")])
    raw_input = args.get("input", args)
    values = raw_input if isinstance(raw_input, dict) else {}
    kind = root.kind
    if kind is OperationKind.CREATE:
        return decide_create(matrix, operation, identity, values, env)
    if kind is OperationKind.UPDATE:
        return decide_update(matrix, operation, identity, values, item, env)
    if kind is OperationKind.DELETE:
        return decide_delete(matrix, operation, identity, item, env)
    if kind is OperationKind.GET:
        return decide_get(matrix, operation, identity, item, env)
    if kind in (OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC, OperationKind.SEARCH):
        return decide_list(matrix, operation, identity, env)
    return decide_subscribe(matrix, operation, identity, args, env)


def precedence_note(project: Project, identity: Identity) -> dict[str, Any] | None:
    groups = identity.groups()
    if identity.auth_type is not AuthType.USER_POOLS or project.group_file is None or not groups:
        return None
    resolution = resolve_roles(groups, project.group_file, project.environment)
    return {
        "groups": groups,
        "preferredGroup": resolution.preferred_group,
        "preferredRole": resolution.preferred_role,
        "effectiveRoleArn": resolution.effective_role_arn,
        "reason": resolution.reason,
        "note": "@auth rules ignore precedence: static groups are any-of; precedence only picks the IAM role",
    }


def _print(console: Console, operation: str, identity: Identity, decision: Decision,
           precedence: dict[str, Any] | None) -> None:
    who = identity.username or identity.user_arn or identity.auth_type.value
    verdict = ("ALLOWED", "bold green") if decision.allowed else ("DENIED", "bold red")
    console.print(Text.assemble(f"{operation} for {who} ({identity.auth_type.value}): ", verdict))
    if not decision.allowed:
        console.print(f"  {decision.error_type}: {decision.message}", markup=False)
    marks = [Text("✓", "green") if reason.granted else Text("✗", "red") for reason in decision.reasons]
    widest = max((len(reason.role) for reason in decision.reasons), default=0)
    longest = max((len(reason.detail) for reason in decision.reasons), default=0)
    if 3 + widest + 2 + longest <= console.width:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("")
        table.add_column("role", no_wrap=True)
        table.add_column("why")
        for mark, reason in zip(marks, decision.reasons, strict=True):
            table.add_row(mark, reason.role, reason.detail)
        console.print(table)
    else:
        for mark, reason in zip(marks, decision.reasons, strict=True):
            console.print(Text.assemble(mark, " ", reason.role), soft_wrap=True)
            console.print(Padding(Text(reason.detail), (0, 0, 0, 4), expand=False), soft_wrap=False)
    if decision.admin_bypass:
        console.print("admin role: every @auth check is skipped")
    if decision.input is not None:
        console.print(f"input to store: {json.dumps(decision.input)}", markup=False)
    if decision.filter is not None:
        console.print(f"records visible only where: {json.dumps(decision.filter.to_json())}", markup=False)
    if decision.event_filter is not None:
        console.print(f"events delivered only where: {json.dumps(decision.event_filter.to_json())}", markup=False)
    if decision.hidden_fields:
        console.print(f"null for this caller: {', '.join(sorted(decision.hidden_fields))}", markup=False)
    if precedence is not None:
        preferred = precedence["preferredGroup"] or "no preferred group"
        console.print(f"role precedence: {preferred} -> {precedence['effectiveRoleArn']} ({precedence['reason']})",
                      markup=False)
        console.print(f"  {precedence['note']}", markup=False)


@click.command()
@schema_argument
@click.option("--operation", "operation", required=True, help="Mutation.updatePost, Query.listPosts, Post.field, ...")
@click.option("--identity", "identity_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Identity JSON: {authType, identity ($ctx.identity), headers}.")
@click.option("--user", help="A user-pool user with this username.")
@click.option("--groups", default="", help="The --user's groups, comma separated.")
@click.option("--api-key", "api_key", is_flag=True, help="An API key request.")
@click.option("--iam", type=click.Choice(["auth", "unauth"]), help="Identity-pool credentials (auth or unauth role).")
@click.option("--args", "args_file", type=click.Path(path_type=Path, dir_okay=False), help="The operation's arguments.")
@click.option("--item", "item_file", type=click.Path(path_type=Path, dir_okay=False),
              help="The stored record (update, delete, get, field reads).")
@group_file_option
@auth_modes_option
@click.option("--json", "as_json", is_flag=True, help="Print the decision as JSON on stdout.")
@guarded
def explain(schema: Path, operation: str, identity_file: Path | None, user: str | None, groups: str,
            api_key: bool, iam: str | None, args_file: Path | None, item_file: Path | None,
            group_file: Path | None, auth_modes: str | None, as_json: bool) -> None:
    """Explain the decision for OPERATION on SCHEMA: allowed or not, and each rule's part."""
    chosen = [name for name, given in (("--identity", identity_file), ("--user", user), ("--api-key", api_key),
                                       ("--iam", iam)) if given]
    if len(chosen) != 1:
        fail_usage("give exactly one of --identity, --user, --api-key, --iam")
    if groups and not user:
        fail_usage("--groups needs --user")
    project, diagnostics = load_project(schema, group_file_path=group_file, auth_modes=parse_auth_modes(auth_modes))
    if project is None:
        print_diagnostics(diagnostics)
        sys.exit(1)
    env = project.environment
    if identity_file is not None:
        identity = identity_from_file(identity_file)
    elif user is not None:
        identity = user_identity(user, [g.strip() for g in groups.split(",") if g.strip()], env)
    elif api_key:
        identity = Identity(auth_type=AuthType.API_KEY)
    else:
        identity = iam_identity(iam or "auth", env)
    args = _read_json(args_file, "args") if args_file else {}
    item = _read_json(item_file, "item") if item_file else None
    if not isinstance(args, dict) or (item is not None and not isinstance(item, dict)):
        raise InputError([error("explain.json", "--args and --item must hold JSON objects")])
    try:
        decision = decide(project.matrix, operation, identity, args, item, env)
    except (UnknownOperation, ValueError) as exc:
        raise InputError([error("explain.operation", str(exc))]) from exc
    precedence = precedence_note(project, identity)
    if as_json:
        payload = {"operation": operation, "identity": identity.to_appsync(), "authType": identity.auth_type.value,
                   **decision.to_json()}
        if precedence is not None:
            payload["precedence"] = precedence
        click.echo(json.dumps(payload, indent=2, default=str))
        return
    _print(stdout_console(), operation, identity, decision, precedence)
