"""The blog conformance suite's project served in-process (guards or templates), for the HTTP case tests."""

from __future__ import annotations

from pathlib import Path

from conformance_http import SUITE_CLIENT_ID, SUITE_PATH, SuiteClient
from httpx2 import Response
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.store import Store
from resolvers.suite import AUTH_MODES, Suite, SuiteCase
from resolvers.token_verify import TokenVerifier
from transformer.project import load_project

BASE_URL = "http://127.0.0.1:20002"


class SuiteApp:
    """The suite's project behind `create_app` with the given engine, over an in-memory store, with a
    local issuer whose tokens carry the suite's recorded claims."""

    def __init__(self, suite: Suite, tmp: Path, *, engine: str = "python", suite_path: Path = SUITE_PATH) -> None:
        self.suite = suite
        settings = suite.settings
        env = settings.environment()
        project, diagnostics = load_project(suite_path.parent / suite.schema_file,
                                            group_file_path=suite_path.parent / (suite.userPoolGroups or ""),
                                            auth_modes=[AUTH_MODES[m] for m in suite.authModes],
                                            parameters=settings.transformParameters.to_parameters(),
                                            environment=env)
        assert project is not None, diagnostics
        state = LocalState.open(tmp)
        verifier = TokenVerifier.local(state, issuer=env.issuer, client_id=SUITE_CLIENT_ID)
        authenticator = Authenticator(state, env, suite.authModes, user_pool_verifier=verifier,
                                      api_keys=settings.apiKeys)
        self.store = Store.for_project(project.matrix, project.schema)
        self.app = create_app(project, self.store, authenticator, state=state, env=env, engine=engine)
        self.client = TestClient(self.app, base_url=BASE_URL)
        self.requests = SuiteClient(suite, state, f"{BASE_URL}/graphql", env.region)

    def post_case(self, case: SuiteCase) -> Response:
        """Seed the case's items, then send its request as a client would."""
        self.store.reset([self.suite.items[key] for key in case.items])
        body, headers = self.requests.request(case)
        return self.client.post("/graphql", content=body, headers=headers)
