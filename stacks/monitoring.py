"""What tells an operator that something went wrong: the queues that keep each deferred evaluation
and each refine run that failed, the alarms (on those queues, on the API's 5xx answers, on
Bedrock's throttles) and, when `alarmEmail` is set, the topic that mails them."""

from __future__ import annotations

from collections.abc import Mapping

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from imagegen.metrics import NAMESPACE, THROTTLED

from .logical_ids import Unit

PERIOD = cdk.Duration.minutes(5)
SERVER_ERRORS = 5
"""5xx answers in one period that raise the alarm: a single one is often Bedrock's (a model busy
or unavailable, answered 503 with Retry-After), several in a few minutes are worth a look."""
BATCH_AGE_SECONDS = 3600
"""The age of the batch queue's oldest message that raises the alarm: the queue holds about a chunk
of items ahead of the workers and a throttled item waits at most 15 minutes, so an hour-old message
means the workers are not keeping up (or not running)."""
THROTTLES = 10
"""Throttled Bedrock calls in one period that raise the alarm: the functions retry a throttle
within the request's time, so a few are absorbed; this many means the account's quota is short."""


class FailedEvaluations(Unit):
    """The on-failure destinations of the functions invoked asynchronously, each keeping an
    invocation that failed (a crash, a timeout, every retry) or that Lambda could not run before
    its maximum age for 14 days, with its event, to be redriven: `queue` the deferred evaluations
    (the evaluate function), `refine_runs` the refine jobs' runs (the refine worker)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.queue = self._failures("FailedEvaluations", "the evaluate function's")
        self.refine_runs = self._failures("FailedRefineRuns", "the refine worker's")

    def _failures(self, construct_id: str, whose: str) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            construct_id,
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        cdk.Validations.of(queue).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SQS3",
                reason=f"This queue is itself the dead-letter queue: {whose} on-failure destination, which "
                "nothing consumes but an operator redriving it.",
            )
        )
        return queue


class Alarms(Unit):
    """Six alarms, each in the OK state while nothing happens (no data is not breaching):
    failed deferred evaluations and failed refine runs waiting in their queues, batch messages in
    the batch dead-letter queue, the batch queue's oldest message's age, the API's 5xx answers, and
    Bedrock's throttles as the functions count them (metrics.THROTTLED, summed over
    the functions).
    With `email`, each alarm and its return to OK is mailed through an SNS topic."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        failed_evaluations: sqs.IQueue,
        failed_refine_runs: sqs.IQueue,
        api: apigw.RestApi,
        functions: Mapping[str, lambda_.IFunction],
        batch_queue: sqs.IQueue,
        batch_dead_letters: sqs.IQueue,
        email: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alarms = [
            failed_evaluations.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ).create_alarm(
                self,
                "FailedEvaluationsAlarm",
                alarm_description="A deferred evaluation failed and waits in the failed-evaluations queue "
                "(docs/deploy.md tells how to redrive it).",
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            failed_refine_runs.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ).create_alarm(
                self,
                "FailedRefineRunsAlarm",
                alarm_description="A refine job's run failed every attempt and waits in the failed-refine-runs "
                "queue; GET /jobs/{id} shows the job as job_lost (docs/deploy.md tells how to redrive it).",
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            batch_dead_letters.metric_approximate_number_of_messages_visible(
                period=PERIOD, statistic="Maximum"
            ).create_alarm(
                self,
                "BatchDeadLettersAlarm",
                alarm_description="A batch message failed every delivery and waits in the batch dead-letter "
                "queue (docs/deploy.md tells how to redrive it).",
                threshold=0,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            batch_queue.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum").create_alarm(
                self,
                "BatchQueueAgeAlarm",
                alarm_description=f"The batch queue's oldest message is over {BATCH_AGE_SECONDS // 60} minutes old: "
                "the batch worker is not keeping up, or not running.",
                threshold=BATCH_AGE_SECONDS,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            api.metric_server_error(period=PERIOD, statistic="Sum").create_alarm(
                self,
                "ApiServerErrorsAlarm",
                alarm_description=f"The API answered {SERVER_ERRORS} or more 5xx in 5 minutes.",
                threshold=SERVER_ERRORS,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
            _throttles(functions).create_alarm(
                self,
                "BedrockThrottlesAlarm",
                alarm_description=f"Bedrock throttled {THROTTLES} or more of the functions' calls in 5 minutes.",
                threshold=THROTTLES,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
        ]
        self.topic: sns.Topic | None = None
        if email:
            self.topic = sns.Topic(self, "AlarmTopic", display_name="BedrockImageGenEval alarms", enforce_ssl=True)
            self.topic.add_subscription(subscriptions.EmailSubscription(email))
            for alarm in self.alarms:
                alarm.add_alarm_action(actions.SnsAction(self.topic))
                alarm.add_ok_action(actions.SnsAction(self.topic))


def _throttles(functions: Mapping[str, lambda_.IFunction]) -> cloudwatch.MathExpression:
    """The functions' throttled Bedrock calls, summed (each function's own metric, a period with
    none counting 0)."""
    metrics = {
        f"t{index}": cloudwatch.Metric(
            namespace=NAMESPACE,
            metric_name=THROTTLED.name,
            dimensions_map={"function": fn.function_name},
            statistic="Sum",
            period=PERIOD,
        )
        for index, fn in enumerate(functions.values())
    }
    return cloudwatch.MathExpression(
        expression=" + ".join(f"FILL({key}, 0)" for key in metrics),
        using_metrics=metrics,
        label="Throttled Bedrock calls",
        period=PERIOD,
    )
