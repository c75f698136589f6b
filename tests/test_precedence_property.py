"""Whatever JSON arrives, parsing the group file returns diagnostics or a model: never an exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from transformer.precedence import dump_group_file, parse_group_file

SAMPLE: list[dict[str, Any]] = [
    {
        "groupName": "Admins",
        "precedence": 1,
        "customPolicies": [
            {
                "PolicyName": "admin-group-policy",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {"Sid": "s1", "Effect": "Allow", "Action": ["s3:CreateBucket"], "Resource": ["arn:aws:s3:::*"]}
                    ],
                },
            }
        ],
    },
    {"groupName": "Editors", "precedence": 2},
]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
keys = st.sampled_from(
    [
        "groupName",
        "precedence",
        "customPolicies",
        "PolicyName",
        "PolicyDocument",
        "Statement",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
        "Version",
        "extra",
    ]
)


def _mutate(data: Any, path: list[int], key: str, value: Any) -> Any:
    """Replace or add `key` in the object reached by following `path` through the structure."""
    node = data
    for step in path:
        children = list(node.values()) if isinstance(node, dict) else node if isinstance(node, list) else []
        containers = [c for c in children if isinstance(c, dict | list)]
        if not containers:
            break
        node = containers[step % len(containers)]
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list) and node:
        node[path[0] % len(node) if path else 0] = value
    return data


@settings(max_examples=150, deadline=None)
@given(path=st.lists(st.integers(0, 5), max_size=6), key=keys, value=json_values)
def test_mutated_group_files_never_raise(path: list[int], key: str, value: Any) -> None:
    data = _mutate(json.loads(json.dumps(SAMPLE)), path, key, value)
    group_file, diagnostics = parse_group_file(json.dumps(data), "g.json")
    if group_file is None:
        assert diagnostics and all(d.file == "g.json" for d in diagnostics)
    else:
        reparsed, _ = parse_group_file(dump_group_file(group_file), "g.json")
        assert reparsed is not None and dump_group_file(reparsed) == dump_group_file(group_file)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str) -> None:
    group_file, diagnostics = parse_group_file(text, "g.json")
    assert group_file is not None or diagnostics
