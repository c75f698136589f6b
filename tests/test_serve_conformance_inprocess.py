"""Every case of the blog conformance suite as a GraphQL request against the in-process app.

Identities are presented as a client would: a token signed with the recorded claims, the API key
header, or a SigV4-signed request with credentials registered for the recorded IAM identity.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conformance_http import SUITE, SUITE_CLIENT_ID, SUITE_PATH, SuiteClient, check_case
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.store import Store
from resolvers.suite import AUTH_MODES, Suite, SuiteCase
from resolvers.token_verify import TokenVerifier
from transformer.project import load_project

if SUITE is None:
    pytest.skip("the shared conformance suite is not available", allow_module_level=True)
assert SUITE is not None
CASES = [case for case in SUITE.cases if case.graphql is not None]
URL = "http://127.0.0.1:20002/graphql"


class SuiteServer:
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
        self.store = Store.for_project(project.matrix, project.schema)
        self.client = TestClient(create_app(project, self.store, authenticator, state=state, env=env),
                                 base_url="http://127.0.0.1:20002")
        self.requests = SuiteClient(suite, state, URL, env.region)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> SuiteServer:
    assert SUITE is not None
    return SuiteServer(SUITE, tmp_path_factory.mktemp("suite"))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(server: SuiteServer, case: SuiteCase) -> None:
    assert SUITE is not None
    server.store.reset([SUITE.items[key] for key in case.items])
    body, headers = server.requests.request(case)
    response = server.client.post("/graphql", content=body, headers=headers)
    assert response.status_code == 200, response.text
    check_case(case, response.json(), server.store.dump)
