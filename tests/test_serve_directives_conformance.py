"""The suites recorded from Amplify for relational reads, `@manyToMany`, `@default`, the owner read-back and `@validate`,
as GraphQL requests against `serve` (in-process), through the guards and through the templates.

A recorded field case selects the relational field as a leaf (the oracle's shorthand); here it is sent
as a client would: a list relation selects the items' ids, a single one the related record's default
fields, and the response is compared with what Amplify returned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conformance_app_support import SuiteApp
from conformance_http import check_case

from resolvers.relation_reads import default_selection
from resolvers.suite import GraphqlRequest, Suite, SuiteCase, load_suite, prepare
from transformer.matrix import AccessMatrix

CONFORMANCE = Path(__file__).parent / "conformance"
SUITES = {name: CONFORMANCE / name / "suite.json" for name in ("relational", "owner-default", "references", "validate",
                                                                "legacy-keys")}
LOADED: dict[str, Suite] = {name: load_suite(path) for name, path in SUITES.items()}
MATRICES: dict[str, AccessMatrix] = {name: prepare(path).matrix for name, path in SUITES.items()}
CASES = [(name, case) for name, suite in LOADED.items() for case in suite.cases if case.graphql is not None]


@pytest.fixture(scope="module", params=["python", "vtl"])
def apps(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict[str, SuiteApp]:
    return {name: SuiteApp(suite, tmp_path_factory.mktemp(f"{name}-{request.param}"), engine=request.param,
                           suite_path=SUITES[name])
            for name, suite in LOADED.items()}


def _relation_request(matrix: AccessMatrix, case: SuiteCase) -> tuple[GraphqlRequest, bool] | None:
    """The case's request with its relational leaf expanded into a selection; None for other cases."""
    type_name, _, field_name = case.operation.partition(".")
    served = matrix.models.get(type_name)
    field = served.field(field_name) if served is not None else None
    if field is None or field.relation is None or case.graphql is None:
        return None
    many = field.type.is_list
    inner = "items { id } nextToken" if many else " ".join(default_selection(matrix, field.type.name))
    query = case.graphql.query.replace(f" {field_name} }}", f" {field_name} {{ {inner} }} }}")
    assert query != case.graphql.query, case.graphql.query
    return case.graphql.model_copy(update={"query": query}), many


def _check_relation(case: SuiteCase, body: dict[str, Any], many: bool) -> None:
    assert case.graphql is not None and case.graphql.expectPath
    path = list(case.graphql.expectPath)
    errors = body.get("errors") or []
    value: Any = body.get("data")
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    expect = case.expect
    if expect.parent is not None and not expect.parent.allowed:
        at_root = [e for e in errors if e.get("path") == path[:1]]
        assert at_root and at_root[0]["message"] == expect.parent.message
        assert (body.get("data") or {}).get(path[0]) is None
        return
    at_field = [e for e in errors if e.get("path") == path]
    if expect.allowed:
        assert not at_field, at_field
        recorded = (expect.result or {}).get(path[-1])
        if recorded is None:
            assert value is None
        elif many:
            assert [item["id"] for item in value["items"]] == [item["id"] for item in recorded["items"]]
        else:
            assert value == expect.fields
    else:
        assert at_field and at_field[0]["errorType"] == expect.errorType
        assert at_field[0]["message"] == expect.message


@pytest.mark.parametrize(("suite", "case"), CASES, ids=[f"{name}:{case.id}" for name, case in CASES])
def test_case(apps: dict[str, SuiteApp], suite: str, case: SuiteCase) -> None:
    app = apps[suite]
    expanded = _relation_request(MATRICES[suite], case)
    sent = case if expanded is None else case.model_copy(update={"graphql": expanded[0]})
    if case.source is not None and case.source not in case.items:
        # A client reaches the field only through its parent, so the parent record must be stored.
        sent = sent.model_copy(update={"items": [*case.items, case.source]})
    response = app.post_case(sent)
    assert response.status_code == 200, response.text
    if expanded is None:
        check_case(case, response.json(), app.store.dump)
    else:
        _check_relation(case, response.json(), expanded[1])
