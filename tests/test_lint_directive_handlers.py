"""`check` warns about each `@function` name and `@http` origin `gqlauth.json` maps to no local handler."""

from __future__ import annotations

import json
from pathlib import Path

from transformer.diagnostics import Diagnostic
from transformer.project import load_project
from transformer.rules import Provider

SCHEMA = """
type Query {
  echo(msg: String): String @function(name: "echofn") @auth(rules: [{allow: private}])
  twice: String @function(name: "summarize-${env}") @function(name: "other") @auth(rules: [{allow: private}])
  quote(symbol: String!): String @http(url: "https://quotes.example.com/q/:symbol") @auth(rules: [{allow: private}])
  weather: String @http(url: "https://weather.example.com/now") @auth(rules: [{allow: private}])
}
"""


def _diagnostics(tmp_path: Path, settings: dict[str, object] | None) -> list[Diagnostic]:
    (tmp_path / "schema.graphql").write_text(SCHEMA)
    if settings is not None:
        (tmp_path / "gqlauth.json").write_text(json.dumps(settings))
    project, diagnostics = load_project(tmp_path / "schema.graphql", auth_modes=[Provider.USER_POOLS])
    assert project is not None, diagnostics
    return [d for d in diagnostics if d.code == "lint.handler-missing"]


def _warnings(tmp_path: Path, settings: dict[str, object] | None) -> list[str]:
    return [d.message for d in _diagnostics(tmp_path, settings) if not d.silenced]


def test_every_unmapped_function_and_origin_is_named(tmp_path: Path) -> None:
    found = _warnings(tmp_path, None)
    assert len(found) == 5
    assert any('@function(name: "echofn")' in m and '"functions"' in m for m in found)
    assert any("https://quotes.example.com" in m and '"http"' in m for m in found)


def test_mapped_ones_are_not_named(tmp_path: Path) -> None:
    found = _warnings(tmp_path, {"functions": {"echofn": "m:f", "summarize": "m:g"},
                                 "http": {"https://quotes.example.com": "http://127.0.0.1:1"}})
    assert sorted(m.split(":", 1)[0] for m in found) == ["Query.twice", "Query.weather"]
    assert '"other"' in next(m for m in found if m.startswith("Query.twice"))


def test_the_warning_can_be_silenced(tmp_path: Path) -> None:
    assert _warnings(tmp_path, {"silence": ["lint.handler-missing"]}) == []
