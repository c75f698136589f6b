"""graphql-core's `parse` and `validate_sdl`, faster, and leaving no reference cycles behind.

A schema is parsed by `sdl_fast_parse` (the same tree, in less than half the time), and by graphql-core
when that parser leaves the document to it (uncommon syntax and every syntax error).

graphql-core links its tokens both ways (`prev` and `next`), and its validation visitors cache bound
methods of themselves. Both form cycles, so a parsed schema and everything the validation touched
can only be freed by the cyclic garbage collector, whose full collection walks every live object.
`transform` runs with that collector paused and skips the final collection; these two calls keep what
they create acyclic, so reference counting frees it as soon as it is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import DocumentNode, GraphQLError, Source
from graphql.language import Lexer, Token, visit
from graphql.language.parser import Parser
from graphql.language.visitor import ParallelVisitor, Visitor
from graphql.validation import SDLValidationContext
from graphql.validation.rules import ASTValidationRule

from transformer.sdl_fast_parse import Unsupported, parse_type_system


def parse_sdl(source: Source | str, *, no_location: bool = False) -> DocumentNode:
    """`graphql.parse(source, no_location=...)`; graphql-core's token list, when it parses, linked forwards only.

    Raises `GraphQLSyntaxError` as `parse` does."""
    source = source if isinstance(source, Source) else Source(source)
    try:
        return parse_type_system(source, no_location=no_location)
    except Unsupported:
        pass
    lexer = Lexer(source)
    try:
        return Parser(lexer.source, no_location=no_location, lexer=lexer).parse_document()
    finally:
        _unlink_backwards(lexer.token)


def _unlink_backwards(last: Token | None) -> None:
    token = last
    while token is not None:
        previous = token.prev
        token.prev = None
        token = previous


def validate_sdl_document(
    document: DocumentNode, rules: Iterable[type[ASTValidationRule]]
) -> list[GraphQLError]:
    """`graphql.validation.validate.validate_sdl(document, rules=rules)` (no schema to extend),
    with the visitors' caches of their own methods cleared afterwards."""
    errors: list[GraphQLError] = []
    context = SDLValidationContext(document, None, errors.append)
    visitors: list[Visitor] = [rule(context) for rule in rules]
    parallel = ParallelVisitor(visitors)
    try:
        visit(document, parallel)
    finally:
        for visitor in (parallel, *visitors):
            visitor.enter_leave_map.clear()
    return errors


__all__ = ["parse_sdl", "validate_sdl_document"]
