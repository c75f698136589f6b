"""Parsing every VTL construct the AppSync templates use, and syntax errors with locations."""

from __future__ import annotations

import pytest

from resolvers.vtl import Template, VtlContext, VtlSyntaxError, get_template, render
from resolvers.vtl.nodes import (
    Call,
    ForeachStmt,
    IfStmt,
    Index,
    Interpolated,
    Literal,
    MapLit,
    Prop,
    RangeLit,
    RefOut,
    SetStmt,
    Text,
)


def out(text: str, **context: object) -> str:
    return render(Template.parse(text, "t.vtl"), VtlContext(**context)).text


def test_text_only_is_one_text_node() -> None:
    template = Template.parse("hello world", "t")
    assert len(template.nodes) == 1 and isinstance(template.nodes[0], Text)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("$a", "1"),
        ("${a}", "1"),
        ("$!a", "1"),
        ("$!{a}", "1"),
        ("x${a}y", "x1y"),
        ("$a.", "1."),
        ("$ a", "$ a"),
        ("$!", "$!"),
        ("cost: $5", "cost: $5"),
    ],
)
def test_reference_forms(source: str, expected: str) -> None:
    assert out("#set($a = 1)" + source) == expected


def test_property_chain_and_index_nodes() -> None:
    template = Template.parse('$ctx.args.input.title $a[0] $m["k"] $util.toJson($x)', "t")
    refs = [n for n in template.nodes if isinstance(n, RefOut)]
    assert isinstance(refs[0].expr, Prop) and refs[0].expr.name == "title"
    assert isinstance(refs[1].expr, Index)
    assert isinstance(refs[2].expr, Index) and isinstance(refs[2].expr.index, Literal)
    assert isinstance(refs[3].expr, Call) and refs[3].expr.name == "toJson"


def test_property_chain_values() -> None:
    text = out("$ctx.args.input.title|$ctx.arguments.input.tags[1]", arguments={"input": {"title": "T", "tags": ["a", "b"]}})
    assert text == "T|b"


def test_index_on_map_with_string_key_and_variable_key() -> None:
    assert out('#set($m = {"k": "v", "j": 2})#set($key = "j")$m["k"] $m[$key]') == "v 2"


def test_method_call_with_several_args_across_lines() -> None:
    assert out('#set($s = "a-b-c")$s.replace(\n  "-",\n  "+"\n)') == "a+b+c"


def test_set_forms() -> None:
    template = Template.parse('#set($a = 1)#set($m = {})#set($m.k = 2)#set($m["j"] = 3)', "t")
    assert all(isinstance(n, SetStmt) for n in template.nodes)
    assert out('#set($m = {})#set($m.k = 2)#set($m["j"] = 3)#set($l = [0, 0])#set($l[1] = 5)$m $l') == "{k=2, j=3} [0, 5]"


def test_if_elseif_else_structure() -> None:
    template = Template.parse("#if($a)A#elseif($b)B#else C#end", "t")
    node = template.nodes[0]
    assert isinstance(node, IfStmt) and len(node.branches) == 2 and node.otherwise is not None
    source = "#if($a == 1)one#elseif($a == 2)two#{else}other#{end}"
    assert [out(f"#set($a = {i})" + source) for i in (1, 2, 3)] == ["one", "two", "other"]


def test_foreach_with_loop_state() -> None:
    template = Template.parse("#foreach($x in [1..3])$x#end", "t")
    assert isinstance(template.nodes[0], ForeachStmt)
    assert isinstance(template.nodes[0].iterable, RangeLit)
    text = out("#foreach($x in ['a', 'b', 'c'])$foreach.index:$foreach.count:$x#if($foreach.hasNext),#end#end")
    assert text == "0:1:a,1:2:b,2:3:c"


def test_foreach_over_map_iterates_values_and_restores_variable() -> None:
    assert out('#set($x = "outer")#set($m = {"a": 1, "b": 2})#foreach($x in $m)$x#end $x') == "12 outer"


def test_nested_foreach_parent() -> None:
    text = out("#foreach($a in [1, 2])#foreach($b in [1])$foreach.parent.count$b #end#end")
    assert text == "11 21 "


def test_comments() -> None:
    assert out("a## line comment\nb") == "ab"
    assert out("a#* block\ncomment *#b") == "ab"
    assert out("a#** doc *#b") == "ab"


def test_unparsed_block() -> None:
    assert out("#[[ $not #if(parsed) ]]#") == " $not #if(parsed) "


def test_map_and_list_literals() -> None:
    template = Template.parse('#set($m = {"a": 1, "b": $x, \'k\': [1, 2]})', "t")
    node = template.nodes[0]
    assert isinstance(node, SetStmt) and isinstance(node.value, MapLit) and len(node.value.items) == 3
    assert out('#set($x = "X")#set($m = {"a": 1, "b": $x, "c": [1, 2], "d": {}})$util.toJson($m)') == (
        '{"a":1,"b":"X","c":[1,2],"d":{}}'
    )


def test_ranges() -> None:
    assert out("#set($n = 3)$util.toJson([1..$n]) $util.toJson([3..1]) $util.toJson([0..0])") == "[1,2,3] [3,2,1] [0]"


def test_string_literals() -> None:
    template = Template.parse('#set($a = "x $b y")#set($c = \'x $b y\')', "t")
    assert isinstance(template.nodes[0].value, Interpolated)
    assert isinstance(template.nodes[1].value, Literal)
    assert out('#set($b = "B")#set($a = "x $b ${b}y")#set($c = \'x $b y\')$a|$c') == "x B By|x $b y"
    assert out('#set($q = \'say "hi"\')#set($r = "it\'s")$q $r') == 'say "hi" it\'s'
    assert out('#set($u = "\\u0041")$u') == "A"


def test_interpolated_string_keeps_null_reference_text() -> None:
    assert out('#set($a = "v=$missing")$a') == "v=$missing"
    assert out('#set($a = "v=$!missing")$a') == "v="


def test_numbers_booleans_null() -> None:
    assert out("#set($a = 12)#set($b = 1.5)#set($c = -3)#set($d = true)#set($e = false)#set($f = null)$a $b $c $d $e $!f") == (
        "12 1.5 -3 true false "
    )


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1 + 2 * 3", "7"),
        ("(1 + 2) * 3", "9"),
        ("7 / 2", "3"),
        ("-7 / 2", "-3"),
        ("7 % 3", "1"),
        ("-7 % 3", "-1"),
        ("7.0 / 2", "3.5"),
        ("1 / 0", "null"),
        ("'a' + 1", "a1"),
        ("1 < 2 && 2 <= 2", "true"),
        ("1 > 2 || 3 >= 4", "false"),
        ("!true", "false"),
        ("1 == 1 and 2 != 3", "true"),
        ("true or false", "true"),
        ("not false", "true"),
        ("!1 == 2", "false"),
    ],
)
def test_operators(expr: str, expected: str) -> None:
    assert out(f"#set($r = {expr})$!r" if expected != "null" else f"#set($r = {expr})$r") == (
        expected if expected != "null" else "$r"
    )


def test_return_and_break_parse() -> None:
    for source in ("#return\n", "#return($x)", "#return()", "#break", "#if($a)#return#end"):
        Template.parse(source, "t")


def test_macro_definition_and_call() -> None:
    assert out("#macro(greet $who $punct)Hello $who$punct#end#greet('Ann', '!') #greet(\"Bo\" \"?\")") == (
        "Hello Ann! Hello Bo?"
    )


def test_escaped_reference_and_directive() -> None:
    assert out("#set($a = 1)\\$a \\#if") == "$a #if"
    assert out("#set($a = 1)\\\\$a") == "\\1"


def test_hash_that_is_not_a_directive_is_text() -> None:
    assert out('#set($f = "title")"#$f = :$f" #owner # x') == '"#title = :title" #owner # x'


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("#if($a)\nno end", 2, 7),
        ("ok\n#end", 2, 1),
        ("#set($a = )", 1, 11),
        ("#set $a = 1)", 1, 5),
        ('#set($a = "unterminated)', 1, 11),
        ("#foreach($x of $l)#end", 1, 13),
        ("#* never closed", 1, 1),
        ("a\n  $util.toJson($x", 2, 18),
        ("#include('x')", 1, 1),
        ("#else", 1, 1),
    ],
)
def test_syntax_errors_have_locations(source: str, line: int, column: int) -> None:
    with pytest.raises(VtlSyntaxError) as info:
        Template.parse(source, "bad.vtl")
    assert (info.value.template, info.value.line, info.value.column) == ("bad.vtl", line, column)
    assert str(info.value).startswith(f"bad.vtl:{line}:{column}: ")


def test_get_template_caches_parsed_templates() -> None:
    first = get_template("$a #set($b = 1)", "cached.vtl")
    assert get_template("$a #set($b = 1)", "cached.vtl") is first
    assert get_template("$a #set($b = 1)", "other.vtl") is not first
