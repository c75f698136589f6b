"""`gqlauth transform` and `check` with conflict resolution (DataStore sync) on: the project's setting is picked up,
the sync queries are real operations protected like list, and what Amplify rejects is rejected."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from differential_support import DATASTORE, read_case

from transformer.cli import cli
from transformer.matrix import OperationKind
from transformer.project import load_project
from transformer.rules import Operation

SAMPLE = Path(__file__).parent / "datastore_project"
REJECTED = DATASTORE / "rejected"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "app")
    return tmp_path / "app"


def test_transform_picks_up_the_projects_conflict_resolution(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["transform", str(project), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "conflict resolution from" in result.output and "cli-inputs.json" in result.output
    schema = (out / "schema.graphql").read_text(encoding="utf-8")
    assert "syncNotes(filter: ModelNoteFilterInput, limit: Int, nextToken: String, lastSync: AWSTimestamp): " \
           "ModelNoteConnection" in schema
    assert "_version: Int!" in schema and "_lastChangedAt: AWSTimestamp!" in schema
    matrix = json.loads((out / "access-matrix.json").read_text(encoding="utf-8"))
    assert matrix["operations"]["Query.syncNotebooks"]["kind"] == "sync"
    assert matrix["conflict_resolution"]["models"]["Note"]["conflict_handler"] == "LAMBDA"


def test_without_conflict_resolution_nothing_changes(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["transform", str(project), "--conflict-resolution", "NONE", "-o", str(out)])
    assert result.exit_code == 0, result.output
    schema = (out / "schema.graphql").read_text(encoding="utf-8")
    assert "sync" not in schema and "_version" not in schema and "startedAt" not in schema
    assert "conflict_resolution" in json.loads((out / "access-matrix.json").read_text(encoding="utf-8"))


def test_standalone_schema_takes_the_option(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    shutil.copy(SAMPLE / "amplify/backend/api/notesapp/schema.graphql", schema)
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["transform", str(schema), "--conflict-resolution", "OPTIMISTIC_CONCURRENCY",
                                      "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "syncNotebooks(" in (out / "schema.graphql").read_text(encoding="utf-8")
    bad = CliRunner().invoke(cli, ["transform", str(schema), "--conflict-resolution", "SOMETIMES", "-o", str(out)])
    assert bad.exit_code == 2 and "--conflict-resolution" in bad.output


def test_sync_is_protected_like_list(project: Path) -> None:
    loaded, _ = load_project(project)
    assert loaded is not None
    for model in ("Notebook", "Note"):
        access = loaded.matrix.models[model]
        assert [r.name for r in access.roles_for(Operation.SYNC)] == [r.name for r in access.roles_for(Operation.LIST)]
        syncs = [op for op in loaded.matrix.operations_of(model) if op.kind is OperationKind.SYNC]
        assert len(syncs) == 1
    schema = CliRunner().invoke(cli, ["transform", str(project), "-o", str(project.parent / "b")])
    assert schema.exit_code == 0, schema.output
    text = (project.parent / "b" / "schema.graphql").read_text(encoding="utf-8")
    list_line = next(line for line in text.splitlines() if line.strip().startswith("listNotes("))
    sync_line = next(line for line in text.splitlines() if line.strip().startswith("syncNotes("))
    assert list_line.rsplit(")", 1)[1].split(":", 1)[1] == sync_line.rsplit(")", 1)[1].split(":", 1)[1]


def test_check_says_where_sync_was_read(project: Path) -> None:
    result = CliRunner().invoke(cli, ["check", str(project)])
    assert result.exit_code == 0, result.output
    assert "conflict resolution on (" in result.output and "cli-inputs.json)" in result.output


@pytest.mark.parametrize("name", ["has-many-both-ways", "per-model-without-default"])
def test_check_rejects_what_amplify_rejects_with_sync_on(name: str, tmp_path: Path) -> None:
    """Amplify's verdicts recorded beside the schemas (`<name>.amplify.txt`)."""
    case = read_case(REJECTED / f"{name}.graphql")
    amplify = (REJECTED / f"{name}.amplify.txt").read_text(encoding="utf-8")
    assert amplify.startswith("TRANSFORM FAILED")
    result = CliRunner().invoke(cli, ["check", case.file, "--auth-modes", ",".join(case.auth_modes),
                                      "--conflict-resolution", "NONE"])
    assert result.exit_code == 0, result.output
    loaded, diagnostics = load_project(Path(case.file), auth_modes=None, conflict_resolution=case.conflict_resolution)
    assert loaded is None
    messages = [d.message for d in diagnostics if d.severity.value == "error"]
    assert len(messages) == 1
    if "InvalidDirectiveError" in amplify:
        assert messages[0] in amplify
    else:
        assert "ConflictDetection" in messages[0] and "Book" in messages[0]
