"""A `@belongsTo` whose parent has both `@hasOne` and `@hasMany` to the child pairs with the first of those
fields, as Amplify's belongs-to transformer does: here `Team.captain @hasOne` comes first, so `Player.team`
keeps its own key `playerTeamId` (Amplify's output schema, recorded in
`tests/differential/amplify/legacy-pk-false-team-captain-first-belongs-to.graphql`) and does not read the
hasMany's `teamPlayersId`. The build (relation read, template) and `serve` in both engines use that key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from oracle_support import amplify_transform, oracle_missing_reason
from serve_support import Served, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.emit_vtl import build_pipelines
from transformer.parse import parse_schema_text
from transformer.project import load_project
from transformer.relations import connection_fields, relation_read
from transformer.rules import Provider

CAPTAIN_FIRST = """
type Team @model @auth(rules: [{ allow: private }]) {
  id: ID!
  name: String
  captain: Player @hasOne
  players: [Player] @hasMany
}
type Player @model @auth(rules: [{ allow: private }]) {
  id: ID!
  name: String
  team: Team @belongsTo
}
"""
PLAYERS_FIRST = CAPTAIN_FIRST.replace(
    "  captain: Player @hasOne\n  players: [Player] @hasMany\n", "  players: [Player] @hasMany\n  captain: Player @hasOne\n"
)


@pytest.mark.parametrize("respect", [False, True])
def test_the_belongs_to_reads_its_own_key_when_the_has_one_comes_first(respect: bool) -> None:
    schema, _ = parse_schema_text(CAPTAIN_FIRST, respect_primary_key_attributes=respect)
    assert schema is not None
    assert [f.name for f in connection_fields(schema)["Player"]] == ["teamPlayersId", "playerTeamId"]
    read = relation_read(schema, schema.models["Player"], "team")
    assert read is not None and read.source_fields == ("playerTeamId",) and read.match_fields == ("id",)


def test_the_belongs_to_reads_the_has_many_key_when_the_has_many_comes_first() -> None:
    schema, _ = parse_schema_text(PLAYERS_FIRST, respect_primary_key_attributes=False)
    assert schema is not None
    assert [f.name for f in connection_fields(schema)["Player"]] == ["teamPlayersId"]
    read = relation_read(schema, schema.models["Player"], "team")
    assert read is not None and read.source_fields == ("teamPlayersId",)


def _serve(root: Path, engine: str) -> Served:
    flags = {"respectprimarykeyattributesonconnectionfield": False, "usesubusernamefordefaultidentityclaim": True}
    (root / "amplify" / "backend" / "api" / "league").mkdir(parents=True)
    (root / "amplify" / "cli.json").write_text(json.dumps({"features": {"graphqltransformer": flags}}))
    (root / "amplify" / "backend" / "api" / "league" / "schema.graphql").write_text(CAPTAIN_FIRST)
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
    return _serve(tmp_path_factory.mktemp(f"captain-{request.param}"), request.param)


def _data(served: Served, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    status, body = served.call(query, variables, token=served.token("alice"))
    assert status == 200 and "errors" not in body, body
    return body["data"]


def test_the_template_reads_the_belongs_to_key(served: Served) -> None:
    project = served.project
    pipelines = {p.key: p for p in build_pipelines(project.matrix, project.environment, project.schema)}
    request = "\n".join(f.request for f in pipelines["Player.team"].functions)
    assert "playerTeamId" in request and "teamPlayersId" not in request


def test_serve_links_a_player_to_its_team_through_player_team_id(served: Served) -> None:
    _data(served, 'mutation { createTeam(input: {id: "t1", name: "Reds"}) { id } }')
    _data(served, 'mutation { createPlayer(input: {id: "p1", name: "Ann", playerTeamId: "t1"}) { id playerTeamId } }')
    _data(served, 'mutation { createPlayer(input: {id: "p2", name: "Bo", teamPlayersId: "t1"}) { id teamPlayersId } }')
    p1 = _data(served, '{ getPlayer(id: "p1") { team { id name } } }')["getPlayer"]
    p2 = _data(served, '{ getPlayer(id: "p2") { team { id } } }')["getPlayer"]
    assert p1 == {"team": {"id": "t1", "name": "Reds"}}
    assert p2 == {"team": None}
    listed = _data(served, '{ getTeam(id: "t1") { players { items { id } } } }')["getTeam"]["players"]["items"]
    assert [p["id"] for p in listed] == ["p2"]


def test_amplifys_template_reads_the_same_key_live(tmp_path: Path) -> None:
    reason = oracle_missing_reason()
    if reason:
        pytest.skip(reason)
    corpus = Path(__file__).parent / "differential" / "corpus" / "legacy-pk-false-team-captain-first-belongs-to.graphql"
    result = amplify_transform(corpus, tmp_path / "out", ["apiKey"],
                               {"respectPrimaryKeyAttributesOnConnectionField": "false"})
    assert result.accepted, result.message
    template = (result.out_dir / "resolvers" / "Player.team.req.vtl").read_text(encoding="utf-8")
    assert "playerTeamId" in template and "teamPlayersId" not in template
