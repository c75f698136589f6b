"""Subscriptions: decided at subscribe time, plus the per-event filter."""

from __future__ import annotations

from guard_support import BLOG, ENV, matrix_from, owner_value, user

from resolvers.guards import decide_subscribe, event_visible, owner_readback_fields

POSTS = matrix_from(BLOG)
NOTES = matrix_from("type Note @model @auth(rules: [{allow: owner}]) { id: ID! body: String }")
DOCS = matrix_from('type Doc @model @auth(rules: [{allow: groups, groupsField: "editors"}]) { id: ID! editors: [String] }')
ALERTS = matrix_from("type Alert @model @auth(rules: [{allow: private, operations: [listen]}]) { id: ID! }")
READBACK = owner_readback_fields(NOTES, "Note")


def test_static_and_private_subscribers_get_every_event() -> None:
    decision = decide_subscribe(POSTS, "Subscription.onCreatePost", user("ann", ["Admins"]), {}, ENV)
    assert decision.allowed and decision.event_filter is None
    assert event_visible(decision, {"owner": owner_value("bob")})


def test_owner_subscriber_receives_only_own_events() -> None:
    decision = decide_subscribe(NOTES, "Subscription.onCreateNote", user("alice"), {}, ENV)
    assert decision.allowed and decision.event_filter is not None
    assert event_visible(decision, {"owner": owner_value("alice")}, READBACK)
    assert not event_visible(decision, {"owner": owner_value("bob")}, READBACK)


def test_owner_argument_must_be_the_callers() -> None:
    mine = decide_subscribe(NOTES, "Subscription.onUpdateNote", user("alice"), {"owner": "alice"}, ENV)
    assert mine.allowed
    assert event_visible(mine, {"owner": owner_value("alice")}, READBACK)
    theirs = decide_subscribe(NOTES, "Subscription.onUpdateNote", user("alice"), {"owner": "bob"}, ENV)
    assert (theirs.allowed, theirs.message) == (False, "Not Authorized to access onUpdateNote on type Subscription")


def test_dynamic_group_events_are_filtered_by_group() -> None:
    decision = decide_subscribe(DOCS, "Subscription.onCreateDoc", user("carol", ["Writers"]), {}, ENV)
    assert event_visible(decision, {"editors": ["Writers", "X"]})
    assert not event_visible(decision, {"editors": ["Others"]})
    assert not decide_subscribe(DOCS, "Subscription.onCreateDoc", user("erin"), {}, ENV).allowed


def test_listen_only_rule_allows_subscribing() -> None:
    assert decide_subscribe(ALERTS, "Subscription.onCreateAlert", user("erin"), {}, ENV).allowed


def test_public_subscription_level_skips_the_check() -> None:
    matrix = matrix_from(
        "type Feed @model(subscriptions: {level: public}) @auth(rules: [{allow: owner}]) { id: ID! text: String }"
    )
    decision = decide_subscribe(matrix, "Subscription.onCreateFeed", user("erin"), {"owner": "someone"}, ENV)
    assert decision.allowed and decision.event_filter is None
