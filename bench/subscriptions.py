"""Subscription fan-out of `gqlauth serve` over the AppSync real-time protocol (wss://, as Amplify connects).

Starts `gqlauth serve` on the blog sample (loopback, in-memory store) in a child process, opens
SUBSCRIBERS real-time connections (API key, `onCreatePost`), then:

* throughput: EVENTS createPost mutations (4 in flight) over HTTP; events delivered per second to all
  subscribers, from the first mutation sent to the last event received;
* latency: LATENCY_SAMPLES mutations one at a time; time from sending the mutation to its event
  reaching the first / last subscriber, against the mutation's own HTTP round trip (the baseline);
* the same throughput over the server's graphql-transport-ws endpoint (same guards and bus, other
  wire protocol), as a ratio.

Runtime is bounded (every wait has a deadline); nothing leaves 127.0.0.1.

Run: .venv/bin/python bench/subscriptions.py [SUBSCRIBERS] [EVENTS]
"""

from __future__ import annotations

import asyncio
import base64
import json
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from websockets.asyncio.client import ClientConnection, connect

from resolvers.certificates import client_ssl_context, ensure_tls
from resolvers.issuer import mint_token
from resolvers.local_state import LocalState

REPO = Path(__file__).resolve().parents[1]
SUBSCRIPTION = "subscription OnCreatePost { onCreatePost { id title owner } }"
CREATE = "mutation C($input: CreatePostInput!) { createPost(input: $input) { id } }"
LATENCY_SAMPLES = 30
DEADLINE = 60.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(project: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-c", "from resolvers.cli import main; main()", "serve", str(project),
               "--port", str(port), "--db", ":memory:", "--no-explorer"]
    process = subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gqlauth serve exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gqlauth serve did not start within 30 s")


class Collector:
    """Arrival times of each event (by title) at each subscriber."""

    def __init__(self, subscribers: int) -> None:
        self.subscribers = subscribers
        self.arrivals: dict[str, list[float]] = {}
        self.complete: dict[str, asyncio.Event] = {}

    def expect(self, title: str) -> asyncio.Event:
        return self.complete.setdefault(title, asyncio.Event())

    def arrived(self, title: str) -> None:
        times = self.arrivals.setdefault(title, [])
        times.append(time.perf_counter())
        if len(times) == self.subscribers:
            self.expect(title).set()


async def realtime_subscriber(url: str, host: str, api_key: str, context: ssl.SSLContext,
                              collector: Collector, ready: asyncio.Event) -> None:
    auth = {"host": host, "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()), "x-api-key": api_key}
    header = "header-" + base64.urlsafe_b64encode(json.dumps(auth).encode()).decode().rstrip("=")
    async with connect(url, subprotocols=["graphql-ws", header], ssl=context,  # type: ignore[list-item]
                       max_size=None, ping_interval=None) as ws:
        await ws.send('{"type":"connection_init"}')
        await _until(ws, "connection_ack")
        data = json.dumps({"query": SUBSCRIPTION, "variables": {}})
        await ws.send(json.dumps({"id": "s", "type": "start",
                                  "payload": {"data": data, "extensions": {"authorization": auth}}}))
        await _until(ws, "start_ack")
        ready.set()
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "data":
                collector.arrived(message["payload"]["data"]["onCreatePost"]["title"])


async def transport_ws_subscriber(url: str, api_key: str, context: ssl.SSLContext, collector: Collector,
                                  ready: asyncio.Event) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], ssl=context,  # type: ignore[list-item]
                       max_size=None, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"x-api-key": api_key}}))
        await _until(ws, "connection_ack")
        await ws.send(json.dumps({"id": "s", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}))
        ready.set()
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "next":
                collector.arrived(message["payload"]["data"]["onCreatePost"]["title"])


async def _until(ws: ClientConnection, kind: str) -> None:
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), 15))
        if message.get("type") == kind:
            return
        if message.get("type") in ("error", "connection_error"):
            raise SystemExit(f"subscription refused: {message}")


Subscriber = Callable[[Collector, asyncio.Event], Awaitable[None]]


async def measure(subscriber: Subscriber, count: int, events: int, http: httpx.AsyncClient, token: str,
                  prefix: str, latency: bool) -> dict[str, float]:
    collector = Collector(count)
    readies = [asyncio.Event() for _ in range(count)]
    tasks = [asyncio.create_task(subscriber(collector, ready)) for ready in readies]
    try:
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), DEADLINE)
        await asyncio.sleep(0.2)

        async def mutate(title: str) -> float:
            started = time.perf_counter()
            response = await http.post("/graphql", json={"query": CREATE, "variables": {"input": {"title": title}}},
                                       headers={"authorization": token})
            if response.status_code != 200 or "errors" in response.json():
                raise SystemExit(f"mutation failed: {response.status_code} {response.text}")
            return started

        for index in range(5):
            title = f"{prefix}-warm-{index}"
            await mutate(title)
            await asyncio.wait_for(collector.expect(title).wait(), DEADLINE)

        titles = [f"{prefix}-{index}" for index in range(events)]
        gate = asyncio.Semaphore(4)

        async def limited(title: str) -> None:
            async with gate:
                await mutate(title)

        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(limited(title) for title in titles)), DEADLINE)
        await asyncio.wait_for(asyncio.gather(*(collector.expect(t).wait() for t in titles)), DEADLINE)
        elapsed = max(max(collector.arrivals[t]) for t in titles) - started
        figures = {"deliveries_per_s": count * events / elapsed, "events_per_s": events / elapsed}
        if latency:
            first, last, round_trips = [], [], []
            for index in range(LATENCY_SAMPLES):
                title = f"{prefix}-lat-{index}"
                done = collector.expect(title)
                sent = await mutate(title)
                round_trips.append(time.perf_counter() - sent)
                await asyncio.wait_for(done.wait(), DEADLINE)
                arrivals = collector.arrivals[title]
                first.append(min(arrivals) - sent)
                last.append(max(arrivals) - sent)
            figures.update(first_ms=statistics.median(first) * 1000, last_ms=statistics.median(last) * 1000,
                           last_p95_ms=sorted(last)[int(len(last) * 0.95) - 1] * 1000,
                           round_trip_ms=statistics.median(round_trips) * 1000)
        return figures
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run(project: Path, port: int, count: int, events: int) -> None:
    state = LocalState.open(project)
    api_key = state.dev_api_key().key
    token = mint_token(state, user="alice", use="access")
    context = client_ssl_context(ensure_tls(state))
    host = f"127.0.0.1:{port}"
    async with httpx.AsyncClient(base_url=f"https://{host}", verify=context, timeout=30) as http:
        realtime = await measure(
            lambda c, r: realtime_subscriber(f"wss://{host}/graphql/realtime", host, api_key, context, c, r),
            count, events, http, token, "rt", latency=True)
        baseline = await measure(
            lambda c, r: transport_ws_subscriber(f"wss://{host}/graphql", api_key, context, c, r),
            count, events, http, token, "gtws", latency=False)
    print(f"subscription fan-out: {count} subscribers, {events} createPost events, wss:// on loopback")
    print(f"  AppSync real-time:    {realtime['deliveries_per_s']:10.0f} deliveries/s "
          f"({realtime['events_per_s']:.0f} mutations/s fanned out)")
    print(f"  graphql-transport-ws: {baseline['deliveries_per_s']:10.0f} deliveries/s (baseline, same server)")
    print(f"  ratio real-time / graphql-transport-ws: {realtime['deliveries_per_s'] / baseline['deliveries_per_s']:.2f}")
    print(f"mutation -> delivery latency (median of {LATENCY_SAMPLES}, one mutation at a time):")
    print(f"  first subscriber {realtime['first_ms']:.1f} ms, all {count}: {realtime['last_ms']:.1f} ms "
          f"(p95 {realtime['last_p95_ms']:.1f} ms)")
    print(f"  baseline: the mutation's own HTTP round trip {realtime['round_trip_ms']:.1f} ms; "
          f"ratio all-delivered / round trip {realtime['last_ms'] / realtime['round_trip_ms']:.2f}")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    events = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        for name in ("schema.graphql", "user-pool-group-precedence.json"):
            shutil.copy2(REPO / "samples" / "blog" / name, project / name)
        LocalState.open(project).dev_api_key()
        port = free_port()
        server = start_server(project, port)
        try:
            asyncio.run(run(project, port, count, events))
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
