"""`gqlauth transform` and `gqlauth matrix`: what they write, where, and their exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from transformer.cli import cli
from transformer.diagnostics import InputError, error
from transformer.emit import emit_matrix_file, emit_schema_file, transform
from transformer.output_folder import MARKER_FILE, write_marker
from transformer.project import load_project
from transformer.rules import Provider

BLOG = Path(__file__).parent / "conformance" / "blog"
MODES = "userPools,apiKey,iam"


@pytest.fixture
def blog(tmp_path: Path) -> Path:
    folder = tmp_path / "blog"
    folder.mkdir()
    for name in ("schema.graphql", "user-pool-group-precedence.json"):
        shutil.copy(BLOG / name, folder / name)
    return folder


def test_transform_writes_schema_and_matrix(blog: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["transform", str(blog), "--auth-modes", MODES, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "schema.graphql").read_text(encoding="utf-8") == (BLOG / "amplify-output-schema.graphql").read_text(
        encoding="utf-8"
    )
    matrix = json.loads((out / "access-matrix.json").read_text(encoding="utf-8"))
    assert matrix["version"] == 1 and set(matrix["models"]) == {"Post", "Comment"}
    assert "wrote" in result.stderr


def test_transform_with_errors_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text('type Post @model @auth(rules: [{allow: groups}]) { id: ID! }\n', encoding="utf-8")
    out = tmp_path / "build"
    result = CliRunner().invoke(cli, ["transform", str(schema), "-o", str(out)])
    assert result.exit_code == 1
    assert "nothing written" in result.stderr
    assert not out.exists()


def test_transform_with_a_missing_provider_is_an_error(blog: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["transform", str(blog), "--auth-modes", "userPools", "-o", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "apiKey" in result.stderr


def test_transform_bad_auth_mode_is_a_usage_error(blog: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["transform", str(blog), "--auth-modes", "kerberos", "-o", str(tmp_path / "b")])
    assert result.exit_code == 2


def test_failed_emitter_leaves_the_previous_build_untouched(blog: Path, tmp_path: Path) -> None:
    project, diagnostics = load_project(
        blog / "schema.graphql", auth_modes=[Provider.USER_POOLS, Provider.API_KEY, Provider.IAM]
    )
    assert project is not None, diagnostics
    out = tmp_path / "build"
    out.mkdir()
    write_marker(out)
    (out / "old.txt").write_text("previous build", encoding="utf-8")

    def broken(project: object, out_dir: Path) -> None:
        (out_dir / "half.txt").write_text("half", encoding="utf-8")
        raise InputError([error("test.broken", "emitter failed")])

    with pytest.raises(InputError):
        transform(project, out, emitters=[emit_schema_file, broken])
    assert sorted(p.name for p in out.iterdir()) == [MARKER_FILE, "old.txt"]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".build")] == []


def test_successful_transform_replaces_the_previous_build(blog: Path, tmp_path: Path) -> None:
    project, _ = load_project(blog / "schema.graphql", auth_modes=[Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    assert project is not None
    out = tmp_path / "build"
    out.mkdir()
    write_marker(out)
    (out / "stale.txt").write_text("stale", encoding="utf-8")
    written = transform(project, out, emitters=[emit_schema_file, emit_matrix_file])
    assert sorted(p.name for p in out.iterdir()) == [MARKER_FILE, "access-matrix.json", "schema.graphql"]
    assert sorted(p.name for p in written) == ["access-matrix.json", "schema.graphql"]


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "json"])
def test_matrix_prints_every_format_to_stdout(blog: Path, fmt: str) -> None:
    result = CliRunner().invoke(cli, ["matrix", str(blog), "--auth-modes", MODES, "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "Admins" in result.stdout and "Post" in result.stdout
    if fmt == "json":
        table = json.loads(result.stdout)
        post = next(m for m in table["models"] if m["model"] == "Post")
        assert [r["label"] for r in post["rows"]][:3] == ["group Admins", "group Editors", "group Viewers"]
    if fmt == "html":
        assert result.stdout.startswith("<!DOCTYPE html>") and 'class="none"' in result.stdout


def test_matrix_with_errors_exits_1_and_prints_no_table(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text('type Post @model @auth(rules: [{allow: groups}]) { id: ID! }\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["matrix", str(schema)])
    assert result.exit_code == 1
    assert result.stdout == ""
