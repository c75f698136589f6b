"""The pipeline layout: which functions (slots) each resolver runs, and the files they are written to.

Every generated root field gets a pipeline `init -> auth -> postAuth -> data` (creates and updates of a
model with `@validate` fields run `validate` before `data`); fields that read
rules protect (or owner fields read back as their last claim) get `init -> auth -> data` field
resolvers. Each function is written as `<Type>.<field>.<slot>.<n>.req.vtl` / `.res.vtl`. A model
without `@auth` has no auth slot, so postAuth denies it (unless sandbox mode). The pipeline's own
before/after templates are the fixed `BEFORE_TEMPLATE` / `AFTER_TEMPLATE`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from transformer.emit_vtl import (
    auth_create,
    auth_field,
    auth_read,
    auth_subscription,
    auth_update_delete,
    data_dynamodb,
    relations,
)
from transformer.emit_vtl.defaults import default_values_lines
from transformer.emit_vtl.slots import init_request, no_auth_gate_request, pass_through_response, post_auth_request
from transformer.emit_vtl.validate import has_validations, validate_request
from transformer.emit_vtl.vtl import empty_payload
from transformer.environment import AuthEnvironment
from transformer.grants import model_has_auth, protected_fields, read_back_fields, reads_memoized
from transformer.matrix import AccessMatrix, ModelAccess, OperationKind, RootOperation
from transformer.relations import RelationRead
from transformer.schema_model import ParsedSchema

NONE_DATA_SOURCE = "NONE"
BEFORE_TEMPLATE = "{}\n"
AFTER_TEMPLATE = "$util.toJson($ctx.prev.result)\n"


class Slot(StrEnum):
    INIT = "init"
    AUTH = "auth"
    POST_AUTH = "postAuth"
    VALIDATE = "validate"
    DATA = "data"


def table_data_source(model: str) -> str:
    return f"{model}Table"


class PipelineFunction(BaseModel):
    model_config = ConfigDict(frozen=True)

    slot: Slot
    index: int = 1
    data_source: str = NONE_DATA_SOURCE
    request: str
    response: str

    @field_validator("request", "response")
    @classmethod
    def _shared_text(cls, text: str) -> str:
        """Identical templates (most of a large API's) share one string: a 400-model build holds half the text."""
        return sys.intern(text)

    @property
    def uses_table(self) -> bool:
        return self.data_source != NONE_DATA_SOURCE


class PipelineKind(StrEnum):
    OPERATION = "operation"
    FIELD = "field"
    AUTH_ONLY = "authOnly"
    """A check for a field whose resolver is the user's own (custom queries): put its function first."""


class Pipeline(BaseModel):
    model_config = ConfigDict(frozen=True)

    type_name: str
    field_name: str
    kind: PipelineKind
    model: str | None
    operation: OperationKind | None = None
    functions: tuple[PipelineFunction, ...]

    @property
    def key(self) -> str:
        return f"{self.type_name}.{self.field_name}"

    def file_stem(self, function: PipelineFunction) -> str:
        return f"{self.type_name}.{self.field_name}.{function.slot.value}.{function.index}"

    def files(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for function in self.functions:
            stem = self.file_stem(function)
            out[f"{stem}.req.vtl"] = function.request
            out[f"{stem}.res.vtl"] = function.response
        return out


def _none(slot: Slot, request: str, response: str | None = None) -> PipelineFunction:
    return PipelineFunction(slot=slot, request=request, response=response or pass_through_response())


def _auth_function(model: ModelAccess, op: RootOperation, matrix: AccessMatrix) -> PipelineFunction | None:
    if not model_has_auth(model):
        return None
    kind = op.kind
    if kind is OperationKind.CREATE:
        return _none(Slot.AUTH, auth_create.create_auth_request(model, matrix.parameters))
    if kind is OperationKind.UPDATE:
        return PipelineFunction(
            slot=Slot.AUTH,
            data_source=table_data_source(model.name),
            request=auth_update_delete.stored_item_request(model),
            response=auth_update_delete.update_auth_response(model, matrix.parameters),
        )
    if kind is OperationKind.DELETE:
        return PipelineFunction(
            slot=Slot.AUTH,
            data_source=table_data_source(model.name),
            request=auth_update_delete.stored_item_request(model),
            response=auth_update_delete.delete_auth_response(model),
        )
    if kind in {OperationKind.ON_CREATE, OperationKind.ON_UPDATE, OperationKind.ON_DELETE}:
        return _none(Slot.AUTH, auth_subscription.subscription_auth_request(model))
    return _none(Slot.AUTH, auth_read.read_auth_request(model, kind.operation))


def _data_function(model: ModelAccess, op: RootOperation, versioned: bool = False) -> PipelineFunction:
    """The operation's data slot; `versioned`: the table is a versioned data source (conflict resolution)."""
    table = table_data_source(model.name)
    kind = op.kind
    written = data_dynamodb.mutation_response(versioned=versioned)
    if kind is OperationKind.CREATE:
        return PipelineFunction(slot=Slot.DATA, data_source=table, request=data_dynamodb.create_request(model), response=written)
    if kind is OperationKind.UPDATE:
        return PipelineFunction(slot=Slot.DATA, data_source=table,
                                request=data_dynamodb.update_request(model, versioned=versioned), response=written)
    if kind is OperationKind.DELETE:
        return PipelineFunction(slot=Slot.DATA, data_source=table,
                                request=data_dynamodb.delete_request(model, versioned=versioned), response=written)
    if kind is OperationKind.GET:
        return PipelineFunction(slot=Slot.DATA, data_source=table, request=data_dynamodb.get_request(model),
                                response=data_dynamodb.get_response(versioned=versioned))
    page = data_dynamodb.list_response(versioned=versioned)
    if kind is OperationKind.SYNC:
        return PipelineFunction(slot=Slot.DATA, data_source=table, request=data_dynamodb.sync_request(),
                                response=data_dynamodb.sync_response())
    if kind is OperationKind.INDEX_QUERY and op.index is not None:
        return PipelineFunction(slot=Slot.DATA, data_source=table, request=data_dynamodb.index_query_request(op.index), response=page)
    if kind in {OperationKind.LIST, OperationKind.INDEX_QUERY}:
        return PipelineFunction(slot=Slot.DATA, data_source=table, request=data_dynamodb.list_request(model), response=page)
    return _none(Slot.DATA, auth_subscription.subscription_data_request(), auth_subscription.subscription_data_response())


def operation_pipeline(matrix: AccessMatrix, op: RootOperation, environment: AuthEnvironment) -> Pipeline:
    model = matrix.model(op.model)
    init = init_request(op.type_name, op.field_name, model.name, environment, versioned=matrix.versioned)
    if op.kind is OperationKind.CREATE:
        init = default_values_lines(model) + init
    functions = [_none(Slot.INIT, init)]
    auth = _auth_function(model, op, matrix)
    if auth is not None:
        functions.append(auth)
    functions.append(_none(Slot.POST_AUTH, post_auth_request(matrix.parameters)))
    if op.kind in (OperationKind.CREATE, OperationKind.UPDATE) and has_validations(model):
        functions.append(_none(Slot.VALIDATE, validate_request(model)))
    functions.append(_data_function(model, op, matrix.versioned))
    return Pipeline(
        type_name=op.type_name,
        field_name=op.field_name,
        kind=PipelineKind.OPERATION,
        model=model.name,
        operation=op.kind,
        functions=tuple(functions),
    )


def _relation_functions(
    matrix: AccessMatrix, read: RelationRead, *, redact: bool, auth_index: int
) -> list[PipelineFunction]:
    """The related model's read check (its list rules as an auth filter), then the query on its table."""
    related = matrix.model(read.related)
    op = relations.relation_read_operation(matrix, read.related)
    skip = "#if($ctx.source.get('__operation') == 'Mutation')\n  #return({})\n#end\n" if redact else ""
    if op is None:
        check = relations.always_unauthorized()
    elif model_has_auth(related):
        check = auth_read.read_auth_request(related, op)
    else:
        check = no_auth_gate_request(matrix.parameters)
    return [
        _none(Slot.AUTH, skip + check).model_copy(update={"index": auth_index}),
        PipelineFunction(
            slot=Slot.DATA,
            data_source=table_data_source(read.related),
            request=relations.relation_request(read, redact_in_mutations=redact),
            response=relations.relation_response(read),
        ),
    ]


def field_pipelines(
    matrix: AccessMatrix,
    model: ModelAccess,
    environment: AuthEnvironment,
    relation_reads: dict[str, RelationRead] | None = None,
) -> list[Pipeline]:
    """Field resolvers: read checks, owner read-back, and (given the schema's relations) relational reads."""
    restricted = set(protected_fields(model)) if model_has_auth(model) else set()
    read_back = read_back_fields(matrix, model)
    redact_mutations = model.subscription_level == "on"
    pipelines = []
    for field in model.fields:
        relation = (relation_reads or {}).get(f"{model.name}.{field.name}")
        if field.name not in restricted and field.name not in read_back and relation is None:
            continue
        functions = [_none(Slot.INIT, init_request(model.name, field.name, None, environment))]
        if field.name in restricted:
            functions.append(_none(Slot.AUTH, auth_field.field_auth_request(model, field.name)))
        redact = field.name in restricted and redact_mutations
        if relation is not None:
            auth_index = 2 if field.name in restricted else 1
            functions.extend(_relation_functions(matrix, relation, redact=redact, auth_index=auth_index))
        else:
            functions.append(
                _none(
                    Slot.DATA,
                    auth_field.field_value_request(),
                    auth_field.field_value_response(field.name, null_for_mutations=redact, read_back=read_back.get(field.name)),
                )
            )
        pipelines.append(
            Pipeline(type_name=model.name, field_name=field.name, kind=PipelineKind.FIELD, model=model.name, functions=tuple(functions))
        )
    return pipelines


def build_pipelines(
    matrix: AccessMatrix, environment: AuthEnvironment, schema: ParsedSchema | None = None
) -> list[Pipeline]:
    """Every resolver pipeline the API needs, operations first, in a stable order.

    With the parsed `schema`, relational fields (`@hasMany`, `@hasOne`, `@belongsTo`) get resolvers too.
    `@searchable` queries get none: they need an OpenSearch domain (served locally by the Python engine only).
    """
    reads = relations.relation_reads(schema) if schema is not None else {}
    with reads_memoized():
        pipelines = [operation_pipeline(matrix, op, environment) for op in matrix.operations.values()
                     if op.kind is not OperationKind.SEARCH]
        for model in matrix.models.values():
            pipelines.extend(field_pipelines(matrix, model, environment, reads))
    for access in matrix.non_model_fields:
        functions = (
            _none(Slot.INIT, init_request(access.type_name, access.field_name, None, environment)),
            _none(Slot.AUTH, auth_field.non_model_auth_request(access.roles)),
        )
        pipelines.append(Pipeline(type_name=access.type_name, field_name=access.field_name, kind=PipelineKind.AUTH_ONLY,
                                  model=None, functions=functions))
    return pipelines


def pipeline_index(pipelines: list[Pipeline]) -> dict[str, Pipeline]:
    return {pipeline.key: pipeline for pipeline in pipelines}


def resolver_files(pipelines: list[Pipeline]) -> dict[str, str]:
    files: dict[str, str] = {}
    for pipeline in pipelines:
        files.update(pipeline.files())
    return files


def write_resolvers(pipelines: list[Pipeline], out_dir: Path) -> list[Path]:
    """Write `out_dir/resolvers/*.vtl` atomically: a fresh folder is renamed over the old one."""
    target = out_dir / "resolvers"
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".resolvers-", dir=out_dir))
    written = []
    for name, text in sorted(resolver_files(pipelines).items()):
        (staging / name).write_text(text, encoding="utf-8")
        written.append(target / name)
    if target.exists():
        old = target.with_name(f".resolvers-old-{os.getpid()}")
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        staging.rename(target)
    return written


__all__ = [
    "AFTER_TEMPLATE",
    "BEFORE_TEMPLATE",
    "NONE_DATA_SOURCE",
    "Pipeline",
    "PipelineFunction",
    "PipelineKind",
    "Slot",
    "build_pipelines",
    "empty_payload",
    "pipeline_index",
    "resolver_files",
    "table_data_source",
    "write_resolvers",
]
