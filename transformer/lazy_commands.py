"""CLI commands imported only when they run: `gqlauth transform` does not load the server, tokens or crypto.

Every command module is registered by name and `module:attribute`; `--help` still lists them all
(it imports each to read its help text).
"""

from __future__ import annotations

import importlib
from typing import Any

import click


class LazyGroup(click.Group):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy: dict[str, str] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module_name, _, attribute = self.lazy[cmd_name].partition(":")
            self.add_command(getattr(importlib.import_module(module_name), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


def add_lazy_command(group: click.Group, name: str, target: str) -> None:
    """Register `target` ("module:attribute") as `name`; a plain group imports it now."""
    if isinstance(group, LazyGroup):
        group.lazy[name] = target
        return
    module_name, _, attribute = target.partition(":")
    group.add_command(getattr(importlib.import_module(module_name), attribute), name)


__all__ = ["LazyGroup", "add_lazy_command"]
