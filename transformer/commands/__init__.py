"""Build-time CLI commands; each module holds one command (or one command group)."""

from __future__ import annotations

import click


def register_build_commands(group: click.Group) -> None:
    from transformer.commands import access, check, groups
    from transformer.commands import matrix as matrix_command
    from transformer.commands import transform as transform_command

    group.add_command(check.check)
    group.add_command(groups.groups)
    group.add_command(access.access)
    group.add_command(transform_command.transform)
    group.add_command(matrix_command.matrix)
