"""The deployable stack: the image store, the functions and the REST API `BedrockImageGenEval`;
with authMode=cognito also the web page (site bucket and distribution) and its users' sign-in.

Resources only: the behaviour lives in lambda_src (the asset of every function), and the
model ids, checked against the registry before this runs, arrive in a StackConfig. Each unit is
a construct of its own module. A deployed stack's logical ids must not change (CloudFormation
replaces a resource whose id changes, and a replaced bucket loses its images): the store and the
functions are Units, which logical ids leave out (see logical_ids), and the API is the RestApi
itself at <stack>/Api, since CDK derives more than logical ids from its path.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from .batch_queue import BatchQueue
from .config import StackConfig
from .functions import ImageFunctions
from .image_store import ImageStore
from .logical_ids import UnitStack
from .monitoring import Alarms, FailedEvaluations
from .rest_api import ImageApi
from .sign_in import SignIn
from .site import Site

API_NAME = "BedrockImageGenEval"


class ImageGenEvalStack(UnitStack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StackConfig, **kwargs: Any) -> None:
        super().__init__(
            scope, construct_id, description="Generate, judge and modify images on Amazon Bedrock", **kwargs
        )
        for warning in config.warnings:
            cdk.Annotations.of(self).add_warning_v2("imagegen:model", warning)
        self.config = config
        self.store = ImageStore(self, "ImageStore", retain_data=config.retain_data)
        self.failed_evaluations = FailedEvaluations(self, "Monitoring")
        self.batch_queue = BatchQueue(self, "Batches")
        # authMode=cognito: the page's distribution is the one origin browsers call the API from
        self.site = Site(self, "Site") if config.serves_site else None
        self.sign_in = SignIn(self, "SignIn", site_url=self.site.url) if self.site else None
        cors_origin = self.site.origin if self.site else config.settings.cors_origin
        self.functions = ImageFunctions(
            self,
            "Functions",
            config=config,
            bucket=self.store.images,
            api_name=API_NAME,
            failed_evaluations=self.failed_evaluations.queue,
            failed_refine_runs=self.failed_evaluations.refine_runs,
            batch_queue=self.batch_queue.queue,
            cors_origin=cors_origin,
        )
        # The RestApi itself at <stack>/Api: CDK derives more than logical ids from its path (see ImageApi).
        self.api = ImageApi(
            self,
            "Api",
            config=config,
            functions=self.functions.by_name,
            api_name=API_NAME,
            cors_origin=cors_origin,
            user_pool=self.sign_in.user_pool if self.sign_in else None,
        )
        self.alarms = Alarms(
            self,
            "Alarms",
            failed_evaluations=self.failed_evaluations.queue,
            failed_refine_runs=self.failed_evaluations.refine_runs,
            api=self.api,
            functions={
                **self.functions.by_name,
                "refine_worker": self.functions.refine_worker,
                "batch_worker": self.functions.batch_worker,
            },
            batch_queue=self.batch_queue.queue,
            batch_dead_letters=self.batch_queue.dead_letters,
            email=config.alarm_email,
        )

        cdk.CfnOutput(self, "ApiUrl", value=self.api.url, description="Base URL of the prd stage")
        if self.api.api_key is not None:
            cdk.CfnOutput(
                self,
                "ApiKeyId",
                value=self.api.api_key.key_id,
                description="aws apigateway get-api-key --include-value --api-key <id>",
            )
        cdk.CfnOutput(self, "BucketName", value=self.store.images.bucket_name)
        if self.site and self.sign_in:
            self._publish(self.site, self.sign_in)
        cdk.CfnOutput(
            self,
            "FailedEvaluationsQueueUrl",
            value=self.failed_evaluations.queue.queue_url,
            description="Deferred evaluations that failed, with their events (docs/deploy.md: how to redrive them)",
        )
        cdk.CfnOutput(
            self,
            "FailedRefineRunsQueueUrl",
            value=self.failed_evaluations.refine_runs.queue_url,
            description="Refine jobs' runs that failed every attempt, with their events",
        )
        cdk.CfnOutput(self, "BatchQueueUrl", value=self.batch_queue.queue.queue_url)
        cdk.CfnOutput(
            self,
            "BatchDeadLettersQueueUrl",
            value=self.batch_queue.dead_letters.queue_url,
            description="Batch messages every delivery of which failed (redrive them to the batch queue)",
        )
        for name, fn in self.functions.by_name.items():
            cdk.CfnOutput(self, f"{name.capitalize()}FunctionName", value=fn.function_name)

    def _publish(self, site: Site, sign_in: SignIn) -> None:
        """The page's files and its config.json; the image bucket lets the page read its images."""
        self.store.allow_browser(site.origin)
        site.publish(
            {
                "apiUrl": self.api.url,
                "authMode": "cognito",
                "offline": False,
                "cognito": {
                    "domain": sign_in.base_url,
                    "clientId": sign_in.client.user_pool_client_id,
                    "redirectUri": site.url,
                },
            }
        )
        cdk.CfnOutput(self, "SiteUrl", value=site.url, description="The web page; users sign in there")
        cdk.CfnOutput(
            self,
            "UserPoolId",
            value=sign_in.user_pool.user_pool_id,
            description="aws cognito-idp admin-create-user --user-pool-id <id> --username <email> (docs/deploy.md)",
        )
