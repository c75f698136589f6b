"""Arbitrary template text never crashes the evaluator: it parses and renders, or raises VtlError."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resolvers.vtl import Template, VtlContext, VtlError, VtlSyntaxError, render

PIECES = [*"$#!{}[]()\"'.,:=<>+-*/%&|\\ \n\tab01", "#set", "#if", "#end", "#else", "#elseif", "#foreach",
          " in ", "#break", "#return", "#stop", "#macro", "$x", "$util.toJson", "$ctx.args", "..", "##", "#*",
          "*#", "true", "null", "and", "not", ".size()", "$foreach.hasNext", "$util.error", "$ctx.args.a"]


@settings(max_examples=400, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_any_text_parses_and_renders_or_raises_vtl_error(text: str) -> None:
    try:
        template = Template.parse(text, "fuzz.vtl")
    except VtlError as exc:
        assert exc.template == "fuzz.vtl" and exc.line >= 1
        return
    try:
        result = render(template, VtlContext(arguments={"a": [1, 2], "m": {"k": "v"}}))
    except VtlError as exc:
        assert exc.template == "fuzz.vtl"
        return
    assert isinstance(result.text, str)


@pytest.mark.parametrize("source", ["#if(true)" * 2000, "#set($a = " + "(" * 3000 + "1" + ")" * 3000 + ")"])
def test_deep_nesting_is_a_syntax_error(source: str) -> None:
    with pytest.raises(VtlSyntaxError, match="too deep"):
        Template.parse(source, "deep.vtl")


def test_runaway_macro_recursion_is_an_error() -> None:
    template = Template.parse("#macro(loop $n)#loop($n)#end#loop(1)", "rec.vtl")
    with pytest.raises(VtlError, match="too deep"):
        render(template, VtlContext())


def test_huge_range_is_refused() -> None:
    with pytest.raises(VtlError, match="too large"):
        render(Template.parse("#foreach($i in [0..100000000])#end", "r.vtl"), VtlContext())
