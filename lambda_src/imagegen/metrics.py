"""The functions' CloudWatch metrics, written as embedded metric format (EMF) lines on stdout.

CloudWatch Logs turns each line into metric values (namespace `BedrockImageGenEval`): the
Lambda's log group is the transport, so no client, permission or network call is needed, and
the CLI, whose logger has no `Metrics` listener, writes none. A `Metrics` listens to a
logger's events (log.Listener) and writes one EMF document for each event that counts: the
pipeline logs what happened once, and the metrics are read off those events by the table below.

Each metric has the dimensions `function` (the Lambda function's name) and one more (`model` or
`code`); throttles also have `function` alone, which the stack's alarm sums over the functions.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TextIO, TypedDict

from .log import Event, write_line

NAMESPACE = "BedrockImageGenEval"

Unit = Literal["Count", "None"]  # EMF units this module uses ("None": a plain number, here US dollars)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: Unit
    dimension: str  # the dimension besides `function`
    by_function_too: bool = False  # also under `function` alone, for one alarm over all models


IMAGES_GENERATED = Metric("ImagesGenerated", "Count", "model")
IMAGES_JUDGED = Metric("ImagesJudged", "Count", "model")
EVALUATIONS_DEFERRED = Metric("EvaluationsDeferred", "Count", "model")
THROTTLED = Metric("Throttled", "Count", "model", by_function_too=True)
ESTIMATED_COST = Metric("EstimatedCostUSD", "None", "model")
REQUESTS_FAILED = Metric("RequestsFailed", "Count", "code")
EVALUATIONS_FAILED = Metric("EvaluationsFailed", "Count", "code")
DEFERRED_EVALUATIONS_FAILED = Metric("DeferredEvaluationsFailed", "Count", "code")
IMAGES_NOT_STORED = Metric("ImagesNotStored", "Count", "code")


@dataclass(frozen=True)
class Reading:
    """How to read one metric off a log event: its value (a field, else 1) and its dimension's
    value (a field, else `fixed`); `when` keeps only the events it holds for."""

    metric: Metric
    dimension_field: str | None = None
    fixed: str | None = None
    value_field: str | None = None
    when: Callable[[Mapping[str, Any]], bool] | None = None


def _failed(fields: Mapping[str, Any]) -> bool:
    return fields.get("status") == "failed"


READINGS: dict[str, tuple[Reading, ...]] = {
    "image_generated": (
        Reading(IMAGES_GENERATED, "model", value_field="images"),
        Reading(ESTIMATED_COST, "model", value_field="cost_usd"),
    ),
    "image_judged": (
        Reading(IMAGES_JUDGED, "judge_model"),
        Reading(ESTIMATED_COST, "judge_model", value_field="cost_usd"),
    ),
    "evaluation_deferred": (Reading(EVALUATIONS_DEFERRED, "judge_model"),),
    "bedrock_throttled": (Reading(THROTTLED, "model"),),
    "request_failed": (Reading(REQUESTS_FAILED, "code"),),
    "request_crashed": (Reading(REQUESTS_FAILED, fixed="internal_error"),),
    "evaluation_failed": (Reading(EVALUATIONS_FAILED, "code"),),
    "evaluation_crashed": (Reading(EVALUATIONS_FAILED, fixed="internal_error"),),
    "deferred_evaluation_crashed": (Reading(EVALUATIONS_FAILED, fixed="internal_error"),),
    "evaluation_not_scheduled": (Reading(EVALUATIONS_FAILED, fixed="evaluation_not_scheduled"),),
    "deferred_evaluation_finished": (Reading(DEFERRED_EVALUATIONS_FAILED, "code", when=_failed),),
    "image_not_stored": (Reading(IMAGES_NOT_STORED, "code"),),
}
"""Log event -> the metrics it counts. The events' fields are log.py's callers' (code from
log.error_fields)."""


class MetricDefinition(TypedDict):
    Name: str
    Unit: Unit


class MetricDirective(TypedDict):
    Namespace: str
    Dimensions: list[list[str]]
    Metrics: list[MetricDefinition]


class Metadata(TypedDict):
    Timestamp: int  # milliseconds since the epoch
    CloudWatchMetrics: list[MetricDirective]


def document(
    metric: Metric, value: float, dimensions: Mapping[str, str], *, timestamp_ms: int, **fields: Any
) -> dict[str, Any]:
    """One EMF document: the metadata under `_aws`, and at the top level each dimension's value,
    the metric's value and `fields` (kept in the log line, not metrics)."""
    keys = ["function", metric.dimension]
    directive: MetricDirective = {
        "Namespace": NAMESPACE,
        "Dimensions": [keys, ["function"]] if metric.by_function_too else [keys],
        "Metrics": [{"Name": metric.name, "Unit": metric.unit}],
    }
    metadata: Metadata = {"Timestamp": timestamp_ms, "CloudWatchMetrics": [directive]}
    return {**fields, "_aws": metadata, **{k: dimensions[k] for k in keys}, metric.name: value}


def readings(event: Event) -> list[tuple[Metric, float, str]]:
    """The metrics `event` counts: (metric, value, the value of its dimension besides `function`)."""
    found = []
    for reading in READINGS.get(event.name, ()):
        fields = event.fields
        if reading.when is not None and not reading.when(fields):
            continue
        value = 1 if reading.value_field is None else fields.get(reading.value_field)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue  # an unknown price: no cost to count
        dimension = reading.fixed if reading.dimension_field is None else fields.get(reading.dimension_field)
        found.append((reading.metric, float(value), str(dimension or "unknown")))
    return found


class Metrics:
    """A logger's listener that writes an EMF line to `stream` (stdout when None) for each
    event that counts."""

    def __init__(self, stream: TextIO | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self.stream = stream
        self.clock = clock

    def on_event(self, event: Event) -> None:
        function = str(event.fields.get("function") or "unknown")
        request_id = event.fields.get("request_id")
        for metric, value, dimension in readings(event):
            line = document(
                metric,
                value,
                {"function": function, metric.dimension: dimension},
                timestamp_ms=round(self.clock() * 1000),
                event="metric",
                source_event=event.name,
                **({"request_id": request_id} if request_id else {}),
            )
            write_line(self.stream, json.dumps(line))
