"""The auth stack (`build/auth-stack.json`): user pool groups, their roles, storage grants, role mapping.

Mirrors what Amplify CLI deploys (auth-semantics §4.3-4.5): per group a `<name>Group`
(`AWS::Cognito::UserPoolGroup` with its precedence and role) and a `<name>GroupRole` named
`<UserPoolId>-<name>GroupRole`, trusted by the identity pool for authenticated identities only and
carrying the group's `customPolicies` inline (`${env}` placeholders become `Fn::Sub`); per group with
storage access a `<name>GroupPolicy`; the guest and signed-in storage policies on the identity pool's
roles; and the identity pool's role attachment with Token role mapping, so that each user gets the
role of their highest-precedence group and ambiguous ties fall back to the authenticated role.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from transformer.environment import AuthEnvironment
from transformer.group_roles import authenticated_role_iam_arn, unauthenticated_role_iam_arn
from transformer.iam_policy import NamedPolicy
from transformer.precedence import GroupFile, UserPoolGroup
from transformer.storage import StorageSettings, storage_policies

_NOT_ALPHANUMERIC = re.compile(r"[^A-Za-z0-9]")
_IAM_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]+$")
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
BUCKET_PARAMETER = "StorageBucketName"
ENV_PARAMETER = {"Type": "String", "Default": "dev", "Description": "Amplify environment name"}


def logical_id_base(group_name: str) -> str:
    """The group name if alphanumeric (Amplify's ids), else its letters and digits plus a short hash."""
    cleaned = _NOT_ALPHANUMERIC.sub("", group_name)
    if cleaned == group_name:
        return group_name
    digest = hashlib.sha256(group_name.encode()).hexdigest()[:8]
    return f"{cleaned or 'Group'}{digest}"


def role_name_part(group_name: str) -> str:
    """What goes between `<UserPoolId>-` and `GroupRole`: the name itself unless IAM would refuse it."""
    return group_name if _IAM_NAME.match(group_name) else logical_id_base(group_name)


def emit_auth_stack(
    group_file: GroupFile, env: AuthEnvironment, storage: StorageSettings | None = None
) -> dict[str, Any]:
    """A CloudFormation template (as a dict, ready for `json.dumps`)."""
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    group_policies = storage_policies(storage).groups if storage else {}
    for group in group_file.root:
        base = logical_id_base(group.groupName)
        resources[f"{base}GroupRole"] = _group_role(group)
        resources[f"{base}Group"] = _user_pool_group(group, base)
        if group.groupName in group_policies:
            resources[f"{base}GroupPolicy"] = _inline_policy(
                group_policies[group.groupName], [{"Ref": f"{base}GroupRole"}]
            )
        outputs[f"{base}GroupRole"] = {
            "Description": f'Role of the "{group.groupName}" group',
            "Value": {"Fn::GetAtt": [f"{base}GroupRole", "Arn"]},
        }
    if storage:
        policies = storage_policies(storage)
        for policy in policies.authenticated:
            resources[policy.name] = _inline_policy(policy, [{"Ref": "AuthRoleName"}])
        for policy in policies.guest:
            resources[policy.name] = _inline_policy(policy, [{"Ref": "UnauthRoleName"}])
    resources["IdentityPoolRoleAttachment"] = _role_attachment()

    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "gqlauth: Cognito user pool groups, group roles, storage grants and identity pool role mapping",
        "Parameters": _parameters(env, storage),
        "Resources": resources,
    }
    if "${env}" in json.dumps(resources):
        template["Parameters"] = {"env": ENV_PARAMETER, **template["Parameters"]}
    if outputs:
        template["Outputs"] = outputs
    return template


def _parameters(env: AuthEnvironment, storage: StorageSettings | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "UserPoolId": {"Type": "String", "Default": env.user_pool_id},
        "UserPoolClientId": {"Type": "String", "Description": "App client id of the native client"},
        "UserPoolWebClientId": {"Type": "String", "Description": "App client id of the web client"},
        "IdentityPoolId": {"Type": "String", "Default": env.identity_pool_id},
        "AuthRoleArn": {"Type": "String", "Default": authenticated_role_iam_arn(env)},
        "UnauthRoleArn": {"Type": "String", "Default": unauthenticated_role_iam_arn(env)},
    }
    if storage:
        parameters["AuthRoleName"] = {"Type": "String", "Default": env.auth_role_name}
        parameters["UnauthRoleName"] = {"Type": "String", "Default": env.unauth_role_name}
        parameters[BUCKET_PARAMETER] = {"Type": "String", "Default": storage.bucketName}
    return parameters


def _user_pool_group(group: UserPoolGroup, base: str) -> dict[str, Any]:
    return {
        "Type": "AWS::Cognito::UserPoolGroup",
        "Properties": {
            "GroupName": group.groupName,
            "Precedence": group.precedence,
            "UserPoolId": {"Ref": "UserPoolId"},
            "RoleArn": {"Fn::GetAtt": [f"{base}GroupRole", "Arn"]},
        },
    }


def _group_role(group: UserPoolGroup) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "RoleName": {"Fn::Sub": f"${{UserPoolId}}-{role_name_part(group.groupName)}GroupRole"},
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {
                        "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": "IdentityPoolId"}},
                        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                    },
                }
            ],
        },
    }
    if group.customPolicies:
        properties["Policies"] = [
            {"PolicyName": policy.PolicyName, "PolicyDocument": _with_substitutions(policy.PolicyDocument.to_json())}
            for policy in group.customPolicies
        ]
    return {"Type": "AWS::IAM::Role", "Properties": properties}


def _inline_policy(policy: NamedPolicy, roles: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": policy.name,
            "Roles": roles,
            "PolicyDocument": _with_bucket_parameter(policy.document.to_json()),
        },
    }


def _role_attachment() -> dict[str, Any]:
    def mapping(client_parameter: str) -> dict[str, Any]:
        return {
            "IdentityProvider": {
                "Fn::Sub": f"cognito-idp.${{AWS::Region}}.amazonaws.com/${{UserPoolId}}:${{{client_parameter}}}"
            },
            "Type": "Token",
            "AmbiguousRoleResolution": "AuthenticatedRole",
        }

    return {
        "Type": "AWS::Cognito::IdentityPoolRoleAttachment",
        "Properties": {
            "IdentityPoolId": {"Ref": "IdentityPoolId"},
            "Roles": {"authenticated": {"Ref": "AuthRoleArn"}, "unauthenticated": {"Ref": "UnauthRoleArn"}},
            "RoleMappings": {
                "UserPoolClientRoleMapping": mapping("UserPoolClientId"),
                "UserPoolWebClientRoleMapping": mapping("UserPoolWebClientId"),
            },
        },
    }


def _escape_other_variables(text: str, keep: str) -> str:
    """Inside `Fn::Sub`, IAM policy variables must be written `${!name}` to stay literal."""
    return _VARIABLE.sub(lambda m: m.group(0) if m.group(1) == keep else "${!" + m.group(1) + "}", text)


def _with_substitutions(document: dict[str, Any]) -> dict[str, Any]:
    """Amplify's rule: a Resource string containing `${env}` becomes `Fn::Sub` with env = Ref env."""

    def resource(value: str) -> Any:
        if "${env}" not in value:
            return value
        return {"Fn::Sub": [_escape_other_variables(value, "env"), {"env": {"Ref": "env"}}]}

    return _map_resources(document, resource)


def _with_bucket_parameter(document: dict[str, Any]) -> dict[str, Any]:
    """Storage ARNs name the bucket through the stack parameter, so a deploy can use the real name."""
    prefix = "arn:aws:s3:::"

    def resource(value: str) -> Any:
        if not value.startswith(prefix):
            return value
        path = value[len(prefix) :].partition("/")[1:]
        text = prefix + "${" + BUCKET_PARAMETER + "}" + _escape_other_variables("".join(path), keep="")
        return {"Fn::Sub": text}

    return _map_resources(document, resource)


def _map_resources(document: dict[str, Any], transform: Any) -> dict[str, Any]:
    statements = document["Statement"]
    single = isinstance(statements, dict)
    mapped = []
    for statement in [statements] if single else statements:
        updated = dict(statement)
        for key in ("Resource", "NotResource"):
            if key in updated:
                value = updated[key]
                updated[key] = transform(value) if isinstance(value, str) else [transform(v) for v in value]
        mapped.append(updated)
    return {**document, "Statement": mapped[0] if single else mapped}
