"""`respectPrimaryKeyAttributesOnConnectionField: false` at build time: read from `amplify/cli.json`, the
implicit foreign keys of every relation kind, the relation reads (`transformer.relations.relation_read`),
the GSI in the stack and the relational template. The output schema itself is compared with Amplify's in
`tests/test_emit_schema_differential.py` (corpus `legacy-pk-false-*`); the facts here were observed with
the oracle (`node transform.js ... --param respectPrimaryKeyAttributesOnConnectionField=false`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from transformer.emit_stack import build_deployment
from transformer.emit_vtl import build_pipelines
from transformer.parse import parse_schema_text
from transformer.project import Project, load_project
from transformer.relations import connection_fields, relation_read
from transformer.rules import Provider
from transformer.schema_model import ParsedSchema
from transformer.transform_settings import load_transform_parameters

SCHEMA = """
type Shelf @model @auth(rules: [{ allow: private }]) {
  zone: String! @primaryKey(sortKeyFields: ["row"])
  row: Int!
  items: [Item] @hasMany
  label: Label @hasOne
}
type Item @model @auth(rules: [{ allow: private }]) {
  id: ID!
  shelf: Shelf @belongsTo
}
type Label @model @auth(rules: [{ allow: private }]) {
  code: String! @primaryKey
  shelf: Shelf @belongsTo
}
type Counter @model @auth(rules: [{ allow: private }]) {
  num: Int! @primaryKey
  ticks: [Tick] @hasMany
}
type Tick @model @auth(rules: [{ allow: private }]) {
  id: ID!
}
type Post @model @auth(rules: [{ allow: private }]) {
  slug: String! @primaryKey
  tags: [Tag] @manyToMany(relationName: "PostTags")
}
type Tag @model @auth(rules: [{ allow: private }]) {
  id: ID!
  posts: [Post] @manyToMany(relationName: "PostTags")
}
"""


def _schema(respect: bool) -> ParsedSchema:
    schema, diagnostics = parse_schema_text(SCHEMA, respect_primary_key_attributes=respect)
    assert schema is not None and not [d for d in diagnostics if d.severity.value == "error"], diagnostics
    return schema


def _keys(schema: ParsedSchema) -> dict[str, list[tuple[str, str]]]:
    return {model: [(f.name, f.type.sdl()) for f in fields] for model, fields in connection_fields(schema).items()}


def _project(root: Path, flags: dict[str, Any]) -> Project:
    (root / "amplify" / "backend" / "api" / "shop").mkdir(parents=True)
    (root / "amplify" / "cli.json").write_text(json.dumps({"features": {"graphqltransformer": flags}}))
    (root / "amplify" / "backend" / "api" / "shop" / "schema.graphql").write_text(SCHEMA)
    project, diagnostics = load_project(root, auth_modes=[Provider.USER_POOLS])
    assert project is not None, [d.render() for d in diagnostics]
    return project


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _project(tmp_path_factory.mktemp("legacy"),
                    {"respectPrimaryKeyAttributesOnConnectionField": False})


def test_cli_json_flag_is_read_in_either_spelling(tmp_path: Path, legacy: Project) -> None:
    assert legacy.matrix.parameters.respect_primary_key_attributes_on_connection_field is False
    assert legacy.schema.respect_primary_key_attributes is False
    (tmp_path / "amplify").mkdir()
    (tmp_path / "amplify" / "cli.json").write_text(
        json.dumps({"features": {"graphqltransformer": {"respectprimarykeyattributesonconnectionfield": False}}}))
    parameters, problems = load_transform_parameters(tmp_path)
    assert parameters.respect_primary_key_attributes_on_connection_field is False and problems == []
    (tmp_path / "amplify" / "cli.json").write_text("{}")
    parameters, _ = load_transform_parameters(tmp_path)
    assert parameters.respect_primary_key_attributes_on_connection_field is True


def test_a_flag_of_the_wrong_type_is_an_error_with_its_json_path(tmp_path: Path) -> None:
    (tmp_path / "amplify").mkdir()
    (tmp_path / "amplify" / "cli.json").write_text(
        json.dumps({"features": {"graphqltransformer": {"respectprimarykeyattributesonconnectionfield": "no"}}}))
    _, problems = load_transform_parameters(tmp_path)
    assert [p.json_path for p in problems] == ["features.graphqltransformer.respectprimarykeyattributesonconnectionfield"]
    assert problems[0].severity.value == "error"


def test_implicit_foreign_keys_of_every_relation_kind() -> None:
    legacy, current = _keys(_schema(False)), _keys(_schema(True))
    assert legacy == {
        "Item": [("shelfItemsId", "ID"), ("shelfItemsRow", "Int")],
        "Shelf": [("shelfLabelId", "ID")],
        "Label": [("labelShelfId", "ID"), ("labelShelfRow", "Int")],
        "Tick": [("counterTicksId", "ID")],
    }
    assert current == {
        "Item": [("shelfItemsZone", "String"), ("shelfItemsRow", "Int")],
        "Shelf": [("shelfLabelCode", "String")],
        "Label": [("labelShelfZone", "String"), ("labelShelfRow", "Int")],
        "Tick": [("counterTicksNum", "Int")],
    }


def test_many_to_many_join_keys_are_named_id_in_capitals() -> None:
    join = _schema(False).models["PostTags"]
    assert [(f.name, f.type.sdl()) for f in join.fields if f.is_leaf] == [
        ("id", "ID!"), ("postID", "String!"), ("tagID", "ID!")]
    assert [i.query_field for i in join.indexes] == ["postTagsByPostID", "postTagsByTagID"]


def test_relation_reads_use_the_id_foreign_keys() -> None:
    schema = _schema(False)
    items = relation_read(schema, schema.models["Shelf"], "items")
    assert items is not None
    assert (items.index, items.match_fields, items.source_fields, items.sort_fields) == (
        "gsi-Shelf.items", ("shelfItemsId",), ("zone",), ())
    shelf = relation_read(schema, schema.models["Item"], "shelf")
    assert shelf is not None
    assert (shelf.match_fields, shelf.source_fields) == (("zone", "row"), ("shelfItemsId", "shelfItemsRow"))
    label = relation_read(schema, schema.models["Shelf"], "label")
    assert label is not None and label.source_fields == ("shelfLabelId",)
    back = relation_read(schema, schema.models["Label"], "shelf")
    assert back is not None and back.source_fields == ("labelShelfId", "labelShelfRow")


def _tables(project: Project) -> dict[str, dict[str, Any]]:
    deployment = build_deployment(project)
    found: dict[str, dict[str, Any]] = {}
    for template in [deployment.root, *deployment.nested.values()]:
        for name, resource in template.get("Resources", {}).items():
            if resource["Type"] == "AWS::DynamoDB::Table":
                found[name] = resource["Properties"]
    return found


def test_the_has_many_gsi_is_a_string_partition_key_without_sort_key(legacy: Project) -> None:
    tables = _tables(legacy)
    for table, index, partition in (("TableItem", "gsi-Shelf.items", "shelfItemsId"),
                                    ("TableTick", "gsi-Counter.ticks", "counterTicksId")):
        properties = tables[table]
        gsi = next(g for g in properties["GlobalSecondaryIndexes"] if g["IndexName"] == index)
        assert gsi["KeySchema"] == [{"AttributeName": partition, "KeyType": "HASH"}]
        assert {"AttributeName": partition, "AttributeType": "S"} in properties["AttributeDefinitions"]


def test_the_has_many_template_queries_the_partition_key_alone(legacy: Project) -> None:
    pipelines = {p.key: p for p in build_pipelines(legacy.matrix, legacy.environment, legacy.schema)}
    request = "\n".join(f.request for f in pipelines["Shelf.items"].functions)
    assert "'shelfItemsId'" in request and "gsi-Shelf.items" in request
    assert "shelfItemsRow" not in request and "shelfItemsZone" not in request
