"""Amplify's storage grants: permission -> S3 action mapping, prefix and group policies, validation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from transformer.iam_policy import evaluate
from transformer.precedence import GroupFile, UserPoolGroup
from transformer.storage import (
    S3Permission,
    StorageSettings,
    authenticated_policies,
    find_storage_settings,
    group_policy,
    guest_policies,
    parse_storage_settings,
    s3_actions,
    storage_policies,
)

GROUPS = GroupFile([UserPoolGroup(groupName="Admins", precedence=1), UserPoolGroup(groupName="Editors", precedence=2)])
BUCKET = "arn:aws:s3:::media"
ME = "us-east-1:me"
CONTEXT = {"cognito-identity.amazonaws.com:sub": ME}
C, R, D = S3Permission.CREATE_AND_UPDATE, S3Permission.READ, S3Permission.DELETE


def _settings(**values: Any) -> StorageSettings:
    return StorageSettings.model_validate({"bucketName": "media", **values})


@pytest.mark.parametrize(
    ("permissions", "actions"),
    [
        ([C], ["s3:PutObject"]),
        ([R], ["s3:GetObject", "s3:ListBucket"]),
        ([D], ["s3:DeleteObject"]),
        ([C, R, D], ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject"]),
        ([], []),
    ],
)
def test_permission_to_action_mapping(permissions: list[S3Permission], actions: list[str]) -> None:
    assert s3_actions(permissions) == actions


def test_group_policy_covers_the_whole_bucket_with_list_on_the_bucket() -> None:
    policy = group_policy(_settings(groupAccess={"Admins": ["CREATE_AND_UPDATE", "READ", "DELETE"]}), "Admins")
    assert policy is not None and policy.name == "Admins-group-s3-policy"
    assert policy.document.to_json()["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject"],
            "Resource": [f"{BUCKET}/*"],
        },
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [BUCKET]},
    ]


@pytest.mark.parametrize(
    ("permissions", "allowed"),
    [
        (["CREATE_AND_UPDATE"], {"s3:PutObject"}),
        (["READ"], {"s3:GetObject", "s3:ListBucket"}),
        (["DELETE"], {"s3:DeleteObject"}),
    ],
)
def test_each_group_permission_grants_exactly_its_actions(permissions: list[str], allowed: set[str]) -> None:
    policy = group_policy(_settings(groupAccess={"Editors": permissions}), "Editors")
    assert policy is not None
    for action in ("s3:PutObject", "s3:GetObject", "s3:DeleteObject"):
        assert evaluate([policy], action, f"{BUCKET}/any/key.jpg").allowed is (action in allowed)
    assert evaluate([policy], "s3:ListBucket", BUCKET).allowed is ("s3:ListBucket" in allowed)
    assert not evaluate([policy], "s3:GetObject", "arn:aws:s3:::other-bucket/key").allowed


def test_group_without_access_has_no_policy() -> None:
    assert group_policy(_settings(groupAccess={"Admins": ["READ"]}), "Editors") is None


def test_signed_in_users_get_prefix_policies() -> None:
    policies = authenticated_policies(_settings(authAccess=["CREATE_AND_UPDATE", "READ"]))
    assert [p.name for p in policies] == [
        "S3AuthPublicPolicy",
        "S3AuthProtectedPolicy",
        "S3AuthPrivatePolicy",
        "S3AuthUploadPolicy",
        "S3AuthReadPolicy",
    ]

    def allowed(action: str, key: str, **extra: str) -> bool:
        resource = BUCKET if action == "s3:ListBucket" else f"{BUCKET}/{key}"
        return evaluate(policies, action, resource, {**CONTEXT, **extra}).allowed

    assert allowed("s3:PutObject", "public/a") and allowed("s3:GetObject", "public/a")
    assert allowed("s3:PutObject", f"private/{ME}/a") and not allowed("s3:PutObject", "private/someone/a")
    assert allowed("s3:GetObject", "protected/someone/a") and not allowed("s3:PutObject", "protected/someone/a")
    assert allowed("s3:PutObject", "uploads/a") and not allowed("s3:GetObject", "uploads/a")
    assert not allowed("s3:DeleteObject", "public/a")
    assert not allowed("s3:GetObject", "elsewhere/a")
    assert allowed("s3:ListBucket", "", **{"s3:prefix": f"private/{ME}/"})
    assert not allowed("s3:ListBucket", "", **{"s3:prefix": "private/someone/"})


def test_guests_read_only() -> None:
    policies = guest_policies(_settings(guestAccess=["READ"]))
    assert [p.name for p in policies] == ["S3GuestPublicPolicy", "S3GuestReadPolicy"]
    assert evaluate(policies, "s3:GetObject", f"{BUCKET}/public/a").allowed
    assert not evaluate(policies, "s3:PutObject", f"{BUCKET}/public/a").allowed
    assert not evaluate(policies, "s3:GetObject", f"{BUCKET}/private/x/a", CONTEXT).allowed
    assert evaluate(policies, "s3:ListBucket", BUCKET, {"s3:prefix": "public/"}).allowed
    assert not evaluate(policies, "s3:ListBucket", BUCKET, {"s3:prefix": "private/"}).allowed


def test_guest_create_gives_uploads_and_public() -> None:
    policies = guest_policies(_settings(guestAccess=["CREATE_AND_UPDATE"]))
    assert [p.name for p in policies] == ["S3GuestPublicPolicy", "S3GuestUploadsPolicy"]


def test_auth_only_storage_removes_guest_access() -> None:
    assert guest_policies(_settings(storageAccess="auth", guestAccess=["READ"])) == []


def test_storage_policies_bundle() -> None:
    bundle = storage_policies(_settings(guestAccess=["READ"], groupAccess={"Admins": ["READ"], "Editors": []}))
    assert set(bundle.groups) == {"Admins"}
    assert bundle.authenticated == []


def _parse(data: Any, group_file: GroupFile | None = GROUPS) -> tuple[Any, list[Any]]:
    return parse_storage_settings(json.dumps(data), "storage.json", group_file)


def test_amplify_cli_inputs_parse() -> None:
    data = {
        "resourceName": "s3media",
        "policyUUID": "1a2b",
        "bucketName": "media-bucket",
        "storageAccess": "authAndGuest",
        "guestAccess": ["READ"],
        "authAccess": ["CREATE_AND_UPDATE", "READ", "DELETE"],
        "triggerFunction": "NONE",
        "groupAccess": {"Admins": ["CREATE_AND_UPDATE", "READ", "DELETE"]},
    }
    settings, diagnostics = _parse(data)
    assert diagnostics == [] and settings.authAccess == [C, R, D]


@pytest.mark.parametrize(
    ("data", "path", "message"),
    [
        (
            {"bucketName": "media", "groupAccess": {"Moderators": ["READ"]}},
            "groupAccess.Moderators",
            'group "Moderators" is not defined in the group file',
        ),
        ({"bucketName": "media", "authAccess": ["READ", "WRITE"]}, "authAccess[1]", "CREATE_AND_UPDATE, READ, DELETE"),
        ({"bucketName": "media", "groupAccess": {"Admins": ["ALL"]}}, "groupAccess.Admins[0]", "one of"),
        ({"guestAccess": ["READ"]}, "bucketName", "required key is missing"),
        ({"bucketName": "Media_Bucket"}, "bucketName", "S3's rule"),
    ],
)
def test_storage_errors_have_json_paths(data: Any, path: str, message: str) -> None:
    settings, diagnostics = _parse(data)
    assert settings is None
    assert [d.json_path for d in diagnostics] == [path]
    assert message in diagnostics[0].message


def test_group_access_without_group_file_is_an_error() -> None:
    _, diagnostics = _parse({"bucketName": "media", "groupAccess": {"Admins": ["READ"]}}, group_file=None)
    assert "no group file" in diagnostics[0].message


def test_invalid_json_has_line_and_column() -> None:
    settings, diagnostics = parse_storage_settings('{"bucketName": }', "s.json", GROUPS)
    assert settings is None and (diagnostics[0].line, diagnostics[0].column) == (1, 16)


def test_find_storage_settings_skips_non_s3_resources(tmp_path: Path) -> None:
    storage = tmp_path / "amplify" / "backend" / "storage"
    (storage / "atable").mkdir(parents=True)
    (storage / "atable" / "cli-inputs.json").write_text(json.dumps({"resourceName": "atable", "tableName": "t"}))
    assert find_storage_settings(tmp_path) is None
    (storage / "media").mkdir()
    (storage / "media" / "cli-inputs.json").write_text(json.dumps({"bucketName": "media"}))
    nested = tmp_path / "amplify" / "backend" / "api" / "blog"
    nested.mkdir(parents=True)
    assert find_storage_settings(nested) == (storage / "media" / "cli-inputs.json").resolve()
