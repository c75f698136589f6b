"""Rendering a parsed template against a `VtlContext`, and what comes out (`RenderResult`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .context import ContextObject, RenderState, VtlContext
from .errors import VtlError, VtlRuntimeError
from .nodes import BreakSignal, MacroDef, ReturnSignal, StopSignal, render_nodes
from .template import Template, get_template
from .util import UtilObject
from .util_transform import ExtensionsObject

BUILTIN_NAMES = frozenset({"ctx", "context", "util", "utils", "extensions"})


class _BareReturn:
    """Marker for `#return` without a value."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BARE_RETURN"


BARE_RETURN = _BareReturn()


@dataclass
class RenderResult:
    text: str
    """Output so far (complete unless the template returned, stopped or raised an error)."""
    has_returned: bool = False
    returned: Any = None
    """Value of `#return($x)`, `BARE_RETURN` for a bare `#return`, None when there was no `#return`."""
    stopped: bool = False
    error: VtlRuntimeError | None = None
    """Set when `$util.error` / `$util.unauthorized` / `$util.validate` fired; rendering stopped there."""
    appended_errors: list[dict[str, Any]] = field(default_factory=list)
    stash: dict[str, Any] = field(default_factory=dict)
    subscription_filter: Any = None
    subscription_invalidation_filter: Any = None
    invalidations: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def json(self) -> Any:
        """The output parsed as JSON (what AppSync does with a request or response template)."""
        try:
            return json.loads(self.text)
        except ValueError as exc:
            raise VtlError(f"template output is not valid JSON: {exc}") from exc


class Renderer:
    """Variables and built-ins of one render; the `Scope` that nodes evaluate against."""

    __slots__ = ("vars", "macros", "read_only", "template")

    def __init__(self, template: Template, state: RenderState) -> None:
        util = UtilObject(state)
        ctx = ContextObject(state.context)
        self.vars: dict[str, Any] = {
            "ctx": ctx,
            "context": ctx,
            "util": util,
            "utils": util,
            "extensions": ExtensionsObject(state),
        }
        self.macros: dict[str, MacroDef] = template.macros
        self.read_only = BUILTIN_NAMES
        self.template = template

    def fail(self, pos: int, message: str) -> VtlError:
        line, column = self.template.location(pos)
        return VtlError(message, self.template.name, line, column)


def render(template: Template, context: VtlContext) -> RenderResult:
    """Render `template` with `context`. Template bugs raise `VtlError`; `$util.error` does not raise."""
    state = RenderState(context)
    renderer = Renderer(template, state)
    out: list[str] = []
    result = RenderResult(text="")
    try:
        render_nodes(template.nodes, renderer, out)
    except ReturnSignal as signal:
        result.has_returned = True
        result.returned = BARE_RETURN if signal.bare else signal.value
    except (StopSignal, BreakSignal):
        result.stopped = True
    except VtlRuntimeError as error:
        result.error = error
    except RecursionError:
        raise VtlError("template nesting is too deep", template.name) from None
    result.text = "".join(out)
    result.appended_errors = state.appended_errors
    result.stash = context.stash
    result.subscription_filter = state.subscription_filter
    result.subscription_invalidation_filter = state.invalidation_filter
    result.invalidations = state.invalidations
    return result


def render_text(text: str, context: VtlContext, name: str = "<template>") -> RenderResult:
    """Parse (cached) and render in one call."""
    return render(get_template(text, name), context)
