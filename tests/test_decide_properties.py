"""Properties over random identities, records and rule sets.

1. Deny by default: a decision never allows what no rule of the model could allow (checked against a
   small independent oracle of the rule semantics).
2. Monotonicity: adding a model-level rule never turns an allow into a deny (rules combine with OR).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from guard_support import ENV, api_key, iam, matrix_from, owner_value, user
from hypothesis import given, settings
from hypothesis import strategies as st

from resolvers.guards import (
    decide_create,
    decide_delete,
    decide_get,
    decide_list,
    decide_subscribe,
    decide_update,
    record_visible,
)
from resolvers.identity import AuthType, Identity
from transformer.matrix import AccessMatrix, RoleKind
from transformer.rules import Operation, Provider

RULES = (
    '{allow: groups, groups: ["Admins"]}',
    '{allow: groups, groups: ["Editors"], operations: [read, update]}',
    "{allow: owner}",
    "{allow: private, operations: [read]}",
    "{allow: public, operations: [read]}",
    '{allow: groups, groupsField: "team"}',
    "{allow: private, provider: iam, operations: [create, read]}",
    "{allow: public, provider: iam, operations: [read]}",
)
FIELD_RULES = '@auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: owner, operations: [read]}])'


@lru_cache(maxsize=512)
def matrix_for(rules: tuple[str, ...]) -> AccessMatrix:
    auth = f"@auth(rules: [{', '.join(rules)}])" if rules else ""
    return matrix_from(
        f"type Item @model {auth} {{ id: ID! title: String owner: String team: String notes: String {FIELD_RULES} }}"
    )


GROUP_NAMES = ["Admins", "Editors", "Writers", "SuperAdmins"]
OWNER_VALUES = [owner_value("alice"), "alice", "sub-alice", owner_value("bob"), "bob", None]


@st.composite
def identities(draw: st.DrawFn) -> Identity:
    kind = draw(st.sampled_from(["userPools", "oidc", "apiKey", "iam-auth", "iam-unauth", "iam-group", "iam-other"]))
    if kind == "apiKey":
        return api_key()
    if kind.startswith("iam"):
        arn = {"iam-auth": ENV.auth_role_arn, "iam-unauth": ENV.unauth_role_arn}.get(
            kind, f"arn:aws:sts::{ENV.account_id}:assumed-role/SomeGroupRole/CognitoIdentityCredentials")
        pool = "us-east-1:elsewhere" if kind == "iam-other" else ENV.identity_pool_id
        return iam(arn, pool=pool, authenticated=kind != "iam-unauth")
    groups = draw(st.lists(st.sampled_from(GROUP_NAMES), unique=True, max_size=3))
    form = draw(st.sampled_from(["list", "json", "string", "absent"]))
    claim: Any = {"list": groups, "json": json.dumps(groups), "string": ",".join(groups), "absent": None}[form]
    name = draw(st.sampled_from(["alice", "bob"]))
    return user(name, claim, auth_type=AuthType.OIDC if kind == "oidc" else AuthType.USER_POOLS)


records = st.fixed_dictionaries(
    {"id": st.just("i1"), "title": st.just("t"), "owner": st.sampled_from(OWNER_VALUES),
     "team": st.sampled_from(["Writers", "Admins", "Writ", None]), "notes": st.just("n")}
)
rule_sets = st.lists(st.sampled_from(RULES), unique=True, max_size=len(RULES)).map(tuple)


def token_groups(identity: Identity) -> list[str]:
    claim = identity.claims.get("cognito:groups")
    if isinstance(claim, str) and claim.startswith("["):
        claim = json.loads(claim)
    return list(claim) if isinstance(claim, list) else [claim] if isinstance(claim, str) and claim else []


def oracle_admits(matrix: AccessMatrix, op: Operation, identity: Identity, record: dict[str, Any],
                  *, create: bool = False) -> bool:
    """Could any role with `op` admit this identity for this record? (independent of the guards)"""
    model = matrix.models["Item"]
    provider = {AuthType.USER_POOLS: Provider.USER_POOLS, AuthType.OIDC: Provider.OIDC, AuthType.IAM: Provider.IAM,
                AuthType.API_KEY: Provider.API_KEY, AuthType.LAMBDA: Provider.FUNCTION}[identity.auth_type]
    for name, role in model.roles.items():
        if not model.fields_for(name, op) or role.provider is not provider:
            continue
        if role.provider is Provider.IAM:
            if role.kind is RoleKind.PUBLIC and identity.user_arn == ENV.unauth_role_arn:
                return True
            if role.kind is RoleKind.PRIVATE and (identity.user_arn == ENV.auth_role_arn or (
                    identity.cognito_identity_pool_id == ENV.identity_pool_id
                    and identity.cognito_identity_auth_type == "authenticated")):
                return True
            continue
        if role.kind in (RoleKind.PRIVATE, RoleKind.PUBLIC):
            return True
        groups = token_groups(identity)
        if role.kind is RoleKind.STATIC_GROUP and role.group in groups:
            return True
        if role.kind is RoleKind.DYNAMIC_GROUP and record.get("team") in groups:
            return True
        if role.kind is RoleKind.OWNER:
            mine = {owner_value(identity.username or ""), identity.username, f"sub-{identity.username}"}
            if record.get("owner") in mine or (create and "owner" not in record):
                return True
    return False


@settings(max_examples=300, deadline=None)
@given(rules=rule_sets, identity=identities(), record=records, drop_owner=st.booleans())
def test_never_allows_what_no_rule_allows(rules: tuple[str, ...], identity: Identity, record: dict[str, Any],
                                          drop_owner: bool) -> None:
    matrix = matrix_for(rules)
    values = {k: v for k, v in record.items() if k != "notes" and not (drop_owner and k == "owner")}
    if decide_create(matrix, "Mutation.createItem", identity, values, ENV).allowed:
        assert oracle_admits(matrix, Operation.CREATE, identity, values, create=True)
    if decide_update(matrix, "Mutation.updateItem", identity, {"id": "i1", "title": "x"}, record, ENV).allowed:
        assert oracle_admits(matrix, Operation.UPDATE, identity, record) or oracle_admits(
            matrix, Operation.DELETE, identity, record)
    if decide_delete(matrix, "Mutation.deleteItem", identity, record, ENV).allowed:
        assert oracle_admits(matrix, Operation.DELETE, identity, record)
    if decide_get(matrix, "Query.getItem", identity, record, ENV).allowed:
        assert oracle_admits(matrix, Operation.GET, identity, record)
    listed = decide_list(matrix, "Query.listItems", identity, ENV)
    if listed.allowed and record_visible(listed.filter, record):
        assert oracle_admits(matrix, Operation.LIST, identity, record)


@settings(max_examples=300, deadline=None)
@given(rules=rule_sets, extra=st.sampled_from(RULES), identity=identities(), record=records)
def test_adding_a_rule_never_turns_an_allow_into_a_deny(rules: tuple[str, ...], extra: str, identity: Identity,
                                                        record: dict[str, Any]) -> None:
    if extra in rules:
        return
    before, after = matrix_for(rules), matrix_for((*rules, extra))
    checks = [
        lambda m: decide_create(m, "Mutation.createItem", identity, {"title": "t", "owner": record["owner"]}, ENV),
        lambda m: decide_create(m, "Mutation.createItem", identity, {"title": "t"}, ENV),
        lambda m: decide_update(m, "Mutation.updateItem", identity, {"id": "i1", "title": "x"}, record, ENV),
        lambda m: decide_update(m, "Mutation.updateItem", identity, {"id": "i1", "team": None}, record, ENV),
        lambda m: decide_delete(m, "Mutation.deleteItem", identity, record, ENV),
        lambda m: decide_get(m, "Query.getItem", identity, record, ENV),
        lambda m: decide_subscribe(m, "Subscription.onCreateItem", identity, {}, ENV),
    ]
    for check in checks:
        if check(before).allowed:
            assert check(after).allowed
    listed_before = decide_list(before, "Query.listItems", identity, ENV)
    if listed_before.allowed and record_visible(listed_before.filter, record):
        listed_after = decide_list(after, "Query.listItems", identity, ENV)
        assert listed_after.allowed and record_visible(listed_after.filter, record)
