"""A warning for `@function` / `@http` fields `serve` has nothing to call for.

`serve` calls what `gqlauth.json` beside the schema names (`functions`, `http`; see
`resolvers.server.handlers`); a field without an entry answers a `NotConfigured` error. `check` says so
before anyone calls it.
"""

from __future__ import annotations

from pathlib import Path

from transformer.diagnostics import Diagnostic, warning
from transformer.resolver_directives import resolver_fields
from transformer.schema_model import ParsedSchema
from transformer.transform_settings import SETTINGS_FILE_NAME, project_settings


def unconfigured_handlers(schema: ParsedSchema) -> list[Diagnostic]:
    """One warning per `@function` name or `@http` origin of the schema that `gqlauth.json` does not map."""
    declared = resolver_fields(schema.sdl)
    if not declared:
        return []
    settings = Path(schema.file).parent / SETTINGS_FILE_NAME
    configured = project_settings(Path(schema.file))
    functions, origins = set(configured.functions), set(configured.http)
    where = {"file": str(settings if settings.is_file() else schema.file)}
    problems: list[Diagnostic] = []
    for field in declared:
        owner = f"{field.type_name}.{field.field_name}"
        for name in field.functions:
            if name not in functions and name.replace("-${env}", "") not in functions:
                problems.append(warning(
                    "lint.handler-missing",
                    f'{owner}: @function(name: "{name}") has no local handler, so serve answers it with a '
                    f'NotConfigured error; add {{"functions": {{"{name}": "module:callable"}}}} to {SETTINGS_FILE_NAME}',
                    **where,
                ))
        if field.http is not None and field.http.origin not in origins and field.http.origin + "/" not in origins:
            problems.append(warning(
                "lint.handler-missing",
                f"{owner}: @http origin {field.http.origin} has no local endpoint, so serve answers it with a "
                f'NotConfigured error; add {{"http": {{"{field.http.origin}": "http://127.0.0.1:PORT"}}}} to '
                f"{SETTINGS_FILE_NAME}",
                **where,
            ))
    return problems
