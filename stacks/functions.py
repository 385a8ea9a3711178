"""The functions (generate, evaluate, modify, refine and the refine worker, batches and the batch
worker): the core library as their code, each with its own role, log group and least-privilege
grants."""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct
from imagegen import batches, idempotency, index_gaps, jobs
from imagegen.storage import PREFIX
from imagegen.usecases import batch_report
from imagegen.usecases.batch import INPUTS

from .bedrock_access import invoke_resources
from .config import StackConfig, StackConfigError
from .logical_ids import Unit

KEYS = f"{idempotency.PREFIX}/*"  # the idempotency keys' records
JOBS = f"{jobs.PREFIX}/*"  # the refine jobs' documents
BATCHES = f"{batches.PREFIX}/*"  # the batches' documents

LAMBDA_SRC = Path(__file__).resolve().parent.parent / "lambda_src"
PILLOW_LAYER = Path(__file__).resolve().parent.parent / "build" / "lambda-layer"  # `make layer` builds it
RUNTIME = lambda_.Runtime.PYTHON_3_14  # the Makefile's LAMBDA_PYTHON builds the layer for it
ARCHITECTURE = lambda_.Architecture.ARM_64
ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "*.egg-info", "**/*.egg-info"]  # pip's editable-install metadata


class ImageFunctions(Unit):
    """Generate and modify answer within API Gateway's 29 seconds and may hand the judging to
    evaluate, invoked asynchronously with a minute to run (it also serves the evaluate and
    describe routes); an asynchronous run that fails goes to `failed_evaluations`. Refine and its
    worker run refine jobs; a worker's event that fails every attempt goes to `failed_refine_runs`.
    Their answers allow `cors_origin`, the one browser origin the API allows, if any."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: StackConfig,
        bucket: s3.Bucket,
        api_name: str,
        failed_evaluations: sqs.IQueue,
        failed_refine_runs: sqs.IQueue,
        batch_queue: sqs.IQueue,
        cors_origin: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self._config = config
        self._cors_origin = cors_origin
        self._bucket = bucket
        self._api_name = api_name
        self.roles: dict[str, iam.Role] = {}
        self._pillow = _pillow_layer(self)  # every function judges: Pillow shrinks an image too large for it
        self.evaluate = self._function("Evaluate", "imagegen.handlers.evaluate.handler", timeout=60, memory=512)
        # A deferred evaluation runs once and soon, or never: a pending verdict reads as lost after
        # 15 minutes, and a retry would pay for the judge twice. One that fails, or waits past its
        # age, is kept with its event in the failed-evaluations queue (monitoring.FailedEvaluations).
        self.evaluate.configure_async_invoke(
            retry_attempts=0,
            max_event_age=cdk.Duration.minutes(14),
            on_failure=destinations.SqsDestination(failed_evaluations),
        )
        self.generate = self._function(
            "Generate", "imagegen.handlers.generate.handler", timeout=29, memory=1024, starts_evaluations=True
        )
        self.modify = self._function(
            "Modify", "imagegen.handlers.modify.handler", timeout=29, memory=1024, starts_evaluations=True
        )
        # Refine jobs: the refine function answers POST /refine-image and GET /jobs/{id} and starts the
        # worker asynchronously; at most refineConcurrency workers run at once. An invocation that
        # fails (out of time, S3 failing) is tried again by Lambda, which resumes the job from its
        # last recorded round: every round is recorded as it completes, and paid for once.
        self.refine_worker = self._function(
            "RefineWorker",
            "imagegen.handlers.refine.worker",
            timeout=jobs.WORKER_SECONDS,
            memory=1024,
            reserved=config.refine_concurrency,
        )
        self.refine_worker.configure_async_invoke(
            retry_attempts=jobs.WORKER_RETRIES,
            max_event_age=cdk.Duration.seconds(int(jobs.WORKER_EVENT_AGE.total_seconds())),
            on_failure=destinations.SqsDestination(failed_refine_runs),
        )
        self.refine = self._function("Refine", "imagegen.handlers.refine.handler", timeout=29, memory=512)
        self.refine.add_environment("IMAGEGEN_REFINE_FUNCTION", self.refine_worker.function_name)
        self.roles["Refine"].add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.refine_worker.function_arn])
        )
        self._batches(config, batch_queue)
        settings = config.settings
        self._grant(
            "Refine",
            models=[],  # it checks the model ids against the registry; the worker calls them
            read=[f"{PREFIX}/*/image.*", JOBS],  # a pre-signed URL is authorized as its signer
            write=[JOBS],
            delete=[JOBS],  # a job whose worker could not be started is forgotten
            list_bucket=True,  # an unknown job id is a 404, not a 403
        )
        self._grant(
            "RefineWorker",
            models=[*settings.generation_models, *settings.judge_models],
            read=[f"{PREFIX}/*", KEYS, JOBS],
            write=[f"{PREFIX}/*", KEYS, JOBS],
            delete=[KEYS],
            list_bucket=True,
        )
        self._grant(
            "Generate",
            models=[*settings.generation_models, *settings.judge_models],
            read=[f"{PREFIX}/*/image.*", f"{PREFIX}/*/evaluation.json", KEYS],  # a verdict's write may re-read it
            write=[f"{PREFIX}/*", KEYS],
            delete=[KEYS],
        )
        self._grant(
            "Modify",
            models=[*settings.modify_models.values(), *settings.judge_models],
            read=[f"{PREFIX}/*", KEYS],
            write=[f"{PREFIX}/*", KEYS],
            delete=[KEYS],
            list_bucket=True,
        )
        self._grant(
            "Evaluate",
            models=list(settings.judge_models),
            read=[f"{PREFIX}/*"],
            # GET /images marks the images the index lacks (index_gaps) as it finds them
            write=[f"{PREFIX}/*/evaluation.json", f"{index_gaps.GAPS}*"],
            list_bucket=True,
        )

    def _batches(self, config: StackConfig, queue: sqs.IQueue) -> None:
        """Batches answers POST /batches (it queues the batch) and GET /batches/{id}; the batch worker
        is fed by the queue's event source mapping: at most batchConcurrency invocations at once, each
        of `batches.BATCH_SIZE` messages, reporting the ones to deliver again (partial batch failures)."""
        self.batch_worker = self._function(
            "BatchWorker", "imagegen.handlers.batches.worker", timeout=batches.WORKER_SECONDS, memory=1024
        )
        self.batch_worker.add_event_source(
            event_sources.SqsEventSource(
                queue,
                batch_size=batches.BATCH_SIZE,
                max_concurrency=config.batch_concurrency,
                report_batch_item_failures=True,
            )
        )
        # A whole vCPU: POST /batches checks up to 100,000 items (some 0.06 ms each) inside the 29 s
        self.batches = self._function("Batches", "imagegen.handlers.batches.handler", timeout=29, memory=1769)
        for fn in (self.batches, self.batch_worker):
            fn.add_environment("IMAGEGEN_BATCH_QUEUE_URL", queue.queue_url)
            queue.grant_send_messages(fn)  # submitting queues the first chunk; the worker the rest
        settings = config.settings
        self._grant(
            "Batches",
            models=[],  # it checks the items' models against the registry; the worker calls them
            read=[f"{PREFIX}/*/image.*", BATCHES, f"{INPUTS}*"],  # a pre-signed URL is authorized as its signer
            write=[BATCHES],
            # a batch that could not be queued is forgotten; so is the request for a report that could not be
            delete=[f"{batches.PREFIX}/*/batch.json", f"{batches.PREFIX}/*/{batch_report.REQUESTED}"],
            list_bucket=True,  # the counts are a listing of the items' outcomes
        )
        self._grant(
            "BatchWorker",
            models=[*settings.generation_models, *settings.judge_models],
            read=[f"{PREFIX}/*", KEYS, BATCHES],
            write=[f"{PREFIX}/*", KEYS, BATCHES],
            delete=[KEYS, f"{batches.PREFIX}/*/{batch_report.REQUESTED}"],  # a report it failed on every time
            list_bucket=True,
        )

    @property
    def by_name(self) -> dict[str, lambda_.Function]:
        """The functions by the names the handlers' route table uses."""
        return {
            "generate": self.generate,
            "evaluate": self.evaluate,
            "modify": self.modify,
            "refine": self.refine,
            "batches": self.batches,
        }

    def _function(
        self,
        name: str,
        handler: str,
        *,
        timeout: int,
        memory: int,
        starts_evaluations: bool = False,
        reserved: int | None = None,
    ) -> lambda_.Function:
        log_group = logs.LogGroup(
            self, f"{name}Logs", retention=logs.RetentionDays.ONE_MONTH, removal_policy=cdk.RemovalPolicy.DESTROY
        )
        role = iam.Role(
            self,
            f"{name}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"The {name.lower()} function of {self._api_name}",
        )
        self.roles[name] = role
        log_group.grant_write(role)
        environment = {**self._config.function_environment(), "IMAGEGEN_BUCKET": self._bucket.bucket_name}
        if self._cors_origin:  # corsOrigin's, or with authMode=cognito the site's (known at deploy time)
            environment["IMAGEGEN_CORS_ORIGIN"] = self._cors_origin
        if starts_evaluations:
            environment["IMAGEGEN_EVALUATE_FUNCTION"] = self.evaluate.function_name
        fn = lambda_.Function(
            self,
            name,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=lambda_.Code.from_asset(str(LAMBDA_SRC), exclude=ASSET_EXCLUDES),
            layers=[self._pillow],
            timeout=cdk.Duration.seconds(timeout),
            memory_size=memory,
            environment=environment,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            reserved_concurrent_executions=reserved or self._config.concurrency_cap,
        )
        if starts_evaluations:
            role.add_to_policy(
                iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.evaluate.function_arn])
            )
        _acknowledge_wildcard(
            role, "*", "Active tracing: X-Ray's PutTraceSegments and PutTelemetryRecords take no resource."
        )
        return fn

    def _grant(
        self,
        name: str,
        *,
        models: list[str],
        read: list[str],
        write: list[str],
        delete: list[str] | None = None,
        list_bucket: bool = False,
    ) -> None:
        stack = cdk.Stack.of(self)
        role = self.roles[name]
        resources = sorted(
            {
                arn
                for model in dict.fromkeys(models)
                for arn in invoke_resources(
                    model, region=stack.region, account=stack.account, partition=stack.partition
                )
            }
        )
        if resources:
            role.add_to_policy(iam.PolicyStatement(actions=["bedrock:InvokeModel"], resources=resources))
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[self._bucket.arn_for_objects(k) for k in read])
        )
        role.add_to_policy(
            iam.PolicyStatement(actions=["s3:PutObject"], resources=[self._bucket.arn_for_objects(k) for k in write])
        )
        if delete:  # a request that paid for nothing frees its idempotency key
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:DeleteObject"], resources=[self._bucket.arn_for_objects(k) for k in delete]
                )
            )
        for arn in resources:
            if "*" in arn:
                _acknowledge_wildcard(
                    role,
                    arn,
                    "A model reached through an inference profile runs in a region Bedrock "
                    "chooses; the grant still names only this model.",
                )
        bucket = f"<{_logical_id(self._bucket)}.Arn>"  # how cdk-nag writes the bucket's ARN in a finding
        for key in dict.fromkeys([*read, *write, *(delete or [])]):
            _acknowledge_wildcard(
                role,
                f"{bucket}/{key}",
                "Objects under images/ and jobs/ are named by random ids and those under idempotency/ by a "
                "hash of the caller's key, unknown until a request runs; the prefix is the narrowest scope.",
            )
        if list_bucket:
            # Listing lets S3 answer 404, not 403, for a key that does not exist (an unknown image id,
            # an image never evaluated, an unknown job); describe also lists an image's edits. The
            # bucket holds only images/, idempotency/ and jobs/.
            role.add_to_policy(iam.PolicyStatement(actions=["s3:ListBucket"], resources=[self._bucket.bucket_arn]))


def _pillow_layer(scope: Construct) -> lambda_.LayerVersion:
    """Pillow for the functions' runtime and architecture, from the folder `make layer` fills."""
    if not (PILLOW_LAYER / "python" / "PIL").is_dir():
        raise StackConfigError(f"{PILLOW_LAYER} holds no Pillow for the Lambda layer; run `make layer` (or make synth)")
    return lambda_.LayerVersion(
        scope,
        "PillowLayer",
        code=lambda_.Code.from_asset(str(PILLOW_LAYER), exclude=ASSET_EXCLUDES),
        compatible_runtimes=[RUNTIME],
        compatible_architectures=[ARCHITECTURE],
        description="Pillow, for the judge's shrinker (imagegen.downscale)",
    )


def _logical_id(bucket: s3.Bucket) -> str:
    resource = bucket.node.default_child
    if not isinstance(resource, s3.CfnBucket):
        raise TypeError(f"{bucket.node.path} has no CfnBucket")
    return cdk.Stack.of(bucket).get_logical_id(resource)


def _acknowledge_wildcard(scope: IConstruct, resource: str, reason: str) -> None:
    """Acknowledge one wildcard resource (cdk-nag reports each as its own finding)."""
    cdk.Validations.of(scope).acknowledge(
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{resource}]", reason=reason)
    )
