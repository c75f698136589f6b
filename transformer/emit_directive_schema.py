"""The output schema's parts for directives that add types or rewrite fields: `@manyToMany` join models and
`@http` field arguments.

Called from one place in `emit_schema`, right after the user's own definitions (where Amplify's
`@manyToMany` transformer appends the join type, and where its HTTP transformer rewrites fields).
"""

from __future__ import annotations

from transformer.resolver_directives import http_arguments, resolver_fields
from transformer.schema_model import ParsedSchema
from transformer.sdl_document import SdlDocument, SdlField, SdlType


def add_join_model_types(doc: SdlDocument, schema: ParsedSchema) -> None:
    """One object type per `@manyToMany` join model, with its key and reference fields."""
    for model in schema.models.values():
        if model.join_of is None or model.name in doc:
            continue
        join = SdlType(kind="type", name=model.name)
        for field in model.fields:
            join.add_field(SdlField(name=field.name, type=field.type.sdl()))
        doc.add(join)


def apply_http_arguments(doc: SdlDocument, schema: ParsedSchema) -> None:
    """`@http` fields get Amplify's `params`/`query`/`body` arguments and their input types."""
    for field in resolver_fields(schema.sdl):
        rewritten = http_arguments(field)
        target = doc.get(field.type_name)
        current = target.field(field.field_name) if target is not None else None
        if rewritten is None or target is None or current is None:
            continue
        target.remove_field(field.field_name)
        target.add_field(SdlField(name=current.name, type=current.type, args=list(rewritten.arguments),
                                  directives=current.directives, description=current.description))
        for name, lines in rewritten.inputs:
            fields = [SdlField(name=line.split(":", 1)[0], type=line.split(":", 1)[1].strip()) for line in lines]
            doc.add(SdlType(kind="input", name=name, fields=fields))
