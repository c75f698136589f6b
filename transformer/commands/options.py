"""Options shared by every command, so that one flag means one thing everywhere.

`--group-file FILE` is always the precedence file; `--groups A,B` is always an identity's group
membership; `--auth-modes` lists the API's auth modes, default first.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from transformer.amplify_layout import ProjectLayoutError, resolve_schema_path
from transformer.conflict_resolution import ConflictResolution, parse_conflict_option
from transformer.report import fail_usage
from transformer.rules import Provider

F = TypeVar("F", bound=Callable[..., object])

AUTH_MODE_ALIASES = {
    "userpools": Provider.USER_POOLS,
    "amazon_cognito_user_pools": Provider.USER_POOLS,
    "apikey": Provider.API_KEY,
    "api_key": Provider.API_KEY,
    "iam": Provider.IAM,
    "aws_iam": Provider.IAM,
    "identitypool": Provider.IAM,
    "oidc": Provider.OIDC,
    "openid_connect": Provider.OIDC,
    "function": Provider.FUNCTION,
    "lambda": Provider.FUNCTION,
    "aws_lambda": Provider.FUNCTION,
}


def parse_auth_modes(value: str | None) -> list[Provider] | None:
    if value is None:
        return None
    modes: list[Provider] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        mode = AUTH_MODE_ALIASES.get(part.lower())
        if mode is None:
            raise click.BadParameter(
                f"unknown auth mode '{part}' (use userPools, apiKey, iam, oidc, lambda)", param_hint="--auth-modes"
            )
        if mode not in modes:
            modes.append(mode)
    if not modes:
        raise click.BadParameter("no auth mode given", param_hint="--auth-modes")
    return modes


def schema_argument(function: F) -> F:
    """The SCHEMA argument plus `--api NAME`; the command receives the schema path they resolve to.

    SCHEMA is a `.graphql` file, a folder of `.graphql` files (a split schema) or a project folder; in an
    Amplify project with several APIs, `--api` names one (without it the error lists them).
    """

    @functools.wraps(function)
    def resolved(*args: object, schema: Path, api: str | None, **kwargs: object) -> object:
        try:
            chosen = resolve_schema_path(schema, api)
        except ProjectLayoutError as exc:
            fail_usage(str(exc))
            raise
        return function(*args, schema=chosen, **kwargs)

    with_api = click.option(
        "--api",
        default=None,
        metavar="NAME",
        help="The Amplify API to use when the project holds several (amplify/backend/api/NAME).",
    )(resolved)
    return click.argument(  # type: ignore[return-value]
        "schema", type=click.Path(path_type=Path, exists=True, dir_okay=True, readable=True)
    )(with_api)


def group_file_option(function: F) -> F:
    return click.option(
        "--group-file",
        type=click.Path(path_type=Path, exists=True, dir_okay=False, readable=True),
        default=None,
        help="The Cognito group file (user-pool-group-precedence.json). Default: found beside the schema "
        "or where Amplify keeps it.",
    )(function)


def auth_modes_option(function: F) -> F:
    return click.option(
        "--auth-modes",
        default=None,
        help="The API's auth modes, default first, e.g. userPools,apiKey,iam. Default: the Amplify "
        "project's API settings, else userPools plus the providers the rules use.",
    )(function)


def conflict_resolution_option(function: F) -> F:
    return click.option(
        "--conflict-resolution",
        default=None,
        metavar="STRATEGY",
        help="DataStore conflict resolution for every model: AUTOMERGE, OPTIMISTIC_CONCURRENCY, "
        "LAMBDA:FUNCTION[:REGION] or NONE. Default: the Amplify API's cli-inputs.json "
        "(serviceConfiguration.conflictResolution), else its transform.conf.json (ResolverConfig), else none.",
    )(function)


def parse_conflict_resolution(value: str | None) -> ConflictResolution | None:
    if value is None:
        return None
    try:
        return parse_conflict_option(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--conflict-resolution") from exc


def quiet_option(function: F) -> F:
    return click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="Errors only: no warnings and no progress lines (silence one warning code for good with "
        '{"silence": ["CODE"]} in gqlauth.json or a # gqlauth: ignore[CODE] comment).',
    )(function)


def groups_option(function: F) -> F:
    return click.option("--groups", default="", help="The identity's group membership, comma separated.")(function)


def split_groups(value: str | None) -> list[str]:
    return [g.strip() for g in (value or "").split(",") if g.strip()]
