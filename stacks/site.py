"""The web page (authMode=cognito): the files of `web/` in a private bucket behind a CloudFront
distribution that reads them through origin access control, with the page's config.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from .logical_ids import Unit

WEB = Path(__file__).resolve().parent.parent / "web"  # the page, uploaded as it is
CONFIG_FILE = "config.json"  # the page reads it beside index.html

# What the page may load and call: its own files; the API (execute-api), the images' pre-signed
# URLs (S3), both under amazonaws.com; the hosted sign-in's token endpoint (amazoncognito.com).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # style attributes the page's script may write
        "img-src 'self' data: blob: https://*.amazonaws.com",
        "connect-src 'self' data: blob: https://*.amazonaws.com https://*.amazoncognito.com",
        "font-src 'self'",
        "manifest-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ]
)


class Site(Unit):
    """A private, encrypted, TLS-only bucket for the page, readable only by the distribution (OAC);
    the distribution answers HTTPS only, with security headers, and serves index.html at `/`.
    The bucket and the log bucket (the site bucket's server access logs and the distribution's
    logs) go with the stack, objects and all: they hold nothing `make deploy` cannot put back."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        # Names CloudFront keeps per account, not per region: the same stack in two regions needs two.
        account_wide = f"{stack.stack_name[:40]}-{cdk.Aws.REGION}"
        self.logs = _bucket(
            self,
            "SiteLogs",
            # CloudFront's standard logs are written with an ACL that grants the bucket owner access
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
        )
        cdk.Validations.of(self.logs).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-S1",
                reason="This bucket receives the site bucket's server access logs and the distribution's logs; "
                "logging it would loop.",
            )
        )
        self.bucket = _bucket(
            self,
            "SiteBucket",
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.logs,
            server_access_logs_prefix="site-bucket/",
        )
        access = cloudfront.S3OriginAccessControl(
            self,
            "SiteOriginAccess",
            origin_access_control_name=f"{account_wide}-site",
            description="The site distribution reads the site bucket, signing with SigV4",
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SiteHeaders",
            response_headers_policy_name=f"{account_wide}-site-headers",
            comment="Security headers for the image generation web page",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365), include_subdomains=True, override=True
                ),
                xss_protection=cloudfront.ResponseHeadersXSSProtection(protection=True, mode_block=True, override=True),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment=f"{stack.stack_name}: the image generation web page",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket, origin_access_control=access),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                compress=True,
            ),
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=self.logs,
            log_file_prefix="distribution/",
        )
        self._acknowledge()

    @property
    def origin(self) -> str:
        """The page's origin, the one the API and the image bucket allow."""
        return f"https://{self.distribution.distribution_domain_name}"

    @property
    def url(self) -> str:
        """The page's address: where the hosted sign-in sends users back to."""
        return f"{self.origin}/"

    def publish(self, config: dict[str, Any]) -> s3deploy.BucketDeployment:
        """Upload `web/` as it is and the page's config.json (its tokens resolved at deploy time),
        then invalidate the distribution's cache. Runs as a Lambda-backed custom resource."""
        log_group = logs.LogGroup(
            self,
            "SiteContentLogs",
            retention=logs.RetentionDays.ONE_MONTH,
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        deployment = s3deploy.BucketDeployment(
            self,
            "SiteContent",
            sources=[
                s3deploy.Source.asset(str(WEB), exclude=[CONFIG_FILE, "**/.*"]),  # the offline world's own config
                s3deploy.Source.json_data(CONFIG_FILE, config),
            ],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            log_group=log_group,
            memory_limit=256,
        )
        handler = deployment.handler_role.node.scope  # CDK's upload function, one per stack
        cdk.Validations.of(handler).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                reason="CDK's BucketDeployment function writes its logs with the AWS-managed basic execution policy.",
            )
        )
        for wildcard in self._deployment_wildcards():
            cdk.Validations.of(handler).acknowledge(
                cdk.Acknowledgment(
                    id=f"AwsSolutions-IAM5[{wildcard}]",
                    reason="CDK's BucketDeployment writes these grants: it reads the page's asset from the "
                    "bootstrap bucket, replaces every object of the site bucket, and invalidates the "
                    "distribution, an action CDK grants on every distribution.",
                )
            )
        cdk.Validations.of(handler).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-L1",
                reason="CDK's BucketDeployment function runs the Python runtime CDK ships it for, with the "
                "AWS CLI layer.",
            )
        )
        return deployment

    def _deployment_wildcards(self) -> list[str]:
        """The wildcards of CDK's BucketDeployment grants, as cdk-nag names each finding."""
        stack = cdk.Stack.of(self)
        partition = stack.resolve(stack.partition)
        if not isinstance(partition, str):
            partition = "<AWS::Partition>"
        qualifier = stack.synthesizer.bootstrap_qualifier
        bucket = stack.get_logical_id(self.bucket.node.default_child)  # type: ignore[arg-type]  # a CfnBucket
        return [
            *(f"Action::s3:{action}*" for action in ("GetBucket", "GetObject", "List", "Abort", "DeleteObject")),
            f"Resource::arn:{partition}:s3:::cdk-{qualifier}-assets-<AWS::AccountId>-{stack.region}/*",
            f"Resource::<{bucket}.Arn>/*",
            "Resource::*",  # cloudfront:CreateInvalidation and GetInvalidation
        ]

    def _acknowledge(self) -> None:
        cdk.Validations.of(self.distribution).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-CFR1",
                reason="The page is for anyone the administrator creates a user for, wherever they are; "
                "the API behind it authorizes every call.",
            )
        )
        cdk.Validations.of(self.distribution).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-CFR2",
                reason="WAF is left to the operator: it costs money, the page holds static files only and the API "
                "has throttling and authorization; associate a web ACL with the distribution where needed.",
            )
        )
        cdk.Validations.of(self.distribution).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-CFR4",
                reason="The distribution uses CloudFront's default *.cloudfront.net certificate, whose minimum "
                "protocol CloudFront sets; a custom domain and certificate are needed to choose TLSv1.2_2021.",
            )
        )


def _bucket(scope: Construct, construct_id: str, **props: Any) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        removal_policy=cdk.RemovalPolicy.DESTROY,
        auto_delete_objects=True,
        **props,
    )
