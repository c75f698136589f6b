"""The rejections Amplify's `@http` and `@function` transformers make, with their messages.

* `@http`: the `url` must begin with `http://` or `https://`.
* `@function(invocationType: Event)`: only on a Query or Mutation field; when it is the field's last
  `@function`, the field returns `EventInvocationResponse`, which the schema defines as
  `type EventInvocationResponse { success: Boolean! }`.

(`@default`, `@searchable` and relational checks live in `model_validation.py` and the modules it uses.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldDefinitionNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    print_ast,
    value_from_ast_untyped,
)

from transformer.diagnostics import Diagnostic, error
from transformer.rules import SourceLocation

Locate = Callable[[DirectiveNode], SourceLocation | None]
EVENT_RESPONSE = "EventInvocationResponse"
EVENT_SHAPE = "type EventInvocationResponse { success: Boolean! }"


def _where(location: SourceLocation | None) -> dict[str, object]:
    return {} if location is None else {"file": location.file, "line": location.line, "column": location.column}


def _event_shape_ok(document: DocumentNode) -> bool:
    found = next((d for d in document.definitions
                  if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == EVENT_RESPONSE), None)
    if found is None or len(found.fields or ()) != 1:
        return False
    only = (found.fields or ())[0]
    return (only.name.value == "success" and isinstance(only.type, NonNullTypeNode)
            and isinstance(only.type.type, NamedTypeNode) and only.type.type.name.value == "Boolean")


def _event_problems(document: DocumentNode, type_name: str, field: FieldDefinitionNode) -> list[str]:
    """Amplify's checks of `@function(invocationType: Event)` on one field, in its order."""
    functions = [d for d in field.directives or () if d.name.value == "function"]
    events = [d for d in functions if any(a.name.value == "invocationType" and value_from_ast_untyped(a.value) == "Event"
                                          for a in d.arguments or ())]
    if not events:
        return []
    if type_name not in ("Query", "Mutation"):
        return ["@function definition with 'invocationType: Event' must be defined on Query or Mutation field."]
    if functions[-1] not in events:
        return []
    if not (isinstance(field.type, NamedTypeNode) and field.type.name.value == EVENT_RESPONSE):
        return [f"Invalid return type {print_ast(field.type)} for {type_name}.{field.name.value}.\n"
                f"Use return type '{EVENT_RESPONSE}' and, if necessary, add '{EVENT_SHAPE}' to your model schema."]
    if not _event_shape_ok(document):
        defined = any(isinstance(d, ObjectTypeDefinitionNode) and d.name.value == EVENT_RESPONSE for d in document.definitions)
        if defined:
            return [f"Invalid '{EVENT_RESPONSE}' definition. Update the type definition in your schema to:\n{EVENT_SHAPE}"]
        return [f"Missing '{EVENT_RESPONSE}' definition. Add this type definition to your schema:\n{EVENT_SHAPE}"]
    return []


def validate_directive_values(document: DocumentNode, locate: Locate) -> list[Diagnostic]:
    """Every `@http` and `@function` use Amplify rejects, at the directive."""
    problems: list[Diagnostic] = []
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        for field in definition.fields or ():
            first_function = next((d for d in field.directives or () if d.name.value == "function"), None)
            for message in _event_problems(document, definition.name.value, field):
                problems.append(error("function.event", message, **_where(locate(first_function))))  # type: ignore[arg-type]
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
