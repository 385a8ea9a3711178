"""Where the images live: the image bucket, and the bucket that keeps its server access logs."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .logical_ids import Unit


class ImageStore(Unit):
    """Two private, encrypted, TLS-only buckets. Both go with the stack (objects and all) unless
    `retain_data`, which keeps them and what they hold."""

    def __init__(self, scope: Construct, construct_id: str, *, retain_data: bool) -> None:
        super().__init__(scope, construct_id)
        self.access_logs = _private_bucket(
            self,
            "AccessLogs",
            retain_data=retain_data,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=cdk.Duration.days(90), abort_incomplete_multipart_upload_after=cdk.Duration.days(1)
                )
            ],
        )
        cdk.Validations.of(self.access_logs).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-S1",
                reason="This bucket receives the image bucket's server access logs; logging it would loop.",
            )
        )
        self.images = _private_bucket(
            self,
            "Images",
            retain_data=retain_data,
            lifecycle_rules=[s3.LifecycleRule(abort_incomplete_multipart_upload_after=cdk.Duration.days(1))],
            access_logs=self.access_logs,
            access_logs_prefix="images-bucket/",
        )

    def allow_browser(self, origin: str) -> None:
        """Let the page at `origin` read images through their pre-signed URLs with fetch (to download
        them, or draw them on a canvas it reads back); only that origin, only GET and HEAD."""
        self.images.add_cors_rule(
            allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.HEAD],
            allowed_origins=[origin],
            max_age=3600,
        )


def _private_bucket(
    scope: Construct,
    construct_id: str,
    *,
    retain_data: bool,
    lifecycle_rules: list[s3.LifecycleRule],
    access_logs: s3.IBucket | None = None,
    access_logs_prefix: str | None = None,
) -> s3.Bucket:
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        encryption=s3.BucketEncryption.S3_MANAGED,
        enforce_ssl=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removal_policy=cdk.RemovalPolicy.RETAIN if retain_data else cdk.RemovalPolicy.DESTROY,
        auto_delete_objects=not retain_data,
        lifecycle_rules=lifecycle_rules,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=access_logs_prefix,
    )
