"""`${env}` and `${aws_region}` in an `@http` URL's origin: the HTTP data source's endpoint substitutes them
with `Fn::Sub` from the `env` Parameter and the stack's region, as Amplify's `replaceEnvAndRegion` does.

What Amplify emits was read from its transformer (`amplify-graphql-http-transformer`) synthesised with `env`
as a CloudFormation Parameter, as the Amplify CLI declares it: the endpoint of
`https://api-${env}.example.com/${aws_region}/items/:id` is
`{"Fn::Sub": ["https://api-${env}.example.com", {"env": {"Ref": <env>}}]}`; an origin without placeholders is
written as is, and `NONE` (the Parameter's default) is substituted like any other name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from guard_support import ENV, matrix_from

from transformer.emit_external_sources import with_env_and_region
from transformer.emit_stack import Deployment, build_deployment
from transformer.parse import parse_schema_text
from transformer.project import Project
from transformer.rules import Provider

SDL = '''
type Query {
  items(id: ID!, q: String): String @http(url: "https://api-${env}.example.com/${aws_region}/items/:id") @auth(rules: [{allow: private}])
  regional: String @http(url: "https://svc.${aws_region}.example.com/x") @auth(rules: [{allow: private}])
  plain: String @http(url: "https://plain.example.com/v1") @auth(rules: [{allow: private}])
}
'''


def _deployment(sdl: str) -> Deployment:
    schema, _ = parse_schema_text(sdl)
    project = Project(schema_path=Path("schema.graphql"), schema=schema, group_file_path=None, group_file=None,
                      matrix=matrix_from(sdl, [Provider.USER_POOLS]), auth_modes_source="test", environment=ENV)
    return build_deployment(project)


@pytest.fixture(scope="module")
def deployment() -> Deployment:
    return _deployment(SDL)


def _cloudformation_value(value: Any, parameters: dict[str, str]) -> str:
    """What CloudFormation makes of a string or a list-form `Fn::Sub` given Parameter values."""
    if isinstance(value, str):
        return value
    text, variables = value["Fn::Sub"]
    known = {name: parameters[ref["Ref"]] for name, ref in variables.items()}
    return re.sub(r"\$\{(!?)([^}]*)\}", lambda m: "${" + m.group(2) + "}" if m.group(1) else known[m.group(2)], text)


def _endpoint(deployment: Deployment, name: str) -> Any:
    [source] = [r for r in deployment.root["Resources"].values() if r.get("Properties", {}).get("Name") == name]
    assert source["Type"] == "AWS::AppSync::DataSource" and source["Properties"]["Type"] == "HTTP"
    return source["Properties"]["HttpConfig"]["Endpoint"]


def test_env_in_the_origin_is_substituted_from_the_env_parameter(deployment: Deployment) -> None:
    endpoint = _endpoint(deployment, "httpsapienvexamplecomDataSource")
    assert endpoint == {"Fn::Sub": ["https://api-${env}.example.com", {"env": {"Ref": "env"}}]}
    parameters = {"env": "dev", "AWS::Region": "eu-west-1"}
    assert _cloudformation_value(endpoint, parameters) == "https://api-dev.example.com"
    default = deployment.root["Parameters"]["env"]["Default"]
    assert _cloudformation_value(endpoint, {"env": default}) == "https://api-NONE.example.com"


def test_region_in_the_origin_is_the_stacks_region(deployment: Deployment) -> None:
    endpoint = _endpoint(deployment, "httpssvcaws_regionexamplecomDataSource")
    assert endpoint == {"Fn::Sub": ["https://svc.${aws_region}.example.com", {"aws_region": {"Ref": "AWS::Region"}}]}
    assert _cloudformation_value(endpoint, {"AWS::Region": "eu-west-1"}) == "https://svc.eu-west-1.example.com"


def test_an_origin_without_placeholders_is_written_as_is(deployment: Deployment) -> None:
    assert _endpoint(deployment, "httpsplainexamplecomDataSource") == "https://plain.example.com"


def test_env_is_declared_only_when_read_and_without_the_lambda_condition(deployment: Deployment) -> None:
    root = deployment.root
    assert root["Parameters"]["env"]["Default"] == "NONE"
    assert "HasEnvironmentParameter" not in root.get("Conditions", {})
    regional_only = _deployment(SDL.replace("api-${env}", "api"))
    assert "env" not in regional_only.root.get("Parameters", {})


def test_other_variables_stay_literal_inside_the_substitution() -> None:
    value = with_env_and_region("https://${env}.${tenant}.example.com")
    assert value == {"Fn::Sub": ["https://${env}.${!tenant}.example.com", {"env": {"Ref": "env"}}]}
    assert _cloudformation_value(value, {"env": "dev"}) == "https://dev.${tenant}.example.com"


def _lint_errors(template: dict[str, Any]) -> list[str]:
    return [f"{m.rule.id}: {m.message}" for m in lint(json.dumps(template)) if m.rule.id.startswith("E")]


def test_the_api_stack_passes_cfn_lint() -> None:
    assert _lint_errors(_deployment(SDL.replace("svc.${aws_region}", "svc-${env}")).root) == []


def test_a_region_origin_has_a_valid_logical_id(deployment: Deployment) -> None:
    """The AppSync name keeps the `_` of `aws_region`; the logical id (and the nested stacks' Parameter) may not."""
    assert _lint_errors(deployment.root) == []
    [(logical_id, source)] = [(k, v) for k, v in deployment.root["Resources"].items()
                              if v.get("Properties", {}).get("Name") == "httpssvcaws_regionexamplecomDataSource"]
    assert logical_id.isalnum() and logical_id.startswith("httpssvcawsregionexamplecomDataSource")
    for template in deployment.templates().values():
        assert all(name.isalnum() for name in template.get("Parameters", {}))
    nested = [t for path, t in deployment.templates().items() if path != "stack.json"
              and any(f"{logical_id}Name" == name for name in t.get("Parameters", {}))]
    assert nested, "the function calling it receives the data source's name under an alphanumeric Parameter"


HEADERS_SDL = '''
type Query {
  tenant(id: ID!): String @http(url: "https://plain.example.com/${aws_region}/t/:id", headers: [{key: "x-env", value: "app-${env}"}]) @auth(rules: [{allow: private}])
}
'''


def _http_request_templates(deployment: Deployment) -> list[tuple[dict[str, Any], Any]]:
    """(the template holding it, RequestMappingTemplate) of every function calling an HTTP data source."""
    found = []
    for template in deployment.templates().values():
        for resource in template.get("Resources", {}).values():
            properties = resource.get("Properties", {})
            request = properties.get("RequestMappingTemplate")
            text = request["Fn::Sub"] if isinstance(request, dict) else request
            if resource.get("Type") == "AWS::AppSync::FunctionConfiguration" and '"resourcePath"' in text:
                found.append((template, request))
    return found


def test_placeholders_in_the_path_and_headers_are_substituted_in_the_deployed_template() -> None:
    deployment = _deployment(HEADERS_SDL)
    [(template, request)] = _http_request_templates(deployment)
    assert set(request) == {"Fn::Sub"}
    text = re.sub(r"\$\{(!?)([^}]*)\}",
                  lambda m: "${" + m.group(2) + "}" if m.group(1) else {"env": "dev", "AWS::Region": "eu-west-1"}[m.group(2)],
                  request["Fn::Sub"])
    assert '"resourcePath": "/eu-west-1/t/${ctx.args.params.id}"' in text
    assert "$util.qr($headers.put('x-env', 'app-dev'))" in text
    assert "env" in template["Parameters"], "the stack holding the template must receive env"
    assert deployment.root["Parameters"]["env"]["Default"] == "NONE", "an env read only by headers is declared"


def test_a_template_without_placeholders_stays_plain_text() -> None:
    deployment = _deployment(SDL.replace("/${aws_region}/items/:id", "/items/:id"))
    requests = [request for _, request in _http_request_templates(deployment)]
    assert requests and all(isinstance(request, str) for request in requests)
