"""`gqlauth serve` as a real process on a free loopback port: real HTTP requests, a bounded load test
(20 concurrent clients: every write stored exactly once, no failures), and a server killed with
SIGKILL mid-run that keeps every acknowledged write after a restart.

The load test sends the full 20 x 200 mutations (about 8 s on two busy cores);
`GQLAUTH_LOAD_TEST=quick` sends 20 x 25 for quick iterations.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sample_copies import copy_sample
from serve_support import BLOG, ServerProcess, free_port, template_state

from resolvers.issuer import mint_token
from resolvers.local_state import LocalState

CLIENTS = 20
MUTATIONS_PER_CLIENT = 25 if os.environ.get("GQLAUTH_LOAD_TEST") == "quick" else 200
ACKNOWLEDGED_BEFORE_KILL = 200
CREATE = "mutation C($input: CreatePostInput!) { createPost(input: $input) { id } }"
LIST = "query L($n: String) { listPosts(limit: 1000, nextToken: $n) { items { id } nextToken } }"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "blog"
    copy_sample(BLOG, target)
    shutil.copytree(template_state(), target / ".gqlauth")
    return target


@pytest.fixture()
def server(project: Path) -> Iterator[ServerProcess]:
    process = ServerProcess(project, free_port())
    process.start()
    yield process
    process.stop()


def _token(project: Path, user: str, groups: list[str] | None = None) -> str:
    return mint_token(LocalState.open(project), user=user, groups=groups or [])


def test_seed_and_api_key(project: Path, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text('[{"__typename": "Post", "id": "s1", "title": "seeded", "owner": "sub::alice"}]')
    process = ServerProcess(project, free_port(), ("--seed", str(seed), "--db", ":memory:"))
    process.start()
    try:
        key = LocalState.open(project).dev_api_key().key
        body = httpx.post(process.url, json={"query": "{ getPost(id: \"s1\") { title owner } }"},
                          headers={"x-api-key": key}).json()
        assert body == {"data": {"getPost": {"title": "seeded", "owner": "alice"}}}
    finally:
        process.stop()
    assert not (project / ".gqlauth" / "data.sqlite3").exists()
    banner = process.output()
    assert f"http://127.0.0.1:{process.port}/graphql" in banner and key in banner and "gqlauth token" in banner


def test_real_http_requests(server: ServerProcess, project: Path) -> None:
    alice = _token(project, "alice")
    created = httpx.post(server.url, json={"query": CREATE, "variables": {"input": {"id": "p1", "title": "t"}}},
                         headers={"authorization": alice}).json()
    assert created == {"data": {"createPost": {"id": "p1"}}}
    denied = httpx.post(server.url, json={"query": "mutation { deletePost(input: {id: \"p1\"}) { id } }"},
                        headers={"authorization": _token(project, "bob")})
    assert denied.status_code == 200 and denied.json()["errors"][0]["errorType"] == "Unauthorized"
    unauthenticated = httpx.post(server.url, json={"query": LIST})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["x-amzn-errortype"] == "UnauthorizedException"
    assert httpx.get(f"http://127.0.0.1:{server.port}/.well-known/jwks.json").json()["keys"]


async def _client(url: str, token: str, client_id: int, acknowledged: list[str], failures: list[str],
                  stop_on_error: bool) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        for n in range(MUTATIONS_PER_CLIENT):
            post_id = f"c{client_id:02d}-{n:03d}"
            try:
                response = await http.post(url, json={"query": CREATE, "variables": {"input": {"id": post_id, "title": "x"}}},
                                           headers={"authorization": token})
                body = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                failures.append(f"{post_id}: {type(exc).__name__}")
                if stop_on_error:
                    return
                continue
            if response.status_code == 200 and body.get("data", {}).get("createPost", {}) == {"id": post_id}:
                acknowledged.append(post_id)
            else:
                failures.append(f"{post_id}: {response.status_code} {body}")


def _run_clients(url: str, token: str, *, stop_on_error: bool) -> tuple[list[str], list[str]]:
    acknowledged: list[str] = []
    failures: list[str] = []

    async def main() -> None:
        await asyncio.gather(*(_client(url, token, i, acknowledged, failures, stop_on_error) for i in range(CLIENTS)))

    asyncio.run(main())
    return acknowledged, failures


def _stored_ids(url: str, token: str) -> list[str]:
    ids: list[str] = []
    next_token = None
    while True:
        body = httpx.post(url, json={"query": LIST, "variables": {"n": next_token}}, headers={"authorization": token},
                          timeout=30).json()
        page = body["data"]["listPosts"]
        ids.extend(item["id"] for item in page["items"])
        next_token = page["nextToken"]
        if next_token is None:
            return ids


def test_load_every_write_stored_exactly_once(server: ServerProcess, project: Path) -> None:
    admin = _token(project, "ann", ["Admins"])
    started = time.monotonic()
    acknowledged, failures = _run_clients(server.url, admin, stop_on_error=False)
    elapsed = time.monotonic() - started
    assert failures == []
    assert len(acknowledged) == CLIENTS * MUTATIONS_PER_CLIENT
    stored = _stored_ids(server.url, admin)
    assert sorted(stored) == sorted(acknowledged)
    assert len(set(stored)) == len(stored)
    print(f"{len(acknowledged)} mutations from {CLIENTS} clients in {elapsed:.1f}s "
          f"({len(acknowledged) / elapsed:.0f}/s)")


def test_sigkill_mid_run_keeps_every_acknowledged_write(server: ServerProcess, project: Path) -> None:
    admin = _token(project, "ann", ["Admins"])
    acknowledged: list[str] = []
    failures: list[str] = []

    async def main() -> None:
        clients = [asyncio.create_task(_client(server.url, admin, i, acknowledged, failures, True))
                   for i in range(CLIENTS)]
        while len(acknowledged) < ACKNOWLEDGED_BEFORE_KILL:
            await asyncio.sleep(0.01)
        server.kill()
        await asyncio.gather(*clients)

    asyncio.run(main())
    assert failures, "the kill should have interrupted the clients"
    server.start()
    stored = set(_stored_ids(server.url, admin))
    missing = [post_id for post_id in acknowledged if post_id not in stored]
    assert missing == []
    assert len(acknowledged) >= ACKNOWLEDGED_BEFORE_KILL
