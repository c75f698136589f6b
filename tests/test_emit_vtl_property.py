"""Property: for random small schemas, identities, records and operations, the emitted templates
decide exactly as the Python guards do (allowed, error text, stored input, visible records, field
redaction, subscription filters)."""

from __future__ import annotations

import json
import re
from typing import Any

from guard_support import ENV, matrix_from
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from resolvers.guards import (
    decide_create,
    decide_delete,
    decide_field_read,
    decide_get,
    decide_list,
    decide_subscribe,
    decide_update,
    record_visible,
)
from resolvers.identity import Identity
from resolvers.vtl_engine import CallerRequest, VtlEngine
from transformer.matrix import AccessMatrix
from transformer.rules import Provider

MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM, Provider.OIDC]
GROUPS = ["Admins", "Editors"]
USERS = ["alice", "bob"]
OPERATION_SETS = [
    None,
    ["read"],
    ["create", "read"],
    ["update", "delete"],
    ["create", "update", "read"],
    ["get"],
    ["list", "listen"],
    ["delete"],
]


def _ops(choice: list[str] | None) -> str:
    return "" if choice is None else f", operations: [{', '.join(choice)}]"


PROVIDER_SUFFIX = st.sampled_from(["", "", ", provider: oidc"])
RULES = st.one_of(
    st.builds(lambda g: f'{{allow: groups, groups: ["{g}"], groupClaim: "custom:groups"}}', st.sampled_from(GROUPS)),
    st.builds(lambda p, o: f'{{allow: owner{p}{_ops(o)}}}', PROVIDER_SUFFIX, st.sampled_from(OPERATION_SETS)),
    st.builds(lambda g, p: f'{{allow: groups, groups: ["{g}"]{p}}}', st.sampled_from(GROUPS), PROVIDER_SUFFIX),
    st.builds(lambda p: f"{{allow: private{p}, operations: [read]}}", PROVIDER_SUFFIX),
    st.builds(lambda g, o: f'{{allow: groups, groups: ["{g}"]{_ops(o)}}}', st.sampled_from(GROUPS), st.sampled_from(OPERATION_SETS)),
    st.builds(lambda f, o: f'{{allow: owner, ownerField: "{f}"{_ops(o)}}}', st.sampled_from(["owner", "owners"]),
              st.sampled_from(OPERATION_SETS)),
    st.builds(lambda f, o: f'{{allow: groups, groupsField: "{f}"{_ops(o)}}}', st.sampled_from(["team", "teams"]),
              st.sampled_from(OPERATION_SETS)),
    st.builds(lambda p, o: f"{{allow: private{p}{_ops(o)}}}", st.sampled_from(["", ", provider: iam"]),
              st.sampled_from(OPERATION_SETS)),
    st.builds(lambda p, o: f"{{allow: public{p}{_ops(o)}}}", st.sampled_from(["", ", provider: iam"]),
              st.sampled_from(OPERATION_SETS)),
)
FIELD_RULES = st.one_of(
    st.just(""),
    st.just(""),
    st.builds(lambda g: f' @auth(rules: [{{allow: groups, groups: ["{g}"]}}, {{allow: owner, operations: [read]}}])',
              st.sampled_from(GROUPS)),
    st.just(" @auth(rules: [{allow: private, operations: [read, update]}])"),
)


def _role_of(rule: str) -> str:
    """Rules naming the same role are one role to Amplify, which rejects the schema that repeats it."""
    return re.sub(r', operations: \[[^\]]*\]|, ownerField: "owner"', "", rule)


@st.composite
def schemas(draw: Any) -> str:
    rules = draw(st.lists(RULES, min_size=0, max_size=3, unique_by=_role_of))
    notes_rules = draw(FIELD_RULES) if rules else ""
    auth = f" @auth(rules: [{', '.join(rules)}])" if rules else ""
    return (
        f"type Item @model{auth} {{\n"
        "  id: ID!\n  title: String\n"
        f"  notes: String{notes_rules}\n"
        "  owner: String\n  owners: [String]\n  team: String\n  teams: [String]\n}\n"
    )


def _user_identity(name: str, groups: Any, with_username: bool) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": f"sub-{name}"}
    if with_username:
        claims["cognito:username"] = name
    if groups is not None:
        claims["cognito:groups"] = groups
        claims["custom:groups"] = groups if not isinstance(groups, list) else ",".join(groups) or "SuperAdmins"
    return {"sub": f"sub-{name}", "username": name if with_username else None, "claims": claims}


GROUP_CLAIMS = st.one_of(
    st.none(),
    st.lists(st.sampled_from(GROUPS), max_size=2, unique=True),
    st.sampled_from(GROUPS),
    st.builds(json.dumps, st.lists(st.sampled_from(GROUPS), max_size=2, unique=True)),
)
IAM_ARNS = [ENV.auth_role_arn, ENV.unauth_role_arn, "arn:aws:sts::123456789012:assumed-role/OpsAdminRole/x",
            "arn:aws:sts::123456789012:assumed-role/Other/x"]
USER_POOL_IDENTITIES = st.builds(
    lambda n, g, u: ("userPools", _user_identity(n, g, u), {}), st.sampled_from(USERS), GROUP_CLAIMS,
    st.sampled_from([True, True, True, False]),
)
IDENTITIES = st.one_of(
    st.builds(lambda n, g: ("oidc", _user_identity(n, g, True), {}), st.sampled_from(USERS), GROUP_CLAIMS),
    USER_POOL_IDENTITIES,
    USER_POOL_IDENTITIES,
    USER_POOL_IDENTITIES,
    st.just(("apiKey", None, {"x-api-key": "da2-test"})),
    st.builds(
        lambda arn, auth: ("iam", {"userArn": arn, "cognitoIdentityPoolId": ENV.identity_pool_id,
                                   "cognitoIdentityAuthType": auth}, {}),
        st.sampled_from(IAM_ARNS), st.sampled_from(["authenticated", "unauthenticated"]),
    ),
)
OWNER_VALUES = st.sampled_from([None, "sub-alice::alice", "alice", "sub-bob", "bob"])
OWNER_LISTS = st.one_of(st.none(), st.lists(st.sampled_from(["sub-alice::alice", "bob"]), max_size=2))
TEAM = st.sampled_from([None, "Admins", "Editors", "Others"])
TEAMS = st.one_of(st.none(), st.lists(st.sampled_from(["Admins", "Editors", "Others"]), max_size=2))


@st.composite
def records(draw: Any, item_id: str) -> dict[str, Any]:
    record: dict[str, Any] = {"__typename": "Item", "id": item_id, "title": "t", "notes": "n"}
    for name, strategy in (("owner", OWNER_VALUES), ("owners", OWNER_LISTS), ("team", TEAM), ("teams", TEAMS)):
        value = draw(strategy)
        if value is not None:
            record[name] = value
    return record


@st.composite
def write_inputs(draw: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, strategy in (("title", st.sampled_from(["x", None])), ("notes", st.sampled_from(["y", None])),
                           ("owner", OWNER_VALUES), ("owners", OWNER_LISTS), ("team", TEAM)):
        if draw(st.booleans()):
            values[name] = draw(strategy)
    return values


def _engine(matrix: AccessMatrix) -> VtlEngine:
    return VtlEngine(matrix, ENV)


def _outcome(result: Any) -> tuple[bool, str | None]:
    return result.ok, None if result.ok else result.error.message


def _guard(decision: Any) -> tuple[bool, str | None]:
    return decision.allowed, None if decision.allowed else decision.message


def _filter_groups(auth_filter: Any) -> Any:
    if auth_filter is None:
        return None
    return sorted(json.dumps([{"fieldName": c.field, "operator": c.op, "value": c.value}], sort_keys=True)
                  for c in auth_filter.any_of)


def _template_groups(subscription_filter: Any) -> Any:
    if subscription_filter is None:
        return None
    return sorted(json.dumps(g["filters"], sort_keys=True) for g in subscription_filter["filterGroup"])


PARAMETERS = st.fixed_dictionaries({
    "populate_owner_field_for_static_group_auth": st.booleans(),
    "sandbox_mode_enabled": st.sampled_from([False, False, True]),
    "strict_owner": st.sampled_from([False, False, True]),
})

PROPERTY_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(sdl=schemas(), who=IDENTITIES, stored=records("i1"), values=write_inputs(), parameters=PARAMETERS)
@example(
    sdl='type Item @model @auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: owner}]) {\n  id: ID!\n'
    "  title: String\n  notes: String\n  owner: String\n  owners: [String]\n  team: String\n  teams: [String]\n}\n",
    who=("userPools", _user_identity("alice", ["Admins"], True), {}),
    stored={"__typename": "Item", "id": "i1", "owner": "bob"},
    values={"title": "x"},
    parameters={"populate_owner_field_for_static_group_auth": True},
)
def test_writes_decide_like_the_guards(sdl: str, who: tuple[str, Any, Any], stored: dict[str, Any],
                                       values: dict[str, Any], parameters: dict[str, bool]) -> None:
    matrix = matrix_from(sdl, MODES, **parameters)
    engine = _engine(matrix)
    caller = CallerRequest(auth_type=who[0], identity=who[1], headers=who[2])
    identity = Identity.from_appsync(*who)
    plain = {k: v for k, v in stored.items() if k != "__typename"}

    engine.reset([])
    created = engine.run("Mutation", "createItem", caller, {"input": {"id": "n1", **values}})
    guard = decide_create(matrix, "Mutation.createItem", identity, {"id": "n1", **values}, ENV)
    assert _outcome(created) == _guard(guard), sdl
    if guard.allowed:
        row = {k: v for k, v in engine.stored("Item")[0].items() if k not in ("__typename", "createdAt", "updatedAt")}
        assert row == dict(guard.input or {})

    engine.reset([stored])
    update_input = {"id": "i1", **values}
    updated = engine.run("Mutation", "updateItem", caller, {"input": update_input})
    assert _outcome(updated) == _guard(decide_update(matrix, "Mutation.updateItem", identity, update_input, plain, ENV)), sdl

    engine.reset([stored])
    deleted = engine.run("Mutation", "deleteItem", caller, {"input": {"id": "i1"}})
    assert _outcome(deleted) == _guard(decide_delete(matrix, "Mutation.deleteItem", identity, plain, ENV)), sdl


@PROPERTY_SETTINGS
@given(sdl=schemas(), who=IDENTITIES, first=records("i1"), second=records("i2"), owner_argument=OWNER_VALUES,
       parameters=PARAMETERS)
def test_reads_and_subscriptions_decide_like_the_guards(sdl: str, who: tuple[str, Any, Any], first: dict[str, Any],
                                                        second: dict[str, Any], owner_argument: Any,
                                                        parameters: dict[str, bool]) -> None:
    matrix = matrix_from(sdl, MODES, **parameters)
    engine = _engine(matrix)
    caller = CallerRequest(auth_type=who[0], identity=who[1], headers=who[2])
    identity = Identity.from_appsync(*who)
    engine.reset([first, second])
    plain = [{k: v for k, v in r.items() if k != "__typename"} for r in (first, second)]

    got = engine.run("Query", "getItem", caller, {"id": "i1"})
    assert _outcome(got) == _guard(decide_get(matrix, "Query.getItem", identity, plain[0], ENV)), sdl

    listed = engine.run("Query", "listItems", caller, {})
    decision = decide_list(matrix, "Query.listItems", identity, ENV)
    assert _outcome(listed) == _guard(decision), sdl
    if decision.allowed:
        visible = sorted(r["id"] for r in plain if record_visible(decision.filter, r))
        assert sorted(i["id"] for i in listed.data["items"]) == visible, sdl

    for field in ("notes", "owner"):
        for from_mutation in (False, True):
            source = {**first, "__operation": "Mutation"} if from_mutation else first
            read = engine.run("Item", field, caller, source=source)
            guard = decide_field_read(matrix, "Item", field, identity, plain[0], from_mutation=from_mutation, env=ENV)
            assert _outcome(read) == _guard(guard), (sdl, field)
            if guard.allowed and field in guard.hidden_fields:
                assert read.data is None, (sdl, field)

    args = {} if owner_argument is None else {"owner": owner_argument}
    subscribed = engine.run("Subscription", "onCreateItem", caller, args)
    decision = decide_subscribe(matrix, "Subscription.onCreateItem", identity, args, ENV)
    assert _outcome(subscribed) == _guard(decision), sdl
    if decision.allowed:
        assert _template_groups(subscribed.subscription_filter) == _filter_groups(decision.event_filter), sdl
