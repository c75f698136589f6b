"""`transformer.sdl_rules` reports exactly what graphql-core's full SDL rule set reports, in the same order."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLError, concat_ast, parse
from graphql.validation.specified_rules import specified_sdl_rules
from graphql.validation.validate import validate_sdl

from transformer.directives import declarations_document
from transformer.sdl_rules import SDL_RULES

TESTS = Path(__file__).parent
CORPORA = [TESTS / "differential" / "invalid", TESTS / "differential" / "corpus", TESTS / "directives_invalid"]

DUPLICATES = """
schema @aws_api_key @aws_api_key { query: Query }
directive @once on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION | ENUM_VALUE | INPUT_FIELD_DEFINITION | QUERY | FIELD
type Query @once @once { a(x: Int @once @once): Int @once @once @model @model }
extend type Query @once { b: Int }
enum E { A @once @once }
input I { f: Int @once @once }
query Q @once @once { a @once @once }
"""


def _messages(errors: list[GraphQLError]) -> list[tuple[str, list[tuple[int, int]]]]:
    return [(e.message, [(loc.line, loc.column) for loc in e.locations or ()]) for e in errors]


def _both(sdl: str) -> tuple[list[GraphQLError], list[GraphQLError]]:
    document = concat_ast([declarations_document(), parse(sdl)])
    return validate_sdl(document), validate_sdl(document, rules=SDL_RULES)


def _schemas() -> list[Path]:
    return sorted(p for folder in CORPORA for p in folder.rglob("*.graphql"))


def test_duplicate_directives_everywhere_are_reported_alike() -> None:
    full, fast = _both(DUPLICATES)
    assert sum("can only be used once at this location" in e.message for e in full) >= 8
    assert _messages(fast) == _messages(full)


def test_corpora_are_judged_alike() -> None:
    schemas = _schemas()
    assert len(schemas) > 100
    judged = 0
    for path in schemas:
        try:
            full, fast = _both(path.read_text(encoding="utf-8"))
        except GraphQLError:
            continue
        judged += 1
        assert _messages(fast) == _messages(full), path.name
    assert judged > 100


@pytest.mark.parametrize("rule", specified_sdl_rules, ids=lambda r: r.__name__)
def test_every_rule_of_graphql_core_is_kept(rule: type) -> None:
    assert rule in SDL_RULES or any(issubclass(kept, rule) for kept in SDL_RULES)
