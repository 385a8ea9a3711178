"""The stack's observability: failed deferred evaluations and failed refine runs kept in queues,
alarms on those queues, on the API's 5xx answers and on Bedrock's throttles, and a topic for them
when an email is given."""

import pytest
from imagegen.metrics import NAMESPACE, THROTTLED

from stacks.config import StackConfigError, from_context


def _queue_id(synth, prefix="FailedEvaluations"):
    (queue,) = [lid for lid in synth.resources("AWS::SQS::Queue") if lid.startswith(prefix)]
    return queue


@pytest.mark.parametrize("name", ["current", "api_key"])
@pytest.mark.parametrize("prefix", ["FailedEvaluations", "FailedRefineRuns"])
def test_failed_asynchronous_runs_go_to_an_encrypted_queue_that_the_stack_takes_with_it(synthesized, name, prefix):
    from aws_cdk.assertions import Match, Template

    synth = synthesized[name]
    template = Template.from_stack(synth.stack)
    template.resource_count_is("AWS::SQS::Queue", 4)  # and the batch queue with its dead-letter queue
    queue = _queue_id(synth, prefix)
    resource = synth.template["Resources"][queue]
    assert resource["Properties"] == {"MessageRetentionPeriod": 14 * 24 * 3600, "SqsManagedSseEnabled": True}
    assert (resource["DeletionPolicy"], resource["UpdateReplacePolicy"]) == ("Delete", "Delete")
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "Queues": [{"Ref": queue}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sqs:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


def test_the_asynchronous_evaluation_runs_once_and_lands_in_the_queue_when_it_fails(synthesized):
    from aws_cdk.assertions import Template

    synth = synthesized["current"]
    template = Template.from_stack(synth.stack)
    evaluate = synth.stack.get_logical_id(synth.stack.functions.evaluate.node.default_child)
    queue = _queue_id(synth)
    template.resource_count_is("AWS::Lambda::EventInvokeConfig", 2)  # and the refine worker's
    template.has_resource_properties(
        "AWS::Lambda::EventInvokeConfig",
        {
            "FunctionName": {"Ref": evaluate},
            "Qualifier": "$LATEST",
            "MaximumRetryAttempts": 0,
            "MaximumEventAgeInSeconds": 14 * 60,
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": [queue, "Arn"]}}},
        },
    )
    # the evaluate function's role may send to the queue (Lambda sends the record as the function)
    policies = [
        p["Properties"]
        for p in synth.resources("AWS::IAM::Policy").values()
        if any(r["Ref"].startswith("EvaluateRole") for r in p["Properties"]["Roles"])
    ]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    sends = [s for s in statements if "sqs:SendMessage" in s["Action"]]
    assert [s["Resource"] for s in sends] == [{"Fn::GetAtt": [queue, "Arn"]}]


def test_a_refine_run_that_fails_every_attempt_lands_in_its_queue_within_the_age_the_job_reader_assumes(synthesized):
    """Lambda tries the worker's event for jobs.WORKER_EVENT_AGE; GET /jobs shows a job nobody wrote
    for that and one more run as job_lost (jobs.lost), so the two must be the same figures."""
    from imagegen import jobs

    synth = synthesized["current"]
    worker = synth.stack.get_logical_id(synth.stack.functions.refine_worker.node.default_child)
    (config,) = [
        r["Properties"]
        for r in synth.resources("AWS::Lambda::EventInvokeConfig").values()
        if r["Properties"]["FunctionName"] == {"Ref": worker}
    ]
    assert config["MaximumEventAgeInSeconds"] == jobs.WORKER_EVENT_AGE.total_seconds()
    assert config["MaximumRetryAttempts"] == 2
    assert config["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [_queue_id(synth, "FailedRefineRuns"), "Arn"]}}
    }
    assert synth.template["Resources"][worker]["Properties"]["Timeout"] == jobs.WORKER_SECONDS


def _alarms(synth):
    return {lid: r["Properties"] for lid, r in synth.resources("AWS::CloudWatch::Alarm").items()}


def _one(alarms, prefix):
    (found,) = [props for lid, props in alarms.items() if lid.startswith(prefix)]
    return found


@pytest.mark.parametrize("name", ["current", "original", "api_key"])
def test_six_alarms_each_ok_while_nothing_happens(synthesized, name):
    from aws_cdk.assertions import Template

    synth = synthesized[name]
    template = Template.from_stack(synth.stack)
    template.resource_count_is("AWS::CloudWatch::Alarm", 6)
    for prefix in ("FailedEvaluations", "FailedRefineRuns"):
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [_queue_id(synth, prefix), "QueueName"]}}],
                "Statistic": "Maximum",
                "ComparisonOperator": "GreaterThanThreshold",
                "Threshold": 0,
                "TreatMissingData": "notBreaching",
            },
        )
    template.has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "AWS/ApiGateway",
            "MetricName": "5XXError",
            "Dimensions": [{"Name": "ApiName", "Value": "BedrockImageGenEval"}],
            "Statistic": "Sum",
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
        },
    )
    throttles = _one(_alarms(synth), "BedrockThrottlesAlarm")
    assert throttles["TreatMissingData"] == "notBreaching"
    assert throttles["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    stats = [m["MetricStat"] for m in throttles["Metrics"] if "MetricStat" in m]
    assert {(s["Metric"]["Namespace"], s["Metric"]["MetricName"], s["Stat"]) for s in stats} == {
        (NAMESPACE, THROTTLED.name, "Sum")
    }
    # one metric per function (the workers' too), under the dimension the functions write: their own name
    every = [
        *synth.stack.functions.by_name.values(),
        synth.stack.functions.refine_worker,
        synth.stack.functions.batch_worker,
    ]
    functions = {synth.stack.get_logical_id(fn.node.default_child) for fn in every}
    assert {d["Value"]["Ref"] for s in stats for d in s["Metric"]["Dimensions"] if d["Name"] == "function"} == (
        functions
    )
    (expression,) = [m for m in throttles["Metrics"] if "Expression" in m]
    assert expression["ReturnData"] is True
    assert all(f"FILL({m['Id']}, 0)" in expression["Expression"] for m in throttles["Metrics"] if "MetricStat" in m)


def test_without_an_alarm_email_there_is_no_topic_and_no_action(synthesized):
    synth = synthesized["current"]
    assert synth.resources("AWS::SNS::Topic") == {}
    assert all("AlarmActions" not in props for props in _alarms(synth).values())


def test_with_an_alarm_email_every_alarm_and_its_recovery_is_mailed_through_a_tls_only_topic(synthesized):
    from aws_cdk.assertions import Match, Template

    synth = synthesized["api_key"]
    template = Template.from_stack(synth.stack)
    (topic,) = synth.resources("AWS::SNS::Topic")
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": "ops@example.com", "TopicArn": {"Ref": topic}}
    )
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [Match.object_like({"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})]
                )
            },
        },
    )
    for props in _alarms(synth).values():
        assert props["AlarmActions"] == [{"Ref": topic}]
        assert props["OKActions"] == [{"Ref": topic}]


def test_the_queue_urls_are_outputs(synthesized):
    outputs = synthesized["current"].template["Outputs"]
    for prefix in ("FailedEvaluations", "FailedRefineRuns"):
        assert outputs[f"{prefix}QueueUrl"]["Value"] == {"Ref": _queue_id(synthesized["current"], prefix)}


@pytest.mark.parametrize("value", ["ops", "ops@example", "two words@example.com"])
def test_synth_refuses_an_alarm_email_that_is_no_address(value):
    with pytest.raises(StackConfigError, match="alarmEmail must be an email address"):
        from_context(lambda key: {"alarmEmail": value}.get(key))
