"""`$util.dynamodb`: values to DynamoDB attribute values (`{"S": ...}`, `{"N": ...}`, ...)."""

from __future__ import annotations

from typing import Any

from .errors import EvalError
from .host import HostObject
from .javatypes import (
    is_number,
    java_type_name,
    require_list,
    require_map,
    require_str,
    to_java_string,
    to_json,
)


def to_attribute_value(value: Any) -> dict[str, Any]:
    """The DynamoDB typed value of a template value (lists become `L`, maps `M`)."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if is_number(value):
        return {"N": to_java_string(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [to_attribute_value(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {to_java_string(k): to_attribute_value(v) for k, v in value.items()}}
    raise EvalError(f"cannot convert a {java_type_name(value)} to a DynamoDB value")


def _number(value: Any) -> str:
    if not is_number(value):
        raise EvalError(f"expected a number, got {java_type_name(value)}")
    return to_java_string(value)


class DynamoDbUtil(HostObject):
    __slots__ = ()
    java_type = "DynamoDBUtil"

    def m_toDynamoDB(self, value: Any) -> Any:
        return to_attribute_value(value)

    def m_toDynamoDBJson(self, value: Any) -> str:
        return to_json(to_attribute_value(value))

    def m_toString(self, value: Any) -> Any:
        return None if value is None else {"S": require_str(value, "toString argument")}

    def m_toStringJson(self, value: Any) -> str:
        return to_json(self.m_toString(value))

    def m_toStringSet(self, values: Any) -> Any:
        items = require_list(values, "toStringSet argument")
        return {"SS": [require_str(v, "string set element") for v in items]}

    def m_toStringSetJson(self, values: Any) -> str:
        return to_json(self.m_toStringSet(values))

    def m_toNumber(self, value: Any) -> Any:
        return None if value is None else {"N": _number(value)}

    def m_toNumberJson(self, value: Any) -> str:
        return to_json(self.m_toNumber(value))

    def m_toNumberSet(self, values: Any) -> Any:
        return {"NS": [_number(v) for v in require_list(values, "toNumberSet argument")]}

    def m_toNumberSetJson(self, values: Any) -> str:
        return to_json(self.m_toNumberSet(values))

    def m_toBinary(self, value: Any) -> Any:
        return None if value is None else {"B": require_str(value, "toBinary argument")}

    def m_toBinaryJson(self, value: Any) -> str:
        return to_json(self.m_toBinary(value))

    def m_toBinarySet(self, values: Any) -> Any:
        return {"BS": [require_str(v, "binary set element") for v in require_list(values, "argument")]}

    def m_toBinarySetJson(self, values: Any) -> str:
        return to_json(self.m_toBinarySet(values))

    def m_toBoolean(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, bool):
            raise EvalError(f"expected a Boolean, got {java_type_name(value)}")
        return {"BOOL": value}

    def m_toBooleanJson(self, value: Any) -> str:
        return to_json(self.m_toBoolean(value))

    def m_toNull(self) -> Any:
        return {"NULL": True}

    def m_toNullJson(self) -> str:
        return to_json({"NULL": True})

    def m_toList(self, values: Any) -> Any:
        return None if values is None else to_attribute_value(require_list(values, "toList argument"))

    def m_toListJson(self, values: Any) -> str:
        return to_json(self.m_toList(values))

    def m_toMap(self, mapping: Any) -> Any:
        return None if mapping is None else to_attribute_value(require_map(mapping, "toMap argument"))

    def m_toMapJson(self, mapping: Any) -> str:
        return to_json(self.m_toMap(mapping))

    def m_toMapValues(self, mapping: Any) -> Any:
        if mapping is None:
            return None
        items = require_map(mapping, "toMapValues argument")
        return {to_java_string(k): to_attribute_value(v) for k, v in items.items()}

    def m_toMapValuesJson(self, mapping: Any) -> str:
        return to_json(self.m_toMapValues(mapping))

    def m_toS3Object(self, key: Any, bucket: Any, region: Any, version: Any = None) -> Any:
        s3: dict[str, Any] = {
            "key": require_str(key, "key"),
            "bucket": require_str(bucket, "bucket"),
            "region": require_str(region, "region"),
        }
        if version is not None:
            s3["version"] = require_str(version, "version")
        return {"S": to_json({"s3": s3})}

    def m_toS3ObjectJson(self, key: Any, bucket: Any, region: Any, version: Any = None) -> str:
        return to_json(self.m_toS3Object(key, bucket, region, version))
