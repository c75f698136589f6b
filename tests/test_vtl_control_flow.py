"""#return, #break, #stop and errors raised by the template end rendering where AppSync ends it."""

from __future__ import annotations

import pytest

from resolvers.vtl import BARE_RETURN, VtlContext, VtlRuntimeError, VtlSyntaxError, render_text


def run(text: str, **context: object):  # noqa: ANN201 - RenderResult
    return render_text(text, VtlContext(**context), "t.vtl")


def test_return_with_value_inside_foreach_and_if() -> None:
    result = run("before#foreach($x in [1, 2, 3])#if($x == 2)#return({\"found\": $x})#end$x#end after")
    assert result.has_returned and result.returned == {"found": 2}
    assert result.text == "before1"


def test_bare_return_is_marked() -> None:
    result = run("a#if(true)#return#end b")
    assert result.has_returned and result.returned is BARE_RETURN and result.text == "a"


def test_return_of_null_is_a_value() -> None:
    result = run("#return($nothing)")
    assert result.has_returned and result.returned is None


def test_no_return_means_not_returned() -> None:
    result = run("x")
    assert not result.has_returned and result.returned is None


def test_return_json_string_like_amplify() -> None:
    result = run('#return($util.toJson({"version": "2018-05-29", "payload": {}}))')
    assert result.returned == '{"version":"2018-05-29","payload":{}}'


def test_break_leaves_only_innermost_loop() -> None:
    text = run("#foreach($a in [1, 2])#foreach($b in [1, 2, 3])#if($b == 2)#break#end$a$b #end#end").text
    assert text == "11 21 "


def test_break_inside_if_inside_loop_stops_loop_and_keeps_state() -> None:
    template = (
        "#set($found = false)"
        "#foreach($g in ['a', 'b', 'c'])#if($g == 'b')#set($found = true)#break#end#end"
        "$found $util.isNull($g)"
    )
    assert run(template).text == "true true"


def test_break_outside_loop_stops_template() -> None:
    result = run("a#break b")
    assert result.text == "a" and result.stopped


def test_stop_is_refused_because_the_simulator_prints_it_as_text() -> None:
    with pytest.raises(VtlSyntaxError, match="#stop is not supported"):
        run("a#stop $util.unauthorized()")


def test_util_error_aborts_template() -> None:
    result = run('one $util.error("boom", "Custom", {"k": 1}, {"i": 2}) two #set($x = 1)', stash={})
    assert result.text == "one "
    error = result.error
    assert isinstance(error, VtlRuntimeError)
    assert (error.message, error.error_type, error.data, error.info) == ("boom", "Custom", {"k": 1}, {"i": 2})
    assert error.as_graphql_error() == {"message": "boom", "errorType": "Custom", "data": {"k": 1}, "errorInfo": {"i": 2}}


def test_util_error_inside_loop_and_macro_aborts() -> None:
    result = run("#macro(deny $m)$util.error($m)#end#foreach($i in [1, 2])$i#deny('no')#end")
    assert result.text == "1" and result.error is not None and result.error.message == "no"


def test_append_error_collects_and_continues() -> None:
    context = VtlContext()
    result = render_text("$util.appendError('first', 'T1')$util.appendError('second')done", context)
    assert result.text == "done" and result.error is None
    assert [e["message"] for e in result.appended_errors] == ["first", "second"]
    assert result.appended_errors[0]["errorType"] == "T1"
    assert context.out_errors == result.appended_errors


def test_validate_raises_only_when_false() -> None:
    assert run("$util.validate(true, 'never')ok").text == "ok"
    result = run("#set($bigger = 1 > 2)$util.validate($bigger, 'must be bigger', 'ValidationError')")
    assert result.error is not None and result.error.error_type == "ValidationError"


def test_stash_survives_and_is_returned() -> None:
    context = VtlContext(stash={"a": 1})
    result = render_text('$util.qr($ctx.stash.put("b", 2))#set($ctx.stash.c = 3)', context)
    assert result.stash == {"a": 1, "b": 2, "c": 3} and context.stash is result.stash


def test_pipeline_carries_argument_changes_between_templates() -> None:
    context = VtlContext(arguments={"input": {"title": "t"}})
    render_text('$util.qr($ctx.args.input.put("owner", "me"))', context, "auth.vtl")
    second = render_text("$util.toJson($ctx.args.input)", context, "request.vtl")
    assert second.text == '{"title":"t","owner":"me"}'


def test_context_copies_caller_data() -> None:
    caller_input = {"input": {"title": "t"}}
    context = VtlContext(arguments=caller_input)
    render_text('$util.qr($ctx.args.input.put("owner", "me"))', context)
    assert caller_input == {"input": {"title": "t"}}
    assert context.arguments["input"]["owner"] == "me"


def test_foreach_over_list_modified_in_body_uses_snapshot() -> None:
    assert run("#set($l = [1, 2])#foreach($x in $l)$util.qr($l.add($x))$x#end $l.size()").text == "12 4"


def test_foreach_over_null_or_scalar_does_nothing() -> None:
    assert run("#set($s = 'str')#set($n = 5)#foreach($x in $nothing)a#end#foreach($x in $s)b#end#foreach($x in $n)c#end.").text == "."


def test_velocity_count_compatibility() -> None:
    assert run("#foreach($x in ['a', 'b'])$velocityCount#end").text == "12"
