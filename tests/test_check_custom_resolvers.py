"""An Amplify API's own resolvers (`stacks/CustomResources.json`, `resolvers/*.vtl`) as `check` reads them: the
resolvers found, the warnings about fields nothing resolves, resolvers for fields the schema lacks or Amplify
already resolves, templates that replace generated ones, and a broken stack file (error with JSON path, exit 1)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Post @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}, {allow: public, operations: [read]}]) {
  id: ID!
  title: String!
  status: String
}
type Query {
  postsByStatus(status: String!): [Post] @auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: public}])
  echoArgs(a: String, b: Int): AWSJSON @auth(rules: [{allow: private}])
  pipelined(x: Int!): AWSJSON @auth(rules: [{allow: private}])
  nothingHere: String
}
type Mutation {
  quickPost(id: ID!, title: String!): Post @auth(rules: [{allow: groups, groups: ["Admins"]}])
}
"""

TEMPLATES: dict[str, str] = {
    "Query.postsByStatus.req.vtl": """{
  "version": "2018-05-29",
  "operation": "Scan",
  "filter": {"expression": "#s = :s", "expressionNames": {"#s": "status"},
             "expressionValues": {":s": $util.dynamodb.toDynamoDBJson($ctx.args.status)}}
}""",
    "Query.postsByStatus.res.vtl": "$util.toJson($ctx.result.items)",
    "Mutation.quickPost.req.vtl": """{
  "version": "2018-05-29",
  "operation": "PutItem",
  "key": {"id": $util.dynamodb.toDynamoDBJson($ctx.args.id)},
  "attributeValues": {"title": $util.dynamodb.toDynamoDBJson($ctx.args.title),
                      "__typename": {"S": "Post"},
                      "owner": $util.dynamodb.toDynamoDBJson($ctx.identity.username)}
}""",
    "Mutation.quickPost.res.vtl": "$util.toJson($ctx.result)",
    "Query.echoArgs.req.vtl": '{"version": "2018-05-29", "payload": $util.toJson($ctx.args)}',
    "Query.echoArgs.res.vtl": "$util.toJson($ctx.result)",
    "Query.pipelined.before.vtl": "$util.qr($ctx.stash.put(\"seen\", [\"before\"]))\n{}",
    "Query.pipelined.after.vtl": "$util.toJson({\"result\": $ctx.prev.result, \"seen\": $ctx.stash.seen})",
    "Fn.double.req.vtl": """$util.qr($ctx.stash.seen.add("double"))
{"version": "2018-05-29", "payload": $util.toJson({"value": $ctx.args.x})}""",
    "Fn.double.res.vtl": "#set($v = $ctx.result.value * 2)\n$util.toJson($v)",
    "Fn.addOne.req.vtl": """$util.qr($ctx.stash.seen.add("addOne"))
{"version": "2018-05-29", "payload": $util.toJson({"value": $ctx.prev.result})}""",
    "Fn.addOne.res.vtl": "#set($v = $ctx.result.value + 1)\n$util.toJson($v)",
}


def s3(name: str) -> dict[str, Any]:
    """A template location as the Amplify CLI's CustomResources.json writes it."""
    return {"Fn::Sub": [f"s3://${{S3DeploymentBucket}}/${{S3DeploymentRootKey}}/resolvers/{name}",
                        {"S3DeploymentBucket": {"Ref": "S3DeploymentBucket"},
                         "S3DeploymentRootKey": {"Ref": "S3DeploymentRootKey"}}]}


def unit(type_name: str, field: str, source: Any) -> dict[str, Any]:
    return {"Type": "AWS::AppSync::Resolver", "Properties": {
        "ApiId": {"Ref": "AppSyncApiId"}, "DataSourceName": source, "TypeName": type_name, "FieldName": field,
        "RequestMappingTemplateS3Location": s3(f"{type_name}.{field}.req.vtl"),
        "ResponseMappingTemplateS3Location": s3(f"{type_name}.{field}.res.vtl")}}


def function(name: str) -> dict[str, Any]:
    return {"Type": "AWS::AppSync::FunctionConfiguration", "Properties": {
        "ApiId": {"Ref": "AppSyncApiId"}, "Name": name, "FunctionVersion": "2018-05-29",
        "DataSourceName": {"Fn::GetAtt": ["LocalNone", "Name"]},
        "RequestMappingTemplateS3Location": s3(f"Fn.{name}.req.vtl"),
        "ResponseMappingTemplateS3Location": s3(f"Fn.{name}.res.vtl")}}


def custom_resources() -> dict[str, Any]:
    """Shaped like the CustomResources.json the Amplify CLI writes, with the project's resources added."""
    parameters = {name: {"Type": "String"} for name in
                  ("AppSyncApiId", "AppSyncApiName", "S3DeploymentBucket", "S3DeploymentRootKey")}
    parameters["env"] = {"Type": "String", "Default": "NONE"}
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "An auto-generated nested stack.",
        "Metadata": {},
        "Parameters": parameters,
        "Resources": {
            "LocalNone": {"Type": "AWS::AppSync::DataSource", "Properties": {
                "ApiId": {"Ref": "AppSyncApiId"}, "Name": "LocalNone", "Type": "NONE"}},
            "QueryPostsByStatusResolver": unit("Query", "postsByStatus", "PostTable"),
            "MutationQuickPostResolver": unit("Mutation", "quickPost", "PostTable"),
            "QueryEchoArgsResolver": unit("Query", "echoArgs", {"Fn::GetAtt": ["LocalNone", "Name"]}),
            "FnDouble": function("double"),
            "FnAddOne": function("addOne"),
            "QueryPipelinedResolver": {"Type": "AWS::AppSync::Resolver", "Properties": {
                "ApiId": {"Ref": "AppSyncApiId"}, "TypeName": "Query", "FieldName": "pipelined", "Kind": "PIPELINE",
                "PipelineConfig": {"Functions": [{"Fn::GetAtt": ["FnDouble", "FunctionId"]},
                                                 {"Fn::GetAtt": ["FnAddOne", "FunctionId"]}]},
                "RequestMappingTemplateS3Location": s3("Query.pipelined.before.vtl"),
                "ResponseMappingTemplateS3Location": s3("Query.pipelined.after.vtl")}},
        },
        "Conditions": {"HasEnvironmentParameter": {"Fn::Not": [{"Fn::Equals": [{"Ref": "env"}, "NONE"]}]}},
        "Outputs": {"EmptyOutput": {"Description": "An empty output.", "Value": ""}},
    }


def write_project(root: Path, stack: dict[str, Any] | None = None, extra_templates: dict[str, str] | None = None) -> Path:
    """An Amplify Gen 1 project with one API, `blog`; returns the project root."""
    api = root / "amplify" / "backend" / "api" / "blog"
    (api / "resolvers").mkdir(parents=True)
    (api / "stacks").mkdir()
    (api / "schema.graphql").write_text(SCHEMA)
    for name, text in {**TEMPLATES, **(extra_templates or {})}.items():
        (api / "resolvers" / name).write_text(text)
    (api / "stacks" / "CustomResources.json").write_text(json.dumps(stack or custom_resources(), indent=2))
    groups = root / "amplify" / "backend" / "auth" / "userPoolGroups"
    groups.mkdir(parents=True)
    (groups / "user-pool-group-precedence.json").write_text(json.dumps([{"groupName": "Admins", "precedence": 1}]))
    return root


MODES = [Provider.USER_POOLS, Provider.API_KEY]


def test_resolvers_templates_and_data_sources_are_read(tmp_path: Path) -> None:
    project, diagnostics = load_project(write_project(tmp_path), auth_modes=MODES)
    assert project is not None, diagnostics
    custom = project.custom_resolvers
    assert sorted(custom.resolvers) == ["Mutation.quickPost", "Query.echoArgs", "Query.pipelined", "Query.postsByStatus"]
    scan = custom.resolvers["Query.postsByStatus"]
    assert (scan.kind, scan.data_source) == ("UNIT", "PostTable")
    assert scan.request is not None and '"operation": "Scan"' in scan.request.text
    assert scan.request.name == "resolvers/Query.postsByStatus.req.vtl"
    assert custom.resolvers["Query.echoArgs"].data_source == "LocalNone"
    pipeline = custom.resolvers["Query.pipelined"]
    assert pipeline.kind == "PIPELINE" and [f.name for f in pipeline.functions] == ["double", "addOne"]
    assert [f.data_source for f in pipeline.functions] == ["LocalNone", "LocalNone"]
    assert custom.data_sources["LocalNone"].type == "NONE"


def _codes(diagnostics: list[Any]) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in diagnostics if d.severity.value == "warning" and d.code.startswith("resolvers.")]


def test_warnings_about_fields_resolvers_and_overrides(tmp_path: Path) -> None:
    stack = custom_resources()
    stack["Resources"]["QueryGoneResolver"] = unit("Query", "gone", "PostTable")
    stack["Resources"]["QueryGetPostResolver"] = unit("Query", "getPost", "PostTable")
    overrides = {"Query.getPost.req.vtl": "{}", "Query.gone.req.vtl": "{}", "Query.gone.res.vtl": "{}",
                 "Query.getPost.res.vtl": "{}", "Mutation.createPost.auth.1.req.vtl": "{}",
                 "Mutation.createPost.postAuth.2.req.vtl": "{}"}
    _project, diagnostics = load_project(write_project(tmp_path, stack, overrides), auth_modes=MODES)
    found = _codes(diagnostics)
    unresolved = [m for c, m in found if c == "resolvers.field-unresolved"]
    assert len(unresolved) == 1 and unresolved[0].startswith("Query.nothingHere has no resolver")
    unresolved_at = next(d for d in diagnostics if d.code == "resolvers.field-unresolved")
    assert unresolved_at.line is not None and unresolved_at.file is not None and unresolved_at.file.endswith("schema.graphql")
    assert [m for c, m in found if c == "resolvers.unknown-field"] == [
        "a resolver for Query.gone, a field the schema does not have: AppSync refuses it at deploy time; gqlauth ignores it"]
    conflicts = [m for c, m in found if c == "resolvers.deploy-conflict"]
    assert any(m.startswith("a resolver for Query.getPost, which Amplify already resolves") for m in conflicts)
    assert sum("has @auth and a resolver of its own" in m for m in conflicts) == 4
    ignored = sorted(m.split(" ", 1)[0] for c, m in found if c == "resolvers.override-ignored")
    assert ignored == ["resolvers/Mutation.createPost.auth.1.req.vtl", "resolvers/Mutation.createPost.postAuth.2.req.vtl"]
    assert all("gqlauth does not apply it" in m for c, m in found if c == "resolvers.override-ignored")


def test_an_unresolvable_reference_is_a_warning_naming_it(tmp_path: Path) -> None:
    stack = custom_resources()
    stack["Resources"]["QueryEchoArgsResolver"]["Properties"]["DataSourceName"] = {"Fn::ImportValue": "Elsewhere"}
    _project, diagnostics = load_project(write_project(tmp_path, stack), auth_modes=MODES)
    refs = [d for d in diagnostics if d.code == "resolvers.unresolved-reference"]
    assert len(refs) == 1 and "Fn::ImportValue" in refs[0].message
    assert refs[0].json_path == "Resources.QueryEchoArgsResolver.Properties.DataSourceName"


def _check(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "from resolvers.cli import main; main()", "check", str(root),
                           "--auth-modes", "userPools,apiKey"], capture_output=True, text=True, check=False)


def test_a_broken_stack_file_is_an_error_with_its_json_path(tmp_path: Path) -> None:
    stack = custom_resources()
    del stack["Resources"]["QueryEchoArgsResolver"]["Properties"]["FieldName"]
    stack["Resources"]["QueryPipelinedResolver"]["Properties"]["Kind"] = "BATCH"
    done = _check(write_project(tmp_path, stack))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "CustomResources.json:Resources.QueryEchoArgsResolver.Properties.FieldName: error:" in done.stderr
    assert "CustomResources.json:Resources.QueryPipelinedResolver.Properties.Kind: error:" in done.stderr


def test_a_missing_template_file_and_bad_json_are_errors(tmp_path: Path) -> None:
    root = write_project(tmp_path)
    api = root / "amplify" / "backend" / "api" / "blog"
    (api / "resolvers" / "Query.echoArgs.req.vtl").unlink()
    done = _check(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "RequestMappingTemplateS3Location: error: resolvers/Query.echoArgs.req.vtl does not exist" in done.stderr
    (api / "stacks" / "CustomResources.json").write_text('{"Resources": {"X": ')
    done = _check(root)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "not JSON" in done.stderr


def test_a_project_without_custom_resolvers_is_unchanged(tmp_path: Path) -> None:
    api = tmp_path / "amplify" / "backend" / "api" / "blog"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text("type Post @model @auth(rules: [{allow: owner}]) { id: ID! title: String }\n")
    project, diagnostics = load_project(tmp_path, auth_modes=MODES)
    assert project is not None and project.custom_resolvers.resolvers == {}
    assert not [d for d in diagnostics if d.code.startswith("resolvers.")]
