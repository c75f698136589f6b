"""Dropping Amplify's transformer directives from SDL text before the emitter re-parses it."""

from __future__ import annotations

from graphql import parse, print_ast

from transformer.emit_schema import strip_directives


def test_transformer_directives_and_their_arguments_are_removed() -> None:
    sdl = 'type A @model @auth(rules: [{allow: owner}]) { id: ID! @primaryKey b: [B] @hasMany(indexName: "x") }'
    assert print_ast(parse(strip_directives(sdl))) == "type A {\n  id: ID!\n  b: [B]\n}"


def test_parentheses_inside_strings_and_comments_do_not_confuse_it() -> None:
    sdl = (
        'type A @auth(rules: [{allow: owner, ownerField: ")#("}]) {\n'
        "  # a comment with @auth( in it\n"
        '  x: String @aws_api_key @default(value: "(")\n'
        '  """ @auth( in a description """\n'
        "  y: Int\n"
        "}"
    )
    stripped = strip_directives(sdl)
    assert print_ast(parse(stripped)) == '''type A {
  x: String @aws_api_key
  """ @auth( in a description """
  y: Int
}'''


def test_other_directives_are_kept() -> None:
    sdl = "type Query { ping: String @aws_iam @deprecated(reason: \"old\") }"
    assert strip_directives(sdl) == sdl
