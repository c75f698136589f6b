"""Linting custom policies with parliament: typos in actions become warnings with the policy's path."""

from __future__ import annotations

import json

from transformer.diagnostics import Severity
from transformer.iam_policy import lint_group_file, lint_policy_document
from transformer.precedence import PolicyDocument, parse_group_file


def test_unknown_action_is_reported() -> None:
    document = PolicyDocument.model_validate(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:CreateBuckets", "Resource": "*"}]}
    )
    findings = lint_policy_document(document)
    assert any("UNKNOWN_ACTION" in f and "s3:CreateBuckets" in f for f in findings)


def test_group_file_lint_points_at_the_policy() -> None:
    groups = [
        {
            "groupName": "Admins",
            "precedence": 1,
            "customPolicies": [
                {
                    "PolicyName": "ok",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{"Effect": "Allow", "Action": "s3:CreateBucket", "Resource": "arn:aws:s3:::*"}],
                    },
                }
            ],
        },
        {
            "groupName": "Ops",
            "precedence": 2,
            "customPolicies": [
                {
                    "PolicyName": "typo",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b-${env}/*"}
                        ],
                    },
                }
            ],
        },
    ]
    group_file, _ = parse_group_file(json.dumps(groups), "g.json")
    assert group_file is not None
    [finding] = lint_group_file(group_file, "g.json")
    assert finding.severity is Severity.WARNING
    assert finding.json_path == "[1].customPolicies[0].PolicyDocument"
    assert "s3:GetObjekt" in finding.message and '"typo"' in finding.message
