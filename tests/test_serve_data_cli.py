"""`gqlauth data load` / `data dump`: all-or-nothing seeding with clear errors, and a dump that loads back."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from serve_support import blog_project

from resolvers.cli import cli

RECORDS = [
    {"__typename": "Post", "id": "p1", "title": "seeded", "owner": "sub-1::alice"},
    {"__typename": "Comment", "id": "c1", "postId": "p1", "content": "hi", "owner": "sub-2::bob"},
]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_load_then_dump_round_trips(tmp_path: Path) -> None:
    project, _ = blog_project(tmp_path)
    data = tmp_path / "seed.json"
    data.write_text(json.dumps(RECORDS))
    code, _out, err = _run("data", "load", str(data), "--project", str(project))
    assert code == 0, err
    assert "1 Comment, 1 Post" in err
    code, out, err = _run("data", "dump", "--project", str(project))
    assert code == 0, err
    dumped = json.loads(out)
    assert sorted(dumped, key=lambda r: r["id"]) == sorted(RECORDS, key=lambda r: r["id"])
    assert (project / ".gqlauth" / "data.sqlite3").exists()
    again = tmp_path / "again.json"
    again.write_text(out)
    code, _out, err = _run("data", "load", str(again), "--replace", "--project", str(project))
    assert code == 0 and "store replaced" in err


def test_a_bad_record_loads_nothing_and_exits_1(tmp_path: Path) -> None:
    project, _ = blog_project(tmp_path)
    data = tmp_path / "bad.json"
    data.write_text(json.dumps({"ok": RECORDS[0], "bad": {"__typename": "Post", "id": "p2", "nope": 1}}))
    code, _out, err = _run("data", "load", str(data), "--project", str(project))
    assert code == 1
    assert '$["bad"].nope' in err and '$["bad"].title' in err and "nothing was loaded" in err
    code, out, _err = _run("data", "dump", "--project", str(project))
    assert json.loads(out) == []
    data.write_text("{not json")
    code, _out, err = _run("data", "load", str(data), "--project", str(project))
    assert code == 1 and "not valid JSON" in err
    code, _out, err = _run("data", "load", str(tmp_path / "missing.json"), "--project", str(project))
    assert code == 2


def test_records_are_checked_against_the_schema_and_nothing_loads(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    (project / "schema.graphql").write_text(
        "enum Status { DRAFT LIVE }\n"
        "type Item @model @auth(rules: [{allow: public}]) {\n"
        "  id: ID! name: String! count: Int status: Status tags: [String!] when: AWSDateTime }\n"
    )
    good = {"__typename": "Item", "id": "i0", "name": "ok", "count": 1, "status": "LIVE", "tags": ["a"],
            "when": "2024-01-01T00:00:00.000Z"}
    bad = [
        good,
        {"__typename": "Item", "id": "i1", "count": 2},
        {"__typename": "Item", "id": "i2", "name": "x", "count": "three"},
        {"__typename": "Item", "id": "i3", "name": "x", "status": "GONE"},
        {"__typename": "Item", "id": "i4", "name": "x", "tags": ["a", None]},
        {"__typename": "Item", "id": "i5", "name": "x", "when": "yesterday"},
    ]
    data = tmp_path / "bad.json"
    data.write_text(json.dumps(bad))
    code, _out, err = _run("data", "load", str(data), "--project", str(project), "--auth-modes", "apiKey")
    assert code == 1, err
    for path in ("$[1].name", "$[2].count", "$[3].status", "$[4].tags[1]", "$[5].when"):
        assert path in err, err
    assert "GONE" in err and "DRAFT" in err and "$[0]" not in err
    code, out, _err = _run("data", "dump", "--project", str(project), "--auth-modes", "apiKey")
    assert json.loads(out) == []
    data.write_text(json.dumps([good]))
    code, _out, err = _run("data", "load", str(data), "--project", str(project), "--auth-modes", "apiKey")
    assert code == 0, err


def test_serve_seed_is_checked_the_same_way(tmp_path: Path) -> None:
    project, _ = blog_project(tmp_path)
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([{"__typename": "Post", "id": "p1"}]))
    code, _out, err = _run("serve", str(project), "--seed", str(seed), "--db", ":memory:", "--port", "0")
    assert code == 1, err
    assert "$[0].title" in err and "nothing was loaded" in err
