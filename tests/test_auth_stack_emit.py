"""The emitted CloudFormation auth stack: groups, roles, custom and storage policies, role mapping; cfn-lint clean."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint

from transformer.emit_auth_stack import emit_auth_stack, logical_id_base
from transformer.environment import AuthEnvironment
from transformer.precedence import GroupFile, load_group_file, parse_group_file
from transformer.storage import load_storage_settings

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "blog"
ENV = AuthEnvironment()


@pytest.fixture(scope="module")
def blog_stack() -> dict[str, Any]:
    group_file, _ = load_group_file(SAMPLES / "user-pool-group-precedence.json")
    assert group_file is not None
    storage, diagnostics = load_storage_settings(SAMPLES / "storage.json", group_file)
    assert storage is not None, diagnostics
    return emit_auth_stack(group_file, ENV, storage)


def _lint_errors(template: dict[str, Any]) -> list[str]:
    return [f"{m.rule.id}: {m.message}" for m in lint(json.dumps(template)) if m.rule.id.startswith("E")]


def test_blog_stack_passes_cfn_lint(blog_stack: dict[str, Any]) -> None:
    assert _lint_errors(blog_stack) == []


def test_one_group_and_role_per_group_with_precedence(blog_stack: dict[str, Any]) -> None:
    resources = blog_stack["Resources"]
    for name, precedence in (("Admins", 1), ("Editors", 2), ("Viewers", 3)):
        group = resources[f"{name}Group"]
        assert group["Type"] == "AWS::Cognito::UserPoolGroup"
        assert group["Properties"]["GroupName"] == name and group["Properties"]["Precedence"] == precedence
        assert group["Properties"]["RoleArn"] == {"Fn::GetAtt": [f"{name}GroupRole", "Arn"]}
        role = resources[f"{name}GroupRole"]
        assert role["Type"] == "AWS::IAM::Role"
        assert role["Properties"]["RoleName"] == {"Fn::Sub": f"${{UserPoolId}}-{name}GroupRole"}
        assert blog_stack["Outputs"][f"{name}GroupRole"]["Value"] == {"Fn::GetAtt": [f"{name}GroupRole", "Arn"]}


def test_role_trust_is_the_identity_pool_for_authenticated_identities_only(blog_stack: dict[str, Any]) -> None:
    [statement] = blog_stack["Resources"]["EditorsGroupRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": "IdentityPoolId"}},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    }


def test_custom_policies_are_inline_verbatim(blog_stack: dict[str, Any]) -> None:
    policies = blog_stack["Resources"]["AdminsGroupRole"]["Properties"]["Policies"]
    assert policies == [
        {
            "PolicyName": "admin-group-policy",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "statement1",
                        "Effect": "Allow",
                        "Action": ["s3:CreateBucket"],
                        "Resource": ["arn:aws:s3:::*"],
                    }
                ],
            },
        }
    ]
    assert "Policies" not in blog_stack["Resources"]["EditorsGroupRole"]["Properties"]


def test_storage_group_policies(blog_stack: dict[str, Any]) -> None:
    resources = blog_stack["Resources"]
    admins = resources["AdminsGroupPolicy"]["Properties"]
    assert admins["PolicyName"] == "Admins-group-s3-policy"
    assert admins["Roles"] == [{"Ref": "AdminsGroupRole"}]
    first, second = admins["PolicyDocument"]["Statement"]
    assert first["Action"] == ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject"]
    assert first["Resource"] == [{"Fn::Sub": "arn:aws:s3:::${StorageBucketName}/*"}]
    assert second == {
        "Effect": "Allow",
        "Action": ["s3:ListBucket"],
        "Resource": [{"Fn::Sub": "arn:aws:s3:::${StorageBucketName}"}],
    }
    assert "ViewersGroupPolicy" not in resources
    assert blog_stack["Parameters"]["StorageBucketName"]["Default"] == "gqlauth-blog-media"


def test_guest_and_signed_in_storage_policies_go_on_the_pool_roles(blog_stack: dict[str, Any]) -> None:
    resources = blog_stack["Resources"]
    assert resources["S3GuestReadPolicy"]["Properties"]["Roles"] == [{"Ref": "UnauthRoleName"}]
    assert resources["S3AuthPrivatePolicy"]["Properties"]["Roles"] == [{"Ref": "AuthRoleName"}]
    [statement] = resources["S3AuthPrivatePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Resource"] == [
        {"Fn::Sub": "arn:aws:s3:::${StorageBucketName}/private/${!cognito-identity.amazonaws.com:sub}/*"}
    ]
    assert "S3GuestUploadsPolicy" not in resources  # guests are read-only


def test_role_attachment_uses_token_mapping_with_authenticated_fallback(blog_stack: dict[str, Any]) -> None:
    attachment = blog_stack["Resources"]["IdentityPoolRoleAttachment"]["Properties"]
    assert attachment["IdentityPoolId"] == {"Ref": "IdentityPoolId"}
    assert attachment["Roles"] == {"authenticated": {"Ref": "AuthRoleArn"}, "unauthenticated": {"Ref": "UnauthRoleArn"}}
    assert set(attachment["RoleMappings"]) == {"UserPoolClientRoleMapping", "UserPoolWebClientRoleMapping"}
    for mapping in attachment["RoleMappings"].values():
        assert mapping["Type"] == "Token" and mapping["AmbiguousRoleResolution"] == "AuthenticatedRole"
    parameters = blog_stack["Parameters"]
    assert parameters["IdentityPoolId"]["Default"] == ENV.identity_pool_id
    assert parameters["UserPoolId"]["Default"] == ENV.user_pool_id
    assert parameters["AuthRoleArn"]["Default"] == f"arn:aws:iam::{ENV.account_id}:role/{ENV.auth_role_name}"


def test_env_placeholder_becomes_fn_sub_and_other_variables_stay_literal() -> None:
    groups = [
        {
            "groupName": "Ops",
            "precedence": 1,
            "customPolicies": [
                {
                    "PolicyName": "ops",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "s3:GetObject",
                                "Resource": ["arn:aws:s3:::data-${env}/${aws:username}/*", "arn:aws:s3:::static/*"],
                            }
                        ],
                    },
                }
            ],
        }
    ]
    group_file, _ = parse_group_file(json.dumps(groups), "g.json")
    assert group_file is not None
    template = emit_auth_stack(group_file, ENV)
    [statement] = template["Resources"]["OpsGroupRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statement["Resource"] == [
        {"Fn::Sub": ["arn:aws:s3:::data-${env}/${!aws:username}/*", {"env": {"Ref": "env"}}]},
        "arn:aws:s3:::static/*",
    ]
    assert template["Parameters"]["env"]["Type"] == "String"
    assert _lint_errors(template) == []


def test_non_alphanumeric_group_names_get_sanitized_logical_ids() -> None:
    group_file, _ = parse_group_file(
        json.dumps([{"groupName": "read-only", "precedence": 1}, {"groupName": "readonly", "precedence": 2}]), "g.json"
    )
    assert group_file is not None
    template = emit_auth_stack(group_file, ENV)
    base = logical_id_base("read-only")
    assert base.startswith("readonly") and base != "readonly" and base.isalnum()
    assert template["Resources"][f"{base}Group"]["Properties"]["GroupName"] == "read-only"
    assert template["Resources"][f"{base}GroupRole"]["Properties"]["RoleName"] == {
        "Fn::Sub": "${UserPoolId}-read-onlyGroupRole"
    }
    assert "readonlyGroup" in template["Resources"]
    assert _lint_errors(template) == []


def test_empty_group_file_still_lints() -> None:
    template = emit_auth_stack(GroupFile([]), ENV)
    assert list(template["Resources"]) == ["IdentityPoolRoleAttachment"]
    assert _lint_errors(template) == []
