"""The guards: pure decision functions that decide exactly as a deployed Amplify (transformer v2) API.

Every function takes the access matrix, an operation, the caller (`resolvers.identity.Identity`)
and the `AuthEnvironment` (identity-pool roles, admin roles), plus what the operation touches, and
returns a `Decision`. Nothing is read or written: the caller applies the decision.

API (stable; the server calls exactly this):

    decide_create(matrix, "Mutation.createPost", identity, input, env) -> Decision
        .input: the input to store, owner field filled in where Amplify fills it
    decide_update(matrix, "Mutation.updatePost", identity, input, stored, env) -> Decision
        checked against `stored` (None: the record does not exist; static roles may still pass and
        the write then fails as a conditional check)
    decide_delete(matrix, "Mutation.deletePost", identity, stored, env) -> Decision
    decide_get(matrix, "Query.getPost", identity, record, env) -> Decision
        record None -> allowed (result null); record outside the filter -> Unauthorized;
        .hidden_fields: fields this reader receives as null with an Unauthorized error
    decide_list(matrix, "Query.listPosts", identity, env) -> Decision   (also index queries, sync)
        .filter: AuthFilter | None (None = unrestricted); record_visible(filter, record) -> bool
    decide_field_read(matrix, "Post", "internalNotes", identity, source, from_mutation=..., env=...) -> Decision
        denied -> null + Unauthorized error at the field; allowed with the field in
        .hidden_fields -> null without error (protected field in a mutation result)
    field_visibility(matrix, "Post", identity, record, from_mutation=..., env=...) -> FieldVisibility
        every field check of a model at once: .hidden (null) and .errors (null + Unauthorized)
    decide_subscribe(matrix, "Subscription.onCreatePost", identity, args, env) -> Decision
        .event_filter; event_visible(decision, record, readback_fields) -> bool
    owner_readback(value) -> the part after the last "::" (what clients read from owner fields)
    owner_readback_fields(matrix, "Post") -> owner fields Amplify strips on read
    protected_fields(matrix, "Post") -> fields with a field-level check (null in mutation results)

`Decision`: allowed, error_type ("Unauthorized"), message (AppSync's text: "Not Authorized to access
createPost on type Mutation" or "Unauthorized on [internalNotes]"), input, filter, event_filter,
hidden_fields, granted_by, admin_bypass, and `reasons` (computed on access: per role, granted or why
not). `AuthFilter(any_of=(Condition(field, op, value), ...))` with op eq | contains | in | containsAny.

Custom rules (`allow: custom`) ask the authorizer set with `configure_custom_authorizer("module:fn")`;
with none configured, Lambda requests are denied.

Deliberate differences from Amplify (safer): a group claim that is a string is parsed as a JSON list
or one group name, never substring-tested; IAM admin role names are matched as whole role names.
"""

from resolvers.guards.claims import owner_readback
from resolvers.guards.create import decide_create
from resolvers.guards.custom import (
    CustomAuthorizer,
    CustomAuthorizerError,
    configure_custom_authorizer,
    current_custom_authorizer,
    load_authorizer,
)
from resolvers.guards.decision import (
    UNAUTHORIZED,
    AuthFilter,
    Condition,
    Decision,
    Reason,
    denied_fields_message,
    not_authorized_message,
    record_visible,
)
from resolvers.guards.plans import UnknownOperation, protected_fields
from resolvers.guards.read import (
    FieldVisibility,
    decide_field_read,
    decide_get,
    decide_list,
    field_visibility,
    owner_readback_fields,
)
from resolvers.guards.subscribe import decide_subscribe, event_visible
from resolvers.guards.update_delete import decide_delete, decide_update

__all__ = [
    "UNAUTHORIZED",
    "AuthFilter",
    "Condition",
    "CustomAuthorizer",
    "CustomAuthorizerError",
    "Decision",
    "FieldVisibility",
    "Reason",
    "UnknownOperation",
    "configure_custom_authorizer",
    "current_custom_authorizer",
    "decide_create",
    "decide_delete",
    "decide_field_read",
    "decide_get",
    "decide_list",
    "decide_subscribe",
    "decide_update",
    "denied_fields_message",
    "event_visible",
    "field_visibility",
    "load_authorizer",
    "not_authorized_message",
    "owner_readback",
    "owner_readback_fields",
    "protected_fields",
    "record_visible",
]
