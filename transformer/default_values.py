"""Whether a `@default(value: ...)` suits its field, judged as Amplify's default-value transformer does.

The value is always a string in the SDL; Amplify checks it against the field's scalar (or enum) type, and
allows `@default` only on a single scalar or enum field.
"""

from __future__ import annotations

import calendar
import ipaddress
import json
import re
from collections.abc import Callable
from urllib.parse import urlparse

from graphql import DirectiveNode, FieldDefinitionNode, ListTypeNode, NonNullTypeNode, StringValueNode

DATE = re.compile(r"^(\d{4})-(0[1-9]|1[012])-(0[1-9]|[12]\d|3[01])$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$")
DATE_TIME_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$")
"""A date-time's time part (RFC 3339 allows a leap second there)."""
EMAIL = re.compile(
    r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
    r"(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$"
)
LEADING_INT = re.compile(r"^\s*[+-]?\d")
LEADING_FLOAT = re.compile(r"^\s*[+-]?(\d|\.\d|Infinity)")


def _date(text: str) -> bool:
    match = DATE.match(text)
    if match is None:
        return False
    year, month, day = (int(part) for part in match.groups())
    return day <= calendar.monthrange(year, month)[1]


def _date_time(text: str) -> bool:
    date, _, time = text.partition("T")
    return _date(date) and bool(DATE_TIME_TIME.match(time))


def _json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _url(text: str) -> bool:
    parsed = urlparse(text)
    return bool(parsed.scheme) and (bool(parsed.netloc) or bool(parsed.path))


def _ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


VALIDATORS: dict[str, Callable[[str], bool]] = {
    "Int": lambda v: bool(LEADING_INT.match(v)),
    "AWSTimestamp": lambda v: bool(LEADING_INT.match(v)),
    "Float": lambda v: bool(LEADING_FLOAT.match(v)),
    "Boolean": lambda v: v.lower() in {"true", "false"},
    "AWSJSON": _json,
    "AWSDate": _date,
    "AWSTime": lambda v: bool(TIME.match(v)),
    "AWSDateTime": _date_time,
    "AWSEmail": lambda v: bool(EMAIL.match(v)),
    "AWSURL": _url,
    "AWSIPAddress": _ip,
}
"""Scalars whose text form Amplify checks (ID, String and AWSPhone values are not judged here)."""

SCALARS = frozenset({"ID", "String", "AWSPhone", *VALIDATORS})


def check_default(field: FieldDefinitionNode, directive: DirectiveNode, enums: dict[str, set[str]]) -> str | None:
    """Amplify's message when `directive` (a `@default`) does not suit `field`; None when it does."""
    node = field.type.type if isinstance(field.type, NonNullTypeNode) else field.type
    type_name = getattr(node, "name", None)
    if isinstance(node, ListTypeNode) or type_name is None or (
        type_name.value not in SCALARS and type_name.value not in enums
    ):
        return "The @default directive may only be added to scalar or enum field types."
    value_node = next((a.value for a in directive.arguments or () if a.name.value == "value"), None)
    if value_node is None:
        return "The @default directive requires a value property on non-Postgres datasources."
    if not isinstance(value_node, StringValueNode):
        return "The @default directive does not support null values."
    value, scalar = value_node.value, type_name.value
    if scalar in enums:
        return None if value in enums[scalar] else f'Default value "{value}" is not a member of {scalar} enum.'
    check = VALIDATORS.get(scalar)
    return None if check is None or check(value) else f'Default value "{value}" is not a valid {scalar}.'


__all__ = ["check_default"]
