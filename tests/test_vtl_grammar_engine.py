"""Our evaluator's grammar against the engine behind `amplify mock` (amplify-velocity-template 1.4.8).

Each construct records what that engine does with it (checked against the real engine when the oracle is
installed) and what ours does: the same, or refused where the engines read it differently.
"""

from __future__ import annotations

import pytest
from oracle_support import oracle_missing_reason
from vtl_engine_support import simulate

from resolvers.vtl import Template, VtlSyntaxError

# (template, the simulator's engine parses it, ours refuses it although that engine parses it: why)
CONSTRUCTS: list[tuple[str, bool, str | None]] = [
    ("$v.substring($v.lastIndexOf('::') + 2)", False, None),
    ("#set($cut = $v.lastIndexOf('::') + 2)$v.substring($cut)", True, None),
    ("$util.qr($m.put('a', $b == $c))", False, None),
    ("$util.qr($m.put('a', !$c))", False, None),
    ("$util.qr($m.put('a', ($c)))", False, None),
    ("$util.qr($m.put('a', true))", True, None),
    ("$util.qr($m.put('a', null))", True, None),
    ("$util.qr($m.put('a', -1))", True, None),
    ("$util.qr($m.put('a', \"x${b}y\"))", True, None),
    ("$a.b(c)", True, "a bare word argument is no value in Java's Velocity"),
    ("#set($x = $a.b($c, d))", False, None),
    ("#set($x = {\"a\": $y + 1})", False, None),
    ("#set($x = {$k: 1})", False, None),
    ("#set($x = {'a': [1, {'b': $c}], 'd': -1})", True, None),
    ("#set($x = [$a + 1, 2])", False, None),
    ("#set($x = [$a.b(1), 'x'])", True, None),
    ("#set($x = $a[$i + 1])", False, None),
    ("#set($x = $a[0].b)", True, None),
    ("#set($x = $a[-1])", True, None),
    ("#set($x = $a['k'])", True, None),
    ("#set($x = $a[$b.c])", True, None),
    ("#set($x = -$a)", False, None),
    ("#set($x = -$a.size())", False, None),
    ("#set($x = -($a))", True, None),
    ("#set($x = 5 - -1)", True, None),
    ("#set($x = !$a)", True, None),
    ("#set($x = 1e5)", False, None),
    ("#set($x = 1.5 * $a % 2)", True, None),
    ("#set($x = $a-1)", True, None),
    ("#set($x = $a - 1)", True, None),
    ("#if([1] == $x)y#end", False, None),
    ("#set($x = [])", True, None),
    ("#if($a eq $b)x#end", False, None),
    ("#if($a lt $b)x#end", False, None),
    ("#if($a == $b and $c)x#end", True, None),
    ("#if($a == $b && not $c)x#end", True, None),
    ("#if($a || $b && $c)x#end", True, "the simulator groups && and || left to right, Velocity binds && tighter"),
    ("#if($a || ($b && $c))x#end", True, None),
    ("#if($a == $b < $c)x#end", True, "the simulator groups comparisons left to right, Velocity compares first"),
    ("#foreach($i in [1..$n])x#end", True, None),
    ("#foreach($i in [$a + 1..$n])x#end", False, None),
    ("#foreach($i in ($a))x#end", False, None),
    ("#foreach($k in $m.keySet())$k#end", True, None),
    ("#foreach($i in $l)#break#end", True, None),
    ("#foreach($i in $l)#break($foreach)#end", True, "the simulator breaks and prints ($foreach) as text"),
    ("#stop", True, "the simulator prints #stop as text"),
    ("#{if}($a)x#{end}", True, "the simulator prints #{if} as text"),
    ("#if($a)x#{else}y#{end}", True, None),
    ("#return", True, "the simulator prints a #return that ends the template as text"),
    ("#if($a)#return#end", True, None),
    ("#return($x)", True, None),
    ("#set($x = \"a\"\"b\")", False, None),
    ("#set($x = 'a''b')", False, None),
    ("#set($x = 'a\\'b')", True, "the simulator unescapes \\' in a string, Java's Velocity keeps it"),
    ("#set($x = \"a'b\")", True, None),
    ("#set($x = 'a$b#c')", True, None),
    ("#set($x = \"$a.b ${c}\")", True, None),
    ("#macro(m $a $b)$a#end#m(1 $x)", True, None),
    ("#set( $x = $a.b( 1 ,\n 'x' ) )", True, None),
    ("${a}$!{a.b}$!a \\$a \\#if", True, None),
]


def _ours_refuses(source: str) -> bool:
    try:
        Template.parse(source, "t.vtl")
    except VtlSyntaxError:
        return True
    return False


@pytest.mark.parametrize(("source", "engine_parses", "refused_because"), CONSTRUCTS)
def test_ours_accepts_exactly_what_both_engines_read_alike(source: str, engine_parses: bool,
                                                           refused_because: str | None) -> None:
    assert _ours_refuses(source) == (not engine_parses or refused_because is not None)


def test_refusal_names_the_template_and_line() -> None:
    with pytest.raises(VtlSyntaxError) as caught:
        Template.parse("#set($a = 1)\n#set($v = $v.substring($v.lastIndexOf('::') + 2))", "Post.owner.data.1.res.vtl")
    assert caught.value.template == "Post.owner.data.1.res.vtl" and caught.value.line == 2
    assert "only references and literals" in caught.value.message


@pytest.mark.parametrize("source", ["$util.qr($m.put('k', {'a': 1}))", "$util.qr($l.addAll(['a']))",
                                    "#foreach($r in $util.defaultIfNull($x, ['a']))#end"])
def test_portable_templates_set_literals_into_variables_before_a_method_takes_them(source: str) -> None:
    """The simulator passes such a literal on as a plain object, not a Java map or list."""
    Template.parse(source, "t.vtl")
    with pytest.raises(VtlSyntaxError, match="#set it into a variable first"):
        Template.parse(source, "t.vtl", portable=True)


def test_the_recorded_verdicts_are_the_simulators() -> None:
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    results = simulate([{"name": str(i), "template": source} for i, (source, _, _) in enumerate(CONSTRUCTS)])
    wrong = [(source, results[str(i)]["parseError"]) for i, (source, parses, _) in enumerate(CONSTRUCTS)
             if results[str(i)]["parses"] != parses]
    assert not wrong
