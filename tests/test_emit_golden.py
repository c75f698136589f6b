"""Every sample schema x every output of ours, compared with checked-in expected files."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_files import GOLDEN_ROOT, assert_matches_golden, input_dir, samples

from transformer.auth_modes import parse_auth_modes
from transformer.emit import emit_matrix_file, emit_schema_file, transform
from transformer.emit_permissions import render_table
from transformer.emit_schema import load_output_schema
from transformer.project import Project, load_project


def _project(sample: str) -> Project:
    folder = input_dir(sample)
    modes_file = GOLDEN_ROOT / sample / "auth-modes.txt"
    modes = parse_auth_modes(modes_file.read_text(encoding="utf-8")) if modes_file.is_file() else None
    project, diagnostics = load_project(folder / "schema.graphql", auth_modes=modes)
    assert project is not None, [d.render() for d in diagnostics]
    return project


@pytest.mark.parametrize("sample", samples())
def test_transform_outputs_match_golden(sample: str, tmp_path: Path) -> None:
    project = _project(sample)
    out = tmp_path / "build"
    transform(project, out, emitters=[emit_schema_file, emit_matrix_file])
    for name in ("schema.graphql", "access-matrix.json"):
        assert_matches_golden(GOLDEN_ROOT / sample / "expected" / name, (out / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("sample", samples())
@pytest.mark.parametrize(("fmt", "suffix"), [("table", "txt"), ("markdown", "md"), ("html", "html"), ("json", "json")])
def test_permission_table_matches_golden(sample: str, fmt: str, suffix: str) -> None:
    project = _project(sample)
    rendered = render_table(project.matrix, project.group_file, fmt)
    assert_matches_golden(GOLDEN_ROOT / sample / "expected" / f"matrix.{suffix}", rendered)


@pytest.mark.parametrize("sample", samples())
def test_output_schema_is_a_valid_schema(sample: str) -> None:
    project = _project(sample)
    out = (GOLDEN_ROOT / sample / "expected" / "schema.graphql").read_text(encoding="utf-8")
    schema = load_output_schema(out)
    for access in project.matrix.models.values():
        assert schema.get_type(access.name) is not None
