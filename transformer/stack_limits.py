"""CloudFormation's quotas for one template, and the check of an emitted template against them.

Values from the CloudFormation quotas page (User Guide, "Understand CloudFormation quotas"): a
template declares at most 500 resources, 200 parameters and 200 outputs, its description is at most
1,024 bytes, and a template read from S3 (how `aws cloudformation package` hands nested stacks over,
and how `deploy --s3-bucket` hands over the root) is at most 1 MB.
"""

from __future__ import annotations

from typing import Any

MAX_RESOURCES = 500
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
MAX_DESCRIPTION_BYTES = 1024
MAX_S3_TEMPLATE_BYTES = 1_000_000
"""1 MB as CloudFormation counts it; the decimal reading is the stricter one."""


def limit_problems(name: str, template: dict[str, Any], size: int) -> list[str]:
    """Every quota `template` (serialized in `size` bytes) breaks, as `name: what`; empty when deployable."""
    problems = []
    counts = (
        ("resources", len(template.get("Resources", {})), MAX_RESOURCES),
        ("parameters", len(template.get("Parameters", {})), MAX_PARAMETERS),
        ("outputs", len(template.get("Outputs", {})), MAX_OUTPUTS),
        ("bytes", size, MAX_S3_TEMPLATE_BYTES),
        ("description bytes", len(str(template.get("Description", "")).encode()), MAX_DESCRIPTION_BYTES),
    )
    for what, count, limit in counts:
        if count > limit:
            problems.append(f"{name}: {count} {what}, more than CloudFormation's {limit}")
    return problems


__all__ = [
    "MAX_DESCRIPTION_BYTES",
    "MAX_OUTPUTS",
    "MAX_PARAMETERS",
    "MAX_RESOURCES",
    "MAX_S3_TEMPLATE_BYTES",
    "limit_problems",
]
