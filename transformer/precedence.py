"""The Cognito group file `user-pool-group-precedence.json`: model, validation, lookup and writing.

Amplify itself validates almost nothing in this file (auth-semantics §4.6); Cognito, CloudFormation
and IAM reject the rest at deploy time. We check all of it up front and report every problem at
once, each with the JSON path of the offending value. Models keep what they were given (unknown
group keys, a single statement object or a list, a string or a list of actions, key order) so that
a command that rewrites the file loses nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    PrivateAttr,
    RootModel,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from transformer.diagnostics import Diagnostic, error, read_text, warning

GROUP_FILE_NAME = "user-pool-group-precedence.json"
MAX_PRECEDENCE = 2**31 - 1
_AMPLIFY_GROUP_NAME = re.compile(r"^[a-zA-Z0-9]+$")
_POLICY_NAME = re.compile(r"^[\w+=,.@-]+$")
_ACTION = re.compile(r"^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?_-]*)$")
_GROUP_NAME_CATEGORIES = ("L", "M", "S", "N", "P")


def _string_or_strings(value: object) -> str | list[str]:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return list(value)
    if isinstance(value, list) and not value:
        raise PydanticCustomError("empty_list", "must not be an empty list")
    raise PydanticCustomError("string_or_strings", "must be a string or a list of strings")


StringOrStrings = Annotated[
    str | list[str],
    PlainValidator(_string_or_strings),
    PlainSerializer(lambda value: value, return_type=Any),
]


def as_list(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class _JsonObject(BaseModel):
    """A JSON object that remembers the order of its keys, so that writing it back changes nothing."""

    _key_order: tuple[str, ...] = PrivateAttr(default=())

    @model_validator(mode="wrap")
    @classmethod
    def _remember_key_order(cls, data: Any, handler: Any) -> Any:
        model = handler(data)
        if isinstance(data, dict):
            model._key_order = tuple(data)
        return model

    def to_json(self) -> dict[str, Any]:
        """The object as it appeared in the file: given keys only, in their original order."""
        present = [name for name in type(self).model_fields if name in self.model_fields_set]
        present += list(self.__pydantic_extra__ or {})
        ordered = [key for key in self._key_order if key in present]
        ordered += [key for key in present if key not in ordered]
        return {key: _to_json(self._json_value(key)) for key in ordered}

    def _json_value(self, key: str) -> Any:
        if key in type(self).model_fields:
            return getattr(self, key)
        return (self.__pydantic_extra__ or {})[key]


def _to_json(value: Any) -> Any:
    if isinstance(value, _JsonObject):
        return value.to_json()
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if isinstance(value, dict):
        return {key: _to_json(item) for key, item in value.items()}
    return value


class PolicyStatement(_JsonObject):
    """One IAM policy statement, exactly as IAM's policy grammar allows it (field names as in JSON)."""

    model_config = ConfigDict(extra="forbid")

    Sid: str | None = None
    Effect: Literal["Allow", "Deny"]
    Principal: str | dict[str, StringOrStrings] | None = None
    NotPrincipal: str | dict[str, StringOrStrings] | None = None
    Action: StringOrStrings | None = None
    NotAction: StringOrStrings | None = None
    Resource: StringOrStrings | None = None
    NotResource: StringOrStrings | None = None
    Condition: dict[str, dict[str, Any]] | None = None

    @field_validator("Action", "NotAction")
    @classmethod
    def _actions_well_formed(cls, value: str | list[str] | None) -> str | list[str] | None:
        for action in as_list(value):
            if not _ACTION.match(action):
                raise PydanticCustomError(
                    "iam_action",
                    'action "{action}" is not of the form "service:Action" (with * and ? wildcards) or "*"',
                    {"action": action},
                )
        return value

    @field_validator("Resource", "NotResource")
    @classmethod
    def _resources_well_formed(cls, value: str | list[str] | None) -> str | list[str] | None:
        for resource in as_list(value):
            if resource != "*" and not resource.startswith("arn:"):
                raise PydanticCustomError(
                    "iam_resource",
                    'resource "{resource}" must be "*" or an ARN starting with "arn:"',
                    {"resource": resource},
                )
        return value

    @model_validator(mode="after")
    def _exactly_one_of_each_pair(self) -> PolicyStatement:
        for positive, negative in (("Action", "NotAction"), ("Resource", "NotResource")):
            given = [name for name in (positive, negative) if getattr(self, name) is not None]
            if len(given) != 1:
                raise PydanticCustomError(
                    "iam_statement_pair",
                    "a statement needs exactly one of {positive} and {negative}, "
                    + ("found neither" if not given else "found both"),
                    {"positive": positive, "negative": negative},
                )
        if self.Principal is not None or self.NotPrincipal is not None:
            raise PydanticCustomError(
                "iam_principal",
                "an identity policy (a role's inline policy) must not have Principal or NotPrincipal",
            )
        return self

    def actions(self) -> list[str]:
        return as_list(self.Action if self.Action is not None else self.NotAction)

    def resources(self) -> list[str]:
        return as_list(self.Resource if self.Resource is not None else self.NotResource)


class PolicyDocument(_JsonObject):
    """An IAM policy document; `Statement` may be one object or a list, and is written back as given."""

    model_config = ConfigDict(extra="forbid")

    Version: Literal["2012-10-17", "2008-10-17"] | None = None
    Id: str | None = None
    Statement: list[PolicyStatement] = Field(min_length=1)
    _single_statement: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _accept_single_statement(cls, data: Any, handler: Any) -> Any:
        single = isinstance(data, dict) and isinstance(data.get("Statement"), dict)
        if single:
            data = {**data, "Statement": [data["Statement"]]}
        model = handler(data)
        model._single_statement = single
        return model

    def _json_value(self, key: str) -> Any:
        if key == "Statement" and self._single_statement and len(self.Statement) == 1:
            return self.Statement[0]
        return super()._json_value(key)

    def statements(self) -> list[PolicyStatement]:
        return list(self.Statement)


class CustomPolicy(_JsonObject):
    """An inline policy of a group's role (passed verbatim to the role's CloudFormation `Policies`)."""

    model_config = ConfigDict(extra="forbid")

    PolicyName: str = Field(min_length=1, max_length=128)
    PolicyDocument: PolicyDocument

    @field_validator("PolicyName")
    @classmethod
    def _iam_policy_name(cls, value: str) -> str:
        if not _POLICY_NAME.match(value):
            raise PydanticCustomError(
                "iam_policy_name",
                "a policy name may only contain letters, digits and +=,.@_- (IAM's rule)",
            )
        return value


def _cognito_group_name(value: str) -> str:
    bad = [ch for ch in value if unicodedata.category(ch)[0] not in _GROUP_NAME_CATEGORIES]
    if bad:
        raise PydanticCustomError(
            "cognito_group_name",
            "a group name may not contain whitespace or control characters (found {found})",
            {"found": ", ".join(repr(ch) for ch in dict.fromkeys(bad))},
        )
    return value


class UserPoolGroup(_JsonObject):
    """One entry: a Cognito user pool group, its precedence and its role's inline policies."""

    model_config = ConfigDict(extra="allow")

    groupName: Annotated[str, Field(min_length=1, max_length=128, strict=True)]
    precedence: Annotated[StrictInt, Field(ge=0, le=MAX_PRECEDENCE)]
    customPolicies: list[CustomPolicy] | None = None

    @field_validator("groupName")
    @classmethod
    def _cognito_characters(cls, value: str) -> str:
        return _cognito_group_name(value)

    @property
    def name(self) -> str:
        return self.groupName

    def policies(self) -> list[CustomPolicy]:
        return list(self.customPolicies or [])

    def with_precedence(self, precedence: int) -> UserPoolGroup:
        """The same group (unknown keys, policies, key order kept) with another precedence."""
        if not 0 <= precedence <= MAX_PRECEDENCE:
            raise ValueError(f"precedence must be from 0 to {MAX_PRECEDENCE}")
        updated = self.model_copy(update={"precedence": precedence})
        updated._key_order = self._key_order
        return updated


class GroupFile(RootModel[list[UserPoolGroup]]):
    """The whole file: groups in file order, names unique."""

    _trailing_newline: bool = PrivateAttr(default=True)

    @model_validator(mode="after")
    def _unique_names(self) -> GroupFile:
        seen: set[str] = set()
        for group in self.root:
            if group.groupName in seen:
                raise ValueError(f'group "{group.groupName}" is defined more than once')
            seen.add(group.groupName)
        return self

    def __iter__(self) -> Iterator[UserPoolGroup]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    @property
    def groups(self) -> list[UserPoolGroup]:
        return list(self.root)

    def names(self) -> list[str]:
        return [group.groupName for group in self.root]

    def get(self, name: str) -> UserPoolGroup | None:
        return next((group for group in self.root if group.groupName == name), None)

    def by_precedence(self) -> list[UserPoolGroup]:
        """Lowest precedence first (Cognito's winner first); equal precedences keep file order."""
        return sorted(self.root, key=lambda group: group.precedence)

    def with_groups(self, groups: list[UserPoolGroup]) -> GroupFile:
        """A new file with these groups, keeping this file's formatting details."""
        updated = GroupFile(groups)
        updated._trailing_newline = self._trailing_newline
        return updated


def parse_group_file(text: str, file: str) -> tuple[GroupFile | None, list[Diagnostic]]:
    """Validate the file's text; returns the model only when there are no errors (warnings allowed)."""
    try:
        data = json.loads(text, object_pairs_hook=_KeyTrackingDict.from_pairs)
    except json.JSONDecodeError as exc:
        return None, [
            error("group-file-json", f"not valid JSON: {exc.msg}", file=file, line=exc.lineno, column=exc.colno)
        ]
    if not isinstance(data, list):
        return None, [
            error(
                "group-file-shape",
                "the group file must be a JSON array of {groupName, precedence} objects",
                file=file,
            )
        ]

    diagnostics = _duplicate_key_errors(data, file) + _structure_errors(data, file) + _duplicate_name_errors(data, file)
    if diagnostics:
        return None, diagnostics + _precedence_tie_warnings(data, file)
    group_file = GroupFile.model_validate(data)
    group_file._trailing_newline = text.endswith("\n")
    warnings = _precedence_tie_warnings(data, file) + _amplify_name_warnings(data, file)
    return group_file, warnings + _role_name_length_warnings(data, file)


def load_group_file(path: Path) -> tuple[GroupFile | None, list[Diagnostic]]:
    """Read and validate; raises `UnreadableInput` when the file cannot be read at all."""
    return parse_group_file(read_text(path), str(path))


def dump_group_file(group_file: GroupFile) -> str:
    """JSON as Amplify writes it (`JSON.stringify(groups, null, 2)`), unknown keys included."""
    text = json.dumps([group.to_json() for group in group_file.root], indent=2, ensure_ascii=False)
    return text + "\n" if group_file._trailing_newline else text


def find_group_file(schema_path: Path) -> Path | None:
    """The group file for a schema, first found of:

    1. `amplify/backend/auth/userPoolGroups/user-pool-group-precedence.json` in the enclosing Amplify project
       (the path Amplify's documentation gives and where the CLI writes it);
    2. `amplify/backend/auth/<resource>/userPoolGroups/` there (older layouts);
    3. beside the schema.
    """
    start = schema_path if schema_path.is_dir() else schema_path.parent
    start = start.resolve()
    for directory in (start, *start.parents):
        for base in (directory / "amplify" / "backend", directory):
            if base.name != "backend" or base.parent.name != "amplify" or not (base / "auth").is_dir():
                continue
            documented = base / "auth" / "userPoolGroups" / GROUP_FILE_NAME
            if documented.is_file():
                return documented
            candidates = sorted((base / "auth").glob(f"*/userPoolGroups/{GROUP_FILE_NAME}"))
            if candidates:
                return candidates[0]
    beside = start / GROUP_FILE_NAME
    return beside if beside.is_file() else None


def group_file_search_places(schema_path: Path) -> list[str]:
    """Where `find_group_file` looks for a schema, in its order (for "not found" messages)."""
    start = (schema_path if schema_path.is_dir() else schema_path.parent).resolve()
    places: list[str] = []
    for directory in (start, *start.parents):
        base = directory if directory.name == "backend" and directory.parent.name == "amplify" else directory / "amplify" / "backend"
        if base.is_dir():
            places += [
                str(base / "auth" / "userPoolGroups" / GROUP_FILE_NAME),
                str(base / "auth" / "*" / "userPoolGroups" / GROUP_FILE_NAME),
            ]
            break
    return [*places, str(start / GROUP_FILE_NAME)]


def json_path(location: tuple[int | str, ...]) -> str:
    """`(1, 'customPolicies', 0, 'PolicyName')` -> `[1].customPolicies[0].PolicyName`."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


_MESSAGES: dict[str, str] = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key (not allowed here by IAM's policy grammar)",
    "int_type": "must be an integer",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def _message(err: Any) -> str:
    kind = err["type"]
    field = next((part for part in reversed(err["loc"]) if isinstance(part, str)), "")
    if kind == "literal_error" and field == "Effect":
        return 'Effect must be "Allow" or "Deny"'
    if kind == "literal_error" and field == "Version":
        return 'Version must be "2012-10-17" (or the legacy "2008-10-17")'
    if field == "precedence" and kind in ("greater_than_equal", "less_than_equal"):
        return f"precedence must be an integer from 0 to {MAX_PRECEDENCE} (Cognito's range)"
    if field == "groupName" and kind in ("string_too_short", "string_too_long"):
        return "a group name must be 1 to 128 characters long (Cognito's limit)"
    if field == "PolicyName" and kind in ("string_too_short", "string_too_long"):
        return "a policy name must be 1 to 128 characters long (IAM's limit)"
    if field == "Statement" and kind == "too_short":
        return "a policy document needs at least one statement"
    return _MESSAGES.get(kind, err["msg"])


class _KeyTrackingDict(dict[str, Any]):
    """A parsed JSON object that remembers keys given more than once (JSON keeps only the last)."""

    repeated: tuple[str, ...] = ()

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, Any]]) -> _KeyTrackingDict:
        obj = cls(pairs)
        if len(obj) != len(pairs):
            counts = Counter(key for key, _ in pairs)
            obj.repeated = tuple(key for key, count in counts.items() if count > 1)
        return obj


def _duplicate_key_errors(data: Any, file: str, location: tuple[int | str, ...] = ()) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if isinstance(data, _KeyTrackingDict):
        for key in data.repeated:
            found.append(
                error(
                    "group-file-duplicate-key",
                    f'key "{key}" appears more than once in this object; only the last value would count',
                    file=file,
                    json_path=json_path((*location, key)),
                )
            )
    if isinstance(data, dict):
        for key, value in data.items():
            found += _duplicate_key_errors(value, file, (*location, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _duplicate_key_errors(value, file, (*location, index))
    return found


def _structure_errors(data: list[Any], file: str) -> list[Diagnostic]:
    try:
        GroupFile.model_validate(data)
    except ValidationError as exc:
        return [
            error("group-file-invalid", _message(err), file=file, json_path=json_path(_clean_loc(err["loc"])))
            for err in exc.errors()
            if err["loc"]  # the root-level uniqueness check is reported by _duplicate_name_errors
        ]
    return []


def _clean_loc(location: tuple[int | str, ...]) -> tuple[int | str, ...]:
    """Drop pydantic's internal markers (function-after[...] etc.) from an error location."""
    return tuple(part for part in location if isinstance(part, int) or "[" not in part)


def _named_groups(data: list[Any]) -> Iterator[tuple[int, str, Any]]:
    for index, entry in enumerate(data):
        if isinstance(entry, dict) and isinstance(entry.get("groupName"), str):
            yield index, entry["groupName"], entry.get("precedence")


def _duplicate_name_errors(data: list[Any], file: str) -> list[Diagnostic]:
    first_index: dict[str, int] = {}
    found: list[Diagnostic] = []
    for index, name, _ in _named_groups(data):
        if name in first_index:
            found.append(
                error(
                    "group-duplicate",
                    f'group "{name}" is already defined at [{first_index[name]}]',
                    file=file,
                    json_path=f"[{index}].groupName",
                )
            )
        else:
            first_index[name] = index
    return found


def _precedence_tie_warnings(data: list[Any], file: str) -> list[Diagnostic]:
    first_with: dict[int, str] = {}
    found: list[Diagnostic] = []
    for index, name, precedence in _named_groups(data):
        if not isinstance(precedence, int) or isinstance(precedence, bool):
            continue
        if precedence in first_with and first_with[precedence] != name:
            found.append(
                warning(
                    "group-precedence-tie",
                    f'"{name}" has the same precedence ({precedence}) as "{first_with[precedence]}": '
                    "a user in both gets no cognito:preferred_role when their roles differ, "
                    "so the identity pool falls back to the authenticated role",
                    file=file,
                    json_path=f"[{index}].precedence",
                )
            )
        else:
            first_with.setdefault(precedence, name)
    return found


def _amplify_name_warnings(data: list[Any], file: str) -> list[Diagnostic]:
    return [
        warning(
            "group-name-not-alphanumeric",
            f'"{name}" is not alphanumeric: Amplify\'s CLI rejects such names and CloudFormation '
            "logical ids derived from it will be sanitized",
            file=file,
            json_path=f"[{index}].groupName",
        )
        for index, name, _ in _named_groups(data)
        if not _AMPLIFY_GROUP_NAME.match(name)
    ]


SHORTEST_USER_POOL_ID = len("us-east-1_AbCdEfGhI")
MAX_GROUP_NAME_FOR_ROLE = 64 - SHORTEST_USER_POOL_ID - len("-GroupRole")


def _role_name_length_warnings(data: list[Any], file: str) -> list[Diagnostic]:
    """Amplify names the group's role `<UserPoolId>-<groupName>GroupRole`; IAM allows 64 characters."""
    return [
        warning(
            "group-role-name-too-long",
            f'"{name}" is {len(name)} characters: the role name <UserPoolId>-{name}GroupRole would exceed IAM\'s '
            f"64-character limit (groups used with a role should have at most {MAX_GROUP_NAME_FOR_ROLE})",
            file=file,
            json_path=f"[{index}].groupName",
        )
        for index, name, _ in _named_groups(data)
        if len(name) > MAX_GROUP_NAME_FOR_ROLE
    ]
