"""An Amplify API's own resolvers: `resolvers/*.vtl` and the AppSync resources of `stacks/*.json`.

Amplify Gen 1 projects resolve custom Query/Mutation fields with their own templates, wired in
`amplify/backend/api/<api>/stacks/CustomResources.json` (or another stack of that folder) by
`AWS::AppSync::Resolver` resources (UNIT, or PIPELINE over `AWS::AppSync::FunctionConfiguration`s), reading
Amplify's data sources (`<Model>Table`, `NONE_DS`) or their own `AWS::AppSync::DataSource`s. A template is
inline (`RequestMappingTemplate`) or named by its S3 location, which Amplify fills from the API's
`resolvers/` folder (`s3://${S3DeploymentBucket}/${S3DeploymentRootKey}/resolvers/Query.x.req.vtl`).

CloudFormation's intrinsic functions (`Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::Join`) are resolved only as far
as finding names and files needs: `${env}` stays `${env}` (as `@function` names write it), parameters
take their defaults, a data source's or function's `GetAtt` its name. A file that is not the
CloudFormation we read is an error with the file and JSON path; a reference we cannot follow is a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transformer.amplify_layout import api_folder
from transformer.diagnostics import Diagnostic, error, warning

RESOLVERS_FOLDER = "resolvers"
STACKS_FOLDER = "stacks"
RESOLVER_TYPE = "AWS::AppSync::Resolver"
FUNCTION_TYPE = "AWS::AppSync::FunctionConfiguration"
DATA_SOURCE_TYPE = "AWS::AppSync::DataSource"
FUNCTION_MARK = "function:"
"""How a resolved `Fn::GetAtt [X, FunctionId]` names function X."""
_KEPT_VARIABLES = frozenset({"env", "AWS::Region", "AWS::AccountId", "AWS::Partition", "AWS::StackName",
                             "AWS::URLSuffix", "AWS::StackId"})
"""Left as `${name}`: names compare with them in place, as `@function(name: "fn-${env}")` does."""
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


class Template(BaseModel):
    """One mapping template: its text, and the name errors give it (its file, or its stack and JSON path)."""

    model_config = ConfigDict(frozen=True)

    text: str
    name: str


class FunctionDef(BaseModel):
    """An `AWS::AppSync::FunctionConfiguration`: one step of a pipeline resolver."""

    model_config = ConfigDict(frozen=True)

    logical_id: str
    name: str
    data_source: str | None
    request: Template | None
    response: Template | None


class ResolverDef(BaseModel):
    """An `AWS::AppSync::Resolver` of the project's own stacks."""

    model_config = ConfigDict(frozen=True)

    type_name: str
    field_name: str
    kind: str
    """`UNIT` or `PIPELINE`."""
    data_source: str | None
    functions: tuple[FunctionDef, ...]
    request: Template | None
    response: Template | None
    file: str
    json_path: str

    @property
    def key(self) -> str:
        return f"{self.type_name}.{self.field_name}"


class DataSourceDef(BaseModel):
    """An `AWS::AppSync::DataSource` of the project's own stacks."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    table_name: str | None = None
    lambda_function: str | None = None
    """The function's name from `LambdaConfig.LambdaFunctionArn` (`${env}` kept as written)."""
    where: str


class CustomResolvers(BaseModel):
    """Everything an API's own resolvers consist of."""

    model_config = ConfigDict(frozen=True)

    folder: str | None = None
    resolvers: dict[str, ResolverDef] = Field(default_factory=dict)
    data_sources: dict[str, DataSourceDef] = Field(default_factory=dict)
    template_files: tuple[str, ...] = ()
    """Every `.vtl` file of `resolvers/` (names only)."""
    referenced_files: frozenset[str] = frozenset()
    """The `resolvers/` files a resource of the stacks names."""
    watched: tuple[str, ...] = ()
    """The files `serve` reloads on: every stack file and template file read."""


class _Parameter(BaseModel):
    model_config = ConfigDict(extra="allow")

    Default: Any = None  # noqa: N815 - CloudFormation's key


class _Resource(BaseModel):
    model_config = ConfigDict(extra="allow")

    Type: str  # noqa: N815
    Properties: dict[str, Any] = Field(default_factory=dict)  # noqa: N815


class _StackFile(BaseModel):
    model_config = ConfigDict(extra="allow")

    Parameters: dict[str, _Parameter] = Field(default_factory=dict)  # noqa: N815
    Resources: dict[str, _Resource] = Field(default_factory=dict)  # noqa: N815


class _PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    Functions: list[Any] = Field(default_factory=list)  # noqa: N815


class _TemplateProperties(BaseModel):
    model_config = ConfigDict(extra="allow")

    DataSourceName: Any = None  # noqa: N815
    RequestMappingTemplate: str | None = None  # noqa: N815
    RequestMappingTemplateS3Location: Any = None  # noqa: N815
    ResponseMappingTemplate: str | None = None  # noqa: N815
    ResponseMappingTemplateS3Location: Any = None  # noqa: N815


class _ResolverProperties(_TemplateProperties):
    TypeName: Any  # noqa: N815
    FieldName: Any  # noqa: N815
    Kind: str = "UNIT"  # noqa: N815
    PipelineConfig: _PipelineConfig | None = None  # noqa: N815


class _FunctionProperties(_TemplateProperties):
    Name: Any  # noqa: N815


class _DynamoDBConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    TableName: Any  # noqa: N815


class _LambdaConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    LambdaFunctionArn: Any  # noqa: N815


class _DataSourceProperties(BaseModel):
    model_config = ConfigDict(extra="allow")

    Name: Any  # noqa: N815
    Type: str  # noqa: N815
    DynamoDBConfig: _DynamoDBConfig | None = None  # noqa: N815
    LambdaConfig: _LambdaConfig | None = None  # noqa: N815


def _json_path(parts: tuple[Any, ...] | list[Any]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts).lstrip(".")


class _StackReader:
    """One stack file: its resources resolved into definitions, with the problems found on the way."""

    def __init__(self, file: Path, stack: _StackFile, folder: Path, diagnostics: list[Diagnostic]) -> None:
        self.file = file
        self.stack = stack
        self.folder = folder
        self.diagnostics = diagnostics
        self.referenced: set[str] = set()
        self.watched: set[str] = set()

    def _warn(self, message: str, path: str) -> None:
        self.diagnostics.append(warning("resolvers.unresolved-reference", message, file=str(self.file),
                                        json_path=path))

    def _error(self, message: str, path: str) -> None:
        self.diagnostics.append(error("resolvers.bad-stack", message, file=str(self.file), json_path=path))

    # -- intrinsic functions -----------------------------------------------------------------------------

    def value(self, raw: Any, path: str) -> str | None:
        """A string property with `Ref` / `Fn::Sub` / `Fn::GetAtt` / `Fn::Join` resolved; None (warned) if not."""
        if isinstance(raw, str):
            return raw
        if isinstance(raw, dict) and len(raw) == 1:
            (function, argument), = raw.items()
            if function == "Ref" and isinstance(argument, str):
                return self._variable(argument, path)
            if function == "Fn::GetAtt":
                target = argument.split(".", 1) if isinstance(argument, str) else argument
                if isinstance(target, list) and len(target) == 2 and all(isinstance(t, str) for t in target):
                    return self._attribute(target[0], target[1], path)
            if function == "Fn::Sub":
                return self._sub(argument, path)
            if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 \
                    and isinstance(argument[0], str) and isinstance(argument[1], list):
                parts = [self.value(item, f"{path}.Fn::Join[1][{i}]") for i, item in enumerate(argument[1])]
                return None if any(p is None for p in parts) else argument[0].join(p or "" for p in parts)
        self._warn(f"cannot resolve {json.dumps(raw)[:120]}: gqlauth follows Ref, Fn::Sub, Fn::GetAtt and "
                   "Fn::Join to names and files only", path)
        return None

    def _variable(self, name: str, path: str, local: dict[str, Any] | None = None) -> str | None:
        if local is not None and name in local:
            return self.value(local[name], f"{path}.{name}")
        if name in _KEPT_VARIABLES:
            return "${" + name + "}"
        parameter = self.stack.Parameters.get(name)
        if parameter is not None:
            return str(parameter.Default) if isinstance(parameter.Default, str | int) else "${" + name + "}"
        resource = self.stack.Resources.get(name)
        if resource is not None and resource.Type in (DATA_SOURCE_TYPE, FUNCTION_TYPE):
            return self._attribute(name, "Name" if resource.Type == DATA_SOURCE_TYPE else "FunctionId", path)
        self._warn(f"Ref {name}: no parameter or resource of that name in {self.file.name}", path)
        return None

    def _attribute(self, logical_id: str, attribute: str, path: str) -> str | None:
        resource = self.stack.Resources.get(logical_id)
        if resource is not None and resource.Type == DATA_SOURCE_TYPE and attribute == "Name":
            return self.value(resource.Properties.get("Name"), f"Resources.{logical_id}.Properties.Name")
        if resource is not None and resource.Type == FUNCTION_TYPE and attribute == "FunctionId":
            return FUNCTION_MARK + logical_id
        self._warn(f"Fn::GetAtt {logical_id}.{attribute}: gqlauth follows a data source's Name and a function's "
                   f"FunctionId in {self.file.name} only", path)
        return None

    def _sub(self, argument: Any, path: str) -> str | None:
        text: str | None = argument if isinstance(argument, str) else None
        local: dict[str, Any] | None = {} if text is not None else None
        if isinstance(argument, list) and len(argument) == 2 and isinstance(argument[0], str) \
                and isinstance(argument[1], dict):
            text, local = argument
        if text is None or local is None:
            self._warn("Fn::Sub takes a string or [string, {variables}]", path)
            return None
        failed = False

        def replace(match: re.Match[str]) -> str:
            nonlocal failed
            name = match.group(1)
            if "." in name and name not in local:
                logical_id, attribute = name.split(".", 1)
                found = self._attribute(logical_id, attribute, f"{path}.Fn::Sub")
            else:
                found = self._variable(name, f"{path}.Fn::Sub", local)
            failed = failed or found is None
            return found if found is not None else match.group(0)

        filled = _SUB_VARIABLE.sub(replace, text)
        return None if failed else filled

    # -- templates ---------------------------------------------------------------------------------------

    def template(self, properties: _TemplateProperties, which: str, path: str) -> Template | None:
        inline = getattr(properties, f"{which}MappingTemplate")
        if inline is not None:
            return Template(text=inline, name=f"{self.file.name}:{path}.{which}MappingTemplate")
        location = getattr(properties, f"{which}MappingTemplateS3Location")
        if location is None:
            return None
        where = f"{path}.{which}MappingTemplateS3Location"
        resolved = self.value(location, where)
        if resolved is None:
            return None
        marker = f"/{RESOLVERS_FOLDER}/"
        if marker not in resolved:
            self._error(f"{resolved} names no file of the API's {RESOLVERS_FOLDER}/ folder (Amplify uploads "
                        f"s3://${{S3DeploymentBucket}}/${{S3DeploymentRootKey}}/{RESOLVERS_FOLDER}/<file>)", where)
            return None
        name = resolved.split(marker, 1)[1]
        file = self.folder / RESOLVERS_FOLDER / name
        self.referenced.add(name)
        if not file.is_file():
            self._error(f"{RESOLVERS_FOLDER}/{name} does not exist (looked for {file})", where)
            return None
        self.watched.add(str(file))
        try:
            return Template(text=file.read_text(encoding="utf-8"), name=f"{RESOLVERS_FOLDER}/{name}")
        except (OSError, UnicodeDecodeError) as exc:
            self._error(f"cannot read {file}: {exc}", where)
            return None

    # -- resources ---------------------------------------------------------------------------------------

    def _properties(self, logical_id: str, model: type[BaseModel]) -> Any:
        resource = self.stack.Resources[logical_id]
        try:
            return model.model_validate(resource.Properties)
        except ValidationError as exc:
            for item in exc.errors():
                where = _json_path(("Resources", logical_id, "Properties", *item["loc"]))
                self._error(f"{resource.Type}: {item['msg']}", where)
            return None

    def _resources(self, resource_type: str, model: type[BaseModel]) -> Iterator[tuple[str, str, Any]]:
        """(logical id, JSON path of its Properties, the Properties read by `model`) of each well-formed resource
        of `resource_type` (a malformed one is reported and skipped)."""
        for logical_id, resource in self.stack.Resources.items():
            if resource.Type != resource_type:
                continue
            properties = self._properties(logical_id, model)
            if properties is not None:
                yield logical_id, f"Resources.{logical_id}.Properties", properties

    def data_sources(self) -> list[DataSourceDef]:
        found: list[DataSourceDef] = []
        for _logical_id, path, properties in self._resources(DATA_SOURCE_TYPE, _DataSourceProperties):
            name = self.value(properties.Name, f"{path}.Name")
            if name is None:
                continue
            table = lambda_function = None
            if properties.DynamoDBConfig is not None:
                table = self.value(properties.DynamoDBConfig.TableName, f"{path}.DynamoDBConfig.TableName")
            if properties.LambdaConfig is not None:
                arn = self.value(properties.LambdaConfig.LambdaFunctionArn, f"{path}.LambdaConfig.LambdaFunctionArn")
                lambda_function = arn.rsplit(":function:", 1)[-1].split(":", 1)[0] if arn else None
            found.append(DataSourceDef(name=name, type=properties.Type, table_name=table,
                                       lambda_function=lambda_function, where=f"{self.file}:{path}"))
        return found

    def functions(self) -> dict[str, FunctionDef]:
        found: dict[str, FunctionDef] = {}
        for logical_id, path, properties in self._resources(FUNCTION_TYPE, _FunctionProperties):
            source = self.value(properties.DataSourceName, f"{path}.DataSourceName") \
                if properties.DataSourceName is not None else None
            found[logical_id] = FunctionDef(
                logical_id=logical_id, name=self.value(properties.Name, f"{path}.Name") or logical_id,
                data_source=source, request=self.template(properties, "Request", path),
                response=self.template(properties, "Response", path),
            )
        return found

    def resolvers(self, functions: dict[str, FunctionDef]) -> list[ResolverDef]:
        found: list[ResolverDef] = []
        for _logical_id, path, properties in self._resources(RESOLVER_TYPE, _ResolverProperties):
            type_name = self.value(properties.TypeName, f"{path}.TypeName")
            field_name = self.value(properties.FieldName, f"{path}.FieldName")
            if type_name is None or field_name is None:
                continue
            kind = properties.Kind.upper()
            if kind not in ("UNIT", "PIPELINE"):
                self._error(f"Kind {properties.Kind!r}: AppSync resolvers are UNIT or PIPELINE", f"{path}.Kind")
                continue
            steps: list[FunctionDef] = []
            for index, raw in enumerate(properties.PipelineConfig.Functions if properties.PipelineConfig else []):
                where = f"{path}.PipelineConfig.Functions[{index}]"
                named = self.value(raw, where)
                if named is None:
                    continue
                step = functions.get(named.removeprefix(FUNCTION_MARK))
                if step is None:
                    self._warn(f"function {named!r} is not an {FUNCTION_TYPE} of {self.file.name}", where)
                    continue
                steps.append(step)
            source = self.value(properties.DataSourceName, f"{path}.DataSourceName") \
                if properties.DataSourceName is not None else None
            if kind == "UNIT" and source is None and properties.DataSourceName is None:
                self._error("a UNIT resolver needs a DataSourceName", path)
                continue
            found.append(ResolverDef(
                type_name=type_name, field_name=field_name, kind=kind, data_source=source, functions=tuple(steps),
                request=self.template(properties, "Request", path), response=self.template(properties, "Response", path),
                file=str(self.file), json_path=path,
            ))
        return found


def _read_stack(file: Path, diagnostics: list[Diagnostic]) -> _StackFile | None:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        diagnostics.append(error("resolvers.bad-stack", f"cannot read {file}: {exc}", file=str(file)))
        return None
    except ValueError as exc:
        diagnostics.append(error("resolvers.bad-stack", f"not JSON: {exc}", file=str(file)))
        return None
    try:
        return _StackFile.model_validate(raw)
    except ValidationError as exc:
        for item in exc.errors():
            diagnostics.append(error("resolvers.bad-stack", f"not a CloudFormation template: {item['msg']}",
                                     file=str(file), json_path=_json_path(item["loc"]) or "$"))
        return None


def load_custom_resolvers(schema_path: Path) -> tuple[CustomResolvers, list[Diagnostic]]:
    """The custom resolvers of the API holding `schema_path` (none outside an API with such files)."""
    folder = api_folder(schema_path)
    if folder is None:
        return CustomResolvers(), []
    diagnostics: list[Diagnostic] = []
    stacks_dir, resolvers_dir = folder / STACKS_FOLDER, folder / RESOLVERS_FOLDER
    stack_files = sorted(p for p in stacks_dir.glob("*.json") if p.is_file()) if stacks_dir.is_dir() else []
    template_files = sorted(p.name for p in resolvers_dir.glob("*.vtl") if p.is_file()) if resolvers_dir.is_dir() else []
    resolvers: dict[str, ResolverDef] = {}
    data_sources: dict[str, DataSourceDef] = {}
    referenced: set[str] = set()
    watched: set[str] = {str(p) for p in stack_files} | {str(resolvers_dir / name) for name in template_files}
    for file in stack_files:
        stack = _read_stack(file, diagnostics)
        if stack is None:
            continue
        reader = _StackReader(file, stack, folder, diagnostics)
        for source in reader.data_sources():
            data_sources[source.name] = source
        for resolver in reader.resolvers(reader.functions()):
            if resolver.key in resolvers:
                diagnostics.append(error(
                    "resolvers.bad-stack", f"a second resolver for {resolver.key} (the first is in "
                    f"{resolvers[resolver.key].file}): AppSync allows one resolver per field",
                    file=resolver.file, json_path=resolver.json_path))
                continue
            resolvers[resolver.key] = resolver
        referenced |= reader.referenced
        watched |= reader.watched
    return CustomResolvers(
        folder=str(folder), resolvers=resolvers, data_sources=data_sources, template_files=tuple(template_files),
        referenced_files=frozenset(referenced), watched=tuple(sorted(watched)),
    ), diagnostics


__all__ = [
    "CustomResolvers",
    "DataSourceDef",
    "FunctionDef",
    "ResolverDef",
    "Template",
    "load_custom_resolvers",
]
