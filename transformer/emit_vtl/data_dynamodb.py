"""The data slot: DynamoDB requests for each generated operation, built only from placeholders.

Every attribute name reaches DynamoDB as an `expressionNames` placeholder and every value as an
`expressionValues` entry; the filter and condition arguments go through
`$util.transform.toDynamoDBFilterExpression`, so no caller-supplied text is spliced into an expression.
"""

from __future__ import annotations

from transformer.emit_vtl.vtl import MAPPING_VERSION, VtlWriter, q, q_list
from transformer.matrix import ModelAccess
from transformer.schema_model import IndexDef

DEFAULT_LIST_LIMIT = 100
KEY_CONDITION_OPERATORS: tuple[tuple[str, str], ...] = (
    ("eq", "="),
    ("le", "<="),
    ("lt", "<"),
    ("ge", ">="),
    ("gt", ">"),
)


def _key_of(model: ModelAccess, source: str) -> str:
    entries = ", ".join(f"{q(f)}: $util.dynamodb.toDynamoDB({source}.get({q(f)}))" for f in model.primary_key)
    return "{" + entries + "}"


def _error_passthrough(w: VtlWriter) -> None:
    with w.block("#if($ctx.error)"):
        w.line("$util.error($ctx.error.message, $ctx.error.type)")


def _merge_user_condition(w: VtlWriter, condition: str) -> None:
    """AND the mutation's `condition` argument (a ModelXConditionInput) into `condition`."""
    with w.block("#if(!$util.isNull($ctx.args.condition) && !$ctx.args.condition.isEmpty())"):
        w.line("#set($userConditionText = $util.transform.toDynamoDBConditionExpression($ctx.args.condition))")
    with w.block("#if(!$util.isNull($ctx.args.condition) && !$ctx.args.condition.isEmpty() && !$util.isNull($userConditionText))"):
        w.line("#set($userCondition = $util.parseJson($userConditionText))")
        w.line("#set($combined = '(')")
        w.qr(
            f"{condition}.put('expression', $combined.concat({condition}.expression).concat(') AND (')"
            ".concat($userCondition.expression).concat(')'))"
        )
        w.qr(f"{condition}.expressionNames.putAll($util.defaultIfNull($userCondition.expressionNames, {{}}))")
        w.qr(f"{condition}.expressionValues.putAll($util.defaultIfNull($userCondition.expressionValues, {{}}))")


def _key_condition(model: ModelAccess, check: str) -> str:
    return (
        f"{{'expression': '{check}(#gqlauthKey0)', 'expressionNames': {{'#gqlauthKey0': {q(model.primary_key[0])}}}, "
        "'expressionValues': {}}"
    )


def mutation_response() -> str:
    """The written item, stamped as a mutation result so field resolvers can redact protected fields."""
    w = VtlWriter()
    _error_passthrough(w)
    w.line("#set($written = $ctx.result)")
    w.qr("$written.put('__operation', 'Mutation')")
    w.line("$util.toJson($written)")
    return w.text()


def create_request(model: ModelAccess) -> str:
    w = VtlWriter()
    w.line("#set($item = {})")
    w.qr("$item.putAll($ctx.args.input)")
    if model.primary_key == ["id"]:
        with w.block("#if($util.isNull($item.get('id')))"):
            w.qr("$item.put('id', $util.autoId())")
    w.line("#set($now = $util.time.nowISO8601())")
    for stamp in (model.timestamps.get("createdAt"), model.timestamps.get("updatedAt")):
        if stamp and model.field(stamp):
            with w.block(f"#if($util.isNull($item.get({q(stamp)})))"):
                w.qr(f"$item.put({q(stamp)}, $now)")
    w.qr(f"$item.put('__typename', {q(model.name)})")
    w.line("#set($attributes = {})")
    w.line(f"#set($keyFields = {q_list(model.primary_key)})")
    with w.block("#foreach($entry in $item.entrySet())", "#if(!$util.isNull($entry.value) && !$keyFields.contains($entry.key))"):
        w.qr("$attributes.put($entry.key, $entry.value)")
    w.line(f"#set($condition = {_key_condition(model, 'attribute_not_exists')})")
    _merge_user_condition(w, "$condition")
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'PutItem', 'key': {_key_of(model, '$item')}, "
        "'attributeValues': $util.dynamodb.toMapValues($attributes), 'condition': $condition})"
    )
    w.line("$util.toJson($request)")
    return w.text()


def update_request(model: ModelAccess) -> str:
    """SET for the input's non-null fields, REMOVE for its nulls, the key must exist, `_version` is checked."""
    w = VtlWriter()
    w.line(f"#set($condition = {_key_condition(model, 'attribute_exists')})")
    w.line("#set($names = {})")
    w.line("#set($values = {})")
    w.line("#set($setParts = [])")
    w.line("#set($removeParts = [])")
    w.line("#set($counter = 0)")
    w.line("#set($changes = {})")
    w.qr("$changes.putAll($ctx.args.input)")
    updated = model.timestamps.get("updatedAt")
    if updated and model.field(updated):
        with w.block(f"#if(!$changes.containsKey({q(updated)}))"):
            w.qr(f"$changes.put({q(updated)}, $util.time.nowISO8601())")
    w.line(f"#set($skippedFields = {q_list([*model.primary_key, '_version'])})")
    w.line("#set($namePrefix = '#gqlauthField')")
    w.line("#set($valuePrefix = ':gqlauthValue')")
    with w.block("#foreach($entry in $changes.entrySet())"), w.block("#if(!$skippedFields.contains($entry.key))"):
        w.line("#set($counter = $counter + 1)")
        w.line("#set($namePlaceholder = $namePrefix.concat($counter.toString()))")
        w.line("#set($valuePlaceholder = $valuePrefix.concat($counter.toString()))")
        w.qr("$names.put($namePlaceholder, $entry.key)")
        with w.block("#if($util.isNull($entry.value))"):
            w.qr("$removeParts.add($namePlaceholder)")
            w.else_()
            w.qr("$values.put($valuePlaceholder, $util.dynamodb.toDynamoDB($entry.value))")
            w.qr("$setParts.add($namePlaceholder.concat(' = ').concat($valuePlaceholder))")
    with w.block("#if(!$util.isNull($ctx.args.input.get('_version')))"):
        w.qr("$condition.put('expression', $condition.expression.concat(' AND #gqlauthVersion = :gqlauthExpectedVersion'))")
        w.qr("$condition.expressionNames.put('#gqlauthVersion', '_version')")
        w.qr("$condition.expressionValues.put(':gqlauthExpectedVersion', $util.dynamodb.toDynamoDB($ctx.args.input.get('_version')))")
        w.qr("$names.put('#gqlauthVersion', '_version')")
        w.qr("$values.put(':gqlauthOne', $util.dynamodb.toDynamoDB(1))")
        w.qr("$setParts.add('#gqlauthVersion = #gqlauthVersion + :gqlauthOne')")
    w.line("#set($expression = '')")
    for keyword, parts in (("SET", "$setParts"), ("REMOVE", "$removeParts")):
        with w.block(f"#if(!{parts}.isEmpty())"):
            w.line(f"#set($expression = $expression.concat(' {keyword} '))")
            with w.block(f"#foreach($part in {parts})"):
                w.line("#set($expression = $expression.concat($part))")
                with w.block("#if($foreach.hasNext())"):
                    w.line("#set($expression = $expression.concat(', '))")
    _merge_user_condition(w, "$condition")
    w.line("#set($update = {'expression': $expression.trim(), 'expressionNames': $names})")
    with w.block("#if(!$values.isEmpty())"):
        w.qr("$update.put('expressionValues', $values)")
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'UpdateItem', "
        f"'key': {_key_of(model, '$ctx.args.input')}, 'update': $update, 'condition': $condition}})"
    )
    w.line("$util.toJson($request)")
    return w.text()


def delete_request(model: ModelAccess) -> str:
    w = VtlWriter()
    w.line(f"#set($condition = {_key_condition(model, 'attribute_exists')})")
    with w.block("#if(!$util.isNull($ctx.args.input.get('_version')))"):
        w.qr("$condition.put('expression', $condition.expression.concat(' AND #gqlauthVersion = :gqlauthExpectedVersion'))")
        w.qr("$condition.expressionNames.put('#gqlauthVersion', '_version')")
        w.qr("$condition.expressionValues.put(':gqlauthExpectedVersion', $util.dynamodb.toDynamoDB($ctx.args.input.get('_version')))")
    _merge_user_condition(w, "$condition")
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'DeleteItem', "
        f"'key': {_key_of(model, '$ctx.args.input')}, 'condition': $condition}})"
    )
    w.line("$util.toJson($request)")
    return w.text()


def _emit_key_condition(w: VtlWriter, partition: str, sort_fields: tuple[str, ...] | list[str], *, exact: bool) -> None:
    """`$keyCondition` for a partition key value and (one) sort key: exact values for get, a condition input otherwise."""
    w.line(
        "#set($keyCondition = {'expression': '#gqlauthPartition = :gqlauthPartition', "
        f"'expressionNames': {{'#gqlauthPartition': {q(partition)}}}, "
        f"'expressionValues': {{':gqlauthPartition': $util.dynamodb.toDynamoDB($ctx.args.get({q(partition)}))}}}})"
    )
    if exact:
        for position, field in enumerate(sort_fields):
            name, value = f"#gqlauthSort{position}", f":gqlauthSort{position}"
            w.qr(f"$keyCondition.put('expression', $keyCondition.expression.concat(' AND {name} = {value}'))")
            w.qr(f"$keyCondition.expressionNames.put('{name}', {q(field)})")
            w.qr(f"$keyCondition.expressionValues.put('{value}', $util.dynamodb.toDynamoDB($ctx.args.get({q(field)})))")
        return
    if len(sort_fields) != 1:
        return
    argument = f"$ctx.args.get({q(sort_fields[0])})"
    with w.block(f"#if(!$util.isNull({argument}))"):
        w.line(f"#set($sortCondition = {argument})")
        w.qr(f"$keyCondition.expressionNames.put('#gqlauthSort', {q(sort_fields[0])})")
        first = True
        for key, operator in KEY_CONDITION_OPERATORS:
            w.line(f"#{'if' if first else 'elseif'}(!$util.isNull($sortCondition.get('{key}')))")
            first = False
            w.line(f"  $util.qr($keyCondition.put('expression', $keyCondition.expression.concat(' AND #gqlauthSort {operator} :gqlauthSort')))")
            w.line(f"  $util.qr($keyCondition.expressionValues.put(':gqlauthSort', $util.dynamodb.toDynamoDB($sortCondition.get('{key}'))))")
        w.line("#elseif(!$util.isNull($sortCondition.get('beginsWith')))")
        w.line("  $util.qr($keyCondition.put('expression', $keyCondition.expression.concat(' AND begins_with(#gqlauthSort, :gqlauthSort)')))")
        w.line("  $util.qr($keyCondition.expressionValues.put(':gqlauthSort', $util.dynamodb.toDynamoDB($sortCondition.get('beginsWith'))))")
        w.line("#elseif(!$util.isNull($sortCondition.get('between')) && $sortCondition.get('between').size() == 2)")
        w.line("  $util.qr($keyCondition.put('expression', $keyCondition.expression.concat(' AND #gqlauthSort BETWEEN :gqlauthLow AND :gqlauthHigh')))")
        w.line("  $util.qr($keyCondition.expressionValues.put(':gqlauthLow', $util.dynamodb.toDynamoDB($sortCondition.get('between').get(0))))")
        w.line("  $util.qr($keyCondition.expressionValues.put(':gqlauthHigh', $util.dynamodb.toDynamoDB($sortCondition.get('between').get(1))))")
        w.line("#end")


def _emit_filter(w: VtlWriter, *, with_arguments: bool) -> None:
    """`$request.filter` := the caller's filter (when given) AND the stashed auth filter."""
    w.line("#set($filterParts = [])")
    if with_arguments:
        with w.block("#if(!$util.isNull($ctx.args.filter) && !$ctx.args.filter.isEmpty())"):
            w.qr("$filterParts.add($ctx.args.filter)")
    with w.block("#if(!$util.isNull($ctx.stash.authFilter))"):
        w.qr("$filterParts.add($ctx.stash.authFilter)")
    with w.block("#if(!$filterParts.isEmpty())"):
        w.line("#set($filterExpression = $util.transform.toDynamoDBFilterExpression({'and': $filterParts}))")
        with w.block("#if(!$util.isNull($filterExpression))"):
            w.qr("$request.put('filter', $util.parseJson($filterExpression))")


def get_request(model: ModelAccess) -> str:
    """A Query on the full key with the auth filter, so a record the caller may not see is told apart from a missing one."""
    w = VtlWriter()
    _emit_key_condition(w, model.primary_key[0], model.primary_key[1:], exact=True)
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'query': $keyCondition, 'consistentRead': true}})")
    _emit_filter(w, with_arguments=False)
    w.line("$util.toJson($request)")
    return w.text()


def get_response() -> str:
    w = VtlWriter()
    _error_passthrough(w)
    with w.block("#if($ctx.result.items.isEmpty() && $ctx.result.scannedCount == 1)"):
        w.line("$util.unauthorized()")
    with w.block("#if($ctx.result.items.isEmpty())"):
        w.line("null")
        w.else_()
        w.line("$util.toJson($ctx.result.items.get(0))")
    return w.text()


def _paging(w: VtlWriter) -> None:
    w.qr(f"$request.put('limit', $util.defaultIfNull($ctx.args.limit, {DEFAULT_LIST_LIMIT}))")
    with w.block("#if(!$util.isNull($ctx.args.nextToken))"):
        w.qr("$request.put('nextToken', $ctx.args.nextToken)")


def list_request(model: ModelAccess) -> str:
    """Scan with filter, limit and nextToken; a Query when the key has sort fields and the partition value is given."""
    w = VtlWriter()
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Scan'}})")
    if len(model.primary_key) > 1:
        with w.block(f"#if(!$util.isNull($ctx.args.get({q(model.primary_key[0])})))"):
            _emit_key_condition(w, model.primary_key[0], model.primary_key[1:], exact=False)
            w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'query': $keyCondition}})")
            w.qr("$request.put('scanIndexForward', $ctx.args.sortDirection != 'DESC')")
    _paging(w)
    _emit_filter(w, with_arguments=True)
    w.line("$util.toJson($request)")
    return w.text()


def index_query_request(index: IndexDef) -> str:
    w = VtlWriter()
    _emit_key_condition(w, index.partition_field, index.sort_key_fields, exact=False)
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'index': {q(index.name)}, "
        "'query': $keyCondition})"
    )
    w.qr("$request.put('scanIndexForward', $ctx.args.sortDirection != 'DESC')")
    _paging(w)
    _emit_filter(w, with_arguments=True)
    w.line("$util.toJson($request)")
    return w.text()


def list_response() -> str:
    w = VtlWriter()
    _error_passthrough(w)
    w.line("#set($page = {'items': $ctx.result.items, 'nextToken': $ctx.result.nextToken})")
    w.line("$util.toJson($page)")
    return w.text()
