"""The seed example end to end: Admins (1, s3:CreateBucket, full storage CRUD), Editors (2), guests read-only,
signed-in users create/update/read; a user in Editors and Admins gets the Admins role, which `gqlauth access`
shows and the emitted stack carries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from transformer.cli import cli
from transformer.emit_auth_stack import emit_auth_stack
from transformer.environment import AuthEnvironment
from transformer.group_roles import resolve_roles
from transformer.precedence import load_group_file
from transformer.storage import load_storage_settings

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "blog"
ENV = AuthEnvironment()
OBJECT_ACTIONS = {"create/update": "s3:PutObject", "read": "s3:GetObject", "delete": "s3:DeleteObject"}


def _report(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli,
        [
            "access",
            *args,
            "--json",
            "--group-file",
            str(SAMPLES / "user-pool-group-precedence.json"),
            "--storage",
            str(SAMPLES / "storage.json"),
        ],
    )
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _allowed(report: dict[str, Any], location: str) -> set[str]:
    return {
        c["permission"]
        for c in report["checks"]
        if c["area"] == "storage" and c["location"] == location and c["allowed"]
    }


def test_user_in_editors_and_admins_gets_the_admins_role() -> None:
    group_file, _ = load_group_file(SAMPLES / "user-pool-group-precedence.json")
    assert group_file is not None
    resolution = resolve_roles(["Editors", "Admins"], group_file, ENV)
    assert resolution.preferred_group == "Admins"
    assert resolution.effective_role_arn == ENV.group_role_arn("Admins")

    report = _report("--user", "alice", "--groups", "Editors,Admins")
    assert report["role_arn"] == ENV.group_role_arn("Admins")
    assert report["preferred_role"] == ENV.group_role_arn("Admins")
    assert report["roles"] == [ENV.group_role_arn("Admins"), ENV.group_role_arn("Editors")]
    assert report["policies"] == ["admin-group-policy", "Admins-group-s3-policy"]
    [create_bucket] = [c for c in report["checks"] if c["area"] == "custom"]
    assert create_bucket["action"] == "s3:CreateBucket" and create_bucket["allowed"]
    assert create_bucket["decided_by"] == "admin-group-policy/statement1"
    for location in ("public/", "private/<others>/", "<elsewhere>/"):
        assert _allowed(report, location) == {"create/update", "read", "list", "delete"}
    delete = next(c for c in report["checks"] if c["action"] == "s3:DeleteObject" and c["location"] == "public/")
    assert delete["decided_by"] == "Admins-group-s3-policy/Statement[0]"


def test_editor_alone_cannot_delete_or_create_buckets() -> None:
    report = _report("--user", "eve", "--groups", "Editors")
    assert report["role_arn"] == ENV.group_role_arn("Editors")
    assert _allowed(report, "<elsewhere>/") == {"create/update", "read", "list"}
    assert not [c for c in report["checks"] if c["area"] == "custom"][0]["allowed"]


@pytest.mark.parametrize("groups", ["", "Strangers"])
def test_signed_in_users_create_update_and_read(groups: str) -> None:
    report = _report("--user", "sam", "--groups", groups)
    assert report["role_source"] == "authenticated"
    assert _allowed(report, "public/") == {"create/update", "read", "list"}
    assert _allowed(report, "private/<you>/") == {"create/update", "read", "list"}
    assert _allowed(report, "private/<others>/") == set()
    assert _allowed(report, "protected/<others>/") == {"read", "list"}
    assert _allowed(report, "<elsewhere>/") == set()


def test_guests_are_read_only() -> None:
    report = _report("--guest")
    assert report["role_source"] == "unauthenticated"
    assert _allowed(report, "public/") == {"read", "list"}
    assert _allowed(report, "protected/<others>/") == {"read", "list"}
    assert _allowed(report, "private/<you>/") == set()
    assert _allowed(report, "uploads/") == set()
    assert not any(c["allowed"] for c in report["checks"] if c["area"] == "custom")


def test_emitted_stack_carries_the_admins_role_and_its_grants() -> None:
    group_file, _ = load_group_file(SAMPLES / "user-pool-group-precedence.json")
    assert group_file is not None
    storage, _ = load_storage_settings(SAMPLES / "storage.json", group_file)
    resources = emit_auth_stack(group_file, ENV, storage)["Resources"]
    admins = resources["AdminsGroup"]["Properties"]
    assert admins["Precedence"] == 1 and admins["Precedence"] < resources["EditorsGroup"]["Properties"]["Precedence"]
    role = resources["AdminsGroupRole"]["Properties"]
    assert role["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] == ["s3:CreateBucket"]
    assert "s3:DeleteObject" in resources["AdminsGroupPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Action"]
    assert (
        "s3:DeleteObject"
        not in resources["EditorsGroupPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]["Action"]
    )
    mapping = resources["IdentityPoolRoleAttachment"]["Properties"]["RoleMappings"]["UserPoolClientRoleMapping"]
    assert mapping == {**mapping, "Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}
