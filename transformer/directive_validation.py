"""The rejections Amplify's `@http` and `@function` transformers and its `@model` argument checks make, with
their messages.

* `@http`: the `url` must begin with `http://` or `https://`.
* `@function(invocationType: Event)`: only on a Query or Mutation field; when it is the field's last
  `@function`, the field returns `EventInvocationResponse`, which the schema defines as
  `type EventInvocationResponse { success: Boolean! }`.
* `@model`: each argument's value against the directive's declared input types, as graphql-js's
  `ValuesOfCorrectTypeRule` judges it (`queries: {sync: ...}`, `subscriptions: {level: private}`), and the
  subscription names Amplify's transformers cannot use (a single name where a list goes on a model with
  `@auth`, a null name).

(`@default`, `@searchable` and relational checks live in `model_validation.py` and the modules it uses.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache

from graphql import (
    DefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    FieldDefinitionNode,
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLNamedType,
    GraphQLSchema,
    IntValueNode,
    ListValueNode,
    NamedTypeNode,
    Node,
    NonNullTypeNode,
    NullValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    build_ast_schema,
    concat_ast,
    get_named_type,
    get_nullable_type,
    is_input_object_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_required_input_field,
    parse,
    print_ast,
    value_from_ast_untyped,
)
from graphql.pyutils import suggestion_list

from transformer.diagnostics import Diagnostic, error
from transformer.directives import declarations_document
from transformer.rules import SourceLocation

Locate = Callable[[Node], SourceLocation | None]
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


def _print_value(node: ValueNode) -> str:
    """A literal as graphql-js prints it in these messages (`{get: "x"}`, `[1, 2]`: no inner padding)."""
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(_print_value(v) for v in node.values) + "]"
    if isinstance(node, ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {_print_value(f.value)}" for f in node.fields) + "}"
    return print_ast(node)


def _did_you_mean(suggestions: list[str], what: str = "") -> str:
    quoted = [f'"{s}"' for s in suggestions[:5]]
    if not quoted:
        return ""
    lead = f" Did you mean {what + ' ' if what else ''}"
    if len(quoted) == 1:
        return f"{lead}{quoted[0]}?"
    if len(quoted) == 2:
        return f"{lead}{quoted[0]} or {quoted[1]}?"
    return f"{lead}{', '.join(quoted[:-1])}, or {quoted[-1]}?"


def _leaf_problem(node: ValueNode, named: GraphQLNamedType) -> str | None:
    """What `parseLiteral` of the leaf type says about a literal (the directives' arguments use `String`, `Int` and
    enums; other scalars accept any literal here)."""
    if isinstance(named, GraphQLEnumType):
        printed = _print_value(node)
        known = list(named.values)
        if not isinstance(node, EnumValueNode):
            return (f'Enum "{named.name}" cannot represent non-enum value: {printed}.'
                    + _did_you_mean(suggestion_list(printed, known), "the enum value"))
        if node.value not in named.values:
            return (f'Value "{printed}" does not exist in "{named.name}" enum.'
                    + _did_you_mean(suggestion_list(printed, known), "the enum value"))
        return None
    if named.name == "String" and not isinstance(node, StringValueNode):
        return f"String cannot represent a non string value: {_print_value(node)}"
    if named.name == "ID" and not isinstance(node, StringValueNode | IntValueNode):
        return f"ID cannot represent a non-string and non-integer value: {_print_value(node)}"
    if named.name == "Int":
        if not isinstance(node, IntValueNode):
            return f"Int cannot represent non-integer value: {_print_value(node)}"
        if not -(2**31) <= int(node.value) < 2**31:
            return f"Int cannot represent non 32-bit signed integer value: {node.value}"
    return None


def _value_problems(node: ValueNode, location_type: GraphQLInputType) -> list[tuple[Node, str]]:
    """graphql-js's `ValuesOfCorrectTypeRule` on one argument value: (node, message) for each problem, in order."""
    if isinstance(node, NullValueNode):
        return [(node, f'Expected value of type "{location_type}", found null.')] if is_non_null_type(location_type) else []
    nullable = get_nullable_type(location_type)
    named = get_named_type(location_type)
    if isinstance(node, ListValueNode) and is_list_type(nullable):
        item_type = nullable.of_type  # type: ignore[union-attr]
        return [problem for item in node.values for problem in _value_problems(item, item_type)]
    if isinstance(node, ObjectValueNode) and is_input_object_type(named):
        fields = named.fields  # type: ignore[union-attr]
        problems: list[tuple[Node, str]] = []
        given = {f.name.value for f in node.fields}
        for field_name, field in fields.items():
            if field_name not in given and is_required_input_field(field):
                problems.append((node, f'Field "{named.name}.{field_name}" of required type "{field.type}" was not provided.'))
        for field_node in node.fields:
            field_def = fields.get(field_node.name.value)
            if field_def is None:
                problems.append((field_node, f'Field "{field_node.name.value}" is not defined by type "{named.name}".'
                                 + _did_you_mean(suggestion_list(field_node.name.value, list(fields)))))
            else:
                problems.extend(_value_problems(field_node.value, field_def.type))
        return problems
    if not is_leaf_type(named):
        return [(node, f'Expected value of type "{location_type}", found {_print_value(node)}.')]
    message = _leaf_problem(node, named)
    return [] if message is None else [(node, message)]


@cache
def _declared_schema() -> GraphQLSchema:
    return build_ast_schema(concat_ast([declarations_document(), parse("type Query { noop: String }")]),
                            assume_valid=True)


def argument_value_problems(directive: DirectiveNode) -> list[tuple[Node, str]]:
    """Amplify validates every directive's arguments against its declaration before transforming
    (`validateModelSchema`, graphql-js's `ValuesOfCorrectTypeRule`): `@model(queries: {sync: ...})` is
    `Field "sync" is not defined by type "ModelQueryMap".`, a number where a name goes is
    `String cannot represent a non string value: 5`. Unknown and repeated arguments and keys are
    already refused by the SDL rules."""
    declared = _declared_schema().get_directive(directive.name.value)
    if declared is None:
        return []
    problems: list[tuple[Node, str]] = []
    for argument in directive.arguments or ():
        definition = declared.args.get(argument.name.value)
        if definition is not None:
            problems.extend(_value_problems(argument.value, definition.type))
    return problems


OWN_VALUE_MESSAGES = frozenset({"auth"})
"""Directives whose argument values the rule reader checks itself, with messages of its own."""


def _directives_of(definition: DefinitionNode) -> Iterator[DirectiveNode]:
    yield from getattr(definition, "directives", None) or ()
    for field in getattr(definition, "fields", None) or ():
        yield from field.directives or ()
        for argument in getattr(field, "arguments", None) or ():
            yield from argument.directives or ()
    for value in getattr(definition, "values", None) or ():
        yield from value.directives or ()


def validate_argument_values(document: DocumentNode, locate: Locate) -> list[Diagnostic]:
    """Every directive argument whose value does not fit the directive's declaration, at the value or key
    concerned, as Amplify reports them before anything else (the schema is not read further when there are any:
    a `@hasMany(limit: "x")` has no limit to read)."""
    problems: list[Diagnostic] = []
    for definition in document.definitions:
        for directive in _directives_of(definition):
            if directive.name.value in OWN_VALUE_MESSAGES:
                continue
            code = "model.argument" if directive.name.value == "model" else "directive.argument"
            problems.extend(error(code, message, **_where(locate(node))) for node, message in argument_value_problems(directive))
    return problems


SUBSCRIPTION_MUTATIONS = {"onCreate": "create", "onUpdate": "update", "onDelete": "delete"}


def _object_fields(node: ValueNode | None) -> dict[str, ValueNode] | None:
    return {f.name.value: f.value for f in node.fields} if isinstance(node, ObjectValueNode) else None


def _has_auth(definition: ObjectTypeDefinitionNode | ObjectTypeExtensionNode) -> bool:
    return any(d.name.value == "auth" for d in definition.directives or ()) or any(
        d.name.value == "auth" for f in definition.fields or () for d in f.directives or ()
    )


def subscription_name_problems(definition: ObjectTypeDefinitionNode | ObjectTypeExtensionNode,
                               directive: DirectiveNode) -> list[tuple[Node, str]]:
    """Subscription names that pass the type check but that Amplify's transformers fail on.

    Only while the subscription is generated (level not `off`, its mutation not nulled): a null name is
    `fieldName is required`; a single name where a list goes (`onCreate: "onNewPost"`, which GraphQL's list
    coercion allows) fails Amplify's auth transformer with a TypeError on a model with any `@auth`.
    """
    arguments = {a.name.value: a.value for a in directive.arguments or ()}
    subscriptions = _object_fields(arguments.get("subscriptions"))
    if subscriptions is None:
        return []
    level = subscriptions.get("level")
    level_name = level.value if isinstance(level, EnumValueNode) else "on"
    if level_name == "off":
        return []
    mutations_node = arguments.get("mutations")
    mutations = _object_fields(mutations_node) or {}
    problems: list[tuple[Node, str]] = []
    for key, operation in SUBSCRIPTION_MUTATIONS.items():
        names = subscriptions.get(key)
        if names is None or isinstance(mutations_node, NullValueNode) or isinstance(mutations.get(operation), NullValueNode):
            continue
        if isinstance(names, ListValueNode):
            problems.extend((item, "fieldName is required") for item in names.values if isinstance(item, NullValueNode))
        elif isinstance(names, StringValueNode) and level_name == "on" and _has_auth(definition):
            problems.append((names, f"@model subscriptions.{key} on {definition.name.value} must be a list of names "
                             f"({key}: [{print_ast(names)}]): with @auth, Amplify's transformer fails on a single "
                             f"name (subscriptions.{key}.forEach is not a function)."))
    return problems


def validate_directive_values(document: DocumentNode, locate: Locate) -> list[Diagnostic]:
    """Every `@http`, `@function` and `@model` use Amplify rejects that `validate_argument_values` lets through, at
    the directive (a `@model` subscription name at the name concerned)."""
    problems: list[Diagnostic] = []
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        for model in (d for d in definition.directives or () if d.name.value == "model"):
            found = subscription_name_problems(definition, model)
            problems.extend(error("model.argument", message, **_where(locate(node))) for node, message in found)
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
