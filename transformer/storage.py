"""Amplify storage (S3) grants for guests, signed-in users and groups, as the IAM policies Amplify deploys.

Source of truth: Amplify CLI's `s3-stack-builder.ts` (auth-semantics §4.5). Guests and signed-in
users get prefix policies on the identity pool's unauth and auth roles (`public/`, `protected/`,
`private/<identity id>/`, `uploads/`); each group with access gets one policy on its group role
covering the whole bucket. Because the identity pool hands a group member the group role *instead*
of the auth role, a group without storage access leaves its members with no storage access at all.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transformer.diagnostics import Diagnostic, error, read_text
from transformer.iam_policy import NamedPolicy
from transformer.precedence import GroupFile, PolicyDocument, json_path

IDENTITY_ID_VARIABLE = "${cognito-identity.amazonaws.com:sub}"
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


class S3Permission(StrEnum):
    CREATE_AND_UPDATE = "CREATE_AND_UPDATE"
    READ = "READ"
    DELETE = "DELETE"


S3_ACTIONS: dict[S3Permission, tuple[str, ...]] = {
    S3Permission.CREATE_AND_UPDATE: ("s3:PutObject",),
    S3Permission.READ: ("s3:GetObject", "s3:ListBucket"),
    S3Permission.DELETE: ("s3:DeleteObject",),
}
ALL_S3_ACTIONS = ("s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject")


class StorageSettings(BaseModel):
    """`amplify/backend/storage/<name>/cli-inputs.json` (S3), or our own file with the same keys."""

    model_config = ConfigDict(extra="allow", frozen=True)

    bucketName: str
    resourceName: str | None = None
    storageAccess: str | None = None
    guestAccess: list[S3Permission] = Field(default_factory=list)
    authAccess: list[S3Permission] = Field(default_factory=list)
    groupAccess: dict[str, list[S3Permission]] = Field(default_factory=dict)

    @property
    def guests_allowed(self) -> bool:
        """Amplify removes guest access unless the resource was set up for `authAndGuest`."""
        return self.storageAccess in (None, "authAndGuest")

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucketName}"

    @property
    def objects_arn(self) -> str:
        return f"{self.bucket_arn}/*"


def s3_actions(permissions: list[S3Permission], *, include_list: bool = True) -> list[str]:
    """Amplify's mapping, in the order permissions are given (create/update, read, delete)."""
    actions = [action for permission in permissions for action in S3_ACTIONS[permission]]
    unique = list(dict.fromkeys(actions))
    return unique if include_list else [action for action in unique if action != "s3:ListBucket"]


def parse_storage_settings(
    text: str, file: str, group_file: GroupFile | None
) -> tuple[StorageSettings | None, list[Diagnostic]]:
    """Validate; every group named in `groupAccess` must be defined in the group file."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [error("storage-json", f"not valid JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno)]
    if not isinstance(data, dict):
        return None, [error("storage-shape", "storage settings must be a JSON object", file=file)]
    try:
        settings = StorageSettings.model_validate(data)
    except ValidationError as exc:
        return None, [
            error("storage-invalid", _message(err), file=file, json_path=json_path(err["loc"])) for err in exc.errors()
        ]
    diagnostics: list[Diagnostic] = []
    if not _BUCKET_NAME.match(settings.bucketName):
        diagnostics.append(
            error(
                "storage-bucket-name",
                "bucketName must be 3-63 lowercase letters, digits, dots or hyphens (S3's rule)",
                file=file,
                json_path="bucketName",
            )
        )
    for group in settings.groupAccess:
        if group_file is None:
            diagnostics.append(
                error(
                    "storage-group-unknown",
                    f'group "{group}" is given storage access but there is no group file',
                    file=file,
                    json_path=f"groupAccess.{group}",
                )
            )
        elif group_file.get(group) is None:
            known = ", ".join(group_file.names()) or "none"
            diagnostics.append(
                error(
                    "storage-group-unknown",
                    f'group "{group}" is not defined in the group file (defined: {known})',
                    file=file,
                    json_path=f"groupAccess.{group}",
                )
            )
    return (None if diagnostics else settings), diagnostics


def load_storage_settings(path: Path, group_file: GroupFile | None) -> tuple[StorageSettings | None, list[Diagnostic]]:
    return parse_storage_settings(read_text(path), str(path), group_file)


def find_storage_settings(start: Path) -> Path | None:
    """The first S3 `cli-inputs.json` under an enclosing `amplify/backend/storage/`."""
    directory = (start if start.is_dir() else start.parent).resolve()
    for base in (directory, *directory.parents):
        storage = base / "amplify" / "backend" / "storage"
        if not storage.is_dir():
            continue
        for candidate in sorted(storage.glob("*/cli-inputs.json")):
            try:
                if "bucketName" in json.loads(candidate.read_text(encoding="utf-8")):
                    return candidate
            except (OSError, ValueError):
                continue
    return None


def _message(err: Any) -> str:
    if err["type"] == "enum":
        return "must be one of CREATE_AND_UPDATE, READ, DELETE"
    if err["type"] == "missing":
        return "required key is missing"
    return str(err["msg"])


def _statement(actions: list[str], resource: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": [resource]}
    if condition:
        statement["Condition"] = condition
    return statement


def _policy(name: str, statements: list[dict[str, Any]]) -> NamedPolicy:
    document = PolicyDocument.model_validate({"Version": "2012-10-17", "Statement": statements})
    return NamedPolicy(name=name, document=document)


def _list_prefixes(signed_in: bool) -> dict[str, Any]:
    prefixes = ["public/", "public/*", "protected/", "protected/*"]
    if signed_in:
        prefixes += [f"private/{IDENTITY_ID_VARIABLE}/", f"private/{IDENTITY_ID_VARIABLE}/*"]
    return {"StringLike": {"s3:prefix": prefixes}}


def guest_policies(settings: StorageSettings) -> list[NamedPolicy]:
    """Policies on the unauthenticated role."""
    if not settings.guests_allowed:
        return []
    return _prefix_policies(settings, settings.guestAccess, "Guest", signed_in=False)


def authenticated_policies(settings: StorageSettings) -> list[NamedPolicy]:
    """Policies on the authenticated role (signed-in users whose groups give them no group role)."""
    return _prefix_policies(settings, settings.authAccess, "Auth", signed_in=True)


def _prefix_policies(
    settings: StorageSettings, permissions: list[S3Permission], who: str, *, signed_in: bool
) -> list[NamedPolicy]:
    bucket = settings.bucket_arn
    object_actions = s3_actions(permissions, include_list=False)
    prefixes = ["public"] + (["protected", "private"] if signed_in else [])
    policies: list[NamedPolicy] = []
    if object_actions:
        for prefix in prefixes:
            path = "public/*" if prefix == "public" else f"{prefix}/{IDENTITY_ID_VARIABLE}/*"
            policies.append(
                _policy(f"S3{who}{prefix.capitalize()}Policy", [_statement(object_actions, f"{bucket}/{path}")])
            )
    if S3Permission.CREATE_AND_UPDATE in permissions:
        uploads_name = "S3AuthUploadPolicy" if signed_in else "S3GuestUploadsPolicy"
        policies.append(_policy(uploads_name, [_statement(["s3:PutObject"], f"{bucket}/uploads/*")]))
    if S3Permission.READ in permissions:
        policies.append(
            _policy(
                f"S3{who}ReadPolicy",
                [
                    _statement(["s3:GetObject"], f"{bucket}/protected/*"),
                    _statement(["s3:ListBucket"], bucket, _list_prefixes(signed_in)),
                ],
            )
        )
    return policies


def group_policy_name(group: str) -> str:
    return f"{group}-group-s3-policy"


def group_policy(settings: StorageSettings, group: str) -> NamedPolicy | None:
    """`<group>-group-s3-policy`: the granted actions on every object, and ListBucket when reading."""
    permissions = settings.groupAccess.get(group)
    if not permissions:
        return None
    statements = [_statement(s3_actions(permissions), settings.objects_arn)]
    if S3Permission.READ in permissions:
        statements.append(_statement(["s3:ListBucket"], settings.bucket_arn))
    return _policy(group_policy_name(group), statements)


class StoragePolicies(BaseModel):
    model_config = ConfigDict(frozen=True)

    guest: list[NamedPolicy]
    authenticated: list[NamedPolicy]
    groups: dict[str, NamedPolicy]


def storage_policies(settings: StorageSettings) -> StoragePolicies:
    groups = {name: policy for name in settings.groupAccess if (policy := group_policy(settings, name)) is not None}
    return StoragePolicies(
        guest=guest_policies(settings), authenticated=authenticated_policies(settings), groups=groups
    )
