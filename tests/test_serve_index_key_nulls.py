"""A global secondary index key given as explicit null, through `serve` in both engines.

DynamoDB refuses a PutItem whose item holds a GSI key attribute as NULL; AppSync answers
`DynamoDB:DynamoDbException` with DynamoDB's message (recorded in amplify-flutter #2700:
`Type mismatch for Index Key userProjectsId Expected: S Actual: NULL IndexName: gsi-User.projects`). Before the
PutItem, Amplify's create template drops the null values of fields that carry an `@index` (its
`$nullIndexFields`, transformer 2.5.1, seen in the oracle): such a record is stored without the attribute and
stays out of that index. So the keys that can still arrive as NULL are a single sort key field and the
implicit relation keys (`projectTasksId` of `gsi-Project.tasks`). An update REMOVEs an attribute given as
null, so it never writes a NULL key.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from serve_support import Served, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.index_keys import table_index_keys
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.server.pubsub import Subscriptions
from resolvers.store import Store
from resolvers.suite import run_suite
from transformer.emit_stack import build_deployment
from transformer.emit_vtl.relations import implicit_indexes
from transformer.project import Project, load_project
from transformer.rules import Provider

SCHEMA = """
type Project @model @auth(rules: [{allow: public}]) {
  id: ID!
  name: String
  tasks: [Task] @hasMany
}
type Task @model @auth(rules: [{allow: public}]) {
  id: ID!
  title: String
  status: String @index(name: "byStatus", queryField: "tasksByStatus", sortKeyFields: ["rank"])
  rank: Int
  project: Project @belongsTo
}
"""

CREATE_TASK = "mutation C($i: CreateTaskInput!) { createTask(input: $i) { id title status rank projectTasksId } }"
UPDATE_TASK = "mutation U($i: UpdateTaskInput!) { updateTask(input: $i) { id status rank } }"
BY_STATUS = 'query Q($s: String!) { tasksByStatus(status: $s) { items { id } } }'
PROJECT_TASKS = 'query P($id: ID!) { getProject(id: $id) { tasks { items { id } } } }'
MESSAGE = re.compile(
    r"One or more parameter values were invalid: Type mismatch for Index Key (\S+) Expected: ([SN]) Actual: NULL "
    r"IndexName: (\S+) \(Service: DynamoDb, Status Code: 400, Request ID: [A-Z0-9]{52}\)"
)


class RecordingBus(Subscriptions):
    """The event bus, remembering every publication."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, topic: str, record: Mapping[str, Any]) -> int:
        self.published.append((topic, dict(record)))
        return super().publish(topic, record)


def _project(root: Path) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    (root / "schema.graphql").write_text(SCHEMA)
    project, diagnostics = load_project(root, auth_modes=[Provider.API_KEY])
    assert project is not None, [d.render() for d in diagnostics]
    return project


def _serve(root: Path, engine: str) -> tuple[Served, RecordingBus]:
    project = _project(root)
    shutil.copytree(template_state(), root / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(root)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    bus = RecordingBus()
    app = create_app(project, store, authenticator, state=state, bus=bus, engine=engine)
    served = Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))
    return served, bus


@pytest.fixture(params=["python", "vtl"])
def served(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Served, RecordingBus]:
    return _serve(tmp_path / f"index-nulls-{request.param}", request.param)


def _call(served: Served, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    status, body = served.call(query, variables, api_key=served.api_key)
    assert status == 200, body
    return body


def _data(served: Served, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    body = _call(served, query, variables)
    assert "errors" not in body, body
    return body["data"]


def _stored(served: Served, record_id: str) -> dict[str, Any] | None:
    return next((r for r in served.store.dump() if r["__typename"] == "Task" and r.get("id") == record_id), None)


def _assert_refused(served: Served, bus: RecordingBus, body: dict[str, Any], key: str, kind: str, index: str) -> None:
    assert body["data"] == {"createTask": None}
    (error,) = body["errors"]
    assert error["errorType"] == "DynamoDB:DynamoDbException"
    assert error["path"] == ["createTask"] and error["data"] is None and error["errorInfo"] is None
    assert error["locations"]
    found = MESSAGE.fullmatch(error["message"])
    assert found is not None, error["message"]
    assert found.groups() == (key, kind, index)
    assert _stored(served, "t1") is None
    assert bus.published == []


def test_a_null_sort_key_field_is_refused_and_nothing_is_stored(served: tuple[Served, RecordingBus]) -> None:
    app, bus = served
    body = _call(app, CREATE_TASK, {"i": {"id": "t1", "status": "open", "rank": None}})
    _assert_refused(app, bus, body, "rank", "N", "byStatus")


def test_a_null_implicit_relation_key_is_refused(served: tuple[Served, RecordingBus]) -> None:
    app, bus = served
    body = _call(app, CREATE_TASK, {"i": {"id": "t1", "title": "x", "projectTasksId": None}})
    _assert_refused(app, bus, body, "projectTasksId", "S", "gsi-Project.tasks")


def test_validation_comes_before_the_existence_condition(served: tuple[Served, RecordingBus]) -> None:
    app, _bus = served
    _data(app, CREATE_TASK, {"i": {"id": "t9", "title": "first"}})
    body = _call(app, CREATE_TASK, {"i": {"id": "t9", "projectTasksId": None}})
    assert body["errors"][0]["errorType"] == "DynamoDB:DynamoDbException", body
    assert _stored(app, "t9") == {**(_stored(app, "t9") or {}), "title": "first"}


def test_absent_index_fields_are_stored_outside_the_index(served: tuple[Served, RecordingBus]) -> None:
    app, bus = served
    _data(app, "mutation { createProject(input: {id: \"p1\"}) { id } }", {})
    created = _data(app, CREATE_TASK, {"i": {"id": "t1", "title": "x"}})["createTask"]
    assert created == {"id": "t1", "title": "x", "status": None, "rank": None, "projectTasksId": None}
    stored = _stored(app, "t1")
    assert stored is not None and not {"status", "rank", "projectTasksId"} & set(stored)
    assert [topic for topic, _ in bus.published] == ["createProject", "createTask"]
    _data(app, CREATE_TASK, {"i": {"id": "t2", "status": "open", "rank": 1, "projectTasksId": "p1"}})
    assert _data(app, BY_STATUS, {"s": "open"})["tasksByStatus"]["items"] == [{"id": "t2"}]
    assert _data(app, PROJECT_TASKS, {"id": "p1"})["getProject"]["tasks"]["items"] == [{"id": "t2"}]


def test_a_null_index_field_is_dropped_as_amplify_create_drops_it(served: tuple[Served, RecordingBus]) -> None:
    app, _bus = served
    created = _data(app, CREATE_TASK, {"i": {"id": "t1", "status": None, "rank": 2}})["createTask"]
    assert created == {"id": "t1", "title": None, "status": None, "rank": 2, "projectTasksId": None}
    stored = _stored(app, "t1")
    assert stored is not None and "status" not in stored and stored["rank"] == 2


def test_an_update_to_null_removes_the_key_and_leaves_the_index(served: tuple[Served, RecordingBus]) -> None:
    app, bus = served
    _data(app, "mutation { createProject(input: {id: \"p1\"}) { id } }", {})
    _data(app, CREATE_TASK, {"i": {"id": "t1", "status": "open", "rank": 1, "projectTasksId": "p1"}})
    assert _data(app, BY_STATUS, {"s": "open"})["tasksByStatus"]["items"] == [{"id": "t1"}]
    updated = _data(app, UPDATE_TASK, {"i": {"id": "t1", "status": None, "rank": None}})["updateTask"]
    assert updated == {"id": "t1", "status": None, "rank": None}
    _data(app, "mutation U($i: UpdateTaskInput!) { updateTask(input: $i) { id } }",
          {"i": {"id": "t1", "projectTasksId": None}})
    stored = _stored(app, "t1")
    assert stored is not None and not {"status", "rank", "projectTasksId"} & set(stored)
    assert _data(app, BY_STATUS, {"s": "open"})["tasksByStatus"]["items"] == []
    assert _data(app, PROJECT_TASKS, {"id": "p1"})["getProject"]["tasks"]["items"] == []
    assert [topic for topic, _ in bus.published][-2:] == ["updateTask", "updateTask"]


def test_the_checked_keys_are_the_stack_attribute_definitions(tmp_path: Path) -> None:
    project = _project(tmp_path / "stack")
    declared: dict[str, set[tuple[str, str, str]]] = {}
    for path, template in build_deployment(project).templates().items():
        for resource in template.get("Resources", {}).values():
            if resource.get("Type") != "AWS::DynamoDB::Table":
                continue
            properties = resource["Properties"]
            types = {d["AttributeName"]: d["AttributeType"] for d in properties["AttributeDefinitions"]}
            declared[Path(path).stem] = {(index["IndexName"], key["AttributeName"], types[key["AttributeName"]])
                                         for index in properties.get("GlobalSecondaryIndexes", [])
                                         for key in index["KeySchema"]}
    extra = implicit_indexes(project.schema)
    ours = {name: {(k.index, k.attribute, k.type) for k in table_index_keys(model, extra.get(name))}
            for name, model in project.matrix.models.items()}
    assert ours["Task"] == {("byStatus", "status", "S"), ("byStatus", "rank", "N"),
                            ("gsi-Project.tasks", "projectTasksId", "S")}
    assert declared == ours


def _suite(root: Path) -> Path:
    _project(root)
    suite = {
        "suiteFormat": 1, "name": "index-key-nulls", "schema": "schema.graphql", "authModes": ["apiKey"],
        "settings": {"apiKeys": ["da2-key"]},
        "identities": {"key": {"authType": "apiKey", "identity": None, "headers": {"x-api-key": "da2-key"}}},
        "items": {"t1": {"__typename": "Task", "id": "t1", "status": "open", "rank": 1}},
        "cases": [
            {"id": "null-sort-key", "identity": "key", "operation": "Mutation.createTask",
             "args": {"input": {"id": "n1", "status": "open", "rank": None}},
             "expect": {"allowed": False, "errorType": "DynamoDB:DynamoDbException"}},
            {"id": "null-relation-key-over-existing", "identity": "key", "operation": "Mutation.createTask",
             "items": ["t1"], "args": {"input": {"id": "t1", "projectTasksId": None}},
             "expect": {"allowed": False, "errorType": "DynamoDB:DynamoDbException"}},
            {"id": "absent-keys", "identity": "key", "operation": "Mutation.createTask",
             "args": {"input": {"id": "n2", "title": "x"}},
             "expect": {"allowed": True, "result": {"id": "n2", "title": "x"}}},
            {"id": "update-to-null", "identity": "key", "operation": "Mutation.updateTask", "items": ["t1"],
             "args": {"input": {"id": "t1", "status": None, "rank": None}},
             "expect": {"allowed": True, "result": {"id": "t1"}}},
        ],
    }
    path = root / "suite.json"
    path.write_text(json.dumps(suite))
    return path


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_gqlauth_test_agrees(tmp_path: Path, engine: str) -> None:
    report = run_suite(_suite(tmp_path / "suite"), engine=engine)
    assert {r.id: r.mismatches for r in report.results} == {
        "null-sort-key": [], "null-relation-key-over-existing": [], "absent-keys": [], "update-to-null": []}
