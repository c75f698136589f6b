"""A small, ordered, mutable SDL document and its printer, shaped like Amplify's transformer output.

Amplify builds its output schema by adding and rewriting type definitions in a map that keeps
insertion order, and prints it with graphql-js. Reproducing that order is what makes our output
diff cleanly against Amplify's, so this model keeps the same operations: add a type if absent,
append a field, move a field to the end when directives are added to it, merge directives into a
type. Printing follows graphql-js `print` (two-space indent, blank line between definitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field


def directive_name(text: str) -> str:
    return text[1:].split("(", 1)[0].strip()


def merge_directives(current: list[str], extra: list[str]) -> list[str]:
    """Append directives whose names are not present yet (Amplify's extension merge)."""
    names = {directive_name(d) for d in current}
    merged = list(current)
    for directive in extra:
        name = directive_name(directive)
        if name not in names:
            merged.append(directive)
            names.add(name)
    return merged


@dataclass
class SdlField:
    """A field of an object/interface type, or of an input type (then `args` stays empty)."""

    name: str
    type: str
    args: list[str] = field(default_factory=list)
    directives: list[str] = field(default_factory=list)
    description: str | None = None

    def render(self) -> str:
        text = self.name
        if self.args:
            if any("\n" in a for a in self.args):
                text += "(\n" + _indent("\n".join(self.args)) + "\n)"
            else:
                text += "(" + ", ".join(self.args) + ")"
        text += f": {self.type}"
        if self.directives:
            text += " " + " ".join(self.directives)
        return f"{self.description}\n{text}" if self.description else text


class SdlType:
    """An object type (`type`), an input type (`input`), or any definition kept verbatim (`raw`).

    Fields are kept in an insertion-ordered dict so that lookups, removals and moves to the end stay
    constant-time on root types with thousands of fields.
    """

    def __init__(
        self,
        kind: str,
        name: str,
        fields: list[SdlField] | None = None,
        directives: list[str] | None = None,
        interfaces: list[str] | None = None,
        description: str | None = None,
        raw: str | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self._fields: dict[str, SdlField] = {f.name: f for f in fields or ()}
        self.directives = list(directives or ())
        self.interfaces = list(interfaces or ())
        self.description = description
        self.raw = raw

    @property
    def fields(self) -> list[SdlField]:
        return list(self._fields.values())

    @fields.setter
    def fields(self, value: list[SdlField]) -> None:
        self._fields = {f.name: f for f in value}

    def field(self, name: str) -> SdlField | None:
        return self._fields.get(name)

    def has_field(self, name: str) -> bool:
        return name in self._fields

    def add_field(self, new: SdlField) -> None:
        self._fields.setdefault(new.name, new)

    def remove_field(self, name: str) -> SdlField | None:
        return self._fields.pop(name, None)

    def move_to_end(self, name: str) -> None:
        found = self._fields.pop(name, None)
        if found is not None:
            self._fields[name] = found

    def replace_field(self, new: SdlField) -> None:
        if new.name in self._fields:
            self._fields[new.name] = new

    def render(self) -> str:
        if self.raw is not None:
            return self.raw
        head = f"{self.kind} {self.name}"
        if self.interfaces:
            head += " implements " + " & ".join(self.interfaces)
        if self.directives:
            head += " " + " ".join(self.directives)
        if self._fields:
            head += " {\n" + _indent("\n".join(f.render() for f in self._fields.values())) + "\n}"
        return f"{self.description}\n{head}" if self.description else head


class SdlDocument:
    """Definitions in insertion order, addressed by name."""

    def __init__(self) -> None:
        self._types: dict[str, SdlType] = {}

    def __contains__(self, name: str) -> bool:
        return name in self._types

    def get(self, name: str) -> SdlType | None:
        return self._types.get(name)

    def add(self, definition: SdlType) -> SdlType:
        """Add a definition unless one of that name exists; returns the one in the document."""
        return self._types.setdefault(definition.name, definition)

    def object(self, name: str) -> SdlType:
        """The object type of that name, created at the end when absent (as Amplify adds root types)."""
        return self.add(SdlType(kind="type", name=name))

    def extend_directives(self, name: str, directives: list[str]) -> None:
        target = self._types.get(name)
        if target is not None and target.raw is None:
            target.directives = merge_directives(target.directives, directives)

    def add_field_directives(self, type_name: str, field_name: str, directives: list[str]) -> bool:
        """Amplify's `addDirectivesToField`: the field gets the directives and moves to the end."""
        target = self._types.get(type_name)
        found = target.field(field_name) if target is not None else None
        if target is None or found is None:
            return False
        found.directives = merge_directives(found.directives, directives)
        target.move_to_end(field_name)
        return True

    def render(self) -> str:
        return "\n\n".join(t.render() for t in self._types.values()) + "\n"


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.split("\n"))


__all__ = ["SdlDocument", "SdlField", "SdlType", "directive_name", "merge_directives"]
