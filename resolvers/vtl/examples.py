"""An Amplify-style `@auth` template, hand-written for tests, the benchmark and documentation.

`CREATE_POST_AUTH` is the `auth` slot of `Mutation.createPost` for the blog sample
(`Post @auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: groups, groups: ["Editors"],
operations: [create, update, read]}, {allow: owner}, {allow: private, operations: [read]},
{allow: public, operations: [read]}])` with `internalNotes` restricted to Admins and Editors), plus
an OIDC rule `{allow: groups, provider: oidc, groupClaim: "groups", groups: ["Moderators"]}`, in
the shape the Amplify v2 transformer gives it: static groups loop with `#break`, owner claim
`sub::username` with auto-fill, per-role allowed fields, `Unauthorized on [...]`. Unlike Amplify's
own text, list and map literals are set into variables before a method takes them (the grammar
`resolvers.vtl` accepts, see `parser.py`).
"""

CREATE_POST_AUTH = r"""## [Start] Authorization Steps. **
$util.qr($ctx.stash.put("hasAuth", true))
#set( $inputFields = $util.parseJson($util.toJson($ctx.args.input.keySet())) )
#set( $isAuthorized = false )
#set( $allowedFields = [] )
#set( $none = [] )
#set( $emptyPayload = {"version": "2018-05-29", "payload": {}} )
#if( $util.authType() == "IAM Authorization" )
  #set( $adminRoles = $util.defaultIfNull($ctx.stash.adminRoles, $none) )
  #foreach( $adminRole in $adminRoles )
    #if( $ctx.identity.userArn.contains($adminRole) && $ctx.identity.userArn != $ctx.stash.authRole && $ctx.identity.userArn != $ctx.stash.unauthRole )
      #return($util.toJson($emptyPayload))
    #end
  #end
#end
#if( $util.authType() == "User Pool Authorization" )
  #if( !$isAuthorized )
    #set( $staticGroupRoles = [
      {"claim": "cognito:groups", "entity": "Admins", "allowedFields": [], "isAuthorizedOnAllFields": true},
      {"claim": "cognito:groups", "entity": "Editors", "allowedFields": [], "isAuthorizedOnAllFields": true}
    ] )
    #foreach( $groupRole in $staticGroupRoles )
      #set( $groupsInToken = $util.defaultIfNull($ctx.identity.claims.get($groupRole.claim), $none) )
      #if( $groupsInToken.contains($groupRole.entity) )
        #if( $groupRole.isAuthorizedOnAllFields )
          #set( $isAuthorized = true )
          #break
        #else
          $util.qr($allowedFields.addAll($groupRole.allowedFields))
        #end
      #end
    #end
  #end
  ## owner rule: ownerField "owner", identityClaim "sub::username"
  #set( $ownerEntity0 = $util.defaultIfNull($ctx.args.input.owner, null) )
  #set( $ownerClaim0 = $util.defaultIfNull($ctx.identity.claims.get("sub"), null) )
  #set( $currentClaim1 = $util.defaultIfNull($ctx.identity.claims.get("username"),
                           $util.defaultIfNull($ctx.identity.claims.get("cognito:username"), null)) )
  #if( !$util.isNull($ownerClaim0) && !$util.isNull($currentClaim1) )
    #set( $ownerClaim0 = "$ownerClaim0::$currentClaim1" )
    #set( $ownerClaimsList0 = [] )
    $util.qr($ownerClaimsList0.add($util.defaultIfNull($ctx.identity.claims.get("sub"), null)))
    $util.qr($ownerClaimsList0.add($currentClaim1))
    #set( $ownerAllowedFields0 = ["id", "title", "content", "owner", "createdAt", "updatedAt"] )
    #set( $isAuthorizedOnAllFields0 = false )
    #if( !$isAuthorized )
      #if( $ownerClaim0 == $ownerEntity0 || $ownerClaimsList0.contains($ownerEntity0) )
        #if( $isAuthorizedOnAllFields0 )
          #set( $isAuthorized = true )
        #else
          $util.qr($allowedFields.addAll($ownerAllowedFields0))
        #end
      #end
    #end
    #if( $util.isNull($ownerEntity0) && !$ctx.args.input.containsKey("owner") )
      $util.qr($ctx.args.input.put("owner", $ownerClaim0))
      #if( !$isAuthorized )
        #if( $isAuthorizedOnAllFields0 )
          #set( $isAuthorized = true )
        #else
          $util.qr($allowedFields.addAll($ownerAllowedFields0))
        #end
      #end
    #end
  #end
#end
#if( $util.authType() == "Open ID Connect Authorization" )
  ## static group rule on a custom claim that some issuers send as a JSON string
  #set( $groupClaim = $util.defaultIfNull($ctx.identity.claims.get("groups"), $none) )
  #if( $util.isString($groupClaim) )
    #if( $util.isList($util.parseJson($groupClaim)) )
      #set( $groupClaim = $util.parseJson($groupClaim) )
    #else
      #set( $groupClaim = [$groupClaim] )
    #end
  #end
  #foreach( $userGroup in $groupClaim )
    #if( $userGroup == "Moderators" )
      #set( $isAuthorized = true )
      #break
    #end
  #end
#end
#if( $util.authType() == "API Key Authorization" )
  ## no apiKey role may create a Post
#end
#if( !$isAuthorized && $allowedFields.isEmpty() )
$util.unauthorized()
#end
#if( !$isAuthorized )
  #set( $deniedFields = $util.list.copyAndRemoveAll($inputFields, $allowedFields) )
  #if( $deniedFields.size() > 0 )
    $util.error("Unauthorized on ${deniedFields}", "Unauthorized")
  #end
#end
$util.toJson($emptyPayload)
## [End] Authorization Steps. **
"""
