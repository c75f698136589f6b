"""The local server's cost: `getPost` through the full stack with guards on vs off, and list latency
with an owner filter as the table grows.

Run: .venv/bin/python bench/serve.py [--seconds 2] [--sizes 1000,10000,100000]

1. Requests per CPU-second for `getPost` (as a user-pool user, token verified on every request)
   through the whole ASGI app in-process (httpx ASGITransport: routing, authentication, GraphQL,
   guards, store, JSON; the client's own cost included), with guards on and with
   `create_app(guards=False)`, in alternating rounds. Prints the ratio on/off. Goal: >= 0.9.
2. `listNotes(limit: N)` as an owner who owns 10% of the rows (the guard's owner filter pushed into
   SQL), at 1k, 10k and 100k rows, for page sizes 10 and 100: milliseconds per page through the
   full stack and the ratio to the smallest table, then the SQL page alone. Goal: grows with the
   page size, not the table size.

Runtime: about a minute (loading 100k rows takes a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from resolvers.authenticate import Authenticator  # noqa: E402
from resolvers.issuer import mint_token  # noqa: E402
from resolvers.local_state import LocalState  # noqa: E402
from resolvers.server.app import create_app  # noqa: E402
from resolvers.server.bindings import store_layouts  # noqa: E402
from resolvers.store import Store  # noqa: E402
from transformer.project import Project, load_project  # noqa: E402
from transformer.rules import Provider  # noqa: E402

BLOG = Path(__file__).resolve().parent.parent / "samples" / "blog"
NOTES = """
type Note @model @auth(rules: [{allow: owner}, {allow: groups, groups: ["Admins"]}]) {
  id: ID!
  title: String
}
"""
GET_POST = "query G($id: ID!) { getPost(id: $id) { id title content owner internalNotes } }"
LIST_NOTES = "query L($limit: Int) { listNotes(limit: $limit) { items { id title owner } nextToken } }"


def open_project(directory: Path) -> tuple[Project, LocalState, Authenticator]:
    project, diagnostics = load_project(directory, auth_modes=[Provider.USER_POOLS, Provider.API_KEY])
    if project is None:
        raise SystemExit(f"cannot load {directory}: {[d.message for d in diagnostics]}")
    state = LocalState.open(directory)
    return project, state, Authenticator(state, state.environment(), ["userPools", "apiKey"])


async def requests_per_second(client: httpx.AsyncClient, body: dict, headers: dict, seconds: float) -> float:
    """Requests per second of this process's CPU time (client and server run in this one thread), so
    other load on the machine does not skew the on/off comparison."""
    done = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        for _ in range(20):
            response = await client.post("/graphql", json=body, headers=headers)
            if response.status_code != 200 or "data" not in response.json():
                raise SystemExit(f"unexpected response: {response.status_code} {response.text[:200]}")
        done += 20
    return done / (time.process_time() - cpu_started)


async def bench_get(workdir: Path, seconds: float, rounds: int) -> None:
    import shutil

    directory = workdir / "blog"
    shutil.copytree(BLOG, directory)
    project, state, authenticator = open_project(directory)
    alice, bob = mint_token(state, user="alice"), mint_token(state, user="bob")
    alice_sub = authenticator.authenticate("POST", "/graphql", "", {"authorization": alice}, b"").sub
    record = {"__typename": "Post", "id": "p1", "title": "t", "content": "c", "owner": f"{alice_sub}::alice",
              "internalNotes": "n", "createdAt": "2024-01-01T00:00:00.000Z", "updatedAt": "2024-01-01T00:00:00.000Z"}
    clients = {}
    for guards in (True, False):
        store = Store(":memory:", store_layouts(project.matrix, project.schema))
        store.reset([record])
        app = create_app(project, store, authenticator, state=state, guards=guards)
        clients[guards] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
    body = {"query": GET_POST, "variables": {"id": "p1"}}
    for reader, token in (("the owner (every field readable)", alice),
                          ("another user (internalNotes denied: null + error)", bob)):
        headers = {"authorization": token}
        for client in clients.values():
            await requests_per_second(client, body, headers, 0.3)
        results: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(rounds):
            for guards in (False, True):
                results[guards].append(await requests_per_second(clients[guards], body, headers, seconds / rounds))
        on, off = statistics.median(results[True]), statistics.median(results[False])
        print(f"getPost by {reader}, full stack in-process: guards off {off:,.0f} req/CPU-s, "
              f"guards on {on:,.0f} req/CPU-s, ratio on/off {on / off:.2f} (goal >= 0.9)")
    for client in clients.values():
        await client.aclose()


async def bench_list(workdir: Path, sizes: list[int]) -> None:
    directory = workdir / "notes"
    directory.mkdir()
    (directory / "schema.graphql").write_text(NOTES)
    project, state, authenticator = open_project(directory)
    token = mint_token(state, user="alice")
    claims = authenticator.authenticate("POST", "/graphql", "", {"authorization": token}, b"")
    owner = f"{claims.sub}::alice"
    baseline: dict[int, float] = {}
    print("listNotes as an owner of 10% of the rows (owner filter pushed into SQL):")
    for size in sizes:
        store = Store(workdir / f"notes-{size}.sqlite3", store_layouts(project.matrix, project.schema))
        store.reset({"__typename": "Note", "id": f"n{i:07d}", "title": f"note {i}",
                     "owner": owner if i % 10 == 0 else f"sub-{i % 10}::user{i % 10}"} for i in range(size))
        app = create_app(project, store, authenticator, state=state)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as client:
            line = []
            for limit in (10, 100):
                body = {"query": LIST_NOTES, "variables": {"limit": limit}}
                await client.post("/graphql", json=body, headers={"authorization": token})
                timings = []
                for _ in range(31):
                    started = time.perf_counter()
                    response = await client.post("/graphql", json=body, headers={"authorization": token})
                    timings.append(time.perf_counter() - started)
                items = response.json()["data"]["listNotes"]["items"]
                if len(items) != min(limit, size // 10) or any(not i["owner"] == "alice" for i in items):
                    raise SystemExit("unexpected page")
                ms = statistics.median(timings) * 1000
                baseline.setdefault(limit, ms)
                line.append(f"limit {limit}: {ms:6.2f} ms (x{ms / baseline[limit]:.2f} vs {sizes[0]:,} rows)")
            print(f"  {size:>7,} rows  " + "   ".join(line))
            print(f"  {'':>7}       the SQL page alone: {sql_page_ms(app, token, authenticator, 100):.3f} ms (limit 100)")
        store.close()


def sql_page_ms(app: object, token: str, authenticator: Authenticator, limit: int) -> float:
    """The store's share: one page with the guard's owner filter, without HTTP or GraphQL."""
    from resolvers.filters import auth_filter_branches
    from resolvers.guards import decide_list

    core = app.state.core  # type: ignore[attr-defined]
    identity = authenticator.authenticate("POST", "/graphql", "", {"authorization": token}, b"")
    decision = decide_list(core.matrix, "Query.listNotes", identity, core.env)
    branches = auth_filter_branches(core.store.compiler("Note"), decision.filter)
    timings = []
    for _ in range(51):
        started = time.perf_counter()
        core.store.query("Note", any_of=branches, limit=limit)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="measuring time per guard setting")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench_get(Path(tmp), args.seconds, args.rounds))
        asyncio.run(bench_list(Path(tmp), sizes))


if __name__ == "__main__":
    main()
