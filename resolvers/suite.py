"""Declarative access test suites (the conformance format) and a runner that checks them against the guards.

The format is `/work/shared/conformance/README.md`'s: a schema, a group file, the API's auth modes and
settings, named identities, stored items and cases, each with the outcome it expects. A user writes
the same file for their own schema (`gqlauth test`); the conformance suites record Amplify's outcomes.

The runner resets an in-memory store to the case's items, runs the operation through the guards and
a deliberately minimal executor (create/update/delete/get/list/field read/subscribe with Amplify's
defaults: generated id, timestamps, owner fill-in), and compares the decision, the stored result,
the visible ids and what a client would receive for the case's GraphQL selection.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from resolvers.filters import FilterEvaluator
from resolvers.guards import (
    Decision,
    configure_custom_authorizer,
    current_custom_authorizer,
    decide_create,
    decide_delete,
    decide_field_read,
    decide_get,
    decide_list,
    decide_subscribe,
    decide_update,
    field_visibility,
    owner_readback,
    owner_readback_fields,
    record_visible,
)
from resolvers.guards.custom import CustomAuthorizerError
from resolvers.identity import Identity
from resolvers.index_keys import null_index_key, null_index_key_message, table_index_keys, without_null_index_fields
from resolvers.input_validation import validation_failure
from resolvers.relation_reads import lookup_of, read_related
from resolvers.server.errors import DYNAMODB_ERROR
from transformer.diagnostics import InputError, UnreadableInput, error, read_text
from transformer.emit_vtl.relations import implicit_indexes
from transformer.environment import AuthEnvironment
from transformer.matrix import AccessMatrix, ModelAccess, OperationKind, TransformParameters
from transformer.project import load_project
from transformer.relations import RelationRead
from transformer.rules import Provider
from transformer.schema_model import ParsedSchema

SUITE_FORMAT = 1
AUTH_MODES: dict[str, Provider] = {
    "userPools": Provider.USER_POOLS,
    "apiKey": Provider.API_KEY,
    "iam": Provider.IAM,
    "oidc": Provider.OIDC,
    "lambda": Provider.FUNCTION,
    "function": Provider.FUNCTION,
}
GENERATED_KEYS = frozenset({"__typename", "__operation"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class SuiteTransformParameters(_Strict):
    useSubUsernameForDefaultIdentityClaim: bool = True
    populateOwnerFieldForStaticGroupAuth: bool = True
    sandboxModeEnabled: bool = False
    subscriptionsInheritPrimaryAuth: bool = False
    strictOwner: bool = False
    """Ours, opt-in: an owner may not reassign the owner field."""
    respectPrimaryKeyAttributesOnConnectionField: bool = True

    def to_parameters(self) -> TransformParameters:
        return TransformParameters(
            use_sub_username_for_default_identity_claim=self.useSubUsernameForDefaultIdentityClaim,
            populate_owner_field_for_static_group_auth=self.populateOwnerFieldForStaticGroupAuth,
            sandbox_mode_enabled=self.sandboxModeEnabled,
            subscriptions_inherit_primary_auth=self.subscriptionsInheritPrimaryAuth,
            strict_owner=self.strictOwner,
            respect_primary_key_attributes_on_connection_field=self.respectPrimaryKeyAttributesOnConnectionField,
        )


class SuiteSettings(_Strict):
    iamAuthRoleArn: str | None = None
    iamUnauthRoleArn: str | None = None
    identityPoolId: str | None = None
    userPoolId: str | None = None
    adminRoles: list[str] = Field(default_factory=list)
    apiKeys: list[str] = Field(default_factory=list)
    oidcIssuer: str | None = None
    transformParameters: SuiteTransformParameters = SuiteTransformParameters()
    customAuthorizer: str | None = None
    """Ours: `module:function` answering Lambda-authorized requests (see resolvers.guards.custom)."""

    def environment(self) -> AuthEnvironment:
        default = AuthEnvironment()
        if self.iamAuthRoleArn and self.iamUnauthRoleArn:
            return AuthEnvironment.from_assumed_role_arns(
                self.iamAuthRoleArn,
                self.iamUnauthRoleArn,
                self.identityPoolId or default.identity_pool_id,
                self.userPoolId or default.user_pool_id,
                tuple(self.adminRoles),
            )
        return default.model_copy(
            update={
                "identity_pool_id": self.identityPoolId or default.identity_pool_id,
                "user_pool_id": self.userPoolId or default.user_pool_id,
                "admin_roles": tuple(self.adminRoles),
            }
        )


class SuiteIdentity(_Strict):
    authType: Literal["userPools", "oidc", "iam", "apiKey", "lambda"]
    identity: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    description: str | None = None

    def to_identity(self) -> Identity:
        return Identity.from_appsync(self.authType, self.identity, self.headers)


class ExpectedFieldError(_Strict):
    path: list[str | int]
    errorType: str | None = None
    message: str | None = None


class ExpectedParent(_Strict):
    operation: str
    allowed: bool
    errorType: str | None = None
    message: str | None = None


class Expectation(_Strict):
    """What the case requires; keys left out are not checked (`model_fields_set` tells them apart from null)."""

    allowed: bool
    errorType: str | None = None
    message: str | None = None
    result: Any = None
    visibleIds: list[str] | None = None
    fields: dict[str, Any] | None = None
    fieldErrors: list[ExpectedFieldError] | None = None
    parent: ExpectedParent | None = None


class GraphqlRequest(_Strict):
    operationName: str | None = None
    query: str
    variables: dict[str, Any] | None = None
    expectPath: list[str | int] | None = None


class SuiteCase(_Strict):
    id: str
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    identity: str
    operation: str
    args: dict[str, Any] = Field(default_factory=dict)
    items: list[str] = Field(default_factory=list)
    source: str | None = None
    expect: Expectation
    graphql: GraphqlRequest | None = None


class Suite(_Strict):
    suiteFormat: Literal[1]
    name: str
    description: str | None = None
    schema_file: str = Field(alias="schema")
    userPoolGroups: str | None = None
    authModes: list[str] = Field(default_factory=lambda: ["userPools"])
    settings: SuiteSettings = SuiteSettings()
    identities: dict[str, SuiteIdentity]
    items: dict[str, dict[str, Any]] = Field(default_factory=dict)
    cases: list[SuiteCase]
    reference: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _references_resolve(self) -> Suite:
        problems: list[str] = []
        unknown_modes = [m for m in self.authModes if m not in AUTH_MODES]
        if unknown_modes:
            problems.append(f"unknown auth modes {unknown_modes} (use {', '.join(AUTH_MODES)})")
        for key, item in self.items.items():
            if not isinstance(item.get("__typename"), str):
                problems.append(f"item {key!r} has no __typename")
        seen: set[str] = set()
        for case in self.cases:
            if case.id in seen:
                problems.append(f"case id {case.id!r} is used twice")
            seen.add(case.id)
            if case.identity not in self.identities:
                problems.append(f"case {case.id!r}: unknown identity {case.identity!r}")
            missing = [k for k in [*case.items, *([case.source] if case.source else [])] if k not in self.items]
            if missing:
                problems.append(f"case {case.id!r}: unknown items {missing}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class CaseResult(BaseModel):
    id: str
    passed: bool
    description: str | None = None
    mismatches: list[str] = Field(default_factory=list)
    explanation: list[str] = Field(default_factory=list)


class SuiteReport(BaseModel):
    suite: str
    path: str
    engine: str
    results: list[CaseResult]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return sum(not r.passed for r in self.results)


def load_suite(path: Path) -> Suite:
    """Read and validate a suite file: `UnreadableInput` if it cannot be read, `InputError` if it is invalid."""
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([error("suite.json", f"not valid JSON: {exc.msg}", file=str(path), line=exc.lineno,
                                column=exc.colno)]) from exc
    try:
        return Suite.model_validate(data)
    except ValidationError as exc:
        raise InputError(
            [
                error("suite.format", e["msg"], file=str(path), json_path="$" + "".join(
                    f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"]))
                for e in exc.errors()
            ]
        ) from exc


@dataclass
class SuiteContext:
    suite: Suite
    path: Path
    matrix: AccessMatrix
    env: AuthEnvironment
    identities: dict[str, Identity]
    schema: ParsedSchema | None = None


def prepare(path: Path) -> SuiteContext:
    suite = load_suite(path)
    base = path.parent
    schema_path = base / suite.schema_file
    group_path = base / suite.userPoolGroups if suite.userPoolGroups else None
    if not schema_path.exists():
        raise UnreadableInput(schema_path, "no such file (named by the suite's 'schema')")
    if group_path is not None and not group_path.exists():
        raise UnreadableInput(group_path, "no such file (named by the suite's 'userPoolGroups')")
    modes = list(dict.fromkeys(AUTH_MODES[m] for m in suite.authModes))
    project, diagnostics = load_project(
        schema_path,
        group_file_path=group_path,
        auth_modes=modes,
        auth_modes_source=f"{path}: authModes",
        parameters=suite.settings.transformParameters.to_parameters(),
    )
    if project is None:
        raise InputError(diagnostics)
    return SuiteContext(
        suite=suite,
        path=path,
        matrix=project.matrix,
        env=suite.settings.environment(),
        identities={name: spec.to_identity() for name, spec in suite.identities.items()},
        schema=project.schema,
    )


@dataclass
class Outcome:
    """What the operation did, in the terms a case's expectation uses."""

    allowed: bool
    error_type: str | None = None
    message: str | None = None
    result: Any = None
    visible_ids: list[str] | None = None
    fields: dict[str, Any] | None = None
    field_errors: list[dict[str, Any]] = field(default_factory=list)
    parent: Decision | None = None
    decision: Decision | None = None
    generated_id: bool = False
    listing: bool = False


Engine = Callable[[SuiteContext, SuiteCase], Outcome]


def run_suite(path: Path | str, engine: str = "python") -> SuiteReport:
    """Run every case of a suite file; raises `UnreadableInput`/`InputError` for unusable inputs and
    `ValueError` for an unknown engine."""
    runner = ENGINES.get(engine)
    if runner is None:
        raise ValueError(f"unknown engine {engine!r} (available: {', '.join(ENGINES)})")
    suite_path = Path(path)
    context = prepare(suite_path)
    previous = current_custom_authorizer()
    try:
        if context.suite.settings.customAuthorizer:
            try:
                configure_custom_authorizer(context.suite.settings.customAuthorizer)
            except CustomAuthorizerError as exc:
                raise InputError([error("suite.custom-authorizer", str(exc), file=str(suite_path))]) from exc
        results = [_run_case(context, case, runner) for case in context.suite.cases]
    finally:
        configure_custom_authorizer(previous)
    return SuiteReport(suite=context.suite.name, path=str(suite_path), engine=engine, results=results)


def _run_case(context: SuiteContext, case: SuiteCase, runner: Engine) -> CaseResult:
    outcome = runner(context, case)
    mismatches = compare(case, outcome)
    explanation = []
    if outcome.decision is not None:
        explanation = [
            f"{'granted' if r.granted else 'denied '}  {r.role}: {r.detail}" for r in outcome.decision.reasons
        ]
    return CaseResult(id=case.id, passed=not mismatches, description=case.description, mismatches=mismatches,
                      explanation=explanation)


# --- the python engine: guards plus a minimal in-memory executor ------------------------------------


class _Store:
    def __init__(self, matrix: AccessMatrix, items: Mapping[str, Mapping[str, Any]], keys: list[str]) -> None:
        self.matrix = matrix
        self.tables: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        for key in keys:
            record = json.loads(json.dumps(items[key]))
            self.put(record["__typename"], record)

    def key_of(self, model: str, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(values.get(name) for name in self.matrix.models[model].primary_key)

    def get(self, model: str, values: Mapping[str, Any]) -> dict[str, Any] | None:
        return self.tables.get(model, {}).get(self.key_of(model, values))

    def put(self, model: str, record: dict[str, Any]) -> None:
        self.tables.setdefault(model, {})[self.key_of(model, record)] = record

    def remove(self, model: str, values: Mapping[str, Any]) -> None:
        self.tables.get(model, {}).pop(self.key_of(model, values), None)

    def scan(self, model: str) -> list[dict[str, Any]]:
        return list(self.tables.get(model, {}).values())


def _now() -> str:
    """AppSync's `$util.time.nowISO8601()` form: milliseconds and a `Z`."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _conditional_failure(outcome_decision: Decision) -> Outcome:
    return Outcome(allowed=False, error_type="DynamoDB:ConditionalCheckFailedException",
                   message="The conditional request failed", decision=outcome_decision)


def _null_index_key_outcome(context: SuiteContext, model: ModelAccess, record: Mapping[str, Any],
                            decision: Decision) -> Outcome | None:
    """DynamoDB's refusal of a PutItem holding a GSI key as NULL, as `serve` reports it."""
    extra = implicit_indexes(context.schema).get(model.name) if context.schema is not None else None
    key = null_index_key(table_index_keys(model, extra), record)
    if key is None:
        return None
    return Outcome(allowed=False, error_type=DYNAMODB_ERROR, message=null_index_key_message(key), decision=decision)


def run_python(context: SuiteContext, case: SuiteCase) -> Outcome:
    matrix, env = context.matrix, context.env
    identity = context.identities[case.identity]
    store = _Store(matrix, context.suite.items, case.items)
    root = matrix.operation(case.operation)
    if root is None:
        return _field_case(context, case, store)
    model = matrix.models[root.model]
    name = model.name
    args = case.args
    kind = root.kind
    if kind is OperationKind.CREATE:
        values = dict(args.get("input") or {})
        decision = decide_create(matrix, case.operation, identity, values, env)
        if not decision.allowed:
            return _denied(decision)
        record = dict(decision.input or {})
        failure = validation_failure(model, record)
        if failure is not None:
            return Outcome(allowed=False, error_type=None, message=failure, decision=decision)
        generated = False
        if model.primary_key == ["id"] and record.get("id") is None:
            record["id"] = str(uuid.uuid4())
            generated = True
        _stamp(model, record, decision.input or {}, created=True)
        record = without_null_index_fields(model, record)
        record["__typename"] = name
        refused = _null_index_key_outcome(context, model, record, decision)
        if refused is not None:
            return refused
        if store.get(name, record) is not None:
            return _conditional_failure(decision)
        store.put(name, record)
        return _mutation_outcome(context, case, decision, model, identity, record, generated)
    if kind is OperationKind.UPDATE:
        values = dict(args.get("input") or {})
        stored = store.get(name, values)
        decision = decide_update(matrix, case.operation, identity, values, stored, env)
        if not decision.allowed:
            return _denied(decision)
        failure = validation_failure(model, decision.input if decision.input is not None else values)
        if failure is not None:
            return Outcome(allowed=False, error_type=None, message=failure, decision=decision)
        if stored is None:
            return _conditional_failure(decision)
        record = dict(stored)
        for key, value in values.items():
            if key in model.primary_key:
                continue
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        _stamp(model, record, values, created=False)
        store.put(name, record)
        return _mutation_outcome(context, case, decision, model, identity, record, False)
    if kind is OperationKind.DELETE:
        values = dict(args.get("input") or {})
        stored = store.get(name, values)
        decision = decide_delete(matrix, case.operation, identity, stored, env)
        if not decision.allowed:
            return _denied(decision)
        if stored is None:
            return _conditional_failure(decision)
        store.remove(name, values)
        return _mutation_outcome(context, case, decision, model, identity, stored, False)
    if kind is OperationKind.GET:
        found = store.get(name, args)
        decision = decide_get(matrix, case.operation, identity, found, env)
        if not decision.allowed:
            return _denied(decision)
        outcome = Outcome(allowed=True, result=found, decision=decision)
        if found is not None:
            outcome.fields, outcome.field_errors = _selection(context, case, model, identity, [found], False)
        return outcome
    if kind in (OperationKind.LIST, OperationKind.INDEX_QUERY, OperationKind.SYNC, OperationKind.SEARCH):
        decision = decide_list(matrix, case.operation, identity, env)
        if not decision.allowed:
            return _denied(decision)
        caller_filter = FilterEvaluator(model.field_names())
        records = [r for r in store.scan(name) if record_visible(decision.filter, r) and _matches_key_args(root, r, args)
                   and caller_filter.matches(args.get("filter"), r)]
        outcome = Outcome(allowed=True, decision=decision, visible_ids=sorted(str(r.get("id")) for r in records),
                          listing=True)
        outcome.fields, outcome.field_errors = _selection(context, case, model, identity, records, False, listing=True)
        return outcome
    decision = decide_subscribe(matrix, case.operation, identity, args, env)
    return Outcome(allowed=decision.allowed, error_type=decision.error_type, message=decision.message,
                   decision=decision)


def _matches_key_args(root: Any, record: Mapping[str, Any], args: Mapping[str, Any]) -> bool:
    if root.index is None:
        return True
    value = args.get(root.index.partition_field)
    return value is None or record.get(root.index.partition_field) == value


def _stamp(model: ModelAccess, record: dict[str, Any], given: Mapping[str, Any], *, created: bool) -> None:
    """Fill the timestamp fields the input does not name: a value or an explicit null given for one wins,
    as in Amplify's templates (its create stores the null, its update REMOVEs the attribute)."""
    now = _now()
    created_name = model.timestamps.get("createdAt")
    updated_name = model.timestamps.get("updatedAt")
    if created and created_name and created_name not in given:
        record[created_name] = now
    if updated_name and updated_name not in given:
        record[updated_name] = now


def _denied(decision: Decision) -> Outcome:
    return Outcome(allowed=False, error_type=decision.error_type, message=decision.message, decision=decision)


def _mutation_outcome(context: SuiteContext, case: SuiteCase, decision: Decision, model: ModelAccess,
                      identity: Identity, record: dict[str, Any], generated_id: bool) -> Outcome:
    outcome = Outcome(allowed=True, result=record, decision=decision, generated_id=generated_id)
    outcome.fields, outcome.field_errors = _selection(context, case, model, identity, [record], True)
    return outcome


def _field_case(context: SuiteContext, case: SuiteCase, store: _Store) -> Outcome:
    """`Post.internalNotes` read on the record named by `source`, with the get that reaches it."""
    type_name, _, field_name = case.operation.partition(".")
    model = context.matrix.models.get(type_name)
    if model is None or not field_name or case.source is None:
        raise InputError([error("suite.operation", f"case {case.id!r}: {case.operation} is neither a root field "
                                "nor a model field read with a 'source'", file=str(context.path))])
    identity = context.identities[case.identity]
    source = store.get(type_name, context.suite.items[case.source]) or dict(context.suite.items[case.source])
    decision = decide_field_read(context.matrix, type_name, field_name, identity, source, from_mutation=False,
                                 env=context.env)
    get_root = next((op for op in context.matrix.operations_of(type_name) if op.kind is OperationKind.GET), None)
    parent = decide_get(context.matrix, get_root.key, identity, source, context.env) if get_root else None
    if not decision.allowed:
        outcome = _denied(decision)
        outcome.parent = parent
        return outcome
    lookup = lookup_of(context.schema, type_name, field_name) if context.schema is not None else None
    if lookup is not None:
        return _relation_case(context, case, lookup, identity, source, store, parent)
    value = None if field_name in decision.hidden_fields else source.get(field_name)
    if field_name in owner_readback_fields(context.matrix, type_name):
        value = owner_readback(value)
    return Outcome(allowed=True, result={field_name: value}, parent=parent, decision=decision)


def field_case_path(case: SuiteCase) -> list[Any]:
    """Where a field case's value sits in the response (`["getBlog", "posts"]`)."""
    if case.graphql is not None and case.graphql.expectPath:
        return list(case.graphql.expectPath)
    return [case.operation.partition(".")[2]]


def _relation_case(context: SuiteContext, case: SuiteCase, lookup: RelationRead, identity: Identity,
                   source: Mapping[str, Any], store: _Store, parent: Decision | None) -> Outcome:
    """A relational field read through the related model's rules (`resolvers.relation_reads`)."""
    read = read_related(context.matrix, lookup, identity, context.env, source, store.scan, field_case_path(case))
    if not read.allowed:
        return Outcome(allowed=False, error_type="Unauthorized", message=read.message, parent=parent,
                       decision=read.decision)
    return Outcome(allowed=True, result={lookup.field: read.value}, fields=read.fields, field_errors=read.field_errors,
                   parent=parent, decision=read.decision)


def _selected(case: SuiteCase, listing: bool) -> tuple[str, list[str]] | None:
    """The response key of the operation's root field and the leaf fields selected on its record(s)."""
    if case.graphql is None:
        return None
    try:
        document = parse(case.graphql.query)
    except GraphQLError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    wanted = case.graphql.operationName
    operation = next((o for o in operations if o.name and o.name.value == wanted), operations[0] if operations else None)
    if operation is None:
        return None
    root = next((s for s in operation.selection_set.selections if isinstance(s, FieldNode)), None)
    if root is None or root.selection_set is None:
        return None
    selection = root.selection_set
    if listing:
        items = next((s for s in selection.selections if isinstance(s, FieldNode) and s.name.value == "items"), None)
        if items is None or items.selection_set is None:
            return None
        selection = items.selection_set
    names = [s.name.value for s in selection.selections if isinstance(s, FieldNode) and s.selection_set is None]
    key = root.alias.value if root.alias else root.name.value
    return key, names


def _selection(context: SuiteContext, case: SuiteCase, model: ModelAccess, identity: Identity,
               records: list[dict[str, Any]], from_mutation: bool, *, listing: bool = False
               ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    selected = _selected(case, listing)
    if selected is None:
        return None, []
    root_key, names = selected
    readback = owner_readback_fields(context.matrix, model.name)
    errors: list[dict[str, Any]] = []
    per_record: dict[str, Any] = {}
    for record in records:
        visibility = field_visibility(context.matrix, model.name, identity, record, from_mutation=from_mutation,
                                      env=context.env)
        values: dict[str, Any] = {}
        for name in names:
            value = None if name in visibility.hidden else record.get(name)
            values[name] = owner_readback(value) if name in readback else value
            if name in visibility.errors:
                path: list[Any] = [root_key, "items", record.get("id"), name] if listing else [root_key, name]
                errors.append({"path": path, "errorType": "Unauthorized",
                               "message": f"Not Authorized to access {name} on type {model.name}"})
        per_record[str(record.get("id"))] = values
    if listing:
        return per_record, errors
    return (next(iter(per_record.values())) if per_record else None), errors


# --- comparison --------------------------------------------------------------------------------------


def _normalise_record(actual: Any, expected: Any, generated_id: bool) -> Any:
    if not isinstance(actual, dict):
        return actual
    volatile = set(GENERATED_KEYS) | {"createdAt", "updatedAt"}
    if generated_id and not (isinstance(expected, dict) and "id" in expected):
        volatile.add("id")
    return {k: v for k, v in actual.items() if k not in volatile}


def _compare_fields(expected: Mapping[str, Any], actual: Mapping[str, Any] | None, label: str) -> list[str]:
    if actual is None:
        return [f"{label}: expected {expected!r}, got nothing"]
    problems = [f"{label}.{k}: expected {v!r}, got {actual.get(k)!r}" for k, v in expected.items()
                if k not in actual or actual[k] != v]
    return problems


def compare(case: SuiteCase, outcome: Outcome) -> list[str]:
    expect = case.expect
    given = expect.model_fields_set
    problems: list[str] = []
    if outcome.allowed != expect.allowed:
        problems.append(f"allowed: expected {expect.allowed}, got {outcome.allowed} ({outcome.message})")
    if "errorType" in given and outcome.error_type != expect.errorType:
        problems.append(f"errorType: expected {expect.errorType!r}, got {outcome.error_type!r}")
    if "message" in given and outcome.message != expect.message:
        problems.append(f"message: expected {expect.message!r}, got {outcome.message!r}")
    if "result" in given:
        actual = _normalise_record(outcome.result, expect.result, outcome.generated_id)
        if actual != expect.result:
            problems.append(f"result: expected {expect.result!r}, got {actual!r}")
    if "visibleIds" in given and (sorted(expect.visibleIds) if expect.visibleIds is not None else None) != (
        outcome.visible_ids
    ):
        problems.append(f"visibleIds: expected {expect.visibleIds!r}, got {outcome.visible_ids!r}")
    if expect.fields is not None:
        if outcome.listing or expect.visibleIds is not None:
            actual_items = outcome.fields or {}
            if set(expect.fields) != set(actual_items):
                problems.append(f"fields: expected items {sorted(expect.fields)}, got {sorted(actual_items)}")
            for item_id, item in expect.fields.items():
                problems.extend(_compare_fields(item, actual_items.get(item_id), f"fields[{item_id}]"))
        else:
            problems.extend(_compare_fields(expect.fields, outcome.fields, "fields"))
    if expect.fieldErrors is not None:
        wanted = sorted(json.dumps(e.model_dump(), sort_keys=True) for e in expect.fieldErrors)
        got = sorted(json.dumps(e, sort_keys=True) for e in outcome.field_errors)
        if wanted != got:
            problems.append(f"fieldErrors: expected {wanted}, got {got}")
    if expect.parent is not None:
        parent = outcome.parent
        if parent is None:
            problems.append("parent: expected a parent decision, got none")
        elif (parent.allowed, parent.error_type, parent.message) != (
            expect.parent.allowed, expect.parent.errorType, expect.parent.message
        ):
            problems.append(
                f"parent {expect.parent.operation}: expected {expect.parent.allowed}/{expect.parent.message!r}, "
                f"got {parent.allowed}/{parent.message!r}"
            )
    return problems


def run_vtl(context: SuiteContext, case: SuiteCase) -> Outcome:
    """The `vtl` engine: the case through the emitted AppSync templates (resolvers.vtl_engine)."""
    from resolvers.vtl_engine.suite_engine import run_vtl as run_through_templates

    return run_through_templates(context, case)


ENGINES: dict[str, Engine] = {"python": run_python, "vtl": run_vtl}
