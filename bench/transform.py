"""Benchmark: `gqlauth transform` against Amplify's own transformer on generated schemas of 10, 100 and 400 models.

Every model has static group, owner, dynamic group, private and public rules, field-level rules, an
index and a relation, like a real multi-tenant schema. For each size both transformers run as a user
runs them, each in its own process: `gqlauth transform SCHEMA -o OUT` and Amplify's transformer v2
(`node ORACLE/transform.js SCHEMA OUT`, the oracle of `../shared/oracle/USE.md`). The script prints
wall time and peak resident memory (the process's maxrss) of each, Amplify's time as a multiple of
ours, and the growth per model relative to the smallest size (1.0 = linear). Then it breaks our
transform into its stages, in-process.

Amplify's run is skipped, with a message, when the oracle or Node is missing.
Goal: 400 models in under 2 s and under 150 MB, growing linearly.

Our command runs as an installed CLI runs: Python's compiled bytecode is cached (in a temporary
folder, even when PYTHONDONTWRITEBYTECODE is set) and one unmeasured run fills it first.
`--baseline REV` also runs gqlauth as committed at REV (e.g. a commit before a speed change), in the
same way and on the same schemas, and prints the CPU ratio baseline/now.

Run: .venv/bin/python bench/transform.py [--sizes 10,100,400] [--repeat 1] [--oracle DIR] [--no-amplify]
     [--baseline REV]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from transformer.emit import emit_matrix_file  # noqa: E402
from transformer.emit_schema import emit_output_schema  # noqa: E402
from transformer.emit_stack import build_deployment  # noqa: E402
from transformer.emit_vtl import project_pipelines  # noqa: E402
from transformer.gc_pause import paused_gc  # noqa: E402
from transformer.project import Project, load_project  # noqa: E402
from transformer.rules import Provider  # noqa: E402

GROUPS = ["Admins", "Editors", "Viewers", "Auditors"]
MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM]
MODES_ARG = "userPools,apiKey,iam"


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


def run_process(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak resident MB of one process (its own rusage, from wait4)."""
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"{' '.join(argv[:3])}... failed ({process.returncode}): {stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def median_run(argv_for: Callable[[int], list[str]], repeat: int,
               env: dict[str, str] | None = None) -> tuple[float, float, float]:
    runs = [run_process(argv_for(n), env) for n in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), max(r[2] for r in runs)


class Gqlauth:
    """How to run one checkout's `gqlauth transform` as an installed CLI runs (compiled bytecode cached)."""

    def __init__(self, source: Path, cache: Path) -> None:
        self.env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        self.env["PYTHONPATH"] = str(source)
        self.env["PYTHONPYCACHEPREFIX"] = str(cache)
        found = subprocess.run([sys.executable, "-P", "-c", "import transformer; print(transformer.__file__)"],
                               env=self.env, capture_output=True, text=True, check=True).stdout.strip()
        if not Path(found).is_relative_to(source):
            raise SystemExit(f"gqlauth from {source} is shadowed by {found}")

    def argv(self, schema: Path, out: Path) -> list[str]:
        return [sys.executable, "-P", "-c", "from resolvers.cli import main; main()", "transform", str(schema),
                "--auth-modes", MODES_ARG, "-o", str(out)]

    def measure(self, schema: Path, out: Path, repeat: int) -> tuple[float, float, float]:
        run_process(self.argv(schema, out.with_name(out.name + "-warm")), self.env)
        return median_run(lambda n: self.argv(schema, out.with_name(f"{out.name}-{n}")), repeat, self.env)


def checkout(revision: str, folder: Path) -> Path:
    """The project's files as committed at `revision`, unpacked into `folder`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", revision],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"--baseline {revision}: {archive.stderr.decode().strip()}")
    folder.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def find_oracle(configured: str | None) -> tuple[Path | None, str]:
    """The installed oracle folder, or None and why not."""
    if shutil.which("node") is None:
        return None, "node is not on PATH"
    candidates = [Path(configured)] if configured else [Path("/tmp/oracle")]
    for folder in candidates:
        if (folder / "transform.js").is_file() and (folder / "node_modules").is_dir():
            return folder, ""
    if configured is None:
        sys.path.insert(0, str(ROOT / "tests"))
        from oracle_support import install_oracle, oracle_missing_reason

        reason = oracle_missing_reason()
        if reason is None:
            return install_oracle(), ""
        return None, reason
    return None, f"no installed oracle at {configured} (transform.js and node_modules)"


def load(schema: Path) -> Project:
    with paused_gc():
        project, diagnostics = load_project(schema, auth_modes=MODES)
    if project is None:
        raise SystemExit("\n".join(d.render() for d in diagnostics))
    return project


def stages(schema: Path) -> list[tuple[str, float]]:
    """Our transform's stages, in-process (the cyclic GC paused as the CLI does)."""
    timings = []
    start = time.perf_counter()
    project = load(schema)
    timings.append(("load (parse, check, matrix)", time.perf_counter() - start))
    with paused_gc(), tempfile.TemporaryDirectory() as tmp:
        for label, step in (
            ("output schema", lambda: emit_output_schema(project.schema, project.matrix)),
            ("access-matrix.json", lambda: emit_matrix_file(project, Path(tmp))),
            ("pipelines (templates)", lambda: project_pipelines(project)),
            ("stacks (packing, templates)", lambda: build_deployment(project)),
        ):
            start = time.perf_counter()
            step()
            timings.append((label, time.perf_counter() - start))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,100,400")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the median time is printed")
    parser.add_argument("--oracle", help="an installed oracle folder (default /tmp/oracle, else tests' cache)")
    parser.add_argument("--no-amplify", action="store_true", help="skip Amplify's transformer")
    parser.add_argument("--baseline", metavar="REV", help="also run gqlauth as committed at REV (git) and compare")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    oracle, why = (None, "--no-amplify") if args.no_amplify else find_oracle(args.oracle)
    if oracle is None:
        print(f"Amplify's transformer skipped: {why}", file=sys.stderr)
    rows = []
    baselines: list[tuple[int, float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        gqlauth = Gqlauth(ROOT, root / "pycache-now")
        baseline = None
        if args.baseline:
            baseline = Gqlauth(checkout(args.baseline, root / "baseline"), root / "pycache-baseline")
        for count in sizes:
            schema = write_project(root / f"p{count}", count)
            ours = gqlauth.measure(schema, root / f"ours{count}", args.repeat)
            if baseline is not None:
                before = baseline.measure(schema, root / f"base{count}", args.repeat)
                baselines.append((count, before[1], before[2]))
            files = sum(1 for p in (root / f"ours{count}-0").rglob("*") if p.is_file())
            theirs = None
            if oracle is not None:
                theirs = median_run(lambda n, s=schema, c=count: ["node", str(oracle / "transform.js"), str(s),
                                                                  str(root / f"amplify{c}-{n}"), "--auth-modes",
                                                                  MODES_ARG], args.repeat)
            rows.append((count, ours, theirs, files))
    base = rows[0]
    print(f"{'':>6}  {'gqlauth':^32}  {'Amplify':^32}")
    print(f"{'models':>6}  {'wall s':>7}  {'cpu s':>7}  {'MB':>5}  {'x/model':>7}  {'wall s':>7}  {'cpu s':>7}  {'MB':>5}  "
          f"{'x/model':>7}  {'Amplify/gqlauth cpu':>19}  {'files':>6}")
    for count, ours, theirs, files in rows:
        growth = (ours[1] / count) / (base[1][1] / base[0])
        line = f"{count:>6}  {ours[0]:>7.3f}  {ours[1]:>7.3f}  {ours[2]:>5.0f}  {growth:>7.2f}"
        if theirs is not None and base[2] is not None:
            their_growth = (theirs[1] / count) / (base[2][1] / base[0])
            line += f"  {theirs[0]:>7.3f}  {theirs[1]:>7.3f}  {theirs[2]:>5.0f}  {their_growth:>7.2f}  {theirs[1] / ours[1]:>18.1f}x"
        else:
            line += f"  {'':>7}  {'':>7}  {'':>5}  {'':>7}  {'':>19}"
        print(line + f"  {files:>6}")
    print("wall/cpu s = wall time / CPU time (user + system) of the whole command (interpreter start, load, every")
    print("output written; CPU time does not count waiting for a busy machine); MB = peak resident memory;")
    print(f"x/model = CPU time per model relative to the {base[0]}-model run (1.0 = linear growth)")
    largest = rows[-1]
    seconds, megabytes = largest[1][1], largest[1][2]
    verdict = "met" if seconds < 2.0 and megabytes < 150 else "not met"
    print(f"goal (< 2 s, < 150 MB) for {largest[0]} models: {verdict} ({seconds:.3f} s CPU, {megabytes:.0f} MB)")
    if baselines:
        print(f"\nbaseline: gqlauth at {args.baseline}, same schemas, same run")
        print(f"{'models':>6}  {'base cpu s':>10}  {'now cpu s':>9}  {'base/now':>8}  {'base MB':>7}  {'now MB':>6}")
        for (count, ours, _, _), (_, cpu, megabytes_before) in zip(rows, baselines, strict=True):
            print(f"{count:>6}  {cpu:>10.3f}  {ours[1]:>9.3f}  {cpu / ours[1]:>7.2f}x  {megabytes_before:>7.0f}  {ours[2]:>6.0f}")
    with tempfile.TemporaryDirectory() as tmp:
        schema = write_project(Path(tmp), largest[0])
        print(f"\nstages of our transform at {largest[0]} models, in-process:")
        for label, seconds in stages(schema):
            print(f"  {label:<30} {seconds:>7.3f} s")


if __name__ == "__main__":
    main()
