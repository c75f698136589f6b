"""The permission table a person reads: per model, who may do what, and on which fields.

Rows are roles in a fixed order (static groups in precedence order, dynamic groups, owners,
signed-in users, guests and API keys, IAM roles, custom authorizers); columns are the `@auth`
operations. A cell is full (every field), partial (only some fields; the row says which), or none.
Delete is all or nothing, as in Amplify: a role with delete on only some fields cannot delete at all.
Rows are additive: a caller may do whatever any row that applies to them allows.
"""

from __future__ import annotations

import html
import io
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel
from rich.console import Console, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from transformer.matrix import AccessMatrix, ModelAccess, Role, RoleKind
from transformer.precedence import GroupFile
from transformer.rules import MODEL_OPERATIONS, Operation, Provider

TableFormat = Literal["table", "markdown", "html", "json"]
FORMATS: tuple[str, ...] = ("table", "markdown", "html", "json")


class Access(StrEnum):
    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


SYMBOLS = {Access.FULL: "✓", Access.PARTIAL: "◐", Access.NONE: "✗"}

_PROVIDER_NAMES = {
    Provider.USER_POOLS: "user pool",
    Provider.OIDC: "OIDC",
    Provider.IAM: "IAM",
    Provider.API_KEY: "API key",
    Provider.FUNCTION: "Lambda",
}


def role_label(role: Role) -> str:
    """A short human name for a role: `group Admins`, `owner (owner)`, `signed-in (user pool)`."""
    suffix = "" if role.provider in {Provider.USER_POOLS, Provider.API_KEY, Provider.IAM, Provider.FUNCTION} else " (OIDC)"
    if role.kind is RoleKind.STATIC_GROUP:
        claim = "" if role.group_claim == "cognito:groups" else f" [claim {role.group_claim}]"
        return f"group {role.group}{claim}{suffix}"
    if role.kind is RoleKind.DYNAMIC_GROUP:
        return f"groups in field {role.groups_field}{suffix}"
    if role.kind is RoleKind.OWNER:
        return f"owner (field {role.owner_field}){suffix}"
    if role.kind is RoleKind.PRIVATE:
        if role.provider is Provider.IAM:
            return "IAM signed-in (authenticated role)"
        return f"signed-in ({_PROVIDER_NAMES[role.provider]})"
    if role.kind is RoleKind.PUBLIC:
        return "guest (IAM unauthenticated role)" if role.provider is Provider.IAM else "guest (API key)"
    return "custom (Lambda authorizer)"


def _role_rank(role: Role) -> int:
    order = {
        RoleKind.STATIC_GROUP: 0,
        RoleKind.DYNAMIC_GROUP: 1,
        RoleKind.OWNER: 2,
        RoleKind.PRIVATE: 3,
        RoleKind.PUBLIC: 4,
        RoleKind.CUSTOM: 6,
    }
    rank = order[role.kind]
    if role.provider is Provider.IAM and role.kind is RoleKind.PRIVATE:
        return 5
    if role.provider is Provider.IAM and role.kind is RoleKind.PUBLIC:
        return 5
    return rank


class PermissionRow(BaseModel):
    label: str
    role: str | None
    """The matrix role name; None for a group of the group file that no rule of this model names."""
    access: dict[Operation, Access]
    limited_to: dict[Operation, list[str]]
    """For partial operations: the only fields the role may act on."""
    notes: list[str] = []


class ModelPermissions(BaseModel):
    model: str
    fields: list[str]
    rows: list[PermissionRow]


class CustomFieldPermissions(BaseModel):
    """A field of a non-model type (custom query or mutation) with static `@auth` rules."""

    field: str
    allowed: list[str]


class PermissionTable(BaseModel):
    version: Literal[1] = 1
    operations: list[Operation]
    models: list[ModelPermissions]
    custom_fields: list[CustomFieldPermissions] = []


def _row(access: ModelAccess, role: Role) -> PermissionRow:
    everything = len(access.fields)
    cells: dict[Operation, Access] = {}
    limited: dict[Operation, list[str]] = {}
    notes: list[str] = []
    for op in MODEL_OPERATIONS:
        allowed = access.fields_for(role.name, op)
        if not allowed:
            cells[op] = Access.NONE
        elif len(allowed) == everything:
            cells[op] = Access.FULL
        elif op is Operation.DELETE:
            cells[op] = Access.NONE
            withheld = [f for f in access.field_names() if f not in allowed]
            notes.append(f"cannot delete: no delete on {', '.join(withheld)} (delete needs every field)")
        else:
            cells[op] = Access.PARTIAL
            limited[op] = list(allowed)
    return PermissionRow(label=role_label(role), role=role.name, access=cells, limited_to=limited, notes=notes)


def _empty_row(label: str) -> PermissionRow:
    return PermissionRow(label=label, role=None, access=dict.fromkeys(MODEL_OPERATIONS, Access.NONE), limited_to={})


def model_permissions(access: ModelAccess, group_file: GroupFile | None) -> ModelPermissions:
    roles = list(access.roles.values())
    rows: list[PermissionRow] = []
    listed: set[str] = set()
    for group in group_file.by_precedence() if group_file is not None else []:
        matching = [r for r in roles if r.kind is RoleKind.STATIC_GROUP and r.group == group.groupName]
        if matching:
            rows.extend(_row(access, r) for r in matching)
        else:
            rows.append(_empty_row(f"group {group.groupName}"))
        listed.update(r.name for r in matching)
    remaining = sorted((r for r in roles if r.name not in listed), key=_role_rank)
    rows.extend(_row(access, r) for r in remaining)
    if not access.has_auth and not roles:
        rows.append(_empty_row("everyone (no @auth: denied unless sandbox mode)"))
    return ModelPermissions(model=access.name, fields=access.field_names(), rows=rows)


def permission_table(matrix: AccessMatrix, group_file: GroupFile | None) -> PermissionTable:
    return PermissionTable(
        operations=list(MODEL_OPERATIONS),
        models=[model_permissions(access, group_file) for access in matrix.models.values()],
        custom_fields=[
            CustomFieldPermissions(
                field=f"{extra.type_name}.{extra.field_name}",
                allowed=[role_label(r) for r in sorted(extra.roles, key=_role_rank)],
            )
            for extra in matrix.non_model_fields
        ],
    )


def _limits_text(row: PermissionRow, all_fields: list[str]) -> str:
    """`get, list: only id, title; update: all but owner` (operations sharing a field list grouped)."""
    grouped: dict[tuple[str, ...], list[str]] = {}
    for op, fields in row.limited_to.items():
        grouped.setdefault(tuple(fields), []).append(op.value)
    parts: list[str] = []
    for allowed, ops in grouped.items():
        missing = [f for f in all_fields if f not in allowed]
        text = f"all but {', '.join(missing)}" if len(missing) < len(allowed) else f"only {', '.join(allowed)}"
        parts.append(f"{', '.join(ops)}: {text}")
    return "; ".join(parts + row.notes)


TEXT_WIDTH = 240
"""The text table's width when no terminal gives one (files, pipes, golden files)."""
_NOTES_MIN_WIDTH = 24


def _grid_fits(labels: list[str], headers: list[str], width: int) -> bool:
    """Whether a grid with whole labels, every header and a readable notes column fits in `width`."""
    label_width = max((len(label) for label in labels), default=4)
    return label_width + sum(len(h) for h in headers) + 3 * (len(headers) + 2) + 1 + _NOTES_MIN_WIDTH <= width


def _model_grid(model: ModelPermissions, operations: list[Operation]) -> Table:
    grid = Table(title=Text(model.model), title_justify="left", show_lines=False)
    grid.add_column("role", no_wrap=True)
    for op in operations:
        grid.add_column(op.value, justify="center", no_wrap=True)
    grid.add_column("limited to / notes", overflow="fold")
    for row in model.rows:
        grid.add_row(
            Text(row.label),
            *(SYMBOLS[row.access[op]] for op in operations),
            Text(_limits_text(row, model.fields)),
        )
    return grid


def _model_stack(model: ModelPermissions, operations: list[Operation]) -> list[RenderableType]:
    """One block per role for a narrow terminal: the role, its operations, then its limits, each wrapped at words."""
    blocks: list[RenderableType] = [Text(model.model, style="bold")]
    for row in model.rows:
        cells = "  ".join(f"{op.value} {SYMBOLS[row.access[op]]}" for op in operations)
        blocks.append(Padding(Text(row.label, overflow="fold"), (0, 0, 0, 2)))
        blocks.append(Padding(Text(cells, overflow="fold"), (0, 0, 0, 4)))
        limits = _limits_text(row, model.fields)
        if limits:
            blocks.append(Padding(Text(limits, overflow="fold"), (0, 0, 0, 4)))
    blocks.append(Text(""))
    return blocks


def _render_text(table: PermissionTable, width: int = TEXT_WIDTH) -> str:
    """A grid per model when it fits `width` with whole role names; otherwise one block per role."""
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, record=False, color_system=None, highlight=False, markup=False, emoji=False
    )
    headers = [op.value for op in table.operations]
    for model in table.models:
        if _grid_fits([row.label for row in model.rows], headers, width):
            console.print(_model_grid(model, table.operations))
        else:
            for block in _model_stack(model, table.operations):
                console.print(block)
    if table.custom_fields:
        fields = [custom.field for custom in table.custom_fields]
        if _grid_fits(fields, [], width):
            grid = Table(title=Text("Custom fields"), title_justify="left")
            grid.add_column("field", no_wrap=True)
            grid.add_column("allowed", overflow="fold")
            for custom in table.custom_fields:
                grid.add_row(Text(custom.field), Text(", ".join(custom.allowed) or "nobody"))
            console.print(grid)
        else:
            console.print(Text("Custom fields", style="bold"))
            for custom in table.custom_fields:
                console.print(Padding(Text(custom.field, overflow="fold"), (0, 0, 0, 2)))
                console.print(Padding(Text(", ".join(custom.allowed) or "nobody", overflow="fold"), (0, 0, 0, 4)))
    console.print(Text(f"{SYMBOLS[Access.FULL]} every field  {SYMBOLS[Access.PARTIAL]} some fields  {SYMBOLS[Access.NONE]} denied"))
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _render_markdown(table: PermissionTable) -> str:
    lines: list[str] = []
    for model in table.models:
        lines.append(f"## {model.model}")
        lines.append("")
        lines.append("| role | " + " | ".join(op.value for op in table.operations) + " | limited to / notes |")
        lines.append("|---|" + "---|" * len(table.operations) + "---|")
        for row in model.rows:
            cells = " | ".join(SYMBOLS[row.access[op]] for op in table.operations)
            lines.append(f"| {_md_cell(row.label)} | {cells} | {_md_cell(_limits_text(row, model.fields))} |")
        lines.append("")
    if table.custom_fields:
        lines += ["## Custom fields", "", "| field | allowed |", "|---|---|"]
        lines += [f"| {_md_cell(c.field)} | {_md_cell(', '.join(c.allowed) or 'nobody')} |" for c in table.custom_fields]
        lines.append("")
    lines.append(
        f"{SYMBOLS[Access.FULL]} every field, {SYMBOLS[Access.PARTIAL]} some fields, {SYMBOLS[Access.NONE]} denied. "
        "Rows add up: a caller may do what any row that applies to them allows."
    )
    return "\n".join(lines) + "\n"


_HTML_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1f24; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
table { border-collapse: collapse; margin-bottom: 1rem; }
th, td { border: 1px solid #c9ced6; padding: 0.3rem 0.6rem; text-align: center; }
th:first-child, td:first-child, td.limits { text-align: left; }
td.full { background: #d8f5dd; color: #0f5c1f; }
td.partial { background: #fff3c4; color: #6b5200; }
td.none { background: #fde0e0; color: #8a1c1c; }
.legend span { display: inline-block; padding: 0.1rem 0.5rem; margin-right: 0.5rem; }
"""


def _render_html(table: PermissionTable) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>gqlauth permissions</title>',
        f"<style>{_HTML_STYLE}</style></head><body>",
        "<h1>Who may do what</h1>",
        '<p class="legend"><span class="full" style="background:#d8f5dd">✓ every field</span>'
        '<span style="background:#fff3c4">◐ some fields</span>'
        '<span style="background:#fde0e0">✗ denied</span> Rows add up: a caller may do what any row '
        "that applies to them allows.</p>",
    ]
    for model in table.models:
        parts.append(f"<h2>{html.escape(model.model)}</h2>")
        header = "".join(f"<th>{op.value}</th>" for op in table.operations)
        parts.append(f"<table><thead><tr><th>role</th>{header}<th>limited to / notes</th></tr></thead><tbody>")
        for row in model.rows:
            cells = "".join(
                f'<td class="{row.access[op].value}" title="{op.value}: {row.access[op].value}">'
                f"{SYMBOLS[row.access[op]]}</td>"
                for op in table.operations
            )
            parts.append(
                f"<tr><td>{html.escape(row.label)}</td>{cells}"
                f'<td class="limits">{html.escape(_limits_text(row, model.fields))}</td></tr>'
            )
        parts.append("</tbody></table>")
    if table.custom_fields:
        parts.append("<h2>Custom fields</h2>")
        parts.append("<table><thead><tr><th>field</th><th>allowed</th></tr></thead><tbody>")
        for custom in table.custom_fields:
            allowed = html.escape(", ".join(custom.allowed) or "nobody")
            parts.append(f'<tr><td>{html.escape(custom.field)}</td><td class="limits">{allowed}</td></tr>')
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render_table(matrix: AccessMatrix, group_file: GroupFile | None, fmt: str = "table", width: int | None = None) -> str:
    """The permission table as text (`table`, fitted to `width` columns), Markdown, a self-contained HTML
    page, or JSON."""
    table = permission_table(matrix, group_file)
    if fmt == "json":
        return table.model_dump_json(indent=2) + "\n"
    if fmt == "markdown":
        return _render_markdown(table)
    if fmt == "html":
        return _render_html(table)
    if fmt == "table":
        return _render_text(table, width or TEXT_WIDTH)
    raise ValueError(f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


__all__ = [
    "FORMATS",
    "Access",
    "CustomFieldPermissions",
    "ModelPermissions",
    "PermissionRow",
    "PermissionTable",
    "model_permissions",
    "permission_table",
    "render_table",
    "role_label",
]
