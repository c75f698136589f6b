"""`$util`: AppSync's core helpers (null tests, JSON, encoding, errors, auth type, ids, type tests)."""

from __future__ import annotations

import base64
import binascii
import json
import os
import time
import uuid
from typing import Any
from urllib.parse import quote_plus, unquote_plus

from .context import RenderState
from .errors import EvalError, VtlRuntimeError
from .host import HostObject
from .javamethods import java_regex
from .javatypes import VOID, is_number, java_type_name, require_str, to_java_string, to_json, truthy
from .util_collections import ListUtil, MapUtil, MathUtil, StrUtil
from .util_dynamodb import DynamoDbUtil
from .util_time import TimeUtil
from .util_transform import TransformUtil

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_TYPE_OF = {
    "null": "Null",
    "Boolean": "Boolean",
    "Integer": "Number",
    "Double": "Number",
    "String": "String",
    "List": "List",
    "Map": "Map",
}
"""`$util.typeOf` by Java type name; any other value (a host object) is an `Object`."""


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and len(value) == 0)


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def escape_javascript(text: str) -> str:
    """Apache Commons `StringEscapeUtils.escapeJavaScript`, which AppSync uses."""
    out: list[str] = []
    simple = {'"': '\\"', "'": "\\'", "\\": "\\\\", "/": "\\/", "\b": "\\b", "\n": "\\n", "\t": "\\t",
              "\f": "\\f", "\r": "\\r"}
    for char in text:
        code = ord(char)
        if char in simple:
            out.append(simple[char])
        elif code < 32 or code > 0x7F:
            if code > 0xFFFF:
                encoded = char.encode("utf-16-be")
                out.append(f"\\u{encoded[0]:02X}{encoded[1]:02X}\\u{encoded[2]:02X}{encoded[3]:02X}")
            else:
                out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return "".join(out)


class LogUtil(HostObject):
    """`$util.log.info/error`: accepted and discarded."""

    __slots__ = ()
    java_type = "LogUtil"

    def m_info(self, *args: Any) -> str:
        return VOID

    def m_error(self, *args: Any) -> str:
        return VOID


_STATELESS_HELPERS: dict[str, HostObject] = {
    "dynamodb": DynamoDbUtil(),
    "transform": TransformUtil(),
    "str": StrUtil(),
    "math": MathUtil(),
    "list": ListUtil(),
    "map": MapUtil(),
    "log": LogUtil(),
}


class UtilObject(HostObject):
    __slots__ = ("_state", "_time")
    java_type = "Util"

    def __init__(self, state: RenderState) -> None:
        self._state = state
        self._time = TimeUtil(state.context)

    def get_property(self, name: str) -> Any:
        if name == "time":
            return self._time
        return _STATELESS_HELPERS.get(name)

    # ---- null and emptiness

    def m_isNull(self, value: Any) -> bool:
        return value is None

    def m_isNullOrEmpty(self, value: Any) -> bool:
        return _is_empty(value)

    def m_isNullOrBlank(self, value: Any) -> bool:
        return _is_blank(value)

    def m_defaultIfNull(self, value: Any, default: Any) -> Any:
        return default if value is None else value

    def m_defaultIfNullOrEmpty(self, value: Any, default: Any) -> Any:
        return default if _is_empty(value) else value

    def m_defaultIfNullOrBlank(self, value: Any, default: Any) -> Any:
        return default if _is_blank(value) else value

    # ---- types

    def m_isString(self, value: Any) -> bool:
        return isinstance(value, str)

    def m_isNumber(self, value: Any) -> bool:
        return is_number(value)

    def m_isBoolean(self, value: Any) -> bool:
        return isinstance(value, bool)

    def m_isList(self, value: Any) -> bool:
        return isinstance(value, list)

    def m_isMap(self, value: Any) -> bool:
        return isinstance(value, dict)

    def m_typeOf(self, value: Any) -> str:
        return _TYPE_OF.get(java_type_name(value), "Object")

    def m_matches(self, pattern: Any, text: Any) -> bool:
        if text is None:
            return False
        return java_regex(require_str(pattern, "pattern")).fullmatch(to_java_string(text)) is not None

    # ---- JSON and encodings

    def m_toJson(self, value: Any) -> str:
        return to_json(value)

    def m_parseJson(self, text: Any) -> Any:
        """Null for text that is not JSON: Amplify's dynamic-group check parses claims that may be
        plain strings (`"Admins"`) and falls back to `[claim]` when the result is not a list."""
        if text is None:
            return None
        try:
            return json.loads(require_str(text, "parseJson argument"), parse_constant=_reject_constant)
        except ValueError:
            return None

    def m_qr(self, value: Any) -> str:
        return VOID

    def m_quiet(self, value: Any) -> str:
        return VOID

    def m_escapeJavaScript(self, text: Any) -> Any:
        return None if text is None else escape_javascript(to_java_string(text))

    def m_urlEncode(self, text: Any) -> Any:
        return None if text is None else quote_plus(to_java_string(text), safe="*").replace("~", "%7E")

    def m_urlDecode(self, text: Any) -> Any:
        return None if text is None else unquote_plus(require_str(text, "urlDecode argument"))

    def m_base64Encode(self, text: Any) -> Any:
        if text is None:
            return None
        return base64.b64encode(to_java_string(text).encode("utf-8")).decode("ascii")

    def m_base64Decode(self, text: Any) -> Any:
        if text is None:
            return None
        try:
            raw = base64.b64decode(require_str(text, "base64Decode argument"), validate=True)
            return raw.decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise EvalError(f"base64Decode: {exc}") from exc

    # ---- ids

    def m_autoId(self) -> str:
        return str(uuid.uuid4())

    def m_autoUlid(self) -> str:
        value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
        return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))

    # ---- errors and authorization

    def _raise(self, message: Any, error_type: Any, data: Any, info: Any) -> VtlRuntimeError:
        text = None if message is None else to_java_string(message)
        kind = None if error_type is None else to_java_string(error_type)
        return VtlRuntimeError(text, kind, data, info)

    def m_error(self, message: Any, error_type: Any = None, data: Any = None, info: Any = None) -> None:
        raise self._raise(message, error_type, data, info)

    def m_appendError(self, message: Any, error_type: Any = None, data: Any = None, info: Any = None) -> str:
        error = self._raise(message, error_type, data, info).as_graphql_error()
        self._state.appended_errors.append(error)
        self._state.context.out_errors.append(error)
        return VOID

    def m_validate(self, condition: Any, message: Any, error_type: Any = None, data: Any = None) -> str:
        if not isinstance(condition, bool):
            raise EvalError(f"validate needs a Boolean condition, got {java_type_name(condition)}")
        if not truthy(condition):
            raise self._raise(message, error_type, data, None)
        return VOID

    def m_unauthorized(self) -> None:
        info = self._state.context.info
        raise VtlRuntimeError(
            f"Not Authorized to access {to_java_string(info.field_name)} on type "
            f"{to_java_string(info.parent_type_name)}",
            "Unauthorized",
        )

    def m_authType(self) -> str | None:
        return self._state.context.auth_type
