"""`serve` of a Gen 1 project whose `amplify/cli.json` turns `respectprimarykeyattributesonconnectionfield`
off: the implicit foreign keys are `<model><Field>Id: ID` (Amplify's output schema, recorded in
`tests/differential/amplify/legacy-pk-false-*.graphql`), and a parent and its children are linked through
them in both directions, with either engine (guards over the store, or the emitted templates)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from serve_support import Served, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Shelf @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) {
  zone: String! @primaryKey(sortKeyFields: ["row"])
  row: Int!
  items: [Item] @hasMany
  label: Label @hasOne
}
type Item @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) {
  id: ID!
  name: String!
  shelf: Shelf @belongsTo
}
type Label @model @auth(rules: [{ allow: owner }, { allow: private, operations: [read] }]) {
  code: String! @primaryKey
  text: String
  shelf: Shelf @belongsTo
}
"""

CLI_JSON: dict[str, dict[str, dict[str, bool]]] = {"features": {"graphqltransformer": {"respectprimarykeyattributesonconnectionfield": False,
                                                 "usesubusernamefordefaultidentityclaim": True}}}

ITEM_KEYS = "id name shelfItemsId shelfItemsRow"


def _serve_project(root: Path, engine: str, *, respect: bool = False) -> Served:
    flags = CLI_JSON["features"]["graphqltransformer"] | {"respectprimarykeyattributesonconnectionfield": respect}
    (root / "amplify" / "backend" / "api" / "legacy").mkdir(parents=True)
    (root / "amplify" / "cli.json").write_text(json.dumps({"features": {"graphqltransformer": flags}}))
    (root / "amplify" / "backend" / "api" / "legacy" / "schema.graphql").write_text(SCHEMA)
    project, diagnostics = load_project(root, auth_modes=[Provider.USER_POOLS])
    assert project is not None, [d.render() for d in diagnostics]
    shutil.copytree(template_state(), root / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(root)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    app = create_app(project, store, authenticator, state=state, engine=engine)
    return Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))


@pytest.fixture(scope="module", params=["python", "vtl"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Served:
    return _serve_project(tmp_path_factory.mktemp(f"legacy-{request.param}"), request.param)


def _data(served: Served, query: str, variables: dict[str, Any] | None = None, user: str = "alice") -> dict[str, Any]:
    status, body = served.call(query, variables, token=served.token(user))
    assert status == 200 and "errors" not in body, body
    return body["data"]


def _shelf_with_items(served: Served) -> None:
    create_shelf = "mutation C($i: CreateShelfInput!) { createShelf(input: $i) { zone row shelfLabelId } }"
    create_item = f"mutation C($i: CreateItemInput!) {{ createItem(input: $i) {{ {ITEM_KEYS} }} }}"
    create_label = "mutation C($i: CreateLabelInput!) { createLabel(input: $i) { code text } }"
    _data(served, create_shelf, {"i": {"zone": "A", "row": 1, "shelfLabelId": "L1"}})
    _data(served, create_shelf, {"i": {"zone": "B", "row": 1}})
    for item, zone in (("i1", "A"), ("i2", "A"), ("i3", "B")):
        made = _data(served, create_item, {"i": {"id": item, "name": item, "shelfItemsId": zone, "shelfItemsRow": 1}})
        assert made["createItem"] == {"id": item, "name": item, "shelfItemsId": zone, "shelfItemsRow": 1}
    _data(served, create_label, {"i": {"code": "L1", "text": "aisle A"}})


def test_relations_read_both_ways_through_the_id_foreign_keys(served: Served) -> None:
    _shelf_with_items(served)
    shelf = _data(served, '{ getShelf(zone: "A", row: 1) { shelfLabelId items { items { id } } label { text } } }',
                  user="bob")["getShelf"]
    assert sorted(i["id"] for i in shelf["items"]["items"]) == ["i1", "i2"]
    assert shelf["label"] == {"text": "aisle A"}
    item = _data(served, '{ getItem(id: "i3") { shelfItemsId shelf { zone row } } }', user="bob")["getItem"]
    assert item == {"shelfItemsId": "B", "shelf": {"zone": "B", "row": 1}}
    listed = _data(served, '{ listItems(filter: {shelfItemsId: {eq: "A"}}) { items { id } } }')["listItems"]
    assert sorted(i["id"] for i in listed["items"]) == ["i1", "i2"]


def test_the_implicit_has_many_matches_the_partition_value_alone(served: Served) -> None:
    """With the parameter off Amplify's GSI `gsi-Shelf.items` has no sort key and its query names only
    `shelfItemsId`: a child whose `shelfItemsRow` is another row of the same zone is still listed."""
    _data(served, "mutation { createShelf(input: {zone: \"C\", row: 1}) { zone } }")
    _data(served, "mutation { createItem(input: {id: \"c2\", name: \"c2\", shelfItemsId: \"C\", shelfItemsRow: 2}) "
                  "{ id } }")
    shelf = _data(served, '{ getShelf(zone: "C", row: 1) { items { items { id shelfItemsRow } } } }')["getShelf"]
    assert shelf["items"]["items"] == [{"id": "c2", "shelfItemsRow": 2}]
    item = _data(served, '{ getItem(id: "c2") { shelf { zone } } }')["getItem"]
    assert item == {"shelf": None}


def test_the_key_named_foreign_keys_are_not_in_the_schema(served: Served) -> None:
    status, body = served.call('{ getItem(id: "i1") { shelfItemsZone } }', token=served.token("alice"))
    assert "errors" in body and "shelfItemsZone" in body["errors"][0]["message"]


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_with_the_parameter_on_the_implicit_has_many_matches_the_whole_parent_key(tmp_path: Path, engine: str) -> None:
    """Amplify's default: the query on `gsi-Shelf.items` names `shelfItemsZone` and `shelfItemsRow`."""
    served = _serve_project(tmp_path, engine, respect=True)
    _data(served, 'mutation { createShelf(input: {zone: "C", row: 1}) { zone } }')
    for item, row in (("c1", 1), ("c2", 2)):
        _data(served, f'mutation {{ createItem(input: {{id: "{item}", name: "{item}", shelfItemsZone: "C", '
                      f'shelfItemsRow: {row}}}) {{ id }} }}')
    shelf = _data(served, '{ getShelf(zone: "C", row: 1) { items { items { id } } } }')["getShelf"]
    assert shelf["items"]["items"] == [{"id": "c1"}]
