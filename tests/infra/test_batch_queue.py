"""The batch queue in the template: the queue, its dead-letter queue with the redrive policy, the
event source mapping with its maximum concurrency and partial batch failures, the worker's grants,
and the two alarms."""

import json

from imagegen import batches

from stacks.config import StackConfigError, from_context


def _id(synth, kind, prefix):
    (found,) = [lid for lid in synth.resources(kind) if lid.startswith(prefix)]
    return found


def test_the_queue_redrives_to_its_dead_letter_queue_after_max_receives(synthesized):
    synth = synthesized["current"]
    dlq = _id(synth, "AWS::SQS::Queue", "BatchDeadLetters")
    queue = synth.one("AWS::SQS::Queue", "BatchQueue")["Properties"]
    assert queue["VisibilityTimeout"] == batches.VISIBILITY_SECONDS == 6 * batches.WORKER_SECONDS
    assert queue["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq, "Arn"]},
        "maxReceiveCount": batches.MAX_RECEIVES,
    }
    assert queue["SqsManagedSseEnabled"] is True


def test_the_worker_is_fed_by_a_mapping_with_its_maximum_concurrency_reporting_partial_failures(synthesized):
    synth = synthesized["current"]
    (mapping,) = synth.resources("AWS::Lambda::EventSourceMapping").values()
    props = mapping["Properties"]
    assert props["ScalingConfig"] == {"MaximumConcurrency": batches.DEFAULT_CONCURRENCY}
    assert props["BatchSize"] == batches.BATCH_SIZE
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["EventSourceArn"] == {"Fn::GetAtt": [_id(synth, "AWS::SQS::Queue", "BatchQueue"), "Arn"]}
    worker = synth.one("AWS::Lambda::Function", "BatchWorker")["Properties"]
    assert worker["Timeout"] == batches.WORKER_SECONDS
    assert props["FunctionName"] == {"Ref": _id(synth, "AWS::Lambda::Function", "BatchWorker")}


def test_batch_concurrency_comes_from_context_within_what_sqs_allows():
    assert from_context(lambda key: {"batchConcurrency": "12"}.get(key)).batch_concurrency == 12
    for bad in ("1", "1001", "many"):
        try:
            from_context(lambda key, bad=bad: {"batchConcurrency": bad}.get(key))
        except StackConfigError as exc:
            assert "batchConcurrency" in str(exc)
        else:
            raise AssertionError(f"batchConcurrency={bad} was taken")


def test_the_worker_may_receive_delete_delay_and_send_on_its_queue_only(synthesized):
    synth = synthesized["current"]
    queue = _id(synth, "AWS::SQS::Queue", "BatchQueue")
    role = _id(synth, "AWS::IAM::Role", "BatchWorkerRole")
    statements = [
        s
        for p in synth.resources("AWS::IAM::Policy").values()
        if {"Ref": role} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if any(str(a).startswith("sqs:") for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    ]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:SendMessage"} <= actions
    assert all(s["Resource"] == {"Fn::GetAtt": [queue, "Arn"]} for s in statements)
    assert "sqs:*" not in json.dumps(statements)


def test_alarms_watch_the_dead_letter_queue_and_the_oldest_message(synthesized):
    synth = synthesized["current"]
    alarms = {lid: a["Properties"] for lid, a in synth.resources("AWS::CloudWatch::Alarm").items()}
    dead = next(a for lid, a in alarms.items() if lid.startswith("BatchDeadLettersAlarm"))
    age = next(a for lid, a in alarms.items() if lid.startswith("BatchQueueAgeAlarm"))
    assert (dead["MetricName"], dead["Threshold"]) == ("ApproximateNumberOfMessagesVisible", 0)
    assert (age["MetricName"], age["Threshold"]) == ("ApproximateAgeOfOldestMessage", 3600)
