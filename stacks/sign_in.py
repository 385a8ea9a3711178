"""Browser sign-in (authMode=cognito): a Cognito user pool whose users an administrator creates,
its hosted sign-in domain, and the web page's app client (authorization code grant with PKCE)."""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from .logical_ids import Unit

# A hosted domain's prefix may not contain these words (Cognito refuses the domain).
RESERVED_IN_PREFIX = re.compile(r"aws|amazon|cognito")


class SignIn(Unit):
    """The user pool goes with the stack, users and all (deletion protection off). No one signs
    themselves up; a user gets a temporary password by mail and chooses a strong one at first
    sign-in; MFA with an authenticator app is there for whoever turns it on."""

    def __init__(self, scope: Construct, construct_id: str, *, site_url: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=cdk.Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            feature_plan=cognito.FeaturePlan.ESSENTIALS,
            user_invitation=cognito.UserInvitationConfig(
                email_subject="Your sign-in to the image generation page",
                email_body=f"Sign in at {site_url} as {{username}} with the temporary password {{####}}; "
                "you will choose your own password then.",
            ),
            deletion_protection=False,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        self.domain = self.user_pool.add_domain(
            "Domain", cognito_domain=cognito.CognitoDomainOptions(domain_prefix=_domain_prefix(self))
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            generate_secret=False,  # a page cannot keep a secret: PKCE proves the code's requester instead
            auth_flows=cognito.AuthFlow(user_srp=True),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=[site_url],
                logout_urls=[site_url],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=cdk.Duration.hours(1),
            access_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.hours(12),
        )
        cdk.Validations.of(self.user_pool).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-COG2",
                reason="MFA is optional, as chosen: users an administrator creates sign in first with a temporary "
                "password and may then add an authenticator app; requiring it is a one-line change (mfa).",
            )
        )
        cdk.Validations.of(self.user_pool).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-COG3",
                reason="Threat protection (advanced security) needs the Plus feature plan, billed per monthly "
                "active user; here no one signs up, an administrator creates each user, and passwords are strong.",
            )
        )
        cdk.Validations.of(self.user_pool).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-COG8",
                reason="The Essentials feature plan is enough for the hosted sign-in of users an administrator "
                "creates; Plus, billed per monthly active user, adds threat protection (see COG3).",
            )
        )

    @property
    def base_url(self) -> str:
        """The hosted sign-in's address: https://<prefix>.auth.<region>.amazoncognito.com."""
        return self.domain.base_url()


def _domain_prefix(scope: Construct) -> str:
    """A prefix unique to the stack, the account and (as Cognito's domains are) the region:
    the stack's name, lowercase, without the words Cognito refuses, and the account id."""
    name = RESERVED_IN_PREFIX.sub("", cdk.Stack.of(scope).stack_name.lower()).strip("-")[:40] or "imagegen"
    return f"{name}-{cdk.Aws.ACCOUNT_ID}"
