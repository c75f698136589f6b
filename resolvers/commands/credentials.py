"""`gqlauth credentials`: temporary AWS credentials for IAM (SigV4) requests to the local server.

They stand for what the identity pool would hand out: a signed-in user's preferred group role (else
the authenticated role), or the unauthenticated role for `--guest`.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click

from resolvers.commands.token import (
    EXIT_USAGE,
    duration_option,
    fail,
    group_file_option,
    open_state,
    project_option,
    resolve_user_roles,
    split_groups,
    stderr,
)
from resolvers.issuer import issue_credentials, subject_for
from resolvers.local_state import IamCredentialRecord, LocalStateError
from transformer.group_roles import authenticated_role_iam_arn, unauthenticated_role_iam_arn


@click.command("credentials")
@click.option("--user", default=None, help="The signed-in user the credentials are for.")
@click.option("--guest", is_flag=True, help="Unauthenticated (guest) credentials instead.")
@click.option("--groups", default="", help="Comma-separated Cognito groups of the user.")
@click.option("--sub", default=None, help="The user's sub (default: the one `gqlauth token` gives her).")
@click.option("--expires", default="1h", callback=duration_option, show_default=True,
              help="Lifetime: 15m, 1h, 12h.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of KEY=value lines.")
@project_option
@group_file_option
def credentials(user: str | None, guest: bool, groups: str, sub: str | None, expires: timedelta, as_json: bool,
                project: Path | None, group_file: Path | None) -> None:
    """Print AWS credentials for the role this user (or a guest) gets from the identity pool."""
    if guest == (user is not None):
        raise click.UsageError("give exactly one of --user NAME and --guest")
    group_names = split_groups(groups)
    if guest and (group_names or sub):
        raise click.UsageError("a guest has no groups and no sub")
    state = open_state(project)
    try:
        env = state.environment()
        if user is not None:
            roles = resolve_user_roles(state.project_dir, group_file, group_names, env)
            role_arn = roles.effective_role_arn if roles is not None else authenticated_role_iam_arn(env)
            reason = roles.reason if roles is not None else "no group file: the authenticated role"
            record = issue_credentials(state, env, role_arn=role_arn, authenticated=True,
                                       user_sub=sub or subject_for(user), label=user, expires_in=expires)
        else:
            reason = "guest: the unauthenticated role"
            record = issue_credentials(state, env, role_arn=unauthenticated_role_iam_arn(env),
                                       authenticated=False, label="guest", expires_in=expires)
    except LocalStateError as exc:
        fail(str(exc), EXIT_USAGE)
    click.echo(json.dumps(_as_json(record, env.region), indent=2) if as_json else _as_env(record))
    stderr.print(f"credentials for {user or 'a guest'}: {record.user_arn} ({reason}); "
                 f"identity {record.identity_id}; expire {record.expires_at:%Y-%m-%d %H:%M:%S} UTC", markup=False)


def _as_env(record: IamCredentialRecord) -> str:
    lines = [f"AWS_ACCESS_KEY_ID={record.access_key_id}", f"AWS_SECRET_ACCESS_KEY={record.secret_access_key}"]
    if record.session_token is not None:
        lines.append(f"AWS_SESSION_TOKEN={record.session_token}")
    return "\n".join(lines)


def _as_json(record: IamCredentialRecord, region: str) -> dict[str, str | None]:
    return {
        "AccessKeyId": record.access_key_id,
        "SecretAccessKey": record.secret_access_key,
        "SessionToken": record.session_token,
        "Expiration": record.expires_at.isoformat().replace("+00:00", "Z"),
        "IdentityId": record.identity_id,
        "RoleArn": record.role_arn,
        "UserArn": record.user_arn,
        "Region": region,
    }
