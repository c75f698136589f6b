"""The in-process event bus behind subscriptions.

A mutation publishes the record it wrote on its topic (the mutation field, e.g. `createPost`);
every subscription to that topic has its own queue and an `accept` predicate that decides, per
event and before anything is queued, whether this subscriber may see the event. Publishing never
blocks the writer: a subscriber that falls `max_queue` events behind is ended instead.

Other transports (the AppSync real-time protocol) subscribe on the same bus.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

Accept = Callable[[Mapping[str, Any]], bool]
_END = object()


@dataclass(eq=False)
class Subscription:
    """One subscriber's stream of accepted events; iterate it with `async for`, end it with `close()`."""

    topic: str
    accept: Accept | None
    bus: Subscriptions
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    max_queue: int = 1000
    closed: bool = False
    overflowed: bool = False

    def _offer(self, record: Mapping[str, Any]) -> bool:
        if self.closed:
            return False
        try:
            if self.accept is not None and not self.accept(record):
                return False
        except Exception:  # noqa: BLE001 - a predicate that fails denies the event (deny by default)
            logger.exception("subscription filter failed; event not delivered")
            return False
        self._schedule(record)
        return True

    def _schedule(self, item: Any) -> None:
        def put() -> None:
            if self.closed and item is not _END:
                return
            if item is not _END and self.queue.qsize() >= self.max_queue:
                self.overflowed = True
                self.closed = True
                self.queue.put_nowait(_END)
                return
            self.queue.put_nowait(item)

        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            put()
        else:
            with contextlib.suppress(RuntimeError):
                self.loop.call_soon_threadsafe(put)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.bus._remove(self)
            self._schedule(_END)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if self.closed and self.queue.empty():
            raise StopAsyncIteration
        item = await self.queue.get()
        if item is _END:
            self.close()
            raise StopAsyncIteration
        return item

    async def aclose(self) -> None:
        self.close()


class Subscriptions:
    """Topics -> live subscriptions. Safe to publish from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._topics: dict[str, list[Subscription]] = {}

    def subscribe(self, topic: str, accept: Accept | None = None, *, max_queue: int = 1000) -> Subscription:
        """Must be called from the event loop that will consume the events."""
        subscription = Subscription(topic=topic, accept=accept, bus=self, loop=asyncio.get_running_loop(),
                                    max_queue=max_queue)
        with self._lock:
            self._topics.setdefault(topic, []).append(subscription)
        return subscription

    def publish(self, topic: str, record: Mapping[str, Any]) -> int:
        """Offer `record` to every subscriber of `topic`; returns how many accepted it."""
        with self._lock:
            subscribers = list(self._topics.get(topic, ()))
        return sum(subscription._offer(dict(record)) for subscription in subscribers)

    def count(self, topic: str | None = None) -> int:
        with self._lock:
            if topic is not None:
                return len(self._topics.get(topic, ()))
            return sum(len(subs) for subs in self._topics.values())

    def _remove(self, subscription: Subscription) -> None:
        with self._lock:
            subs = self._topics.get(subscription.topic)
            if subs and subscription in subs:
                subs.remove(subscription)
                if not subs:
                    del self._topics[subscription.topic]
