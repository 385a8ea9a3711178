"""A local S3: moto's WSGI application on a free loopback port. Point clients at it with
AWS_ENDPOINT_URL_S3; the product's pre-signed URLs then work against it too."""

from __future__ import annotations

import socketserver
import threading
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import ThreadedWSGIServer

from .loopback import HOST, LoopbackServer, QuietAboutDroppedClients
from .s3conditions import atomic_conditional_writes

atomic_conditional_writes()  # S3 decides a conditional write atomically; moto alone does not


class _QuietWSGIServer(QuietAboutDroppedClients, ThreadedWSGIServer):
    pass


class _Handler(MotoRequestHandler):
    disable_nagle_algorithm = True  # werkzeug sends headers and body apart: no wait for a delayed ACK between

    def log_request(self, *args: Any) -> None:  # werkzeug logs every request otherwise
        pass


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves a host: moto works it out again for
    every request (listing its package's folders and trying every service's URL patterns), under a
    lock that serializes the requests. The answer depends on the host's name alone."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:  # called under the dispatcher's lock
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


class _Refusing:
    """A WSGI application that answers an S3 error, instead of `app`, to the requests `refusals` names."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.refusals: list[list[Any]] = []  # [method, path suffix, times left, S3 error code, HTTP status]
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            for refusal in self.refusals:
                method, suffix, left, code, status = refusal
                if left > 0 and environ["REQUEST_METHOD"] == method and environ.get("PATH_INFO", "").endswith(suffix):
                    refusal[2] -= 1
                    body = f"<Error><Code>{code}</Code><Message>refused</Message></Error>".encode()
                    start_response(f"{status} Refused", [("Content-Type", "application/xml")])
                    return [body]
        return self.app(environ, start_response)


class LocalS3(LoopbackServer):
    """moto's server as moto.server.ThreadedMotoServer builds it (its dispatcher application and
    request handler on werkzeug's threaded server), bound and stopped like the other local servers.
    `refuse` makes it answer an error to some requests (a fault for tests on the wire)."""

    thread_name = "local-s3"

    def _bind(self, port: int) -> socketserver.TCPServer:
        self._app = _Refusing(_Dispatcher())
        return _QuietWSGIServer(HOST, port, self._app, handler=_Handler)

    def refuse(
        self, method: str, path_suffix: str, times: int = 1, code: str = "AccessDenied", status: int = 403
    ) -> None:
        """The next `times` requests of `method` on a path ending with `path_suffix` answer S3's
        error `code` with `status` (AccessDenied: what a bucket policy refusing a write answers)."""
        with self._app.lock:
            self._app.refusals.append([method, path_suffix, times, code, status])
