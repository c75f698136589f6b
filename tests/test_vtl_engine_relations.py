"""Relational fields through the templates answer exactly as the guarded Python server does.

Two in-process servers over the same records (the `relations` sample): one serves through the
guards (`--engine python`), one through the emitted templates (`--engine vtl`); every query, as
every caller, must give the same data and the same errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import Project, load_project
from transformer.rules import Provider

SCHEMA = Path(__file__).parent / "golden" / "relations" / "schema.graphql"
ALICE_OWNER = "alice"
RECORDS: list[dict[str, Any]] = [
    {"__typename": "Blog", "id": "b1", "name": "Alice's blog", "owner": ALICE_OWNER},
    {"__typename": "Blog", "id": "b2", "name": "Bob's blog", "owner": "bob"},
    {"__typename": "Post", "id": "p1", "title": "one", "status": "DRAFT", "editors": ["Editors"], "blogPostsId": "b1"},
    {"__typename": "Post", "id": "p2", "title": "two", "status": "PUBLISHED", "editors": ["Others"],
     "blogPostsId": "b1"},
    {"__typename": "Post", "id": "p3", "title": "three", "status": "DRAFT", "editors": ["Editors"], "blogPostsId": "b2"},
    {"__typename": "Comment", "id": "c1", "postID": "p1", "createdAt": "2024-01-01T00:00:00.000Z", "content": "a"},
    {"__typename": "Comment", "id": "c2", "postID": "p1", "createdAt": "2024-01-02T00:00:00.000Z", "content": "b"},
    {"__typename": "Comment", "id": "c3", "postID": "p2", "createdAt": "2024-01-03T00:00:00.000Z", "content": "c"},
    {"__typename": "Team", "id": "t1", "owner": ALICE_OWNER, "teamProjectId": "pr1"},
    {"__typename": "Project", "id": "pr1", "members": [ALICE_OWNER], "projectTeamId": "t1"},
    {"__typename": "Project", "id": "pr2", "members": ["bob"], "projectTeamId": "t1"},
]
QUERIES = [
    '{ getBlog(id: "b1") { id name posts { items { id title comments { items { id content } } } } } }',
    '{ getBlog(id: "b2") { id posts(limit: 1) { items { id } nextToken } } }',
    '{ getPost(id: "p1") { id blog { id name } comments(sortDirection: DESC) { items { id } } } }',
    '{ listPosts { items { id blog { id } comments(filter: {content: {eq: "a"}}) { items { id } } } } }',
    '{ getProject(id: "pr1") { id team { id project { id } } } }',
    '{ getTeam(id: "t1") { id project { id members } } }',
    '{ getProject(id: "pr2") { id team { id } } }',
]
CALLERS = {"alice-editor": ("alice", ["Editors"]), "bob": ("bob", []), "carol-other": ("carol", ["Others"])}


class Servers:
    def __init__(self, tmp: Path) -> None:
        self.state = LocalState.open(tmp)
        project, diagnostics = load_project(SCHEMA, auth_modes=[Provider.USER_POOLS, Provider.IAM],
                                            environment=self.state.environment())
        assert project is not None, [d.render() for d in diagnostics]
        self.project: Project = project
        modes = [m.value for m in project.matrix.auth_modes]
        authenticator = Authenticator(self.state, self.state.environment(), modes)
        self.clients = {}
        for engine in ("python", "vtl"):
            store = Store(":memory:", store_layouts(project.matrix, project.schema))
            store.reset(RECORDS)
            app = create_app(project, store, authenticator, state=self.state, engine=engine)
            self.clients[engine] = TestClient(app, base_url="http://127.0.0.1:20002")
        self.tokens = {name: mint_token(self.state, user=user, groups=groups) for name, (user, groups) in CALLERS.items()}

    def ask(self, engine: str, caller: str, query: str) -> dict[str, Any]:
        response = self.clients[engine].post(
            "/graphql", content=json.dumps({"query": query}).encode(),
            headers={"content-type": "application/json", "authorization": self.tokens[caller]},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        errors = sorted((json.dumps(e.get("path")), e.get("errorType"), e.get("message")) for e in body.get("errors") or [])
        return {"data": body.get("data"), "errors": errors}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Servers:
    return Servers(tmp_path_factory.mktemp("relations"))


@pytest.mark.parametrize("caller", sorted(CALLERS))
@pytest.mark.parametrize("query", QUERIES)
def test_relations_answer_as_the_guards(servers: Servers, caller: str, query: str) -> None:
    expected = servers.ask("python", caller, query)
    assert servers.ask("vtl", caller, query) == expected


def test_relations_are_actually_resolved(servers: Servers) -> None:
    answer = servers.ask("vtl", "alice-editor", QUERIES[0])
    posts = answer["data"]["getBlog"]["posts"]["items"]
    assert [p["id"] for p in posts] == ["p1"]
    assert sorted(c["id"] for c in posts[0]["comments"]["items"]) == ["c1", "c2"]
