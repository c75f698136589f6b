"""`transformer.sdl_parsing` parses and validates exactly as graphql-core does, and loading a project leaves
no reference cycles behind (`transform` skips the full collection that would otherwise free them)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from graphql import GraphQLError, GraphQLSyntaxError, concat_ast, parse
from graphql.validation.validate import validate_sdl

from transformer.directives import declarations_document
from transformer.project import load_project
from transformer.sdl_parsing import parse_sdl, validate_sdl_document
from transformer.sdl_rules import SDL_RULES

TESTS = Path(__file__).parent
ROOT = TESTS.parent
CORPORA = [TESTS / "differential" / "invalid", TESTS / "differential" / "corpus", TESTS / "directives_invalid"]


def _schemas() -> list[Path]:
    return sorted(p for folder in CORPORA for p in folder.rglob("*.graphql"))


def _messages(errors: list[GraphQLError]) -> list[tuple[str, list[tuple[int, int]]]]:
    return [(e.message, [(loc.line, loc.column) for loc in e.locations or ()]) for e in errors]


@pytest.fixture
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    yield
    if was_enabled:
        gc.enable()


def _unreachable_after(work: Callable[[], object]) -> int:
    """How many objects the cyclic collector finds after `work()` ran and its result was dropped."""
    gc.collect()
    result = work()
    del result
    return gc.collect()


def test_corpora_parse_to_the_same_tree_with_the_same_locations() -> None:
    schemas = _schemas()
    assert len(schemas) > 100
    for path in schemas:
        text = path.read_text(encoding="utf-8")
        try:
            expected = parse(text)
        except GraphQLSyntaxError as exc:
            with pytest.raises(GraphQLSyntaxError) as ours:
                parse_sdl(text)
            assert (ours.value.message, ours.value.locations) == (exc.message, exc.locations), path.name
            continue
        ours_tree = parse_sdl(text)
        assert ours_tree == expected, path.name
        assert ours_tree.to_dict(locations=True) == expected.to_dict(locations=True), path.name
        assert parse_sdl(text, no_location=True) == parse(text, no_location=True), path.name
        assert parse_sdl(text, no_location=True).loc is None


def test_corpora_validate_to_the_same_errors() -> None:
    judged = 0
    for path in _schemas():
        try:
            document = concat_ast([declarations_document(), parse(path.read_text(encoding="utf-8"))])
        except GraphQLError:
            continue
        judged += 1
        expected = validate_sdl(document, rules=SDL_RULES)
        assert _messages(validate_sdl_document(document, SDL_RULES)) == _messages(expected), path.name
    assert judged > 100


def test_a_parsed_schema_is_freed_without_the_cyclic_collector(collector_paused: None) -> None:
    text = (ROOT / "samples" / "blog" / "schema.graphql").read_text(encoding="utf-8")
    assert _unreachable_after(lambda: parse(text)) > 100, "graphql-core's own parse should leave cycles"
    assert _unreachable_after(lambda: parse_sdl(text)) == 0
    assert _unreachable_after(lambda: parse_sdl(text, no_location=True)) == 0


def test_validation_leaves_no_cycles(collector_paused: None) -> None:
    document = concat_ast([declarations_document(), parse_sdl((ROOT / "samples" / "blog" / "schema.graphql").read_text())])
    assert _unreachable_after(lambda: validate_sdl(document, rules=SDL_RULES)) > 100
    assert _unreachable_after(lambda: validate_sdl_document(document, SDL_RULES)) == 0


@pytest.mark.parametrize("sample", ["blog", "workspace"])
def test_loading_a_project_leaves_no_cycles(collector_paused: None, sample: str) -> None:
    folder = ROOT / "samples" / sample
    load_project(folder / "schema.graphql", group_file_path=folder / "user-pool-group-precedence.json")
    garbage = _unreachable_after(
        lambda: load_project(folder / "schema.graphql", group_file_path=folder / "user-pool-group-precedence.json")
    )
    assert garbage < 50, f"{garbage} objects in reference cycles after loading {sample}"
