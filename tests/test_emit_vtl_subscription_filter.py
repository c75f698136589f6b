"""Subscription filters as AppSync documents them, so that an owner never receives another user's events.

AppSync's resolver reference gives `$util.transform.toSubscriptionFilter(Map)`, `(Map, List)` (the list names
fields to ignore) and `(Map, List, Map)` (a map of rules); `$extensions.setSubscriptionFilter` takes what it
returns. The templates hand over one map, the auth alternatives ANDed with the client's filter.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from oracle_support import oracle_missing_reason
from vtl_engine_support import simulate

from resolvers.vtl import VtlContext, VtlError, get_template, render, render_text
from resolvers.vtl.context import VtlInfo
from resolvers.vtl.filters import subscription_filter
from resolvers.vtl_engine.subscription_filter import filter_matches
from transformer.emit_vtl import build_pipelines, resolver_files
from transformer.project import load_project

REPO = Path(__file__).resolve().parents[1]
BLOG = REPO / "samples" / "blog" / "schema.graphql"
OWNED = REPO / "tests" / "golden" / "relations" / "schema.graphql"
"""`Blog @auth(rules: [{allow: owner}, {allow: public, provider: iam, operations: [read]}])`: signed-in
users subscribe to their own blogs only."""
SCHEMAS = sorted({*(REPO / "tests" / "golden").glob("*/schema.graphql"), *(REPO / "samples").glob("*/schema.graphql")})
ALICE: dict[str, Any] = {"sub": "sub-alice", "username": "alice",
         "claims": {"sub": "sub-alice", "cognito:username": "alice", "username": "alice"}}


def _files(schema: Path) -> dict[str, str]:
    project, diagnostics = load_project(schema)
    assert project is not None, [d.render() for d in diagnostics]
    return resolver_files(build_pipelines(project.matrix, project.environment, project.schema))


def _subscribe(files: dict[str, str], field: str, identity: dict[str, Any], arguments: dict[str, Any]) -> Any:
    """The filter the subscribe pipeline of `field` sets (its auth request, then its data response)."""
    context = VtlContext(arguments=arguments, identity=identity, auth_type="userPools",
                         info=VtlInfo(fieldName=field, parentTypeName="Subscription"))
    auth = render(get_template(files[f"Subscription.{field}.auth.1.req.vtl"], "auth", portable=True), context)
    assert auth.error is None, auth.error
    context = VtlContext(arguments=arguments, identity=identity, auth_type="userPools", stash=auth.stash,
                         info=VtlInfo(fieldName=field, parentTypeName="Subscription"))
    data = render(get_template(files[f"Subscription.{field}.data.1.res.vtl"], "data", portable=True), context)
    assert data.error is None, data.error
    return data.subscription_filter, auth.stash


@pytest.mark.parametrize("schema", SCHEMAS, ids=[p.parent.name for p in SCHEMAS])
def test_to_subscription_filter_gets_one_map_as_appsync_documents(schema: Path) -> None:
    calls = [(name, args) for name, text in _files(schema).items() if name.startswith("Subscription.")
             for args in re.findall(r"toSubscriptionFilter\(([^()]*)\)", text)]
    assert calls
    assert all("," not in args for _, args in calls), calls


@pytest.mark.parametrize("client_filter", [None, {"name": {"beginsWith": "a"}}])
def test_an_owner_never_receives_another_users_events(client_filter: dict[str, Any] | None) -> None:
    """Events carry the owner as clients read it (`alice`), so the filter compares that form."""
    arguments = {} if client_filter is None else {"filter": client_filter}
    found, _ = _subscribe(_files(OWNED), "onCreateBlog", ALICE, arguments)
    assert found is not None, "no subscription filter: every event would reach the subscriber"
    mine = {"id": "b1", "name": "a blog", "owner": "alice"}
    assert filter_matches(found, mine)
    assert not filter_matches(found, {**mine, "owner": "bob"})
    assert not filter_matches(found, {**mine, "owner": None})
    if client_filter is not None:
        assert not filter_matches(found, {**mine, "name": "b blog"})


def test_a_group_member_is_not_filtered_by_owner() -> None:
    editor = {**ALICE, "claims": {**ALICE["claims"], "cognito:groups": ["Editors"]}}
    found, _ = _subscribe(_files(BLOG), "onCreatePost", editor, {})
    assert found is None


def test_rules_are_a_map_never_a_list() -> None:
    with pytest.raises(VtlError, match="rules"):
        render_text("#set($rules = [{'owner': {'eq': 'a'}}])"
                    "$util.toJson($util.transform.toSubscriptionFilter($ctx.args.f, null, $rules))",
                    VtlContext(arguments={"f": {"title": {"eq": "t"}}}))


def test_the_simulator_hands_the_same_map_to_set_subscription_filter() -> None:
    """The simulator has no toSubscriptionFilter (the oracle's shim passes its argument through), so the map
    the template builds is compared: converted as AppSync documents, it is the filter our evaluator sets."""
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    files = _files(OWNED)
    arguments = {"filter": {"name": {"beginsWith": "a"}}}
    ours, stash = _subscribe(files, "onCreateBlog", ALICE, arguments)
    assert ours is not None
    template = files["Subscription.onCreateBlog.data.1.res.vtl"]
    result = simulate([{"name": "data", "template": template, "context": {
        "arguments": arguments, "identity": ALICE, "authType": "userPools", "stash": stash,
        "typeName": "Subscription", "fieldName": "onCreateBlog"}}])["data"]
    assert result["raised"] is None
    handed = [call["setSubscriptionFilter"] for call in result["extensions"] if "setSubscriptionFilter" in call]
    assert len(handed) == 1
    assert subscription_filter(handed[0]) == ours
