"""Build-time CLI commands; each module holds one command (or one command group)."""

from __future__ import annotations

import click

from transformer.lazy_commands import add_lazy_command


def register_build_commands(group: click.Group) -> None:
    for name in ("check", "groups", "access", "transform", "matrix"):
        add_lazy_command(group, name, f"transformer.commands.{name}:{name}")
