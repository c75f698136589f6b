"""Warnings about rules that do something other than what their author probably meant.

None of these stop a build (Amplify accepts every one of these schemas); each names the model, field
or group concerned and what to do about it. (Required fields some readers cannot read are judged by
`required_fields.py`: Amplify rejects most such schemas.) Precedence ties are reported by the group file loader.
"""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLSyntaxError, ObjectTypeDefinitionNode, ObjectTypeExtensionNode

from transformer.custom_resolvers import CustomResolvers
from transformer.diagnostics import Diagnostic, warning
from transformer.emit_permissions import role_label
from transformer.emit_vtl.layout import PipelineKind, build_pipelines
from transformer.environment import AuthEnvironment
from transformer.grants import protected_fields, reads_memoized
from transformer.handler_lint import unconfigured_handlers
from transformer.matrix import AccessMatrix, RoleKind
from transformer.precedence import GROUP_FILE_NAME, GroupFile
from transformer.rules import DEFAULT_GROUP_CLAIM, Operation, Provider, SourceLocation
from transformer.schema_model import ParsedSchema
from transformer.sdl_parsing import parse_sdl


def _where(location: SourceLocation | None) -> dict[str, object]:
    if location is None:
        return {}
    return {"file": location.file, "line": location.line, "column": location.column}


def owner_reassignment(schema: ParsedSchema, matrix: AccessMatrix) -> list[Diagnostic]:
    """Amplify's `ownerCanReassignWarning`: an owner who may update the owner field can give the record away."""
    if matrix.parameters.strict_owner:
        return []
    found: list[Diagnostic] = []
    for access in matrix.models.values():
        for role in access.roles.values():
            field = role.owner_field
            if role.kind is not RoleKind.OWNER or field is None or field in access.primary_key:
                continue
            if field not in access.fields_for(role.name, Operation.UPDATE):
                continue
            owner_arg = "" if field == "owner" else f', ownerField: "{field}"'
            if role.provider is not Provider.USER_POOLS:
                owner_arg += f", provider: {role.provider.value}"
            field_type = "[String]" if role.owner_field_is_list else "String"
            found.append(
                warning(
                    "lint.owner-reassign",
                    f"owners may reassign ownership of {access.name}: role {role.name} may update its own "
                    f"'{field}' field, so an owner can hand the record to another user (Amplify allows this). "
                    f"To lock it: {field}: {field_type} @auth(rules: [{{allow: owner{owner_arg}, operations: "
                    f"[read, delete]}}]) (and repeat there the read rules other roles need), or enable strict owner.",
                    **_where(role.location),
                )
            )
    return found


def substring_group_claims(schema: ParsedSchema) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: set[tuple[object, ...]] = set()
    for rule in schema.all_rules():
        if not rule.is_static_group or rule.group_claim == DEFAULT_GROUP_CLAIM:
            continue
        key = (rule.location, rule.group_claim, rule.groups)
        if key in seen:
            continue
        seen.add(key)
        groups = ", ".join(rule.groups or ())
        found.append(
            warning(
                "lint.group-claim-substring",
                f"static group rule ({groups}) reads the custom claim '{rule.group_claim}': when that claim "
                "is a plain string, Amplify's check is a substring test (group 'Admin' also matches a claim "
                "'SuperAdmins'). Make the claim a JSON list, or use cognito:groups.",
                **_where(rule.location),
            )
        )
    return found


def unused_groups(schema: ParsedSchema, group_file: GroupFile | None, group_file_path: Path | None) -> list[Diagnostic]:
    if group_file is None:
        return []
    named = {g for rule in schema.all_rules() if rule.is_static_group for g in rule.groups or ()}
    file = str(group_file_path) if group_file_path is not None else GROUP_FILE_NAME
    return [
        warning(
            "lint.group-unused",
            f'group "{group.groupName}" is in the group file but no @auth rule names it: for the API its '
            "members are just signed-in users",
            file=file,
            json_path=f"[{index}].groupName",
        )
        for index, group in enumerate(group_file.root)
        if group.groupName not in named
    ]


def withheld_deletes(schema: ParsedSchema, matrix: AccessMatrix) -> list[Diagnostic]:
    """A role the model's rules let delete, that never can: delete needs delete on every field."""
    found: list[Diagnostic] = []
    for access in matrix.models.values():
        model = schema.models.get(access.name)
        for role in access.roles.values():
            allowed = access.fields_for(role.name, Operation.DELETE)
            if not allowed or len(allowed) == len(access.fields):
                continue
            from_model_rules = any(
                (served := access.field(name)) is not None and not served.has_field_rules for name in allowed
            )
            if not from_model_rules:
                continue
            withheld = [f for f in access.field_names() if f not in allowed]
            location = None
            if model is not None:
                first = model.field(withheld[0])
                location = first.location if first is not None else None
            found.append(
                warning(
                    "lint.delete-withheld",
                    f"{role_label(role)} may delete {access.name} by the model's rules but never can: field-level "
                    f"rules on {', '.join(withheld)} do not grant it delete, and deleting a record needs delete on "
                    "every field (as in Amplify). Add delete for it to those field rules, or drop delete from the "
                    "model rule.",
                    **_where(location or role.location),
                )
            )
    return found


def filterable_hidden_fields(schema: ParsedSchema, matrix: AccessMatrix) -> list[Diagnostic]:
    """Fields some readers of the record may not read: Amplify lets them filter on it anyway."""
    found: list[Diagnostic] = []
    read_ops = (Operation.GET, Operation.LIST)
    for access in matrix.models.values():
        model = schema.models.get(access.name)
        readers = [r for r in access.roles.values() if any(access.fields_for(r.name, op) for op in read_ops)]
        for name in sorted(protected_fields(access)):
            short = [r for r in readers if not any(name in access.fields_for(r.name, op) for op in read_ops)]
            if not short:
                continue
            declared = model.field(name) if model is not None else None
            found.append(
                warning(
                    "lint.filter-hidden-field",
                    f"{access.name}.{name} is hidden from {', '.join(role_label(r) for r in short)}, who may read "
                    f"{access.name}: in a deployed Amplify API they can still learn it through a filter or "
                    f"condition (e.g. filter: {{{name}: {{beginsWith: \"a\"}}}}, one character at a time). "
                    f"gqlauth serve refuses such filters, conditions and subscription filters (Unauthorized, "
                    f"naming the field); to close it in AppSync, keep {name} in a separate model.",
                    **_where(declared.location if declared is not None else None),
                )
            )
    return found


_RESOLVED_BY_DIRECTIVE = frozenset({"function", "http", "predictions", "sql", "aws_subscribe"})
"""A root field with one of these is resolved (or warned about) by its directive, not by a resolver of its own."""


def _declared_fields(schema: ParsedSchema) -> dict[str, tuple[tuple[str, ...], dict[str, object]]]:
    """`Type.field` -> (its directives, where it is) for every field of every object type the schema writes."""
    try:
        document = parse_sdl(schema.sdl)
    except GraphQLSyntaxError:
        return {}
    in_file = Path(schema.file).is_file()
    found: dict[str, tuple[tuple[str, ...], dict[str, object]]] = {}
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
            continue
        for node in definition.fields or ():
            where: dict[str, object] = {"file": schema.file}
            if in_file and node.loc is not None:
                location = node.loc.source.get_location(node.loc.start)
                where.update(line=location.line, column=location.column)
            found[f"{definition.name.value}.{node.name.value}"] = (
                tuple(d.name.value for d in node.directives or ()), where)
    return found


def _generated_resolvers(schema: ParsedSchema, matrix: AccessMatrix) -> set[str]:
    """`Type.field` of every resolver the transform generates (operations, relational and protected fields)."""
    return {pipeline.key for pipeline in build_pipelines(matrix, AuthEnvironment(), schema)
            if pipeline.kind is not PipelineKind.AUTH_ONLY}


def custom_resolver_problems(schema: ParsedSchema, matrix: AccessMatrix, custom: CustomResolvers) -> list[Diagnostic]:
    """The API's own resolvers against the schema: root fields nothing resolves, resolvers for fields the schema
    lacks or that Amplify already resolves, and `resolvers/` files that replace Amplify's generated templates."""
    if custom.folder is None:
        return []
    declared = _declared_fields(schema)
    found: list[Diagnostic] = []
    for key, (directives, where) in declared.items():
        type_name = key.split(".", 1)[0]
        if type_name not in ("Query", "Mutation") or key in matrix.operations or key in custom.resolvers:
            continue
        if _RESOLVED_BY_DIRECTIVE & set(directives):
            continue
        found.append(warning(
            "resolvers.field-unresolved",
            f"{key} has no resolver (no @function, @http, or resolver of the API's stacks/*.json): AppSync answers "
            f"it with null. Add a resolver to stacks/CustomResources.json with its templates in resolvers/",
            **where))
    generated_fields = _generated_resolvers(schema, matrix) if custom.resolvers or custom.template_files else set()
    for key, resolver in custom.resolvers.items():
        where = {"file": resolver.file, "json_path": resolver.json_path}
        directives = declared.get(key, ((), {}))[0]
        if key in matrix.operations or key in generated_fields or {"function", "http"} & set(directives):
            found.append(warning(
                "resolvers.deploy-conflict",
                f"a resolver for {key}, which Amplify already resolves: AppSync allows one resolver per field, so "
                "`amplify push` fails (Only one resolver is allowed per field); gqlauth serves its own resolver "
                "for it and ignores this one", **where))
        elif key not in declared:
            found.append(warning(
                "resolvers.unknown-field",
                f"a resolver for {key}, a field the schema does not have: AppSync refuses it at deploy time; "
                "gqlauth ignores it", **where))
        elif "auth" in directives:
            found.append(warning(
                "resolvers.deploy-conflict",
                f"{key} has @auth and a resolver of its own: Amplify's @auth on a custom field generates a resolver "
                "for it, so `amplify push` fails (Only one resolver is allowed per field); gqlauth serve runs the "
                "@auth check, then this resolver. In Amplify, move the logic to the field's slots "
                f"(resolvers/{key}.finish.1.req.vtl) or to @function", **where))
    folder = Path(custom.folder) / "resolvers" if custom.folder else Path("resolvers")
    for name in custom.template_files:
        if name in custom.referenced_files:
            continue
        key = ".".join(name.split(".", 2)[:2])
        directives = declared.get(key, ((), {}))[0]
        if key in matrix.operations or key in generated_fields or "auth" in directives:
            found.append(warning(
                "resolvers.override-ignored",
                f"resolvers/{name} replaces (or extends) a template Amplify generates for {key}; gqlauth does not "
                "apply it: serve and the emitted templates use gqlauth's own resolver for that field",
                file=str(folder / name)))
    return found


def lint(
    schema: ParsedSchema,
    matrix: AccessMatrix,
    group_file: GroupFile | None,
    group_file_path: Path | None = None,
) -> list[Diagnostic]:
    """Every lint warning for a loaded project."""
    with reads_memoized():
        return [
            *owner_reassignment(schema, matrix),
            *substring_group_claims(schema),
            *unused_groups(schema, group_file, group_file_path),
            *withheld_deletes(schema, matrix),
            *filterable_hidden_fields(schema, matrix),
            *unconfigured_handlers(schema),
        ]


__all__ = [
    "custom_resolver_problems",
    "filterable_hidden_fields",
    "lint",
    "owner_reassignment",
    "substring_group_claims",
    "unused_groups",
    "withheld_deletes",
]
