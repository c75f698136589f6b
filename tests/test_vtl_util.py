"""`$util` helpers: null tests, JSON, encodings, errors, auth type, ids, types, time, str/math/list/map."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from resolvers.vtl import VtlContext, VtlError, render_text


def out(text: str, **context: object) -> str:
    return render_text(text, VtlContext(**context), "t.vtl").text


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("$util.isNull($n)", "true"),
        ("$util.isNull('')", "false"),
        ("$util.isNullOrEmpty('')", "true"),
        ("$util.isNullOrEmpty([])", "true"),
        ("$util.isNullOrEmpty(' ')", "false"),
        ("$util.isNullOrBlank('  ')", "true"),
        ("$util.isNullOrBlank('a')", "false"),
        ("$util.defaultIfNull($n, 'd')", "d"),
        ("$util.defaultIfNull('v', 'd')", "v"),
        ("$util.defaultIfNullOrEmpty('', 'd')", "d"),
        ("$util.defaultIfNullOrBlank(' ', 'd')", "d"),
        ("$util.defaultIfNullOrBlank('x', 'd')", "x"),
    ],
)
def test_null_helpers(expr: str, expected: str) -> None:
    assert out(f"#set($r = {expr})$r") == expected


@pytest.mark.parametrize(
    ("value", "type_name", "checks"),
    [
        ("[1]", "List", "TFFFF"),
        ("{}", "Map", "FTFFF"),
        ("'s'", "String", "FFTFF"),
        ("1", "Number", "FFFTF"),
        ("1.5", "Number", "FFFTF"),
        ("true", "Boolean", "FFFFT"),
        ("$n", "Null", "FFFFF"),
    ],
)
def test_type_helpers(value: str, type_name: str, checks: str) -> None:
    template = (
        f"#set($v = {value})$util.typeOf($v) "
        "$util.isList($v)$util.isMap($v)$util.isString($v)$util.isNumber($v)$util.isBoolean($v)"
    )
    flags = "".join("T" if f == "true" else "F" for f in re.findall("true|false", out(template).split(" ", 1)[1]))
    assert out(template).split(" ")[0] == type_name and flags == checks


def test_json_round_trip() -> None:
    assert out("""#set($o = $util.parseJson('{"a": [1, 2.5, null, true], "b": {"c": "d"}}'))$o.a[1] $o.b.c $util.toJson($o)""") == (
        '2.5 d {"a":[1,2.5,null,true],"b":{"c":"d"}}'
    )


def test_parse_json_of_text_that_is_not_json_is_null() -> None:
    assert out("$util.isNull($util.parseJson('{nope'))$util.isNull($util.parseJson('NaN'))") == "truetrue"
    with pytest.raises(VtlError, match="String"):
        out("$util.parseJson([])")


def test_dynamic_group_claim_normalisation_like_amplify() -> None:
    template = """#set( $claim = $ctx.identity.claims.get("groups") )
#if( $util.isString($claim) )
  #if( $util.isList($util.parseJson($claim)) )
    #set( $claim = $util.parseJson($claim) )
  #else
    #set( $claim = [$claim] )
  #end
#end
$claim"""
    assert out(template, identity={"claims": {"groups": "Admins"}}) == "[Admins]"
    assert out(template, identity={"claims": {"groups": '["A", "B"]'}}) == "[A, B]"
    assert out(template, identity={"claims": {"groups": ["C"]}}) == "[C]"


def test_quiet_helpers_render_nothing() -> None:
    assert out("#set($l = [])[$util.qr($l.add(1))][$util.quiet($l.add(2))]$l") == "[][][1, 2]"


def test_encodings() -> None:
    assert out("#set($s = 'a' + \"'b\" + '\\\"c/')$util.escapeJavaScript($s)") == "a\\'b\\\\\\\"c\\/"
    assert out("#set($s = \"line\nnext é\")$util.escapeJavaScript($s)") == "line\\nnext \\u00E9"
    assert out("$util.urlEncode('a b&c=d~*')") == "a+b%26c%3Dd%7E*"
    assert out("$util.urlDecode('a+b%26c')") == "a b&c"
    assert out("$util.base64Encode('héllo')|$util.base64Decode('aMOpbGxv')") == "aMOpbGxv|héllo"
    with pytest.raises(VtlError, match="base64Decode"):
        out("$util.base64Decode('***')")


def test_matches_is_a_full_match() -> None:
    assert out("$util.matches('a.c', 'abc') $util.matches('a', 'abc') $util.matches('^\\d+$', '42')") == (
        "true false true"
    )


def test_ids() -> None:
    auto_id = out("$util.autoId()")
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", auto_id)
    assert out("$util.autoId()") != auto_id
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", out("$util.autoUlid()"))


def test_unauthorized_message_names_field_and_type() -> None:
    context = VtlContext(info={"fieldName": "updatePost", "parentTypeName": "Mutation"})
    result = render_text("x$util.unauthorized()y", context)
    assert result.error is not None and result.text == "x"
    assert result.error.error_type == "Unauthorized"
    assert result.error.message == "Not Authorized to access updatePost on type Mutation"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("userPools", "User Pool Authorization"),
        ("AMAZON_COGNITO_USER_POOLS", "User Pool Authorization"),
        ("oidc", "Open ID Connect Authorization"),
        ("iam", "IAM Authorization"),
        ("identityPool", "IAM Authorization"),
        ("apiKey", "API Key Authorization"),
        ("API_KEY", "API Key Authorization"),
        ("lambda", "Lambda Authorization"),
        ("Lambda Authorization", "Lambda Authorization"),
    ],
)
def test_auth_type(given: str, expected: str) -> None:
    assert out("$util.authType()", auth_type=given) == expected


def test_unknown_auth_type_is_rejected_and_missing_is_null() -> None:
    with pytest.raises(ValidationError):
        VtlContext(auth_type="root")
    assert out("#if($util.authType() == 'API Key Authorization')yes#{else}no#end") == "no"


def test_time_helpers_use_the_context_clock() -> None:
    now = datetime(2024, 5, 1, 12, 30, 45, 123000, tzinfo=UTC)
    assert out("$util.time.nowISO8601()", now=now) == "2024-05-01T12:30:45.123Z"
    assert out("$util.time.nowEpochSeconds()", now=now) == "1714566645"
    assert out("$util.time.nowEpochMilliSeconds()", now=now) == "1714566645123"
    assert out("$util.time.nowFormatted('yyyy-MM-dd HH:mm:ss.SSS Z')", now=now) == "2024-05-01 12:30:45.123 +0000"
    assert out("$util.time.nowFormatted('yyyy-MM-dd HH:mm XXX', 'Europe/Berlin')", now=now) == "2024-05-01 14:30 +02:00"
    assert out("$util.time.nowFormatted(\"EEE, d MMM yyyy 'at' h a\")", now=now) == "Wed, 1 May 2024 at 12 PM"


def test_time_conversions() -> None:
    assert out("$util.time.epochMilliSecondsToISO8601(1714566645123)") == "2024-05-01T12:30:45.123Z"
    assert out("$util.time.epochMilliSecondsToSeconds(1714566645123)") == "1714566645"
    assert out("$util.time.parseISO8601ToEpochMilliSeconds('2024-05-01T12:30:45.123Z')") == "1714566645123"
    assert out("$util.time.parseFormattedToEpochMilliSeconds('2024-05-01 12:30', 'yyyy-MM-dd HH:mm')") == (
        "1714566600000"
    )
    assert out("$util.time.epochMilliSecondsToFormatted(0, 'yyyy/MM/dd')") == "1970/01/01"


def test_real_clock_when_none_given() -> None:
    year = int(out("$util.time.nowFormatted('yyyy')"))
    assert year >= 2024


def test_str_helpers() -> None:
    assert out("$util.str.toUpper('ab') $util.str.toLower('AB') $util.str.toReplace('a-b-c', '-', '+')") == "AB ab a+b+c"
    assert out("$util.str.normalize('e\u0301', 'nfc')") == "\u00e9"


def test_math_helpers() -> None:
    assert out("$util.math.roundNum(2.5) $util.math.roundNum(-2.5) $util.math.minVal(1, 2.5) $util.math.maxVal(1, 2)") == (
        "3 -2 1 2"
    )
    value = float(out("$util.math.randomDouble()"))
    assert 0 <= value < 1
    assert 5 <= int(out("$util.math.randomWithinRange(5, 7)")) <= 7


def test_list_and_map_helpers() -> None:
    assert out("$util.list.copyAndRetainAll([1, 2, 3], [3, 1]) $util.list.copyAndRemoveAll(['a', 'b'], ['a'])") == (
        "[1, 3] [b]"
    )
    template = '#set($m = {"a": 1, "b": 2, "c": 3})$util.map.copyAndRetainAllKeys($m, ["a", "c"]) $util.map.copyAndRemoveAllKeys($m, ["a"]) $m'
    assert out(template) == "{a=1, c=3} {b=2, c=3} {a=1, b=2, c=3}"


def test_context_fields() -> None:
    context = VtlContext(
        arguments={"id": "1"},
        identity={"sub": "s", "claims": {"cognito:groups": ["A"]}},
        source={"owner": "o"},
        result={"items": [1]},
        prev_result={"p": 1},
        request_headers={"x-api-key": "k"},
        info={
            "fieldName": "getPost",
            "parentTypeName": "Query",
            "variables": {"v": 1},
            "selectionSetList": ["id", "title"],
        },
        error={"message": "failed", "type": "DynamoDB:ConditionalCheckFailedException"},
    )
    template = (
        "$ctx.args.id $context.arguments.id $ctx.identity.sub $ctx.identity.claims['cognito:groups'][0] "
        "$ctx.source.owner $ctx.result.items.size() $ctx.prev.result.p $ctx.request.headers['x-api-key'] "
        "$ctx.info.fieldName $ctx.info.parentTypeName $ctx.info.variables.v $ctx.info.selectionSetList "
        "$ctx.error.type $ctx.outErrors.size() $util.isNull($ctx.nothing)"
    )
    assert render_text(template, context).text == (
        "1 1 s A o 1 1 k getPost Query 1 [id, title] DynamoDB:ConditionalCheckFailedException 0 true"
    )


def test_extensions_are_recorded() -> None:
    result = render_text(
        "$extensions.setSubscriptionFilter($util.transform.toSubscriptionFilter({\"owner\": {\"eq\": \"me\"}}))"
        "$extensions.setSubscriptionInvalidationFilter({\"a\": 1})"
        "$extensions.invalidateSubscriptions({\"subscriptionField\": \"onUpdate\", \"payload\": {\"id\": 1}})",
        VtlContext(),
    )
    assert result.text == ""
    assert result.subscription_filter == {"filterGroup": [{"filters": [{"fieldName": "owner", "operator": "eq", "value": "me"}]}]}
    assert result.subscription_invalidation_filter == {"a": 1}
    assert result.invalidations == [{"subscriptionField": "onUpdate", "payload": {"id": 1}}]


def test_context_rejects_values_a_template_cannot_hold() -> None:
    with pytest.raises(ValidationError, match="cannot be given to a template"):
        VtlContext(arguments={"when": object()})


def test_context_converts_tuples_sets_and_decimals() -> None:
    from decimal import Decimal

    context = VtlContext(arguments={"t": (1, 2), "d": Decimal("2"), "f": Decimal("2.5")})
    assert context.arguments == {"t": [1, 2], "d": 2, "f": 2.5}
