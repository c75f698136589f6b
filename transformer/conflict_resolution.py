"""Conflict resolution (DataStore sync): whether the API's models are versioned, and each model's strategy.

Amplify's transformer v2 takes a `resolverConfig` (`{project: SyncConfig, models: {Name: SyncConfig}}`); the
Amplify CLI builds it from one of two files of the API folder (`amplify/backend/api/<api>/`):

* `cli-inputs.json` → `serviceConfiguration.conflictResolution` (`defaultResolutionStrategy`,
  `perModelResolutionStrategy: [{entityName, resolutionStrategy}]`), converted as the CLI's
  `conflictResolutionToResolverConfig` does (`NONE` maps to no strategy);
* `transform.conf.json` → `ResolverConfig`, read only when cli-inputs.json gives nothing (the file is absent, or
  has no `conflictResolution`, or an empty one), as the CLI's `getResolverConfig` fallback does.

A standalone schema gets it from `--conflict-resolution AUTOMERGE|OPTIMISTIC_CONCURRENCY|LAMBDA:<function>`.

Sync is all or nothing, as in Amplify (`isProjectUsingDataStore`): when the config has a project strategy or
any `models` entry, every model is versioned. A model's strategy is its own complete entry, else the project's;
a model with neither makes Amplify's transformer fail, so it is an error here.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError

from transformer.amplify_layout import api_file
from transformer.diagnostics import Diagnostic, error, read_text, warning
from transformer.schema_model import ParsedSchema, RelationKind

SYNC_FIELDS: tuple[tuple[str, str], ...] = (("_version", "Int!"), ("_deleted", "Boolean"), ("_lastChangedAt", "AWSTimestamp!"))
"""The fields a versioned model gains, in Amplify's order, with their output types."""
DELTA_SYNC_TABLE_TTL = 30
"""Minutes a delta-sync record lives (Amplify's `DeltaSyncTableTTL`)."""
BASE_TABLE_TTL = 43200
"""Minutes a soft-deleted record lives in the model's table (Amplify's `BaseTableTTL`, 30 days)."""
TTL_ATTRIBUTE = "_ttl"


class ConflictHandler(StrEnum):
    AUTOMERGE = "AUTOMERGE"
    OPTIMISTIC_CONCURRENCY = "OPTIMISTIC_CONCURRENCY"
    LAMBDA = "LAMBDA"


class LambdaConflictHandler(BaseModel):
    """The Lambda function that resolves conflicts: by name (a `-${env}` suffix is the Amplify environment's), in
    `region` (default: the stack's), or by a full ARN."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    region: str | None = None
    lambda_arn: str | None = Field(default=None, validation_alias=AliasChoices("lambdaArn", "lambda_arn"))


class SyncConfig(BaseModel):
    """One strategy, as the transformer's `SyncConfig` (the keys of `transform.conf.json`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    conflict_handler: ConflictHandler = Field(validation_alias=AliasChoices("ConflictHandler", "conflict_handler"))
    conflict_detection: Literal["VERSION", "NONE"] = Field(
        validation_alias=AliasChoices("ConflictDetection", "conflict_detection")
    )
    lambda_conflict_handler: LambdaConflictHandler | None = Field(
        default=None, validation_alias=AliasChoices("LambdaConflictHandler", "lambda_conflict_handler")
    )


class ConflictResolution(BaseModel):
    """The transformer's `resolverConfig`. A `models` entry of None is a model whose own strategy is `NONE`."""

    model_config = ConfigDict(frozen=True)

    project: SyncConfig | None = None
    models: dict[str, SyncConfig | None] | None = None

    @property
    def enabled(self) -> bool:
        return self.project is not None or self.models is not None

    def for_model(self, name: str) -> SyncConfig | None:
        own = (self.models or {}).get(name)
        return own if own is not None else self.project


# --- cli-inputs.json -------------------------------------------------------------------------------------------


class _CliLambdaResolver(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["EXISTING", "NEW"]
    name: str | None = None
    region: str | None = None
    arn: str | None = None


class _CliStrategy(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["AUTOMERGE", "OPTIMISTIC_CONCURRENCY", "LAMBDA", "NONE"]
    resolver: _CliLambdaResolver | None = None


class _CliPerModel(BaseModel):
    model_config = ConfigDict(extra="allow")

    entityName: str
    resolutionStrategy: _CliStrategy


class _CliConflictResolution(BaseModel):
    model_config = ConfigDict(extra="allow")

    defaultResolutionStrategy: _CliStrategy | None = None
    perModelResolutionStrategy: list[_CliPerModel] | None = None


class _CliServiceConfiguration(BaseModel):
    model_config = ConfigDict(extra="allow")

    conflictResolution: _CliConflictResolution | None = None


class CliInputsConflictResolution(BaseModel):
    """The part of an Amplify API's `cli-inputs.json` that holds its conflict resolution."""

    model_config = ConfigDict(extra="allow")

    serviceConfiguration: _CliServiceConfiguration | None = None


# --- transform.conf.json -----------------------------------------------------------------------------------------


class _ResolverConfigFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project: SyncConfig | None = None
    models: dict[str, SyncConfig | None] | None = None


class TransformConf(BaseModel):
    """The part of an Amplify API's `transform.conf.json` that holds its `ResolverConfig`."""

    model_config = ConfigDict(extra="allow")

    ResolverConfig: _ResolverConfigFile | None = None


def _read_json(path: Path) -> tuple[object, list[Diagnostic]]:
    try:
        return json.loads(read_text(path)), []
    except json.JSONDecodeError as exc:
        return None, [error("conflict-resolution.json", f"not valid JSON: {exc.msg}", file=str(path),
                            line=exc.lineno, column=exc.colno)]


def _invalid(exc: ValidationError, path: Path) -> list[Diagnostic]:
    return [
        error(
            "conflict-resolution.invalid",
            item["msg"],
            file=str(path),
            json_path="".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in item["loc"]).lstrip("."),
        )
        for item in exc.errors()
    ]


def _strategy(strategy: _CliStrategy, path: Path, where: str) -> tuple[SyncConfig | None, list[Diagnostic]]:
    """The CLI's `resolutionStrategyToSyncConfig`."""
    if strategy.type == "NONE":
        return None, []
    if strategy.type != "LAMBDA":
        return SyncConfig(conflict_handler=ConflictHandler(strategy.type), conflict_detection="VERSION"), []
    resolver = strategy.resolver
    if resolver is None or resolver.type != "EXISTING" or not (resolver.name or resolver.arn):
        return None, [error(
            "conflict-resolution.lambda",
            "a LAMBDA strategy needs resolver {\"type\": \"EXISTING\", \"name\": FUNCTION} (a NEW one is created by "
            "`amplify update api`, which then records its name)",
            file=str(path), json_path=f"{where}.resolver",
        )]
    handler = LambdaConflictHandler(name=resolver.name or resolver.arn or "", region=resolver.region,
                                    lambda_arn=resolver.arn)
    return SyncConfig(conflict_handler=ConflictHandler.LAMBDA, conflict_detection="VERSION",
                      lambda_conflict_handler=handler), []


def from_cli_inputs(path: Path) -> tuple[ConflictResolution | None, list[Diagnostic]]:
    """The resolver config cli-inputs.json gives, or None when it gives nothing (the CLI's `_.isEmpty`)."""
    data, problems = _read_json(path)
    if problems:
        return None, problems
    try:
        inputs = CliInputsConflictResolution.model_validate(data)
    except ValidationError as exc:
        return None, _invalid(exc, path)
    given = inputs.serviceConfiguration.conflictResolution if inputs.serviceConfiguration else None
    if given is None or (given.defaultResolutionStrategy is None and given.perModelResolutionStrategy is None):
        return None, []
    base = "serviceConfiguration.conflictResolution"
    diagnostics: list[Diagnostic] = []
    project: SyncConfig | None = None
    if given.defaultResolutionStrategy is not None:
        project, found = _strategy(given.defaultResolutionStrategy, path, f"{base}.defaultResolutionStrategy")
        diagnostics += found
    models: dict[str, SyncConfig | None] | None = None
    if given.perModelResolutionStrategy is not None:
        models = {}
        for index, entry in enumerate(given.perModelResolutionStrategy):
            where = f"{base}.perModelResolutionStrategy[{index}].resolutionStrategy"
            models[entry.entityName], found = _strategy(entry.resolutionStrategy, path, where)
            diagnostics += found
    return ConflictResolution(project=project, models=models), diagnostics


def from_transform_conf(path: Path) -> tuple[ConflictResolution | None, list[Diagnostic]]:
    data, problems = _read_json(path)
    if problems:
        return None, problems
    try:
        conf = TransformConf.model_validate(data)
    except ValidationError as exc:
        return None, _invalid(exc, path)
    found = conf.ResolverConfig
    if found is None:
        return None, []
    diagnostics: list[Diagnostic] = []
    strategies = [("ResolverConfig.project", found.project)]
    strategies += [(f"ResolverConfig.models.{name}", config) for name, config in (found.models or {}).items()]
    for where, config in strategies:
        if config is not None and config.conflict_handler is ConflictHandler.LAMBDA and config.lambda_conflict_handler is None:
            diagnostics.append(error("conflict-resolution.lambda",
                                     "Invalid Lambda SyncConfig: a LAMBDA ConflictHandler needs LambdaConflictHandler "
                                     "{\"name\": FUNCTION}", file=str(path), json_path=where))
    return ConflictResolution(project=found.project, models=found.models), diagnostics


def project_conflict_resolution(schema_path: Path) -> tuple[ConflictResolution | None, str | None, list[Diagnostic]]:
    """The conflict resolution of the Amplify API holding `schema_path`, where it was read, and any problems."""
    cli_inputs = api_file(schema_path, "cli-inputs.json")
    if cli_inputs is not None:
        found, diagnostics = from_cli_inputs(cli_inputs)
        if found is not None or diagnostics:
            return found, str(cli_inputs), diagnostics
    conf = api_file(schema_path, "transform.conf.json")
    if conf is not None:
        found, diagnostics = from_transform_conf(conf)
        if found is not None or diagnostics:
            return found, str(conf), diagnostics
    return None, None, []


def parse_conflict_option(text: str) -> ConflictResolution:
    """`--conflict-resolution`: `AUTOMERGE`, `OPTIMISTIC_CONCURRENCY`, `LAMBDA:<function>[:<region>]` or `NONE`;
    raises ValueError naming the bad value."""
    kind, _, rest = text.strip().partition(":")
    kind = kind.upper()
    if kind == "NONE" and not rest:
        return ConflictResolution()
    if kind in {"AUTOMERGE", "OPTIMISTIC_CONCURRENCY", "OPTIMISTIC"} and not rest:
        handler = ConflictHandler.OPTIMISTIC_CONCURRENCY if kind.startswith("OPTIMISTIC") else ConflictHandler.AUTOMERGE
        return ConflictResolution(project=SyncConfig(conflict_handler=handler, conflict_detection="VERSION"))
    if kind == "LAMBDA" and rest:
        name, _, region = rest.partition(":")
        if name:
            lambda_handler = LambdaConflictHandler(name=name, region=region or None)
            return ConflictResolution(project=SyncConfig(conflict_handler=ConflictHandler.LAMBDA,
                                                         conflict_detection="VERSION",
                                                         lambda_conflict_handler=lambda_handler))
    raise ValueError(f"'{text}': use AUTOMERGE, OPTIMISTIC_CONCURRENCY, LAMBDA:<function>[:<region>] or NONE")


def check_against_models(config: ConflictResolution, models: list[str], source: str | None) -> list[Diagnostic]:
    """Every model needs a strategy once sync is on (Amplify's transformer fails without one); a per-model entry
    naming no model is ignored by Amplify, and warned about here."""
    if not config.enabled:
        return []
    problems: list[Diagnostic] = []
    missing = [name for name in models if config.for_model(name) is None]
    if missing:
        problems.append(error(
            "conflict-resolution.model-missing",
            f"conflict resolution is on but {', '.join(missing)} {'has' if len(missing) == 1 else 'have'} no strategy: "
            "give a default strategy (defaultResolutionStrategy / ResolverConfig.project) or one per model "
            "(Amplify's transformer fails here: Cannot read properties of undefined (reading 'ConflictDetection'))",
            file=source,
        ))
    for name in sorted(set(config.models or {}) - set(models)):
        problems.append(warning(
            "conflict-resolution.unknown-model",
            f"a conflict resolution strategy names '{name}', which is not a @model of the schema (Amplify ignores it)",
            file=source,
        ))
    return problems


def datastore_relation_problems(schema: ParsedSchema) -> list[Diagnostic]:
    """Amplify's `validateDisallowedDataStoreRelationships`: with sync on, two models may not point at each other
    with `@hasOne`/`@hasMany` both ways (a model pointing at itself may; `@manyToMany` is not concerned)."""
    pointing = (RelationKind.HAS_ONE, RelationKind.HAS_MANY)
    problems: list[Diagnostic] = []
    for model in schema.models.values():
        for field in model.fields:
            relation = field.relation
            if relation is None or relation.kind not in pointing or relation.related_model == model.name:
                continue
            related = schema.models.get(relation.related_model)
            if model.join_of is not None or (related is not None and related.join_of is not None):
                continue  # the @manyToMany join model's own references are not user relations
            back = related is not None and any(
                f.relation is not None and f.relation.kind in pointing and f.type.name == model.name
                for f in related.fields
            )
            if back:
                where = ({"file": field.location.file, "line": field.location.line, "column": field.location.column}
                         if field.location else {"file": schema.file})
                problems.append(error(
                    "conflict-resolution.relation",
                    f"{model.name} and {relation.related_model} cannot refer to each other via @hasOne or @hasMany "
                    "when DataStore is in use. Use @belongsTo instead. See "
                    "https://docs.amplify.aws/cli/graphql/data-modeling/#belongs-to-relationship",
                    **where,
                ))
                return problems
    return problems


__all__ = [
    "BASE_TABLE_TTL",
    "DELTA_SYNC_TABLE_TTL",
    "SYNC_FIELDS",
    "TTL_ATTRIBUTE",
    "CliInputsConflictResolution",
    "ConflictHandler",
    "ConflictResolution",
    "LambdaConflictHandler",
    "SyncConfig",
    "TransformConf",
    "check_against_models",
    "datastore_relation_problems",
    "from_cli_inputs",
    "from_transform_conf",
    "parse_conflict_option",
    "project_conflict_resolution",
]
