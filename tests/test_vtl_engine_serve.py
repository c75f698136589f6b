"""`serve --engine vtl`: every blog conformance case over HTTP, the API executing the emitted templates.

The same requests and checks (`conformance_http`) as the guarded server's in-process test, against an
app built with `create_app(..., engine="vtl")` over the local store.
"""

from __future__ import annotations

import pytest
from conformance_app_support import SuiteApp
from conformance_http import SUITE, check_case

from resolvers.suite import SuiteCase

if SUITE is None:
    pytest.skip("the shared conformance suite is not available", allow_module_level=True)
assert SUITE is not None
CASES = [case for case in SUITE.cases if case.graphql is not None]


@pytest.fixture(scope="module")
def vtl_server(tmp_path_factory: pytest.TempPathFactory) -> SuiteApp:
    assert SUITE is not None
    return SuiteApp(SUITE, tmp_path_factory.mktemp("vtl-suite"), engine="vtl")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_through_templates(vtl_server: SuiteApp, case: SuiteCase) -> None:
    response = vtl_server.post_case(case)
    assert response.status_code == 200, response.text
    check_case(case, response.json(), vtl_server.store.dump)


def test_the_app_resolves_through_the_templates(vtl_server: SuiteApp) -> None:
    schema = vtl_server.app.state.core.schema
    assert "VtlResolvers" in schema.query_type.fields["getPost"].resolve.__qualname__
    assert "VtlResolvers" in schema.type_map["Post"].fields["internalNotes"].resolve.__qualname__
