"""update and delete: decided on the stored record, null-allowed fields, delete on every field, strict owner."""

from __future__ import annotations

from guard_support import BLOG, ENV, matrix_from, owner_value, user

from resolvers.guards import decide_delete, decide_update

POSTS = matrix_from(BLOG)
STRICT = matrix_from(BLOG, strict_owner=True)
ALICES = {"id": "p1", "title": "t", "content": "c", "owner": owner_value("alice"), "internalNotes": "n"}
UPDATE, DELETE = "Mutation.updatePost", "Mutation.deletePost"


def test_update_is_decided_on_the_stored_record_not_the_input() -> None:
    takeover = {"id": "p1", "owner": owner_value("bob")}
    decision = decide_update(POSTS, UPDATE, user("bob"), takeover, ALICES, ENV)
    assert not decision.allowed
    assert decision.message == "Not Authorized to access updatePost on type Mutation"


def test_owner_may_hand_the_record_away_as_in_amplify() -> None:
    decision = decide_update(POSTS, UPDATE, user("alice"), {"id": "p1", "owner": owner_value("bob")}, ALICES, ENV)
    assert decision.allowed
    assert decision.granted_by == ("userPools:owner:owner:sub::username",)


def test_strict_owner_mode_forbids_reassignment_by_an_owner() -> None:
    decision = decide_update(STRICT, UPDATE, user("alice"), {"id": "p1", "owner": owner_value("bob")}, ALICES, ENV)
    assert not decision.allowed
    assert decision.message == "Unauthorized on [owner]"
    assert decide_update(STRICT, UPDATE, user("alice"), {"id": "p1", "title": "x"}, ALICES, ENV).allowed


def test_strict_owner_mode_still_lets_admins_reassign() -> None:
    admin = user("ann", ["Admins"])
    assert decide_update(STRICT, UPDATE, admin, {"id": "p1", "owner": owner_value("bob")}, ALICES, ENV).allowed


def test_setting_null_needs_delete_on_the_field() -> None:
    editor = decide_update(POSTS, UPDATE, user("ed", ["Editors"]), {"id": "p1", "content": None}, ALICES, ENV)
    assert (editor.allowed, editor.message) == (False, "Unauthorized on [content]")
    assert decide_update(POSTS, UPDATE, user("alice"), {"id": "p1", "content": None}, ALICES, ENV).allowed


def test_field_rules_limit_what_an_owner_may_update() -> None:
    decision = decide_update(POSTS, UPDATE, user("alice"), {"id": "p1", "internalNotes": "x"}, ALICES, ENV)
    assert decision.message == "Unauthorized on [internalNotes]"


def test_missing_record_owner_fails_static_group_passes() -> None:
    assert not decide_update(POSTS, UPDATE, user("alice"), {"id": "zz", "title": "x"}, None, ENV).allowed
    assert decide_update(POSTS, UPDATE, user("ann", ["Admins"]), {"id": "zz", "title": "x"}, None, ENV).allowed


def test_delete_needs_delete_on_every_field() -> None:
    assert not decide_delete(POSTS, DELETE, user("alice"), ALICES, ENV).allowed
    assert not decide_delete(POSTS, DELETE, user("ed", ["Editors"]), ALICES, ENV).allowed
    assert decide_delete(POSTS, DELETE, user("ann", ["Admins"]), ALICES, ENV).allowed


def test_owner_deletes_own_record_when_no_field_withholds_delete() -> None:
    matrix = matrix_from("type Note @model @auth(rules: [{allow: owner}]) { id: ID! body: String }")
    note = {"id": "n1", "owner": owner_value("alice")}
    assert decide_delete(matrix, "Mutation.deleteNote", user("alice"), note, ENV).allowed
    denied = decide_delete(matrix, "Mutation.deleteNote", user("bob"), note, ENV)
    assert (denied.allowed, denied.message) == (False, "Not Authorized to access deleteNote on type Mutation")


def test_dynamic_group_update_reads_the_stored_groups() -> None:
    matrix = matrix_from(
        'type Doc @model @auth(rules: [{allow: groups, groupsField: "editors"}]) { id: ID! editors: [String] }'
    )
    writer = user("carol", '["Writers"]')
    stored = {"id": "d1", "editors": ["Writers"]}
    assert decide_update(matrix, "Mutation.updateDoc", writer, {"id": "d1", "editors": []}, stored, ENV).allowed
    assert not decide_update(matrix, "Mutation.updateDoc", writer, {"id": "d1", "editors": ["Writers"]},
                             {"id": "d1", "editors": ["Others"]}, ENV).allowed
