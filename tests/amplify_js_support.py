"""Driving the real Amplify JS library (tests/amplify_js) against a `gqlauth serve` subprocess.

`npm ci` runs once per package-lock into a cache directory that later runs reuse
(`$GQLAUTH_NPM_CACHE_DIR`, default `~/.cache/gqlauth-tests`); the scripts are copied in every time.
`legacy-6.5/` holds aws-amplify 6.5.4, the last release with the query-parameter real-time handshake.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from npm_cache import npm_ci_cached

CLIENT_SOURCE = Path(__file__).resolve().parent / "amplify_js"
REPO = Path(__file__).resolve().parents[1]
NPM_CI_TIMEOUT = 240


def node_missing_reason() -> str | None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    return f"{' and '.join(missing)} not found on PATH: the Amplify JS tests need Node 20+" if missing else None


def install_client() -> Path:
    """The client directory with `node_modules` installed (`npm ci` only when the lock file changed)."""
    target = npm_ci_cached(CLIENT_SOURCE, "amplify-js")
    for name in ("client.mjs", "subscribe.mjs", "package.json", "package-lock.json"):
        shutil.copy2(CLIENT_SOURCE / name, target / name)
    shutil.copytree(CLIENT_SOURCE / "lib", target / "lib", dirs_exist_ok=True)
    return target


def install_legacy_library() -> Path:
    """aws-amplify 6.5.4, whose real-time handshake uses `header`/`payload` query parameters (`--amplify-dir`)."""
    return npm_ci_cached(CLIENT_SOURCE / "legacy-6.5", "amplify-js-legacy-6.5")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServeProcess:
    project: Path
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def ca_cert(self) -> Path:
        return self.project / ".gqlauth" / "tls" / "ca-cert.pem"


@contextmanager
def serving(project: Path, *extra: str) -> Iterator[ServeProcess]:
    """`gqlauth serve PROJECT` on a free loopback port, stopped (SIGTERM, then SIGKILL) afterwards."""
    port = free_port()
    log = project / "serve.log"
    command = [sys.executable, "-c", "from resolvers.cli import main; main()", "serve", str(project),
               "--port", str(port), "--db", ":memory:", *extra]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=project, stdout=sink, stderr=subprocess.STDOUT)
    served = ServeProcess(project=project, port=port, process=process, log=log)
    try:
        _wait_until_listening(served)
        yield served
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_until_listening(served: ServeProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.process.poll() is not None:
            raise RuntimeError(f"gqlauth serve exited with {served.process.returncode}:\n{served.log.read_text()}")
        if "listening:" in served.log.read_text(errors="replace"):
            try:
                socket.create_connection(("127.0.0.1", served.port), timeout=1).close()
                return
            except OSError:
                pass
        time.sleep(0.1)
    raise RuntimeError(f"gqlauth serve did not start within {timeout}s:\n{served.log.read_text()}")


@dataclass
class ClientRun:
    code: int
    lines: list[dict[str, Any]]
    stderr: str

    @property
    def result(self) -> dict[str, Any]:
        return self.lines[-1] if self.lines else {}

    def messages(self) -> list[str]:
        return [str(error.get("message")) for error in self.result.get("errors") or []]


def auth_args(mode: str, **credentials: str) -> list[str]:
    args = ["--auth", mode]
    for name, value in credentials.items():
        args += [f"--{name.replace('_', '-')}", value]
    return args


def run_client(client_dir: Path, served: ServeProcess, auth: Sequence[str], query: str,
               variables: dict[str, Any] | None = None, timeout: float = 60) -> ClientRun:
    command = ["node", "client.mjs", "--endpoint", served.endpoint, *auth, "--query", query]
    if variables is not None:
        command += ["--variables", json.dumps(variables)]
    done = subprocess.run(command, cwd=client_dir, capture_output=True, text=True, timeout=timeout)
    return ClientRun(done.returncode, _json_lines(done.stdout), done.stderr)


def _json_lines(text: str) -> list[dict[str, Any]]:
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            lines.append(json.loads(line))
    return lines


@dataclass
class Subscriber:
    """A running `subscribe.mjs`; its JSON lines arrive on `events` as they are printed."""

    process: subprocess.Popen[str]
    events: queue.Queue[dict[str, Any]] = field(default_factory=queue.Queue)
    seen: list[dict[str, Any]] = field(default_factory=list)
    stderr_lines: list[str] = field(default_factory=list)

    def wait_for(self, kind: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {kind!r} event within {timeout}s; saw {self.seen}; "
                                     f"stderr: {''.join(self.stderr_lines)[-2000:]}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if event.get("type") == kind:
                return event

    def finish(self, timeout: float = 30) -> int:
        code = self.process.wait(timeout)
        while not self.events.empty():
            self.seen.append(self.events.get())
        return code


def start_subscriber(client_dir: Path, served: ServeProcess, auth: Sequence[str], query: str, *,
                     count: int = 1, timeout: float = 30, trigger: str | None = None,
                     amplify_dir: Path | None = None) -> Subscriber:
    command = ["node", "subscribe.mjs", "--endpoint", served.endpoint, *auth, "--query", query,
               "--ca", str(served.ca_cert), "--count", str(count), "--timeout", str(timeout)]
    if trigger is not None:
        command += ["--trigger-query", trigger]
    if amplify_dir is not None:
        command += ["--amplify-dir", str(amplify_dir)]
    # Set here so that the script need not re-execute Node to read it (it is only read at start-up).
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(served.ca_cert.resolve())}
    process = subprocess.Popen(command, cwd=client_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    subscriber = Subscriber(process)

    def pump_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            line = line.strip()
            if line.startswith("{"):
                subscriber.events.put(json.loads(line))

    def pump_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            subscriber.stderr_lines.append(line)

    threading.Thread(target=pump_stdout, daemon=True).start()
    threading.Thread(target=pump_stderr, daemon=True).start()
    return subscriber
