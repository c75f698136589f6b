"""AppSync resolver templates (VTL, 2018-05-29) written from the access matrix: one module per concern.

`build_pipelines(matrix, environment)` gives every pipeline with its functions' templates;
`emit_resolvers(project, out_dir)` writes them to `out_dir/resolvers/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transformer.emit_vtl.deployment import PLACEHOLDERS
from transformer.emit_vtl.layout import (
    Pipeline,
    PipelineFunction,
    Slot,
    build_pipelines,
    resolver_files,
    write_resolvers,
)
from transformer.emit_vtl.memo import templates_memoized

if TYPE_CHECKING:
    from transformer.project import Project


_LAST_BUILT: list[tuple[Project, list[Pipeline]]] = []


def project_pipelines(project: Project) -> list[Pipeline]:
    """The project's pipelines as deployed, built once per transform: the resolver files and `stack.json` both
    need them. Their init templates hold the deployment's placeholders (`deployment.py`), not local values.

    Keyed by identity (a project is not hashable); the entry keeps its project alive, so the key cannot
    be reused by another object while it is cached.
    """
    for cached_project, pipelines in _LAST_BUILT:
        if cached_project is project:
            return pipelines
    with templates_memoized():
        pipelines = build_pipelines(project.matrix, PLACEHOLDERS, project.schema)
    _LAST_BUILT[:] = [(project, pipelines)]
    return pipelines


def emit_resolvers(project: Project, out_dir: Path) -> None:
    """The `transform` emitter: `out_dir/resolvers/<Type>.<field>.<slot>.<n>.req.vtl` / `.res.vtl`."""
    write_resolvers(project_pipelines(project), out_dir)


__all__ = ["Pipeline", "PipelineFunction", "Slot", "build_pipelines", "emit_resolvers", "project_pipelines", "resolver_files", "write_resolvers"]
