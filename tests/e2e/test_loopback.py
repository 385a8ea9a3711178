"""What the local servers share (imagegen_local.loopback): 127.0.0.1 on a free port, a quick stop
that closes the port, and no noise about clients that go away."""

from __future__ import annotations

import logging
import os
import socket
import struct
import threading
import time

import pytest

from imagegen_local.devapi import DevApi
from imagegen_local.emulator.server import Emulator
from imagegen_local.http import call_json, fetch
from imagegen_local.s3local import LocalS3

SERVERS = {
    "emulator": Emulator,
    "local_s3": LocalS3,
    "dev_api": lambda: DevApi(log_stream=open(os.devnull, "w")),  # noqa: SIM115 (the API writes to it until stopped)
}


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize("make", SERVERS.values(), ids=SERVERS.keys())
def test_a_server_binds_a_free_loopback_port_and_closes_it_quickly_on_stop(make):
    first, second = make(), make()
    try:
        assert first.url.startswith("http://127.0.0.1:") and first.port != second.port
        with first:
            assert _listening(first.port)
            started = time.monotonic()
        assert time.monotonic() - started < 0.4  # the serving loop looks for stop() often
        assert not _listening(first.port)
    finally:
        second.stop()


@pytest.mark.parametrize("make", SERVERS.values(), ids=SERVERS.keys())
def test_a_server_never_started_stops_at_once(make):
    server = make()
    stopping = threading.Thread(target=server.stop, daemon=True)
    stopping.start()
    stopping.join(timeout=5)
    assert not stopping.is_alive()
    assert not _listening(server.port)


def test_a_client_that_resets_its_connection_is_no_traceback(capfd):
    with Emulator() as emulator:
        client = socket.create_connection(("127.0.0.1", emulator.port))
        client.sendall(b"POST /_emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
        client.close()
        time.sleep(0.3)  # the request thread meets the reset
        assert call_json("GET", emulator.url + "/_emulator/health") == (200, {"status": "ok"})
    assert "Traceback" not in capfd.readouterr().err


def test_the_local_s3_logs_no_request(caplog):
    caplog.set_level(logging.DEBUG, logger="werkzeug")
    with LocalS3() as s3:
        assert b"ListAllMyBucketsResult" in fetch(s3.url + "/")
    assert not [r for r in caplog.records if r.name == "werkzeug"]
