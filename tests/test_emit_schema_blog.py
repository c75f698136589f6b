"""The blog sample's output schema is Amplify's, and every operation Amplify's codegen writes validates."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate

from transformer.emit_schema import emit_output_schema, load_output_schema
from transformer.matrix import build_matrix
from transformer.parse import load_schema
from transformer.rules import Provider

BLOG = Path(__file__).parent / "conformance" / "blog"
BLOG_MODES = [Provider.USER_POOLS, Provider.API_KEY, Provider.IAM]


@pytest.fixture(scope="module")
def blog_output() -> str:
    schema, diagnostics = load_schema(BLOG / "schema.graphql")
    assert schema is not None, diagnostics
    matrix, problems = build_matrix(schema, BLOG_MODES)
    assert matrix is not None, problems
    return emit_output_schema(schema, matrix)


@pytest.fixture(scope="module")
def blog_schema(blog_output: str) -> GraphQLSchema:
    return load_output_schema(blog_output)


def test_blog_output_is_amplifys_output(blog_output: str) -> None:
    assert blog_output == (BLOG / "amplify-output-schema.graphql").read_text(encoding="utf-8")


def _client_operations() -> list[OperationDefinitionNode]:
    document = parse((BLOG / "client-operations.graphql").read_text(encoding="utf-8"))
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def test_client_operations_cover_every_generated_root_field(blog_schema: GraphQLSchema) -> None:
    used = {
        f"{op.operation.value}.{selection.name.value}"  # type: ignore[attr-defined]
        for op in _client_operations()
        for selection in op.selection_set.selections
    }
    generated = {
        f"{kind}.{name}"
        for kind, root in (
            ("query", blog_schema.query_type),
            ("mutation", blog_schema.mutation_type),
            ("subscription", blog_schema.subscription_type),
        )
        if root is not None
        for name in root.fields
    }
    assert used == generated


@pytest.mark.parametrize("operation", _client_operations(), ids=lambda op: op.name.value if op.name else "anonymous")
def test_client_operation_validates(blog_schema: GraphQLSchema, operation: OperationDefinitionNode) -> None:
    from graphql import DocumentNode

    errors = validate(blog_schema, DocumentNode(definitions=(operation,)))
    assert errors == []


def test_an_invalid_operation_is_rejected(blog_schema: GraphQLSchema) -> None:
    errors = validate(blog_schema, parse("query { getPost(id: 1) { nosuchfield } }"))
    assert errors
