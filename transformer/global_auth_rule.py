"""The starter schema's global rule: `input AMPLIFY { globalAuthRule: AuthRule = { allow: public } }`.

Every new Gen 1 API starts with it. The Amplify CLI reads it before transforming: `allow: public` turns on
sandbox mode (models without `@auth` are open to API-key requests) when the API has an API key, and any other
value is an error. The transformer never copies the input into the output schema.
"""

from __future__ import annotations

from graphql import DocumentNode, InputObjectTypeDefinitionNode, NamedTypeNode, ObjectValueNode

from transformer.diagnostics import Diagnostic, error
from transformer.rules import SourceLocation

AMPLIFY_INPUT = "AMPLIFY"
GLOBAL_RULE_FIELDS = ("globalAuthRule", "global_auth_rule")
DOCS = "https://docs.amplify.aws/cli/graphql/authorization-rules"


def amplify_inputs(document: DocumentNode) -> list[InputObjectTypeDefinitionNode]:
    return [
        d
        for d in document.definitions
        if isinstance(d, InputObjectTypeDefinitionNode) and d.name.value == AMPLIFY_INPUT
    ]


def read_global_auth_rule(
    node: InputObjectTypeDefinitionNode, location: SourceLocation | None
) -> tuple[bool, list[Diagnostic]]:
    """Whether the input asks for sandbox mode; errors where the CLI would stop."""
    where: dict[str, object] = (
        {} if location is None else {"file": location.file, "line": location.line, "column": location.column}
    )
    field = next((f for f in node.fields or () if f.name.value in GLOBAL_RULE_FIELDS), None)
    if field is None:
        return False, [error("amplify.global-rule", f'input AMPLIFY requires "globalAuthRule" field. Learn more here: {DOCS}', **where)]
    default = field.default_value
    first = default.fields[0] if isinstance(default, ObjectValueNode) and default.fields else None
    is_public = (
        isinstance(field.type, NamedTypeNode)
        and field.type.name.value == "AuthRule"
        and first is not None
        and first.name.value == "allow"
        and getattr(first.value, "value", None) == "public"
    )
    if not is_public:
        return False, [
            error(
                "amplify.global-rule",
                "There was a problem with your auth configuration: the global rule must be "
                f"'globalAuthRule: AuthRule = {{ allow: public }}'. Learn more about auth here: {DOCS}",
                **where,
            )
        ]
    return True, []


def without_definitions(text: str, nodes: list[InputObjectTypeDefinitionNode]) -> str:
    """The SDL text with these definitions blanked out (line and column of everything else unchanged)."""
    pieces = sorted((n.loc.start, n.loc.end) for n in nodes if n.loc is not None)
    for start, end in reversed(pieces):
        text = text[:start] + "".join(ch if ch == "\n" else " " for ch in text[start:end]) + text[end:]
    return text


__all__ = ["AMPLIFY_INPUT", "amplify_inputs", "read_global_auth_rule", "without_definitions"]
