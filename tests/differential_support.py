"""The output-schema differential corpus (`tests/differential/corpus/`) and both transformers over it.

Each corpus schema is one `.graphql` file whose leading comment lines give the API's auth modes,
Amplify transform parameters and conflict resolution (`# auth-modes: userPools,apiKey`,
`# params: improvePluralization=true`, `# resolver-config: {"project": {...}}`, the transformer's resolverConfig).
Amplify's output schema for it is recorded in `tests/differential/amplify/<name>.graphql` by
`tests/differential/record.py`, so the comparison runs without the oracle.

`tests/differential/datastore/` holds the same comparison with conflict resolution (DataStore sync) on: every
corpus schema again with a project-wide AUTOMERGE strategy (`datastore-<name>`), and the schemas of
`datastore/corpus/` with their own resolver configs (project-wide, per model, both); Amplify's outputs are in
`datastore/amplify/`.

`structural_differences` compares two output schemas as `compare_schemas.py` of the oracle does
(types, fields, arguments, inputs, enum values, union members, root operations), and counts the
`@aws_*` directives on every type and field as differences too: they decide which auth mode may call what.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from golden_files import GOLDEN_ROOT, input_dir, samples
from graphql import parse, print_ast
from graphql.language import ast

from transformer.auth_modes import parse_auth_modes
from transformer.conflict_resolution import ConflictResolution, check_against_models, datastore_relation_problems
from transformer.emit_schema import emit_output_schema
from transformer.lints import lint
from transformer.matrix import TransformParameters, build_matrix
from transformer.parse import parse_schema_text
from transformer.project import apply_global_auth_rule, check_group_names

DIFFERENTIAL = Path(__file__).parent / "differential"
CORPUS = DIFFERENTIAL / "corpus"
RECORDED = DIFFERENTIAL / "amplify"
DATASTORE = DIFFERENTIAL / "datastore"
DATASTORE_CORPUS = DATASTORE / "corpus"
DATASTORE_RECORDED = DATASTORE / "amplify"
PROJECT_AUTOMERGE = '{"project": {"ConflictHandler": "AUTOMERGE", "ConflictDetection": "VERSION"}}'

PARAMETER_NAMES = {
    "useSubUsernameForDefaultIdentityClaim": "use_sub_username_for_default_identity_claim",
    "populateOwnerFieldForStaticGroupAuth": "populate_owner_field_for_static_group_auth",
    "subscriptionsInheritPrimaryAuth": "subscriptions_inherit_primary_auth",
    "sandboxModeEnabled": "sandbox_mode_enabled",
    "improvePluralization": "improve_pluralization",
    "respectPrimaryKeyAttributesOnConnectionField": "respect_primary_key_attributes_on_connection_field",
}


@dataclass(frozen=True)
class DifferentialCase:
    """One input schema with the auth modes and transform parameters both transformers get."""

    name: str
    sdl: str
    file: str
    auth_modes: tuple[str, ...] = ("userPools",)
    params: dict[str, str] = field(default_factory=dict)
    resolver_config: str | None = None
    """The transformer's resolverConfig as JSON (conflict resolution), or None."""
    recorded_dir: Path = RECORDED

    @property
    def recorded(self) -> Path:
        return self.recorded_dir / f"{self.name}.graphql"

    @property
    def conflict_resolution(self) -> ConflictResolution | None:
        return None if self.resolver_config is None else ConflictResolution.model_validate_json(self.resolver_config)

    def oracle_arguments(self) -> list[str]:
        """Extra arguments of the oracle's transform.js for this case."""
        return [] if self.resolver_config is None else ["--resolver-config", self.resolver_config]


def read_header(text: str) -> tuple[tuple[str, ...], dict[str, str], str | None]:
    """The `# auth-modes:`, `# params:` and `# resolver-config:` comment lines at the top of a schema."""
    modes = "userPools"
    params: dict[str, str] = {}
    resolver_config: str | None = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key.strip() == "auth-modes":
            modes = value.strip()
        elif key.strip() == "params":
            params.update(dict(p.strip().split("=", 1) for p in value.split(",") if p.strip()))
        elif key.strip() == "resolver-config":
            resolver_config = value.strip()
    return tuple(m.strip() for m in modes.split(",") if m.strip()), params, resolver_config


def read_case(path: Path, name: str | None = None, recorded_dir: Path = RECORDED) -> DifferentialCase:
    text = path.read_text(encoding="utf-8")
    modes, params, resolver_config = read_header(text)
    return DifferentialCase(name or path.stem, text, str(path), modes, params, resolver_config, recorded_dir)


def corpus() -> list[DifferentialCase]:
    return [read_case(p) for p in sorted(CORPUS.glob("*.graphql"))]


def golden_cases() -> list[DifferentialCase]:
    """Every bundled sample and golden input (`tests/golden_files.py`), named `golden-<name>`."""
    cases = []
    for sample in samples():
        schema = input_dir(sample) / "schema.graphql"
        modes_file = GOLDEN_ROOT / sample / "auth-modes.txt"
        modes = modes_file.read_text(encoding="utf-8").strip() if modes_file.is_file() else "userPools"
        text = schema.read_text(encoding="utf-8")
        cases.append(DifferentialCase(f"golden-{sample}", text, str(schema), tuple(modes.split(",")), {}))
    return cases


def datastore_cases() -> list[DifferentialCase]:
    """Every corpus schema with a project-wide AUTOMERGE strategy, and the DataStore corpus with its own configs."""
    synced = [
        replace(case, name=f"datastore-{case.name}", resolver_config=case.resolver_config or PROJECT_AUTOMERGE,
                recorded_dir=DATASTORE_RECORDED)
        for case in corpus()
    ]
    own = [read_case(p, recorded_dir=DATASTORE_RECORDED) for p in sorted(DATASTORE_CORPUS.glob("*.graphql"))]
    return synced + own


def all_cases() -> list[DifferentialCase]:
    return corpus() + golden_cases() + datastore_cases()


def parameters(case: DifferentialCase) -> TransformParameters:
    unknown = sorted(set(case.params) - set(PARAMETER_NAMES))
    if unknown:
        raise ValueError(f"{case.file}: transform parameters this harness does not map: {unknown}")
    return TransformParameters(**{PARAMETER_NAMES[k]: v.lower() == "true" for k, v in case.params.items()})


def gqlauth_output(case: DifferentialCase) -> str | list[str]:
    """Our output schema for the case, or the error messages when we reject it."""
    params = parameters(case)
    schema, diagnostics = parse_schema_text(
        case.sdl, case.file, sub_username_identity_claim=params.use_sub_username_for_default_identity_claim,
        respect_primary_key_attributes=params.respect_primary_key_attributes_on_connection_field,
    )
    errors = [d.render() for d in diagnostics if d.severity.value == "error"]
    if schema is None or errors:
        return errors or ["schema not parsed"]
    sync = case.conflict_resolution
    if sync is not None and sync.enabled:
        found = check_against_models(sync, list(schema.models), case.file) + datastore_relation_problems(schema)
        errors = [d.render() for d in found if d.severity.value == "error"]
        if errors:
            return errors
    modes, params, extra = apply_global_auth_rule(schema, parse_auth_modes(",".join(case.auth_modes)), params)
    errors = [d.render() for d in extra if d.severity.value == "error"]
    matrix, matrix_diagnostics = build_matrix(schema, modes, params, sync)
    errors += [d.render() for d in matrix_diagnostics if d.severity.value == "error"]
    if matrix is None or errors:
        return errors or ["no access matrix"]
    checks = lint(schema, matrix, None) + check_group_names(schema, None, None)
    errors = [d.render() for d in checks if d.severity.value == "error"]
    return errors or emit_output_schema(schema, matrix)


_KINDS: dict[type, str] = {
    ast.ObjectTypeDefinitionNode: "type",
    ast.ObjectTypeExtensionNode: "type",
    ast.InputObjectTypeDefinitionNode: "input",
    ast.InputObjectTypeExtensionNode: "input",
    ast.EnumTypeDefinitionNode: "enum",
    ast.EnumTypeExtensionNode: "enum",
    ast.InterfaceTypeDefinitionNode: "interface",
    ast.InterfaceTypeExtensionNode: "interface",
    ast.UnionTypeDefinitionNode: "union",
    ast.UnionTypeExtensionNode: "union",
    ast.ScalarTypeDefinitionNode: "scalar",
    ast.ScalarTypeExtensionNode: "scalar",
}


def _shape(sdl: str) -> dict[str, object]:
    """Everything the comparison looks at, keyed by where it is; order and descriptions ignored."""
    found: dict[str, object] = {}
    roots: dict[str, str] = {}
    type_directives: dict[str, set[str]] = {}
    for definition in parse(sdl, no_location=True).definitions:
        if isinstance(definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode):
            roots.update({op.operation.value: op.type.name.value for op in definition.operation_types or ()})
            continue
        kind = _KINDS.get(type(definition))
        if kind is None:
            continue
        name = definition.name.value  # type: ignore[attr-defined]
        found[f"{kind} {name}"] = kind
        type_directives.setdefault(name, set()).update(
            print_ast(d) for d in getattr(definition, "directives", None) or ()
        )
        for member in getattr(definition, "fields", None) or ():
            where = f"{name}.{member.name.value}"
            shape = print_ast(member.type)
            if getattr(member, "default_value", None) is not None:
                shape += " = " + print_ast(member.default_value)
            for arg in getattr(member, "arguments", None) or ():
                default = "" if arg.default_value is None else " = " + print_ast(arg.default_value)
                found[f"{where}({arg.name.value})"] = print_ast(arg.type) + default
            found[where] = shape
            found[f"{where} directives"] = sorted(print_ast(d) for d in member.directives or ())
        for value in getattr(definition, "values", None) or ():
            found[f"{name}={value.name.value}"] = "value"
        for member_type in getattr(definition, "types", None) or ():
            found[f"{name}|{member_type.name.value}"] = "member"
    for operation, default in (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription")):
        if operation not in roots and f"type {default}" in found:
            roots[operation] = default
    found["schema roots"] = roots
    found.update({f"{name} directives": sorted(texts) for name, texts in type_directives.items()})
    return {k: v for k, v in found.items() if v != []}


BUILT_IN_TYPES = frozenset({"ID", "String", "Int", "Float", "Boolean", "AWSDate", "AWSTime", "AWSDateTime",
                            "AWSTimestamp", "AWSEmail", "AWSJSON", "AWSURL", "AWSPhone", "AWSIPAddress"})


def _named_type(type_text: object) -> str:
    return str(type_text).strip("[]!")


def _defined_types(shape: dict[str, object]) -> set[str]:
    return {key.split(" ", 1)[1] for key, kind in shape.items() if kind == key.split(" ", 1)[0]} | BUILT_IN_TYPES


def structural_differences(amplify_sdl: str, our_sdl: str) -> list[str]:
    """Every difference between Amplify's output schema and ours, `@aws_*` directives included.

    One deliberate difference is allowed (the README names it): where Amplify's field names a type its own
    output never defines (a schema AppSync refuses: the connection filter of a lower-case model with an enum
    list field names `Model<Enum>Input`), ours may name a type that our output does define."""
    theirs, ours = _shape(amplify_sdl), _shape(our_sdl)
    theirs_defined, ours_defined = _defined_types(theirs), _defined_types(ours)
    differences: list[str] = []
    for key in sorted(set(theirs) | set(ours)):
        if key not in ours:
            differences.append(f"{key}: only in amplify ({theirs[key]})")
        elif key not in theirs:
            differences.append(f"{key}: only in gqlauth ({ours[key]})")
        elif theirs[key] != ours[key]:
            dangling = isinstance(theirs[key], str) and _named_type(theirs[key]) not in theirs_defined
            if dangling and isinstance(ours[key], str) and _named_type(ours[key]) in ours_defined:
                continue
            differences.append(f"{key}: amplify {theirs[key]} vs gqlauth {ours[key]}")
    return differences


def dangling_references(sdl: str) -> list[str]:
    """Fields whose type no definition in `sdl` provides (AppSync refuses such a schema)."""
    shape = _shape(sdl)
    defined = _defined_types(shape)
    return sorted(key for key, value in shape.items()
                  if isinstance(value, str) and "." in key and " " not in key and "(" not in key
                  and _named_type(value) not in defined)
