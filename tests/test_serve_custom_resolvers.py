"""An Amplify API's own resolvers served, by the guards engine and by `--engine vtl`: the field's `@auth` check
first (a refused caller never reaches the user's templates), then the user's templates over the store: a Scan
with a filter on `PostTable`, a PutItem, a NONE resolver echoing `$ctx.args`, a PIPELINE resolver of two
functions carrying `$ctx.stash` and `$ctx.prev.result`, a Lambda data source, template errors in AppSync's
shape, and a template edited on disk picked up by a reload."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from serve_support import Served, _serve, template_state
from starlette.testclient import TestClient
from test_check_custom_resolvers import custom_resources, unit, write_project

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

LAMBDA_HANDLER = '''
def shout(event):
    if "fail" in event:
        if event["fail"]:
            raise RuntimeError("asked to fail")
        return None
    return {"loud": event["text"].upper(), "by": event["who"]}
'''

EXTRA_SCHEMA = """
type Query {
  shout(text: String!): AWSJSON @auth(rules: [{allow: private}])
  plainEcho(a: String): AWSJSON
  broken: String @auth(rules: [{allow: private}])
  elsewhere: String @auth(rules: [{allow: private}])
  oldStyle(fail: Boolean): String @auth(rules: [{allow: private}])
}
"""

EXTRA_TEMPLATES = {
    "Query.shout.req.vtl": '{"version": "2018-05-29", "operation": "Invoke", '
                           '"payload": {"text": $util.toJson($ctx.args.text), "who": $util.toJson($ctx.identity.username)}}',
    "Query.shout.res.vtl": "$util.toJson($ctx.result)",
    "Query.plainEcho.req.vtl": '{"version": "2018-05-29", "payload": $util.toJson($ctx.args)}',
    "Query.plainEcho.res.vtl": "$util.toJson($ctx.result)",
    "Query.broken.req.vtl": '$util.error("no such thing", "Custom:Broken")\n{}',
    "Query.broken.res.vtl": "$util.toJson($ctx.result)",
    "Query.elsewhere.req.vtl": '{"version": "2018-05-29", "payload": {}}',
    "Query.elsewhere.res.vtl": "$util.toJson($ctx.result)",
    "Query.oldStyle.req.vtl": '{"version": "2017-02-28", "operation": "Invoke", "payload": $util.toJson($ctx.args)}',
    "Query.oldStyle.res.vtl": '"response template ran"',
    "Post.shortTitle.req.vtl": '{"version": "2018-05-29", "payload": $util.toJson($ctx.source.title.substring(0, 4))}',
    "Post.shortTitle.res.vtl": "$util.toJson($ctx.result)",
}


def _stack() -> dict[str, Any]:
    stack = custom_resources()
    stack["Resources"]["ShoutLambda"] = {"Type": "AWS::AppSync::DataSource", "Properties": {
        "ApiId": {"Ref": "AppSyncApiId"}, "Name": "ShoutLambda", "Type": "AWS_LAMBDA",
        "LambdaConfig": {"LambdaFunctionArn": {"Fn::Sub": [
            "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:shouter-${env}", {"env": {"Ref": "env"}}]}}}}
    stack["Resources"]["Search"] = {"Type": "AWS::AppSync::DataSource", "Properties": {
        "ApiId": {"Ref": "AppSyncApiId"}, "Name": "Search", "Type": "AMAZON_ELASTICSEARCH"}}
    stack["Resources"]["QueryShoutResolver"] = unit("Query", "shout", {"Fn::GetAtt": ["ShoutLambda", "Name"]})
    stack["Resources"]["QueryPlainEchoResolver"] = unit("Query", "plainEcho", "NONE_DS")
    stack["Resources"]["QueryBrokenResolver"] = unit("Query", "broken", "NONE_DS")
    stack["Resources"]["QueryElsewhereResolver"] = unit("Query", "elsewhere", "Search")
    stack["Resources"]["PostShortTitleResolver"] = unit("Post", "shortTitle", "NONE_DS")
    stack["Resources"]["QueryOldStyleResolver"] = unit("Query", "oldStyle", {"Fn::GetAtt": ["ShoutLambda", "Name"]})
    return stack


def _project_dir(root: Path) -> Path:
    write_project(root, _stack(), EXTRA_TEMPLATES)
    api = root / "amplify" / "backend" / "api" / "blog"
    schema = api / "schema.graphql"
    schema.write_text(schema.read_text().replace("type Query {", EXTRA_SCHEMA.strip()[: -1].rstrip() + "\n", 1)
                      .replace("  status: String\n}", "  status: String\n  shortTitle: String\n}", 1))
    (api / "handlers.py").write_text(LAMBDA_HANDLER)
    (api / "gqlauth.json").write_text(json.dumps({"functions": {"shouter-${env}": "handlers.py:shout"}}))
    return root


@pytest.fixture(scope="module", params=["python", "vtl"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Served:
    directory = _project_dir(tmp_path_factory.mktemp(f"custom-{request.param}") / "project")
    project, diagnostics = load_project(directory, auth_modes=[Provider.USER_POOLS, Provider.API_KEY])
    assert project is not None, [d.render() for d in diagnostics if d.severity.value == "error"]
    if request.param == "python":
        return _serve(directory, project, ":memory:", guards=True)
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(directory)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    app = create_app(project, store, authenticator, state=state, engine="vtl")
    return Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))


def _ok(result: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    status, body = result
    assert status == 200 and "errors" not in body, body
    return body["data"]


def _error(result: tuple[int, dict[str, Any]], field: str) -> dict[str, Any]:
    status, body = result
    assert status == 200 and body["data"] is None or body["data"].get(field) is None, body
    return body["errors"][0]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_the_project_has_our_custom_fields(served: Served) -> None:
    assert {"Query.shout", "Query.pipelined", "Mutation.quickPost"} <= set(served.project.custom_resolvers.resolvers)


def test_put_item_then_scan_with_a_filter(served: Served) -> None:
    admin = served.token("root", ["Admins"])
    created = _ok(served.call('mutation { quickPost(id: "q1", title: "Draft one") { id title owner } }', token=admin))
    assert created["quickPost"] == {"id": "q1", "title": "Draft one", "owner": "root"}
    alice = served.token("alice")
    _ok(served.call('mutation { createPost(input: {id: "a1", title: "Live", status: "LIVE"}) { id } }', token=alice))
    _ok(served.call('mutation { createPost(input: {id: "a2", title: "Draft", status: "DRAFT"}) { id } }', token=alice))
    found = _ok(served.call('{ postsByStatus(status: "LIVE") { id title } }', api_key=served.api_key))
    assert found["postsByStatus"] == [{"id": "a1", "title": "Live"}]
    stored = _ok(served.call('{ getPost(id: "q1") { id title } }', api_key=served.api_key))
    assert stored["getPost"] == {"id": "q1", "title": "Draft one"}


def test_a_refused_caller_never_runs_the_template(served: Served) -> None:
    refused = _error(served.call('mutation { quickPost(id: "q2", title: "Nope") { id } }',
                                 token=served.token("bob")), "quickPost")
    assert refused["errorType"] == "Unauthorized"
    assert _ok(served.call('{ getPost(id: "q2") { id } }', api_key=served.api_key))["getPost"] is None
    refused = _error(served.call('{ echoArgs(a: "x") }', api_key=served.api_key), "echoArgs")
    assert refused["errorType"] == "Unauthorized"


def test_none_data_source_returns_the_arguments(served: Served) -> None:
    data = _ok(served.call('{ echoArgs(a: "x", b: 2) }', token=served.token("alice")))
    assert _json(data["echoArgs"]) == {"a": "x", "b": 2}


def test_pipeline_runs_two_functions_with_stash_and_prev(served: Served) -> None:
    data = _ok(served.call("{ pipelined(x: 5) }", token=served.token("alice")))
    assert _json(data["pipelined"]) == {"result": 11, "seen": ["before", "double", "addOne"]}


def test_lambda_data_source_calls_the_mapped_handler(served: Served) -> None:
    data = _ok(served.call('{ shout(text: "hi") }', token=served.token("alice")))
    assert _json(data["shout"]) == {"loud": "HI", "by": "alice"}


def test_field_without_auth_is_open_to_the_default_mode_only(served: Served) -> None:
    data = _ok(served.call('{ plainEcho(a: "z") }', token=served.token("alice")))
    assert _json(data["plainEcho"]) == {"a": "z"}
    assert _error(served.call('{ plainEcho(a: "z") }', api_key=served.api_key), "plainEcho")["errorType"] == "Unauthorized"


def test_template_error_and_unserved_data_source(served: Served) -> None:
    alice = served.token("alice")
    broken = _error(served.call("{ broken }", token=alice), "broken")
    assert (broken["errorType"], broken["message"]) == ("Custom:Broken", "no such thing")
    elsewhere = _error(served.call("{ elsewhere }", token=alice), "elsewhere")
    assert elsewhere["errorType"] == "NotConfigured" and "Search (AMAZON_ELASTICSEARCH)" in elsewhere["message"]


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_an_edited_template_is_served_after_reload(tmp_path: Path, engine: str) -> None:
    from resolvers.reload import watched_files

    directory = _project_dir(tmp_path / "project")
    template = directory / "amplify" / "backend" / "api" / "blog" / "resolvers" / "Query.echoArgs.res.vtl"
    assert template.resolve() in watched_files([directory])
    template.write_text('$util.toJson({"edited": $ctx.result.a})')
    project, _ = load_project(directory, auth_modes=[Provider.USER_POOLS, Provider.API_KEY])
    assert project is not None
    served = _serve(directory, project, ":memory:", guards=True) if engine == "python" else None
    if served is None:
        shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
        state = LocalState.open(directory)
        authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
        store = Store(":memory:", store_layouts(project.matrix, project.schema))
        app = create_app(project, store, authenticator, state=state, engine="vtl")
        served = Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))
    data = _ok(served.call('{ echoArgs(a: "x") }', token=served.token("alice")))
    assert _json(data["echoArgs"]) == {"edited": "x"}


def test_an_older_unit_request_skips_the_response_template(served: Served) -> None:
    """`amplify mock`'s unit resolver: a request that is not 2018-05-29 ends at a null result or a failure."""
    alice = served.token("alice")
    assert _ok(served.call("{ oldStyle(fail: false) }", token=alice))["oldStyle"] is None
    failed = _error(served.call("{ oldStyle(fail: true) }", token=alice), "oldStyle")
    assert failed["errorType"] == "Lambda:Unhandled" and "asked to fail" in failed["message"]


def test_a_computed_model_field_gets_the_record_as_source(served: Served) -> None:
    _ok(served.call('mutation { createPost(input: {id: "c1", title: "Computed"}) { id } }', token=served.token("carol")))
    data = _ok(served.call('{ getPost(id: "c1") { title shortTitle } }', api_key=served.api_key))
    assert data["getPost"] == {"title": "Computed", "shortTitle": "Comp"}
