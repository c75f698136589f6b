"""AppSync and Amplify fixed vocabulary: scalar filter inputs, auth-mode directives, the implicit prelude."""

from __future__ import annotations

from graphql import GraphQLSchema, build_ast_schema, parse

from transformer.directives import APPSYNC_SCALARS
from transformer.rules import Provider
from transformer.sdl_document import SdlField, SdlType

FILTER_SCALARS: dict[str, str] = {
    "String": "String",
    "Int": "Int",
    "Float": "Float",
    "Boolean": "Boolean",
    "ID": "ID",
    "AWSDate": "String",
    "AWSTime": "String",
    "AWSDateTime": "String",
    "AWSTimestamp": "Int",
    "AWSEmail": "String",
    "AWSJSON": "String",
    "AWSURL": "String",
    "AWSPhone": "String",
    "AWSIPAddress": "String",
}
"""Amplify's `DEFAULT_SCALARS`: which scalar filter input a scalar field uses."""

AUTH_DIRECTIVES: dict[Provider, str] = {
    Provider.API_KEY: "@aws_api_key",
    Provider.IAM: "@aws_iam",
    Provider.OIDC: "@aws_oidc",
    Provider.USER_POOLS: "@aws_cognito_user_pools",
    Provider.FUNCTION: "@aws_lambda",
}
"""Provider -> AppSync directive, in Amplify's `AUTH_PROVIDER_DIRECTIVE_MAP` order."""

_STRING_CONDITIONS = ("ne", "eq", "le", "lt", "ge", "gt", "contains", "notContains", "between", "beginsWith")
_NUMBER_CONDITIONS = ("ne", "eq", "le", "lt", "ge", "gt", "between")
_SCALAR_CONDITIONS: dict[str, tuple[str, ...]] = {
    "String": _STRING_CONDITIONS,
    "Int": _NUMBER_CONDITIONS,
    "Float": _NUMBER_CONDITIONS,
    "Boolean": ("ne", "eq"),
    "ID": _STRING_CONDITIONS,
}
_SCALAR_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "String": ("attributeExists", "attributeType", "size"),
    "Int": ("attributeExists", "attributeType"),
    "Float": ("attributeExists", "attributeType"),
    "Boolean": ("attributeExists", "attributeType"),
    "ID": ("attributeExists", "attributeType", "size"),
}
_FUNCTION_TYPES = {"attributeExists": "Boolean", "attributeType": "ModelAttributeTypes", "size": "ModelSizeInput"}
_ATTRIBUTE_TYPES = ("binary", "binarySet", "bool", "list", "map", "number", "numberSet", "string", "stringSet", "_null")
KEY_CONDITIONS = ("eq", "le", "lt", "ge", "gt", "between")

APPSYNC_PRELUDE = (
    "\n".join(f"scalar {name}" for name in APPSYNC_SCALARS)
    + """
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
"""
)
"""What AppSync declares implicitly; prepend it to build the output schema with graphql-core."""


def load_output_schema(sdl: str) -> GraphQLSchema:
    """Build a graphql-core schema from an output schema (AppSync's scalars and directives supplied)."""
    return build_ast_schema(parse(APPSYNC_PRELUDE + "\n" + sdl))


def scalar_input(fields: tuple[str, ...], scalar: str, name: str, *, functions: tuple[str, ...] = ()) -> SdlType:
    body = [
        SdlField(name=c, type=f"[{scalar}]" if c in {"between", "in", "notIn"} else scalar) for c in fields
    ]
    body.extend(SdlField(name=f, type=_FUNCTION_TYPES[f]) for f in functions)
    return SdlType(kind="input", name=name, fields=body)


def shared_inputs() -> list[SdlType]:
    """Amplify's `addModelConditionInputs` plus `ModelSortDirection`, in Amplify's order."""
    types = [
        scalar_input(_SCALAR_CONDITIONS[s], s, f"Model{s}Input", functions=_SCALAR_FUNCTIONS[s])
        for s in ("String", "Int", "Float", "Boolean", "ID")
    ]
    for scalar in ("String", "Int", "Float", "Boolean", "ID"):
        conditions = _SCALAR_CONDITIONS[scalar] + (("in", "notIn") if scalar != "Boolean" else ())
        types.append(scalar_input(conditions, scalar, f"ModelSubscription{scalar}Input"))
    types.append(SdlType(kind="enum", name="ModelAttributeTypes", raw=_enum_text("ModelAttributeTypes", _ATTRIBUTE_TYPES)))
    types.append(scalar_input(_NUMBER_CONDITIONS, "Int", "ModelSizeInput"))
    types.append(SdlType(kind="enum", name="ModelSortDirection", raw=_enum_text("ModelSortDirection", ("ASC", "DESC"))))
    return types


def _enum_text(name: str, values: tuple[str, ...]) -> str:
    return f"enum {name} {{\n" + "\n".join(f"  {v}" for v in values) + "\n}"


CONVERSATION_ERROR_INPUT = SdlType(
    kind="input",
    name="AmplifyAIConversationTurnErrorInput",
    fields=[SdlField(name="errorType", type="String!"), SdlField(name="message", type="String!")],
)
"""Added by Amplify's conversation transformer to every schema (transformer 2.5.x); kept for a clean diff."""


__all__ = [
    "APPSYNC_PRELUDE",
    "AUTH_DIRECTIVES",
    "CONVERSATION_ERROR_INPUT",
    "FILTER_SCALARS",
    "KEY_CONDITIONS",
    "load_output_schema",
    "scalar_input",
    "shared_inputs",
]
