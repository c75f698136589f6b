"""Serve `http://` and `https://` (and so `ws://`/`wss://`) on one port, or TLS only.

The Amplify library opens subscriptions at `wss://<endpoint>/realtime` even when the endpoint is
`http://`, so the GraphQL port must also speak TLS. A TLS connection starts with a handshake record,
whose first byte is 0x16; no HTTP request starts with that byte. Each accepted socket is therefore
peeked (not read) and handed to asyncio with or without TLS, then to uvicorn's own protocol, which
sees an ordinary (TLS or plain) transport and sets the `http`/`https` scheme from it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import uvicorn

logger = logging.getLogger("gqlauth.listener")

TLS_HANDSHAKE_RECORD = 0x16
FIRST_BYTE_TIMEOUT = 30.0
TLS_HANDSHAKE_TIMEOUT = 15.0

ProtocolFactory = Callable[[], asyncio.Protocol]


class ListenMode(StrEnum):
    BOTH = "both"
    """`http://` and `https://` on the same port, chosen per connection."""
    HTTPS = "https"
    HTTP = "http"


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0 picks a free one; read it back with `getsockname()`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class SniffingServer:
    """Accepts on one socket and wraps each connection in TLS when its first byte is 0x16.

    Quacks like `asyncio.Server` where uvicorn uses it (`close`, `wait_closed`, `sockets`).
    """

    def __init__(self, sock: socket.socket, protocol_factory: ProtocolFactory, ssl_context: ssl.SSLContext,
                 *, first_byte_timeout: float = FIRST_BYTE_TIMEOUT,
                 handshake_timeout: float = TLS_HANDSHAKE_TIMEOUT) -> None:
        self._sock = sock
        self._factory = protocol_factory
        self._ssl = ssl_context
        self._first_byte_timeout = first_byte_timeout
        self._handshake_timeout = handshake_timeout
        self._accepting: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._closed = asyncio.Event()

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return (self._sock,)

    def start(self) -> None:
        self._sock.setblocking(False)
        self._accepting = asyncio.get_running_loop().create_task(self._accept_forever())

    def close(self) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
        for task in list(self._pending):
            task.cancel()
        self._sock.close()
        self._closed.set()

    async def wait_closed(self) -> None:
        await self._closed.wait()
        tasks = [task for task in (self._accepting, *self._pending) if task is not None]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _accept_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                client, _ = await loop.sock_accept(self._sock)
            except asyncio.CancelledError:
                raise
            except OSError as exc:
                if self._sock.fileno() < 0:
                    return
                logger.warning("accept failed: %s", exc)
                await asyncio.sleep(0.05)
                continue
            task = loop.create_task(self._dispatch(client))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    async def _dispatch(self, client: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        client.setblocking(False)
        with contextlib.suppress(OSError):
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            first = await asyncio.wait_for(_peek_first_byte(loop, client), self._first_byte_timeout)
        except (TimeoutError, OSError):
            client.close()
            return
        if first is None:
            client.close()
            return
        use_tls = first == TLS_HANDSHAKE_RECORD
        try:
            await loop.connect_accepted_socket(
                self._factory, client, ssl=self._ssl if use_tls else None,
                ssl_handshake_timeout=self._handshake_timeout if use_tls else None,
            )
        except (OSError, ssl.SSLError, TimeoutError, ConnectionError) as exc:
            logger.debug("connection dropped during %s set-up: %s", "TLS" if use_tls else "HTTP", exc)
            client.close()


async def _peek_first_byte(loop: asyncio.AbstractEventLoop, client: socket.socket) -> int | None:
    """The first byte the client sent, left in the socket; None if it closed without sending."""
    while True:
        try:
            peeked = client.recv(1, socket.MSG_PEEK)
        except BlockingIOError:
            await _readable(loop, client)
            continue
        return peeked[0] if peeked else None


async def _readable(loop: asyncio.AbstractEventLoop, client: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()
    fd = client.fileno()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


class ListenerServer(uvicorn.Server):
    """uvicorn's server, listening on a socket we bound, in one of the `ListenMode`s."""

    def __init__(self, config: uvicorn.Config, sock: socket.socket, mode: ListenMode,
                 ssl_context: ssl.SSLContext | None) -> None:
        super().__init__(config)
        if mode is not ListenMode.HTTP and ssl_context is None:
            raise ValueError(f"listen mode {mode.value} needs a TLS context")
        self.sock = sock
        self.mode = mode
        self.ssl_context = ssl_context

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            self.should_exit = True
            return
        config = self.config

        def create_protocol(_loop: asyncio.AbstractEventLoop | None = None) -> asyncio.Protocol:
            protocol: asyncio.Protocol = config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=_loop)
            return protocol

        loop = asyncio.get_running_loop()
        servers: list[Any] = []
        if self.mode is ListenMode.BOTH:
            assert self.ssl_context is not None
            sniffing = SniffingServer(self.sock, create_protocol, self.ssl_context)
            sniffing.start()
            servers.append(sniffing)
        else:
            tls = self.ssl_context if self.mode is ListenMode.HTTPS else None
            servers.append(await loop.create_server(create_protocol, sock=self.sock, ssl=tls,
                                                    ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT if tls else None))
        self.servers = servers
        self.started = True


def build_server(app: Any, sock: socket.socket, mode: ListenMode, ssl_context: ssl.SSLContext | None, *,
                 log_level: str = "warning", access_log: bool = False, **config: Any) -> ListenerServer:
    """A `ListenerServer` for an ASGI app; `config` goes to `uvicorn.Config` (not host/port/ssl)."""
    uvicorn_config = uvicorn.Config(app, log_level=log_level, access_log=access_log, lifespan="auto",
                                    ws="websockets-sansio", **config)
    return ListenerServer(uvicorn_config, sock, mode, ssl_context)
