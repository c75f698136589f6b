"""`@function` and `@http` fields served locally: the handlers `gqlauth.json` names are called with the
event Amplify's resolvers send, the field's own rules still apply, and a field nothing is configured
for answers with an error saying how to configure it; through the guards and through the templates."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from serve_support import Served, _serve, template_state
from starlette.testclient import TestClient

from resolvers.authenticate import Authenticator
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Post @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {
  id: ID!
  title: String!
  summary: String @function(name: "summarize-${env}")
}
type Query {
  echo(msg: String): String @function(name: "echofn") @auth(rules: [{allow: private}])
  twoStep(x: Int): Int @function(name: "first") @function(name: "second") @auth(rules: [{allow: private}])
  broken: String @function(name: "broken") @auth(rules: [{allow: private}])
  missing: String @function(name: "nowhere") @auth(rules: [{allow: private}])
  quote(symbol: String!, currency: String): AWSJSON @http(url: "ORIGIN/quotes/:symbol") @auth(rules: [{allow: private}])
  offline: String @http(url: "https://unconfigured.example.com/x") @auth(rules: [{allow: private}])
}
type EventInvocationResponse { success: Boolean! }
type Mutation {
  kick(x: Int): EventInvocationResponse @function(name: "kicker", invocationType: Event) @auth(rules: [{allow: private}])
  notify(to: String!, text: String): AWSJSON @http(method: POST, url: "ORIGIN/notify") @auth(rules: [{allow: private}])
}
"""

HANDLERS = '''
def echo(event, context):
    return f"{event['arguments']['msg']} from {event['identity']['username']} via {event['fieldName']}"

def summarize(event):
    return event["source"]["title"].upper()

def first(event):
    return event["arguments"]["x"] + 1

def second(event):
    return event["prev"]["result"] * 10

def broken(event):
    raise ValueError("handler failed")

def kicker(event):
    from pathlib import Path
    Path(__file__).with_name("kicked.json").write_text(__import__("json").dumps(event["arguments"]))
'''


class _Upstream(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        payload = json.dumps({"method": self.command, "path": self.path, "body": body,
                              "header": self.headers.get("X-Test")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *_args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module", params=["python", "vtl"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, upstream: str) -> Served:
    directory = tmp_path_factory.mktemp(f"fh-{request.param}") / "project"
    directory.mkdir()
    origin = "https://api.example.com"
    (directory / "schema.graphql").write_text(SCHEMA.replace("ORIGIN", origin))
    (directory / "handlers.py").write_text(HANDLERS)
    functions = {name: f"handlers.py:{name}" for name in ("first", "second", "broken", "kicker")}
    functions |= {"echofn": "handlers.py:echo", "summarize": "handlers.py:summarize"}
    (directory / "gqlauth.json").write_text(json.dumps({"functions": functions, "http": {origin: upstream}}))
    project, diagnostics = load_project(directory, auth_modes=[Provider.USER_POOLS, Provider.API_KEY])
    assert project is not None, diagnostics
    if request.param == "python":
        return _serve(directory, project, ":memory:", guards=True)
    shutil.copytree(template_state(), directory / ".gqlauth", dirs_exist_ok=True)
    state = LocalState.open(directory)
    authenticator = Authenticator(state, state.environment(), [m.value for m in project.matrix.auth_modes])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    app = create_app(project, store, authenticator, state=state, engine="vtl")
    return Served(project, state, store, authenticator, app, TestClient(app, base_url="http://127.0.0.1:20002"))


def _ok(result: tuple[int, dict[str, Any]]) -> dict[str, Any]:
    status, body = result
    assert status == 200 and "errors" not in body, body
    return body["data"]


def _error(result: tuple[int, dict[str, Any]], field: str) -> dict[str, Any]:
    status, body = result
    assert status == 200 and body["data"][field] is None, body
    return body["errors"][0]


def test_function_gets_arguments_and_identity(served: Served) -> None:
    data = _ok(served.call('{ echo(msg: "hi") }', token=served.token("alice")))
    assert data["echo"] == "hi from alice via echo"


def test_functions_run_in_order_with_the_previous_result(served: Served) -> None:
    assert _ok(served.call("{ twoStep(x: 4) }", token=served.token("alice")))["twoStep"] == 50


def test_model_field_function_gets_the_source_record(served: Served) -> None:
    alice = served.token("alice")
    _ok(served.call('mutation { createPost(input: {id: "p1", title: "hello"}) { id } }', token=alice))
    assert _ok(served.call('{ getPost(id: "p1") { summary } }', api_key=served.api_key))["getPost"] == {
        "summary": "HELLO"}


def test_the_field_rules_still_apply(served: Served) -> None:
    assert _error(served.call('{ echo(msg: "hi") }', api_key=served.api_key), "echo")["errorType"] == "Unauthorized"


def test_handler_failure_and_missing_configuration_are_errors(served: Served) -> None:
    alice = served.token("alice")
    failed = _error(served.call("{ broken }", token=alice), "broken")
    assert failed["errorType"] == "Lambda:Unhandled" and "handler failed" in failed["message"]
    missing = _error(served.call("{ missing }", token=alice), "missing")
    assert missing["errorType"] == "NotConfigured"
    assert '"nowhere"' in missing["message"] and "gqlauth.json" in missing["message"]
    offline = _error(served.call("{ offline }", token=alice), "offline")
    assert offline["errorType"] == "NotConfigured" and "https://unconfigured.example.com" in offline["message"]


def test_http_get_fills_the_path_and_query_and_forwards_headers(served: Served) -> None:
    data = _ok(served.call('{ quote(params: {symbol: "AB C"}, query: {currency: "EUR"}) }', token=served.token("alice"),
                           headers={"X-Test": "from-client"}))
    answer = json.loads(data["quote"]) if isinstance(data["quote"], str) else data["quote"]
    assert answer["method"] == "GET" and answer["header"] == "from-client"
    assert answer["path"] == "/quotes/AB%20C?currency=EUR"


def test_http_post_sends_the_body(served: Served) -> None:
    data = _ok(served.call('mutation { notify(query: {to: "bob"}, body: {to: "bob", text: "hi"}) }',
                           token=served.token("alice")))
    answer = json.loads(data["notify"]) if isinstance(data["notify"], str) else data["notify"]
    assert (answer["method"], answer["path"], answer["body"]) == ("POST", "/notify?to=bob", {"to": "bob", "text": "hi"})


def test_event_invocation_answers_success(served: Served) -> None:
    data = _ok(served.call("mutation { kick(x: 7) { success } }", token=served.token("alice")))
    assert data["kick"] == {"success": True}
    assert json.loads((served.project.schema_path.parent / "kicked.json").read_text()) == {"x": 7}
