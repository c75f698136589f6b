"""The whitelisted Java methods on String, List, Map, Map.Entry and numbers."""

from __future__ import annotations

import pytest

from resolvers.vtl import VtlContext, VtlError, render_text


def out(text: str, **context: object) -> str:
    return render_text(text, VtlContext(**context), "t.vtl").text


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("$s.length()", "12"),
        ("$s.isEmpty()", "false"),
        ("$s.equals(' Hello, Ann ')", "true"),
        ("$s.equals(' hello, ann ')", "false"),
        ("$s.trim()", "Hello, Ann"),
        ("$s.trim().toLowerCase()", "hello, ann"),
        ("$s.toUpperCase()", " HELLO, ANN "),
        ("$s.trim().startsWith('Hel')", "true"),
        ("$s.trim().endsWith('Ann')", "true"),
        ("$s.contains('lo')", "true"),
        ("$s.indexOf('l')", "3"),
        ("$s.lastIndexOf('l')", "4"),
        ("$s.substring(1, 6)", "Hello"),
        ("$s.substring(8)", "Ann "),
        ("$s.trim().split(', ')", "[Hello, Ann]"),
        ("$s.replace('Ann', 'Bo')", " Hello, Bo "),
    ],
)
def test_string_methods(expr: str, expected: str) -> None:
    assert out(f"#set($s = ' Hello, Ann ')#set($r = {expr})$r") == expected


@pytest.mark.parametrize(
    ("value", "expr", "expected"),
    [
        ("a,b,,", "$t.split(',')", "[a, b]"),
        ("a1b22c", "$t.split('\\d+')", "[a, b, c]"),
        ("a1b22", "$t.replaceAll('(\\d+)', '<$1>')", "a<1>b<22>"),
        ("aaa", "$t.replaceFirst('a', 'b')", "baa"),
        ("abc123", "$t.matches('[a-z]+\\d+')", "true"),
        ("abc123x", "$t.matches('[a-z]+\\d+')", "false"),
        ("  ", "$t.isBlank()", "true"),
        ("ABC", "$t.equalsIgnoreCase('abc')", "true"),
        ("abc", "$t.charAt(1)", "b"),
        ("a", "$t.concat('b')", "ab"),
        ("a", "$t.compareTo('b')", "-1"),
        ("a", "$t.compareTo('c')", "-2"),
        ("abc", "$t.compareTo('ab')", "1"),
        ("\U0001F600", "$t.compareTo('\uffff')", "-10178"),
        ("B", "$t.compareToIgnoreCase('a')", "1"),
    ],
)
def test_string_methods_on_other_values(value: str, expr: str, expected: str) -> None:
    assert out("#set($t = $ctx.stash.t)" + f"#set($r = {expr})$r", stash={"t": value}) == expected


def test_list_methods() -> None:
    template = (
        "#set($l = ['a'])"
        "$l.add('b')|$l.addAll(['c', 'd'])|$l.size()|$l.get(0)|$l.contains('c')|$l.indexOf('d')|"
        "$l.remove('a')|$l.remove(0)|$l|$l.isEmpty()|$l.equals(['c', 'd'])|$l.set(0, 'x')|$l|"
        "$l.subList(0, 1)|$l.containsAll(['x'])|$l.lastIndexOf('d')"
    )
    assert out(template) == "true|true|4|a|true|3|true|b|[c, d]|false|true|c|[x, d]|[x]|true|1"


def test_list_contains_uses_java_equality() -> None:
    assert out("#set($l = [1, true, 'x'])$l.contains(1.0) $l.contains(1) $l.contains('true') $l.contains(true)") == (
        "false true false true"
    )


def test_map_methods() -> None:
    template = (
        '#set($m = {"a": 1})'
        '$m.put("b", 2)|$m.put("a", 3)|$m.get("a")|$m.containsKey("b")|$m.containsKey("z")|'
        '$m.keySet()|$m.values()|$m.size()|$m.remove("b")|$m|$m.isEmpty()|'
        '$util.qr($m.putAll({"c": 4}))$m|$m.containsValue(4)|$m.getOrDefault("q", 0)'
    )
    assert out(template) == '$m.put("b", 2)|1|3|true|false|[a, b]|[3, 2]|2|2|{a=3}|false|{a=3, c=4}|true|0'


def test_entry_set_exposes_key_and_value() -> None:
    template = '#set($m = {"a": 1, "b": 2})#foreach($e in $m.entrySet())$e.key=$e.value,$e.getKey():$e.getValue();#end'
    assert out(template) == "a=1,a:1;b=2,b:2;"


def test_entry_set_value_writes_through() -> None:
    assert out('#set($m = {"a": 1})#foreach($e in $m.entrySet())$util.qr($e.setValue(9))#end$m') == "{a=9}"


def test_number_and_boolean_methods() -> None:
    assert out("#set($n = 2.7)$n.intValue() $n.doubleValue() #set($b = true)$b.booleanValue() $b.toString()") == (
        "2 2.7 true true"
    )


def test_empty_getter_properties() -> None:
    assert out("#set($l = [])#set($s = '')$l.empty $s.empty") == "true true"


@pytest.mark.parametrize("expr", ["$s.substring(5)", "$l.get(2)", "$s.startsWith(1)", "$s.matches('(')"])
def test_bad_java_calls_raise(expr: str) -> None:
    with pytest.raises(VtlError):
        out(f"#set($s = 'abc')#set($l = [1])#set($r = {expr})")
