"""Output looks like Velocity on Java: `true`, `null` references, `[a, b]`, `{a=1}`, line gobbling."""

from __future__ import annotations

import json

import pytest

from resolvers.vtl import VtlContext, render_text


def out(text: str, **context: object) -> str:
    return render_text(text, VtlContext(**context), "t.vtl").text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", "true"),
        ("false", "false"),
        ("[1, 'a', true]", "[1, a, true]"),
        ('{"a": 1, "b": [2, 3], "c": {"d": null}}', "{a=1, b=[2, 3], c={d=null}}"),
        ("[]", "[]"),
        ("{}", "{}"),
        ("1.0", "1.0"),
        ("100000000.0", "1.0E8"),
        ("0.0001", "1.0E-4"),
        ("12345.5", "12345.5"),
    ],
)
def test_java_to_string(value: str, expected: str) -> None:
    assert out(f"#set($v = {value})$v") == expected


def test_null_reference_renders_its_source_text() -> None:
    assert out("$missing ${missing} $ctx.args.nothing $ctx.args.nothing.deeper") == (
        "$missing ${missing} $ctx.args.nothing $ctx.args.nothing.deeper"
    )


def test_silent_null_reference_renders_nothing() -> None:
    assert out("[$!missing][$!{missing}][$!ctx.args.nothing]") == "[][][]"


def test_method_returning_null_renders_call_text_unless_quiet() -> None:
    assert out('#set($m = {})$m.put("a", 1)|$util.qr($m.put("a", 2))|$m') == '$m.put("a", 1)||{a=2}'


def test_void_methods_render_nothing() -> None:
    assert out("#set($l = [1])#set($m = {})[$l.clear()][$m.putAll({})][$util.appendError('x')]") == "[][][]"


def test_directive_alone_on_a_line_leaves_no_blank_line() -> None:
    template = "{\n  #set($a = 1)\n  #if($a == 1)\n    \"a\": $a\n  #else\n    \"a\": 0\n  #end\n}\n"
    assert out(template) == '{\n    "a": 1\n}\n'


def test_comments_alone_on_a_line_leave_no_blank_line() -> None:
    assert out("a\n  ## note\n  #* block *#\nb\n") == "a\nb\n"


def test_foreach_lines_render_once_per_item() -> None:
    template = "[\n#foreach($x in [1, 2, 3])\n  $x#if($foreach.hasNext),#end\n#end\n]"
    assert out(template) == "[\n  1,\n  2,\n  3\n]"


def test_inline_directives_keep_surrounding_text() -> None:
    assert out("a #if(true)b #end c") == "a b  c"


def test_crlf_lines_are_gobbled() -> None:
    assert out("#set($a = 1)\r\nx$a\r\n") == "x1\r\n"


def test_typical_request_template_renders_valid_json() -> None:
    template = """
#set($input = $ctx.args.input)
{
  "version": "2018-05-29",
  "operation": "PutItem",
  "key": {
    "id": $util.dynamodb.toDynamoDBJson($util.defaultIfNullOrBlank($input.id, "generated"))
  },
  #set($values = {})
  #foreach($entry in $input.entrySet())
    #if($entry.key != "id")
      $util.qr($values.put($entry.key, $entry.value))
    #end
  #end
  "attributeValues": $util.dynamodb.toMapValuesJson($values),
  "condition": {"expression": "attribute_not_exists(#id)", "expressionNames": {"#id": "id"}}
}
"""
    rendered = out(template, arguments={"input": {"title": "T", "n": 2, "flag": True}})
    document = json.loads(rendered)
    assert document["key"] == {"id": {"S": "generated"}}
    assert document["attributeValues"] == {"title": {"S": "T"}, "n": {"N": "2"}, "flag": {"BOOL": True}}
    assert document["condition"]["expression"] == "attribute_not_exists(#id)"


def test_to_json_is_compact_and_keeps_types() -> None:
    assert out('$util.toJson({"a": [1, 2.5, true, null, "x"]})') == '{"a":[1,2.5,true,null,"x"]}'


def test_render_result_json_helper() -> None:
    result = render_text('{"a": $util.toJson($ctx.args)}', VtlContext(arguments={"b": 1}))
    assert result.json() == {"a": {"b": 1}}
