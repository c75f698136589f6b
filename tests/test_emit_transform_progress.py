"""A long transform reports its stages on stderr; a short one prints nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from transformer import progress as progress_module
from transformer.emit import emit_matrix_file, emit_schema_file, transform
from transformer.progress import Progress
from transformer.project import load_project

BLOG = Path(__file__).parent.parent / "samples" / "blog" / "schema.graphql"


def _transform(tmp_path: Path, report: Progress) -> None:
    project, _ = load_project(BLOG)
    assert project is not None
    transform(project, tmp_path / "build", emitters=[emit_schema_file, emit_matrix_file], progress=report)


def test_a_transform_within_the_quiet_second_prints_nothing(tmp_path: Path) -> None:
    stream = io.StringIO()
    _transform(tmp_path, Progress(stream))
    assert stream.getvalue() == ""


def test_past_the_quiet_second_each_stage_is_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    stream = io.StringIO()
    report = Progress(stream)
    _transform(tmp_path, report)
    report.done()
    lines = stream.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        "transform: writing schema file", "transform: writing matrix file", "transform: replacing the build folder"]


def test_quiet_turns_it_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "QUIET_SECONDS", 0.0)
    stream = io.StringIO()
    _transform(tmp_path, Progress(stream, enabled=False))
    assert stream.getvalue() == ""
