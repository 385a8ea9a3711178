"""What every server of the offline world shares: it binds 127.0.0.1 on a port the operating
system picks (port 0, so no race for a free one), serves from a daemon thread, and stops quickly.

    with Emulator() as emulator:      # started; emulator.url is http://127.0.0.1:PORT
        ...                           # stopped on the way out, the port closed

A subclass names its request handler (`handler`, a BaseHTTPRequestHandler that finds the server
object it serves as `self.owner`) or builds another kind of socketserver (`_bind`).
"""

from __future__ import annotations

import socketserver
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self

HOST = "127.0.0.1"
POLL_SECONDS = 0.05  # how often the serving loop looks for stop(); the test suite stops servers often


class QuietAboutDroppedClients(socketserver.BaseServer):
    """A client that drops its idle keep-alive connection is not an error worth a traceback."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class QuietHTTPServer(QuietAboutDroppedClients, ThreadingHTTPServer):
    daemon_threads = True  # a connection left open does not hold up stop() or the interpreter's exit


class LoopbackServer:
    """A server on loopback. `url` is known from construction on (the socket is bound then);
    start() serves, stop() shuts down within POLL_SECONDS and closes the port."""

    handler: ClassVar[type[BaseHTTPRequestHandler]]
    thread_name: ClassVar[str] = "loopback-server"
    path: ClassVar[str] = ""  # what `url` adds to http://127.0.0.1:PORT

    def __init__(self, port: int = 0) -> None:
        self.server = self._bind(port)
        self._thread: threading.Thread | None = None

    def _bind(self, port: int) -> socketserver.TCPServer:
        bound = type(self.handler.__name__, (self.handler,), {"owner": self})
        return QuietHTTPServer((HOST, port), bound)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}{self.path}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(POLL_SECONDS,), name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self.server.shutdown()  # returns once the serving loop has ended
            self._thread.join()
            self._thread = None
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
