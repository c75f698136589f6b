"""The rejection Amplify's `@http` transformer makes: the `url` must begin with `http://` or `https://`.

(`@default`, `@searchable` and relational checks live in `model_validation.py` and the modules it uses.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from graphql import (
    DirectiveNode,
    DocumentNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    value_from_ast_untyped,
)

from transformer.diagnostics import Diagnostic, error
from transformer.rules import SourceLocation

Locate = Callable[[DirectiveNode], SourceLocation | None]


def _where(location: SourceLocation | None) -> dict[str, object]:
    return {} if location is None else {"file": location.file, "line": location.line, "column": location.column}


def validate_directive_values(document: DocumentNode, locate: Locate) -> list[Diagnostic]:
    """Every `@http` whose `url` Amplify rejects, at the directive."""
    problems: list[Diagnostic] = []
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        for field in definition.fields or ():
            for directive in field.directives or ():
                if directive.name.value != "http":
                    continue
                url_node = next((a.value for a in directive.arguments or () if a.name.value == "url"), None)
                url = value_from_ast_untyped(url_node) if url_node is not None else None
                if not isinstance(url, str) or not re.match(r"^https?://", url):
                    problems.append(error("http.url", f"@http directive on {definition.name.value}.{field.name.value} "
                                          "requires a url parameter that begins with http:// or https://.",
                                          **_where(locate(directive))))
    return problems
