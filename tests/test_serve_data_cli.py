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
    assert "record 'bad'" in err and "nope" in err and "nothing was loaded" in err
    code, out, _err = _run("data", "dump", "--project", str(project))
    assert json.loads(out) == []
    data.write_text("{not json")
    code, _out, err = _run("data", "load", str(data), "--project", str(project))
    assert code == 1 and "not valid JSON" in err
    code, _out, err = _run("data", "load", str(tmp_path / "missing.json"), "--project", str(project))
    assert code == 2
