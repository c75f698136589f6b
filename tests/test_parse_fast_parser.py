"""`sdl_fast_parse` builds exactly graphql-core's tree, and `parse_sdl` answers exactly as graphql-core's `parse`
(same tree and locations, or the same syntax error), on the corpora, on awkward syntax, and on broken schemas."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from graphql import GraphQLSyntaxError, Source, parse

from transformer.sdl_fast_parse import AVAILABLE, Unsupported, parse_type_system
from transformer.sdl_parsing import parse_sdl

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CORPORA = [TESTS / "differential" / "invalid", TESTS / "differential" / "corpus", TESTS / "directives_invalid",
           ROOT / "samples", TESTS / "golden"]

AWKWARD = {
    "block descriptions": '"""\n    Indented\n      more\n\n    end\n"""\ntype A @model {\n  """one line"""\n  id: ID!\n}\n',
    "crlf and cr": 'type A {\r\n  a: Int\r  b: String\r\n}\r\n"""x\r\n  y"""\nscalar S\n',
    "comments everywhere": "# head\ntype A { # after brace\n  a: Int # tail\n}\n# last without newline",
    "bom commas tabs": "\ufefftype A {\ta: Int,, b: [Int!]!,\n}",
    "unicode": 'type A { a: String @d(x: "héllo ✓ 😀") } "ü" scalar S # ✓',
    "unicode name": "type Ä { a: Int }",
    "empty string": 'type A { a: String @d(x: "") }',
    "quote runs": 'type A { a: String @d(x: """a ""b"" c""") }',
    "four quotes": '"""a""""" type A { a: Int }',
    "escaped block": 'type A { a: String @d(x: """a \\""" b""") }',
    "escaped string": 'type A { a: String @d(x: "a\\nb\\u00e9\\u{1F600}") }',
    "floats": "type A { a(x: Float = 1.5, y: Float = -2e3): Int }",
    "ints": "type A { a(x: Int = 0, y: Int = -17, z: [Int] = [1 2 3]): Int }",
    "nested values": 'type A @auth(rules: [{allow: groups, groups: ["A", "B"], operations: [read]}, {allow: public, x: {y: [[null], true, false, E]}}]) { a: Int }',
    "every definition": (
        'schema @a { query: Q mutation: M subscription: S }\n"d" scalar X @b\n'
        "interface I implements J & K @c { a(x: Int = 1 @d): Int }\nunion U @e = | A | B\n"
        'enum E @f { "v" A @g B }\ninput In @h { a: Int = 2 @i, b: [In!] }\n'
        '"""dd""" directive @j(a: Int = 3) repeatable on FIELD_DEFINITION | OBJECT\n'
        "directive @k on | QUERY | FIELD\n"
        "type T implements & I & J { a: Int }\ntype Empty\n"
    ),
    "every extension": (
        "extend schema @a\nextend schema { query: Q }\nextend scalar X @b\nextend type T implements I\n"
        "extend type T @c\nextend type T { b: Int }\nextend interface I { c: Int }\nextend union U = C\n"
        "extend enum E { C }\nextend input In { c: Int }\n"
    ),
    "extend directive": "extend directive @a @b",
    "executable": "query Q { a }\ntype A { a: Int }",
    "variable in const": "type A { a(x: Int = $v): Int }",
    "spread": "type A { a: Int } ...",
    "empty document": "   \n# only a comment\n",
    "empty fields": "type A { }",
    "reserved enum value": "enum E { true }",
    "description on extend": '"d" extend type A { a: Int }',
    "bad directive location": "directive @d on NOWHERE",
    "leading zero": "type A { a(x: Int = 0123): Int }",
    "int then name": "type A { a(x: Int = 12abc): Int }",
    "dot number": "type A { a(x: Float = .5): Int }",
    "unterminated string": 'type A { a: String @d(x: "abc) }',
    "unterminated block": 'type A { a: String @d(x: """abc) }',
    "newline in string": 'type A { a: String @d(x: "a\nb") }',
    "single quote": "type A { a: String @d(x: 'a') }",
    "stray character": "type A { a: Int ~ }",
    "control character": "type A { a: Int \x07 }",
    "missing colon": "type A { a Int }",
    "missing type": "type A { a: }",
    "unclosed": "type A { a: Int",
    "extra close": "type A { a: Int } }",
    "deep list type": "type A { a: " + "[" * 40 + "Int" + "]" * 40 + " }",
    "deep list value": "type A @d(x: " + "[" * 40 + "1" + "]" * 40 + ") { a: Int }",
}


def _answer(text: str, parser: object, no_location: bool = False) -> object:
    assert callable(parser)
    try:
        document = parser(text, no_location=no_location)
    except GraphQLSyntaxError as exc:
        return ("error", exc.message, exc.locations)
    return ("tree", document.to_dict(locations=not no_location), document, document.token_count)


def _same(text: str) -> None:
    for no_location in (False, True):
        expected, ours = _answer(text, parse, no_location), _answer(text, parse_sdl, no_location)
        assert ours == expected, text[:200]


def _corpus() -> list[Path]:
    return sorted(p for folder in CORPORA for p in folder.rglob("*.graphql"))


def test_the_installed_graphql_core_builds_nodes_this_parser_can_build() -> None:
    assert AVAILABLE, "graphql-core's node classes changed: every schema now goes through graphql-core's parser"


@pytest.mark.parametrize("case", sorted(AWKWARD))
def test_awkward_syntax_is_answered_as_graphql_core_answers_it(case: str) -> None:
    _same(AWKWARD[case])


def test_the_fast_parser_takes_the_common_cases_itself() -> None:
    for case in ("block descriptions", "crlf and cr", "comments everywhere", "bom commas tabs", "unicode",
                 "quote runs", "nested values", "every definition", "every extension", "ints"):
        parse_type_system(Source(AWKWARD[case]))
    for case in ("extend directive", "executable", "floats", "escaped string", "escaped block", "empty fields"):
        with pytest.raises(Unsupported):
            parse_type_system(Source(AWKWARD[case]))


def test_the_corpora_are_answered_alike_and_mostly_by_the_fast_parser() -> None:
    schemas = _corpus()
    assert len(schemas) > 300
    fast = 0
    for path in schemas:
        text = path.read_text(encoding="utf-8")
        _same(text)
        try:
            parse_type_system(Source(text))
            fast += 1
        except Unsupported:
            pass
    assert fast > 0.8 * len(schemas)


def test_broken_schemas_are_answered_alike() -> None:
    """Seeded damage to real schemas: a character dropped, doubled or replaced by a punctuator."""
    rng = random.Random(20261205)
    texts = [p.read_text(encoding="utf-8") for p in _corpus()]
    checked = 0
    for _ in range(1500):
        text = rng.choice(texts)
        if not text:
            continue
        at = rng.randrange(len(text))
        damage = rng.choice(["drop", "double", "replace"])
        if damage == "drop":
            broken = text[:at] + text[at + 1:]
        elif damage == "double":
            broken = text[:at] + text[at] + text[at:]
        else:
            broken = text[:at] + rng.choice('{}()[]:=@|!&"#\n.-0a$\\') + text[at + 1:]
        _same(broken)
        checked += 1
    assert checked > 1000
