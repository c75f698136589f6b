"""Everything a command needs about one project: the schema, its group file, the API's auth modes
and the access matrix, loaded and cross-checked together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from transformer.amplify_layout import SCHEMA_FILE_NAME, resolve_schema_path
from transformer.auth_modes import discover_auth_modes
from transformer.conflict_resolution import (
    ConflictResolution,
    check_against_models,
    datastore_relation_problems,
    project_conflict_resolution,
)
from transformer.custom_resolvers import CustomResolvers, load_custom_resolvers
from transformer.diagnostics import Diagnostic, error, has_errors, warning
from transformer.environment import AuthEnvironment
from transformer.gc_pause import paused_gc
from transformer.lints import custom_resolver_problems, lint
from transformer.matrix import AccessMatrix, TransformParameters, build_matrix, default_auth_modes
from transformer.parse import load_schema
from transformer.precedence import GroupFile, find_group_file, group_file_search_places, load_group_file
from transformer.required_fields import required_fields_without_read
from transformer.rules import DEFAULT_GROUP_CLAIM, Provider
from transformer.schema_model import ParsedSchema
from transformer.silencing import apply_silencing
from transformer.transform_settings import load_transform_parameters

__all__ = ["SCHEMA_FILE_NAME", "Project", "check_group_names", "load_project", "resolve_schema_path"]


@dataclass(frozen=True)
class Project:
    schema_path: Path
    schema: ParsedSchema
    group_file_path: Path | None
    group_file: GroupFile | None
    matrix: AccessMatrix
    auth_modes_source: str
    environment: AuthEnvironment = field(default_factory=AuthEnvironment)
    conflict_resolution_source: str | None = None
    """Where the conflict resolution was read (a file, or `--conflict-resolution`); None when there is none."""
    custom_resolvers: CustomResolvers = field(default_factory=CustomResolvers)
    """The API's own resolvers (`stacks/*.json`, `resolvers/*.vtl`), which `serve` runs."""

    @property
    def auth_modes(self) -> list[Provider]:
        return self.matrix.auth_modes

    @property
    def conflict_resolution(self) -> ConflictResolution | None:
        return self.matrix.conflict_resolution


def check_group_names(schema: ParsedSchema, group_file: GroupFile | None, group_file_path: Path | None) -> list[Diagnostic]:
    """Static groups named in rules must exist in the precedence file (a check Amplify lacks).

    Rules with a custom `groupClaim` are exempt: their groups are not Cognito groups.
    """
    problems: list[Diagnostic] = []
    defined = set(group_file.names()) if group_file is not None else None
    missing_file_reported = False
    for rule in schema.all_rules():
        if not rule.is_static_group or rule.group_claim != DEFAULT_GROUP_CLAIM:
            continue
        where = (
            {"file": rule.location.file, "line": rule.location.line, "column": rule.location.column}
            if rule.location
            else {}
        )
        if defined is None:
            if not missing_file_reported:
                problems.append(
                    warning(
                        "groups.no-file",
                        "no user-pool-group-precedence.json found (looked for "
                        f"{', '.join(group_file_search_places(Path(schema.file)))}); group names in rules are "
                        "not checked. Pass --group-file FILE.",
                        **where,
                    )
                )
                missing_file_reported = True
            continue
        for group in rule.groups or ():
            if group not in defined:
                known = ", ".join(sorted(defined)) or "none"
                problems.append(
                    error(
                        "groups.undefined",
                        f"group '{group}' is not defined in {group_file_path} (defined: {known})",
                        **where,
                    )
                )
    return problems


def apply_global_auth_rule(
    schema: ParsedSchema, modes: list[Provider] | None, parameters: TransformParameters
) -> tuple[list[Provider] | None, TransformParameters, list[Diagnostic]]:
    """The starter schema's `globalAuthRule: { allow: public }`: sandbox mode, as the Amplify CLI applies it.

    It needs an API key: without an `apiKey` mode the CLI leaves sandbox mode off (models without `@auth`
    stay closed) and warns. With no modes configured, the rule counts as a rule that uses `apiKey`.
    """
    if schema.global_public_rule is None or parameters.sandbox_mode_enabled:
        return modes, parameters, []
    if modes is None:
        modes = default_auth_modes(schema)
        if Provider.API_KEY not in modes:
            modes.insert(1, Provider.API_KEY)
        return modes, parameters.model_copy(update={"sandbox_mode_enabled": True}), []
    if Provider.API_KEY in modes:
        return modes, parameters.model_copy(update={"sandbox_mode_enabled": True}), []
    location = schema.global_public_rule
    return modes, parameters, [
        warning(
            "amplify.sandbox-no-api-key",
            "input AMPLIFY's globalAuthRule (allow: public) needs an API key, and the API has no apiKey auth "
            "mode: sandbox mode stays off, so models without @auth are closed to everyone (as the Amplify CLI "
            "does). Add an API key, or remove the AMPLIFY input.",
            file=location.file,
            line=location.line,
            column=location.column,
        )
    ]


def _in_reading_order(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(diagnostics, key=lambda d: (d.file or "", d.line or 0, d.column or 0))


def load_project(
    schema_path: Path,
    *,
    group_file_path: Path | None = None,
    auth_modes: list[Provider] | None = None,
    auth_modes_source: str | None = None,
    parameters: TransformParameters | None = None,
    environment: AuthEnvironment | None = None,
    api: str | None = None,
    conflict_resolution: ConflictResolution | None = None,
) -> tuple[Project | None, list[Diagnostic]]:
    """Load and cross-check a project. Unreadable files raise `UnreadableInput` (a usage error).

    `schema_path` is a schema file, a split-schema folder or a project folder (`api` names the Amplify API
    when the project has several); an ambiguous or empty project raises `ProjectLayoutError`.

    Returns every diagnostic found (errors and warnings; those the project silenced are marked `silenced`)
    and the project only when there are no errors.
    """
    with paused_gc():
        project, diagnostics = _load_project(
            schema_path,
            group_file_path=group_file_path,
            auth_modes=auth_modes,
            auth_modes_source=auth_modes_source,
            parameters=parameters,
            environment=environment,
            api=api,
            conflict_resolution=conflict_resolution,
        )
    return project, apply_silencing(diagnostics, resolve_schema_path(schema_path, api))


def _load_project(
    schema_path: Path,
    *,
    group_file_path: Path | None,
    auth_modes: list[Provider] | None,
    auth_modes_source: str | None,
    parameters: TransformParameters | None,
    environment: AuthEnvironment | None,
    api: str | None,
    conflict_resolution: ConflictResolution | None = None,
) -> tuple[Project | None, list[Diagnostic]]:
    schema_path = resolve_schema_path(schema_path, api)
    diagnostics: list[Diagnostic] = []
    if parameters is None:
        parameters, diagnostics = load_transform_parameters(schema_path)
    params = parameters
    schema, schema_diagnostics = load_schema(
        schema_path,
        sub_username_identity_claim=params.use_sub_username_for_default_identity_claim,
        respect_primary_key_attributes=params.respect_primary_key_attributes_on_connection_field,
    )
    diagnostics.extend(schema_diagnostics)
    group_path = group_file_path or find_group_file(schema_path)
    group_file: GroupFile | None = None
    if group_path is not None:
        group_file, group_diagnostics = load_group_file(group_path)
        diagnostics.extend(group_diagnostics)
    conflict_source: str | None = "--conflict-resolution"
    if conflict_resolution is None:
        conflict_resolution, conflict_source, conflict_diagnostics = project_conflict_resolution(schema_path)
        diagnostics.extend(conflict_diagnostics)
    custom, custom_diagnostics = load_custom_resolvers(schema_path)
    diagnostics.extend(custom_diagnostics)
    if schema is None:
        return None, _in_reading_order(diagnostics)
    if conflict_resolution is not None and conflict_resolution.enabled:
        diagnostics.extend(check_against_models(conflict_resolution, list(schema.models), conflict_source))
        diagnostics.extend(datastore_relation_problems(schema))
    diagnostics.extend(check_group_names(schema, group_file, group_path))
    modes, source = auth_modes, auth_modes_source or "--auth-modes"
    if modes is None:
        modes, source = discover_auth_modes(schema_path) or (None, "default")
    modes, params, sandbox_diagnostics = apply_global_auth_rule(schema, modes, params)
    diagnostics.extend(sandbox_diagnostics)
    if has_errors(diagnostics):
        return None, _in_reading_order(diagnostics)
    matrix, matrix_diagnostics = build_matrix(schema, modes, params, conflict_resolution)
    diagnostics.extend(matrix_diagnostics)
    if matrix is None:
        return None, _in_reading_order(diagnostics)
    diagnostics.extend(required_fields_without_read(schema, matrix))
    diagnostics.extend(lint(schema, matrix, group_file, group_file_path=group_path))
    diagnostics.extend(custom_resolver_problems(schema, matrix, custom))
    if has_errors(diagnostics):
        return None, _in_reading_order(diagnostics)
    project = Project(
        schema_path=schema_path,
        schema=schema,
        group_file_path=group_path,
        group_file=group_file,
        matrix=matrix,
        auth_modes_source=source if modes is not None else "default: userPools plus the providers the rules use",
        environment=environment or AuthEnvironment(),
        conflict_resolution_source=conflict_source if conflict_resolution is not None else None,
        custom_resolvers=custom,
    )
    return project, _in_reading_order(diagnostics)
