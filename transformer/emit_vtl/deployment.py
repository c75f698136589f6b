"""The deployment's environment in the templates: the identity pool, its two roles and the IAM admin roles.

Every init template stashes `authRole`, `unauthRole`, `identityPoolId` and `adminRoles`, which decide the IAM
rules. Pipelines built for `serve` and `gqlauth test` write the values in. The deployed templates
(`stack.json` and the nested stacks) write CloudFormation placeholders instead and are substituted with
`Fn::Sub` from Parameters of the stacks, as Amplify's stacks do; the Parameters' defaults are the
`transform` options. A local default is never a deployment's default: without the option an API that uses
IAM needs the Parameter at deploy time (one without IAM never reads them).

An `@http` request template may also hold Amplify's `${env}` and `${aws_region}` (from the URL's path and the
directive's headers); deployed, they are the `env` Parameter and the stack's region, as Amplify's
`replaceEnvAndRegion` substitutes them. `serve` fills them in itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from transformer.environment import AuthEnvironment
from transformer.rules import Provider

IDENTITY_POOL_ID = "IdentityPoolId"
AUTH_ROLE_NAME = "AuthRoleName"
UNAUTH_ROLE_NAME = "UnauthRoleName"
ADMIN_ROLE_NAMES = "AdminRoleNames"
PARAMETER_NAMES = (IDENTITY_POOL_ID, AUTH_ROLE_NAME, UNAUTH_ROLE_NAME, ADMIN_ROLE_NAMES)
ENV_PARAMETER = "env"
"""Amplify's environment-name Parameter (`${env}` in `@function` names and `@http` URLs)."""
ENV_PLACEHOLDER = "${env}"
REGION_PLACEHOLDER = "${aws_region}"
"""Amplify's placeholders for the environment name and the stack's region in what users write."""
_AMPLIFY_PLACEHOLDERS = {ENV_PLACEHOLDER: "${" + ENV_PARAMETER + "}", REGION_PLACEHOLDER: "${AWS::Region}"}
ADMIN_ROLE_SEPARATOR = ","
"""Joins admin role names in one String Parameter (IAM role names allow a comma, `--admin-roles` does not)."""

PLACEHOLDERS = AuthEnvironment(
    account_id="${AWS::AccountId}",
    identity_pool_id="${" + IDENTITY_POOL_ID + "}",
    auth_role_name="${" + AUTH_ROLE_NAME + "}",
    unauth_role_name="${" + UNAUTH_ROLE_NAME + "}",
    admin_roles=("${" + ADMIN_ROLE_NAMES + "}",),
)
"""The environment deployed templates are built with: each value a placeholder `Fn::Sub` fills in."""

_OURS = re.compile(r"\$\{(?:AWS::AccountId|env|aws_region|" + "|".join(PARAMETER_NAMES) + r")\}")
_ANY = re.compile(r"\$\{")

_DESCRIPTIONS = {
    IDENTITY_POOL_ID: "The Cognito identity pool whose roles IAM rules name (region:uuid).",
    AUTH_ROLE_NAME: "The identity pool's authenticated role name (IAM private rules).",
    UNAUTH_ROLE_NAME: "The identity pool's unauthenticated role name (IAM public rules).",
    ADMIN_ROLE_NAMES: "IAM role names that bypass every @auth rule (Amplify's adminRoles), comma-separated.",
}


def environment_values(environment: AuthEnvironment) -> dict[str, str]:
    """The Parameter values an environment stands for."""
    return {
        IDENTITY_POOL_ID: environment.identity_pool_id,
        AUTH_ROLE_NAME: environment.auth_role_name,
        UNAUTH_ROLE_NAME: environment.unauth_role_name,
        ADMIN_ROLE_NAMES: ADMIN_ROLE_SEPARATOR.join(environment.admin_roles),
    }


def deployment_parameters(environment: AuthEnvironment, auth_modes: Sequence[Provider]) -> dict[str, Any]:
    """The stacks' Parameters. A value differing from the local default becomes the Parameter's default; an API
    using IAM otherwise has none (CloudFormation asks for it), one without IAM defaults to empty (unread)."""
    local = environment_values(AuthEnvironment())
    uses_iam = Provider.IAM in auth_modes
    parameters: dict[str, Any] = {}
    for name, value in environment_values(environment).items():
        parameter: dict[str, Any] = {"Type": "String", "Description": _DESCRIPTIONS[name]}
        if value != local[name] or name == ADMIN_ROLE_NAMES:
            parameter["Default"] = value
        elif not uses_iam:
            parameter["Default"] = ""
        parameters[name] = parameter
    return parameters


def parameters_used(text: str) -> list[str]:
    """The Parameters a deployed template's placeholders name, in `PARAMETER_NAMES` order, then `env`."""
    found = {match.group()[2:-1] for match in _OURS.finditer(text)}
    return [name for name in (*PARAMETER_NAMES, ENV_PARAMETER) if name in found]


def deployed_template(text: str) -> str | dict[str, str]:
    """A template as a stack holds it: `{"Fn::Sub": text}` when it has placeholders (any other `${` escaped
    as `${!`, which Fn::Sub writes back as `${`), the text itself otherwise."""
    if _OURS.search(text) is None:
        return text
    pieces: list[str] = []
    position = 0
    for match in _ANY.finditer(text):
        pieces.append(text[position:match.start()])
        ours = _OURS.match(text, match.start())
        if ours is None:
            pieces.append("${!")
            position = match.end()
        else:
            pieces.append(_AMPLIFY_PLACEHOLDERS.get(ours.group(), ours.group()))
            position = ours.end()
    pieces.append(text[position:])
    return {"Fn::Sub": "".join(pieces)}


def substitute(template: str | dict[str, str], values: dict[str, str], account_id: str, region: str = "us-east-1") -> str:
    """What CloudFormation makes of a deployed template given the Parameter values, the account and the region."""
    if isinstance(template, str):
        return template
    known = {**values, "AWS::AccountId": account_id, "AWS::Region": region}
    return re.sub(r"\$\{(!?)([^}]*)\}",
                  lambda m: "${" + m.group(2) + "}" if m.group(1) else known[m.group(2)], template["Fn::Sub"])
