"""Provider isolation, IAM public/private/admin roles, API key, group claims, sandbox, custom authorizer."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest
from guard_support import BLOG, ENV, api_key, iam, matrix_from, user

from resolvers.guards import (
    CustomAuthorizerError,
    configure_custom_authorizer,
    decide_create,
    decide_get,
    decide_list,
    load_authorizer,
)
from resolvers.identity import AuthType
from transformer.rules import Provider

POSTS = matrix_from(BLOG)
TICKETS = matrix_from(
    """
    type Ticket @model @auth(rules: [
      {allow: public, provider: iam, operations: [read]},
      {allow: private, provider: iam},
      {allow: groups, groups: ["Support"], groupClaim: "custom:roles"}
    ]) { id: ID! subject: String }
    """
)
ADMINS_ONLY = matrix_from('type Secret @model @auth(rules: [{allow: groups, groups: ["Admins"]}]) { id: ID! }')
NO_AUTH = "type Note @model { id: ID! body: String }"
CUSTOM = matrix_from("type Job @model @auth(rules: [{allow: custom}]) { id: ID! name: String secret: String }")
GROUP_ROLE = f"arn:aws:sts::{ENV.account_id}:assumed-role/{ENV.user_pool_id}-WritersGroupRole/CognitoIdentityCredentials"


def test_api_key_request_cannot_use_user_pool_rules() -> None:
    decision = decide_create(POSTS, "Mutation.createPost", api_key(), {"title": "t"}, ENV)
    assert (decision.allowed, decision.message) == (False, "Not Authorized to access createPost on type Mutation")
    assert any("wrong provider: request is API key, rule is userPools" in r.detail for r in decision.reasons)


def test_oidc_token_does_not_match_user_pool_groups() -> None:
    oidc_admin = user("ann", ["Admins"], auth_type=AuthType.OIDC)
    assert not decide_get(ADMINS_ONLY, "Query.getSecret", oidc_admin, {"id": "s"}, ENV).allowed
    assert decide_get(ADMINS_ONLY, "Query.getSecret", user("ann", ["Admins"]), {"id": "s"}, ENV).allowed


def test_auth_mode_missing_from_the_api_is_refused() -> None:
    user_pools_only = matrix_from(BLOG, [Provider.USER_POOLS, Provider.API_KEY])
    assert not decide_list(user_pools_only, "Query.listPosts", iam(ENV.auth_role_arn), ENV).allowed


def test_iam_public_is_exactly_the_unauth_role() -> None:
    assert decide_list(TICKETS, "Query.listTickets", iam(ENV.unauth_role_arn, authenticated=False), ENV).allowed
    guest = decide_create(TICKETS, "Mutation.createTicket", iam(ENV.unauth_role_arn, authenticated=False), {}, ENV)
    assert not guest.allowed


def test_iam_private_admits_auth_role_and_same_pool_group_roles() -> None:
    assert decide_create(TICKETS, "Mutation.createTicket", iam(ENV.auth_role_arn), {}, ENV).allowed
    assert decide_create(TICKETS, "Mutation.createTicket", iam(GROUP_ROLE), {}, ENV).allowed
    other_pool = iam(GROUP_ROLE, pool="us-east-1:other")
    assert not decide_create(TICKETS, "Mutation.createTicket", other_pool, {}, ENV).allowed


def test_admin_role_bypasses_every_check_but_only_as_a_whole_role_name() -> None:
    admin = iam(f"arn:aws:sts::{ENV.account_id}:assumed-role/OpsAdminRole/session", pool=None, authenticated=None)
    decision = decide_get(ADMINS_ONLY, "Query.getSecret", admin, {"id": "s"}, ENV)
    assert decision.allowed and decision.admin_bypass
    lookalike = iam(f"arn:aws:sts::{ENV.account_id}:assumed-role/OpsAdminRoleX/session", pool=None,
                    authenticated=None)
    assert not decide_get(ADMINS_ONLY, "Query.getSecret", lookalike, {"id": "s"}, ENV).allowed


@pytest.mark.parametrize(
    ("claim", "allowed"),
    [("Support", True), ('["Billing", "Support"]', True), (["Support"], True), ("SuperSupport", False),
     ("Supported", False), ('["SuperSupport"]', False), (None, False)],
)
def test_string_group_claim_is_parsed_never_substring_tested(claim: object, allowed: bool) -> None:
    caller = user("sam", **({"custom:roles": claim} if claim is not None else {}))
    assert decide_create(TICKETS, "Mutation.createTicket", caller, {}, ENV).allowed is allowed


def test_default_group_claim_as_a_string_is_not_a_substring_test() -> None:
    assert not decide_get(ADMINS_ONLY, "Query.getSecret", user("eve", "SuperAdmins"), {"id": "s"}, ENV).allowed
    assert decide_get(ADMINS_ONLY, "Query.getSecret", user("ann", "Admins"), {"id": "s"}, ENV).allowed


def test_model_without_auth_is_denied_unless_sandbox_lets_api_keys_in() -> None:
    closed = matrix_from(NO_AUTH)
    sandbox = matrix_from(NO_AUTH, sandbox_mode_enabled=True)
    assert not decide_get(closed, "Query.getNote", api_key(), None, ENV).allowed
    assert decide_get(sandbox, "Query.getNote", api_key(), None, ENV).allowed
    assert not decide_get(sandbox, "Query.getNote", user("alice"), None, ENV).allowed


@pytest.fixture
def authorizer_module() -> Iterator[str]:
    module = types.ModuleType("gqlauth_test_authorizer")

    def allow_named(identity: object, operation: str) -> dict[str, object]:
        return {"isAuthorized": True, "deniedFields": ["Job.secret"]}

    def refuse(identity: object, operation: str) -> dict[str, object]:
        return {"isAuthorized": False}

    module.allow_named = allow_named  # type: ignore[attr-defined]
    module.refuse = refuse  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module.__name__
    configure_custom_authorizer(None)
    del sys.modules[module.__name__]


def test_custom_rule_without_an_authorizer_denies() -> None:
    configure_custom_authorizer(None)
    lambda_caller = user("x", auth_type=AuthType.LAMBDA)
    decision = decide_get(CUSTOM, "Query.getJob", lambda_caller, {"id": "j"}, ENV)
    assert not decision.allowed
    assert "no custom authorizer" in decision.reasons[0].detail


def test_custom_authorizer_decides_and_hides_denied_fields(authorizer_module: str) -> None:
    lambda_caller = user("x", auth_type=AuthType.LAMBDA)
    configure_custom_authorizer(f"{authorizer_module}:allow_named")
    decision = decide_get(CUSTOM, "Query.getJob", lambda_caller, {"id": "j"}, ENV)
    assert decision.allowed and "secret" in decision.hidden_fields
    configure_custom_authorizer(f"{authorizer_module}:refuse")
    assert not decide_get(CUSTOM, "Query.getJob", lambda_caller, {"id": "j"}, ENV).allowed


def test_bad_authorizer_paths_are_clear_errors() -> None:
    for path in ("no_colon", "gqlauth_no_such_module:fn", "json:no_such_function"):
        with pytest.raises(CustomAuthorizerError):
            load_authorizer(path)
