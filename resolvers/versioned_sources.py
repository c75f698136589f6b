"""Each model's versioned data source for `serve`: its strategy from the project's conflict resolution, and for
LAMBDA the local stand-in for the conflict handler, found in `gqlauth.json`'s `functions` as `@function`
handlers are (`{"functions": {"notesconflict-${env}": "conflict.py"}}`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resolvers.versioning import ConflictHandlerFailed, Versioning
from transformer.conflict_resolution import ConflictHandler
from transformer.matrix import AccessMatrix
from transformer.schema_model import ParsedSchema


def model_versioning(matrix: AccessMatrix, schema: ParsedSchema | None) -> dict[str, Versioning]:
    """Model name -> its versioned data source; empty when conflict resolution is off."""
    config = matrix.conflict_resolution
    if config is None or not matrix.versioned:
        return {}
    found: dict[str, Versioning] = {}
    for name in matrix.models:
        sync = config.for_model(name)
        if sync is None:
            continue
        handler = None
        if sync.conflict_handler is ConflictHandler.LAMBDA and sync.lambda_conflict_handler is not None:
            handler = _lazy_handler(sync.lambda_conflict_handler.name, schema)
        found[name] = Versioning(strategy=sync.conflict_handler, handler=handler)
    return found


def _lazy_handler(function_name: str, schema: ParsedSchema | None) -> Any:
    """Loads the handler on the first conflict, so a project without one still serves every other request."""

    def call(event: dict[str, Any]) -> Any:
        from resolvers.server.errors import AppSyncError
        from resolvers.server.handlers import FieldHandlers, amplify_env_name
        from transformer.transform_settings import project_settings

        if schema is None:
            raise ConflictHandlerFailed(f"the conflict handler {function_name!r} needs the project's gqlauth.json")
        schema_file = Path(schema.file)
        handlers = FieldHandlers(project_settings(schema_file), schema_file.parent, amplify_env_name(schema_file))
        try:
            handler = handlers.function(function_name)
        except AppSyncError as exc:
            raise ConflictHandlerFailed(exc.message.replace("@function", "conflict handler")) from None
        return handler(event)

    return call
