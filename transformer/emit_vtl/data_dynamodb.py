"""The data slot: DynamoDB requests for each generated operation, built only from placeholders.

Every attribute name reaches DynamoDB as an `expressionNames` placeholder and every value as an
`expressionValues` entry; the filter and condition arguments go through
`$util.transform.toDynamoDBFilterExpression`, so no caller-supplied text is spliced into an expression.

With conflict resolution on (`versioned`), the table is a versioned data source, as in Amplify: updates and
deletes hand the caller's `_version` to AppSync (which detects and resolves conflicts, and turns a delete into a
soft delete), never write the sync fields themselves, and an error passes the data source's result on (the
server's record of a rejected conflict); the sync query is the data source's `Sync` operation.
"""

from __future__ import annotations

from transformer.conflict_resolution import SYNC_FIELDS
from transformer.emit_vtl.vtl import MAPPING_VERSION, VtlWriter, q, q_list
from transformer.matrix import ModelAccess
from transformer.relations import camel_case
from transformer.schema_model import IndexDef

DEFAULT_LIST_LIMIT = 100
KEY_CONDITION_OPERATORS: tuple[tuple[str, str], ...] = (
    ("eq", "="),
    ("le", "<="),
    ("lt", "<"),
    ("ge", ">="),
    ("gt", ">"),
)


def joined_value(source: str, fields: tuple[str, ...] | list[str]) -> str:
    """The VTL value of a composite key attribute: the fields' values joined by `#` (as Amplify stores them)."""
    parts = [f"{source}.get({q(f)}).toString()" for f in fields]
    return parts[0] + "".join(f".concat('#').concat({part})" for part in parts[1:])


def key_attributes(model: ModelAccess, source: str) -> list[tuple[str, str]]:
    """(attribute, VTL value) of the table key: the partition field, then the sort field or composite attribute."""
    partition, *sort = model.primary_key
    entries = [(partition, f"{source}.get({q(partition)})")]
    if len(sort) == 1:
        entries.append((sort[0], f"{source}.get({q(sort[0])})"))
    elif sort:
        entries.append(("#".join(sort), joined_value(source, sort)))
    return entries


def composite_attributes(model: ModelAccess) -> list[tuple[str, tuple[str, ...]]]:
    """Composite sort-key attributes (`a#b`) the items must carry, for the key and for indexes."""
    found = []
    if len(model.primary_key) > 2:
        found.append(("#".join(model.primary_key[1:]), tuple(model.primary_key[1:])))
    found.extend(("#".join(i.sort_key_fields), i.sort_key_fields) for i in model.indexes if len(i.sort_key_fields) > 1)
    return found


def _key_of(model: ModelAccess, source: str) -> str:
    entries = ", ".join(f"{q(name)}: $util.dynamodb.toDynamoDB({value})" for name, value in key_attributes(model, source))
    return "{" + entries + "}"


def _emit_composites(w: VtlWriter, model: ModelAccess, values: str, target: str) -> None:
    """Put each composite attribute into the map `target` when `values` holds all of its fields."""
    for name, fields in composite_attributes(model):
        present = " && ".join(f"!$util.isNull({values}.get({q(f)}))" for f in fields)
        with w.block(f"#if({present})"):
            w.qr(f"{target}.put({q(name)}, {joined_value(values, fields)})")


def _error_passthrough(w: VtlWriter, *, versioned: bool = False) -> None:
    with w.block("#if($ctx.error)"):
        w.line("$util.error($ctx.error.message, $ctx.error.type, $ctx.result)" if versioned
               else "$util.error($ctx.error.message, $ctx.error.type)")


def _caller_version() -> str:
    """The `_version` a versioned data source compares with the stored record's (0 when the input has none)."""
    return "$util.defaultIfNull($ctx.args.input.get('_version'), 0)"


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
        for part in ("expressionNames", "expressionValues"):
            with w.block(f"#if(!$util.isNull($userCondition.{part}))"):
                w.qr(f"{condition}.{part}.putAll($userCondition.{part})")


def _key_condition(model: ModelAccess, check: str) -> str:
    return (
        f"{{'expression': '{check}(#gqlauthKey0)', 'expressionNames': {{'#gqlauthKey0': {q(model.primary_key[0])}}}, "
        "'expressionValues': {}}"
    )


def mutation_response(*, versioned: bool = False) -> str:
    """The written item, stamped as a mutation result so field resolvers can redact protected fields."""
    w = VtlWriter()
    _error_passthrough(w, versioned=versioned)
    w.line("#set($written = $ctx.result)")
    w.qr("$written.put('__operation', 'Mutation')")
    w.line("$util.toJson($written)")
    return w.text()


def _drop_null_index_fields(w: VtlWriter, model: ModelAccess) -> None:
    """Amplify's create leaves out a null given for a field that carries `@index` (its `$nullIndexFields`): DynamoDB
    refuses a NULL index key, and without the attribute the record is just not in that index."""
    fields = list(dict.fromkeys(index.partition_field for index in model.indexes))
    if not fields:
        return
    w.line("#set($nullIndexFields = [])")
    with w.block(f"#foreach($field in {q_list(fields)})"), w.block(
        "#if($item.containsKey($field) && $util.isNull($item.get($field)))"
    ):
        w.qr("$nullIndexFields.add($field)")
    w.line("#set($item = $util.map.copyAndRemoveAllKeys($item, $nullIndexFields))")


def create_request(model: ModelAccess) -> str:
    """PutItem with every input field, an explicit null included (stored as a NULL attribute, as Amplify's
    `toMapValues` of the whole input stores it); a timestamp field is stamped only when the input lacks it."""
    w = VtlWriter()
    w.line("#set($item = {})")
    w.qr("$item.putAll($ctx.args.input)")
    if model.primary_key == ["id"]:
        with w.block("#if($util.isNull($item.get('id')))"):
            w.qr("$item.put('id', $util.autoId())")
    w.line("#set($now = $util.time.nowISO8601())")
    for stamp in (model.timestamps.get("createdAt"), model.timestamps.get("updatedAt")):
        if stamp and model.field(stamp):
            with w.block(f"#if(!$item.containsKey({q(stamp)}))"):
                w.qr(f"$item.put({q(stamp)}, $now)")
    w.qr(f"$item.put('__typename', {q(model.name)})")
    _drop_null_index_fields(w, model)
    _emit_composites(w, model, "$item", "$item")
    w.line(f"#set($keyFields = {q_list([name for name, _ in key_attributes(model, '$item')])})")
    w.line("#set($attributes = $util.map.copyAndRemoveAllKeys($item, $keyFields))")
    w.line(f"#set($condition = {_key_condition(model, 'attribute_not_exists')})")
    _merge_user_condition(w, "$condition")
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'PutItem', 'key': {_key_of(model, '$item')}, "
        "'attributeValues': $util.dynamodb.toMapValues($attributes), 'condition': $condition})"
    )
    w.line("$util.toJson($request)")
    return w.text()


def update_request(model: ModelAccess, *, versioned: bool = False) -> str:
    """SET for the input's non-null fields, REMOVE for its nulls, the key must exist, `_version` is checked (by
    the versioned data source itself when `versioned`)."""
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
    _emit_composites(w, model, "$ctx.args.input", "$changes")
    sync_fields = [name for name, _ in SYNC_FIELDS] if versioned else ["_version"]
    skipped = dict.fromkeys([*model.primary_key, *[n for n, _ in key_attributes(model, "")], *sync_fields])
    w.line(f"#set($skippedFields = {q_list(skipped)})")
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
    if not versioned:
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
    if versioned:
        w.qr(f"$request.put('_version', {_caller_version()})")
    w.line("$util.toJson($request)")
    return w.text()


def delete_request(model: ModelAccess, *, versioned: bool = False) -> str:
    """DeleteItem of an existing key; `versioned`: the data source compares `_version` and soft-deletes."""
    w = VtlWriter()
    w.line(f"#set($condition = {_key_condition(model, 'attribute_exists')})")
    if not versioned:
        with w.block("#if(!$util.isNull($ctx.args.input.get('_version')))"):
            w.qr("$condition.put('expression', $condition.expression.concat(' AND #gqlauthVersion = :gqlauthExpectedVersion'))")
            w.qr("$condition.expressionNames.put('#gqlauthVersion', '_version')")
            w.qr("$condition.expressionValues.put(':gqlauthExpectedVersion', $util.dynamodb.toDynamoDB($ctx.args.input.get('_version')))")
    _merge_user_condition(w, "$condition")
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'DeleteItem', "
        f"'key': {_key_of(model, '$ctx.args.input')}, 'condition': $condition}})"
    )
    if versioned:
        w.qr(f"$request.put('_version', {_caller_version()})")
    w.line("$util.toJson($request)")
    return w.text()


def emit_key_condition(
    w: VtlWriter, partition: str, sort_fields: tuple[str, ...] | list[str], *, exact: bool, source: str = "$ctx.args"
) -> None:
    """`$keyCondition` for a partition key value and (one) sort key, read from the map `source`:
    exact values for get, a key-condition input (eq, le, lt, ge, gt, beginsWith, between) otherwise."""
    w.line(
        "#set($keyCondition = {'expression': '#gqlauthPartition = :gqlauthPartition', "
        f"'expressionNames': {{'#gqlauthPartition': {q(partition)}}}, "
        f"'expressionValues': {{':gqlauthPartition': $util.dynamodb.toDynamoDB({source}.get({q(partition)}))}}}})"
    )
    if exact:
        if sort_fields:
            attribute = "#".join(sort_fields)
            value = f"{source}.get({q(sort_fields[0])})" if len(sort_fields) == 1 else joined_value(source, sort_fields)
            w.qr("$keyCondition.put('expression', $keyCondition.expression.concat(' AND #gqlauthSort = :gqlauthSort'))")
            w.qr(f"$keyCondition.expressionNames.put('#gqlauthSort', {q(attribute)})")
            w.qr(f"$keyCondition.expressionValues.put(':gqlauthSort', $util.dynamodb.toDynamoDB({value}))")
        return
    if len(sort_fields) > 1:
        _emit_composite_sort_condition(w, tuple(sort_fields), source)
        return
    if not sort_fields:
        return
    argument = f"{source}.get({q(sort_fields[0])})"
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


def _emit_composite_text(w: VtlWriter, values: str, fields: tuple[str, ...]) -> None:
    """`$compositeText` := the leading fields present in the map `values`, joined by `#`;
    `$compositeComplete` := all of them were present."""
    w.line("#set($compositeText = '')")
    w.line("#set($compositeComplete = true)")
    w.line("#set($compositeSeparator = '#')")
    with w.block(
        f"#foreach($compositeField in {q_list(fields)})",
        "#if($compositeComplete)",
        f"#if($util.isNull({values}.get($compositeField)))",
    ):
        w.line("#set($compositeComplete = false)")
        w.else_()
        with w.block("#if(!$compositeText.isEmpty())"):
            w.line("#set($compositeText = $compositeText.concat($compositeSeparator))")
        w.line(f"#set($compositeText = $compositeText.concat({values}.get($compositeField).toString()))")


def _emit_composite_sort_condition(w: VtlWriter, fields: tuple[str, ...], source: str) -> None:
    """A composite key condition (`{eq: {kind, slug}}`, ...) on the `a#b` attribute; an incomplete `eq`
    matches the prefix it gives."""
    argument = f"{source}.get({q(camel_case(list(fields)))})"
    add = "$util.qr($keyCondition.put('expression', $keyCondition.expression.concat(' AND {}')))"
    value = "$util.qr($keyCondition.expressionValues.put('{}', $util.dynamodb.toDynamoDB({})))"
    with w.block(f"#if(!$util.isNull({argument}))"):
        w.line(f"#set($sortCondition = {argument})")
        w.qr(f"$keyCondition.expressionNames.put('#gqlauthSort', {q('#'.join(fields))})")
        w.line("#if(!$util.isNull($sortCondition.get('eq')))")
        _emit_composite_text(w, "$sortCondition.get('eq')", fields)
        with w.block("#if($compositeComplete)"):
            w.line(add.format("#gqlauthSort = :gqlauthSort"))
            w.line(value.format(":gqlauthSort", "$compositeText"))
            w.else_()
            with w.block("#if(!$compositeText.isEmpty())"):
                w.line("#set($compositeText = $compositeText.concat($compositeSeparator))")
            w.line(add.format("begins_with(#gqlauthSort, :gqlauthSort)"))
            w.line(value.format(":gqlauthSort", "$compositeText"))
        for key, operator in KEY_CONDITION_OPERATORS[1:]:
            w.line(f"#elseif(!$util.isNull($sortCondition.get('{key}')))")
            _emit_composite_text(w, f"$sortCondition.get('{key}')", fields)
            w.line(add.format(f"#gqlauthSort {operator} :gqlauthSort"))
            w.line(value.format(":gqlauthSort", "$compositeText"))
        w.line("#elseif(!$util.isNull($sortCondition.get('beginsWith')))")
        _emit_composite_text(w, "$sortCondition.get('beginsWith')", fields)
        w.line(add.format("begins_with(#gqlauthSort, :gqlauthSort)"))
        w.line(value.format(":gqlauthSort", "$compositeText"))
        w.line("#elseif(!$util.isNull($sortCondition.get('between')) && $sortCondition.get('between').size() == 2)")
        _emit_composite_text(w, "$sortCondition.get('between').get(0)", fields)
        w.line(value.format(":gqlauthLow", "$compositeText"))
        _emit_composite_text(w, "$sortCondition.get('between').get(1)", fields)
        w.line(value.format(":gqlauthHigh", "$compositeText"))
        w.line(add.format("#gqlauthSort BETWEEN :gqlauthLow AND :gqlauthHigh"))
        w.line("#end")


def emit_caller_filter(w: VtlWriter) -> None:
    """Add the caller's `filter` argument, when given, to `$filterParts`."""
    with w.block("#if(!$util.isNull($ctx.args.filter) && !$ctx.args.filter.isEmpty())"):
        w.qr("$filterParts.add($ctx.args.filter)")


def emit_request_filter(w: VtlWriter) -> None:
    """`$request.filter` := `$filterParts` AND the stashed auth filter (no filter when there is neither)."""
    with w.block("#if(!$util.isNull($ctx.stash.authFilter))"):
        w.qr("$filterParts.add($ctx.stash.authFilter)")
    with w.block("#if(!$filterParts.isEmpty())"):
        w.line("#set($filterAll = {'and': $filterParts})")
        w.line("#set($filterExpression = $util.transform.toDynamoDBFilterExpression($filterAll))")
        with w.block("#if(!$util.isNull($filterExpression))"):
            w.qr("$request.put('filter', $util.parseJson($filterExpression))")


def _emit_filter(w: VtlWriter, *, with_arguments: bool) -> None:
    """`$request.filter` := the caller's filter (when given) AND the stashed auth filter."""
    w.line("#set($filterParts = [])")
    if with_arguments:
        emit_caller_filter(w)
    emit_request_filter(w)


def get_request(model: ModelAccess) -> str:
    """A Query on the full key with the auth filter, so a record the caller may not see is told apart from a missing one."""
    w = VtlWriter()
    emit_key_condition(w, model.primary_key[0], model.primary_key[1:], exact=True)
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'query': $keyCondition, 'consistentRead': true}})")
    _emit_filter(w, with_arguments=False)
    w.line("$util.toJson($request)")
    return w.text()


def get_response(*, refuse_filtered: bool = True, versioned: bool = False) -> str:
    """The item the Query found, or null. With `refuse_filtered`, a record the key matched but the
    auth filter removed is refused (told apart from a missing one), as for a `get` query."""
    w = VtlWriter()
    _error_passthrough(w, versioned=versioned)
    if refuse_filtered:
        with w.block("#if($ctx.result.items.isEmpty() && $ctx.result.scannedCount == 1)"):
            w.line("$util.unauthorized()")
    with w.block("#if($ctx.result.items.isEmpty())"):
        w.line("null")
        w.else_()
        w.line("$util.toJson($ctx.result.items.get(0))")
    return w.text()


def emit_scan_direction(w: VtlWriter) -> None:
    """`$request.scanIndexForward` from the `sortDirection` argument (ascending unless DESC)."""
    w.line("#set($scanIndexForward = $ctx.args.sortDirection != 'DESC')")
    w.qr("$request.put('scanIndexForward', $scanIndexForward)")


def emit_paging(w: VtlWriter, default_limit: int = DEFAULT_LIST_LIMIT) -> None:
    w.qr(f"$request.put('limit', $util.defaultIfNull($ctx.args.limit, {default_limit}))")
    with w.block("#if(!$util.isNull($ctx.args.nextToken))"):
        w.qr("$request.put('nextToken', $ctx.args.nextToken)")


def list_request(model: ModelAccess) -> str:
    """Scan with filter, limit and nextToken; a Query when the key has sort fields and the partition value is given."""
    w = VtlWriter()
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Scan'}})")
    if len(model.primary_key) > 1:
        with w.block(f"#if(!$util.isNull($ctx.args.get({q(model.primary_key[0])})))"):
            emit_key_condition(w, model.primary_key[0], model.primary_key[1:], exact=False)
            w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'query': $keyCondition}})")
            emit_scan_direction(w)
    emit_paging(w)
    _emit_filter(w, with_arguments=True)
    w.line("$util.toJson($request)")
    return w.text()


def index_query_request(index: IndexDef) -> str:
    w = VtlWriter()
    emit_key_condition(w, index.partition_field, index.sort_key_fields, exact=False)
    w.line(
        f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Query', 'index': {q(index.name)}, "
        "'query': $keyCondition})"
    )
    emit_scan_direction(w)
    emit_paging(w)
    _emit_filter(w, with_arguments=True)
    w.line("$util.toJson($request)")
    return w.text()


def list_response(*, versioned: bool = False) -> str:
    w = VtlWriter()
    _error_passthrough(w, versioned=versioned)
    w.line("#set($page = {'items': $ctx.result.items, 'nextToken': $ctx.result.nextToken})")
    w.line("$util.toJson($page)")
    return w.text()


def sync_request() -> str:
    """The versioned data source's `Sync`: the base table, or only what changed since `lastSync` (from the
    delta-sync table), with the caller's filter AND the auth filter, as Amplify's sync query (a Scan-like read:
    Amplify's shortcut to a Query when an index key is in the filter is not taken)."""
    w = VtlWriter()
    w.line(f"#set($request = {{'version': {q(MAPPING_VERSION)}, 'operation': 'Sync'}})")
    emit_paging(w)
    with w.block("#if(!$util.isNull($ctx.args.lastSync))"):
        w.qr("$request.put('lastSync', $ctx.args.lastSync)")
    _emit_filter(w, with_arguments=True)
    w.line("$util.toJson($request)")
    return w.text()


def sync_response() -> str:
    """The page, its `nextToken` and `startedAt` (when this sync began: the client's next `lastSync`)."""
    w = VtlWriter()
    _error_passthrough(w, versioned=True)
    w.line("#set($page = {'items': $ctx.result.items, 'nextToken': $ctx.result.nextToken, "
           "'startedAt': $ctx.result.startedAt})")
    w.line("$util.toJson($page)")
    return w.text()
