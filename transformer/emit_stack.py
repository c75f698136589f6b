"""`build/stack.json`: the CloudFormation template that deploys the API with the emitted templates.

It holds the AppSync API (its default and additional auth modes), the output schema inline, one
DynamoDB table per model (key and GSIs from `@primaryKey` / `@index`), a NONE data source and one
DynamoDB data source per table with an IAM role that reaches only that table, one pipeline function
per emitted slot and one pipeline resolver per field, all with inline template bodies, and an API key
when the API has the API key mode.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformer.emit_schema import emit_output_schema
from transformer.emit_vtl import project_pipelines
from transformer.emit_vtl.layout import (
    AFTER_TEMPLATE,
    BEFORE_TEMPLATE,
    NONE_DATA_SOURCE,
    Pipeline,
    PipelineKind,
    table_data_source,
)
from transformer.emit_vtl.relations import implicit_indexes
from transformer.emit_vtl.vtl import MAPPING_VERSION
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, ModelAccess
from transformer.rules import Provider

if TYPE_CHECKING:
    from transformer.project import Project

STACK_FILE = "stack.json"
API = "GraphQLApi"
SCHEMA = "GraphQLSchema"
NONE_SOURCE = "NoneDataSource"
APPSYNC_AUTH_TYPE: dict[Provider, str] = {
    Provider.USER_POOLS: "AMAZON_COGNITO_USER_POOLS",
    Provider.OIDC: "OPENID_CONNECT",
    Provider.IAM: "AWS_IAM",
    Provider.API_KEY: "API_KEY",
    Provider.FUNCTION: "AWS_LAMBDA",
}
NUMERIC_TYPES = frozenset({"Int", "Float", "AWSTimestamp"})
TABLE_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:Scan",
]


def _logical_id(prefix: str, *parts: str) -> str:
    return prefix + "".join(re.sub(r"[^A-Za-z0-9]", "", p[:1].upper() + p[1:]) for p in parts)


def _ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def _auth_provider(provider: Provider, *, default: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"AuthenticationType": APPSYNC_AUTH_TYPE[provider]}
    if provider is Provider.USER_POOLS:
        config: dict[str, Any] = {"UserPoolId": _ref("UserPoolId"), "AwsRegion": _ref("AWS::Region")}
        if default:
            config["DefaultAction"] = "ALLOW"
        entry["UserPoolConfig"] = config
    elif provider is Provider.OIDC:
        entry["OpenIDConnectConfig"] = {"Issuer": _ref("OidcIssuer")}
    elif provider is Provider.FUNCTION:
        entry["LambdaAuthorizerConfig"] = {"AuthorizerUri": _ref("AuthorizerFunctionArn")}
    return entry


def _parameters(modes: list[Provider], environment: AuthEnvironment) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if Provider.USER_POOLS in modes:
        params["UserPoolId"] = {"Type": "String", "Default": environment.user_pool_id,
                                "Description": "The Cognito user pool that signs user-pool tokens."}
    if Provider.OIDC in modes:
        params["OidcIssuer"] = {"Type": "String", "Description": "The OpenID Connect issuer URL."}
    if Provider.FUNCTION in modes:
        params["AuthorizerFunctionArn"] = {"Type": "String", "Description": "The Lambda authorizer's ARN."}
    return params


def _api(matrix: AccessMatrix, name: str) -> dict[str, Any]:
    default, *additional = matrix.auth_modes
    properties: dict[str, Any] = {"Name": name, **_auth_provider(default, default=True)}
    if additional:
        properties["AdditionalAuthenticationProviders"] = [_auth_provider(p, default=False) for p in additional]
    return {"Type": "AWS::AppSync::GraphQLApi", "Properties": properties}


def _attribute_type(model: ModelAccess, attribute: str) -> str:
    field = model.field(attribute)
    return "N" if field is not None and field.type.name in NUMERIC_TYPES and not field.type.is_list else "S"


def _key_schema(partition: str, sort_fields: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition, "KeyType": "HASH"}]
    if sort_fields:
        schema.append({"AttributeName": "#".join(sort_fields), "KeyType": "RANGE"})
    return schema


def _table(model: ModelAccess, extra_indexes: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    key = _key_schema(model.primary_key[0], model.primary_key[1:])
    keyed = [(index.name, index.partition_field, index.sort_key_fields) for index in model.indexes]
    keyed.extend((name, partition, sort) for name, (partition, sort) in extra_indexes.items())
    indexes = [
        {"IndexName": name, "KeySchema": _key_schema(partition, sort), "Projection": {"ProjectionType": "ALL"}}
        for name, partition, sort in keyed
    ]
    attributes = [entry["AttributeName"] for entry in key]
    for index in indexes:
        attributes.extend(entry["AttributeName"] for entry in index["KeySchema"])
    properties: dict[str, Any] = {
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": key,
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": _attribute_type(model, name)} for name in dict.fromkeys(attributes)
        ],
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
    }
    if indexes:
        properties["GlobalSecondaryIndexes"] = indexes
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": properties}


def _table_role(table: str) -> dict[str, Any]:
    arn = {"Fn::GetAtt": [table, "Arn"]}
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "appsync.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            },
            "Policies": [
                {
                    "PolicyName": "TableAccess",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": TABLE_ACTIONS,
                                "Resource": [arn, {"Fn::Sub": ["${TableArn}/index/*", {"TableArn": arn}]}],
                            }
                        ],
                    },
                }
            ],
        },
    }


def _data_sources(project: Project, resources: dict[str, Any]) -> dict[str, str]:
    """Add the NONE and table data sources (with tables and roles); returns data-source name -> logical id."""
    logical = {NONE_DATA_SOURCE: NONE_SOURCE}
    resources[NONE_SOURCE] = {
        "Type": "AWS::AppSync::DataSource",
        "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}, "Name": "NONE_DS", "Type": "NONE"},
    }
    matrix = project.matrix
    extra = implicit_indexes(project.schema)
    for model in matrix.models.values():
        table, role, source = _logical_id("Table", model.name), _logical_id("TableRole", model.name), _logical_id(
            "DataSource", model.name
        )
        resources[table] = _table(model, extra.get(model.name, {}))
        resources[role] = _table_role(table)
        resources[source] = {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {
                "ApiId": {"Fn::GetAtt": [API, "ApiId"]},
                "Name": f"{re.sub(r'[^A-Za-z0-9_]', '_', model.name)}Table",
                "Type": "AMAZON_DYNAMODB",
                "ServiceRoleArn": {"Fn::GetAtt": [role, "Arn"]},
                "DynamoDBConfig": {"TableName": _ref(table), "AwsRegion": _ref("AWS::Region")},
            },
        }
        logical[table_data_source(model.name)] = source
    return logical


def _resolvers(pipelines: list[Pipeline], sources: dict[str, str], resources: dict[str, Any]) -> None:
    for pipeline in pipelines:
        function_ids = []
        for function in pipeline.functions:
            stem = pipeline.file_stem(function)
            logical = _logical_id("Function", *stem.split("."))
            source = sources[function.data_source]
            resources[logical] = {
                "Type": "AWS::AppSync::FunctionConfiguration",
                "Properties": {
                    "ApiId": {"Fn::GetAtt": [API, "ApiId"]},
                    "Name": re.sub(r"[^A-Za-z0-9_]", "_", stem),
                    "DataSourceName": {"Fn::GetAtt": [source, "Name"]},
                    "FunctionVersion": MAPPING_VERSION,
                    "RequestMappingTemplate": function.request,
                    "ResponseMappingTemplate": function.response,
                },
            }
            function_ids.append({"Fn::GetAtt": [logical, "FunctionId"]})
        if pipeline.kind is PipelineKind.AUTH_ONLY:
            continue
        resources[_logical_id("Resolver", pipeline.type_name, pipeline.field_name)] = {
            "Type": "AWS::AppSync::Resolver",
            "DependsOn": [SCHEMA],
            "Properties": {
                "ApiId": {"Fn::GetAtt": [API, "ApiId"]},
                "TypeName": pipeline.type_name,
                "FieldName": pipeline.field_name,
                "Kind": "PIPELINE",
                "PipelineConfig": {"Functions": function_ids},
                "RequestMappingTemplate": BEFORE_TEMPLATE,
                "ResponseMappingTemplate": AFTER_TEMPLATE,
            },
        }


def build_stack(project: Project, name: str = "gqlauth-api") -> dict[str, Any]:
    """The whole CloudFormation template as a dict."""
    matrix = project.matrix
    resources: dict[str, Any] = {
        API: _api(matrix, name),
        SCHEMA: {
            "Type": "AWS::AppSync::GraphQLSchema",
            "Properties": {
                "ApiId": {"Fn::GetAtt": [API, "ApiId"]},
                "Definition": emit_output_schema(project.schema, matrix),
            },
        },
    }
    sources = _data_sources(project, resources)
    _resolvers(project_pipelines(project), sources, resources)
    outputs: dict[str, Any] = {
        "GraphQLApiId": {"Value": {"Fn::GetAtt": [API, "ApiId"]}},
        "GraphQLApiEndpoint": {"Value": {"Fn::GetAtt": [API, "GraphQLUrl"]}},
    }
    if Provider.API_KEY in matrix.auth_modes:
        resources["GraphQLApiKey"] = {
            "Type": "AWS::AppSync::ApiKey",
            "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}, "Description": "API key for public rules"},
        }
        outputs["GraphQLApiKeyValue"] = {"Value": {"Fn::GetAtt": ["GraphQLApiKey", "ApiKey"]}}
    template: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"AppSync API {name} with @auth enforced by gqlauth's resolver templates",
    }
    parameters = _parameters(matrix.auth_modes, project.environment)
    if parameters:
        template["Parameters"] = parameters
    template["Resources"] = resources
    template["Outputs"] = outputs
    return template


def emit_stack_file(project: Project, out_dir: Path) -> None:
    """The `transform` emitter: `out_dir/stack.json`."""
    text = json.dumps(build_stack(project), indent=2) + "\n"
    (out_dir / STACK_FILE).write_text(text, encoding="utf-8")


__all__ = ["STACK_FILE", "build_stack", "emit_stack_file"]
