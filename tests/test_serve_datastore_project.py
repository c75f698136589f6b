"""The sample DataStore project (`tests/datastore_project`: AUTOMERGE by default, LAMBDA for Note) through `serve`
in both engines, and what a rejected conflict's data may show.

The strategies per model come from the project's cli-inputs.json (`perModelResolutionStrategy` replaces the default
for Note). A rejected conflict's error carries the server's item (AWS's "Conflict detection and resolution":
"the existing item on the server with the latest version is provided" in the GraphQL response); `serve` leaves out
of it the fields with a read rule of their own, which in AppSync only their field resolvers guard (README:
deliberate difference).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from datastore_serve_support import DataStoreServer, RecordingBus, serve_datastore
from serve_support import Served, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project

PROJECT = Path(__file__).parent / "datastore_project"
HANDLER = '''
def handler(event):
    return {"action": "RESOLVE", "item": {**event["existingItem"], "body": "theirs+" + event["newItem"]["body"]}}
'''


def _serve_project(root: Path, engine: str) -> DataStoreServer:
    shutil.copytree(PROJECT, root)
    api = root / "amplify" / "backend" / "api" / "notesapp"
    (api / "conflict.py").write_text(HANDLER)
    (api / "gqlauth.json").write_text(json.dumps({"functions": {"notesconflict-${env}": "conflict.py"}}))
    project, diagnostics = load_project(root)
    assert project is not None, [d.render() for d in diagnostics]
    shutil.copytree(template_state(), root / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(root)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    bus = RecordingBus()
    app = create_app(project, store, authenticator, state=state, bus=bus, engine=engine)
    served = Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))
    return DataStoreServer(served, bus)


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_each_model_is_handled_by_its_own_strategy(tmp_path: Path, engine: str) -> None:
    server = _serve_project(tmp_path / engine, engine)
    book = "mutation($i: UpdateNotebookInput!) { updateNotebook(input: $i) { id title _version } }"
    note = "mutation($i: UpdateNoteInput!) { updateNote(input: $i) { id body _version } }"
    server.data("mutation { createNotebook(input: {id: \"b1\", title: \"server\"}) { id } }")
    server.data("mutation { createNote(input: {id: \"n1\", body: \"server\", notebookNotesId: \"b1\"}) { id } }")
    server.data(book, {"i": {"id": "b1", "title": "server2", "_version": 1}})
    server.data(note, {"i": {"id": "n1", "body": "server2", "_version": 1}})
    merged = server.data(book, {"i": {"id": "b1", "title": "stale", "_version": 1}})["updateNotebook"]
    assert merged == {"id": "b1", "title": "server2", "_version": 3}
    resolved = server.data(note, {"i": {"id": "n1", "body": "mine", "_version": 1}})["updateNote"]
    assert resolved == {"id": "n1", "body": "theirs+mine", "_version": 3}


PROTECTED = """
type Doc @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  title: String
  secret: String @auth(rules: [{allow: owner}])
}
"""


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_a_conflicts_data_leaves_out_fields_with_their_own_read_rule(tmp_path: Path, engine: str) -> None:
    server = serve_datastore(tmp_path / engine, "OPTIMISTIC_CONCURRENCY", engine, schema=PROTECTED)
    update = "mutation($i: UpdateDocInput!) { updateDoc(input: $i) { id title secret _version } }"
    server.data("mutation { createDoc(input: {id: \"d1\", title: \"t\", secret: \"alice-only\"}) { id } }")
    server.data(update, {"i": {"id": "d1", "title": "t2", "_version": 1}})
    body = server.call(update, {"i": {"id": "d1", "title": "admin", "_version": 1}}, user="ann", groups=["Admins"])
    (error,) = body["errors"]
    assert error["errorType"] == "ConflictUnhandled"
    assert error["data"] == {"id": "d1", "title": "t2", "_version": 2}
    assert "alice-only" not in json.dumps(body)
