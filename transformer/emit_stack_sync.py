"""What conflict resolution (DataStore sync) adds to the deployment, as Amplify's stack has it.

* The API stack holds the delta-sync table (`AmplifyDataStoreTable`: `ds_pk`/`ds_sk`, a stream, the `_ttl` TTL
  attribute), named `AmplifyDataStore-<ApiId>` as Amplify names it (without its `-<env>` suffix), so that each
  nested stack finds it from the API id it already has: no Parameter per stack (a large API's stack.json is
  close to CloudFormation's 1 MB).
* Each model's table gets the `_ttl` TTL attribute (soft-deleted records expire) and a stream; its role may also
  reach the delta-sync table (and invoke a Lambda conflict handler); its data source is versioned
  (`DynamoDBConfig.Versioned`, `DeltaSyncConfig`).
* Each data-slot function on a model's table carries the model's strategy (`SyncConfig`: `ConflictDetection`,
  `ConflictHandler`, `LambdaConflictHandlerConfig`), as Amplify puts it on the data functions only.

A Lambda conflict handler named with `-${env}` resolves as `@function` names do: the `env` Parameter (passed to the
nested stacks that need it) fills it, and `NONE` drops the suffix (Amplify's `HasEnvironmentParameter` condition).
Amplify writes the partition of that ARN as `${AWS:Partition}` (one colon, not a CloudFormation variable); ours is
`${AWS::Partition}`.
"""

from __future__ import annotations

import re
from typing import Any

from transformer.conflict_resolution import (
    BASE_TABLE_TTL,
    DELTA_SYNC_TABLE_TTL,
    TTL_ATTRIBUTE,
    ConflictHandler,
    ConflictResolution,
    LambdaConflictHandler,
    SyncConfig,
)
from transformer.emit_external_sources import HAS_ENVIRONMENT, NO_ENVIRONMENT
from transformer.emit_vtl.deployment import ENV_PARAMETER, ENV_PLACEHOLDER

DELTA_SYNC_TABLE = "AmplifyDataStoreTable"
TTL_SPECIFICATION = {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
STREAM_SPECIFICATION = {"StreamViewType": "NEW_AND_OLD_IMAGES"}
DELTA_SYNC_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                      "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem"]


def delta_sync_table_name(api_id: Any) -> dict[str, Any]:
    return {"Fn::Join": ["-", ["AmplifyDataStore", api_id]]}


def delta_sync_table_arns(api_id: Any) -> list[dict[str, Any]]:
    table = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${Name}"
    name = {"Name": delta_sync_table_name(api_id)}
    return [{"Fn::Sub": [table, name]}, {"Fn::Sub": [table + "/*", name]}]


def delta_sync_table(api_id: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Delete",
        "UpdateReplacePolicy": "Delete",
        "Properties": {
            "TableName": delta_sync_table_name(api_id),
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "ds_pk", "KeyType": "HASH"}, {"AttributeName": "ds_sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "ds_pk", "AttributeType": "S"},
                                     {"AttributeName": "ds_sk", "AttributeType": "S"}],
            "StreamSpecification": STREAM_SPECIFICATION,
            "TimeToLiveSpecification": TTL_SPECIFICATION,
            "SSESpecification": {"SSEEnabled": True},
        },
    }


def delta_sync_config(table_name: Any) -> dict[str, Any]:
    return {"BaseTableTTL": str(BASE_TABLE_TTL), "DeltaSyncTableName": table_name,
            "DeltaSyncTableTTL": str(DELTA_SYNC_TABLE_TTL)}


def _uses_env(handler: LambdaConflictHandler) -> bool:
    return handler.lambda_arn is None and ENV_PLACEHOLDER in handler.name


def needs_environment(config: ConflictResolution | None) -> bool:
    """Whether a Lambda conflict handler's name reads the `env` Parameter (and its condition)."""
    if config is None or not config.enabled:
        return False
    strategies = [config.project, *(config.models or {}).values()]
    return any(s is not None and s.lambda_conflict_handler is not None and _uses_env(s.lambda_conflict_handler)
               for s in strategies)


def uses_environment(handler: LambdaConflictHandler | None) -> bool:
    return handler is not None and _uses_env(handler)


def environment_condition() -> dict[str, Any]:
    return {HAS_ENVIRONMENT: {"Fn::Not": [{"Fn::Equals": [{"Ref": ENV_PARAMETER}, NO_ENVIRONMENT]}]}}


def environment_declarations() -> tuple[dict[str, Any], dict[str, Any]]:
    """The `env` Parameter and `HasEnvironmentParameter` condition a `-${env}` handler name reads."""
    parameter = {ENV_PARAMETER: {"Type": "String", "Default": NO_ENVIRONMENT,
                                 "Description": "The Amplify environment name for the env placeholder of @function and "
                                                "conflict handler names (NONE drops it) and @http URLs"}}
    return parameter, environment_condition()


def handler_arn(handler: LambdaConflictHandler) -> Any:
    """The conflict handler's ARN (reading the `env` Parameter and its condition when the name has `-${env}`)."""
    if handler.lambda_arn is not None:
        return handler.lambda_arn
    region = handler.region or "${AWS::Region}"

    def arn(name: str) -> str:
        return f"arn:${{AWS::Partition}}:lambda:{region}:${{AWS::AccountId}}:function:{name}"

    if not _uses_env(handler):
        return {"Fn::Sub": arn(handler.name)}
    with_env = {"Fn::Sub": [arn(handler.name), {"env": {"Ref": ENV_PARAMETER}}]}
    without_env = {"Fn::Sub": arn(re.sub(r"-\$\{env\}", "", handler.name, count=1))}
    return {"Fn::If": [HAS_ENVIRONMENT, with_env, without_env]}


def sync_config(strategy: SyncConfig, lambda_arn: Any = None) -> dict[str, Any]:
    config: dict[str, Any] = {"ConflictDetection": strategy.conflict_detection,
                              "ConflictHandler": strategy.conflict_handler.value}
    if strategy.conflict_handler is ConflictHandler.LAMBDA and lambda_arn is not None:
        config["LambdaConflictHandlerConfig"] = {"LambdaConflictHandlerArn": lambda_arn}
    return config


__all__ = [
    "DELTA_SYNC_ACTIONS",
    "DELTA_SYNC_TABLE",
    "STREAM_SPECIFICATION",
    "TTL_SPECIFICATION",
    "delta_sync_config",
    "delta_sync_table",
    "delta_sync_table_arns",
    "delta_sync_table_name",
    "environment_condition",
    "environment_declarations",
    "handler_arn",
    "needs_environment",
    "sync_config",
    "uses_environment",
]
