"""Operations run end to end through the emitted pipelines: data slot requests, paging, conditions, gates."""

from __future__ import annotations

from typing import Any

from guard_support import ENV, matrix_from

from resolvers.vtl_engine import CallerRequest, VtlEngine
from transformer.rules import Provider

SDL = """
type Post @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  title: String
  category: String @index(name: "byCategory", queryField: "postsByCategory")
  owner: String
}
"""


def _user(name: str, groups: list[str] | None = None) -> CallerRequest:
    claims: dict[str, Any] = {"sub": f"sub-{name}", "cognito:username": name}
    if groups:
        claims["cognito:groups"] = groups
    return CallerRequest(auth_type="userPools", identity={"sub": f"sub-{name}", "username": name, "claims": claims})


ADMIN = _user("root", ["Admins"])
ALICE = _user("alice")


def _engine() -> VtlEngine:
    engine = VtlEngine(matrix_from(SDL, [Provider.USER_POOLS, Provider.IAM]), ENV)
    engine.reset(
        {"__typename": "Post", "id": f"p{i}", "title": f"t{i}", "category": "news" if i < 3 else "misc",
         "owner": "sub-alice::alice" if i % 2 else "sub-bob::bob"}
        for i in range(6)
    )
    return engine


def test_list_filters_pages_and_combines_the_auth_filter() -> None:
    engine = _engine()
    seen: list[str] = []
    args: dict[str, Any] = {"limit": 2, "filter": {"category": {"eq": "news"}}}
    while True:
        page = engine.run("Query", "listPosts", ALICE, args)
        assert page.ok, page.error
        seen.extend(item["id"] for item in page.data["items"])
        if not page.data["nextToken"]:
            break
        args = {**args, "nextToken": page.data["nextToken"]}
    assert seen == ["p1"]


def test_index_query_with_auth_filter() -> None:
    engine = _engine()
    page = engine.run("Query", "postsByCategory", ALICE, {"category": "misc"})
    assert page.ok and sorted(i["id"] for i in page.data["items"]) == ["p3", "p5"]
    page = engine.run("Query", "postsByCategory", ADMIN, {"category": "misc"})
    assert sorted(i["id"] for i in page.data["items"]) == ["p3", "p4", "p5"]


def test_get_tells_missing_from_forbidden() -> None:
    engine = _engine()
    assert engine.run("Query", "getPost", ALICE, {"id": "nope"}).data is None
    denied = engine.run("Query", "getPost", ALICE, {"id": "p0"})
    assert denied.error is not None and denied.error.message == "Not Authorized to access getPost on type Query"
    assert engine.run("Query", "getPost", ALICE, {"id": "p1"}).data["id"] == "p1"


def test_condition_argument_and_missing_records_fail_the_write() -> None:
    engine = _engine()
    refused = engine.run("Mutation", "updatePost", ADMIN,
                         {"input": {"id": "p1", "title": "x"}, "condition": {"title": {"eq": "other"}}})
    assert refused.error is not None and refused.error.error_type == "DynamoDB:ConditionalCheckFailedException"
    done = engine.run("Mutation", "updatePost", ADMIN, {"input": {"id": "p1", "title": "x"}, "condition": {"title": {"eq": "t1"}}})
    assert done.ok and done.data["title"] == "x"
    missing = engine.run("Mutation", "deletePost", ADMIN, {"input": {"id": "zzz"}})
    assert missing.error is not None and missing.error.error_type == "DynamoDB:ConditionalCheckFailedException"
    duplicate = engine.run("Mutation", "createPost", ADMIN, {"input": {"id": "p1"}})
    assert duplicate.error is not None and duplicate.error.error_type == "DynamoDB:ConditionalCheckFailedException"


def test_update_removes_nulls_and_keeps_the_key() -> None:
    engine = _engine()
    done = engine.run("Mutation", "updatePost", ALICE, {"input": {"id": "p1", "category": None}})
    assert done.ok, done.error
    stored = next(i for i in engine.stored("Post") if i["id"] == "p1")
    assert "category" not in stored and stored["title"] == "t1"


def test_admin_role_skips_checks_and_unknown_auth_modes_are_refused() -> None:
    engine = _engine()
    admin = CallerRequest(auth_type="iam", identity={"userArn": "arn:aws:sts::123456789012:assumed-role/OpsAdminRole/s"})
    assert engine.run("Query", "getPost", admin, {"id": "p0"}).ok
    lookalike = CallerRequest(auth_type="iam", identity={"userArn": "arn:aws:sts::1:assumed-role/OpsAdminRoleX/s"})
    assert not engine.run("Query", "getPost", lookalike, {"id": "p0"}).ok
    api_key = CallerRequest(auth_type="apiKey", headers={"x-api-key": "k"})
    refused = engine.run("Query", "getPost", api_key, {"id": "p0"})
    assert refused.error is not None and refused.error.error_type == "Unauthorized"


def test_subscription_filter_for_owners() -> None:
    engine = _engine()
    result = engine.run("Subscription", "onCreatePost", ALICE, {})
    assert result.ok
    assert result.subscription_filter == {"filterGroup": [{"filters": [{"fieldName": "owner", "operator": "eq", "value": "alice"}]}]}
    assert not engine.run("Subscription", "onCreatePost", ALICE, {"owner": "bob"}).ok


COMPOSITE = """
type Entry @model @auth(rules: [{allow: owner}]) {
  tenant: ID! @primaryKey(sortKeyFields: ["kind", "slug"])
  kind: String!
  slug: String!
  body: String
  status: String @index(name: "byStatus", sortKeyFields: ["kind", "slug"], queryField: "entriesByStatus")
}
"""


def test_composite_keys_are_written_and_read_as_amplify_stores_them() -> None:
    engine = VtlEngine(matrix_from(COMPOSITE, [Provider.USER_POOLS]), ENV)
    key = {"tenant": "t1", "kind": "note", "slug": "a"}
    created = engine.run("Mutation", "createEntry", ALICE, {"input": {**key, "body": "x", "status": "open"}})
    assert created.ok, created.error
    stored = engine.stored("Entry")[0]
    assert stored["kind#slug"] == "note#a" and stored["status"] == "open"
    got = engine.run("Query", "getEntry", ALICE, key)
    assert got.ok and got.data["body"] == "x"
    updated = engine.run("Mutation", "updateEntry", ALICE, {"input": {**key, "body": "y"}})
    assert updated.ok and updated.data["body"] == "y"
    deleted = engine.run("Mutation", "deleteEntry", ALICE, {"input": key})
    assert deleted.ok and engine.stored("Entry") == []


CUSTOM = """
type Note @model @auth(rules: [{allow: private}]) { id: ID! }
type Query {
  report: String @auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: public, provider: iam}])
}
"""


def test_custom_query_fields_get_a_static_check_equal_to_the_guards() -> None:
    from guard_support import api_key, iam, user

    from resolvers.guards import decide_field_read

    matrix = matrix_from(CUSTOM, [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    engine = VtlEngine(matrix, ENV)
    pipeline = engine.pipeline("Query", "report")
    assert pipeline is not None and pipeline.kind.value == "authOnly"
    callers = [user("ann", ["Admins"]), user("bob", ["Admins2"]), user("eve", '["Admins"]'), api_key(),
               iam(ENV.unauth_role_arn, authenticated=False), iam(ENV.auth_role_arn)]
    for identity in callers:
        caller = CallerRequest(auth_type=identity.auth_type.value, identity=identity.to_appsync())
        result = engine.run("Query", "report", caller)
        guard = decide_field_read(matrix, "Query", "report", identity, {}, from_mutation=False, env=ENV)
        assert result.ok == guard.allowed, identity


def test_a_template_that_fails_to_evaluate_refuses_the_request() -> None:
    engine = _engine()
    broken = "$util.noSuchHelper()\n{}"
    pipeline = engine.pipelines["Query.getPost"]
    functions = (pipeline.functions[0].model_copy(update={"request": broken}), *pipeline.functions[1:])
    engine.pipelines["Query.getPost"] = pipeline.model_copy(update={"functions": functions})
    result = engine.run("Query", "getPost", ADMIN, {"id": "p1"})
    assert result.data is None
    assert result.error is not None and result.error.error_type == "MappingTemplate"


def test_composite_key_conditions_on_an_index() -> None:
    engine = VtlEngine(matrix_from(COMPOSITE, [Provider.USER_POOLS]), ENV)
    for kind, slug in (("note", "a"), ("note", "b"), ("post", "a")):
        done = engine.run("Mutation", "createEntry", ALICE,
                          {"input": {"tenant": "t1", "kind": kind, "slug": slug, "status": "open"}})
        assert done.ok, done.error

    def slugs(condition: dict[str, Any]) -> list[str]:
        page = engine.run("Query", "entriesByStatus", ALICE, {"status": "open", "kindSlug": condition})
        assert page.ok, page.error
        return [f"{i['kind']}/{i['slug']}" for i in page.data["items"]]

    assert slugs({"eq": {"kind": "note", "slug": "b"}}) == ["note/b"]
    assert slugs({"eq": {"kind": "note"}}) == ["note/a", "note/b"]
    assert slugs({"beginsWith": {"kind": "po"}}) == ["post/a"]
    assert slugs({"between": [{"kind": "note", "slug": "b"}, {"kind": "post", "slug": "a"}]}) == ["note/b", "post/a"]
    assert slugs({"gt": {"kind": "note", "slug": "a"}}) == ["note/b", "post/a"]
