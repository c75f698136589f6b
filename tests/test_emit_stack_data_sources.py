"""`@function` and `@http` fields deploy: their Lambda and HTTP data sources, roles and resolvers, as Amplify does."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from guard_support import ENV, matrix_from
from oracle_support import oracle_missing_reason
from stack_support import build_templates, quota_problems, wiring_problems
from vtl_engine_support import simulate

from resolvers.vtl.parser import parse_template
from transformer.emit import transform
from transformer.emit_stack import Deployment, build_deployment
from transformer.emit_vtl.external import lambda_data_source, simplify_name
from transformer.parse import parse_schema_text
from transformer.project import Project, load_project
from transformer.rules import Provider

SDL = '''
type Post @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) {
  id: ID!
  title: String
  summary: String @function(name: "summarize-${env}")
  weather(city: String): String @http(url: "https://api.example.com/weather/:city?units=metric")
  secret: String @function(name: "summarize-${env}") @auth(rules: [{allow: owner}])
}
type EventInvocationResponse { success: Boolean! }
type Query {
  echo(msg: String): String @function(name: "echofn-${env}") @function(name: "second") @auth(rules: [{allow: private}])
  quote(symbol: String!): String @http(method: POST, url: "https://api.example.com/v1/quote", headers: [{key: "x-app", value: "gql"}]) @auth(rules: [{allow: private}])
  remote: String @function(name: "remote-${env}", region: "eu-west-1", accountId: "123456789012") @auth(rules: [{allow: private}])
  notify(msg: String): EventInvocationResponse @function(name: "notifier", invocationType: Event) @auth(rules: [{allow: private}])
}
'''


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    schema, _ = parse_schema_text(SDL)
    project = Project(schema_path=Path("schema.graphql"), schema=schema, group_file_path=None, group_file=None,
                      matrix=matrix_from(SDL, [Provider.USER_POOLS]), auth_modes_source="test", environment=ENV)
    return build_deployment(project)


def _resources(deployment: Deployment) -> dict[str, Any]:
    return {k: v for t in deployment.templates().values() for k, v in t["Resources"].items()}


def _function_sources(resources: dict[str, Any], resolver: str) -> list[str]:
    """The data source of each function the resolver runs, in order (names as the templates reference them)."""
    sources = []
    for entry in resources[resolver]["Properties"]["PipelineConfig"]["Functions"]:
        logical = entry["Fn::GetAtt"][0] if "Fn::GetAtt" in entry else entry["Ref"].removesuffix("Id")
        name = resources[logical]["Properties"]["DataSourceName"]
        sources.append(name["Ref"].removesuffix("Name") if "Ref" in name else name["Fn::GetAtt"][0])
    return sources


def test_names_are_amplifys() -> None:
    assert simplify_name("echofn-${env}") == "Echofn"
    assert simplify_name("my_func-x.y") == "My_funcXY"
    assert lambda_data_source("summarize-${env}") == "SummarizeLambdaDataSource"


def test_one_lambda_data_source_per_function_with_an_invoke_role(deployment: Deployment) -> None:
    root = deployment.root
    resources = root["Resources"]
    lambdas = {k for k, v in resources.items() if v["Type"] == "AWS::AppSync::DataSource"
               and v["Properties"]["Type"] == "AWS_LAMBDA"}
    assert lambdas == {"SummarizeLambdaDataSource", "EchofnLambdaDataSource", "SecondLambdaDataSource",
                       "NotifierLambdaDataSource", "RemoteEuWest1123456789012LambdaDataSource"}
    source = resources["EchofnLambdaDataSource"]["Properties"]
    arn = source["LambdaConfig"]["LambdaFunctionArn"]
    condition, with_env, without_env = arn["Fn::If"]
    assert condition == "HasEnvironmentParameter" and condition in root["Conditions"]
    assert with_env["Fn::Sub"][0].endswith(":function:echofn-${env}")
    assert with_env["Fn::Sub"][1] == {"env": {"Ref": "env"}}
    assert without_env["Fn::Sub"].endswith(":function:echofn")
    assert root["Parameters"]["env"]["Default"] == "NONE"
    role = resources[source["ServiceRoleArn"]["Fn::GetAtt"][0]]["Properties"]
    statement = role["Policies"][0]["PolicyDocument"]["Statement"][0]
    assert statement["Action"] == "lambda:InvokeFunction" and statement["Resource"][0] == arn
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "appsync.amazonaws.com"}
    remote = resources["RemoteEuWest1123456789012LambdaDataSource"]["Properties"]["LambdaConfig"]["LambdaFunctionArn"]
    assert remote["Fn::If"][1]["Fn::Sub"][0] == "arn:aws:lambda:eu-west-1:123456789012:function:remote-${env}"
    assert remote["Fn::If"][2]["Fn::Sub"] == "arn:aws:lambda:eu-west-1:123456789012:function:remote"
    plain = resources["SecondLambdaDataSource"]["Properties"]["LambdaConfig"]["LambdaFunctionArn"]["Fn::If"][1]
    assert plain["Fn::Sub"].endswith(":function:second")


def test_one_http_data_source_per_origin(deployment: Deployment) -> None:
    resources = deployment.root["Resources"]
    http = {k: v["Properties"]["HttpConfig"]["Endpoint"] for k, v in resources.items()
            if v["Type"] == "AWS::AppSync::DataSource" and v["Properties"]["Type"] == "HTTP"}
    assert http == {"httpsapiexamplecomDataSource": "https://api.example.com"}


def test_resolvers_check_auth_then_call_in_order(deployment: Deployment) -> None:
    resources = _resources(deployment)
    assert _function_sources(resources, "ResolverQueryEcho") == [
        "NoneDataSource", "EchofnLambdaDataSource", "SecondLambdaDataSource"]
    assert _function_sources(resources, "ResolverQueryQuote") == ["NoneDataSource", "httpsapiexamplecomDataSource"]
    assert _function_sources(resources, "ResolverPostSummary") == ["SummarizeLambdaDataSource"]
    assert _function_sources(resources, "ResolverPostSecret") == ["NoneDataSource", "SummarizeLambdaDataSource"]
    invokes = [v for v in resources.values() if v["Type"] == "AWS::AppSync::FunctionConfiguration"
               and v["Properties"]["DataSourceName"] == {"Ref": "SummarizeLambdaDataSourceName"}]
    assert len(invokes) == 1, "one Invoke function per Lambda, shared by the fields calling it"


def test_templates_call_the_sources_as_amplifys_do(deployment: Deployment) -> None:
    functions = [v["Properties"] for v in _resources(deployment).values()
                 if v["Type"] == "AWS::AppSync::FunctionConfiguration"]
    by_source = {json.dumps(f["DataSourceName"]): f for f in functions}
    echo = by_source[json.dumps({"Ref": "EchofnLambdaDataSourceName"})]
    body = echo["RequestMappingTemplate"].split("\n", 1)[1]
    payload = json.loads(re.sub(r"\$util\.toJson\(.*\)(?=,?\n)", '"value"', body))
    assert payload["operation"] == "Invoke" and payload["invocationType"] == "RequestResponse"
    assert set(payload["payload"]) == {"typeName", "fieldName", "arguments", "identity", "source", "request", "prev"}
    assert "$util.error($ctx.error.message, $ctx.error.type)" in echo["ResponseMappingTemplate"]
    notify = by_source[json.dumps({"Ref": "NotifierLambdaDataSourceName"})]
    assert '"invocationType": "Event"' in notify["RequestMappingTemplate"]
    assert "{'success': $success}" in notify["ResponseMappingTemplate"]
    http = [f for f in functions if f["DataSourceName"] == {"Ref": "httpsapiexamplecomDataSourceName"}]
    requests = {f["RequestMappingTemplate"] for f in http}
    assert any('"resourcePath": "/weather/${ctx.args.params.city}?units=metric"' in r
               and '"method": "GET"' in r and '"body"' not in r for r in requests)
    assert any('"method": "POST"' in r and '"body": $util.toJson($ctx.args.body)' in r
               and "$util.qr($headers.put('x-app', 'gql'))" in r
               and "#if((!$ctx.args.body.symbol && !$ctx.args.query.symbol))" in r for r in requests)


def test_the_build_lints_wires_up_and_fits(tmp_path: Path) -> None:
    (tmp_path / "schema.graphql").write_text(SDL, encoding="utf-8")
    project, diagnostics = load_project(tmp_path / "schema.graphql", auth_modes=[Provider.USER_POOLS])
    assert project is not None, [d.render() for d in diagnostics]
    build = tmp_path / "build"
    transform(project, build)
    templates = build_templates(build)
    errors = {path.name: [f"{m.rule.id}: {m.message}" for m in lint(json.dumps(t)) if m.rule.id.startswith("E")]
              for path, t in templates.items()}
    assert all(not found for found in errors.values()), errors
    assert wiring_problems(build) == []
    assert quota_problems(build) == []


def _templates(deployment: Deployment) -> dict[str, str]:
    found = {}
    for logical, resource in _resources(deployment).items():
        if resource["Type"] == "AWS::AppSync::FunctionConfiguration":
            for part in ("RequestMappingTemplate", "ResponseMappingTemplate"):
                text = resource["Properties"][part]
                found[f"{logical}.{part}"] = text if isinstance(text, str) else text["Fn::Sub"]
    return found


def test_templates_are_velocity_in_both_engines(deployment: Deployment) -> None:
    """Our strict (Velocity 1.x) parser and, with the oracle, the simulator's engine both accept every template."""
    templates = _templates(deployment)
    for name, text in templates.items():
        parse_template(text, name, portable=True)
    if oracle_missing_reason() is None:
        results = simulate([{"name": name, "template": text} for name, text in templates.items()])
        assert {name: r["parseError"] for name, r in results.items() if not r["parses"]} == {}
