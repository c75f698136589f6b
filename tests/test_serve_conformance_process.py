"""Every case of the blog conformance suite as a real HTTP request to `gqlauth serve`, started as a
process on a free loopback port and configured like the recorded API (its issuer, app client id,
API key and identity pool); IAM cases are SigV4-signed with credentials registered in the project's
state. The test resets the store between cases through the same SQLite file the server uses.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conformance_http import SUITE, SUITE_CLIENT_ID, SUITE_PATH, SuiteClient, check_case
from serve_support import ServerProcess, free_port, template_state

from resolvers.local_state import LocalState
from resolvers.store import Store
from resolvers.suite import SuiteCase
from transformer.project import load_project

if SUITE is None:
    pytest.skip("the shared conformance suite is not available", allow_module_level=True)
assert SUITE is not None
CASES = [case for case in SUITE.cases if case.graphql is not None]


class RunningSuite:
    def __init__(self, directory: Path) -> None:
        assert SUITE is not None
        shutil.copy(SUITE_PATH.parent / SUITE.schema_file, directory / "schema.graphql")
        shutil.copy(SUITE_PATH.parent / (SUITE.userPoolGroups or ""), directory / "user-pool-group-precedence.json")
        shutil.copytree(template_state(), directory / ".gqlauth")
        self.state = LocalState.open(directory)
        env = SUITE.settings.environment()
        self.state.save_environment(env)
        db = directory / "cases.sqlite3"
        extra = ["--client-id", SUITE_CLIENT_ID, "--db", str(db)]
        for key in SUITE.settings.apiKeys:
            extra += ["--api-key", key]
        self.process = ServerProcess(directory, free_port(), tuple(extra), auth_modes=",".join(SUITE.authModes))
        project, diagnostics = load_project(directory)
        assert project is not None, diagnostics
        self.store = Store.for_project(project.matrix, project.schema, db)
        self.requests = SuiteClient(SUITE, self.state, self.process.url, env.region)
        self.http = httpx.Client(timeout=10)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSuite]:
    suite = RunningSuite(tmp_path_factory.mktemp("suite-process"))
    suite.process.start()
    yield suite
    suite.http.close()
    suite.process.stop()
    suite.store.close()


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case(running: RunningSuite, case: SuiteCase) -> None:
    assert SUITE is not None
    running.store.reset([SUITE.items[key] for key in case.items])
    body, headers = running.requests.request(case)
    response = running.http.post(running.process.url, content=body, headers=headers)
    assert response.status_code == 200, response.text
    check_case(case, response.json(), running.store.dump)
