"""Apollo Client (GraphQLWsLink over graphql-ws) subscribed through `/graphql` keeps its subscription across
events whose selection includes a field the subscriber may not read: the field is null and no event carries
`errors` (an event with errors makes Apollo end the subscription)."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from amplify_js_support import node_missing_reason
from npm_cache import npm_ci_cached
from serve_support import CREATE_POST, Served, serve_blog

from resolvers.dual_listener import bind_socket

pytestmark = [pytest.mark.skipif(node_missing_reason() is not None, reason=node_missing_reason() or ""),
              pytest.mark.timeout(240)]

CLIENT_SOURCE = Path(__file__).resolve().parent / "apollo_client"
ON_CREATE = "subscription { onCreatePost { id title owner internalNotes } }"


@pytest.fixture(scope="module")
def apollo() -> Path:
    target = npm_ci_cached(CLIENT_SOURCE, "apollo-client")
    shutil.copy2(CLIENT_SOURCE / "subscribe.mjs", target / "subscribe.mjs")
    return target


@pytest.fixture(scope="module")
def listening(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str]]:
    served = serve_blog(tmp_path_factory.mktemp("apollo"))
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(served.app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield served, f"127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


def test_apollo_receives_every_event_with_the_protected_field_null(apollo: Path,
                                                                   listening: tuple[Served, str]) -> None:
    served, host = listening
    reader = served.token("reader")
    process = subprocess.Popen(
        ["node", "subscribe.mjs", "--url", f"ws://{host}/graphql", "--authorization", reader, "--count", "2",
         "--timeout", "60", "--query", ON_CREATE],
        cwd=apollo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    admin = served.token("adm", ["Admins"])
    created: list[str] = []
    try:
        assert process.stdout is not None
        assert json.loads(process.stdout.readline()) == {"connected": True}
        while process.poll() is None and len(created) < 100:  # the subscribe frame follows the ack: publish until seen
            post_id = str(uuid.uuid4())
            created.append(post_id)
            response = httpx.post(f"http://{host}/graphql", headers={"authorization": admin}, timeout=10, json={
                "query": CREATE_POST, "variables": {"input": {"id": post_id, "title": "t", "internalNotes": "classified"}}})
            assert "errors" not in response.json()
            time.sleep(0.2)
        output, errors = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, (output, errors)
    events = [json.loads(line)["next"] for line in output.splitlines() if line.startswith('{"next"')]
    assert len(events) == 2
    for event in events:
        assert event["errors"] is None
        post = event["data"]["onCreatePost"]
        assert post["id"] in created and post["owner"] == "adm" and post["internalNotes"] is None
    assert "classified" not in output
