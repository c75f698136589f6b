"""`gqlauth token`: mint a user-pool token from the project's local issuer.

The helpers here (finding the project, resolving a user's role from the group file, durations)
are shared with `gqlauth credentials`.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.text import Text

from resolvers.issuer import RESERVED_CLAIMS, mint_token, subject_for
from resolvers.local_state import LocalState, LocalStateError, find_project
from transformer.diagnostics import Diagnostic, UnreadableInput, has_errors, read_text
from transformer.environment import AuthEnvironment
from transformer.group_roles import RoleResolution, resolve_roles
from transformer.precedence import find_group_file, load_group_file
from transformer.report import print_diagnostics, stderr_console

EXIT_INPUT_ERRORS = 1
EXIT_USAGE = 2
_DURATION_PART = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}

stderr = stderr_console()


def fail(message: str, code: int) -> NoReturn:
    stderr.print(Text.assemble(("error", "bold red"), f": {message}"))
    sys.exit(code)


def parse_duration(text: str) -> timedelta:
    """`90`, `45s`, `30m`, `1h`, `2d`, `1h30m` -> a positive timedelta."""
    value = text.strip().lower()
    if value.isdigit():
        total = timedelta(seconds=int(value))
    elif value and _DURATION_PART.sub("", value) == "":
        total = sum((timedelta(**{_UNITS[unit]: int(amount)}) for amount, unit in _DURATION_PART.findall(value)),
                    timedelta())
    else:
        raise click.BadParameter(f'"{text}" is not a duration such as 90s, 30m, 1h, 2d or 1h30m')
    if total <= timedelta(0):
        raise click.BadParameter("the duration must be positive")
    return total


def duration_option(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    return parse_duration(value)


def split_groups(value: str | None) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in (value or "").split(",") if part.strip()))


def open_state(project: Path | None) -> LocalState:
    try:
        return LocalState.open(find_project(Path.cwd(), project))
    except LocalStateError as exc:
        fail(str(exc), EXIT_USAGE)


def resolve_user_roles(project_dir: Path, group_file_path: Path | None, groups: list[str],
                       env: AuthEnvironment) -> RoleResolution | None:
    """The user's roles from the group file (given, or found in the project); None without a file."""
    path = group_file_path or find_group_file(project_dir)
    if path is None:
        if groups:
            stderr.print("note: no group file found, so the groups carry no roles (use --group-file)")
        return None
    try:
        group_file, diagnostics = load_group_file(path)
    except UnreadableInput as exc:
        fail(str(exc), EXIT_USAGE)
    _print_diagnostics(diagnostics)
    if group_file is None or has_errors(diagnostics):
        fail(f"{path}: the group file has errors", EXIT_INPUT_ERRORS)
    unknown = [name for name in groups if group_file.get(name) is None]
    if unknown:
        stderr.print(f"warning: {', '.join(unknown)} not in {path}: no role from "
                     f"{'that group' if len(unknown) == 1 else 'those groups'}")
    return resolve_roles(groups, group_file, env)


def _print_diagnostics(diagnostics: list[Diagnostic]) -> None:
    print_diagnostics(diagnostics)


def parse_claims(pairs: tuple[str, ...], claims_file: Path | None) -> dict[str, Any]:
    """Claims from `--claims-file` (a JSON object) then `--claim NAME=VALUE` (JSON when it starts with [ or {)."""
    claims: dict[str, Any] = {}
    if claims_file is not None:
        try:
            loaded = json.loads(read_text(claims_file))
        except UnreadableInput as exc:
            fail(str(exc), EXIT_USAGE)
        except json.JSONDecodeError as exc:
            fail(f"{claims_file}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}", EXIT_INPUT_ERRORS)
        if not isinstance(loaded, dict):
            fail(f"{claims_file}: must hold a JSON object of claims", EXIT_INPUT_ERRORS)
        claims.update(loaded)
    for pair in pairs:
        name, separator, raw = pair.partition("=")
        if not separator or not name.strip():
            raise click.BadParameter(f'"{pair}" is not NAME=VALUE', param_hint="--claim")
        value: Any = raw
        if raw.lstrip().startswith(("[", "{")):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise click.BadParameter(f'the value of "{name}" starts like JSON but is not: {exc.msg}',
                                         param_hint="--claim") from exc
        claims[name.strip()] = value
    reserved = sorted(RESERVED_CLAIMS & set(claims))
    if reserved:
        raise click.BadParameter(f"{', '.join(reserved)} cannot be set: the issuer sets them",
                                 param_hint="--claim/--claims-file")
    return claims


project_option = click.option("--project", type=click.Path(path_type=Path),
                              help="Project directory (default: found from the current directory).")
group_file_option = click.option("--group-file", type=click.Path(path_type=Path, dir_okay=False),
                                 help="Cognito group precedence file (default: found in the project).")


@click.command("token")
@click.option("--user", required=True, help="Username (cognito:username / username).")
@click.option("--groups", default="", help="Comma-separated Cognito groups, e.g. Admins,Editors.")
@click.option("--sub", default=None, help="Subject (default: derived from the username, stable).")
@click.option("--email", default=None, help="email claim (ID tokens).")
@click.option("--claim", "claim_pairs", multiple=True, metavar="NAME=VALUE",
              help="Extra claim; repeatable. A value starting with [ or { is JSON, anything else a string.")
@click.option("--claims-file", type=click.Path(path_type=Path, dir_okay=False),
              help="JSON object of extra claims.")
@click.option("--expires", default="1h", callback=duration_option, show_default=True,
              help="Lifetime: 90s, 30m, 1h, 2d.")
@click.option("--use", "use", type=click.Choice(["id", "access"]), default="id", show_default=True,
              help="ID token (what AppSync examples use) or access token (what the Amplify library sends).")
@click.option("--oidc", is_flag=True,
              help="A token of serve's local OIDC provider (for the oidc auth mode) instead of the user pool's; "
                   "groups go in cognito:groups (--claim for another groupClaim).")
@project_option
@group_file_option
def token(user: str, groups: str, sub: str | None, email: str | None, claim_pairs: tuple[str, ...],
          claims_file: Path | None, expires: timedelta, use: str, project: Path | None,
          group_file: Path | None, oidc: bool = False) -> None:
    """Print a token from the project's local issuer, accepted by `gqlauth serve` for this project."""
    state = open_state(project)
    extra_claims = parse_claims(claim_pairs, claims_file)
    group_names = split_groups(groups)
    if oidc:
        _print_oidc_token(state, user, group_names, sub, email, extra_claims, expires)
        return
    try:
        env = state.environment()
        roles = resolve_user_roles(state.project_dir, group_file, group_names, env)
        minted = mint_token(state, user=user, groups=group_names, sub=sub, email=email,
                            extra_claims=extra_claims, use="access" if use == "access" else "id",
                            expires_in=expires, role_resolution=roles)
    except LocalStateError as exc:
        fail(str(exc), EXIT_USAGE)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(minted)
    role_note = f"; role {roles.effective_role_arn} ({roles.reason})" if roles is not None and group_names else ""
    stderr.print(f"{use} token for {user} (sub {sub or subject_for(user)}), "
                 f"groups: {', '.join(group_names) or 'none'}{role_note}; expires in {expires}", markup=False)


def _print_oidc_token(state: LocalState, user: str, groups: list[str], sub: str | None, email: str | None,
                      extra_claims: dict[str, Any], expires: timedelta) -> None:
    from resolvers.local_oidc import LOCAL_OIDC_ISSUER, mint_oidc_token

    claims = {**({"email": email} if email is not None else {}), **extra_claims}
    try:
        minted = mint_oidc_token(state, user=user, groups=groups, sub=sub, extra_claims=claims, expires_in=expires)
    except LocalStateError as exc:
        fail(str(exc), EXIT_USAGE)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(minted)
    stderr.print(f"OIDC token of {LOCAL_OIDC_ISSUER} for {user} (sub {sub or subject_for(user)}), "
                 f"groups: {', '.join(groups) or 'none'}; expires in {expires}", markup=False)
