"""One abusive caller must not delay the others: p50 of a normal `getPost` while another client keeps
sending 1,000 aliases of `listPosts(limit: 1000)`, against the same without it.

Run: .venv/bin/python bench/serve_abuse.py [--requests 200] [--posts 1000] [--transport http|websocket]

A real `gqlauth serve` process (a copy of samples/blog, in-memory store seeded with `--posts` posts of
~250 bytes) on a free port. Phase 1 (baseline): `--requests` sequential `getPost` calls with an API
key, latency of each. Phase 2: the same while a second thread sends the abusive query back to back
(each one is refused with AppSync's LimitExceededException once it is over the 5 MB response limit).
With `--transport websocket` the abusive query goes over graphql-transport-ws instead (one
connection, one `subscribe` after the other), where it meets the same bounds on the same workers.
Prints p50/p95 of both phases, their ratio, and how long one abusive request takes to be refused.
Goal: ratio of p50s below 3 (before the bounds, one such request held every caller for 12 s).

Runtime: about half a minute.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
BLOG = REPO / "samples" / "blog"
GET_POST = '{ getPost(id: "p00001") { id title content owner } }'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def gqlauth() -> list[str]:
    script = Path(sys.executable).parent / "gqlauth"
    return [str(script)] if script.exists() else [sys.executable, "-c", "from resolvers.cli import main; main()"]


def start_server(directory: Path, port: int, posts: int) -> subprocess.Popen[bytes]:
    seed = directory / "seed.json"
    seed.write_text(json.dumps([{"__typename": "Post", "id": f"p{i:05d}", "title": f"post {i}", "owner": "alice",
                                 "content": "lorem ipsum " * 18} for i in range(posts)]))
    log = (directory / "serve.log").open("wb")
    process = subprocess.Popen([*gqlauth(), "serve", str(directory), "--port", str(port), "--db", ":memory:",
                                "--seed", str(seed), "--auth-modes", "userPools,apiKey", "--no-explorer"],
                               stdout=log, stderr=log, cwd=directory)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit((directory / "serve.log").read_text())
        try:
            httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def latencies(client: httpx.Client, url: str, headers: dict[str, str], count: int) -> list[float]:
    out = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.post(url, json={"query": GET_POST}, headers=headers)
        out.append(time.perf_counter() - started)
        if response.status_code != 200 or response.json().get("errors"):
            raise SystemExit(f"getPost failed: {response.text[:300]}")
    return out


class HttpAbuser:
    def __init__(self, url: str, headers: dict[str, str], payload: dict[str, str]) -> None:
        self.client = httpx.Client(timeout=120)
        self.url, self.headers, self.payload = url, headers, payload

    def send(self) -> set[str]:
        response = self.client.post(self.url, json=self.payload, headers=self.headers)
        return {e.get("errorType") for e in response.json().get("errors") or []}

    def close(self) -> None:
        self.client.close()


class WebSocketAbuser:
    """The abusive query sent over graphql-transport-ws, one operation after the other on one connection."""

    def __init__(self, url: str, headers: dict[str, str], payload: dict[str, str]) -> None:
        from websockets.sync.client import connect

        self.connection = contextlib.ExitStack()
        self.socket = self.connection.enter_context(connect(
            url.replace("http://", "ws://"), subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
            max_size=None, open_timeout=30, ping_interval=None))
        self.socket.send(json.dumps({"type": "connection_init", "payload": headers}))
        if json.loads(self.socket.recv(timeout=30))["type"] != "connection_ack":
            raise SystemExit("the WebSocket connection was refused")
        self.payload = payload
        self.count = 0

    def send(self) -> set[str]:
        self.count += 1
        operation = str(self.count)
        self.socket.send(json.dumps({"id": operation, "type": "subscribe", "payload": self.payload}))
        error_types: set[str] = set()
        while True:
            message = json.loads(self.socket.recv(timeout=120))
            if message.get("id") != operation:
                continue
            if message["type"] == "next":
                error_types.update(e.get("errorType") for e in message["payload"].get("errors") or [])
            elif message["type"] == "error":
                return error_types | {e.get("errorType") for e in message["payload"]}
            elif message["type"] == "complete":
                return error_types

    def close(self) -> None:
        self.connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--transport", choices=["http", "websocket"], default="http",
                        help="how the abusive query is sent (getPost is always HTTP)")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="gqlauth-abuse-"))
    directory = workdir / "blog"
    shutil.copytree(BLOG, directory)
    port = free_port()
    process = start_server(directory, port, options.posts)
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        from resolvers.local_state import LocalState

        headers = {"x-api-key": LocalState.open(directory).dev_api_key().key}
        abusive = {"query": "{ " + " ".join(f"a{i}: listPosts(limit: 1000) {{ items {{ id title content owner }} }}"
                                            for i in range(1000)) + " }"}
        with httpx.Client(timeout=120) as client:
            latencies(client, url, headers, 20)
            baseline = latencies(client, url, headers, options.requests)
            stop = threading.Event()
            refusals: list[float] = []
            error_types: set[str] = set()

            abuser = (WebSocketAbuser if options.transport == "websocket" else HttpAbuser)(url, headers, abusive)

            def abuse() -> None:
                try:
                    while not stop.is_set():
                        started = time.perf_counter()
                        error_types.update(abuser.send())
                        refusals.append(time.perf_counter() - started)
                finally:
                    abuser.close()

            thread = threading.Thread(target=abuse, daemon=True)
            thread.start()
            time.sleep(0.5)
            loaded = latencies(client, url, headers, options.requests)
            stop.set()
            thread.join(timeout=120)
    finally:
        os.kill(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)

    def pct(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000

    base50, load50 = statistics.median(baseline) * 1000, statistics.median(loaded) * 1000
    print(f"getPost p50 alone:          {base50:7.2f} ms   p95 {pct(baseline, 95):7.2f} ms")
    print(f"getPost p50 under abuse:    {load50:7.2f} ms   p95 {pct(loaded, 95):7.2f} ms")
    print(f"ratio p50 (abuse / alone):  {load50 / base50:7.2f}   goal < 3")
    if refusals:
        print(f"abusive request ({options.transport}) refused in {statistics.median(refusals) * 1000:7.1f} ms (median of {len(refusals)}), "
              f"error types: {', '.join(sorted(t for t in error_types if t))}")


if __name__ == "__main__":
    main()
