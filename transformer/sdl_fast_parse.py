"""A parser for the type-system documents users write, building the very AST graphql-core's `parse` builds.

graphql-core's parser reads a character at a time and makes a linked token object per token; on a
400-model schema that is a tenth of a transform. This one reads the whole document with one regular
expression and builds the nodes directly. It knows only the common part of the grammar: type-system
definitions and extensions with constant values, plain and block strings without escapes, integers,
and comments. On anything else (floats, escapes, executable definitions, `extend directive`, and every
syntax error) it gives up with `Unsupported`, and the caller parses with graphql-core, whose tree and
error messages are then the answer. Tests compare both parsers' trees, locations included.

The nodes' locations carry the start and end offsets and the source, which is all that errors and
`to_dict` read; they hold no tokens (`start_token` and `end_token` are None).
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from typing import Any

from graphql import DirectiveLocation, DocumentNode, OperationType, Source
from graphql.language import ast
from graphql.language.ast import Location
from graphql.language.block_string import dedent_block_string_lines


class Unsupported(Exception):
    """The document uses what this parser leaves to graphql-core (or has a syntax error)."""


_TOKEN = re.compile(
    r"""[ \t,\ufeff\r\n]*(?:
      (?P<punct>[!&():=@\[\]{}|])
     |(?P<name>[_A-Za-z][_0-9A-Za-z]*)
     |(?P<int>-?(?:0|[1-9][0-9]*)(?![_0-9A-Za-z.]))
     |(?P<block>\"\"\"(?:[^"\\\ud800-\udfff]|"(?!"")|\\(?!\"\"\"))*\"\"\")
     |"(?P<string>[^"\\\r\n\ud800-\udfff]*)"
     |\#(?P<comment>[^\r\n\ud800-\udfff]*)(?=[\r\n]|\Z)
    )""",
    re.VERBOSE,
)
_TRAILING = re.compile(r"[ \t,\ufeff\r\n]*\Z")
_LINE_BREAK = re.compile(r"\r\n|[\n\r]")
_DIRECTIVE_LOCATIONS = frozenset(DirectiveLocation.__members__)
_OPERATIONS = {operation.value: operation for operation in OperationType}
_NOT_ENUM_VALUES = frozenset({"true", "false", "null"})
_DEEPEST = 32
"""Lists and list types nested deeper than this are left to graphql-core, which bounds nesting itself."""

_SHAPES: dict[type, frozenset[str]] = {
    ast.DocumentNode: frozenset({"loc", "definitions"}),
    ast.NameNode: frozenset({"loc", "value"}),
    ast.SchemaDefinitionNode: frozenset({"loc", "description", "directives", "operation_types"}),
    ast.SchemaExtensionNode: frozenset({"loc", "directives", "operation_types"}),
    ast.OperationTypeDefinitionNode: frozenset({"loc", "operation", "type"}),
    ast.ScalarTypeDefinitionNode: frozenset({"loc", "description", "name", "directives"}),
    ast.ScalarTypeExtensionNode: frozenset({"loc", "name", "directives"}),
    ast.ObjectTypeDefinitionNode: frozenset({"loc", "description", "name", "interfaces", "directives", "fields"}),
    ast.ObjectTypeExtensionNode: frozenset({"loc", "name", "interfaces", "directives", "fields"}),
    ast.InterfaceTypeDefinitionNode: frozenset({"loc", "description", "name", "interfaces", "directives", "fields"}),
    ast.InterfaceTypeExtensionNode: frozenset({"loc", "name", "interfaces", "directives", "fields"}),
    ast.UnionTypeDefinitionNode: frozenset({"loc", "description", "name", "directives", "types"}),
    ast.UnionTypeExtensionNode: frozenset({"loc", "name", "directives", "types"}),
    ast.EnumTypeDefinitionNode: frozenset({"loc", "description", "name", "directives", "values"}),
    ast.EnumTypeExtensionNode: frozenset({"loc", "name", "directives", "values"}),
    ast.EnumValueDefinitionNode: frozenset({"loc", "description", "name", "directives"}),
    ast.InputObjectTypeDefinitionNode: frozenset({"loc", "description", "name", "directives", "fields"}),
    ast.InputObjectTypeExtensionNode: frozenset({"loc", "name", "directives", "fields"}),
    ast.DirectiveDefinitionNode: frozenset(
        {"loc", "description", "name", "arguments", "directives", "repeatable", "locations"}
    ),
    ast.FieldDefinitionNode: frozenset({"loc", "description", "name", "arguments", "type", "directives"}),
    ast.InputValueDefinitionNode: frozenset({"loc", "description", "name", "type", "default_value", "directives"}),
    ast.DirectiveNode: frozenset({"loc", "name", "arguments"}),
    ast.ArgumentNode: frozenset({"loc", "name", "value"}),
    ast.NamedTypeNode: frozenset({"loc", "name"}),
    ast.ListTypeNode: frozenset({"loc", "type"}),
    ast.NonNullTypeNode: frozenset({"loc", "type"}),
    ast.IntValueNode: frozenset({"loc", "value"}),
    ast.StringValueNode: frozenset({"loc", "value", "block"}),
    ast.BooleanValueNode: frozenset({"loc", "value"}),
    ast.NullValueNode: frozenset({"loc"}),
    ast.EnumValueNode: frozenset({"loc", "value"}),
    ast.ListValueNode: frozenset({"loc", "values"}),
    ast.ObjectValueNode: frozenset({"loc", "fields"}),
    ast.ObjectFieldNode: frozenset({"loc", "name", "value"}),
}


def _nodes_are_plain_dataclasses() -> bool:
    """Whether the installed graphql-core's nodes are the dict-backed dataclasses, with the fields, built here."""
    for node_class, shape in _SHAPES.items():
        if not is_dataclass(node_class) or frozenset(f.name for f in fields(node_class)) != shape:
            return False
    return hasattr(ast.NullValueNode(), "__dict__")


AVAILABLE = _nodes_are_plain_dataclasses()
"""False on a graphql-core whose nodes are built otherwise: then every document goes to graphql-core."""


def _make(node_class: type, values: dict[str, Any]) -> Any:
    node: Any = object.__new__(node_class)
    node.__dict__.update(values)
    return node


def _tokens(body: str) -> tuple[list[str], list[int], list[int], list[str], int]:
    """Kinds, starts, ends and values of the significant tokens, and how many tokens there were with comments."""
    kinds: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    values: list[str] = []
    position = 0
    comments = 0
    for matched in _TOKEN.finditer(body):
        if matched.start() != position:
            raise Unsupported
        position = matched.end()
        kind = matched.lastgroup
        if kind == "comment":
            comments += 1
            continue
        assert kind is not None
        value = matched.group(kind)
        if kind == "block":
            value = "\n".join(dedent_block_string_lines(_LINE_BREAK.split(value[3:-3])))
        kinds.append(value if kind == "punct" else kind)
        starts.append(matched.start(kind) - (1 if kind == "string" else 0))
        ends.append(position)
        values.append(value)
    if _TRAILING.match(body, position) is None:
        raise Unsupported
    return kinds, starts, ends, values, len(kinds) + comments


class _Parser:
    def __init__(self, source: Source, no_location: bool) -> None:
        self.source = source
        self.no_location = no_location
        self.kinds, self.starts, self.ends, self.values, self.token_count = _tokens(source.body)
        self.kinds.append("end")
        self.at = 0
        self.depth = 0

    def loc(self, start: int) -> Location | None:
        if self.no_location:
            return None
        location = object.__new__(Location)
        location.start = self.starts[start]
        location.end = self.ends[self.at - 1]
        location.source = self.source
        location.start_token = location.end_token = None  # type: ignore[assignment]
        return location

    def take(self, kind: str) -> bool:
        if self.kinds[self.at] == kind:
            self.at += 1
            return True
        return False

    def expect(self, kind: str) -> None:
        if self.kinds[self.at] != kind:
            raise Unsupported
        self.at += 1

    def keyword(self, word: str) -> bool:
        if self.kinds[self.at] == "name" and self.values[self.at] == word:
            self.at += 1
            return True
        return False

    def name(self) -> ast.NameNode:
        at = self.at
        if self.kinds[at] != "name":
            raise Unsupported
        self.at = at + 1
        return _make(ast.NameNode, {"loc": self.loc(at), "value": self.values[at]})

    def document(self) -> DocumentNode:
        definitions = []
        while self.kinds[self.at] != "end":
            definitions.append(self.definition())
        if not definitions:
            raise Unsupported
        document = _make(ast.DocumentNode, {"loc": None, "definitions": tuple(definitions)})
        if not self.no_location:
            location = object.__new__(Location)
            location.start, location.end, location.source = 0, len(self.source.body), self.source
            location.start_token = location.end_token = None  # type: ignore[assignment]
            document.__dict__["loc"] = location
        object.__setattr__(document, "token_count", self.token_count)
        return document

    def description(self) -> ast.StringValueNode | None:
        kind = self.kinds[self.at]
        if kind == "string" or kind == "block":
            return self.string()
        return None

    def string(self) -> ast.StringValueNode:
        at = self.at
        self.at += 1
        return _make(
            ast.StringValueNode,
            {"loc": self.loc(at), "value": self.values[at], "block": self.kinds[at] == "block"},
        )

    def definition(self) -> Any:
        start = self.at
        description = self.description()
        if self.kinds[self.at] != "name":
            raise Unsupported
        extension = self.values[self.at] == "extend" and description is None
        if extension:
            self.at += 1
            if self.kinds[self.at] != "name":
                raise Unsupported
        kind = _KINDS.get(self.values[self.at])
        if kind is None:
            raise Unsupported
        read, definition_class, extension_class = kind
        node_class = extension_class if extension else definition_class
        if node_class is None:
            raise Unsupported
        self.at += 1
        return self.finish(start, node_class, description, extension, read(self, extension))

    def finish(self, start: int, node_class: type, description: ast.StringValueNode | None, extension: bool,
               values: dict[str, Any]) -> Any:
        """The definition node, or the extension node, which has no description and must add something."""
        if extension:
            if not any(value for key, value in values.items() if key != "name"):
                raise Unsupported
        else:
            values["description"] = description
        values["loc"] = self.loc(start)
        return _make(node_class, values)

    def schema(self, extension: bool) -> dict[str, Any]:
        directives = self.directives()
        if extension:
            operation_types = self.until("}", self.operation_type) if self.take("{") else None
        else:
            self.expect("{")
            operation_types = self.until("}", self.operation_type)
        return {"directives": directives, "operation_types": operation_types}

    def operation_type(self) -> ast.OperationTypeDefinitionNode:
        start = self.at
        operation = _OPERATIONS.get(self.values[start]) if self.kinds[start] == "name" else None
        if operation is None:
            raise Unsupported
        self.at += 1
        self.expect(":")
        type_ = self.named_type()
        return _make(ast.OperationTypeDefinitionNode, {"loc": self.loc(start), "operation": operation, "type": type_})

    def scalar(self, extension: bool) -> dict[str, Any]:
        return {"name": self.name(), "directives": self.directives()}

    def object_like(self, extension: bool) -> dict[str, Any]:
        name = self.name()
        interfaces = self.interfaces()
        directives = self.directives()
        fields_ = self.until("}", self.field) if self.take("{") else None
        return {"name": name, "interfaces": interfaces, "directives": directives, "fields": fields_}

    def interfaces(self) -> tuple[ast.NamedTypeNode, ...] | None:
        if not self.keyword("implements"):
            return None
        return self.delimited("&", self.named_type)

    def field(self) -> ast.FieldDefinitionNode:
        start = self.at
        description = self.description()
        name = self.name()
        arguments = self.until(")", self.input_value) if self.take("(") else None
        self.expect(":")
        type_ = self.type_reference()
        directives = self.directives()
        return _make(ast.FieldDefinitionNode, {
            "loc": self.loc(start), "description": description, "name": name, "arguments": arguments,
            "type": type_, "directives": directives,
        })

    def input_value(self) -> ast.InputValueDefinitionNode:
        start = self.at
        description = self.description()
        name = self.name()
        self.expect(":")
        type_ = self.type_reference()
        default_value = self.value() if self.take("=") else None
        directives = self.directives()
        return _make(ast.InputValueDefinitionNode, {
            "loc": self.loc(start), "description": description, "name": name, "type": type_,
            "default_value": default_value, "directives": directives,
        })

    def union(self, extension: bool) -> dict[str, Any]:
        name = self.name()
        directives = self.directives()
        types = self.delimited("|", self.named_type) if self.take("=") else None
        return {"name": name, "directives": directives, "types": types}

    def enum(self, extension: bool) -> dict[str, Any]:
        name = self.name()
        directives = self.directives()
        values = self.until("}", self.enum_value) if self.take("{") else None
        return {"name": name, "directives": directives, "values": values}

    def enum_value(self) -> ast.EnumValueDefinitionNode:
        start = self.at
        description = self.description()
        if self.kinds[self.at] == "name" and self.values[self.at] in _NOT_ENUM_VALUES:
            raise Unsupported
        name = self.name()
        directives = self.directives()
        return _make(ast.EnumValueDefinitionNode, {
            "loc": self.loc(start), "description": description, "name": name, "directives": directives,
        })

    def input_object(self, extension: bool) -> dict[str, Any]:
        name = self.name()
        directives = self.directives()
        fields_ = self.until("}", self.input_value) if self.take("{") else None
        return {"name": name, "directives": directives, "fields": fields_}

    def directive_definition(self, extension: bool) -> dict[str, Any]:
        self.expect("@")
        name = self.name()
        arguments = self.until(")", self.input_value) if self.take("(") else None
        directives = self.directives()
        repeatable = self.keyword("repeatable")
        if not self.keyword("on"):
            raise Unsupported
        locations = self.delimited("|", self.directive_location)
        return {"name": name, "arguments": arguments, "directives": directives, "repeatable": repeatable,
                "locations": locations}

    def directive_location(self) -> ast.NameNode:
        if self.kinds[self.at] != "name" or self.values[self.at] not in _DIRECTIVE_LOCATIONS:
            raise Unsupported
        return self.name()

    def directives(self) -> tuple[ast.DirectiveNode, ...] | None:
        if self.kinds[self.at] != "@":
            return None
        found = []
        while self.kinds[self.at] == "@":
            start = self.at
            self.at += 1
            name = self.name()
            arguments = self.until(")", self.argument) if self.take("(") else None
            found.append(_make(ast.DirectiveNode, {"loc": self.loc(start), "name": name, "arguments": arguments}))
        return tuple(found)

    def argument(self) -> ast.ArgumentNode:
        start = self.at
        name = self.name()
        self.expect(":")
        value = self.value()
        return _make(ast.ArgumentNode, {"loc": self.loc(start), "name": name, "value": value})

    def value(self) -> Any:
        at = self.at
        kind = self.kinds[at]
        if kind == "name":
            self.at = at + 1
            word = self.values[at]
            if word == "true" or word == "false":
                return _make(ast.BooleanValueNode, {"loc": self.loc(at), "value": word == "true"})
            if word == "null":
                return _make(ast.NullValueNode, {"loc": self.loc(at)})
            return _make(ast.EnumValueNode, {"loc": self.loc(at), "value": word})
        if kind == "string" or kind == "block":
            return self.string()
        if kind == "int":
            self.at = at + 1
            return _make(ast.IntValueNode, {"loc": self.loc(at), "value": self.values[at]})
        if kind == "[":
            self.at = at + 1
            self.nest()
            values = []
            while not self.take("]"):
                values.append(self.value())
            self.depth -= 1
            return _make(ast.ListValueNode, {"loc": self.loc(at), "values": tuple(values)})
        if kind == "{":
            self.at = at + 1
            self.nest()
            object_fields = []
            while not self.take("}"):
                field_start = self.at
                name = self.name()
                self.expect(":")
                value = self.value()
                object_fields.append(
                    _make(ast.ObjectFieldNode, {"loc": self.loc(field_start), "name": name, "value": value})
                )
            self.depth -= 1
            return _make(ast.ObjectValueNode, {"loc": self.loc(at), "fields": tuple(object_fields)})
        raise Unsupported

    def nest(self) -> None:
        self.depth += 1
        if self.depth > _DEEPEST:
            raise Unsupported

    def type_reference(self) -> Any:
        start = self.at
        type_: Any
        if self.take("["):
            self.nest()
            inner = self.type_reference()
            self.depth -= 1
            self.expect("]")
            type_ = _make(ast.ListTypeNode, {"loc": self.loc(start), "type": inner})
        else:
            type_ = self.named_type()
        if self.take("!"):
            return _make(ast.NonNullTypeNode, {"loc": self.loc(start), "type": type_})
        return type_

    def named_type(self) -> ast.NamedTypeNode:
        start = self.at
        name = self.name()
        return _make(ast.NamedTypeNode, {"loc": self.loc(start), "name": name})

    def until(self, close: str, item: Any) -> tuple[Any, ...]:
        """One item or more, up to the closing punctuator (the opening one is already taken)."""
        found = [item()]
        while not self.take(close):
            found.append(item())
        return tuple(found)

    def delimited(self, delimiter: str, item: Any) -> tuple[Any, ...]:
        self.take(delimiter)
        found = [item()]
        while self.take(delimiter):
            found.append(item())
        return tuple(found)


_KINDS: dict[str, tuple[Any, type, type | None]] = {
    "schema": (_Parser.schema, ast.SchemaDefinitionNode, ast.SchemaExtensionNode),
    "scalar": (_Parser.scalar, ast.ScalarTypeDefinitionNode, ast.ScalarTypeExtensionNode),
    "type": (_Parser.object_like, ast.ObjectTypeDefinitionNode, ast.ObjectTypeExtensionNode),
    "interface": (_Parser.object_like, ast.InterfaceTypeDefinitionNode, ast.InterfaceTypeExtensionNode),
    "union": (_Parser.union, ast.UnionTypeDefinitionNode, ast.UnionTypeExtensionNode),
    "enum": (_Parser.enum, ast.EnumTypeDefinitionNode, ast.EnumTypeExtensionNode),
    "input": (_Parser.input_object, ast.InputObjectTypeDefinitionNode, ast.InputObjectTypeExtensionNode),
    "directive": (_Parser.directive_definition, ast.DirectiveDefinitionNode, None),
}
"""Each definition keyword: the reader of what follows it, and the node classes of its definition and extension
(`extend directive` is left to graphql-core)."""


def parse_type_system(source: Source, *, no_location: bool = False) -> DocumentNode:
    """The document graphql-core's `parse(source, no_location=...)` returns; raises `Unsupported` where this
    parser leaves the document to graphql-core (see the module's docstring)."""
    if not AVAILABLE:
        raise Unsupported
    try:
        return _Parser(source, no_location).document()
    except IndexError as exc:
        raise Unsupported from exc


__all__ = ["AVAILABLE", "Unsupported", "parse_type_system"]
