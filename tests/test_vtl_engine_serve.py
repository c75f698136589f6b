"""`serve --engine vtl`: every blog conformance case over HTTP, the API executing the emitted templates.

The same requests and checks (`conformance_http`) as the guarded server's in-process test, against an
app built with `create_app(..., engine="vtl")` over the local store.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_http import SUITE, SUITE_CLIENT_ID, SUITE_PATH, SuiteClient, check_case
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from resolvers.suite import AUTH_MODES, Suite, SuiteCase
from resolvers.token_verify import TokenVerifier
from transformer.project import load_project

if SUITE is None:
    pytest.skip("the shared conformance suite is not available", allow_module_level=True)
assert SUITE is not None
CASES = [case for case in SUITE.cases if case.graphql is not None]
URL = "http://127.0.0.1:20002/graphql"


class VtlSuiteServer:
    def __init__(self, suite: Suite, tmp: Path) -> None:
        settings = suite.settings
        env = settings.environment()
        project, diagnostics = load_project(SUITE_PATH.parent / suite.schema_file,
                                            group_file_path=SUITE_PATH.parent / (suite.userPoolGroups or ""),
                                            auth_modes=[AUTH_MODES[m] for m in suite.authModes],
                                            parameters=settings.transformParameters.to_parameters(),
                                            environment=env)
        assert project is not None, diagnostics
        state = LocalState.open(tmp)
        verifier = TokenVerifier.local(state, issuer=env.issuer, client_id=SUITE_CLIENT_ID)
        authenticator = Authenticator(state, env, suite.authModes, user_pool_verifier=verifier,
                                      api_keys=settings.apiKeys)
        self.store = Store(":memory:", store_layouts(project.matrix, project.schema))
        self.app = create_app(project, self.store, authenticator, state=state, env=env, engine="vtl")
        self.client = TestClient(self.app, base_url="http://127.0.0.1:20002")
        self.requests = SuiteClient(suite, state, URL, env.region)


@pytest.fixture(scope="module")
def vtl_server(tmp_path_factory: pytest.TempPathFactory) -> VtlSuiteServer:
    assert SUITE is not None
    return VtlSuiteServer(SUITE, tmp_path_factory.mktemp("vtl-suite"))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_through_templates(vtl_server: VtlSuiteServer, case: SuiteCase) -> None:
    assert SUITE is not None
    vtl_server.store.reset([SUITE.items[key] for key in case.items])
    body, headers = vtl_server.requests.request(case)
    response = vtl_server.client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 200, response.text
    check_case(case, response.json(), vtl_server.store.dump)


def test_the_app_resolves_through_the_templates(vtl_server: VtlSuiteServer) -> None:
    schema = vtl_server.app.state.core.schema
    assert "VtlResolvers" in schema.query_type.fields["getPost"].resolve.__qualname__
    assert "VtlResolvers" in schema.type_map["Post"].fields["internalNotes"].resolve.__qualname__
