"""The user's Lambda-style functions, loaded for local runs: the Lambda authorizer and `@function` fields.

A spec is `module:function` (an importable Python callable) or a project file `path[:name]` relative to the
project (`.py`, or `.js`/`.mjs`/`.cjs` run by Node; `name` defaults to `handler`). Every function is called
as Lambda calls it, with the event (and a `None` context when it takes two arguments); a Node function runs in
a fresh `node` process per call, so an edit to the file is picked up at once.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

Handler = Callable[[dict[str, Any]], Any]
NODE_TIMEOUT_SECONDS = 10.0
NODE_SUFFIXES = (".js", ".mjs", ".cjs")
DEFAULT_HANDLER_NAME = "handler"


class UserFunctionError(Exception):
    """A configured function cannot be loaded (the message says which and why)."""


def load_function(spec: str, base: Path, *, what: str = "function") -> Handler:
    """The function `spec` names; `what` ("authorizer", "handler") is how errors name it."""
    target, _, name = spec.rpartition(":") if ":" in spec else (spec, "", "")
    candidate = Path(target) if Path(target).is_absolute() else base / target
    if target.endswith((".py", *NODE_SUFFIXES)) or candidate.is_file():
        return _file_function(candidate, name or DEFAULT_HANDLER_NAME, what)
    if not name:
        raise UserFunctionError(f"{what} {spec!r}: expected module:function or a .py/.js file")
    try:
        module = importlib.import_module(target)
    except ImportError as exc:
        raise UserFunctionError(f"{what} {spec!r}: cannot import {target}: {exc}") from exc
    return _lambda_style(_attribute(module, name, target))


def _file_function(file: Path, name: str, what: str) -> Handler:
    if not file.is_file():
        raise UserFunctionError(f"{file}: no such {what} file")
    if file.suffix in NODE_SUFFIXES:
        return _node_function(file.resolve(), name, what)
    if file.suffix != ".py":
        raise UserFunctionError(f"{file}: a {what} file must be .py, .js, .mjs or .cjs")
    spec = importlib.util.spec_from_file_location(f"gqlauth_user_{abs(hash(str(file)))}", file)
    if spec is None or spec.loader is None:
        raise UserFunctionError(f"{file}: cannot load it as Python")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # noqa: BLE001 - any failure to import the user's file is a configuration error
        raise UserFunctionError(f"{file}: cannot import it: {type(exc).__name__}: {exc}") from exc
    return _lambda_style(_attribute(module, name, str(file)))


def _lambda_style(function: Callable[..., Any]) -> Handler:
    try:
        positional = [p for p in inspect.signature(function).parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)]
    except (TypeError, ValueError):
        positional = []
    if len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in positional):
        return lambda event: function(event, None)
    return lambda event: function(event)


def _attribute(target: Any, dotted: str, where: str) -> Callable[..., Any]:
    for part in dotted.split("."):
        if not hasattr(target, part):
            raise UserFunctionError(f"{where} has no attribute {dotted}")
        target = getattr(target, part)
    if not callable(target):
        raise UserFunctionError(f"{where}:{dotted} is not callable")
    return target  # type: ignore[no-any-return]


_NODE_RUNNER = """
const {pathToFileURL} = require('url');
const [file, name] = process.argv.slice(1);
let input = '';
process.stdin.on('data', (chunk) => { input += chunk; });
process.stdin.on('end', async () => {
  try {
    const loaded = await import(pathToFileURL(file).href);
    const handler = loaded[name] || (loaded.default && loaded.default[name]);
    if (typeof handler !== 'function') throw new Error(`${file} exports no function ${name}`);
    const result = await handler(JSON.parse(input), {});
    process.stdout.write(JSON.stringify({ok: result === undefined ? null : result}));
  } catch (error) {
    process.stdout.write(JSON.stringify({error: String(error && error.stack || error)}));
  }
});
"""


def _node_function(file: Path, name: str, what: str) -> Handler:
    node = shutil.which("node")
    if node is None:
        raise UserFunctionError(f"{file}: running a Node {what} needs `node` on the PATH")

    def call(event: dict[str, Any]) -> Any:
        done = subprocess.run([node, "-e", _NODE_RUNNER, str(file), name], input=json.dumps(event),
                              capture_output=True, text=True, timeout=NODE_TIMEOUT_SECONDS, check=False)
        try:
            answer = json.loads(done.stdout)
        except ValueError as exc:
            raise RuntimeError(f"{file}: no answer ({done.stderr.strip()[:200]})") from exc
        if "error" in answer:
            raise RuntimeError(f"{file}: {answer['error'][:500]}")
        return answer.get("ok")

    return call
