"""Parse and check a generated 400-model schema; print the time and peak memory.

Baseline in the same run: graphql-core's bare `parse` of the same text, so the ratio shows what the
rule model and validation add on top of reading the SDL. Goal: the whole check under 1 s.

Run: .venv/bin/python bench/check.py [MODELS]
"""

from __future__ import annotations

import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from graphql import parse

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate_group_file, generate_schema  # noqa: E402

from transformer.project import load_project  # noqa: E402


def main() -> None:
    models = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    with tempfile.TemporaryDirectory() as folder:
        schema = Path(folder) / "schema.graphql"
        schema.write_text(generate_schema(models))
        (Path(folder) / "user-pool-group-precedence.json").write_text(generate_group_file())
        text = schema.read_text()

        started = time.perf_counter()
        parse(text)
        baseline = time.perf_counter() - started

        load_project(schema)
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            project, diagnostics = load_project(schema)
            timings.append(time.perf_counter() - started)
        elapsed = min(timings)
        tracemalloc.start()
        load_project(schema)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert project is not None, [d.render() for d in diagnostics]
    print(f"models: {models}  schema: {len(text) / 1024:.0f} KiB")
    print(f"graphql-core parse only (baseline): {baseline * 1000:8.1f} ms")
    print(f"gqlauth check (parse, rules, groups, matrix, lints): {elapsed * 1000:8.1f} ms  ratio {elapsed / baseline:.1f}x")
    print(f"peak traced memory (separate run): {peak / 2**20:.1f} MiB   goal: < 1000 ms -> {'met' if elapsed < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
