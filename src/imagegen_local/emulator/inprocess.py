"""The emulator answering a real bedrock-runtime client inside this process, without a socket:
botocore builds, signs and parses every call as it would for Bedrock, and its `before-send` event
hands the request to `Emulator.handle` instead of the network (for tests and benchmarks that make
thousands of calls).

    emulator, client = in_process(Faults(throttle_rate=0.2), region="us-west-2", session=session)
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from botocore.awsrequest import AWSResponse
from botocore.config import Config

from .server import Emulator, Faults

_ROUTE = re.compile(r"/model/(?P<model>[^/?]+)/(?P<operation>invoke|converse)")


class _Raw:
    """The answer's body as urllib3 would stream it."""

    def __init__(self, body: bytes) -> None:
        self._body = io.BytesIO(body)

    def stream(self, amt: int | None = None, decode_content: bool = True) -> Iterator[bytes]:
        yield self._body.read()

    def read(self, amt: int | None = None) -> bytes:
        return self._body.read(amt)


def in_process(faults: Faults | None = None, *, region: str, session: Any) -> tuple[Emulator, Any]:
    """An emulator (its socket closed: nothing listens) and a bedrock-runtime client it answers,
    configured as the functions' are (one attempt: the pipeline retries throttling itself)."""
    emulator = Emulator(faults)
    emulator.server.server_close()
    client = session.client(
        "bedrock-runtime",
        region_name=region,
        endpoint_url="https://bedrock-runtime.emulated.invalid",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )

    def send(request: Any, **_: Any) -> AWSResponse:
        match = _ROUTE.search(request.url)
        if match is None:
            return AWSResponse(request.url, 404, {"x-amzn-ErrorType": "UnknownOperationException"}, _Raw(b"{}"))
        status, headers, body = emulator.handle(
            unquote(match["model"]), match["operation"], bytes(request.body or b""), region
        )
        return AWSResponse(request.url, status, {**headers, "x-amzn-RequestId": "emulated"}, _Raw(body))

    client.meta.events.register_first("before-send.bedrock-runtime", send)
    return emulator, client
