"""The CloudFormation stacks that deploy the API: `build/stack.json` and its nested `build/stacks/*.json`.

`stack.json` (the API stack) holds the AppSync API (its default and additional auth modes), its schema
(`schema.graphql`, by local path), the NONE data source, an API key when the API has the API key mode,
and one nested stack per model (`stacks/<Model>.json`: the model's DynamoDB table with its key and
GSIs from `@primaryKey` / `@index`, an IAM role that reaches only that table, its data source, and
the pipeline resolvers that read it), plus the shared-function and connection stacks
`transformer.stack_packing` decides on. Templates are inline: a nested stack is one file however many
functions it defines (writing a file per template cost more than all the rest of the stack), and
`aws cloudformation package` uploads the nested stacks and the schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from transformer.conflict_resolution import ConflictResolution
from transformer.diagnostics import Diagnostic, InputError, Severity
from transformer.emit_external_sources import (
    data_source_logical_id,
    environment_declarations,
    external_source_resources,
)
from transformer.emit_schema import emit_output_schema
from transformer.emit_stack_sync import (
    DELTA_SYNC_ACTIONS,
    DELTA_SYNC_TABLE,
    STREAM_SPECIFICATION,
    TTL_SPECIFICATION,
    delta_sync_config,
    delta_sync_table,
    delta_sync_table_arns,
    delta_sync_table_name,
    environment_condition,
    handler_arn,
    needs_environment,
    sync_config,
    uses_environment,
)
from transformer.emit_stack_sync import environment_declarations as sync_environment_declarations
from transformer.emit_vtl import project_pipelines
from transformer.emit_vtl.deployment import (
    ENV_PARAMETER,
    PLACEHOLDERS,
    deployed_template,
    deployment_parameters,
    parameters_used,
)
from transformer.emit_vtl.external import ExternalSource, with_external_data
from transformer.emit_vtl.layout import AFTER_TEMPLATE, NONE_DATA_SOURCE
from transformer.emit_vtl.relations import implicit_indexes
from transformer.emit_vtl.vtl import MAPPING_VERSION
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, ModelAccess
from transformer.resolver_directives import resolver_fields
from transformer.rules import Provider
from transformer.stack_limits import limit_problems
from transformer.stack_packing import FunctionKey, Packing, ResolverPlan, StackPlan, consumers_first, pack

if TYPE_CHECKING:
    from transformer.project import Project

STACK_FILE = "stack.json"
STACKS_DIR = "stacks"
SCHEMA_FILE = "schema.graphql"
API = "GraphQLApi"
SCHEMA = "GraphQLSchema"
NONE_SOURCE = "NoneDataSource"
API_ID = "ApiId"
NONE_SOURCE_NAME = "NoneDataSourceName"
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
    """The auth modes' Parameters; the local server's fictitious user pool is never a deployment's default."""
    params: dict[str, Any] = {}
    if Provider.USER_POOLS in modes:
        params["UserPoolId"] = {"Type": "String", "Description": "The Cognito user pool that signs user-pool tokens."}
        if environment.user_pool_id != AuthEnvironment().user_pool_id:
            params["UserPoolId"]["Default"] = environment.user_pool_id
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


def _table(model: ModelAccess, extra_indexes: dict[str, tuple[str, tuple[str, ...]]], versioned: bool = False) -> dict[str, Any]:
    key = _key_schema(model.primary_key[0], model.primary_key[1:])
    keyed = [(index.name, index.partition_field, index.sort_key_fields) for index in model.indexes]
    keyed.extend((name, partition, sort) for name, (partition, sort) in extra_indexes.items())
    indexes: list[dict[str, Any]] = [
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
    if versioned:
        properties["StreamSpecification"] = STREAM_SPECIFICATION
        properties["TimeToLiveSpecification"] = TTL_SPECIFICATION
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": properties}


def _table_role(table: str, delta_sync_arn: Any = None, conflict_handler: Any = None) -> dict[str, Any]:
    """The role AppSync assumes for the table (and, when versioned, the delta-sync table and a Lambda conflict
    handler)."""
    arn = {"Fn::GetAtt": [table, "Arn"]}
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": TABLE_ACTIONS, "Resource": [arn, {"Fn::Sub": ["${TableArn}/index/*", {"TableArn": arn}]}]}
    ]
    if delta_sync_arn is not None:
        statements.append({"Effect": "Allow", "Action": DELTA_SYNC_ACTIONS, "Resource": delta_sync_arn})
    if conflict_handler is not None:
        statements.append({"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": conflict_handler})
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
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements},
                }
            ],
        },
    }


@dataclass(frozen=True)
class _Versioning:
    """A versioned table's delta-sync table (name, ARN) and Lambda conflict handler ARN, as this stack sees them."""

    delta_sync_name: Any
    delta_sync_arn: Any
    conflict_handler: Any = None


def _table_resources(model: ModelAccess, extra_indexes: dict[str, tuple[str, tuple[str, ...]]],
                     versioning: _Versioning | None = None) -> dict[str, Any]:
    """The model's table, the role AppSync assumes to reach it, and its data source (versioned with conflict
    resolution)."""
    table, role, source = (_logical_id(prefix, model.name) for prefix in ("Table", "TableRole", "DataSource"))
    config: dict[str, Any] = {"TableName": _ref(table), "AwsRegion": _ref("AWS::Region")}
    if versioning is not None:
        config["Versioned"] = True
        config["DeltaSyncConfig"] = delta_sync_config(versioning.delta_sync_name)
    return {
        table: _table(model, extra_indexes, versioned=versioning is not None),
        role: _table_role(table, *((versioning.delta_sync_arn, versioning.conflict_handler) if versioning else ())),
        source: {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {
                "ApiId": _ref(API_ID),
                "Name": f"{re.sub(r'[^A-Za-z0-9_]', '_', model.name)}Table",
                "Type": "AMAZON_DYNAMODB",
                "ServiceRoleArn": {"Fn::GetAtt": [role, "Arn"]},
                "DynamoDBConfig": config,
            },
        },
    }


@dataclass
class Deployment:
    """Every template of the deployment: the API stack and the nested stacks, by relative path."""

    root: dict[str, Any]
    nested: dict[str, dict[str, Any]] = field(default_factory=dict)

    def templates(self) -> dict[str, dict[str, Any]]:
        return {STACK_FILE: self.root, **self.nested}


class _Names:
    """Logical ids of the shared functions (after the first pipeline slot each serves), fixed before any stack is built."""

    def __init__(self, packing: Packing, external_sources: set[str]) -> None:
        self.functions = {key: _logical_id("Function", *plan.stem.split(".")) for key, plan in packing.functions.items()}
        self.external_sources = external_sources
        """The `@function` / `@http` data sources, defined in the API stack under their own names."""
        self._deployed: dict[str, tuple[list[str], str | dict[str, str]]] = {}

    def deployed(self, text: str) -> tuple[list[str], str | dict[str, str]]:
        """The Parameters a template names and its deployed form, once per distinct text."""
        found = self._deployed.get(text)
        if found is None:
            found = self._deployed[text] = (parameters_used(text), deployed_template(text))
        return found


class _NestedStack:
    """Builds one nested template; what it needs from elsewhere becomes a Parameter, recorded in `needs`."""

    def __init__(self, plan: StackPlan, packing: Packing, names: _Names) -> None:
        self.plan = plan
        self.packing = packing
        self.names = names
        self.needs: dict[str, tuple[str, Any]] = {}
        """Parameter -> (the stack defining it, or "" for the API stack; the value there)."""
        self.resources: dict[str, Any] = {}
        self.sync: ConflictResolution | None = None
        """The API's conflict resolution, when its tables are versioned."""
        self.conditions: dict[str, Any] = {}

    def _parameter(self, name: str, stack: str, value: Any) -> dict[str, str]:
        self.needs[name] = (stack, value)
        return _ref(name)

    def _deployed(self, text: str) -> str | dict[str, str]:
        """A template with the deployment's placeholders substituted from this stack's Parameters."""
        names, deployed = self.names.deployed(text)
        for name in names:
            self._parameter(name, "", _ref(name))
        return deployed

    def _api_id(self) -> dict[str, str]:
        return self._parameter(API_ID, "", {"Fn::GetAtt": [API, "ApiId"]})

    def _data_source_name(self, data_source: str) -> Any:
        if data_source == NONE_DATA_SOURCE:
            return self._parameter(NONE_SOURCE_NAME, "", {"Fn::GetAtt": [NONE_SOURCE, "Name"]})
        if data_source in self.names.external_sources:
            logical_id = data_source_logical_id(data_source)
            return self._parameter(f"{logical_id}Name", "", {"Fn::GetAtt": [logical_id, "Name"]})
        stack = self.packing.table_stacks[data_source]
        value = {"Fn::GetAtt": [_logical_id("DataSource", self.packing.table_models[data_source]), "Name"]}
        if stack == self.plan.name:
            return value
        return self._parameter(f"{value['Fn::GetAtt'][0]}Name", stack, value)

    def _function_id(self, key: FunctionKey) -> Any:
        logical = self.names.functions[key]
        stack = self.packing.functions[key].stack
        value = {"Fn::GetAtt": [logical, "FunctionId"]}
        if stack == self.plan.name:
            return value
        return self._parameter(f"{logical}Id", stack, value)

    def _conflict_handler(self, model: str) -> Any:
        """The model's Lambda conflict handler ARN, or None; a `-${env}` name takes the API stack's `env`."""
        strategy = self.sync.for_model(model) if self.sync is not None else None
        handler = strategy.lambda_conflict_handler if strategy is not None else None
        if handler is None:
            return None
        if uses_environment(handler):
            self._parameter(ENV_PARAMETER, "", _ref(ENV_PARAMETER))
            self.conditions.update(environment_condition())
        return handler_arn(handler)

    def _sync_config(self, key: FunctionKey) -> dict[str, Any] | None:
        """Amplify's `SyncConfig` for a data-slot function on a versioned model's table."""
        model = self.packing.table_models.get(key.data_source)
        if model is None or self.sync is None or self.packing.functions[key].stem.split(".")[2] != "data":
            return None
        strategy = self.sync.for_model(model)
        return None if strategy is None else sync_config(strategy, self._conflict_handler(model))

    def _function(self, key: FunctionKey) -> None:
        logical = self.names.functions[key]
        properties: dict[str, Any] = {
            "ApiId": self._api_id(),
            "Name": re.sub(r"[^A-Za-z0-9_]", "_", self.packing.functions[key].stem),
            "DataSourceName": self._data_source_name(key.data_source),
            "FunctionVersion": MAPPING_VERSION,
            "RequestMappingTemplate": self._deployed(key.request),
            "ResponseMappingTemplate": self._deployed(key.response),
        }
        found = self._sync_config(key)
        if found is not None:
            properties["SyncConfig"] = found
        self.resources[logical] = {"Type": "AWS::AppSync::FunctionConfiguration", "Properties": properties}

    def _resolver(self, resolver: ResolverPlan) -> None:
        pipeline = resolver.pipeline
        self.resources[_logical_id("Resolver", pipeline.type_name, pipeline.field_name)] = {
            "Type": "AWS::AppSync::Resolver",
            "Properties": {
                "ApiId": self._api_id(),
                "TypeName": pipeline.type_name,
                "FieldName": pipeline.field_name,
                "Kind": "PIPELINE",
                "PipelineConfig": {"Functions": [self._function_id(key) for key in resolver.functions]},
                "RequestMappingTemplate": self._deployed(resolver.before),
                "ResponseMappingTemplate": AFTER_TEMPLATE,
            },
        }

    def build(self, project: Project, extra_indexes: dict[str, dict[str, tuple[str, tuple[str, ...]]]]) -> None:
        self.sync = project.matrix.conflict_resolution if project.matrix.versioned else None
        if self.plan.table_model is not None:
            self._api_id()
            model = project.matrix.model(self.plan.table_model)
            versioning = None
            if project.matrix.versioned:
                versioning = _Versioning(
                    delta_sync_name=delta_sync_table_name(_ref(API_ID)),
                    delta_sync_arn=delta_sync_table_arns(_ref(API_ID)),
                    conflict_handler=self._conflict_handler(model.name),
                )
            self.resources.update(_table_resources(model, extra_indexes.get(model.name, {}), versioning))
        for key in self.plan.functions:
            self._function(key)
        for resolver in self.plan.resolvers:
            if resolver.has_resolver:
                self._resolver(resolver)

    def template(self, outputs: dict[str, Any]) -> dict[str, Any]:
        template: dict[str, Any] = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"gqlauth nested stack {self.plan.name}",
            "Parameters": {name: {"Type": "String"} for name in sorted(self.needs)},
        }
        if self.conditions:
            template["Conditions"] = self.conditions
        template["Resources"] = self.resources
        if outputs:
            template["Outputs"] = outputs
        return template


def _root(project: Project, name: str, sources: dict[str, ExternalSource]) -> dict[str, Any]:
    matrix = project.matrix
    resources: dict[str, Any] = {
        API: _api(matrix, name),
        SCHEMA: {
            "Type": "AWS::AppSync::GraphQLSchema",
            "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}, "DefinitionS3Location": SCHEMA_FILE},
        },
        NONE_SOURCE: {
            "Type": "AWS::AppSync::DataSource",
            "Properties": {"ApiId": {"Fn::GetAtt": [API, "ApiId"]}, "Name": "NONE_DS", "Type": "NONE"},
        },
    }
    resources.update(external_source_resources(sources, {"Fn::GetAtt": [API, "ApiId"]}))
    if matrix.versioned:
        resources[DELTA_SYNC_TABLE] = delta_sync_table({"Fn::GetAtt": [API, "ApiId"]})
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
    env_parameter, env_condition = environment_declarations(sources)
    if needs_environment(matrix.conflict_resolution):
        sync_parameter, sync_condition = sync_environment_declarations()
        env_parameter = {**sync_parameter, **env_parameter}
        env_condition = {**sync_condition, **env_condition}
    parameters = {**_parameters(matrix.auth_modes, project.environment),
                  **deployment_parameters(project.environment, matrix.auth_modes), **env_parameter}
    if parameters:
        template["Parameters"] = parameters
    if env_condition:
        template["Conditions"] = env_condition
    template["Resources"] = resources
    template["Outputs"] = outputs
    return template


@dataclass
class _LateOutputs:
    """Outputs a stack already handed over must still declare (only if `consumers_first` were wrong)."""

    path: str
    outputs: dict[str, Any]


def _templates(project: Project, name: str) -> Iterator[tuple[str, dict[str, Any]] | _LateOutputs]:
    """Each nested template as soon as it is complete (consumers before the stacks they read), the API stack last.

    A nested stack's resources are built when it is its turn and let go once handed over, so a large
    API's stacks are never all in memory at once.
    """
    pipelines, sources = with_external_data(project_pipelines(project), resolver_fields(project.schema.sdl), PLACEHOLDERS)
    packing = pack(pipelines, list(project.matrix.models))
    names = _Names(packing, set(sources))
    extra = implicit_indexes(project.schema)
    root = _root(project, name, sources)
    taken = set(root["Resources"])
    stack_ids: dict[str, str] = {}
    for stack in packing.stacks:
        logical = _logical_id("", stack) + "Stack"
        while logical in taken:
            logical += "X"
        taken.add(logical)
        stack_ids[stack] = logical
    outputs: dict[str, dict[str, Any]] = {stack: {} for stack in packing.stacks}
    handed: set[str] = set()
    nested_resources: dict[str, Any] = {}
    for stack in consumers_first(packing):
        builder = _NestedStack(packing.stacks[stack], packing, names)
        builder.build(project, extra)
        late: dict[str, dict[str, Any]] = {}
        for parameter, (source, value) in builder.needs.items():
            if source:
                (late.setdefault(source, {}) if source in handed else outputs[source])[parameter] = {"Value": value}
        for source, entries in late.items():
            yield _LateOutputs(f"{STACKS_DIR}/{source}.json", entries)
        handed.add(stack)
        if not builder.resources:
            continue
        path = f"{STACKS_DIR}/{stack}.json"
        yield path, builder.template(outputs.pop(stack))
        nested_resources[stack] = {
            "Type": "AWS::CloudFormation::Stack",
            "DependsOn": [SCHEMA],
            "Properties": {
                "TemplateURL": path,
                "Parameters": {
                    parameter: {"Fn::GetAtt": [stack_ids[source], f"Outputs.{parameter}"]} if source else value
                    for parameter, (source, value) in sorted(builder.needs.items())
                },
            },
        }
    for stack in packing.stacks:
        if stack in nested_resources:
            root["Resources"][stack_ids[stack]] = nested_resources[stack]
    yield STACK_FILE, root


def build_deployment(project: Project, name: str = "gqlauth-api") -> Deployment:
    """The API stack, one nested stack per model (plus shared-function and connection stacks), in memory."""
    nested: dict[str, dict[str, Any]] = {}
    root: dict[str, Any] = {}
    for item in _templates(project, name):
        if isinstance(item, _LateOutputs):
            nested[item.path].setdefault("Outputs", {}).update(item.outputs)
        elif item[0] == STACK_FILE:
            root = item[1]
        else:
            nested[item[0]] = item[1]
    return Deployment(root=root, nested=dict(sorted(nested.items())))


def build_stack(project: Project, name: str = "gqlauth-api") -> dict[str, Any]:
    """The API stack (`stack.json`) alone."""
    return build_deployment(project, name).root


def _dump(template: dict[str, Any]) -> bytes:
    return orjson.dumps(template, option=orjson.OPT_INDENT_2) + b"\n"


def _write(path: Path, data: bytes) -> None:
    with path.open("xb") as file:
        file.write(data)


def emit_stack_file(project: Project, out_dir: Path) -> None:
    """The `transform` emitter: `stack.json` and `stacks/*.json` (and `schema.graphql` if missing).

    Each template is written as soon as it is serialized and then let go (a 400-model API's stacks
    hold about 20 MB of text). Raises `InputError` when a template would break CloudFormation's
    quotas, after checking them all; `transform` then discards the whole build.
    """
    (out_dir / STACKS_DIR).mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for item in _templates(project, "gqlauth-api"):
        if isinstance(item, _LateOutputs):
            if problems:
                continue
            path, template = item.path, orjson.loads((out_dir / item.path).read_bytes())
            template.setdefault("Outputs", {}).update(item.outputs)
            (out_dir / path).unlink()
        else:
            path, template = item
        text = _dump(template)
        problems.extend(limit_problems(path, template, len(text)))
        if not problems:
            _write(out_dir / path, text)
    if problems:
        raise InputError([
            Diagnostic(severity=Severity.ERROR, code="stack.limit", file=str(project.schema_path),
                       message=f"the API does not fit CloudFormation's quotas: {problem}")
            for problem in problems
        ])
    if not (out_dir / SCHEMA_FILE).exists():
        _write(out_dir / SCHEMA_FILE, emit_output_schema(project.schema, project.matrix).encode("utf-8"))


__all__ = [
    "STACK_FILE",
    "STACKS_DIR",
    "Deployment",
    "build_deployment",
    "build_stack",
    "emit_stack_file",
]
