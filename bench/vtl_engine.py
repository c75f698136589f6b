"""Template execution cost per operation of the blog sample: parsing vs rendering with parsed templates cached.

For each operation of the blog conformance suite (first case of each), prints
  parse   time to parse every template of the operation's pipeline (no cache),
  render  time to run the whole pipeline with cached templates (init, auth, postAuth, data, DynamoDB),
  guards  time the Python guard takes for the same decision (the `--engine python` baseline),
and the ratios parse/render and render/guards. Then the requests per second of the in-process HTTP
app (`create_app`) with `engine="vtl"` against `engine="python"` on the same mixed load (getPost,
listPosts, createPost as a user-pool user; getPost as API key).
Run: `.venv/bin/python bench/vtl_engine.py [iterations] [requests]`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from resolvers.suite import SuiteCase, SuiteContext, prepare, run_python
from resolvers.vtl import Template
from resolvers.vtl_engine.executor import CallerRequest
from resolvers.vtl_engine.suite_engine import engine_for

SUITE = Path(__file__).resolve().parents[1] / "tests" / "conformance" / "blog" / "suite.json"


def _per_call(action: Callable[[], object], iterations: int, before: Callable[[], object] | None = None) -> float:
    total = 0.0
    for _ in range(iterations):
        if before is not None:
            before()
        start = time.perf_counter()
        action()
        total += time.perf_counter() - start
    return total / iterations


def _bench_case(context: SuiteContext, case: SuiteCase, iterations: int) -> tuple[float, float, float]:
    engine = engine_for(context)
    type_name, _, field_name = case.operation.partition(".")
    pipeline = engine.pipeline(type_name, field_name)
    assert pipeline is not None
    texts = [(f"{pipeline.file_stem(f)}.{part}", text) for f in pipeline.functions
             for part, text in (("req", f.request), ("res", f.response))]
    parse = _per_call(lambda: [Template.parse(text, name) for name, text in texts], max(5, iterations // 10))
    spec = context.suite.identities[case.identity]
    caller = CallerRequest(auth_type=spec.authType, identity=spec.identity, headers=spec.headers or {})
    source = dict(context.suite.items[case.source]) if case.source else None
    items = [context.suite.items[key] for key in case.items]
    render = _per_call(lambda: engine.run(type_name, field_name, caller, case.args, source), iterations,
                       before=lambda: engine.reset(items))
    guards = _per_call(lambda: run_python(context, case), iterations)
    return parse, render, guards


LOAD = [
    ("user", "query { getPost(id: \"p1\") { id title owner internalNotes } }"),
    ("user", "query { listPosts(limit: 20) { items { id title owner } } }"),
    ("user", "mutation { createPost(input: {title: \"bench\"}) { id title owner } }"),
    ("apiKey", "query { getPost(id: \"p2\") { id title content } }"),
]


def _requests_per_second(engine: str, requests: int) -> float:
    import json
    import tempfile

    from starlette.testclient import TestClient

    from resolvers.authenticate import Authenticator
    from resolvers.issuer import sign_claims
    from resolvers.local_state import LocalState
    from resolvers.server.app import create_app
    from resolvers.server.bindings import store_layouts
    from resolvers.store import Store
    from resolvers.token_verify import TokenVerifier
    from transformer.project import load_project

    context = prepare(SUITE)
    suite = context.suite
    project, _ = load_project(SUITE.parent / suite.schema_file, auth_modes=list(context.matrix.auth_modes),
                              environment=context.env)
    assert project is not None
    with tempfile.TemporaryDirectory() as tmp:
        state = LocalState.open(Path(tmp))
        issuer = "https://cognito-idp.us-east-1.amazonaws.com/" + (suite.settings.userPoolId or "")
        verifier = TokenVerifier.local(state, issuer=issuer, client_id="oracleclientid")
        authenticator = Authenticator(state, context.env, suite.authModes, user_pool_verifier=verifier,
                                      api_keys=suite.settings.apiKeys)
        store = Store(":memory:", store_layouts(project.matrix, project.schema))
        store.reset(suite.items.values())
        app = create_app(project, store, authenticator, state=state, env=context.env, engine=engine)
        client = TestClient(app, base_url="http://127.0.0.1:20002")
        headers = {
            "user": {"authorization": sign_claims(state, suite.identities["alice"].identity["claims"])},
            "apiKey": dict(suite.identities["apikey"].headers or {}),
        }
        bodies = [(headers[who], json.dumps({"query": query}).encode()) for who, query in LOAD]
        for extra, body in bodies:
            client.post("/graphql", content=body, headers={"content-type": "application/json", **extra})
        start = time.perf_counter()
        for n in range(requests):
            extra, body = bodies[n % len(bodies)]
            response = client.post("/graphql", content=body, headers={"content-type": "application/json", **extra})
            assert response.status_code == 200 and "errors" not in response.json(), response.text
        elapsed = time.perf_counter() - start
        store.close()
    return requests / elapsed


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    requests = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    context = prepare(SUITE)
    seen: set[str] = set()
    print(f"blog suite, {iterations} runs per operation (times per call)")
    print(f"{'operation':28} {'parse ms':>9} {'render ms':>10} {'guards ms':>10} {'parse/render':>13} {'render/guards':>14}")
    totals = [0.0, 0.0, 0.0]
    for case in context.suite.cases:
        if case.operation in seen:
            continue
        seen.add(case.operation)
        parse, render, guards = _bench_case(context, case, iterations)
        totals = [totals[0] + parse, totals[1] + render, totals[2] + guards]
        print(f"{case.operation:28} {parse * 1e3:9.3f} {render * 1e3:10.3f} {guards * 1e3:10.3f} "
              f"{parse / render:12.1f}x {render / guards:13.1f}x")
    parse, render, guards = totals
    print(f"{'all operations':28} {parse * 1e3:9.3f} {render * 1e3:10.3f} {guards * 1e3:10.3f} "
          f"{parse / render:12.1f}x {render / guards:13.1f}x")
    python_rps = _requests_per_second("python", requests)
    vtl_rps = _requests_per_second("vtl", requests)
    print(f"\nserve in process, {requests} mixed requests: --engine python {python_rps:8.1f} req/s, "
          f"--engine vtl {vtl_rps:8.1f} req/s ({vtl_rps / python_rps:.2f}x of python)")


if __name__ == "__main__":
    main()
