"""Input fields given as explicit null, through `serve` in both engines, against the suite recorded from Amplify
(`tests/conformance/explicit-nulls`): a create stores the null (the attribute exists, so `attributeExists: true`
finds it), an update removes the attribute; a timestamp field given as null is kept null on create and removed
on update instead of being stamped.

The stored record is compared key by key, so an attribute left out and an attribute stored as null differ here
(the suite's own HTTP check reads both as null)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_app_support import SuiteApp
from conformance_http import check_case

from resolvers.suite import Suite, SuiteCase, load_suite

SUITE_PATH = Path(__file__).parent / "conformance" / "explicit-nulls" / "suite.json"
SUITE: Suite = load_suite(SUITE_PATH)
CASES = [case for case in SUITE.cases if case.graphql is not None]
VOLATILE = {"__typename", "createdAt", "updatedAt"}
API_KEY = {"x-api-key": "da2-oraclekey", "content-type": "application/json"}


@pytest.fixture(scope="module", params=["python", "vtl"])
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> SuiteApp:
    return SuiteApp(SUITE, tmp_path_factory.mktemp(f"nulls-{request.param}"), engine=request.param,
                    suite_path=SUITE_PATH)


def _stored(app: SuiteApp, typename: str, record_id: str) -> dict[str, Any] | None:
    return next((r for r in app.store.dump() if r["__typename"] == typename and r.get("id") == record_id), None)


def _post(app: SuiteApp, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = app.client.post("/graphql", json={"query": query, "variables": variables}, headers=API_KEY)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    return body["data"]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_recorded_case(app: SuiteApp, case: SuiteCase) -> None:
    body = app.post_case(case).json()
    check_case(case, body, app.store.dump)
    expect = case.expect
    if not (case.operation.startswith("Mutation.") and expect.allowed and isinstance(expect.result, dict)):
        return
    typename = case.operation.split(".")[1].removeprefix("create").removeprefix("update")
    written = body["data"][case.graphql.expectPath[0] if case.graphql and case.graphql.expectPath
                           else case.operation.split(".")[1]]
    stored = _stored(app, typename, written["id"])
    assert stored is not None
    volatile = VOLATILE | ({"id"} if "id" not in expect.result else set())
    assert {k: v for k, v in stored.items() if k not in volatile} == expect.result


def test_create_stores_null_and_filters_see_it(app: SuiteApp) -> None:
    app.store.reset()
    created = _post(app, "mutation($input: CreateNoteInput!) { createNote(input: $input) { id body rank } }",
                    {"input": {"id": "k1", "title": "t", "body": None, "rank": None}})
    assert created["createNote"] == {"id": "k1", "body": None, "rank": None}
    stored = _stored(app, "Note", "k1")
    assert stored is not None and "body" in stored and stored["body"] is None and stored["rank"] is None
    assert "tags" not in stored
    found = _post(app, "query { listNotes(filter: {body: {attributeExists: true}}) { items { id } } }", {})
    assert found["listNotes"]["items"] == [{"id": "k1"}]
    missing = _post(app, "query { listNotes(filter: {tags: {attributeExists: true}}) { items { id } } }", {})
    assert missing["listNotes"]["items"] == []


def test_update_removes_null_fields(app: SuiteApp) -> None:
    app.store.reset([SUITE.items["n1"]])
    updated = _post(app, "mutation($input: UpdateNoteInput!) { updateNote(input: $input) { id title body tags } }",
                    {"input": {"id": "n1", "body": None, "tags": None}})
    assert updated["updateNote"] == {"id": "n1", "title": "one", "body": None, "tags": None}
    stored = _stored(app, "Note", "n1")
    assert stored is not None
    assert "body" not in stored and "tags" not in stored and stored["rank"] == 3
    assert stored["updatedAt"] != SUITE.items["n1"]["updatedAt"]


def test_null_timestamps_are_kept_on_create_and_removed_on_update(app: SuiteApp) -> None:
    app.store.reset([SUITE.items["e1"]])
    _post(app, "mutation($input: CreateEntryInput!) { createEntry(input: $input) { id } }",
          {"input": {"id": "y1", "createdAt": None}})
    created = _stored(app, "Entry", "y1")
    assert created is not None and "createdAt" in created and created["createdAt"] is None
    assert isinstance(created["updatedAt"], str) and created["updatedAt"].endswith("Z")
    _post(app, "mutation($input: UpdateEntryInput!) { updateEntry(input: $input) { id } }",
          {"input": {"id": "e1", "updatedAt": None}})
    updated = _stored(app, "Entry", "e1")
    assert updated is not None and "updatedAt" not in updated and updated["text"] == "hi"
