"""create: owner fill-in, someone else's owner, explicit null, static groups, per-role allowed fields."""

from __future__ import annotations

from guard_support import BLOG, ENV, matrix_from, owner_value, user

from resolvers.guards import decide_create

POSTS = matrix_from(BLOG)
NO_POPULATE = matrix_from(BLOG, populate_owner_field_for_static_group_auth=False)
CREATE = "Mutation.createPost"


def test_owner_is_filled_in_for_a_user_without_groups() -> None:
    decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t"}, ENV)
    assert decision.allowed
    assert decision.input == {"title": "t", "owner": owner_value("alice")}


def test_the_callers_input_is_not_modified() -> None:
    values = {"title": "t"}
    decide_create(POSTS, CREATE, user("alice"), values, ENV)
    assert values == {"title": "t"}


def test_forged_owner_on_create_is_refused() -> None:
    decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t", "owner": owner_value("bob")}, ENV)
    assert not decision.allowed
    assert decision.error_type == "Unauthorized"
    assert decision.message == "Not Authorized to access createPost on type Mutation"


def test_someone_elses_bare_username_is_refused_too() -> None:
    decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t", "owner": "bob"}, ENV)
    assert not decision.allowed


def test_explicit_null_owner_is_not_filled_and_fails() -> None:
    decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t", "owner": None}, ENV)
    assert not decision.allowed


def test_own_owner_value_in_every_accepted_form() -> None:
    for value in (owner_value("alice"), "alice", "sub-alice"):
        decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t", "owner": value}, ENV)
        assert decision.allowed, value
        assert decision.input is not None and decision.input["owner"] == value


def test_static_group_user_gets_the_owner_filled_in() -> None:
    decision = decide_create(POSTS, CREATE, user("ed", ["Editors"]), {"title": "t"}, ENV)
    assert decision.allowed
    assert decision.input is not None and decision.input["owner"] == owner_value("ed")
    assert decision.granted_by == ("userPools:staticGroup:Editors:cognito:groups",)


def test_without_populate_flag_a_static_group_user_leaves_owner_empty() -> None:
    decision = decide_create(NO_POPULATE, CREATE, user("ed", ["Editors"]), {"title": "t"}, ENV)
    assert decision.allowed
    assert decision.input == {"title": "t"}


def test_static_group_may_create_for_someone_else() -> None:
    decision = decide_create(POSTS, CREATE, user("ed", ["Editors"]), {"title": "t", "owner": owner_value("bob")}, ENV)
    assert decision.allowed
    assert decision.input is not None and decision.input["owner"] == owner_value("bob")


def test_fields_outside_the_owners_allowed_fields_are_named() -> None:
    decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t", "internalNotes": "x"}, ENV)
    assert not decision.allowed
    assert decision.message == "Unauthorized on [internalNotes]"


def test_denied_fields_keep_input_order() -> None:
    matrix = matrix_from(
        """
        type Item @model @auth(rules: [{allow: owner}]) {
          id: ID!
          name: String
          a: String @auth(rules: [{allow: groups, groups: ["X"]}])
          b: String @auth(rules: [{allow: groups, groups: ["X"]}])
        }
        """
    )
    decision = decide_create(matrix, "Mutation.createItem", user("alice"), {"b": "1", "name": "n", "a": "2"}, ENV)
    assert decision.message == "Unauthorized on [b, a]"


def test_list_owner_field_is_filled_with_a_list() -> None:
    matrix = matrix_from(
        'type Doc @model @auth(rules: [{allow: owner, ownerField: "authors"}]) { id: ID! authors: [String] }'
    )
    decision = decide_create(matrix, "Mutation.createDoc", user("alice"), {}, ENV)
    assert decision.input == {"authors": [owner_value("alice")]}


def test_missing_claim_skips_the_owner_rule() -> None:
    anonymous = user("alice")
    claims = {k: v for k, v in anonymous.claims.items() if k != "cognito:username"}
    decision = decide_create(POSTS, CREATE, anonymous.model_copy(update={"claims": claims}), {"title": "t"}, ENV)
    assert not decision.allowed


def test_custom_identity_claim() -> None:
    matrix = matrix_from('type Doc @model @auth(rules: [{allow: owner, identityClaim: "email"}]) { id: ID! owner: String }')
    me = user("alice", email="a@example.com")
    assert decide_create(matrix, "Mutation.createDoc", me, {}, ENV).input == {"owner": "a@example.com"}
    assert not decide_create(matrix, "Mutation.createDoc", me, {"owner": "sub-alice"}, ENV).allowed


def test_dynamic_group_checks_the_input() -> None:
    matrix = matrix_from('type Doc @model @auth(rules: [{allow: groups, groupsField: "team"}]) { id: ID! team: String }')
    writer = user("carol", ["Writers"])
    assert decide_create(matrix, "Mutation.createDoc", writer, {"team": "Writers"}, ENV).allowed
    assert not decide_create(matrix, "Mutation.createDoc", writer, {"team": "Others"}, ENV).allowed


def test_reasons_say_why() -> None:
    decision = decide_create(POSTS, CREATE, user("alice"), {"title": "t", "owner": owner_value("bob")}, ENV)
    details = {r.role: r.detail for r in decision.reasons}
    assert "not in group Admins" in details["userPools:staticGroup:Admins:cognito:groups"]
    assert "bob's" in details["userPools:owner:owner:sub::username"]
    assert not any(r.granted for r in decision.reasons)
