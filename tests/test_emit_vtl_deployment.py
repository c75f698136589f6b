"""The deployment's identity pool, roles and admin roles: `transform` options, Parameters of the stacks,
substituted into the templates by CloudFormation; never the local defaults `serve` uses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from oracle_support import amplify_transform, compare_schemas, oracle_missing_reason

from resolvers.vtl import VtlContext, get_template, render
from transformer.cli import cli
from transformer.emit_vtl import build_pipelines, project_pipelines
from transformer.emit_vtl.deployment import (
    PARAMETER_NAMES,
    deployed_template,
    environment_values,
    parameters_used,
    substitute,
)
from transformer.emit_vtl.slots import init_request
from transformer.environment import AuthEnvironment
from transformer.project import load_project

BLOG = Path(__file__).parent / "conformance" / "blog"
LOCAL = AuthEnvironment()
OPTIONS = ["--identity-pool-id", "eu-west-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "--auth-role-name", "app-dev-authRole",
           "--unauth-role-name", "app-dev-unauthRole", "--admin-roles", "OpsAdmin, Deployer"]


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    folder = tmp_path / "blog"
    folder.mkdir()
    for name in ("schema.graphql", "user-pool-group-precedence.json"):
        shutil.copy(BLOG / name, folder / name)
    return folder


def _transform(blog: Path, out: Path, *options: str, modes: str = "userPools,apiKey,iam") -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["transform", str(blog), "--auth-modes", modes, "-o", str(out), *options])
    assert result.exit_code == 0, result.output
    templates = {path.relative_to(out).as_posix(): json.loads(path.read_text(encoding="utf-8"))
                 for path in [out / "stack.json", *sorted((out / "stacks").glob("*.json"))]}
    return templates


def _resolver_templates(templates: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(path, resource["Properties"]["RequestMappingTemplate"]) for path, template in templates.items()
            for resource in template["Resources"].values() if resource["Type"] == "AWS::AppSync::Resolver"]


def test_options_are_the_parameters_defaults_and_the_templates_substitute_them(blog: Path, tmp_path: Path) -> None:
    templates = _transform(blog, tmp_path / "build", *OPTIONS)
    root = templates["stack.json"]
    defaults = {name: root["Parameters"][name].get("Default") for name in PARAMETER_NAMES}
    assert defaults == {"IdentityPoolId": "eu-west-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
                        "AuthRoleName": "app-dev-authRole", "UnauthRoleName": "app-dev-unauthRole",
                        "AdminRoleNames": "OpsAdmin,Deployer"}
    resolvers = _resolver_templates(templates)
    assert resolvers
    for path, template in resolvers:
        assert isinstance(template, dict) and set(template) == {"Fn::Sub"}, path
        nested = templates[path]
        for name in parameters_used(template["Fn::Sub"]):
            assert name in nested["Parameters"], (path, name)
    nested_stacks = [r for r in root["Resources"].values() if r["Type"] == "AWS::CloudFormation::Stack"]
    passed = {name: value for stack in nested_stacks for name, value in stack["Properties"]["Parameters"].items()}
    assert all(passed[name] == {"Ref": name} for name in PARAMETER_NAMES)
    text = json.dumps(templates)
    for local in (LOCAL.auth_role_name, LOCAL.unauth_role_name, LOCAL.identity_pool_id, LOCAL.account_id):
        assert local not in text


def test_without_options_an_iam_api_asks_for_them_at_deploy_time(blog: Path, tmp_path: Path) -> None:
    with_iam = _transform(blog, tmp_path / "iam")["stack.json"]["Parameters"]
    assert [name for name in PARAMETER_NAMES if "Default" not in with_iam[name]] == [
        "IdentityPoolId", "AuthRoleName", "UnauthRoleName"]
    assert with_iam["AdminRoleNames"]["Default"] == ""
    without_iam = _transform(blog, tmp_path / "pools", modes="userPools,apiKey")["stack.json"]["Parameters"]
    assert all(without_iam[name]["Default"] == "" for name in PARAMETER_NAMES)


@pytest.mark.parametrize(("option", "value"), [("--identity-pool-id", "not-a-pool"), ("--auth-role-name", "has space"),
                                               ("--admin-roles", "ok,bad/name")])
def test_a_bad_value_is_a_usage_error_and_writes_nothing(blog: Path, tmp_path: Path, option: str, value: str) -> None:
    result = CliRunner().invoke(cli, ["transform", str(blog), "-o", str(tmp_path / "out"), option, value])
    assert result.exit_code == 2 and option in result.output
    assert not (tmp_path / "out").exists()


def _stash(template: str) -> dict[str, Any]:
    result = render(get_template(template, "init.req.vtl", portable=True), VtlContext())
    assert result.error is None
    return result.stash


def test_what_cloudformation_substitutes_is_what_serve_renders_for_the_same_environment() -> None:
    deployed_env = AuthEnvironment(account_id="210987654321", identity_pool_id="eu-west-1:abc",
                                   auth_role_name="app-authRole", unauth_role_name="app-unauthRole",
                                   admin_roles=("OpsAdmin", "Deployer"))
    project, _ = load_project(BLOG / "schema.graphql")
    assert project is not None
    deployed = project_pipelines(project)[0].functions[0].request
    substituted = substitute(deployed_template(deployed), environment_values(deployed_env), deployed_env.account_id)
    local = build_pipelines(project.matrix, deployed_env, project.schema)[0].functions[0].request
    assert substituted == local
    stash = _stash(substituted)
    assert stash["authRole"] == "arn:aws:sts::210987654321:assumed-role/app-authRole/CognitoIdentityCredentials"
    assert stash["identityPoolId"] == "eu-west-1:abc"
    assert stash["adminRoles"] == ["OpsAdmin", "Deployer"]
    assert _stash(init_request("Query", "getPost", "Post", LOCAL))["adminRoles"] == []


def test_other_dollar_braces_survive_fn_sub() -> None:
    template = "$util.qr($ctx.stash.put('identityPoolId', '${IdentityPoolId}'))\n#set($t = 'cost ${price}')\n"
    deployed = deployed_template(template)
    assert deployed == {"Fn::Sub": "$util.qr($ctx.stash.put('identityPoolId', '${IdentityPoolId}'))\n"
                                   "#set($t = 'cost ${!price}')\n"}
    assert substitute(deployed, {"IdentityPoolId": "p"}, "1") == template.replace("${IdentityPoolId}", "p")
    assert deployed_template("no placeholders ${x}") == "no placeholders ${x}"


FEATURES = Path(__file__).parent / "conformance" / "features"


def test_admin_roles_put_aws_iam_on_every_protected_type_and_operation(tmp_path: Path) -> None:
    """As Amplify does: otherwise AppSync refuses an admin role at the schema, before any template runs."""
    result = CliRunner().invoke(cli, ["transform", str(FEATURES / "schema.graphql"), "--group-file",
                                      str(FEATURES / "user-pool-group-precedence.json"), "--auth-modes", "userPools,iam",
                                      "--admin-roles", "FeaturesAdminRole", "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    schema = (tmp_path / "out" / "schema.graphql").read_text(encoding="utf-8")
    assert "type Doc @aws_iam @aws_cognito_user_pools {" in schema
    assert "getDoc(id: ID!): Doc @aws_iam @aws_cognito_user_pools" in schema
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    amplify = amplify_transform(FEATURES / "schema.graphql", tmp_path / "amplify", ("userPools", "iam"),
                                extra_args=["--admin-roles", "FeaturesAdminRole"])
    assert amplify.accepted, amplify.message
    comparison = compare_schemas(amplify.out_dir / "schema.graphql", tmp_path / "out" / "schema.graphql")
    assert comparison.get("identical") is True, comparison
