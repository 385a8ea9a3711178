"""The functions' metrics are embedded metric format documents CloudWatch Logs can extract: each
line checked against the format's specification (CloudWatch_Embedded_Metric_Format_Specification),
and read off the log events the pipeline writes."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from imagegen import metrics
from imagegen.log import Event, Logger
from imagegen.runtime import Runtime

# The units the specification allows (MetricDefinition.Unit: a CloudWatch StandardUnit).
STANDARD_UNITS = {
    *[
        "Seconds",
        "Microseconds",
        "Milliseconds",
        "Bytes",
        "Kilobytes",
        "Megabytes",
        "Gigabytes",
        "Terabytes",
        "Bits",
        "Kilobits",
    ],
    *["Megabits", "Gigabits", "Terabits", "Percent", "Count", "None"],
    *["Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second"],
    *["Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second"],
}


def check_emf(doc: dict[str, Any]) -> list[tuple[str, float, dict[str, str]]]:
    """Assert `doc` is an EMF document; the metrics it defines: (name, value, dimensions) for
    each metric and dimension set."""
    assert isinstance(doc, dict)
    meta = doc["_aws"]
    assert set(meta) <= {"Timestamp", "CloudWatchMetrics"}  # "MUST NOT contain any additional members"
    assert isinstance(meta["Timestamp"], int) and meta["Timestamp"] > 1_600_000_000_000  # milliseconds
    directives = meta["CloudWatchMetrics"]
    assert isinstance(directives, list) and directives
    found = []
    for directive in directives:
        assert set(directive) == {"Namespace", "Dimensions", "Metrics"}
        assert isinstance(directive["Namespace"], str) and 1 <= len(directive["Namespace"]) <= 255
        assert not directive["Namespace"].startswith("AWS/")
        dimension_sets = directive["Dimensions"]
        assert isinstance(dimension_sets, list) and dimension_sets
        for keys in dimension_sets:
            assert isinstance(keys, list) and 1 <= len(keys) <= 30 and len(set(keys)) == len(keys)
            for key in keys:  # each dimension key is a root member holding a string
                assert isinstance(doc[key], str) and 1 <= len(doc[key]) <= 1024, key
        definitions = directive["Metrics"]
        assert isinstance(definitions, list) and 1 <= len(definitions) <= 100
        for definition in definitions:
            assert set(definition) <= {"Name", "Unit", "StorageResolution"}
            assert isinstance(definition["Name"], str) and 1 <= len(definition["Name"]) <= 1024
            assert definition["Unit"] in STANDARD_UNITS
            value = doc[definition["Name"]]  # the value is a root member: a number
            assert isinstance(value, (int, float)) and not isinstance(value, bool)
            for keys in dimension_sets:
                found.append((definition["Name"], value, {k: doc[k] for k in keys}))
    return found


def emitted(stream: io.StringIO) -> list[tuple[str, float, dict[str, str]]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [m for line in lines if "_aws" in line for m in check_emf(line)]


def test_a_document_holds_the_metric_its_dimensions_and_the_fields_at_the_top_level():
    doc = metrics.document(
        metrics.IMAGES_GENERATED,
        2,
        {"function": "gen-fn", "model": "stability.stable-image-core-v1:1"},
        timestamp_ms=1_764_000_000_123,
        request_id="r-1",
    )
    assert check_emf(doc) == [
        ("ImagesGenerated", 2, {"function": "gen-fn", "model": "stability.stable-image-core-v1:1"})
    ]
    assert doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "BedrockImageGenEval"
    assert doc["request_id"] == "r-1"
    json.dumps(doc, allow_nan=False)  # plain JSON: CloudWatch Logs reads the line as it is


def test_throttles_are_counted_per_model_and_per_function_alone():
    doc = metrics.document(metrics.THROTTLED, 1, {"function": "gen-fn", "model": "m"}, timestamp_ms=1_764_000_000_000)
    assert check_emf(doc) == [
        ("Throttled", 1, {"function": "gen-fn", "model": "m"}),
        ("Throttled", 1, {"function": "gen-fn"}),
    ]


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        (
            "image_generated",
            {"model": "m1", "images": 3, "cost_usd": 0.12},
            [("ImagesGenerated", 3.0, "m1"), ("EstimatedCostUSD", 0.12, "m1")],
        ),
        ("image_generated", {"model": "m1", "images": 1, "cost_usd": None}, [("ImagesGenerated", 1.0, "m1")]),
        (
            "image_judged",
            {"judge_model": "j", "cost_usd": 0.0004},
            [("ImagesJudged", 1.0, "j"), ("EstimatedCostUSD", 0.0004, "j")],
        ),
        ("evaluation_deferred", {"judge_model": "j"}, [("EvaluationsDeferred", 1.0, "j")]),
        ("bedrock_throttled", {"model": "m1", "attempt": 2}, [("Throttled", 1.0, "m1")]),
        ("request_failed", {"code": "content_filtered"}, [("RequestsFailed", 1.0, "content_filtered")]),
        ("request_crashed", {"error": "KeyError"}, [("RequestsFailed", 1.0, "internal_error")]),
        ("evaluation_failed", {"code": "throttled"}, [("EvaluationsFailed", 1.0, "throttled")]),
        (
            "evaluation_not_scheduled",
            {"code": "x"},
            [("EvaluationsFailed", 1.0, "evaluation_not_scheduled")],
        ),
        (
            "deferred_evaluation_finished",
            {"status": "failed", "code": "image_not_found"},
            [("DeferredEvaluationsFailed", 1.0, "image_not_found")],
        ),
        ("deferred_evaluation_finished", {"status": "done", "code": None}, []),
        ("image_not_stored", {"code": "storage_unavailable"}, [("ImagesNotStored", 1.0, "storage_unavailable")]),
        ("retry_wait", {"model": "m1", "code": "throttled"}, []),  # the throttle itself is bedrock_throttled
        ("response", {"status": 200}, []),
    ],
)
def test_each_counted_event_gives_its_metrics(name, fields, expected):
    found = metrics.readings(Event("INFO", name, fields))
    assert [(m.name, value, dimension) for m, value, dimension in found] == expected


def test_a_function_logger_writes_an_emf_line_after_each_counted_event():
    stream = io.StringIO()
    log = Runtime.from_env(
        {"IMAGEGEN_BUCKET": "b", "AWS_REGION": "us-west-2", "AWS_LAMBDA_FUNCTION_NAME": "gen-fn"}, log_stream=stream
    ).log.bind(request_id="r-9")
    log.info("image_generated", model="m1", images=2, cost_usd=0.08)
    log.info("response", status=200)
    assert emitted(stream) == [
        ("ImagesGenerated", 2.0, {"function": "gen-fn", "model": "m1"}),
        ("EstimatedCostUSD", 0.08, {"function": "gen-fn", "model": "m1"}),
    ]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["image_generated", "metric", "metric", "response"]
    assert all(line["request_id"] == "r-9" for line in lines)


def test_a_logger_without_the_listener_writes_no_metrics():
    """The CLI's logger: no EMF lines on a terminal or in a file."""
    stream = io.StringIO()
    Logger(stream, service="imagegen-cli").info("image_generated", model="m1", images=1, cost_usd=0.04)
    assert emitted(stream) == []
