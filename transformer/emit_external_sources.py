"""The CloudFormation resources of the `@function` and `@http` data sources, as Amplify declares them.

A Lambda data source gets a service role AppSync assumes, allowed to invoke the function (and its versions);
the function's ARN substitutes `${env}` from the `env` Parameter (Amplify's `HasEnvironmentParameter`
condition: with `env` left at `NONE`, the name's `-${env}` is dropped). An HTTP data source points at its origin,
with `${env}` and `${aws_region}` substituted by `Fn::Sub` from the `env` Parameter and the stack's region, as
Amplify's `replaceEnvAndRegion` does (no `NONE` rule there: `env` left at `NONE` writes `NONE`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from transformer.emit_vtl.deployment import ENV_PARAMETER, ENV_PLACEHOLDER, REGION_PLACEHOLDER
from transformer.emit_vtl.external import HTTP, LAMBDA, ExternalSource

HAS_ENVIRONMENT = "HasEnvironmentParameter"
NO_ENVIRONMENT = "NONE"
_ANY_VARIABLE = re.compile(r"\$\{(?!env\}|aws_region\})")


def data_source_logical_id(name: str) -> str:
    """The data source's logical id in the API stack: its AppSync name, which may hold `_` (an `@http` origin's
    `${aws_region}`), made alphanumeric as CloudFormation requires, with a digest of the name when that changed it
    (so that `a_b` and `ab` stay apart)."""
    plain = re.sub(r"[^0-9A-Za-z]", "", name)
    if plain == name:
        return name
    return plain + hashlib.sha256(name.encode()).hexdigest()[:8]


def _arn(source: ExternalSource, name: str) -> dict[str, Any]:
    region = source.region or "${AWS::Region}"
    account = source.account or "${AWS::AccountId}"
    return {"Fn::Sub": f"arn:aws:lambda:{region}:{account}:function:{name}"}


def _function_arn(source: ExternalSource) -> dict[str, Any]:
    name = source.target
    with_env = _arn(source, name)
    if ENV_PLACEHOLDER in name:
        with_env = {"Fn::Sub": [with_env["Fn::Sub"], {"env": {"Ref": ENV_PARAMETER}}]}
    without_env = _arn(source, re.sub(r"-\$\{env\}", "", name, count=1))
    return {"Fn::If": [HAS_ENVIRONMENT, with_env, without_env]}


def _lambda_resources(source: ExternalSource, api_id: Any) -> dict[str, Any]:
    role = f"{source.name}Role"
    arn = _function_arn(source)
    return {
        role: {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Principal": {"Service": "appsync.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}],
                },
                "Policies": [{
                    "PolicyName": f"{source.name}InvokePolicy",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                                       "Resource": [arn, {"Fn::Join": ["", [arn, ":*"]]}]}],
                    },
                }],
            },
        },
        data_source_logical_id(source.name): {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {
                "ApiId": api_id,
                "Name": source.name,
                "Type": "AWS_LAMBDA",
                "LambdaConfig": {"LambdaFunctionArn": arn},
                "ServiceRoleArn": {"Fn::GetAtt": [role, "Arn"]},
            },
        },
    }


def with_env_and_region(value: str) -> str | dict[str, Any]:
    """Amplify's `replaceEnvAndRegion` as CloudFormation reads it: `Fn::Sub` naming only the placeholders the
    value holds, or the value itself when it holds none. Any other `${` is written `${!` so that it stays
    literal (Amplify leaves it, and CloudFormation then rejects the template)."""
    variables: dict[str, Any] = {}
    if ENV_PLACEHOLDER in value:
        variables["env"] = {"Ref": ENV_PARAMETER}
    if REGION_PLACEHOLDER in value:
        variables["aws_region"] = {"Ref": "AWS::Region"}
    if not variables:
        return value
    return {"Fn::Sub": [_ANY_VARIABLE.sub("${!", value), variables]}


def _http_resources(source: ExternalSource, api_id: Any) -> dict[str, Any]:
    return {
        data_source_logical_id(source.name): {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {"ApiId": api_id, "Name": source.name, "Type": "HTTP",
                           "HttpConfig": {"Endpoint": with_env_and_region(source.target)}},
        },
    }


def external_source_resources(sources: dict[str, ExternalSource], api_id: Any) -> dict[str, Any]:
    """Every data source's resources, keyed by logical id (the data source's own id is its name)."""
    resources: dict[str, Any] = {}
    for source in sources.values():
        if source.kind == LAMBDA:
            resources.update(_lambda_resources(source, api_id))
        elif source.kind == HTTP:
            resources.update(_http_resources(source, api_id))
    return resources


def environment_declarations(sources: dict[str, ExternalSource]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `env` Parameter, when a Lambda data source or an `@http` call with `${env}` (in its URL or headers)
    reads it, and the `HasEnvironmentParameter` condition, when a Lambda data source does."""
    lambdas = any(source.kind == LAMBDA for source in sources.values())
    http_env = any(source.kind == HTTP and (source.reads_env or ENV_PLACEHOLDER in source.target)
                   for source in sources.values())
    if not lambdas and not http_env:
        return {}, {}
    parameter = {ENV_PARAMETER: {"Type": "String", "Default": NO_ENVIRONMENT,
                                 "Description": "The Amplify environment name for the env placeholder of @function names "
                                                "(NONE drops it) and @http URLs (NONE is written as is)"}}
    if not lambdas:
        return parameter, {}
    condition = {HAS_ENVIRONMENT: {"Fn::Not": [{"Fn::Equals": [{"Ref": ENV_PARAMETER}, NO_ENVIRONMENT]}]}}
    return parameter, condition


__all__ = ["data_source_logical_id", "environment_declarations", "external_source_resources", "with_env_and_region"]
