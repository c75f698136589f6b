"""Declarations of every Amplify (transformer v2) and AppSync directive, scalar, enum and input.

A real Amplify schema uses these without declaring them; graphql-core only validates and builds
SDL whose directives are declared, so we supply the declarations as a separate document and keep
the user's document (and its source locations) untouched.
"""

from __future__ import annotations

from functools import cache

from graphql import DocumentNode, Source

from transformer.sdl_parsing import parse_sdl

APPSYNC_SCALARS = (
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
)

DECLARATIONS = (
    "\n".join(f"scalar {name}" for name in APPSYNC_SCALARS)
    + '''
directive @model(queries: ModelQueryMap, mutations: ModelMutationMap,
  subscriptions: ModelSubscriptionMap, timestamps: TimestampConfiguration) on OBJECT
input ModelQueryMap { get: String list: String }
input ModelMutationMap { create: String update: String delete: String }
input ModelSubscriptionMap { onCreate: [String] onUpdate: [String] onDelete: [String] level: ModelSubscriptionLevel }
enum ModelSubscriptionLevel { off public on }
input TimestampConfiguration { createdAt: String updatedAt: String }

directive @auth(rules: [AuthRule!]!) on OBJECT | FIELD_DEFINITION
input AuthRule {
  allow: AuthStrategy!
  provider: AuthProvider
  identityClaim: String
  groupClaim: String
  ownerField: String
  groupsField: String
  groups: [String]
  operations: [ModelOperation]
}
enum AuthStrategy { owner groups private public custom }
enum AuthProvider { apiKey iam identityPool oidc userPools function }
enum ModelOperation { create update delete read list get sync listen search }

directive @primaryKey(sortKeyFields: [String]) on FIELD_DEFINITION
directive @index(name: String, sortKeyFields: [String], queryField: String, projection: ProjectionInput) repeatable on FIELD_DEFINITION
input ProjectionInput { type: ProjectionType nonKeyAttributes: [String] }
enum ProjectionType { ALL KEYS_ONLY INCLUDE }
directive @hasOne(fields: [String], references: [String]) on FIELD_DEFINITION
directive @hasMany(indexName: String, fields: [String], references: [String], limit: Int = 100) on FIELD_DEFINITION
directive @belongsTo(fields: [String], references: [String], overrideIndexName: String) on FIELD_DEFINITION
directive @manyToMany(relationName: String!, limit: Int = 100) on FIELD_DEFINITION
directive @default(value: String) on FIELD_DEFINITION
directive @validate(type: ValidationType!, value: String!, errorMessage: String) repeatable on FIELD_DEFINITION
enum ValidationType { gt lt gte lte minLength maxLength startsWith endsWith matches }
directive @function(name: String!, region: String, accountId: String,
  invocationType: InvocationType = RequestResponse) repeatable on FIELD_DEFINITION
enum InvocationType { RequestResponse Event }
directive @http(method: HttpMethod = GET, url: String!, headers: [HttpHeader] = []) on FIELD_DEFINITION
enum HttpMethod { GET POST PUT DELETE PATCH }
input HttpHeader { key: String value: String }
directive @searchable(queries: SearchableQueryMap) on OBJECT
input SearchableQueryMap { search: String }
directive @predictions(actions: [PredictionsActions!]!) on FIELD_DEFINITION
enum PredictionsActions { identifyText identifyLabels convertTextToSpeech translateText }
directive @mapsTo(name: String!) on OBJECT
directive @refersTo(name: String!) on OBJECT | FIELD_DEFINITION
directive @sql(statement: String, reference: String) on FIELD_DEFINITION

directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_api_key on OBJECT | FIELD_DEFINITION
directive @aws_iam on OBJECT | FIELD_DEFINITION
directive @aws_oidc on OBJECT | FIELD_DEFINITION
directive @aws_lambda on OBJECT | FIELD_DEFINITION
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION
directive @aws_auth(cognito_groups: [String]) on FIELD_DEFINITION
'''
)

SUPPORTED_DIRECTIVES = frozenset(
    {
        "model",
        "auth",
        "primaryKey",
        "index",
        "hasOne",
        "hasMany",
        "belongsTo",
        "manyToMany",
        "default",
        "validate",
        "function",
        "http",
        "searchable",
        "aws_subscribe",
        "aws_api_key",
        "aws_iam",
        "aws_oidc",
        "aws_lambda",
        "aws_cognito_user_pools",
        "aws_auth",
        "deprecated",
    }
)
"""Directives gqlauth implements; any other declared directive is reported by `check` as unsupported."""


@cache
def declarations_document() -> DocumentNode:
    return parse_sdl(Source(DECLARATIONS, "<amplify directives>"))
