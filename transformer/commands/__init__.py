"""Build-time CLI commands; each module holds one command (or one command group)."""

from __future__ import annotations

import click


def register_build_commands(group: click.Group) -> None:
    from transformer.commands import access, check, groups

    group.add_command(check.check)
    group.add_command(groups.groups)
    group.add_command(access.access)
