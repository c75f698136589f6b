"""`@function` and `@http` fields: what the schema declares, and the arguments Amplify gives an `@http` field.

Both directives hand a field to something outside the API (a Lambda function, an HTTP endpoint). The
output schema keeps `@function` fields as written. An `@http` field's arguments are rewritten by Amplify's
HTTP transformer:

* each `:name` in the URL path becomes a `String!` field of `<Type><Field>ParamsInput`, passed as
  `params: <Type><Field>ParamsInput!` (the other arguments then keep only scalar ones);
* the remaining arguments become `<Type><Field>QueryInput` (`query:`) and, for POST/PUT/PATCH,
  `<Type><Field>BodyInput` (`body:`); their fields are nullable except for GET, and `query`/`body` are
  non-null when a GET query input has a required field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    DirectiveNode,
    FieldDefinitionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    TypeNode,
    print_ast,
    value_from_ast_untyped,
)

from transformer.directives import APPSYNC_SCALARS
from transformer.naming import upper_first
from transformer.sdl_parsing import parse_sdl

_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID", "BigInt", "Double", *APPSYNC_SCALARS})
_URL_PARAM = re.compile(r":(\w+)")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Argument:
    name: str
    type: str
    """The argument's type as SDL (`String!`)."""

    @property
    def required(self) -> bool:
        return self.type.endswith("!")

    @property
    def scalar(self) -> bool:
        return self.type.replace("[", "").replace("]", "").replace("!", "") in _SCALARS


@dataclass(frozen=True)
class HttpCall:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]

    @property
    def path(self) -> str:
        """The URL after its origin (`/weather/:city?units=metric`), `/` when there is none."""
        rest = re.sub(r"^https?://", "", self.url)
        return rest[rest.index("/"):] if "/" in rest else "/"

    @property
    def origin(self) -> str:
        """`https://api.example.com` (the HTTP data source Amplify creates per origin)."""
        found = re.match(r"^(https?://[^/]*)", self.url)
        return found.group(1) if found else self.url

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(_URL_PARAM.findall(self.path))

    @property
    def supports_body(self) -> bool:
        return self.method in _BODY_METHODS


@dataclass(frozen=True)
class ResolverField:
    """A field resolved by `@function` (one or more, run in order) or `@http`."""

    type_name: str
    field_name: str
    arguments: tuple[Argument, ...]
    functions: tuple[str, ...] = ()
    function_accounts: tuple[tuple[str | None, str | None], ...] = ()
    """Each `@function`'s `(region, accountId)`, None where the directive names none (the stack's own)."""
    http: HttpCall | None = None
    event: bool = False
    """The last `@function` has `invocationType: Event`: called without waiting, the field answers `{success}`."""


@dataclass(frozen=True)
class HttpArguments:
    """The arguments Amplify gives an `@http` field, and the input types they need."""

    arguments: tuple[str, ...]
    inputs: tuple[tuple[str, tuple[str, ...]], ...]
    """(input type name, its field lines), in the order Amplify adds them."""


def _type_text(node: TypeNode) -> str:
    return print_ast(node)


def _strip_required(text: str) -> str:
    return text[:-1] if text.endswith("!") else text


def _arguments(directive: DirectiveNode) -> dict[str, object]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _field(type_name: str, node: FieldDefinitionNode) -> ResolverField | None:
    functions: list[str] = []
    accounts: list[tuple[str | None, str | None]] = []
    http: HttpCall | None = None
    event = False
    for directive in node.directives or ():
        if directive.name.value == "function":
            function_args = _arguments(directive)
            functions.append(str(function_args.get("name") or ""))
            region, account = function_args.get("region"), function_args.get("accountId")
            accounts.append((None if region is None else str(region), None if account is None else str(account)))
            event = function_args.get("invocationType") == "Event"
        elif directive.name.value == "http":
            args = _arguments(directive)
            raw_headers = args.get("headers") or []
            headers = raw_headers if isinstance(raw_headers, list) else [raw_headers]
            http = HttpCall(
                method=str(args.get("method") or "GET"),
                url=str(args.get("url") or ""),
                headers=tuple((str(h.get("key")), str(h.get("value"))) for h in headers if isinstance(h, dict)),
            )
    if not functions and http is None:
        return None
    arguments = tuple(Argument(name=a.name.value, type=_type_text(a.type)) for a in node.arguments or ())
    return ResolverField(type_name=type_name, field_name=node.name.value, arguments=arguments,
                         functions=tuple(functions), function_accounts=tuple(accounts), http=http, event=event)


_MENTIONS = re.compile(r"@[\s,]*(?:function|http)(?![_0-9A-Za-z])")
"""Either directive as GraphQL's lexer may write it (ignored tokens between `@` and the name)."""


@lru_cache(maxsize=16)
def resolver_fields(sdl: str) -> tuple[ResolverField, ...]:
    """Every `@function` / `@http` field of the schema, in schema order."""
    if _MENTIONS.search(sdl) is None:
        return ()
    found: list[ResolverField] = []
    for definition in parse_sdl(sdl, no_location=True).definitions:
        if isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            for node in definition.fields or ():
                field = _field(definition.name.value, node)
                if field is not None:
                    found.append(field)
    return tuple(found)


def _input_name(type_name: str, field_name: str, suffix: str) -> str:
    return re.sub(r"^[^_A-Za-z]+|[^_0-9A-Za-z]", "", upper_first(type_name) + upper_first(field_name) + suffix)


def http_arguments(field: ResolverField) -> HttpArguments | None:
    """Amplify's rewrite of an `@http` field's arguments; None when the field keeps its own."""
    http = field.http
    if http is None:
        return None
    params = http.params
    remaining = field.arguments
    arguments: list[str] = []
    inputs: list[tuple[str, tuple[str, ...]]] = []
    if params:
        remaining = tuple(a for a in remaining if a.scalar and a.name not in params)
        name = _input_name(field.type_name, field.field_name, "ParamsInput")
        inputs.append((name, tuple(f"{p}: String!" for p in params)))
        arguments.append(f"params: {name}!")
    if remaining:
        nullable = http.method != "GET"
        lines = tuple(f"{a.name}: {_strip_required(a.type) if nullable else a.type}" for a in remaining)
        required = not nullable and any(a.required for a in remaining)
        query_name = _input_name(field.type_name, field.field_name, "QueryInput")
        inputs.append((query_name, lines))
        arguments.append(f"query: {query_name}{'!' if required else ''}")
        if http.supports_body:
            body_name = _input_name(field.type_name, field.field_name, "BodyInput")
            inputs.append((body_name, tuple(f"{a.name}: {_strip_required(a.type)}" for a in remaining)))
            arguments.append(f"body: {body_name}{'!' if required else ''}")
    if not arguments:
        return None
    return HttpArguments(arguments=tuple(arguments), inputs=tuple(inputs))

