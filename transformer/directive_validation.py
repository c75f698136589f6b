"""The rejections Amplify's `@default`, `@searchable` and `@http` transformers make, with their messages.

* `@default`: only on a scalar or enum field that is not a list, with a `value`, and the value must be one of
  the enum's values or valid for the scalar (Amplify's `TypeValidators`: `Int`/`AWSTimestamp` by
  `parseInt`, `Float` by `parseFloat`, `Boolean` true/false in any case, `AWSJSON` parseable, RFC 3339
  dates and times, e-mail addresses, URLs and IP addresses by their syntax).
* `@searchable`: only on a type that has `@model`.
* `@http`: the `url` must begin with `http://` or `https://`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable
from urllib.parse import urlparse

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeNode,
    value_from_ast_untyped,
)

from transformer.diagnostics import Diagnostic, error
from transformer.directives import APPSYNC_SCALARS
from transformer.rules import SourceLocation

Locate = Callable[[DirectiveNode], SourceLocation | None]

_SCALARS = frozenset({"ID", "String", "Int", "Float", "Boolean", *APPSYNC_SCALARS})
_INT = re.compile(r"^\s*[+-]?\d")
_FLOAT = re.compile(r"^\s*[+-]?(\d|\.\d|Infinity)")
_DATE = r"\d{4}-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])"
_TIME = r"([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)"
_EMAIL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
                    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
_DAYS = {2: 29, 4: 30, 6: 30, 9: 30, 11: 30}


def _valid_date(text: str) -> bool:
    if not re.fullmatch(_DATE, text):
        return False
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:10])
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    limit = (29 if leap else 28) if month == 2 else _DAYS.get(month, 31)
    return day <= limit


def _valid_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _valid_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _valid_url(text: str) -> bool:
    parsed = urlparse(text)
    return bool(parsed.scheme) and bool(parsed.netloc or parsed.path)


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "Int": lambda v: bool(_INT.match(v)),
    "AWSTimestamp": lambda v: bool(_INT.match(v)),
    "Float": lambda v: bool(_FLOAT.match(v)),
    "Boolean": lambda v: v.lower() in ("true", "false"),
    "AWSJSON": _valid_json,
    "AWSDate": _valid_date,
    "AWSTime": lambda v: bool(re.fullmatch(_TIME, v)),
    "AWSDateTime": lambda v: "T" in v and _valid_date(v.split("T", 1)[0]) and bool(re.fullmatch(_TIME, v.split("T", 1)[1])),
    "AWSEmail": lambda v: bool(_EMAIL.match(v)),
    "AWSURL": _valid_url,
    "AWSIPAddress": _valid_ip,
}


def _base(node: TypeNode) -> tuple[str, bool]:
    """The named type, and whether the field is a list."""
    inner = node.type if isinstance(node, NonNullTypeNode) else node
    is_list = isinstance(inner, ListTypeNode)
    while isinstance(inner, NonNullTypeNode | ListTypeNode):
        inner = inner.type
    return inner.name.value, is_list  # type: ignore[attr-defined]


def _where(location: SourceLocation | None) -> dict[str, object]:
    return {} if location is None else {"file": location.file, "line": location.line, "column": location.column}


def _default_problem(directive: DirectiveNode, type_node: TypeNode, enums: dict[str, set[str]]) -> str | None:
    name, is_list = _base(type_node)
    if is_list or (name not in _SCALARS and name not in enums):
        return "The @default directive may only be added to scalar or enum field types."
    arguments = {a.name.value: a.value for a in directive.arguments or ()}
    if "value" not in arguments:
        return "The @default directive requires a value property on non-Postgres datasources."
    value = value_from_ast_untyped(arguments["value"])
    if value is None:
        return "The @default directive does not support null values."
    text = str(value)
    if name in enums:
        return None if text in enums[name] else f'Default value "{text}" is not a member of {name} enum.'
    check = VALIDATORS.get(name)
    return None if check is None or check(text) else f'Default value "{text}" is not a valid {name}.'


def validate_directive_values(document: DocumentNode, locate: Locate) -> list[Diagnostic]:
    """Every `@default`, `@searchable` and `@http` use Amplify rejects, at the directive."""
    enums = {d.name.value: {v.name.value for v in d.values or ()}
             for d in document.definitions if isinstance(d, EnumTypeDefinitionNode)}
    problems: list[Diagnostic] = []
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        names = {d.name.value for d in definition.directives or ()}
        for directive in definition.directives or ():
            if directive.name.value == "searchable" and "model" not in names:
                problems.append(error("searchable.model", "Types annotated with @searchable must also be annotated "
                                      "with @model.", **_where(locate(directive))))
        for field in definition.fields or ():
            for directive in field.directives or ():
                if directive.name.value == "default" and "model" in names:
                    message = _default_problem(directive, field.type, enums)
                    if message:
                        problems.append(error("default.value", message, **_where(locate(directive))))
                elif directive.name.value == "http":
                    url_node = next((a.value for a in directive.arguments or () if a.name.value == "url"), None)
                    url = value_from_ast_untyped(url_node) if url_node is not None else None
                    if not isinstance(url, str) or not re.match(r"^https?://", url):
                        problems.append(error("http.url", f"@http directive on {definition.name.value}."
                                              f"{field.name.value} requires a url parameter that begins with "
                                              "http:// or https://.", **_where(locate(directive))))
    return problems
