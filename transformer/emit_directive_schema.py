"""The output schema's parts for directives that add types the user never wrote (`@manyToMany` join models).

Called from one place in `emit_schema`, right after the user's own definitions, which is where Amplify's
`@manyToMany` transformer appends the join type to the document.
"""

from __future__ import annotations

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
