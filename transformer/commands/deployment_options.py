"""`transform`'s options for the deployment's environment: the identity pool, its roles and the IAM admin roles.

They become the defaults of `stack.json`'s Parameters (`transformer/emit_vtl/deployment.py`); left out, an API
that uses IAM asks for them at deploy time. A value is checked here, so that a stack never carries one
CloudFormation or IAM would refuse.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

import click

from transformer.environment import AuthEnvironment

F = TypeVar("F", bound=Callable[..., object])

_IDENTITY_POOL_ID = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d:[0-9a-f-]+$")
_ROLE_NAME = re.compile(r"^[\w+=.@-]{1,64}$")


def _identity_pool_id(_: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _IDENTITY_POOL_ID.match(value):
        raise click.BadParameter(f"{value!r} is not an identity pool id like us-east-1:1a2b3c4d-...", param=param)
    return value


def _role_name(_: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not _ROLE_NAME.match(value):
        raise click.BadParameter(f"{value!r} is not an IAM role name (1-64 of letters, digits and +=.@_-)",
                                 param=param)
    return value


def _role_names(_: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    names = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    for name in names:
        if not _ROLE_NAME.match(name):
            raise click.BadParameter(f"{name!r} is not an IAM role name (1-64 of letters, digits and +=.@_-)",
                                     param=param)
    return names


def deployment_options(function: F) -> F:
    """`--identity-pool-id`, `--auth-role-name`, `--unauth-role-name`, `--admin-roles`."""
    options = [
        click.option("--identity-pool-id", callback=_identity_pool_id,
                     help="The Cognito identity pool whose roles IAM rules name (stack.json Parameter IdentityPoolId)."),
        click.option("--auth-role-name", callback=_role_name,
                     help="The identity pool's authenticated role name (Parameter AuthRoleName)."),
        click.option("--unauth-role-name", callback=_role_name,
                     help="The identity pool's unauthenticated role name (Parameter UnauthRoleName)."),
        click.option("--admin-roles", callback=_role_names,
                     help="IAM role names that bypass every @auth rule, comma-separated (Parameter AdminRoleNames)."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def deployment_environment(identity_pool_id: str | None, auth_role_name: str | None, unauth_role_name: str | None,
                           admin_roles: tuple[str, ...] | None) -> AuthEnvironment:
    """The environment the options describe; what they leave out stays the local default (never deployed as such)."""
    given: dict[str, Any] = {"identity_pool_id": identity_pool_id, "auth_role_name": auth_role_name,
                             "unauth_role_name": unauth_role_name, "admin_roles": admin_roles}
    values = {key: value for key, value in given.items() if value is not None}
    if identity_pool_id is not None:
        values["region"] = identity_pool_id.split(":")[0]
    return AuthEnvironment(**values)
