"""The one Identity type: AppSync's `$ctx.identity` shape, read and written back exactly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from resolvers.identity import AuthType, Identity, parse_groups

SUITE = Path(__file__).parent / "conformance" / "blog" / "suite.json"


def _suite_identities() -> dict[str, dict[str, Any]]:
    return json.loads(SUITE.read_text())["identities"]


@pytest.mark.parametrize("name", sorted(_suite_identities()) if SUITE.exists() else [])
def test_conformance_identity_round_trips_exactly(name: str) -> None:
    recorded = _suite_identities()[name]
    identity = Identity.from_appsync(recorded["authType"], recorded["identity"], recorded.get("headers"))
    assert identity.to_appsync() == recorded["identity"]
    assert identity.auth_type.value == recorded["authType"]


def test_user_pool_identity_fields_come_from_the_recorded_identity() -> None:
    recorded = _suite_identities()["admin-and-editor"]
    identity = Identity.from_appsync("userPools", recorded["identity"])
    assert identity.username == "max"
    assert identity.groups() == ["Admins", "Editors"]
    assert identity.claim("email") == "max@example.com"
    assert identity.source_ip == ("203.0.113.10",)


def test_api_key_identity_reads_the_key_from_headers_case_insensitively() -> None:
    identity = Identity.from_appsync("apiKey", None, {"X-Api-Key": "da2-abc"})
    assert identity.api_key == "da2-abc"
    assert identity.to_appsync() is None


def test_iam_identity_keeps_every_cognito_field() -> None:
    recorded = _suite_identities()["iam-authenticated"]["identity"]
    identity = Identity.from_appsync("iam", recorded)
    assert identity.user_arn == recorded["userArn"]
    assert identity.cognito_identity_auth_type == "authenticated"
    assert identity.is_authenticated_iam
    assert identity.cognito_identity_pool_id == recorded["cognitoIdentityPoolId"]


@pytest.mark.parametrize(
    ("claims", "username"),
    [
        ({"sub": "s", "cognito:username": "alice", "token_use": "id"}, "alice"),
        ({"sub": "s", "username": "alice", "token_use": "access"}, "alice"),
        ({"sub": "s"}, None),
    ],
)
def test_username_comes_from_id_or_access_token_claims(claims: dict[str, Any], username: str | None) -> None:
    identity = Identity.from_appsync("userPools", {"claims": claims})
    assert identity.username == username
    assert identity.sub == "s"


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        (["Admins", "Editors"], ["Admins", "Editors"]),
        ('["Admins", "Editors"]', ["Admins", "Editors"]),
        ("Admins", ["Admins"]),
        ("NotAdmins", ["NotAdmins"]),
        ("", []),
        (None, []),
        (42, []),
        (["Admins", 3], ["Admins"]),
        ("[not json", ["[not json"]),
    ],
)
def test_groups_claim_forms(value: Any, groups: list[str]) -> None:
    assert parse_groups(value) == groups


def test_group_membership_is_never_a_substring_test() -> None:
    identity = Identity(auth_type=AuthType.USER_POOLS, claims={"cognito:groups": "NotAdmins"})
    assert "Admins" not in identity.groups()
    assert Identity(auth_type=AuthType.USER_POOLS, claims={"roles": ["Admins"]}).groups("roles") == ["Admins"]


def test_groups_key_only_when_the_token_has_the_claim() -> None:
    without = Identity(auth_type=AuthType.USER_POOLS, sub="s", claims={"sub": "s"}).to_appsync()
    with_groups = Identity(auth_type=AuthType.USER_POOLS, sub="s",
                           claims={"sub": "s", "cognito:groups": '["A"]'}).to_appsync()
    assert without is not None and "groups" not in without
    assert with_groups is not None and with_groups["groups"] == ["A"]


def test_lambda_identity_is_its_resolver_context() -> None:
    identity = Identity.from_appsync("lambda", {"resolverContext": {"tenant": "t1"}})
    assert identity.to_appsync() == {"resolverContext": {"tenant": "t1"}}


@pytest.mark.parametrize(
    ("name", "member", "appsync_name"),
    [
        ("userPools", AuthType.USER_POOLS, "User Pool Authorization"),
        ("AMAZON_COGNITO_USER_POOLS", AuthType.USER_POOLS, "User Pool Authorization"),
        ("oidc", AuthType.OIDC, "Open ID Connect Authorization"),
        ("AWS_IAM", AuthType.IAM, "IAM Authorization"),
        ("apiKey", AuthType.API_KEY, "API Key Authorization"),
        ("lambda", AuthType.LAMBDA, "Lambda Authorization"),
    ],
)
def test_auth_type_names(name: str, member: AuthType, appsync_name: str) -> None:
    assert AuthType.parse(name) is member
    assert member.appsync_name == appsync_name


def test_unknown_auth_type_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match='unknown auth type "cookie"'):
        AuthType.parse("cookie")


def test_identity_is_immutable() -> None:
    identity = Identity(auth_type=AuthType.API_KEY, api_key="k")
    with pytest.raises(ValueError):
        identity.api_key = "other"  # type: ignore[misc]
