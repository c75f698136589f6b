"""Subscriptions through the templates: the subscribe-time decision and the enhanced filter decide
which events each subscriber receives, exactly as with the guards."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from guard_support import user

from resolvers.authenticate import Authenticator
from resolvers.identity import Identity
from resolvers.local_state import LocalState
from resolvers.server.app import create_app
from resolvers.server.bindings import store_layouts
from resolvers.store import Store
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = Path(__file__).parent / "conformance" / "features" / "schema.graphql"
SUBSCRIBE = "subscription { onCreateDoc { id title authors } }"
CREATES = [
    ("dave", ["G"], '{id: "d1", title: "for G", editors: ["G"]}'),
    ("dave", ["G"], '{id: "d2", title: "team B", editors: ["G"], team: "B"}'),
    ("erin", [], '{id: "d3", title: "erin own"}'),
]
SUBSCRIBERS = {"carol-in-G": ("carol", ["G"]), "bob-in-B": ("bob", ["B"]), "erin": ("erin", []), "nobody": ("zed", [])}


async def _deliveries(engine: str, tmp: Path) -> dict[str, list[str]]:
    tmp.mkdir()
    state = LocalState.open(tmp)
    project, diagnostics = load_project(SCHEMA, auth_modes=[Provider.USER_POOLS, Provider.IAM],
                                        environment=state.environment())
    assert project is not None, [d.render() for d in diagnostics]
    authenticator = Authenticator(state, state.environment(), ["userPools", "iam"])
    store = Store(":memory:", store_layouts(project.matrix, project.schema))
    core = create_app(project, store, authenticator, state=state, engine=engine).state.core
    streams: dict[str, Any] = {}
    for name, (login, groups) in SUBSCRIBERS.items():
        ok, stream = await core.subscribe({"query": SUBSCRIBE}, user(login, groups))
        streams[name] = stream if ok else None
    for login, groups, values in CREATES:
        caller: Identity = user(login, groups)
        ok, result = await core.execute({"query": f"mutation {{ createDoc(input: {values}) {{ id }} }}"}, caller)
        assert ok and not result.get("errors"), result
    received: dict[str, list[str]] = {}
    for name, stream in streams.items():
        if stream is None:
            received[name] = ["<refused>"]
            continue
        got: list[str] = []
        while True:
            try:
                event = await asyncio.wait_for(stream.__anext__(), 0.2)
            except (TimeoutError, StopAsyncIteration):
                break
            got.append(event.data["onCreateDoc"]["id"] if event.data else f"error: {event.errors}")
        received[name] = got
        await stream.aclose()
    store.close()
    return received


def test_subscribers_receive_the_same_events_through_templates_and_guards(tmp_path: Path) -> None:
    guards = asyncio.run(_deliveries("python", tmp_path / "python"))
    templates = asyncio.run(_deliveries("vtl", tmp_path / "vtl"))
    assert templates == guards
    assert templates["carol-in-G"] == ["d1", "d2"]
    assert templates["erin"] == ["d3"]
    assert templates["bob-in-B"] == ["d2"]


@pytest.mark.parametrize("engine", ["python", "vtl"])
def test_a_listen_only_private_rule_admits_any_signed_in_subscriber(engine: str, tmp_path: Path) -> None:
    async def scenario() -> bool:
        state = LocalState.open(tmp_path)
        project, _ = load_project(SCHEMA, auth_modes=[Provider.USER_POOLS, Provider.IAM], environment=state.environment())
        assert project is not None
        authenticator = Authenticator(state, state.environment(), ["userPools", "iam"])
        core = create_app(project, Store(":memory:", store_layouts(project.matrix, project.schema)), authenticator,
                          state=state, engine=engine).state.core
        ok, _ = await core.subscribe({"query": 'subscription { onCreateAlert { id } }'}, user("zed", []))
        return ok

    assert asyncio.run(scenario()) is True
