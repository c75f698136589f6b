"""The evaluator fails closed: absent means null, unknown means error, null conditions are false."""

from __future__ import annotations

import pytest

from resolvers.vtl import VtlContext, VtlError, render_text


def out(text: str, **context: object) -> str:
    return render_text(text, VtlContext(**context), "t.vtl").text


@pytest.mark.parametrize("name", ["values", "items", "keys", "get", "pop", "copy", "__class__", "__dict__", "update"])
def test_absent_key_that_is_a_python_dict_attribute_is_null(name: str) -> None:
    assert out(f"#if($ctx.args.{name})yes#{{else}}no#end", arguments={"a": 1}) == "no"
    assert out(f"$util.isNull($ctx.args.{name})", arguments={"a": 1}) == "true"


def test_present_key_named_like_a_method_is_the_key() -> None:
    assert out("$ctx.args.values $ctx.args.size", arguments={"values": [1], "size": "XL"}) == "[1] XL"


def test_properties_of_lists_and_strings_are_not_python_attributes() -> None:
    assert out("#set($l = [1])#set($s = 'x')$util.isNull($l.append)$util.isNull($s.upper)$util.isNull($l.size)") == (
        "truetruetrue"
    )


def test_property_of_null_is_null_and_method_on_null_is_null() -> None:
    assert out("$util.isNull($nothing.a.b)$util.isNull($ctx.identity.claims.get('sub'))") == "truetrue"


@pytest.mark.parametrize(
    "call",
    [
        "$s.upper()",
        "$s.__len__()",
        "$l.append(1)",
        "$m.items()",
        "$m.keys()",
        "$util.nope()",
        "$ctx.put('a', 1)",
        "$util.dynamodb.toDynamo(1)",
        "$ctx.getClass()",
    ],
)
def test_unknown_method_raises_with_location(call: str) -> None:
    with pytest.raises(VtlError) as info:
        render_text("#set($s = 'x')#set($l = [])#set($m = {})\n  " + call, VtlContext(arguments={}), "auth.vtl")
    assert info.value.template == "auth.vtl" and info.value.line == 2
    assert "unknown method" in info.value.message


def test_wrong_argument_count_raises() -> None:
    with pytest.raises(VtlError, match="argument"):
        out("#set($m = {})$m.put('a')")


def test_null_if_condition_is_false_and_not_null_is_true() -> None:
    assert out("#if($nothing)yes#{else}no#end #if(!$nothing)neg#end") == "no neg"


@pytest.mark.parametrize(
    "condition",
    ["$n > 1", "$n < 1", "$n >= 0", "$n <= 0", "$n == 1", "$n == ''", "$n == false", "1 > $n", "$n > $n"],
)
def test_comparisons_with_null_are_false(condition: str) -> None:
    assert out(f"#if({condition})yes#{{else}}no#end") == "no"


def test_null_equals_null_only() -> None:
    assert out("#if($n == $m)eq#end #if($n == null)isnull#end #if($n != 'x')ne#end") == "eq isnull ne"


def test_cross_type_equality_only_between_scalars() -> None:
    assert out("#set($l = ['x'])#set($m = {})#if(1 == '1')a#end#if(true == 'true')b#end#if($l == '[x]')c#end#if($m == '{}')d#end") == "ab"


def test_ordering_between_incomparable_types_is_false() -> None:
    assert out("#set($l = [1])#if('b' > 1)a#end#if($l > 0)b#end#if(true > false)c#end") == ""


def test_empty_string_and_empty_list_are_truthy_like_velocity() -> None:
    assert out("#if('')s#end#if([])l#end#if(0)z#end#if(false)f#end") == "slz"


def test_builtins_cannot_be_reassigned() -> None:
    for name in ("util", "ctx", "context", "utils", "extensions"):
        with pytest.raises(VtlError, match="built in"):
            out(f"#set(${name} = {{}})")


def test_set_on_non_map_raises() -> None:
    with pytest.raises(VtlError, match="cannot set"):
        out("#set($s = 'x')#set($s.a = 1)")


def test_arithmetic_on_non_numbers_raises() -> None:
    with pytest.raises(VtlError, match="needs numbers"):
        out("#set($l = [1])#set($r = $l - 1)")


def test_list_index_out_of_bounds_raises() -> None:
    with pytest.raises(VtlError, match="out of bounds"):
        out("#set($l = [1])$l[3]")


def test_stash_values_do_not_leak_python_objects() -> None:
    assert out("$util.isNull($ctx.stash.values)$ctx.stash.size()", stash={"a": 1}) == "true1"


def test_identity_null_for_api_key_is_safe() -> None:
    template = "#set($g = $util.defaultIfNull($ctx.identity.claims.get('cognito:groups'), []))$g.contains('Admins')"
    assert out(template, identity=None, auth_type="apiKey") == "false"
