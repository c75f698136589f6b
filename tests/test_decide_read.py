"""get, list filters and field-level reads (including mutation-result redaction)."""

from __future__ import annotations

import pytest
from guard_support import BLOG, ENV, api_key, matrix_from, owner_value, user

from resolvers.guards import (
    AuthFilter,
    Condition,
    decide_field_read,
    decide_get,
    decide_list,
    field_visibility,
    owner_readback,
    owner_readback_fields,
    protected_fields,
    record_visible,
)

POSTS = matrix_from(BLOG)
NOTES = matrix_from("type Note @model @auth(rules: [{allow: owner}]) { id: ID! body: String }")
DOCS = matrix_from(
    """
    type Doc @model @auth(rules: [{allow: groups, groupsField: "team"}, {allow: groups, groupsField: "editors"}]) {
      id: ID! team: String editors: [String]
    }
    """
)
ALICES = {"id": "p1", "title": "t", "owner": owner_value("alice"), "internalNotes": "secret"}


def test_owner_list_filter_has_the_joined_claim_and_each_part() -> None:
    decision = decide_list(NOTES, "Query.listNotes", user("alice"), ENV)
    assert decision.allowed
    assert decision.filter == AuthFilter((
        Condition("owner", "eq", owner_value("alice")),
        Condition("owner", "eq", "sub-alice"),
        Condition("owner", "eq", "alice"),
    ))
    assert decision.filter.to_json() == {"or": [{"owner": {"eq": owner_value("alice")}}, {"owner": {"eq": "sub-alice"}},
                                                {"owner": {"eq": "alice"}}]}


def test_record_visible_applies_the_filter() -> None:
    decision = decide_list(NOTES, "Query.listNotes", user("alice"), ENV)
    assert record_visible(decision.filter, {"owner": "alice"})
    assert record_visible(decision.filter, {"owner": owner_value("alice")})
    assert not record_visible(decision.filter, {"owner": owner_value("bob")})
    assert not record_visible(decision.filter, {})
    assert record_visible(None, {"owner": "anyone"})


def test_private_and_static_groups_need_no_filter() -> None:
    assert decide_list(POSTS, "Query.listPosts", user("bob"), ENV).filter is None
    assert decide_list(POSTS, "Query.listPosts", user("ann", ["Admins"]), ENV).filter is None


def test_list_is_denied_only_when_no_rule_could_apply() -> None:
    decision = decide_list(NOTES, "Query.listNotes", api_key(), ENV)
    assert (decision.allowed, decision.message) == (False, "Not Authorized to access listNotes on type Query")
    no_groups = decide_list(DOCS, "Query.listDocs", user("erin"), ENV)
    assert not no_groups.allowed


def test_dynamic_group_filters_for_string_and_list_fields() -> None:
    decision = decide_list(DOCS, "Query.listDocs", user("carol", '["Writers", "Readers"]'), ENV)
    assert decision.filter is not None
    assert set(decision.filter.any_of) == {
        Condition("team", "in", ("Writers", "Readers")),
        Condition("editors", "contains", "Writers"),
        Condition("editors", "contains", "Readers"),
    }
    assert record_visible(decision.filter, {"team": "Readers"})
    assert record_visible(decision.filter, {"editors": ["X", "Writers"]})
    assert not record_visible(decision.filter, {"team": "WritersGuild", "editors": "Writers"})


def test_get_missing_is_null_and_invisible_is_unauthorized() -> None:
    assert decide_get(NOTES, "Query.getNote", user("bob"), None, ENV).allowed
    denied = decide_get(NOTES, "Query.getNote", user("bob"), {"id": "n1", "owner": owner_value("alice")}, ENV)
    assert (denied.allowed, denied.message) == (False, "Not Authorized to access getNote on type Query")


def test_field_hidden_by_field_rules() -> None:
    bob = decide_field_read(POSTS, "Post", "internalNotes", user("bob"), ALICES, from_mutation=False, env=ENV)
    assert (bob.allowed, bob.message) == (False, "Not Authorized to access internalNotes on type Post")
    alice = decide_field_read(POSTS, "Post", "internalNotes", user("alice"), ALICES, from_mutation=False, env=ENV)
    assert alice.allowed and not alice.hidden_fields
    get = decide_get(POSTS, "Query.getPost", user("bob"), ALICES, ENV)
    assert get.allowed and get.hidden_fields == {"internalNotes"}


def test_protected_fields_are_null_in_mutation_results() -> None:
    editor = decide_field_read(POSTS, "Post", "internalNotes", user("ed", ["Editors"]), ALICES, from_mutation=True,
                               env=ENV)
    assert editor.allowed and editor.hidden_fields == {"internalNotes"}
    handed_away = {**ALICES, "owner": owner_value("bob")}
    visibility = field_visibility(POSTS, "Post", user("alice"), handed_away, from_mutation=True, env=ENV)
    assert visibility.hidden == {"internalNotes"} and visibility.errors == {"internalNotes"}


def test_only_fields_with_fewer_readers_are_protected() -> None:
    assert protected_fields(POSTS, "Post") == {"internalNotes"}
    unprotected = decide_field_read(POSTS, "Post", "title", api_key(), ALICES, from_mutation=True, env=ENV)
    assert unprotected.allowed and not unprotected.hidden_fields


def test_owner_read_back() -> None:
    assert owner_readback(owner_value("alice")) == "alice"
    assert owner_readback("alice") == "alice"
    assert owner_readback(["a::b::c", "d"]) == ["c", "d"]
    assert owner_readback(None) is None
    assert owner_readback_fields(POSTS, "Post") == {"owner"}
    assert owner_readback_fields(matrix_from(BLOG, use_sub_username_for_default_identity_claim=False), "Post") == set()


def test_a_decision_has_no_truth_value() -> None:
    denied = decide_list(NOTES, "Query.listNotes", api_key(), ENV)
    with pytest.raises(TypeError):
        bool(denied)
