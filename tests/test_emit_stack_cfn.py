"""`build/stack.json`: the deployable API passes cfn-lint and wires every emitted template."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from guard_support import ENV, matrix_from

from transformer.emit_stack import build_stack, emit_stack_file
from transformer.emit_vtl import build_pipelines
from transformer.project import Project, load_project
from transformer.rules import Provider

BLOG = Path(__file__).parent.parent / "samples" / "blog" / "schema.graphql"
ALL_MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM, Provider.OIDC, Provider.FUNCTION]
KEYED = """
type Entry @model @auth(rules: [{allow: owner}, {allow: public, provider: iam, operations: [read]}]) {
  tenant: ID! @primaryKey(sortKeyFields: ["slug"])
  slug: String!
  rank: Int @index(name: "byRank", queryField: "entriesByRank")
  body: String
}
"""


def _errors(template: dict[str, Any]) -> list[str]:
    return [f"{m.rule.id}: {m.message}" for m in lint(json.dumps(template)) if m.rule.id.startswith("E")]


@pytest.fixture(scope="module")
def blog_project() -> Project:
    project, diagnostics = load_project(BLOG, auth_modes=ALL_MODES)
    assert project is not None, [d.render() for d in diagnostics]
    return project


def test_blog_stack_passes_cfn_lint(blog_project: Project) -> None:
    assert _errors(build_stack(blog_project)) == []


def test_stack_holds_every_pipeline_with_inline_templates(blog_project: Project) -> None:
    resources = build_stack(blog_project)["Resources"]
    pipelines = build_pipelines(blog_project.matrix, blog_project.environment)
    resolvers = [r for r in resources.values() if r["Type"] == "AWS::AppSync::Resolver"]
    functions = [r for r in resources.values() if r["Type"] == "AWS::AppSync::FunctionConfiguration"]
    assert len(resolvers) == len(pipelines)
    assert len(functions) == sum(len(p.functions) for p in pipelines)
    assert all("#" in f["Properties"]["RequestMappingTemplate"] or "{" in f["Properties"]["RequestMappingTemplate"]
               for f in functions)
    api = resources["GraphQLApi"]["Properties"]
    assert api["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert [p["AuthenticationType"] for p in api["AdditionalAuthenticationProviders"]] == [
        "API_KEY", "AWS_IAM", "OPENID_CONNECT", "AWS_LAMBDA"]
    assert "GraphQLApiKey" in resources
    assert "type Post" in resources["GraphQLSchema"]["Properties"]["Definition"]


def test_keys_and_indexes_become_table_keys_and_gsis() -> None:
    matrix = matrix_from(KEYED, [Provider.USER_POOLS, Provider.IAM])
    project = Project(schema_path=Path("schema.graphql"), schema=_schema(KEYED), group_file_path=None,
                      group_file=None, matrix=matrix, auth_modes_source="test", environment=ENV)
    template = build_stack(project)
    table = template["Resources"]["TableEntry"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "tenant", "KeyType": "HASH"},
                                  {"AttributeName": "slug", "KeyType": "RANGE"}]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "byRank"
    assert {"AttributeName": "rank", "AttributeType": "N"} in table["AttributeDefinitions"]
    assert "GraphQLApiKey" not in template["Resources"]
    assert _errors(template) == []


def test_emitter_writes_stack_json(tmp_path: Path, blog_project: Project) -> None:
    emit_stack_file(blog_project, tmp_path)
    assert json.loads((tmp_path / "stack.json").read_text())["Resources"]["GraphQLApi"]


def _schema(sdl: str) -> Any:
    from transformer.parse import parse_schema_text

    schema, _ = parse_schema_text(sdl)
    return schema


def test_custom_query_checks_become_functions_without_a_resolver() -> None:
    sdl = 'type Note @model @auth(rules: [{allow: private}]) { id: ID! }\n' \
          'type Query { report: String @auth(rules: [{allow: groups, groups: ["Admins"]}]) }\n'
    matrix = matrix_from(sdl, [Provider.USER_POOLS])
    project = Project(schema_path=Path("schema.graphql"), schema=_schema(sdl), group_file_path=None,
                      group_file=None, matrix=matrix, auth_modes_source="test", environment=ENV)
    resources = build_stack(project)["Resources"]
    assert "FunctionQueryReportAuth1" in resources
    assert "ResolverQueryReport" not in resources
