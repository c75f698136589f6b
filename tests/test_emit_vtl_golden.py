"""Golden files for the blog sample's resolver templates (`GQLAUTH_UPDATE_GOLDEN=1` rewrites them)."""

from __future__ import annotations

from pathlib import Path

from golden_files import GOLDEN_ROOT, assert_matches_golden, input_dir, updating

from transformer.emit_vtl import build_pipelines, emit_resolvers, resolver_files
from transformer.project import load_project

BLOG = GOLDEN_ROOT / "blog"


def _blog_files() -> dict[str, str]:
    project, diagnostics = load_project(input_dir("blog") / "schema.graphql")
    assert project is not None, [d.render() for d in diagnostics]
    return resolver_files(build_pipelines(project.matrix, project.environment))


def test_blog_templates_match_golden_files() -> None:
    files = _blog_files()
    expected_dir = BLOG / "resolvers"
    for name, text in files.items():
        assert_matches_golden(expected_dir / name, text)
    if not updating():
        assert sorted(p.name for p in expected_dir.glob("*.vtl")) == sorted(files)


def test_emitter_writes_the_resolver_folder(tmp_path: Path) -> None:
    project, _ = load_project(input_dir("blog") / "schema.graphql")
    assert project is not None
    emit_resolvers(project, tmp_path)
    emit_resolvers(project, tmp_path)
    written = sorted(p.name for p in (tmp_path / "resolvers").iterdir())
    assert written == sorted(_blog_files())
    assert [p.name for p in tmp_path.iterdir()] == ["resolvers"]
