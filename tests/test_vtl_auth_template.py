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
SUITE = Path(__file__).parent / "conformance" / "blog" / "suite.json"


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


LIST_AUTH = """
$util.qr($ctx.stash.put("hasAuth", true))
#set( $isAuthorized = false )
#set( $authFilter = [] )
#if( $util.authType() == "User Pool Authorization" )
  #set( $groupsInToken = $util.defaultIfNull($ctx.identity.claims.get("cognito:groups"), []) )
  #foreach( $group in ["Admins", "Editors"] )
    #if( $groupsInToken.contains($group) )
      #set( $isAuthorized = true )
      #break
    #end
  #end
  #if( !$isAuthorized )
    #set( $sub = $util.defaultIfNull($ctx.identity.claims.get("sub"), null) )
    #set( $username = $util.defaultIfNull($ctx.identity.claims.get("username"),
                        $util.defaultIfNull($ctx.identity.claims.get("cognito:username"), null)) )
    #if( !$util.isNull($sub) && !$util.isNull($username) )
      $util.qr($authFilter.add({"owner": {"eq": "$sub::$username"}}))
      $util.qr($authFilter.add({"owner": {"eq": $sub}}))
      $util.qr($authFilter.add({"owner": {"eq": $username}}))
    #end
    #if( !$authFilter.isEmpty() )
      $util.qr($ctx.stash.put("authFilter", {"or": $authFilter}))
    #end
  #end
#end
#if( !$isAuthorized && $util.isNull($ctx.stash.authFilter) )
$util.unauthorized()
#end
$util.toJson({"version": "2018-05-29", "payload": {}})
"""

LIST_REQUEST = """
#set( $request = {"version": "2018-05-29", "operation": "Scan", "limit": $util.defaultIfNull($ctx.args.limit, 100)} )
#if( !$util.isNull($ctx.stash.authFilter) )
  #set( $filter = $ctx.stash.authFilter )
  #if( !$util.isNullOrEmpty($ctx.args.filter) )
    #set( $filter = {"and": [$filter, $ctx.args.filter]} )
  #end
#else
  #set( $filter = $ctx.args.filter )
#end
#if( !$util.isNullOrEmpty($filter) )
  $util.qr($request.put("filter", $util.parseJson($util.transform.toDynamoDBFilterExpression($filter))))
#end
$util.toJson($request)
"""


def list_pipeline(identity: dict[str, Any] | None, auth_type: str, args: dict[str, Any]):  # noqa: ANN201
    context = VtlContext(
        arguments=args, identity=identity, auth_type=auth_type,
        info={"fieldName": "listPosts", "parentTypeName": "Query"},
    )
    auth = render(get_template(LIST_AUTH, "Query.listPosts.auth.1.req.vtl"), context)
    if auth.error is not None:
        return auth, None
    return auth, render(get_template(LIST_REQUEST, "Query.listPosts.req.vtl"), context).json()


def test_list_for_group_member_has_no_auth_filter() -> None:
    auth, request = list_pipeline(ANN, "userPools", {})
    assert auth.error is None and "filter" not in request


def test_list_for_owner_is_filtered_by_placeholders_and_combined_with_client_filter() -> None:
    auth, request = list_pipeline(ALICE, "userPools", {"filter": {"title": {"eq": '") OR 1=1'}}})
    assert auth.error is None
    flt = request["filter"]
    assert flt["expression"] == (
        "((#owner = :owner_eq) OR (#owner = :owner_eq_1) OR (#owner = :owner_eq_2)) AND (#title = :title_eq)"
    )
    assert flt["expressionNames"] == {"#owner": "owner", "#title": "title"}
    assert {v["S"] for v in flt["expressionValues"].values()} == {"s-alice::alice", "s-alice", "alice", '") OR 1=1'}


def test_list_without_claims_or_with_api_key_is_unauthorized() -> None:
    for identity, auth_type in (({"claims": {}}, "userPools"), (None, "apiKey")):
        auth, request = list_pipeline(identity, auth_type, {})
        assert request is None and auth.error is not None
        assert auth.error.message == "Not Authorized to access listPosts on type Query"


SUBSCRIPTION_AUTH = """
#set( $isAuthorized = false )
#if( $util.authType() == "User Pool Authorization" )
  #set( $groups = $util.defaultIfNull($ctx.identity.claims.get("cognito:groups"), []) )
  #if( $groups.contains("Admins") )
    #set( $isAuthorized = true )
  #else
    #set( $username = $util.defaultIfNull($ctx.identity.claims.get("cognito:username"), null) )
    #if( !$util.isNull($ctx.args.owner) )
      #if( $ctx.args.owner != $username )
        $util.unauthorized()
      #end
      #set( $isAuthorized = true )
    #elseif( !$util.isNull($username) )
      $extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter({"owner": {"eq": $username}}))
      #set( $isAuthorized = true )
    #end
  #end
#end
#if( !$isAuthorized )
$util.unauthorized()
#end
$util.toJson(null)
"""


@pytest.mark.parametrize(
    ("identity", "args", "allowed", "subscription_filter"),
    [
        (ANN, {}, True, None),
        (ALICE, {"owner": "alice"}, True, None),
        (ALICE, {"owner": "bob"}, False, None),
        (ALICE, {}, True, {"filterGroup": [{"filters": [{"fieldName": "owner", "operator": "eq", "value": "alice"}]}]}),
        ({"claims": {}}, {}, False, None),
    ],
)
def test_subscription_auth(identity: dict[str, Any], args: dict[str, Any], allowed: bool, subscription_filter: Any) -> None:
    context = VtlContext(
        arguments=args, identity=identity, auth_type="userPools",
        info={"fieldName": "onCreatePost", "parentTypeName": "Subscription"},
    )
    result = render(get_template(SUBSCRIPTION_AUTH, "Subscription.onCreatePost.auth.1.res.vtl"), context)
    assert (result.error is None) == allowed
    assert result.subscription_filter == subscription_filter
    if allowed:
        assert result.json() is None


@pytest.mark.parametrize(
    ("groups", "allowed"),
    [(["Moderators"], True), ('["Users", "Moderators"]', True), ("Moderators", True), ("SuperModerators", False),
     (["Users"], False), (None, False)],
)
def test_oidc_group_claim_is_normalised_before_membership(groups: Any, allowed: bool) -> None:
    claims: dict[str, Any] = {"sub": "o-1"}
    if groups is not None:
        claims["groups"] = groups
    result, _ = create({"claims": claims}, "oidc", {"title": "t", "internalNotes": "x"})
    assert (result.error is None) == allowed
