"""Reading the user's SDL for the output schema: Amplify's own directives dropped, the rest kept as text."""

from __future__ import annotations

import re

from graphql import (
    FieldDefinitionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeNode,
    print_ast,
)

from transformer.sdl_document import SdlField

TRANSFORMER_DIRECTIVES = frozenset(
    {
        "model",
        "auth",
        "primaryKey",
        "index",
        "hasOne",
        "hasMany",
        "belongsTo",
        "manyToMany",
        "default",
        "validate",
        "function",
        "http",
        "searchable",
        "predictions",
        "mapsTo",
        "refersTo",
        "sql",
    }
)
"""Directives Amplify consumes while transforming; they never reach the output schema."""

def kept_directives(node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode | FieldDefinitionNode) -> list[str]:
    return [print_ast(d) for d in node.directives or () if d.name.value not in TRANSFORMER_DIRECTIVES]


_TOKEN = re.compile(r'"""(?:\\"""|[\s\S])*?"""|"(?:\\.|[^"\\\n])*"|#[^\n]*|@[_A-Za-z][_0-9A-Za-z]*|[()]')
_IGNORED = " \t\r\n,"


def _skip_arguments(sdl: str, start: int) -> int:
    """The index after a balanced `(...)` starting at `start` (strings and comments skipped)."""
    depth = 0
    position = start
    while True:
        token = _TOKEN.search(sdl, position)
        if token is None:
            return len(sdl)
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth -= 1
            if depth == 0:
                return token.end()
        position = token.end()


def strip_directives(sdl: str, names: frozenset[str] = TRANSFORMER_DIRECTIVES) -> str:
    """The SDL without the named directives (and their arguments), for a cheap re-parse.

    Amplify's `@auth` rules are most of a schema's text and none of its output; dropping them before
    graphql-core parses the document makes the emitter several times faster on large schemas.
    """
    pieces: list[str] = []
    last = position = 0
    while True:
        token = _TOKEN.search(sdl, position)
        if token is None:
            break
        text = token.group()
        if text.startswith("@") and text[1:] in names:
            end = token.end()
            look = end
            while look < len(sdl) and sdl[look] in _IGNORED:
                look += 1
            if look < len(sdl) and sdl[look] == "(":
                end = _skip_arguments(sdl, look)
            pieces.append(sdl[last : token.start()])
            pieces.append(" ")
            last = position = end
        else:
            position = token.end()
    pieces.append(sdl[last:])
    return "".join(pieces)


def base_type_name(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    return node.name.value  # type: ignore[attr-defined, no-any-return]


def is_list_type(node: TypeNode) -> bool:
    inner = node.type if isinstance(node, NonNullTypeNode) else node
    return isinstance(inner, ListTypeNode)


def type_text(node: TypeNode) -> str:
    if isinstance(node, NonNullTypeNode):
        return type_text(node.type) + "!"
    if isinstance(node, ListTypeNode):
        return f"[{type_text(node.type)}]"
    return node.name.value  # type: ignore[attr-defined]


def field_from_node(node: FieldDefinitionNode) -> SdlField:
    return SdlField(
        name=node.name.value,
        type=type_text(node.type),
        args=[print_ast(a) for a in node.arguments or ()],
        directives=kept_directives(node),
        description=print_ast(node.description) if node.description else None,
    )


__all__ = ["TRANSFORMER_DIRECTIVES", "field_from_node", "kept_directives", "strip_directives", "type_text"]
