"""AppSync-compatible VTL (Velocity) evaluator for resolver mapping templates (2018-05-29).

Pure Python, own parser, fails closed: a missing key or property is null (never a Python
attribute), an unknown method is a `VtlError`, a null `#if` condition is false, ordering
comparisons with null are false.

API
---
``Template.parse(text: str, name: str = "<template>") -> Template``
    Parse once; raises `VtlSyntaxError` (a `VtlError`) with `.template`, `.line`, `.column`.
``get_template(text: str, name: str = "<template>") -> Template``
    Same, through an LRU cache (1024 entries) keyed by (text, name). Use this in servers.
``render(template: Template, context: VtlContext) -> RenderResult``
    Evaluate. Template bugs (unknown method, bad argument types, assigning `$util`) raise
    `VtlError` with location. `$util.error` / `$util.unauthorized()` / `$util.validate` do not
    raise: they end the render and land in `RenderResult.error`.
``render_text(text: str, context: VtlContext, name: str = "<template>") -> RenderResult``
    `get_template` + `render`.

``VtlContext`` (pydantic model; values are deep-copied to plain JSON-like data)
    `arguments` ($ctx.args / $ctx.arguments), `identity`, `source`, `result`, `stash`,
    `prev_result` ($ctx.prev.result), `request_headers` ($ctx.request.headers),
    `info: VtlInfo` (field_name/fieldName, parent_type_name/parentTypeName, variables,
    selection_set_list, selection_set_graphql), `auth_type` ("userPools" | "oidc" | "iam" |
    "apiKey" | "lambda", AppSync's enum names, or the full "User Pool Authorization" text; it is
    what `$util.authType()` returns), `error` (VtlContextError: message, type -> $ctx.error),
    `out_errors` ($ctx.outErrors), `now` (datetime for `$util.time`, None = real clock).
    `arguments`, `stash` and `out_errors` are mutated in place: render the templates of one
    pipeline with the same VtlContext and changes carry over, as in AppSync.

``RenderResult`` (dataclass)
    `text` (output), `has_returned`, `returned` (value of `#return($x)`, `BARE_RETURN` for a bare
    `#return`, None otherwise), `stopped` (`#stop`), `error: VtlRuntimeError | None` (`message`,
    `error_type`, `data`, `info`, `.as_graphql_error()`), `appended_errors` (dicts with message,
    errorType, data, errorInfo), `stash`, `subscription_filter`, `subscription_invalidation_filter`,
    `invalidations`, `ok` (no error), `json()` (parse `text`; VtlError if not JSON).

Values: templates see dict/list/str/int/float/bool/None as Java Map/List/String/Number/Boolean/null,
with the Java methods listed in `javamethods.py`, Java rendering (`true`, `[a, b]`, `{a=1}`) and
Velocity's rule that a null non-silent reference renders as its own source text; a Java `void`
method (`List.clear`, `Map.putAll`, `$util.qr`, `$util.appendError`) renders as nothing.
Filters: `$util.transform.toDynamoDBFilterExpression` / `toDynamoDBConditionExpression` return a JSON
string, as AppSync does (templates wrap them in `$util.parseJson`); Python callers can use
`dynamodb_expression(filter)` and `subscription_filter(filter, ignored_fields, rules)` directly.
`examples.CREATE_POST_AUTH` is a hand-written Amplify-style auth template (tests, benchmark).

Choices where Velocity versions or AppSync are unclear (each the stricter or the Amplify-compatible one):
`#set($a = <null>)` assigns null (Velocity 2, Amplify's simulator), not "keep the old value";
`==` between different classes compares `toString()` only for scalars (`1 == "1"`), never for
lists or maps; `< > <= >=` need two numbers or two strings, otherwise false; identifiers have no
hyphens (`$a-1` is a subtraction); methods are called on references, not on literals;
`#foreach` walks lists and map values, and does nothing over null or scalars; `#break` outside a
loop stops the template; `$util.parseJson` of text that is not JSON is null;
`$util.isNullOrEmpty` is also true for an empty list or map.
"""

from .context import AUTH_TYPE_NAMES, VtlContext, VtlContextError, VtlInfo
from .errors import VtlError, VtlRuntimeError, VtlSyntaxError
from .filters import dynamodb_expression, subscription_filter
from .runtime import BARE_RETURN, RenderResult, render, render_text
from .template import Template, get_template

__all__ = [
    "AUTH_TYPE_NAMES",
    "BARE_RETURN",
    "RenderResult",
    "Template",
    "VtlContext",
    "VtlContextError",
    "VtlError",
    "VtlInfo",
    "VtlRuntimeError",
    "VtlSyntaxError",
    "dynamodb_expression",
    "get_template",
    "render",
    "render_text",
    "subscription_filter",
]
