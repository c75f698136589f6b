"""Conflict resolution is read where the Amplify CLI keeps it, converted as the CLI converts it, and bad values
are errors with the file and JSON path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from transformer.conflict_resolution import (
    ConflictHandler,
    ConflictResolution,
    from_cli_inputs,
    parse_conflict_option,
    project_conflict_resolution,
)
from transformer.project import load_project

SAMPLE = Path(__file__).parent / "datastore_project"
API = Path("amplify/backend/api/notesapp")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "app")
    return tmp_path / "app"


def _cli_inputs(project: Path, conflict: object) -> None:
    path = project / API / "cli-inputs.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    if conflict is None:
        data["serviceConfiguration"].pop("conflictResolution")
    else:
        data["serviceConfiguration"]["conflictResolution"] = conflict
    path.write_text(json.dumps(data), encoding="utf-8")


def test_cli_inputs_default_and_per_model_strategies(project: Path) -> None:
    found, source, problems = project_conflict_resolution(project / API / "schema.graphql")
    assert not problems and source is not None and source.endswith("cli-inputs.json")
    assert found is not None and found.enabled
    assert found.project is not None and found.project.conflict_handler is ConflictHandler.AUTOMERGE
    note = found.for_model("Note")
    assert note is not None and note.conflict_handler is ConflictHandler.LAMBDA
    assert note.lambda_conflict_handler is not None and note.lambda_conflict_handler.name == "notesconflict-${env}"
    assert found.for_model("Notebook") == found.project


def test_cli_inputs_win_over_transform_conf(project: Path) -> None:
    found, _, _ = project_conflict_resolution(project)
    assert found is not None and found.project is not None
    assert found.project.conflict_handler is ConflictHandler.AUTOMERGE


def test_transform_conf_is_read_when_cli_inputs_say_nothing(project: Path) -> None:
    _cli_inputs(project, None)
    found, source, problems = project_conflict_resolution(project)
    assert not problems and source is not None and source.endswith("transform.conf.json")
    assert found is not None and found.project is not None
    assert found.project.conflict_handler is ConflictHandler.OPTIMISTIC_CONCURRENCY
    _cli_inputs(project, {})
    again, source, _ = project_conflict_resolution(project)
    assert again == found and source is not None and source.endswith("transform.conf.json")


def test_a_none_default_turns_sync_off_without_reading_transform_conf(project: Path) -> None:
    """The CLI's conversion gives `{project: undefined}`, which is not empty: transform.conf.json is not read."""
    _cli_inputs(project, {"defaultResolutionStrategy": {"type": "NONE"}})
    found, source, problems = project_conflict_resolution(project)
    assert not problems and source is not None and source.endswith("cli-inputs.json")
    assert found is not None and not found.enabled


def test_no_setting_anywhere_is_no_sync(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    shutil.copy(SAMPLE / API / "schema.graphql", schema)
    assert project_conflict_resolution(schema) == (None, None, [])
    loaded, _ = load_project(schema, auth_modes=None)
    assert loaded is not None and not loaded.matrix.versioned
    assert not any(op.kind.value == "sync" for op in loaded.matrix.operations.values())


def test_bad_strategy_is_an_error_with_file_and_json_path(project: Path) -> None:
    _cli_inputs(project, {"defaultResolutionStrategy": {"type": "MERGE_EVERYTHING"}})
    loaded, diagnostics = load_project(project)
    assert loaded is None
    bad = [d for d in diagnostics if d.code == "conflict-resolution.invalid"]
    assert bad and bad[0].file is not None and bad[0].file.endswith("cli-inputs.json")
    assert bad[0].json_path == "serviceConfiguration.conflictResolution.defaultResolutionStrategy.type"


def test_new_lambda_resolver_is_an_error(project: Path) -> None:
    _cli_inputs(project, {"perModelResolutionStrategy": [
        {"entityName": "Note", "resolutionStrategy": {"type": "LAMBDA", "resolver": {"type": "NEW"}}}]})
    found, problems = from_cli_inputs(project / API / "cli-inputs.json")
    assert [p.json_path for p in problems] == [
        "serviceConfiguration.conflictResolution.perModelResolutionStrategy[0].resolutionStrategy.resolver"]


def test_transform_conf_lambda_without_handler_is_an_error(project: Path) -> None:
    _cli_inputs(project, None)
    conf = project / API / "transform.conf.json"
    conf.write_text(json.dumps({"Version": 5, "ResolverConfig": {"project": {
        "ConflictHandler": "LAMBDA", "ConflictDetection": "VERSION"}}}), encoding="utf-8")
    loaded, diagnostics = load_project(project)
    assert loaded is None
    assert [(d.code, d.json_path) for d in diagnostics if d.severity.value == "error"] == [
        ("conflict-resolution.lambda", "ResolverConfig.project")]


def test_per_model_strategies_without_a_default_must_cover_every_model(project: Path) -> None:
    """Amplify's transformer fails (TypeError reading ConflictDetection) for a model with no strategy."""
    _cli_inputs(project, {"perModelResolutionStrategy": [
        {"entityName": "Note", "resolutionStrategy": {"type": "AUTOMERGE"}}]})
    loaded, diagnostics = load_project(project)
    assert loaded is None
    missing = [d for d in diagnostics if d.code == "conflict-resolution.model-missing"]
    assert len(missing) == 1 and "Notebook" in missing[0].message and "Note " not in missing[0].message


def test_a_strategy_for_an_unknown_model_is_a_warning(project: Path) -> None:
    _cli_inputs(project, {"defaultResolutionStrategy": {"type": "AUTOMERGE"}, "perModelResolutionStrategy": [
        {"entityName": "Ghost", "resolutionStrategy": {"type": "AUTOMERGE"}}]})
    loaded, diagnostics = load_project(project)
    assert loaded is not None
    assert [d.code for d in diagnostics if d.code.startswith("conflict-resolution")] == [
        "conflict-resolution.unknown-model"]


def test_the_option_overrides_the_project(project: Path) -> None:
    loaded, _ = load_project(project, conflict_resolution=parse_conflict_option("NONE"))
    assert loaded is not None and not loaded.matrix.versioned
    assert loaded.conflict_resolution_source is not None
    lambda_config = parse_conflict_option("LAMBDA:fixer:eu-west-1")
    assert lambda_config.project is not None and lambda_config.project.lambda_conflict_handler is not None
    assert lambda_config.project.lambda_conflict_handler.region == "eu-west-1"
    with pytest.raises(ValueError, match="AUTOMERGE"):
        parse_conflict_option("LAMBDA")


def test_the_matrix_round_trips_with_its_strategies(project: Path) -> None:
    from transformer.matrix import AccessMatrix

    loaded, _ = load_project(project)
    assert loaded is not None
    again = AccessMatrix.model_validate_json(loaded.matrix.model_dump_json())
    assert again.conflict_resolution == loaded.matrix.conflict_resolution
    assert isinstance(again.conflict_resolution, ConflictResolution) and again.versioned
    unsynced, _ = load_project(project, conflict_resolution=ConflictResolution())
    assert unsynced is not None and "conflict_resolution" in unsynced.matrix.model_dump()
    plain = AccessMatrix(auth_modes=loaded.matrix.auth_modes, models={}, operations={})
    assert "conflict_resolution" not in plain.model_dump()


def test_a_bad_value_fails_transform_with_exit_1_and_its_place(project: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from transformer.cli import cli

    _cli_inputs(project, {"defaultResolutionStrategy": {"type": "WHATEVER"}})
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["transform", str(project), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "cli-inputs.json:serviceConfiguration.conflictResolution.defaultResolutionStrategy.type: error:" in result.output
