"""Large APIs deploy as CloudFormation's quotas stand: every template of a 150-model build is checked, nothing deployed."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest
from stack_support import quota_problems, wiring_problems

from transformer import stack_packing
from transformer.emit import transform
from transformer.project import load_project
from transformer.rules import Provider

MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM]
GENERATOR = Path(__file__).parent.parent / "bench" / "generate.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _build(folder: Path, sdl: str) -> Path:
    folder.mkdir()
    (folder / "schema.graphql").write_text(sdl, encoding="utf-8")
    (folder / "user-pool-group-precedence.json").write_text(_generator().generate_group_file(), encoding="utf-8")
    project, diagnostics = load_project(folder / "schema.graphql", auth_modes=MODES)
    assert project is not None, [d.render() for d in diagnostics[:5]]
    out = folder / "build"
    transform(project, out)
    return out


def _hub_schema(children: int) -> str:
    """One model that `children` models belong to: its stack gets every child's `hub` resolver."""
    parts = ['type Hub @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) {\n  id: ID!\n  name: String\n}\n']
    for index in range(children):
        parts.append(
            f"type Leaf{index} @model @auth(rules: [{{allow: owner}}, {{allow: groups, groups: [\"Admins\"]}}]) {{\n"
            f"  id: ID!\n  hubId: ID\n  hub: Hub @hasOne(fields: [\"hubId\"])\n}}\n"
        )
    return "\n".join(parts)


@pytest.fixture(scope="module")
def generated_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("gen") / "p150", _generator().generate_schema(150))


SMALL_BUDGET = 60


@pytest.fixture(scope="module")
def hub_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Packed with a budget of 60 resources per stack, so that a small schema shows the split."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stack_packing, "RESOURCE_BUDGET", SMALL_BUDGET)
        return _build(tmp_path_factory.mktemp("hub") / "hub", _hub_schema(130))


def test_150_models_fit_every_template_in_the_quotas(generated_build: Path) -> None:
    assert quota_problems(generated_build) == []
    assert len(list((generated_build / "stacks").glob("*.json"))) >= 150


def test_150_models_wire_up(generated_build: Path) -> None:
    assert wiring_problems(generated_build) == []


def test_a_stack_past_its_budget_continues_in_another(hub_build: Path) -> None:
    """130 `hub` resolvers read Hub's table: more than one stack may hold, so Hub's stack has parts."""
    assert quota_problems(hub_build) == []
    assert wiring_problems(hub_build) == []
    parts = sorted(p.name for p in (hub_build / "stacks").glob("HubPart*.json"))
    assert parts
    for path in [hub_build / "stacks" / "Hub.json", *(hub_build / "stacks" / p for p in parts)]:
        assert len(json.loads(path.read_text())["Resources"]) <= SMALL_BUDGET


def test_a_template_over_the_quotas_is_an_error_and_nothing_is_written(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from transformer import stack_limits
    from transformer.diagnostics import InputError

    monkeypatch.setattr(stack_limits, "MAX_RESOURCES", 5)
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "schema.graphql").write_text(_generator().generate_schema(2), encoding="utf-8")
    (folder / "user-pool-group-precedence.json").write_text(_generator().generate_group_file(), encoding="utf-8")
    project, _ = load_project(folder / "schema.graphql", auth_modes=MODES)
    assert project is not None
    with pytest.raises(InputError) as raised:
        transform(project, tmp_path / "build")
    assert {d.code for d in raised.value.diagnostics} == {"stack.limit"}
    assert "more than CloudFormation's 5" in raised.value.diagnostics[0].message
    assert not (tmp_path / "build").exists()
