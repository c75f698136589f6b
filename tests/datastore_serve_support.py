"""A served Amplify project with conflict resolution on (a chosen strategy), in either engine."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from serve_support import Served, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.server.pubsub import Subscriptions
from resolvers.store import Store
from transformer.project import load_project

SCHEMA = """
type Note @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  title: String
  tags: [String]
  rating: Int
}
"""
NOTE_FIELDS = "id title tags rating owner _version _deleted _lastChangedAt"
CREATE = f"mutation C($i: CreateNoteInput!) {{ createNote(input: $i) {{ {NOTE_FIELDS} }} }}"
UPDATE = f"mutation U($i: UpdateNoteInput!) {{ updateNote(input: $i) {{ {NOTE_FIELDS} }} }}"
DELETE = f"mutation D($i: DeleteNoteInput!) {{ deleteNote(input: $i) {{ {NOTE_FIELDS} }} }}"
GET = f"query G($id: ID!) {{ getNote(id: $id) {{ {NOTE_FIELDS} }} }}"
LIST = f"query L {{ listNotes {{ items {{ {NOTE_FIELDS} }} }} }}"
SYNC = ("query S($f: ModelNoteFilterInput, $limit: Int, $next: String, $last: AWSTimestamp) "
        "{ syncNotes(filter: $f, limit: $limit, nextToken: $next, lastSync: $last) "
        f"{{ items {{ {NOTE_FIELDS} }} nextToken startedAt }} }}")


class RecordingBus(Subscriptions):
    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, topic: str, record: Mapping[str, Any]) -> int:
        self.published.append((topic, dict(record)))
        return super().publish(topic, record)


def strategy_json(strategy: str) -> dict[str, Any]:
    if strategy == "LAMBDA":
        return {"type": "LAMBDA", "resolver": {"type": "EXISTING", "name": "noteconflict-${env}"}}
    return {"type": strategy}


def datastore_project(root: Path, strategy: str, *, handler: str | None = None, schema: str = SCHEMA) -> Path:
    api = root / "amplify" / "backend" / "api" / "app"
    api.mkdir(parents=True)
    (api / "schema.graphql").write_text(schema)
    (api / "cli-inputs.json").write_text(json.dumps({
        "version": 1,
        "serviceConfiguration": {
            "apiName": "app", "serviceName": "AppSync",
            "defaultAuthType": {"mode": "AMAZON_COGNITO_USER_POOLS", "cognitoUserPoolId": "authapp"},
            "additionalAuthTypes": [{"mode": "API_KEY"}],
            "conflictResolution": {"defaultResolutionStrategy": strategy_json(strategy)},
        },
    }))
    if handler is not None:
        (api / "conflict.py").write_text(handler)
        (api / "gqlauth.json").write_text(json.dumps({"functions": {"noteconflict-${env}": "conflict.py"}}))
    return root


class DataStoreServer:
    """Calls as alice, bob or an admin; `bus` records every published event."""

    def __init__(self, served: Served, bus: RecordingBus) -> None:
        self.served = served
        self.bus = bus

    def call(self, query: str, variables: dict[str, Any] | None = None, *, user: str = "alice",
             groups: list[str] | None = None) -> dict[str, Any]:
        token = mint_token(self.served.state, user=user, groups=groups or [])
        status, body = self.served.call(query, variables or {}, token=token)
        assert status == 200, body
        return body

    def data(self, query: str, variables: dict[str, Any] | None = None, **who: Any) -> dict[str, Any]:
        body = self.call(query, variables, **who)
        assert "errors" not in body, body
        return body["data"]

    def stored(self, note_id: str) -> dict[str, Any] | None:
        return next((r for r in self.served.store.dump() if r.get("id") == note_id), None)


def serve_datastore(root: Path, strategy: str, engine: str, *, handler: str | None = None,
                    schema: str = SCHEMA) -> DataStoreServer:
    datastore_project(root, strategy, handler=handler, schema=schema)
    project, diagnostics = load_project(root)
    assert project is not None, [d.render() for d in diagnostics]
    assert project.matrix.versioned
    shutil.copytree(template_state(), root / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(root)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    bus = RecordingBus()
    app = create_app(project, store, authenticator, state=state, bus=bus, engine=engine)
    served = Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))
    return DataStoreServer(served, bus)
