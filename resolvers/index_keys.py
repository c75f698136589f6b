"""Global secondary index keys of a model's table, and what DynamoDB and Amplify do with a null one.

DynamoDB refuses a PutItem whose item holds a GSI key attribute (partition or sort key of any GSI) with a
NULL value; a missing attribute is fine (the item stays out of that index). AppSync passes the refusal on as
`DynamoDB:DynamoDbException`. The keys are the ones the emitted stack declares (`transformer.emit_stack`:
the model's `@index` GSIs, then the implicit relation GSIs of `implicit_indexes`, a composite sort key as one
`a#b` string attribute), so `serve` refuses exactly what the deployed table would.

Amplify's create template first drops the null values of the fields that carry an `@index` directive
(`$nullIndexFields`), so only the other GSI keys (single sort key fields, implicit relation keys,
`references:` keys) can reach DynamoDB as NULL.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from transformer.emit_stack import NUMERIC_TYPES
from transformer.matrix import ModelAccess

REQUEST_ID_ALPHABET = string.ascii_uppercase + string.digits
REQUEST_ID_LENGTH = 52


class IndexKey(BaseModel):
    """One key attribute of one GSI, with the type its AttributeDefinition declares."""

    model_config = ConfigDict(frozen=True)

    index: str
    attribute: str
    type: Literal["S", "N"]


def _attribute_type(model: ModelAccess, attribute: str) -> Literal["S", "N"]:
    field = model.field(attribute)
    return "N" if field is not None and field.type.name in NUMERIC_TYPES and not field.type.is_list else "S"


def table_index_keys(model: ModelAccess,
                     extra_indexes: Mapping[str, tuple[str, tuple[str, ...]]] | None = None) -> tuple[IndexKey, ...]:
    """The GSI key attributes of `model`'s table in the stack's order: each index's partition key, then its
    sort key. `extra_indexes` are the model's implicit relation GSIs (`implicit_indexes(schema)[model]`)."""
    keyed = [(index.name, index.partition_field, index.sort_key_fields) for index in model.indexes]
    keyed.extend((name, partition, tuple(sort)) for name, (partition, sort) in (extra_indexes or {}).items())
    keys: list[IndexKey] = []
    for name, partition, sort in keyed:
        for attribute in (partition, "#".join(sort)) if sort else (partition,):
            keys.append(IndexKey(index=name, attribute=attribute, type=_attribute_type(model, attribute)))
    return tuple(keys)


def null_index_key(keys: tuple[IndexKey, ...], item: Mapping[str, Any]) -> IndexKey | None:
    """The first GSI key `item` holds as NULL (present with a null value), or None when DynamoDB takes it."""
    return next((key for key in keys if key.attribute in item and item[key.attribute] is None), None)


def null_index_key_message(key: IndexKey) -> str:
    """DynamoDB's validation message as AppSync reports it (the request id is a fresh random one each time)."""
    request_id = "".join(secrets.choice(REQUEST_ID_ALPHABET) for _ in range(REQUEST_ID_LENGTH))
    return (f"One or more parameter values were invalid: Type mismatch for Index Key {key.attribute} "
            f"Expected: {key.type} Actual: NULL IndexName: {key.index} "
            f"(Service: DynamoDb, Status Code: 400, Request ID: {request_id})")


def without_null_index_fields(model: ModelAccess, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values` without the null values of fields that carry an `@index`, as Amplify's create template
    removes them before the PutItem (so the record is stored without them, outside that index)."""
    indexed = {index.partition_field for index in model.indexes}
    return {name: value for name, value in values.items() if not (value is None and name in indexed)}
