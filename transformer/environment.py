"""The AWS environment an API is deployed into, as far as authorization decisions depend on it.

AppSync's resolvers stash these values (authRole, unauthRole, identityPoolId, adminRoles) in the
pipeline's init slot; the local server and the guards take them from here. The defaults describe
a local, fictitious account so that `gqlauth serve` works without any AWS configuration.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AuthEnvironment(BaseModel):
    model_config = ConfigDict(frozen=True)

    region: str = "us-east-1"
    account_id: str = "123456789012"
    user_pool_id: str = "us-east-1_gqlauthLocal"
    identity_pool_id: str = "us-east-1:00000000-0000-4000-8000-00000000beef"
    auth_role_name: str = "gqlauth-local-authRole"
    unauth_role_name: str = "gqlauth-local-unauthRole"
    admin_roles: tuple[str, ...] = Field(default=())

    @property
    def auth_role_arn(self) -> str:
        """The STS assumed-role ARN of the identity pool's authenticated role (`$ctx.stash.authRole`)."""
        return self.assumed_role_arn(self.auth_role_name)

    @property
    def unauth_role_arn(self) -> str:
        return self.assumed_role_arn(self.unauth_role_name)

    def assumed_role_arn(self, role_name: str) -> str:
        return f"arn:aws:sts::{self.account_id}:assumed-role/{role_name}/CognitoIdentityCredentials"

    def group_role_name(self, group_name: str) -> str:
        """Amplify names a group's role `<UserPoolId>-<groupName>GroupRole`."""
        return f"{self.user_pool_id}-{group_name}GroupRole"

    def group_role_arn(self, group_name: str) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{self.group_role_name(group_name)}"

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.user_pool_id}"

    @classmethod
    def from_assumed_role_arns(
        cls,
        auth_role_arn: str,
        unauth_role_arn: str,
        identity_pool_id: str,
        user_pool_id: str,
        admin_roles: tuple[str, ...] = (),
    ) -> AuthEnvironment:
        """Build from the ARNs a conformance suite records (`arn:aws:sts::<acct>:assumed-role/<name>/...`)."""
        account = auth_role_arn.split(":")[4]
        return cls(
            region=identity_pool_id.split(":")[0],
            account_id=account,
            user_pool_id=user_pool_id,
            identity_pool_id=identity_pool_id,
            auth_role_name=auth_role_arn.split("/")[1],
            unauth_role_name=unauth_role_arn.split("/")[1],
            admin_roles=admin_roles,
        )
