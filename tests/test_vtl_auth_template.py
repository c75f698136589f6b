"""A realistic Amplify-style auth template (create Post) rendered for several identities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from resolvers.vtl import VtlContext, get_template, render
from resolvers.vtl.examples import CREATE_POST_AUTH

AUTH_ROLE = "arn:aws:sts::123456789012:assumed-role/app-authRole/CognitoIdentityCredentials"
UNAUTH_ROLE = "arn:aws:sts::123456789012:assumed-role/app-unauthRole/CognitoIdentityCredentials"
SUITE = Path(__file__).resolve().parents[2] / "shared" / "conformance" / "blog" / "suite.json"


def user(sub: str, username: str, groups: Any = None) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": sub, "cognito:username": username, "token_use": "id"}
    if groups is not None:
        claims["cognito:groups"] = groups
    return {"sub": sub, "username": username, "claims": claims}


ANN = user("s-ann", "ann", ["Admins"])
ED = user("s-ed", "ed", ["Editors"])
ALICE = user("s-alice", "alice")
SUPER = user("s-sup", "sup", "SuperAdmins")


def create(identity: dict[str, Any] | None, auth_type: str, post: dict[str, Any], stash: Any = None):  # noqa: ANN201
    context = VtlContext(
        arguments={"input": post},
        identity=identity,
        auth_type=auth_type,
        info={"fieldName": "createPost", "parentTypeName": "Mutation"},
        stash=stash or {"adminRoles": [], "authRole": AUTH_ROLE, "unauthRole": UNAUTH_ROLE},
    )
    result = render(get_template(CREATE_POST_AUTH, "Mutation.createPost.auth.1.req.vtl"), context)
    return result, context


def test_admin_is_authorized_and_gets_owner_filled() -> None:
    result, context = create(ANN, "userPools", {"title": "t", "internalNotes": "n"})
    assert result.error is None
    assert result.json() == {"version": "2018-05-29", "payload": {}}
    assert context.arguments["input"]["owner"] == "s-ann::ann"
    assert result.stash["hasAuth"] is True


def test_editor_may_set_someone_else_as_owner() -> None:
    result, context = create(ED, "userPools", {"title": "t", "owner": "s-alice::alice"})
    assert result.error is None and context.arguments["input"]["owner"] == "s-alice::alice"


def test_owner_without_owner_field_becomes_owner() -> None:
    result, context = create(ALICE, "userPools", {"title": "t", "content": "c"})
    assert result.error is None and context.arguments["input"]["owner"] == "s-alice::alice"


@pytest.mark.parametrize("owner", ["s-alice::alice", "s-alice", "alice"])
def test_owner_may_name_herself_in_any_claim_form(owner: str) -> None:
    result, _ = create(ALICE, "userPools", {"title": "t", "owner": owner})
    assert result.error is None


@pytest.mark.parametrize("owner", ["s-bob::bob", None, "", "s-alice::alicex"])
def test_owner_may_not_name_someone_else_or_null(owner: Any) -> None:
    result, context = create(ALICE, "userPools", {"title": "t", "owner": owner})
    assert result.error is not None and result.error.error_type == "Unauthorized"
    assert result.error.message == "Not Authorized to access createPost on type Mutation"
    assert context.arguments["input"]["owner"] == owner


def test_owner_with_restricted_field_gets_field_list_error() -> None:
    result, _ = create(ALICE, "userPools", {"title": "t", "internalNotes": "x", "secret": 1})
    assert result.error is not None and result.error.error_type == "Unauthorized"
    assert result.error.message == "Unauthorized on [internalNotes, secret]"


def test_static_group_string_claim_is_a_substring_test_like_amplify() -> None:
    result, _ = create(SUPER, "userPools", {"title": "t", "internalNotes": "x"})
    assert result.error is None


def test_missing_username_claim_skips_owner_rule() -> None:
    identity = {"sub": "s-x", "claims": {"sub": "s-x"}}
    result, context = create(identity, "userPools", {"title": "t"})
    assert result.error is not None and "owner" not in context.arguments["input"]


@pytest.mark.parametrize(
    ("identity", "auth_type"),
    [
        (None, "apiKey"),
        ({"userArn": AUTH_ROLE, "cognitoIdentityAuthType": "authenticated"}, "iam"),
        ({"claims": {"sub": "s-alice", "cognito:username": "alice"}}, "oidc"),
        ({"resolverContext": {}}, "lambda"),
    ],
)
def test_other_providers_are_denied(identity: Any, auth_type: str) -> None:
    result, _ = create(identity, auth_type, {"title": "t"})
    assert result.error is not None and result.error.message == "Not Authorized to access createPost on type Mutation"


def test_iam_admin_role_returns_early() -> None:
    stash = {"adminRoles": ["ops-admin"], "authRole": AUTH_ROLE, "unauthRole": UNAUTH_ROLE}
    identity = {"userArn": "arn:aws:sts::123456789012:assumed-role/ops-admin/session"}
    result, _ = create(identity, "iam", {"title": "t", "internalNotes": "x"}, stash)
    assert result.error is None and result.has_returned
    assert json.loads(result.returned) == {"version": "2018-05-29", "payload": {}}


def test_iam_auth_role_is_not_an_admin_even_if_named_like_one() -> None:
    stash = {"adminRoles": ["authRole"], "authRole": AUTH_ROLE, "unauthRole": UNAUTH_ROLE}
    result, _ = create({"userArn": AUTH_ROLE}, "iam", {"title": "t"}, stash)
    assert result.error is not None and not result.has_returned


def _create_post_cases() -> list[dict[str, Any]]:
    if not SUITE.is_file():
        return []
    suite = json.loads(SUITE.read_text())
    return [
        {**case, "_identity": suite["identities"][case["identity"]], "_settings": suite["settings"]}
        for case in suite["cases"]
        if case["operation"] == "Mutation.createPost"
    ]


@pytest.mark.skipif(not SUITE.is_file(), reason="conformance suite not available")
@pytest.mark.parametrize("case", _create_post_cases(), ids=lambda c: c["id"])
def test_blog_conformance_create_post(case: dict[str, Any]) -> None:
    settings = case["_settings"]
    stash = {"adminRoles": settings["adminRoles"], "authRole": settings["iamAuthRoleArn"],
             "unauthRole": settings["iamUnauthRoleArn"]}
    result, context = create(case["_identity"]["identity"], case["_identity"]["authType"], case["args"]["input"], stash)
    expect = case["expect"]
    assert (result.error is None) == expect["allowed"]
    if expect["allowed"]:
        assert {k: context.arguments["input"].get(k) for k in expect["result"]} == expect["result"]
    else:
        assert (result.error.error_type, result.error.message) == (expect["errorType"], expect["message"])
