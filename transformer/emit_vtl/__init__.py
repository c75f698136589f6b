"""AppSync resolver templates (VTL, 2018-05-29) written from the access matrix: one module per concern.

`build_pipelines(matrix, environment)` gives every pipeline with its functions' templates;
`emit_resolvers(project, out_dir)` writes them to `out_dir/resolvers/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from transformer.emit_vtl.layout import (
    Pipeline,
    PipelineFunction,
    Slot,
    build_pipelines,
    resolver_files,
    write_resolvers,
)

if TYPE_CHECKING:
    from transformer.project import Project


def emit_resolvers(project: Project, out_dir: Path) -> None:
    """The `transform` emitter: `out_dir/resolvers/<Type>.<field>.<slot>.<n>.req.vtl` / `.res.vtl`."""
    write_resolvers(build_pipelines(project.matrix, project.environment, project.schema), out_dir)


__all__ = ["Pipeline", "PipelineFunction", "Slot", "build_pipelines", "emit_resolvers", "resolver_files", "write_resolvers"]
