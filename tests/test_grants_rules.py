"""Amplify's grant rules as `transformer.grants` states them for both the guards and the templates."""

from __future__ import annotations

from guard_support import BLOG, matrix_from

from transformer.grants import (
    always_writable_fields,
    create_grants,
    declared_fields,
    delete_roles,
    field_read_roles,
    model_has_auth,
    protected_fields,
    read_back_fields,
    read_roles,
    update_grants,
)
from transformer.rules import Operation

ADMINS = "userPools:staticGroup:Admins:cognito:groups"
EDITORS = "userPools:staticGroup:Editors:cognito:groups"
OWNER = "userPools:owner:owner:sub::username"
PRIVATE = "userPools:private"


def test_every_field_is_judged_over_declared_fields_only() -> None:
    post = matrix_from(BLOG).models["Post"]
    assert declared_fields(post) == ["id", "title", "content", "owner", "internalNotes"]
    grants = {g.role.name: g for g in create_grants(post)}
    assert list(grants) == [ADMINS, EDITORS, OWNER]
    assert grants[ADMINS].full and grants[EDITORS].full
    assert not grants[OWNER].full
    assert grants[OWNER].allowed == ("id", "title", "content", "owner", "createdAt", "updatedAt")


def test_create_may_always_supply_the_generated_id_and_timestamps() -> None:
    note = matrix_from("""
type Note @model @auth(rules: [{allow: groups, groups: ["Admins"]}]) {
  title: String @auth(rules: [{allow: owner}])
  secret: String
}
""").models["Note"]
    assert always_writable_fields(note) == ["id", "createdAt", "updatedAt"]
    owner = next(g for g in create_grants(note) if g.role.name == OWNER)
    assert owner.allowed == ("title", "id", "createdAt", "updatedAt")
    assert not owner.full and owner.null_allowed == ()


DOC = """
type Doc @model @auth(rules: [
  {allow: groups, groups: ["Editors"], operations: [update]},
  {allow: groups, groups: ["Cleaners"], operations: [delete]}
]) {
  id: ID!
  body: String
  locked: String @auth(rules: [{allow: groups, groups: ["Editors"], operations: [update]}])
}
"""


def test_update_takes_delete_only_roles_with_their_fields_nullable_and_the_primary_key() -> None:
    doc = matrix_from(DOC).models["Doc"]
    grants = {g.role.group: g for g in update_grants(doc)}
    assert list(grants) == ["Editors", "Cleaners"]
    assert grants["Editors"].allowed == ("id", "body", "locked", "createdAt", "updatedAt")
    assert grants["Editors"].null_allowed == () and not grants["Editors"].full
    assert grants["Cleaners"].allowed == ("id", "createdAt", "updatedAt")
    assert grants["Cleaners"].null_allowed == ("id", "body", "createdAt", "updatedAt")
    assert not grants["Cleaners"].full


def test_delete_needs_delete_on_every_declared_field() -> None:
    assert delete_roles(matrix_from(DOC).models["Doc"]) == []
    assert [r.name for r in delete_roles(matrix_from(BLOG).models["Post"])] == [ADMINS]


def test_a_field_read_check_counts_only_get_roles_and_private_stands_in_for_its_provider() -> None:
    post = matrix_from(BLOG).models["Post"]
    checked, roles = field_read_roles(post, "internalNotes")
    assert checked and {r.name for r in roles} == {ADMINS, EDITORS, OWNER}
    assert field_read_roles(post, "title") == (False, [r for r in post.roles.values()
                                                        if r.name in {PRIVATE, "apiKey:public"}])
    assert protected_fields(post) == ["internalNotes"]
    list_only = matrix_from("""
type Item @model @auth(rules: [{allow: owner, operations: [list]}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  note: String @auth(rules: [{allow: groups, groups: ["Admins"]}])
}
""").models["Item"]
    assert protected_fields(list_only) == []
    assert [r.name for r in read_roles(list_only, Operation.LIST)] == [OWNER, ADMINS]


def test_field_rules_alone_protect_a_model() -> None:
    matrix = matrix_from("""
type Open @model { id: ID! name: String }
type Partly @model { id: ID! secret: String @auth(rules: [{allow: owner}]) }
""")
    assert not model_has_auth(matrix.models["Open"])
    assert model_has_auth(matrix.models["Partly"])


def test_multi_claim_owner_fields_read_back_only_with_sub_username() -> None:
    assert read_back_fields(matrix_from(BLOG), matrix_from(BLOG).models["Post"]) == {"owner": False}
    plain = matrix_from(BLOG, use_sub_username_for_default_identity_claim=False)
    assert read_back_fields(plain, plain.models["Post"]) == {}
