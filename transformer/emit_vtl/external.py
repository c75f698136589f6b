"""`@function` and `@http` fields as deployed: their Lambda and HTTP data sources and the functions that call them.

Amplify gives each such field a pipeline resolver: the field's auth check (when its rules protect it), then one
`Invoke<Name>LambdaDataSource` function per `@function` (in the order written, shared by every field calling the
same function) or one `<origin>DataSource<Type><field>Function` for `@http`. The data source names are Amplify's
(`simplifyName` of the function name without `-${env}`; `graphqlName` of the URL's origin), the templates are
equivalent to its own (the Lambda event: `typeName`, `fieldName`, `arguments`, `identity`, `source`, `request`,
`prev`; the HTTP request: the caller's headers plus the directive's, the path with `:param`s filled in, `query`
and `body`). The Lambda function's ARN is `arn:aws:lambda:<region>:<account>:function:<name>` (the directive's
`region` and `accountId`, else the stack's) with `${env}` taken from the stack's `env` Parameter (`-${env}` dropped
when it is `NONE`), as Amplify does. `${env}` / `${aws_region}` in an `@http` origin are substituted in the
data source's endpoint (`transformer.emit_external_sources`); in the path and headers the request template
keeps them as written, where Amplify substitutes the whole template (deployment placeholders for `env` and the
region would be needed, `emit_vtl.deployment`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from transformer.emit_vtl.deployment import ENV_PLACEHOLDER
from transformer.emit_vtl.layout import Pipeline, PipelineFunction, PipelineKind, Slot
from transformer.emit_vtl.slots import init_request
from transformer.emit_vtl.vtl import MAPPING_VERSION, q
from transformer.environment import AuthEnvironment
from transformer.resolver_directives import HttpCall, ResolverField

LAMBDA = "AWS_LAMBDA"
HTTP = "HTTP"
_ENV_PLACEHOLDER = re.compile(r"-?_?\$\{[^}]*\}")
_NAME_BREAKS = re.compile(r"^[^_A-Za-z]+|[^_0-9A-Za-z]")


def simplify_name(value: str) -> str:
    """Amplify's `simplifyName`: placeholders dropped, every run of other characters a word break, PascalCase."""
    if not value.strip():
        return ""
    words = _NAME_BREAKS.sub("|", _ENV_PLACEHOLDER.sub("", value)).split("|")
    return "".join(word[:1].upper() + word[1:] for word in words)


def lambda_data_source(function_name: str, region: str | None = None, account: str | None = None) -> str:
    return f"{simplify_name(function_name)}{simplify_name(region or '')}{account or ''}LambdaDataSource"


def http_data_source(origin: str) -> str:
    return re.sub(r"^[^_A-Za-z]+|[^_0-9A-Za-z]", "", origin) + "DataSource"


@dataclass(frozen=True)
class ExternalSource:
    """A data source a deployment needs besides its tables: a Lambda function or an HTTP origin."""

    name: str
    kind: str
    target: str
    """The Lambda function's name as written (with `${env}`), or the HTTP origin."""
    region: str | None = None
    account: str | None = None
    """A Lambda function's region and account when `@function` names them (else the stack's)."""
    reads_env: bool = False
    """An HTTP origin some `@http` call's path or headers (deployed: its request template) put `${env}` in."""


def lambda_request(data_source: str, event: bool) -> str:
    return (
        f"## Invoke AWS Lambda data source: {data_source}\n"
        "{\n"
        f'  "version": "{MAPPING_VERSION}",\n'
        '  "operation": "Invoke",\n'
        '  "payload": {\n'
        '    "typeName": $util.toJson($ctx.stash.get("typeName")),\n'
        '    "fieldName": $util.toJson($ctx.stash.get("fieldName")),\n'
        '    "arguments": $util.toJson($ctx.arguments),\n'
        '    "identity": $util.toJson($ctx.identity),\n'
        '    "source": $util.toJson($ctx.source),\n'
        '    "request": $util.toJson($ctx.request),\n'
        '    "prev": $util.toJson($ctx.prev)\n'
        "  },\n"
        f'  "invocationType": "{"Event" if event else "RequestResponse"}"\n'
        "}\n"
    )


def lambda_response(event: bool) -> str:
    if event:
        return (
            "#set($success = true)\n"
            "#if($ctx.error)\n"
            "  $util.appendError($ctx.error.message, $ctx.error.type)\n"
            "  #set($success = false)\n"
            "#end\n"
            "#set($response = {'success': $success})\n"
            "$util.toJson($response)\n"
        )
    return "#if($ctx.error)\n  $util.error($ctx.error.message, $ctx.error.type)\n#end\n$util.toJson($ctx.result)\n"


def _required_check(field: ResolverField, call: HttpCall) -> list[str]:
    """Amplify's check that each required argument arrives in the query or the body (methods with a body)."""
    if not call.supports_body:
        return []
    params = set(call.params)
    arguments = [a for a in field.arguments if a.name not in params and (a.scalar or not params)]
    required = [a.name for a in arguments if a.required]
    if not required:
        return []
    missing = " || ".join(f"(!$ctx.args.body.{name} && !$ctx.args.query.{name})" for name in required)
    return [f"#if({missing})",
            '  $util.error("An argument you marked as Non-Null is not present in the query nor the body of your request.")',
            "#end"]


def http_request(field: ResolverField, call: HttpCall) -> str:
    path = re.sub(r":(\w+)", lambda m: "${ctx.args.params." + m.group(1) + "}", call.path)
    lines = [*_required_check(field, call), "#set($headers = $utils.http.copyHeaders($ctx.request.headers))",
             '$util.qr($headers.put("accept-encoding", "application/json"))']
    if call.supports_body:
        lines.append('$util.qr($headers.put("Content-Type", "application/json"))')
    lines.extend(f"$util.qr($headers.put({q(key)}, {q(value)}))" for key, value in call.headers)
    params = ['    "headers": $util.toJson($headers)']
    if call.method != "DELETE":
        params.append('    "query": $util.toJson($ctx.args.query)')
    if call.supports_body:
        params.append('    "body": $util.toJson($ctx.args.body)')
    lines += ["{", f'  "version": "{MAPPING_VERSION}",', f'  "method": "{call.method}",',
              f'  "resourcePath": "{path}",', '  "params": {', ",\n".join(params), "  }", "}"]
    return "\n".join(lines) + "\n"


def http_response(call: HttpCall) -> str:
    ok = "$ctx.result.statusCode == 200 || $ctx.result.statusCode == 201" if call.supports_body else "$ctx.result.statusCode == 200"
    return (
        f"#if({ok})\n"
        "  #if($ctx.result.headers.get('Content-Type').toLowerCase().contains('xml'))\n"
        "$utils.xml.toJsonString($ctx.result.body)\n"
        "  #else\n"
        "$ctx.result.body\n"
        "  #end\n"
        "#else\n"
        "  $util.qr($util.appendError($ctx.result.body, $ctx.result.statusCode))\n"
        "#end\n"
    )


def _data_functions(field: ResolverField) -> tuple[list[PipelineFunction], list[ExternalSource]]:
    functions: list[PipelineFunction] = []
    sources: list[ExternalSource] = []
    if field.http is not None:
        name = http_data_source(field.http.origin)
        reads_env = any(ENV_PLACEHOLDER in text for text in (field.http.path, *(v for pair in field.http.headers for v in pair)))
        sources.append(ExternalSource(name=name, kind=HTTP, target=field.http.origin, reads_env=reads_env))
        functions.append(PipelineFunction(slot=Slot.DATA, data_source=name, request=http_request(field, field.http),
                                          response=http_response(field.http)))
        return functions, sources
    accounts = field.function_accounts or tuple((None, None) for _ in field.functions)
    for position, (function_name, (region, account)) in enumerate(zip(field.functions, accounts, strict=True), start=1):
        name = lambda_data_source(function_name, region, account)
        event = field.event and position == len(field.functions)
        sources.append(ExternalSource(name=name, kind=LAMBDA, target=function_name, region=region, account=account))
        functions.append(PipelineFunction(slot=Slot.DATA, index=position, data_source=name,
                                          request=lambda_request(name, event), response=lambda_response(event)))
    return functions, sources


def with_external_data(
    pipelines: list[Pipeline], fields: tuple[ResolverField, ...], environment: AuthEnvironment
) -> tuple[list[Pipeline], dict[str, ExternalSource]]:
    """The pipelines with every `@function` / `@http` field resolved by its data sources, and those sources.

    A field that already has a pipeline (its auth check) keeps its init and auth functions; its data function
    (the stored value, or nothing for a custom query) is replaced by the calls."""
    by_key = {(p.type_name, p.field_name): i for i, p in enumerate(pipelines)}
    result = list(pipelines)
    sources: dict[str, ExternalSource] = {}
    for field in fields:
        data, used = _data_functions(field)
        for source in used:
            known = sources.setdefault(source.name, source)
            if source.reads_env and not known.reads_env:
                sources[source.name] = replace(known, reads_env=True)
        at = by_key.get((field.type_name, field.field_name))
        if at is None:
            init = PipelineFunction(slot=Slot.INIT, request=init_request(field.type_name, field.field_name, None, environment),
                                    response="{}\n")
            result.append(Pipeline(type_name=field.type_name, field_name=field.field_name, kind=PipelineKind.FIELD,
                                   model=None, functions=(init, *data)))
            continue
        existing = result[at]
        kept = tuple(f for f in existing.functions if f.slot is not Slot.DATA)
        result[at] = existing.model_copy(update={"kind": PipelineKind.FIELD, "functions": (*kept, *data)})
    return result, sources


__all__ = ["ExternalSource", "http_data_source", "lambda_data_source", "simplify_name", "with_external_data"]
