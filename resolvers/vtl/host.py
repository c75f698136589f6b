"""Base class for built-in objects (`$ctx`, `$util`, `$foreach`, ...) a template may reach.

Only what a subclass lists is reachable: properties through `get_property`, methods through
functions named `m_<methodName>`. The prefix keeps every other Python attribute (dunders, helpers)
out of a template's reach.
"""

from __future__ import annotations

from typing import Any


class HostObject:
    """A Java-like object exposed to templates; unknown properties are null, unknown methods an error."""

    __slots__ = ()
    java_type = "Object"

    def get_property(self, name: str) -> Any:
        """Value of `$obj.name`; None when the object has no such property."""
        return None

    def java_string(self) -> str:
        return f"{self.java_type}@vtl"
