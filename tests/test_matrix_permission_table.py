"""The permission table: row order, full/partial/none cells, field limits and the all-or-nothing delete."""

from __future__ import annotations

from pathlib import Path

from transformer.emit_permissions import Access, permission_table, render_table
from transformer.matrix import build_matrix
from transformer.parse import load_schema
from transformer.precedence import load_group_file
from transformer.rules import Operation, Provider

BLOG = Path(__file__).parent / "conformance" / "blog"


def _blog_table():  # type: ignore[no-untyped-def]
    schema, _ = load_schema(BLOG / "schema.graphql")
    assert schema is not None
    matrix, _ = build_matrix(schema, [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM])
    group_file, _ = load_group_file(BLOG / "user-pool-group-precedence.json")
    assert matrix is not None and group_file is not None
    return matrix, group_file


def test_rows_are_groups_in_precedence_order_then_owner_signed_in_and_guests() -> None:
    matrix, group_file = _blog_table()
    post = next(m for m in permission_table(matrix, group_file).models if m.model == "Post")
    assert [r.label for r in post.rows] == [
        "group Admins",
        "group Editors",
        "group Viewers",
        "owner (field owner)",
        "signed-in (user pool)",
        "guest (API key)",
    ]


def test_owner_has_partial_update_and_no_delete_on_post() -> None:
    matrix, group_file = _blog_table()
    post = next(m for m in permission_table(matrix, group_file).models if m.model == "Post")
    owner = next(r for r in post.rows if r.label.startswith("owner"))
    assert owner.access[Operation.UPDATE] is Access.PARTIAL
    assert "internalNotes" not in owner.limited_to[Operation.UPDATE]
    assert owner.access[Operation.DELETE] is Access.NONE
    assert any("internalNotes" in note for note in owner.notes)
    assert owner.access[Operation.GET] is Access.FULL


def test_groups_without_rules_are_listed_with_no_access() -> None:
    matrix, group_file = _blog_table()
    post = next(m for m in permission_table(matrix, group_file).models if m.model == "Post")
    viewers = next(r for r in post.rows if r.label == "group Viewers")
    assert viewers.role is None
    assert set(viewers.access.values()) == {Access.NONE}


def test_markdown_marks_partial_reads_and_names_the_hidden_field() -> None:
    matrix, group_file = _blog_table()
    text = render_table(matrix, group_file, "markdown")
    guest = next(line for line in text.splitlines() if line.startswith("| guest (API key)"))
    assert "◐" in guest and "all but internalNotes" in guest


def test_html_page_is_self_contained() -> None:
    matrix, group_file = _blog_table()
    page = render_table(matrix, group_file, "html")
    assert "<style>" in page and "<script" not in page and "http" not in page.split("<body>")[0].replace("utf-8", "")


def test_custom_claim_labels_are_printed_literally_in_the_text_table() -> None:
    from transformer.parse import parse_schema_text

    schema, _ = parse_schema_text(
        'type Doc @model @auth(rules: [{allow: groups, groups: ["Staff"], groupClaim: "roles"}]) { id: ID! }',
        "schema.graphql",
    )
    assert schema is not None
    matrix, _ = build_matrix(schema, [Provider.USER_POOLS])
    assert matrix is not None
    assert "group Staff [claim roles]" in render_table(matrix, None, "table")
