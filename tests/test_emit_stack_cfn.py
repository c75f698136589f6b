"""The deployable stacks: every template passes cfn-lint, wires every emitted pipeline, and shares functions."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from golden_files import GOLDEN_ROOT, input_dir, samples
from guard_support import ENV, matrix_from
from stack_support import build_templates, wiring_problems

from transformer.auth_modes import parse_auth_modes
from transformer.emit import transform
from transformer.emit_stack import Deployment, build_deployment
from transformer.emit_vtl import build_pipelines
from transformer.emit_vtl.deployment import environment_values, substitute
from transformer.emit_vtl.layout import Slot
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


def _resources(deployment: Deployment) -> dict[str, Any]:
    return {k: v for t in deployment.templates().values() for k, v in t["Resources"].items()}


def _project(sdl: str, modes: list[Provider]) -> Project:
    from transformer.parse import parse_schema_text

    schema, _ = parse_schema_text(sdl)
    return Project(schema_path=Path("schema.graphql"), schema=schema, group_file_path=None, group_file=None,
                   matrix=matrix_from(sdl, modes), auth_modes_source="test", environment=ENV)


@pytest.fixture(scope="module")
def blog_project() -> Project:
    project, diagnostics = load_project(BLOG, auth_modes=ALL_MODES)
    assert project is not None, [d.render() for d in diagnostics]
    return project


@pytest.fixture(scope="module")
def blog_build(blog_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("blog") / "build"
    transform(blog_project, out)
    return out


def test_every_blog_template_passes_cfn_lint(blog_project: Project) -> None:
    for path, template in build_deployment(blog_project).templates().items():
        assert _errors(template) == [], path


def test_api_stack_nests_one_stack_per_model(blog_project: Project) -> None:
    deployment = build_deployment(blog_project)
    nested = [r for r in deployment.root["Resources"].values() if r["Type"] == "AWS::CloudFormation::Stack"]
    urls = {r["Properties"]["TemplateURL"] for r in nested}
    assert {"stacks/Post.json", "stacks/Comment.json"} <= urls
    for model in ("Post", "Comment"):
        types = [r["Type"] for r in deployment.nested[f"stacks/{model}.json"]["Resources"].values()]
        assert types.count("AWS::DynamoDB::Table") == 1
    api = deployment.root["Resources"]["GraphQLApi"]["Properties"]
    assert api["AuthenticationType"] == "AMAZON_COGNITO_USER_POOLS"
    assert [p["AuthenticationType"] for p in api["AdditionalAuthenticationProviders"]] == [
        "API_KEY", "AWS_IAM", "OPENID_CONNECT", "AWS_LAMBDA"]
    assert "GraphQLApiKey" in deployment.root["Resources"]


def test_resolvers_run_the_emitted_pipelines_in_order(blog_project: Project, blog_build: Path) -> None:
    """Each resolver's before-template is its init slot and its functions are the other slots, read back from the build."""
    templates = build_templates(blog_build)
    resources = {k: v for t in templates.values() for k, v in t["Resources"].items()}
    function_ids = {}
    for template in templates.values():
        for name, output in template.get("Outputs", {}).items():
            function_ids[name] = output["Value"]["Fn::GetAtt"][0] if "Fn::GetAtt" in output["Value"] else None
    resolvers = {(r["Properties"]["TypeName"], r["Properties"]["FieldName"]): r["Properties"]
                 for r in resources.values() if r["Type"] == "AWS::AppSync::Resolver"}
    pipelines = build_pipelines(blog_project.matrix, blog_project.environment, blog_project.schema)
    assert len(resolvers) == len(pipelines)
    for pipeline in pipelines:
        resolver = resolvers[(pipeline.type_name, pipeline.field_name)]
        init, *rest = pipeline.functions
        assert init.slot is Slot.INIT
        environment = blog_project.environment
        assert substitute(resolver["RequestMappingTemplate"], environment_values(environment),
                          environment.account_id) == init.request
        deployed = []
        for ref in resolver["PipelineConfig"]["Functions"]:
            logical = ref["Fn::GetAtt"][0] if "Fn::GetAtt" in ref else function_ids[ref["Ref"]]
            properties = resources[logical]["Properties"]
            deployed.append((properties["RequestMappingTemplate"], properties["ResponseMappingTemplate"]))
        assert deployed == [(f.request, f.response) for f in rest], pipeline.key


def test_identical_functions_are_deployed_once(blog_project: Project) -> None:
    deployment = build_deployment(blog_project)
    functions = [r["Properties"] for r in _resources(deployment).values()
                 if r["Type"] == "AWS::AppSync::FunctionConfiguration"]
    pipelines = build_pipelines(blog_project.matrix, blog_project.environment, blog_project.schema)
    distinct = {(f.request, f.response, f.data_source) for p in pipelines for f in p.functions if f.slot is not Slot.INIT}
    assert len(functions) == len(distinct) < sum(len(p.functions) for p in pipelines) / 2
    assert len({json.dumps([f["DataSourceName"], f["RequestMappingTemplate"], f["ResponseMappingTemplate"]])
                for f in functions}) == len(functions)


def test_build_wiring_resolves(blog_build: Path) -> None:
    assert wiring_problems(blog_build) == []


def test_keys_and_indexes_become_table_keys_and_gsis() -> None:
    deployment = build_deployment(_project(KEYED, [Provider.USER_POOLS, Provider.IAM]))
    table = _resources(deployment)["TableEntry"]["Properties"]
    assert table["KeySchema"] == [{"AttributeName": "tenant", "KeyType": "HASH"},
                                  {"AttributeName": "slug", "KeyType": "RANGE"}]
    assert table["GlobalSecondaryIndexes"][0]["IndexName"] == "byRank"
    assert {"AttributeName": "rank", "AttributeType": "N"} in table["AttributeDefinitions"]
    assert "GraphQLApiKey" not in deployment.root["Resources"]
    for template in deployment.templates().values():
        assert _errors(template) == []


def test_custom_query_checks_become_functions_without_a_resolver() -> None:
    sdl = 'type Note @model @auth(rules: [{allow: private}]) { id: ID! }\n' \
          'type Query { report: String @auth(rules: [{allow: groups, groups: ["Admins"]}]) }\n'
    resources = _resources(build_deployment(_project(sdl, [Provider.USER_POOLS])))
    assert "FunctionQueryReportInit1" in resources and "FunctionQueryReportAuth1" in resources
    assert "ResolverQueryReport" not in resources


def test_merged_view_holds_every_resolver_with_local_references(blog_build: Path) -> None:
    """`transformer.stack_merge`: one template (for single-file tools such as ourvtl) with nothing left to pass in."""
    from transformer.stack_merge import merged_template

    merged = merged_template(blog_build)
    resources = merged["Resources"]
    nested = {k: v for t in build_templates(blog_build).values() for k, v in t["Resources"].items()
              if v["Type"] != "AWS::CloudFormation::Stack"}
    assert set(resources) == set(nested)
    text = json.dumps(resources)
    assert '"Ref": "ApiId"' not in text and '"Ref": "NoneDataSourceName"' not in text
    for resource in resources.values():
        for ref in resource.get("Properties", {}).get("PipelineConfig", {}).get("Functions", []):
            assert ref["Fn::GetAtt"][0] in resources


@pytest.mark.parametrize("sample", samples())
def test_every_sample_builds_stacks_that_lint_and_wire_up(sample: str, tmp_path: Path) -> None:
    """Wiring checked everywhere; cfn-lint on one template of each shape (its resource types and properties)."""
    folder = input_dir(sample)
    modes_file = GOLDEN_ROOT / sample / "auth-modes.txt"
    modes = parse_auth_modes(modes_file.read_text(encoding="utf-8")) if modes_file.is_file() else None
    project, diagnostics = load_project(folder / "schema.graphql", auth_modes=modes)
    assert project is not None, [d.render() for d in diagnostics]
    transform(project, tmp_path / "build")
    assert wiring_problems(tmp_path / "build") == []
    linted = set()
    for path, template in build_templates(tmp_path / "build").items():
        shape = frozenset((r["Type"], *sorted(r.get("Properties", {}))) for r in template["Resources"].values())
        if shape not in linted:
            linted.add(shape)
            assert _errors(template) == [], path.name


def test_the_local_user_pool_is_never_a_deployment_default(blog_project: Project) -> None:
    assert "Default" not in build_deployment(blog_project).root["Parameters"]["UserPoolId"]
    deployed = dataclasses.replace(blog_project, environment=ENV.model_copy(update={"user_pool_id": "eu-west-1_Real"}))
    assert build_deployment(deployed).root["Parameters"]["UserPoolId"]["Default"] == "eu-west-1_Real"


def test_stacks_handed_over_in_any_order_still_declare_what_others_read(
        blog_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Providers first (the reverse of `consumers_first`): their outputs are added to the written files."""
    from transformer import emit_stack, stack_packing

    monkeypatch.setattr(emit_stack, "consumers_first", lambda packing: stack_packing.consumers_first(packing)[::-1])
    transform(blog_project, tmp_path / "build")
    assert wiring_problems(tmp_path / "build") == []
    assert build_deployment(blog_project).templates().keys() == {
        "stack.json", *(f"stacks/{p.name}" for p in (tmp_path / "build" / "stacks").iterdir())}
