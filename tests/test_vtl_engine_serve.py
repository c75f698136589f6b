"""`serve --engine vtl`: every blog conformance case over HTTP, the API executing the emitted templates.

The same requests and checks as `test_serve_conformance_inprocess.py` (which serves through the
guards), against an app built with `create_app(..., engine="vtl")`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from test_serve_conformance_inprocess import CASES, SuiteServer
from test_serve_conformance_inprocess import test_case as check_case

from resolvers.server.app import create_app
from resolvers.suite import SuiteCase


class VtlSuiteServer(SuiteServer):
    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.app = create_app(self.project, self.store, self.authenticator, state=self.state, env=self.env,
                              engine="vtl")
        self.client = TestClient(self.app, base_url="http://127.0.0.1:20002")


@pytest.fixture(scope="module")
def vtl_server(tmp_path_factory: pytest.TempPathFactory) -> VtlSuiteServer:
    return VtlSuiteServer(tmp_path_factory.mktemp("vtl-suite"))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_through_templates(vtl_server: VtlSuiteServer, case: SuiteCase) -> None:
    check_case(vtl_server, case)


def test_the_app_resolves_through_the_templates(vtl_server: VtlSuiteServer) -> None:
    fields = vtl_server.app.state.core.schema.query_type.fields
    assert "VtlResolvers" in fields["getPost"].resolve.__qualname__
    assert "VtlResolvers" in vtl_server.app.state.core.schema.type_map["Post"].fields["internalNotes"].resolve.__qualname__
