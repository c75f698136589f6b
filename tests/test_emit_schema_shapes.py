"""Output schema shapes beyond the blog: keys, indexes, relations, enums, nested types, auth directives."""

from __future__ import annotations

from graphql import GraphQLInputObjectType, GraphQLObjectType, GraphQLSchema, get_named_type, print_type

from transformer.emit_schema import emit_output_schema, load_output_schema
from transformer.matrix import build_matrix
from transformer.parse import parse_schema_text
from transformer.relations import connection_fields
from transformer.rules import Provider


def _emit(sdl: str, modes: list[Provider] | None = None) -> tuple[str, GraphQLSchema]:
    schema, problems = parse_schema_text(sdl, "schema.graphql")
    assert schema is not None, problems
    matrix, errors = build_matrix(schema, modes)
    assert matrix is not None, errors
    text = emit_output_schema(schema, matrix)
    return text, load_output_schema(text)


def _args(schema: GraphQLSchema, root: str, field: str) -> list[str]:
    root_type = schema.get_type(root)
    assert isinstance(root_type, GraphQLObjectType)
    return [f"{name}: {arg.type}" for name, arg in root_type.fields[field].args.items()]


def _fields(schema: GraphQLSchema, name: str) -> list[str]:
    found = schema.get_type(name)
    assert isinstance(found, GraphQLObjectType | GraphQLInputObjectType)
    return [f"{n}: {f.type}" for n, f in found.fields.items()]


def test_missing_id_and_timestamps_are_added() -> None:
    _, schema = _emit("type Todo @model @auth(rules: [{allow: private}]) { name: String! }")
    assert _fields(schema, "Todo") == ["name: String!", "id: ID!", "createdAt: AWSDateTime!", "updatedAt: AWSDateTime!"]
    assert _fields(schema, "CreateTodoInput") == ["name: String!", "id: ID"]
    assert _fields(schema, "UpdateTodoInput") == ["name: String", "id: ID!"]


def test_custom_primary_key_changes_get_list_and_inputs() -> None:
    _, schema = _emit(
        "type Order @model @auth(rules: [{allow: private}]) {\n"
        '  customerId: ID! @primaryKey(sortKeyFields: ["orderedAt"])\n'
        "  orderedAt: AWSDateTime!\n"
        "  total: Float\n"
        "}"
    )
    assert _args(schema, "Query", "getOrder") == ["customerId: ID!", "orderedAt: AWSDateTime!"]
    assert _args(schema, "Query", "listOrders") == [
        "customerId: ID",
        "orderedAt: ModelStringKeyConditionInput",
        "filter: ModelOrderFilterInput",
        "limit: Int",
        "nextToken: String",
        "sortDirection: ModelSortDirection",
    ]
    assert _fields(schema, "DeleteOrderInput") == ["customerId: ID!", "orderedAt: AWSDateTime!"]
    assert "id: ID!" not in _fields(schema, "Order")
    assert [f.split(":")[0] for f in _fields(schema, "ModelOrderConditionInput")][0] == "total"


def test_index_query_field_and_key_condition_input() -> None:
    _, schema = _emit(
        "type Comment @model @auth(rules: [{allow: private}]) {\n"
        "  id: ID!\n"
        '  postID: ID! @index(name: "byPost", sortKeyFields: ["rank"], queryField: "commentsByPost")\n'
        "  rank: Int!\n"
        "}"
    )
    assert _args(schema, "Query", "commentsByPost") == [
        "postID: ID!",
        "rank: ModelIntKeyConditionInput",
        "sortDirection: ModelSortDirection",
        "filter: ModelCommentFilterInput",
        "limit: Int",
        "nextToken: String",
    ]
    key_input = schema.get_type("ModelIntKeyConditionInput")
    assert isinstance(key_input, GraphQLInputObjectType)
    assert "beginsWith" not in key_input.fields


def test_has_many_adds_connection_arguments_and_foreign_key() -> None:
    sdl = (
        "type Post @model @auth(rules: [{allow: private}]) { id: ID! comments: [Comment] @hasMany }\n"
        "type Comment @model @auth(rules: [{allow: private}]) { id: ID! post: Post @belongsTo content: String }"
    )
    _, schema = _emit(sdl)
    post = schema.get_type("Post")
    assert isinstance(post, GraphQLObjectType)
    comments = post.fields["comments"]
    assert str(comments.type) == "ModelCommentConnection"
    assert list(comments.args) == ["filter", "sortDirection", "limit", "nextToken"]
    assert "postCommentsId: ID" in _fields(schema, "Comment")
    assert "postCommentsId: ID" in _fields(schema, "CreateCommentInput")
    assert "postCommentsId: ModelIDInput" in _fields(schema, "ModelCommentFilterInput")
    assert "post" not in [f.split(":")[0] for f in _fields(schema, "CreateCommentInput")]


def test_has_one_and_belongs_to_add_keys_on_both_sides() -> None:
    sdl = (
        "type Project @model @auth(rules: [{allow: private}]) { id: ID! team: Team @hasOne }\n"
        "type Team @model @auth(rules: [{allow: private}]) { id: ID! project: Project @belongsTo }"
    )
    schema, _ = parse_schema_text(sdl, "schema.graphql")
    assert schema is not None
    found = connection_fields(schema)
    assert [f.name for f in found["Project"]] == ["projectTeamId"]
    assert [f.name for f in found["Team"]] == ["teamProjectId"]


def test_relation_with_explicit_fields_adds_nothing() -> None:
    sdl = (
        "type Post @model @auth(rules: [{allow: private}]) { id: ID! authorId: ID author: Author "
        '@hasOne(fields: ["authorId"]) }\n'
        "type Author @model @auth(rules: [{allow: private}]) { id: ID! }"
    )
    schema, _ = parse_schema_text(sdl, "schema.graphql")
    assert schema is not None
    assert connection_fields(schema) == {}


def test_enum_fields_get_enum_filter_inputs() -> None:
    _, schema = _emit(
        "enum Level { LOW HIGH }\n"
        "type Task @model @auth(rules: [{allow: private}]) { id: ID! level: Level tags: [Level] }"
    )
    assert "level: ModelLevelInput" in _fields(schema, "ModelTaskFilterInput")
    assert "tags: ModelLevelListInput" in _fields(schema, "ModelTaskFilterInput")
    assert "level: ModelSubscriptionStringInput" in _fields(schema, "ModelSubscriptionTaskFilterInput")


def test_nested_non_model_types_get_inputs_and_auth_directives() -> None:
    text, schema = _emit(
        "type Address { street: String }\n"
        "type Shop @model @auth(rules: [{allow: public, operations: [read]}, {allow: owner}]) "
        "{ id: ID! address: Address }",
        [Provider.USER_POOLS, Provider.API_KEY],
    )
    assert "address: AddressInput" in _fields(schema, "CreateShopInput")
    address = schema.get_type("Address")
    assert isinstance(address, GraphQLObjectType)
    assert "type Address @aws_api_key @aws_cognito_user_pools" in text


def test_default_mode_directive_is_left_out_when_it_is_the_only_provider() -> None:
    text, _ = _emit("type Todo @model @auth(rules: [{allow: owner}]) { id: ID! }", [Provider.USER_POOLS, Provider.API_KEY])
    assert "@aws_" not in text.replace("@aws_subscribe", "")


def test_operation_only_a_non_default_provider_may_call_gets_only_its_directive() -> None:
    text, schema = _emit(
        "type Todo @model @auth(rules: [{allow: owner, operations: [read]}, {allow: public, operations: [create]}]) "
        "{ id: ID! }",
        [Provider.USER_POOLS, Provider.API_KEY],
    )
    create = next(line for line in text.splitlines() if line.strip().startswith("createTodo("))
    assert create.endswith("Todo @aws_api_key")
    get = next(line for line in text.splitlines() if line.strip().startswith("getTodo("))
    assert get.endswith("Todo")


def test_owner_field_added_by_a_rule_is_filterable_but_not_in_create_input() -> None:
    _, schema = _emit("type Todo @model @auth(rules: [{allow: owner}]) { id: ID! name: String }")
    assert _fields(schema, "Todo")[-1] == "owner: String"
    assert "owner: ModelStringInput" in _fields(schema, "ModelTodoFilterInput")
    assert "owner" not in [f.split(":")[0] for f in _fields(schema, "CreateTodoInput")]
    assert _args(schema, "Subscription", "onCreateTodo") == ["filter: ModelSubscriptionTodoFilterInput", "owner: String"]


def test_dynamic_group_field_is_not_a_subscription_filter() -> None:
    _, schema = _emit('type Doc @model @auth(rules: [{allow: groups, groupsField: "team"}]) { id: ID! team: String }')
    assert "team" not in [f.split(":")[0] for f in _fields(schema, "ModelSubscriptionDocFilterInput")]
    assert "team: ModelStringInput" in _fields(schema, "ModelDocFilterInput")


def test_user_directives_and_custom_queries_are_kept() -> None:
    text, schema = _emit(
        "type Todo @model @auth(rules: [{allow: private}]) { id: ID! }\n"
        'type Query { ping(word: String = "hi"): String @function(name: "ping") @aws_api_key }',
        [Provider.USER_POOLS, Provider.API_KEY],
    )
    assert 'ping(word: String = "hi"): String @aws_api_key' in text
    assert "@function" not in text
    query = schema.get_type("Query")
    assert isinstance(query, GraphQLObjectType) and "getTodo" in query.fields
    assert str(get_named_type(query.fields["ping"].type)) == "String"
    assert print_type(query)
