"""Templates shared within a build (`transformer.emit_vtl.memo`) are byte-identical to templates built afresh."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_files import input_dir, samples

from transformer.emit_vtl import build_pipelines, resolver_files
from transformer.emit_vtl.memo import per_owner, templates_memoized
from transformer.project import load_project
from transformer.rules import Provider

CORPUS = Path(__file__).parent / "differential" / "corpus"
ALL_MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM, Provider.OIDC, Provider.FUNCTION]


def _schemas() -> list[Path]:
    return [input_dir(name) / "schema.graphql" for name in samples()] + sorted(CORPUS.glob("*.graphql"))


@pytest.mark.parametrize("schema", _schemas(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_memoized_build_matches_a_fresh_one(schema: Path) -> None:
    project, diagnostics = load_project(schema, auth_modes=None if schema.parent.name != "corpus" else ALL_MODES)
    if project is None:
        pytest.skip(f"{schema.name} does not load with these modes: {diagnostics[0].render()}")
    fresh = resolver_files(build_pipelines(project.matrix, project.environment, project.schema))
    with templates_memoized():
        shared = resolver_files(build_pipelines(project.matrix, project.environment, project.schema))
    assert shared == fresh


def test_results_are_kept_per_object_and_only_inside_the_block() -> None:
    calls: list[int] = []

    @per_owner
    def build(owner: list[int], suffix: str) -> str:
        calls.append(len(owner))
        return f"{len(owner)}{suffix}"

    first, second = [1], [1, 2]
    assert build(first, "a") == "1a" and build(first, "a") == "1a"
    assert len(calls) == 2
    with templates_memoized():
        assert [build(first, "a"), build(first, "a"), build(second, "a"), build(first, "b")] == ["1a", "1a", "2a", "1b"]
    assert len(calls) == 5
