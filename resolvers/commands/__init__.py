"""Run-time CLI commands; each module holds one command (or one command group)."""

from __future__ import annotations

import click

from transformer.lazy_commands import add_lazy_command


def register_runtime_commands(group: click.Group) -> None:
    for name in ("token", "credentials", "explain", "test", "serve", "data"):
        add_lazy_command(group, name, f"resolvers.commands.{name}:{name}")
