"""Queries and mutations run on worker threads, so one expensive request does not hold the server.

The resolvers are plain Python and do their work synchronously: run on the server's event loop, one
request that builds a large response (up to AppSync's 5 MB) would hold every other caller, the
explorer and the subscriptions for as long as it runs. Each worker thread keeps its own event loop
(GraphQL execution is a coroutine, and some resolvers may be async); the server's loop only awaits
the result. The interpreter's switch interval is shortened so that a thread busy with a large
response hands the interpreter over quickly to the ones serving short requests.

The store serialises its own access (one lock, transactions held for their whole extent), and the
subscription bus hands events to the loop that consumes them, so both are safe to use from here.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

SWITCH_INTERVAL_SECONDS = 0.001
DEFAULT_WORKERS = 8


class WorkerPool:
    """Runs coroutines to completion on a small pool of threads, each with its own event loop."""

    def __init__(self, workers: int = DEFAULT_WORKERS) -> None:
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="gqlauth-graphql")
        self._local = threading.local()
        if sys.getswitchinterval() > SWITCH_INTERVAL_SECONDS:
            sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        loop = getattr(self._local, "loop", None)
        if loop is None:
            loop = self._local.loop = asyncio.new_event_loop()
        return loop.run_until_complete(coroutine)

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return await asyncio.wrap_future(self._executor.submit(self._run, coroutine))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


__all__ = ["WorkerPool"]
