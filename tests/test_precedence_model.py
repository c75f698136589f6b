"""The group file model: loading, lookup, ordering, round trip and locating the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from transformer.diagnostics import UnreadableInput
from transformer.precedence import (
    GroupFile,
    UserPoolGroup,
    dump_group_file,
    find_group_file,
    load_group_file,
    parse_group_file,
)

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "blog" / "user-pool-group-precedence.json"


def test_sample_loads_without_diagnostics() -> None:
    group_file, diagnostics = load_group_file(SAMPLE)
    assert diagnostics == []
    assert group_file is not None
    assert group_file.names() == ["Admins", "Editors", "Viewers"]
    admins = group_file.get("Admins")
    assert admins is not None and admins.precedence == 1
    statement = admins.policies()[0].PolicyDocument.statements()[0]
    assert statement.actions() == ["s3:CreateBucket"]
    assert statement.resources() == ["arn:aws:s3:::*"]
    assert group_file.get("Nobody") is None


def test_sample_round_trip_is_byte_identical() -> None:
    group_file, _ = load_group_file(SAMPLE)
    assert group_file is not None
    assert dump_group_file(group_file) == SAMPLE.read_text(encoding="utf-8")


def test_round_trip_keeps_unknown_keys_order_and_shapes() -> None:
    text = json.dumps(
        [
            {
                "precedence": 4,
                "note": {"keep": [1, 2]},
                "groupName": "Ops",
                "customPolicies": [
                    {
                        "PolicyName": "ops",
                        "PolicyDocument": {
                            "Statement": {"Resource": "*", "Effect": "Deny", "NotAction": "s3:*"},
                            "Version": "2012-10-17",
                        },
                    }
                ],
            },
            {"groupName": "Ünïcode", "precedence": 0},
        ],
        indent=2,
        ensure_ascii=False,
    )
    group_file, diagnostics = parse_group_file(text, "x.json")
    assert group_file is not None, diagnostics
    assert dump_group_file(group_file) == text  # no trailing newline in, none out
    assert group_file.get("Ops").model_extra == {"note": {"keep": [1, 2]}}  # type: ignore[union-attr]


def test_by_precedence_lowest_first_ties_in_file_order() -> None:
    group_file = GroupFile(
        [
            UserPoolGroup(groupName="C", precedence=5),
            UserPoolGroup(groupName="B", precedence=0),
            UserPoolGroup(groupName="A", precedence=5),
        ]
    )
    assert [g.groupName for g in group_file.by_precedence()] == ["B", "C", "A"]


def test_group_file_rejects_duplicate_names_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="more than once"):
        GroupFile([UserPoolGroup(groupName="A", precedence=1), UserPoolGroup(groupName="A", precedence=2)])


def test_unreadable_file_raises(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput):
        load_group_file(tmp_path / "missing.json")


def test_find_group_file_beside_schema(tmp_path: Path) -> None:
    schema = tmp_path / "schema.graphql"
    schema.write_text("type A { id: ID }")
    assert find_group_file(schema) is None
    (tmp_path / "user-pool-group-precedence.json").write_text("[]")
    assert find_group_file(schema) == (tmp_path / "user-pool-group-precedence.json").resolve()


def test_find_group_file_in_amplify_project(tmp_path: Path) -> None:
    schema = tmp_path / "amplify" / "backend" / "api" / "blog" / "schema.graphql"
    schema.parent.mkdir(parents=True)
    schema.write_text("type A { id: ID }")
    target = tmp_path / "amplify" / "backend" / "auth" / "blogauth" / "userPoolGroups"
    target.mkdir(parents=True)
    (target / "user-pool-group-precedence.json").write_text("[]")
    assert find_group_file(schema) == (target / "user-pool-group-precedence.json").resolve()
    assert find_group_file(schema.parent) == (target / "user-pool-group-precedence.json").resolve()


def test_with_precedence_keeps_everything_else() -> None:
    group_file, _ = parse_group_file('[{"note": 1, "precedence": 3, "groupName": "A"}]', "g.json")
    assert group_file is not None
    moved = group_file.root[0].with_precedence(0)
    assert moved.to_json() == {"note": 1, "precedence": 0, "groupName": "A"}
    assert list(moved.to_json()) == ["note", "precedence", "groupName"]
    with pytest.raises(ValueError):
        group_file.root[0].with_precedence(-1)
