"""Benchmark: `transform` on generated schemas of 10, 100 and 400 models.

Every model has static group, owner, dynamic group, private and public rules, field-level rules, an
index and a relation, like a real multi-tenant schema. For each size the script prints the time of a
full transform (load, check, matrix, every registered emitter, written to a temporary folder), the
time of the output schema alone, and the peak Python memory of a full transform (tracemalloc, a
separate run). Growth is shown as the per-model time relative to the 10-model run measured in the
same process (1.0 = linear).

For scale: Amplify's own transformer took 0.75 s, 3.0 s and 68 s (387 MB) for such schemas.
Goal: 400 models in under 2 s, growing linearly.

Run: .venv/bin/python bench/transform.py [--sizes 10,100,400] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from transformer.emit import emit_matrix_file, emit_schema_file, transform  # noqa: E402
from transformer.emit_schema import emit_output_schema
from transformer.gc_pause import paused_gc  # noqa: E402
from transformer.project import Project, load_project  # noqa: E402
from transformer.rules import Provider  # noqa: E402

GROUPS = ["Admins", "Editors", "Viewers", "Auditors"]
MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM]


def model_sdl(index: int, count: int) -> str:
    group = GROUPS[1 + index % (len(GROUPS) - 1)]
    child = f"Item{index + 1}" if index + 1 < count else None
    relation = f"  children: [{child}] @hasMany\n" if child else ""
    return f"""type Item{index} @model @auth(rules: [
  {{allow: groups, groups: ["Admins"]}},
  {{allow: groups, groups: ["{group}"], operations: [create, update, read]}},
  {{allow: groups, groupsField: "editors", operations: [read, update]}},
  {{allow: owner}},
  {{allow: private, operations: [read]}},
  {{allow: public, operations: [read]}}
]) {{
  id: ID!
  title: String!
  body: String
  rank: Int @index(name: "byRank{index}", queryField: "item{index}ByRank")
  editors: [String]
  owner: String @auth(rules: [{{allow: owner, operations: [read, delete]}}, {{allow: groups, groups: ["Admins"]}}])
  secret: String @auth(rules: [{{allow: groups, groups: ["Admins"]}}, {{allow: owner, operations: [read]}}])
  audit: String @auth(rules: [{{allow: groups, groups: ["Auditors"], operations: [read]}}, {{allow: owner, operations: [create, read]}}])
{relation}}}
"""


def write_project(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    schema = folder / "schema.graphql"
    schema.write_text("\n".join(model_sdl(i, count) for i in range(count)), encoding="utf-8")
    groups = [{"groupName": g, "precedence": i + 1} for i, g in enumerate(GROUPS)]
    (folder / "user-pool-group-precedence.json").write_text(json.dumps(groups, indent=2) + "\n", encoding="utf-8")
    return schema


def load(schema: Path) -> Project:
    """As `gqlauth transform` loads: with the cyclic garbage collector paused."""
    with paused_gc():
        project, diagnostics = load_project(schema, auth_modes=MODES)
    if project is None:
        raise SystemExit("\n".join(d.render() for d in diagnostics))
    return project


_RUNS = iter(range(1_000_000))


def full_transform(schema: Path, out: Path) -> int:
    """Every registered emitter, into a fresh folder (replacing a previous build is not timed)."""
    return len(transform(load(schema), out.with_name(f"{out.name}-{next(_RUNS)}")))


def core_transform(schema: Path, out: Path) -> int:
    """Load, check, matrix and lints, then only the output schema and access matrix files."""
    return len(transform(load(schema), out, emitters=[emit_schema_file, emit_matrix_file]))


def timed(function, repeat: int) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,400")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the median is printed")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for count in sizes:
            schema = write_project(root / f"p{count}", count)
            out = root / f"build{count}"
            files = full_transform(schema, out)
            total = timed(lambda schema=schema, out=out: full_transform(schema, out), args.repeat)
            core_out = root / f"core{count}"
            core = timed(lambda schema=schema, out=core_out: core_transform(schema, out), args.repeat)
            loading = timed(lambda schema=schema: load(schema), args.repeat)
            project = load(schema)
            schema_only = timed(lambda project=project: emit_output_schema(project.schema, project.matrix), args.repeat)
            tracemalloc.start()
            full_transform(schema, out)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rows.append((count, total, core, loading, schema_only, peak, files))
    base = rows[0]
    print(
        f"{'models':>6}  {'transform s':>11}  {'core s':>7}  {'load s':>7}  {'schema s':>8}  {'peak MB':>7}  "
        f"{'files':>6}  {'x transform':>11}  {'x core':>6}  {'x schema':>8}"
    )
    for count, total, core, loading, schema_only, peak, files in rows:
        ratios = [(value / count) / (base_value / base[0]) for value, base_value in ((total, base[1]), (core, base[2]), (schema_only, base[4]))]
        print(
            f"{count:>6}  {total:>11.3f}  {core:>7.3f}  {loading:>7.3f}  {schema_only:>8.3f}  {peak / 1e6:>7.1f}  "
            f"{files:>6}  {ratios[0]:>11.2f}  {ratios[1]:>6.2f}  {ratios[2]:>8.2f}"
        )
    print("transform = every registered emitter, files written; core = load + schema.graphql + access-matrix.json;")
    print("load = parse + checks + access matrix + lints; schema = the output schema emitter alone;")
    print(f"x = time per model relative to the {base[0]}-model run (1.0 = linear growth)")
    largest = rows[-1]
    for label, value in (("transform", largest[1]), ("core", largest[2])):
        verdict = "met" if value < 2.0 else "not met"
        print(f"goal (< 2 s) for {largest[0]} models, {label}: {verdict} ({value:.3f} s)")


if __name__ == "__main__":
    main()
