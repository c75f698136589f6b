"""`$util.time`: the current time and conversions, with Java `DateTimeFormatter` patterns."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .context import VtlContext
from .errors import EvalError
from .host import HostObject
from .javatypes import require_int, require_str

_PATTERN_TOKEN = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|.", re.DOTALL)
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _zone(name: Any) -> Any:
    if name is None:
        return UTC
    try:
        return ZoneInfo(require_str(name, "time zone"))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise EvalError(f"unknown time zone {name!r}") from exc


def _offset(dt: datetime, colon: bool, z_for_zero: bool) -> str:
    offset = dt.utcoffset()
    seconds = int(offset.total_seconds()) if offset is not None else 0
    if seconds == 0 and z_for_zero:
        return "Z"
    sign = "+" if seconds >= 0 else "-"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


def _field(dt: datetime, letter: str, width: int) -> str:
    if letter in "yu":
        return f"{dt.year % 100:02d}" if width == 2 else f"{dt.year:0{width}d}"
    if letter in "ML":
        if width >= 4:
            return _MONTHS[dt.month - 1]
        if width == 3:
            return _MONTHS[dt.month - 1][:3]
        return f"{dt.month:0{width}d}"
    numeric = {"d": dt.day, "H": dt.hour, "m": dt.minute, "s": dt.second, "h": (dt.hour % 12) or 12,
               "k": dt.hour or 24, "D": dt.timetuple().tm_yday}
    if letter in numeric:
        return f"{numeric[letter]:0{width}d}"
    if letter == "S":
        return f"{dt.microsecond:06d}"[:width].ljust(width, "0")
    if letter == "a":
        return "AM" if dt.hour < 12 else "PM"
    if letter == "E":
        name = _DAYS[dt.weekday()]
        return name if width >= 4 else name[:3]
    if letter == "Z":
        return _offset(dt, colon=width >= 4, z_for_zero=width == 5)
    if letter in "Xx":
        return _offset(dt, colon=width >= 3, z_for_zero=letter == "X")
    if letter == "z":
        return dt.tzname() or "UTC"
    raise EvalError(f"unsupported date pattern letter {letter!r}")


def java_format(dt: datetime, pattern: str) -> str:
    out: list[str] = []
    for match in _PATTERN_TOKEN.finditer(pattern):
        token = match.group()
        if token.startswith("'"):
            out.append("'" if token == "''" else token[1:-1].replace("''", "'"))
        elif match.group(1):
            out.append(_field(dt, token[0], len(token)))
        else:
            out.append(token)
    return "".join(out)


_STRPTIME = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "M": "%m", "dd": "%d", "d": "%d", "HH": "%H", "H": "%H",
             "hh": "%I", "h": "%I", "mm": "%M", "ss": "%S", "SSS": "%f", "a": "%p", "Z": "%z", "XXX": "%z",
             "XX": "%z", "X": "%z", "xxx": "%z", "MMM": "%b", "MMMM": "%B", "EEE": "%a", "EEEE": "%A"}


def java_parse(text: str, pattern: str, zone: Any) -> datetime:
    parts: list[str] = []
    for match in _PATTERN_TOKEN.finditer(pattern):
        token = match.group()
        if token.startswith("'"):
            parts.append(("'" if token == "''" else token[1:-1].replace("''", "'")).replace("%", "%%"))
        elif match.group(1):
            if token not in _STRPTIME:
                raise EvalError(f"unsupported date pattern {token!r}")
            parts.append(_STRPTIME[token])
        else:
            parts.append(token.replace("%", "%%"))
    try:
        parsed = datetime.strptime(text, "".join(parts))
    except ValueError as exc:
        raise EvalError(f"cannot parse {text!r} with pattern {pattern!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def iso8601(dt: datetime) -> str:
    utc = dt.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _from_millis(millis: Any) -> datetime:
    return datetime.fromtimestamp(require_int(millis, "epoch milliseconds") / 1000, tz=UTC)


class TimeUtil(HostObject):
    __slots__ = ("_context",)
    java_type = "TimeUtil"

    def __init__(self, context: VtlContext) -> None:
        self._context = context

    def _now(self) -> datetime:
        now = self._context.now or datetime.now(UTC)
        return now if now.tzinfo else now.replace(tzinfo=UTC)

    def m_nowISO8601(self) -> str:
        return iso8601(self._now())

    def m_nowEpochSeconds(self) -> int:
        return int(self._now().timestamp())

    def m_nowEpochMilliSeconds(self) -> int:
        return int(self._now().timestamp() * 1000)

    def m_nowFormatted(self, pattern: Any, zone: Any = None) -> str:
        return java_format(self._now().astimezone(_zone(zone)), require_str(pattern, "format"))

    def m_epochMilliSecondsToSeconds(self, millis: Any) -> int:
        return require_int(millis, "epoch milliseconds") // 1000

    def m_epochMilliSecondsToISO8601(self, millis: Any) -> str:
        return iso8601(_from_millis(millis))

    def m_epochMilliSecondsToFormatted(self, millis: Any, pattern: Any, zone: Any = None) -> str:
        return java_format(_from_millis(millis).astimezone(_zone(zone)), require_str(pattern, "format"))

    def m_parseISO8601ToEpochMilliSeconds(self, text: Any) -> int:
        value = require_str(text, "ISO 8601 time")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as exc:
            raise EvalError(f"not an ISO 8601 time: {value!r}") from exc
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return int(parsed.timestamp() * 1000)

    def m_parseFormattedToEpochMilliSeconds(self, text: Any, pattern: Any, zone: Any = None) -> int:
        parsed = java_parse(require_str(text, "time"), require_str(pattern, "format"), _zone(zone))
        return int(parsed.timestamp() * 1000)
