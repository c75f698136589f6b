"""Conformance suites run through the emitted templates (`gqlauth test --engine vtl`).

Plugs into `resolvers.suite` as the `vtl` engine: for each case the tables hold exactly the case's
items, the operation runs through its pipeline (init, auth, postAuth, data), and every selected
field of the result runs through its field resolver when it has one, so a case compares what a
client of the deployed templates would receive with what the case expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resolvers.guards import Decision
from resolvers.guards.custom import custom_verdict
from resolvers.relation_reads import default_selection, lookup_of
from resolvers.suite import (
    ENGINES,
    Outcome,
    SuiteCase,
    SuiteContext,
    SuiteReport,
    _selected,
    field_case_path,
    run_suite,
)
from resolvers.vtl_engine.executor import CallerRequest, PipelineResult, VtlEngine
from transformer.matrix import ModelAccess, OperationKind, RootOperation
from transformer.relations import RelationRead

ENGINE_NAME = "vtl"
_engines: dict[int, VtlEngine] = {}


def engine_for(context: SuiteContext) -> VtlEngine:
    """One engine (parsed templates, tables) per loaded suite."""
    key = id(context.matrix)
    engine = _engines.get(key)
    if engine is None or engine.matrix is not context.matrix:
        if len(_engines) > 16:
            _engines.clear()
        engine = VtlEngine(context.matrix, context.env, schema=context.schema)
        _engines[key] = engine
    return engine


def _caller(context: SuiteContext, case: SuiteCase) -> CallerRequest:
    spec = context.suite.identities[case.identity]
    return CallerRequest(auth_type=spec.authType, identity=spec.identity, headers=spec.headers or {})


def _lambda_refusal(context: SuiteContext, case: SuiteCase, operation: str) -> Outcome | None:
    """AppSync runs the Lambda authorizer before any resolver; the suite's authorizer stands in for it."""
    if context.suite.identities[case.identity].authType != "lambda":
        return None
    ok, _why, _denied = custom_verdict(context.identities[case.identity], operation)
    if ok:
        return None
    type_name, _, field_name = operation.partition(".")
    return Outcome(allowed=False, error_type="Unauthorized", message=f"Not Authorized to access {field_name} on type {type_name}")


def _denied(result: PipelineResult) -> Outcome:
    error = result.error
    return Outcome(allowed=False, error_type=error.error_type if error else None, message=error.message if error else None)


def run_vtl(context: SuiteContext, case: SuiteCase) -> Outcome:
    engine = engine_for(context)
    engine.reset(context.suite.items[key] for key in case.items)
    caller = _caller(context, case)
    root = context.matrix.operation(case.operation)
    if root is None:
        return _field_case(engine, context, case, caller)
    refusal = _lambda_refusal(context, case, case.operation)
    if refusal is not None:
        return refusal
    result = engine.run(root.type_name, root.field_name, caller, case.args)
    if not result.ok:
        return _denied(result)
    model = context.matrix.models[root.model]
    kind = root.kind
    if kind in (OperationKind.CREATE, OperationKind.UPDATE, OperationKind.DELETE):
        record = dict(result.data or {})
        stored = _stored(engine, model, record) if kind is not OperationKind.DELETE else record
        generated = kind is OperationKind.CREATE and (case.args.get("input") or {}).get("id") is None
        outcome = Outcome(allowed=True, result=stored, generated_id=generated)
        outcome.fields, outcome.field_errors = _selection(engine, case, model, caller, [record])
        return outcome
    if kind is OperationKind.GET:
        outcome = Outcome(allowed=True, result=result.data)
        if result.data is not None:
            outcome.fields, outcome.field_errors = _selection(engine, case, model, caller, [result.data])
        return outcome
    if kind in (OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC):
        items = list((result.data or {}).get("items") or [])
        outcome = Outcome(allowed=True, visible_ids=sorted(str(i.get("id")) for i in items), listing=True)
        outcome.fields, outcome.field_errors = _selection(engine, case, model, caller, items, listing=True)
        return outcome
    return Outcome(allowed=True)


def _stored(engine: VtlEngine, model: ModelAccess, record: dict[str, Any]) -> dict[str, Any] | None:
    key = {field: record.get(field) for field in model.primary_key}
    return next((item for item in engine.stored(model.name) if all(item.get(k) == v for k, v in key.items())), None)


def _selection(
    engine: VtlEngine,
    case: SuiteCase,
    model: ModelAccess,
    caller: CallerRequest,
    records: list[dict[str, Any]],
    *,
    listing: bool = False,
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """What a client receives for the case's selection: each field through its resolver, if any."""
    selected = _selected(case, listing)
    if selected is None:
        return None, []
    root_key, names = selected
    per_record: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for record in records:
        values: dict[str, Any] = {}
        for name in names:
            resolved = engine.run(model.name, name, caller, source=record)
            values[name] = resolved.data if resolved.ok else None
            if not resolved.ok and resolved.error is not None:
                path: list[Any] = [root_key, "items", record.get("id"), name] if listing else [root_key, name]
                errors.append({"path": path, "errorType": resolved.error.error_type, "message": resolved.error.message})
        per_record[str(record.get("id"))] = values
    if listing:
        return per_record, errors
    return (next(iter(per_record.values())) if per_record else None), errors


def _get_root(context: SuiteContext, model: str) -> RootOperation | None:
    return next((op for op in context.matrix.operations_of(model) if op.kind is OperationKind.GET), None)


def _field_case(engine: VtlEngine, context: SuiteContext, case: SuiteCase, caller: CallerRequest) -> Outcome:
    """`Post.internalNotes` read on the stored record named by `source`, plus the get that reaches it."""
    type_name, _, field_name = case.operation.partition(".")
    model = context.matrix.models.get(type_name)
    if model is None or case.source is None:
        return Outcome(allowed=False, message=f"{case.operation} is neither a root field nor a model field read")
    source = dict(context.suite.items[case.source])
    parent: Decision | None = None
    get_root = _get_root(context, type_name)
    if get_root is not None:
        refusal = _lambda_refusal(context, case, get_root.key)
        if case.source not in case.items:
            engine.reset(context.suite.items[key] for key in [*case.items, case.source])
        got = engine.run(get_root.type_name, get_root.field_name, caller, {k: source.get(k) for k in model.primary_key})
        if case.source not in case.items:
            engine.reset(context.suite.items[key] for key in case.items)
        if refusal is not None:
            parent = Decision(allowed=False, error_type=refusal.error_type, message=refusal.message)
        elif got.ok:
            parent = Decision(allowed=True)
        else:
            parent = Decision(allowed=False, error_type=got.error.error_type if got.error else None,
                              message=got.error.message if got.error else None)
    refusal = _lambda_refusal(context, case, case.operation)
    if refusal is not None:
        refusal.parent = parent
        return refusal
    resolved = engine.run(type_name, field_name, caller, source=source)
    if not resolved.ok:
        outcome = _denied(resolved)
        outcome.parent = parent
        return outcome
    outcome = Outcome(allowed=True, result={field_name: resolved.data}, parent=parent)
    lookup = lookup_of(context.schema, type_name, field_name) if context.schema is not None else None
    if lookup is not None and resolved.data is not None:
        outcome.fields, outcome.field_errors = _related_selection(engine, context, case, caller, lookup, resolved.data)
    return outcome


def _related_selection(engine: VtlEngine, context: SuiteContext, case: SuiteCase, caller: CallerRequest,
                       lookup: RelationRead, data: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a client selecting the related record's default fields receives (a connection: `nextToken`)."""
    if lookup.many:
        return {"nextToken": data.get("nextToken")}, []
    path = field_case_path(case)
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for name in default_selection(context.matrix, lookup.related):
        resolved = engine.run(lookup.related, name, caller, source=data)
        values[name] = resolved.data if resolved.ok else None
        if not resolved.ok and resolved.error is not None:
            errors.append({"path": [*path, name], "errorType": resolved.error.error_type,
                           "message": resolved.error.message})
    return values, errors


def register() -> None:
    """Make `run_suite(path, engine="vtl")` run cases through the templates."""
    ENGINES[ENGINE_NAME] = run_vtl


def run_vtl_suite(path: Path | str) -> SuiteReport:
    register()
    return run_suite(path, engine=ENGINE_NAME)
