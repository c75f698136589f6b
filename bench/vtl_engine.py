"""Template execution cost per operation of the blog sample: parsing vs rendering with parsed templates cached.

For each operation of the blog conformance suite (first case of each), prints
  parse   time to parse every template of the operation's pipeline (no cache),
  render  time to run the whole pipeline with cached templates (init, auth, postAuth, data, DynamoDB),
  guards  time the Python guard takes for the same decision (the `--engine python` baseline),
and the ratios parse/render and render/guards. Run: `.venv/bin/python bench/vtl_engine.py [iterations]`.
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


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200
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


if __name__ == "__main__":
    main()
